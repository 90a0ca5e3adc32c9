/* Smoke tests of ram-mnist's engine (examples/mnist/mnist_train.c and
 * mnist_figures.c) on small synthetic "digits" made here, not on the MNIST
 * files: a few seconds of training with a tiny network, the save/load round
 * trip, exact resume (straight vs stopped + resumed, at an epoch boundary
 * and mid-epoch, with one and with several rollouts per image, and with
 * the location/baseline options and the std schedule), the location step
 * scale, the pictures, and the error paths. One test reads the
 * real MNIST files and skips when they are absent. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idx.h"
#include "mnist_figures.h"
#include "mnist_train.h"
#include "ram/ram.h"
#include "rng.h"
#include "tasks.h"

#define N_TRAIN 800 /* the last HOLDOUT are the validation split */
#define HOLDOUT 200
#define N_TEST 200

/* 9-bit codes of a 3x3 grid of 6x6 blocks, one per class, all different. */
static const unsigned k_codes[10] = {0x1EF, 0x092, 0x1F3, 0x1E7, 0x16D,
                                     0x1CF, 0x1DE, 0x127, 0x1FF, 0x1ED};

static void fake_digit(example_rng *r, int cls, uint8_t *img)
{
    memset(img, 0, TASK_DIGIT_PIXELS);
    int ox = 5 + example_rng_int_range(r, -2, 2);
    int oy = 5 + example_rng_int_range(r, -2, 2);
    for (int b = 0; b < 9; b++) {
        if (!(k_codes[cls] >> b & 1))
            continue;
        int bx = ox + (b % 3) * 6, by = oy + (b / 3) * 6;
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++)
                img[(by + y) * TASK_DIGIT_SIDE + bx + x] =
                    (uint8_t)(160 + example_rng_below(r, 96));
    }
}

typedef struct fake_data {
    uint8_t *train_images, *train_labels, *test_images, *test_labels;
    mnist_source src;
} fake_data;

static void fake_make(fake_data *d)
{
    d->train_images = malloc((size_t)N_TRAIN * TASK_DIGIT_PIXELS);
    d->train_labels = malloc(N_TRAIN);
    d->test_images = malloc((size_t)N_TEST * TASK_DIGIT_PIXELS);
    d->test_labels = malloc(N_TEST);
    ck_assert(d->train_images && d->train_labels && d->test_images &&
              d->test_labels);
    example_rng r;
    example_rng_seed(&r, 4242);
    for (int i = 0; i < N_TRAIN; i++) {
        d->train_labels[i] = (uint8_t)example_rng_below(&r, 10);
        fake_digit(&r, d->train_labels[i],
                   d->train_images + (size_t)i * TASK_DIGIT_PIXELS);
    }
    for (int i = 0; i < N_TEST; i++) {
        d->test_labels[i] = (uint8_t)example_rng_below(&r, 10);
        fake_digit(&r, d->test_labels[i],
                   d->test_images + (size_t)i * TASK_DIGIT_PIXELS);
    }
    mnist_source s = {d->train_images, d->train_labels, N_TRAIN,
                      d->test_images,  d->test_labels,  N_TEST};
    d->src = s;
}

static void fake_free(fake_data *d)
{
    free(d->train_images);
    free(d->train_labels);
    free(d->test_images);
    free(d->test_labels);
}

/* A tiny model that trains in well under a second per epoch. */
static void tiny_opts(mnist_opts *o, task_id task, int epochs)
{
    mnist_opts_preset(o, task);
    o->glimpses = 3;
    o->patch = 8;
    o->scales = task == TASK_MNIST28 ? 2 : 3;
    o->hidden = 32;
    o->what = 32;
    o->where = 16;
    o->gsize = 32;
    o->batch = 32;
    o->epochs = epochs;
    o->threads = 2;
    o->lr = 3e-3;
    o->seed = 7;
    o->holdout = HOLDOUT;
}

static void make_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/ram-mnist-smoke-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(buf));
}

static void rm_run(const char *dir)
{
    static const char *const files[] = {"checkpoint.ram", "state.txt",
                                        "best.ram", "log.tsv", "ema.ram",
                                        "show.png",
                                        "samples.png", "curve.png"};
    char p[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        remove(p);
    }
    rmdir(dir);
}

/* dir/name in one of 4 rotating buffers (so two may be used at once). */
static char *path_in(const char *dir, const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

/* The two models have bit-identical parameters (and, for checkpoints saved
 * with the optimiser state, the same update count). */
static void assert_same_params(const char *pa, const char *pb, int ckpt)
{
    ram_agent *a = NULL, *b = NULL;
    ck_assert_int_eq(ram_agent_load_file(&a, pa, 0), RAM_OK);
    ck_assert_int_eq(ram_agent_load_file(&b, pb, 0), RAM_OK);
    float *wa, *wb;
    size_t na, nb;
    ck_assert_int_eq(ram_agent_params(a, &wa, NULL, &na), RAM_OK);
    ck_assert_int_eq(ram_agent_params(b, &wb, NULL, &nb), RAM_OK);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(memcmp(wa, wb, na * sizeof(float)) == 0,
                  "%s and %s have different parameters", pa, pb);
    double ua, ub;
    ck_assert_int_eq(ram_agent_stat(a, RAM_STAT_UPDATES, &ua), RAM_OK);
    ck_assert_int_eq(ram_agent_stat(b, RAM_STAT_UPDATES, &ub), RAM_OK);
    ck_assert_msg(ua == ub && (ua > 0) == (ckpt != 0), "updates %g vs %g",
                  ua, ub);
    ram_agent_free(a);
    ram_agent_free(b);
    /* With the optimiser state, the RNG and the tunables: the same file. */
    size_t sa, sb;
    unsigned char *fa = read_all(pa, &sa), *fb = read_all(pb, &sb);
    ck_assert_uint_eq(sa, sb);
    ck_assert_msg(memcmp(fa, fb, sa) == 0, "%s and %s differ", pa, pb);
    free(fa);
    free(fb);
}

/* ---- train, save, load, evaluate ------------------------------------- */

START_TEST(test_train_roundtrip)
{
    fake_data d;
    fake_make(&d);
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    mnist_opts o;
    tiny_opts(&o, TASK_MNIST28, 8);
    char err[512] = "";
    mnist_train_result res;
    int rc = mnist_train(&d.src, &o, dir, 0, NULL, &res, err, sizeof err);
    ck_assert_msg(rc == 0, "mnist_train: %s", err);
    ck_assert_int_eq(res.epochs_done, 8);
    ck_assert(res.best_epoch >= 1 && res.best_epoch <= 8);
    ck_assert(res.best_val_error <= res.last_val_error);
    fprintf(stderr, "mnist_smoke: tiny model, %d epochs of %d synthetic "
                    "digits: validation error %.3f (best %.3f), %.0f "
                    "samples/s\n",
            res.epochs_done, N_TRAIN - HOLDOUT, res.last_val_error,
            res.best_val_error, res.samples_per_s);
    /* It learned something: chance is 90% error. */
    ck_assert_msg(res.best_val_error < 0.75, "best validation error %.3f",
                  res.best_val_error);
    ck_assert(res.samples_per_s > 0);

    mnist_set val;
    ck_assert_int_eq(mnist_set_make(&d.src, TASK_MNIST28, MNIST_SPLIT_VAL,
                                    HOLDOUT, 0, &val, err, sizeof err),
                     0);
    ck_assert_uint_eq(val.n, HOLDOUT);

    /* The last checkpoint scores the last epoch's validation error, the best
     * model the best one, with 1 or 2 threads, trainable or not. */
    ram_agent *ck = NULL, *best = NULL;
    ck_assert_int_eq(ram_agent_load_file(&ck, path_in(dir, "checkpoint.ram"),
                                         0), RAM_OK);
    ck_assert_int_eq(ram_agent_load_file(&best, path_in(dir, "best.ram"),
                                         RAM_LOAD_INFERENCE), RAM_OK);
    mnist_eval_result ev1, ev2, evb;
    ck_assert_int_eq(mnist_evaluate(ck, &val, 0, 0, 1, 1, &ev1, err,
                                    sizeof err), 0);
    ck_assert_int_eq(mnist_evaluate(ck, &val, 0, 0, 2, 1, &ev2, err,
                                    sizeof err), 0);
    ck_assert_int_eq(mnist_evaluate(best, &val, 0, 0, 2, 1, &evb, err,
                                    sizeof err), 0);
    ck_assert_uint_eq(ev1.n, HOLDOUT);
    ck_assert_uint_eq(ev1.errors, ev2.errors);
    ck_assert_msg(ev1.error == res.last_val_error, "%g vs %g", ev1.error,
                  res.last_val_error);
    ck_assert_msg(evb.error == res.best_val_error, "%g vs %g", evb.error,
                  res.best_val_error);

    /* Sampled rollouts: reproducible, and independent of the threads. */
    mnist_eval_result r1, r2;
    ck_assert_int_eq(mnist_evaluate(best, &val, 0, 3, 1, 5, &r1, err,
                                    sizeof err), 0);
    ck_assert_int_eq(mnist_evaluate(best, &val, 0, 3, 2, 5, &r2, err,
                                    sizeof err), 0);
    ck_assert_int_eq(r1.rollouts, 3);
    ck_assert_uint_eq(r1.errors, evb.errors);
    ck_assert_uint_eq(r1.avg_errors, r2.avg_errors);
    ck_assert(r1.single_error == r2.single_error);
    ck_assert(r1.single_error >= 0 && r1.single_error <= 1);

    /* A random-glimpse model (the ablation): the one rollout's locations
     * come from --seed, whatever the thread count, and another seed draws
     * others. */
    ck_assert_int_eq(ram_agent_set_param(ck, RAM_PARAM_RANDOM_GLIMPSES, 1),
                     RAM_OK);
    mnist_eval_result g1, g2, g3;
    ck_assert_int_eq(mnist_evaluate(ck, &val, 0, 0, 1, 7, &g1, err,
                                    sizeof err), 0);
    ck_assert_int_eq(mnist_evaluate(ck, &val, 0, 0, 2, 7, &g2, err,
                                    sizeof err), 0);
    ck_assert_int_eq(mnist_evaluate(ck, &val, 0, 0, 1, 7, &g3, err,
                                    sizeof err), 0);
    ck_assert_uint_eq(g1.errors, g2.errors);
    ck_assert_uint_eq(g1.errors, g3.errors);
    int differs = 0;
    for (uint64_t sd = 8; sd < 14 && !differs; sd++) {
        ck_assert_int_eq(mnist_evaluate(ck, &val, 0, 0, 1, sd, &g2, err,
                                        sizeof err), 0);
        differs = g2.errors != g1.errors;
    }
    ck_assert_msg(differs, "six other seeds gave the same %zu errors",
                  g1.errors);

    /* The pictures. */
    mnist_show_result sr;
    rc = mnist_show_png(best, &val, 3, 4, 0, 1, path_in(dir, "show.png"), &sr,
                        err, sizeof err);
    ck_assert_msg(rc == 0, "mnist_show_png: %s", err);
    ck_assert_uint_eq(sr.rows, 4);
    ck_assert(sr.correct <= 4);
    struct stat st;
    ck_assert_int_eq(stat(path_in(dir, "show.png"), &st), 0);
    ck_assert(st.st_size > 100);
    rc = mnist_samples_png(&val, 16, 4, path_in(dir, "samples.png"), err,
                           sizeof err);
    ck_assert_msg(rc == 0, "mnist_samples_png: %s", err);

    /* show --errors: the images the deterministic pass gets wrong, in
     * order, with their indices; from #first on and at most count. */
    mnist_set wrong;
    ck_assert_int_eq(mnist_set_make(&d.src, TASK_MNIST28, MNIST_SPLIT_VAL,
                                    HOLDOUT, 0, &wrong, err, sizeof err),
                     0);
    static size_t idx[HOLDOUT];
    size_t nw = 0;
    ck_assert_int_eq(mnist_set_keep_errors(best, &wrong, 0, HOLDOUT, 0, idx,
                                           &nw, err, sizeof err),
                     0);
    ck_assert_uint_eq(nw, evb.errors);
    ck_assert_uint_eq(wrong.n, nw);
    ck_assert_uint_gt(nw, 1);
    const size_t WW = 28 * 28;
    for (size_t i = 0; i < nw; i++) {
        ck_assert(i == 0 || idx[i] > idx[i - 1]);
        ck_assert_int_eq(wrong.labels[i], val.labels[idx[i]]);
        ck_assert_mem_eq(wrong.images + i * WW, val.images + idx[i] * WW, WW);
    }
    mnist_eval_result ew;
    ck_assert_int_eq(mnist_evaluate(best, &wrong, 0, 0, 1, 1, &ew, err,
                                    sizeof err), 0);
    ck_assert_uint_eq(ew.errors, nw); /* every kept image is wrong */
    mnist_set_free(&wrong);
    ck_assert_int_eq(mnist_set_make(&d.src, TASK_MNIST28, MNIST_SPLIT_VAL,
                                    HOLDOUT, 0, &wrong, err, sizeof err),
                     0);
    size_t first = idx[1], one;
    ck_assert_int_eq(mnist_set_keep_errors(best, &wrong, first, 1, 0, idx,
                                           &one, err, sizeof err),
                     0);
    ck_assert_uint_eq(one, 1);
    ck_assert_uint_eq(idx[0], first);
    ck_assert_int_eq(mnist_set_keep_errors(best, &wrong, 5, 1, 0, idx, &one,
                                           err, sizeof err),
                     -1); /* the set holds 1 image now */
    ck_assert_msg(strstr(err, "the set has 1 images") != NULL, "%s", err);
    ck_assert_uint_eq(wrong.n, 1);
    mnist_set_free(&wrong);

    /* log.tsv: a header and one line per epoch. */
    size_t n;
    unsigned char *log = read_all(path_in(dir, "log.tsv"), &n);
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += log[i] == '\n';
    ck_assert_int_eq(lines, 9);
    ck_assert(strncmp((char *)log, "epoch\t", 6) == 0);
    free(log);
    /* The learning curve reads it back. */
    const char *logs[1] = {dir};
    rc = mnist_curve_png(path_in(dir, "curve.png"), logs, 1, 1.5, err,
                         sizeof err);
    ck_assert_msg(rc == 0, "mnist_curve_png: %s", err);
    ck_assert_int_eq(stat(path_in(dir, "curve.png"), &st), 0);

    ram_agent_free(ck);
    ram_agent_free(best);
    mnist_set_free(&val);
    rm_run(dir);
    fake_free(&d);
}
END_TEST

/* ---- exact resume ------------------------------------------------------ */

/* The synthetic digits and three run directories. */
/* Other draws of the test split: draw 0 is mnist_set_make()'s; another
 * draw moves the digits (same digits, same labels), and is itself fixed. */
START_TEST(test_set_draws)
{
    fake_data d;
    fake_make(&d);
    char err[256];
    mnist_set a, b, c, e;
    ck_assert_int_eq(mnist_set_make(&d.src, TASK_TRANSLATED60,
                                    MNIST_SPLIT_TEST, HOLDOUT, 50, &a, err,
                                    sizeof err), 0);
    ck_assert_int_eq(mnist_set_make_draw(&d.src, TASK_TRANSLATED60,
                                         MNIST_SPLIT_TEST, HOLDOUT, 50, 0,
                                         &b, err, sizeof err), 0);
    ck_assert_int_eq(mnist_set_make_draw(&d.src, TASK_TRANSLATED60,
                                         MNIST_SPLIT_TEST, HOLDOUT, 50, 3,
                                         &c, err, sizeof err), 0);
    ck_assert_int_eq(mnist_set_make_draw(&d.src, TASK_TRANSLATED60,
                                         MNIST_SPLIT_TEST, HOLDOUT, 50, 3,
                                         &e, err, sizeof err), 0);
    const size_t bytes = a.n * 60 * 60;
    ck_assert_uint_eq(a.n, 50);
    ck_assert_mem_eq(a.images, b.images, bytes);
    ck_assert(memcmp(a.images, c.images, bytes) != 0);
    ck_assert_mem_eq(c.images, e.images, bytes);
    ck_assert_mem_eq(a.labels, c.labels, a.n * sizeof(int));
    mnist_set_free(&a);
    mnist_set_free(&b);
    mnist_set_free(&c);
    mnist_set_free(&e);
    fake_free(&d);
}
END_TEST

typedef struct runs {
    fake_data d;
    char a[64], b[64], c[64];
} runs;

/* Makes them, sets o to tiny_opts(task, epochs) and returns the digits. */
static const mnist_source *runs_open(runs *r, mnist_opts *o, task_id task,
                                     int epochs)
{
    fake_make(&r->d);
    make_tmpdir(r->a, sizeof r->a);
    make_tmpdir(r->b, sizeof r->b);
    make_tmpdir(r->c, sizeof r->c);
    tiny_opts(o, task, epochs);
    return &r->d.src;
}

static void runs_close(runs *r)
{
    rm_run(r->a);
    rm_run(r->b);
    rm_run(r->c);
    fake_free(&r->d);
}

/* Trains o into dir without a stop. */
static void train_straight(const mnist_source *src, const mnist_opts *o,
                           const char *dir, mnist_train_result *res)
{
    char err[512] = "";
    ck_assert_msg(mnist_train(src, o, dir, 0, NULL, res, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(res->epochs_done, o->epochs);
}

/* Trains o into dir, stopped (as by Ctrl-C) after `first` batches, then
 * resumed and stopped again after `second` more. */
static void train_stopped_twice(const mnist_source *src, const mnist_opts *o,
                                const char *dir, long first, long second)
{
    char err[512] = "";
    mnist_train_io io = {NULL, NULL, 0, NULL, first, 0};
    ck_assert_int_eq(mnist_train(src, o, dir, 0, &io, NULL, err, sizeof err),
                     MNIST_TRAIN_INTERRUPTED);
    io.stop_after_batches = second;
    ck_assert_int_eq(mnist_train(src, NULL, dir, 1, &io, NULL, err,
                                 sizeof err), MNIST_TRAIN_INTERRUPTED);
}

/* train_straight, returning what the run printed (to be freed). */
static char *train_text(const mnist_source *src, const mnist_opts *o,
                        const char *dir, mnist_train_result *res)
{
    char err[512] = "";
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    mnist_train_io io = {out, NULL, 0, NULL, 0, 0};
    ck_assert_msg(mnist_train(src, o, dir, 0, &io, res, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(res->epochs_done, o->epochs);
    size_t n = (size_t)ftell(out);
    char *text = calloc(n + 1, 1);
    ck_assert_ptr_nonnull(text);
    rewind(out);
    ck_assert_uint_eq(fread(text, 1, n, out), n);
    fclose(out);
    return text;
}

/* Resumes the run in dir to its end: bit-identical to the run in ref, which
 * was never stopped and gave *rref. */
static void resume_matches(const mnist_source *src, const char *dir,
                           const char *ref, const mnist_train_result *rref)
{
    char err[512] = "";
    mnist_train_result res;
    ck_assert_msg(mnist_train(src, NULL, dir, 1, NULL, &res, err,
                              sizeof err) == 0, "%s", err);
    ck_assert_int_eq(res.epochs_done, rref->epochs_done);
    assert_same_params(path_in(ref, "checkpoint.ram"),
                       path_in(dir, "checkpoint.ram"), 1);
    assert_same_params(path_in(ref, "best.ram"), path_in(dir, "best.ram"), 0);
    ck_assert(res.last_val_error == rref->last_val_error);
}

START_TEST(test_resume_exact)
{
    runs r;
    mnist_opts o;
    const mnist_source *src = runs_open(&r, &o, TASK_CLUTTERED60, 2);
    char err[512] = "";
    mnist_train_result ra, rb;

    /* A: two epochs straight. */
    train_straight(src, &o, r.a, &ra);

    /* B: one epoch, then resumed for the second. */
    mnist_opts o1 = o;
    o1.epochs = 1;
    ck_assert_msg(mnist_train(src, &o1, r.b, 0, NULL, NULL, err,
                              sizeof err) == 0, "%s", err);
    ck_assert_msg(mnist_train(src, &o, r.b, 1, NULL, &rb, err,
                              sizeof err) == 0, "%s", err);
    ck_assert_int_eq(rb.epochs_done, 2);
    assert_same_params(path_in(r.a, "checkpoint.ram"),
                       path_in(r.b, "checkpoint.ram"), 1);
    ck_assert(ra.last_val_error == rb.last_val_error);
    ck_assert(ra.best_val_error == rb.best_val_error);

    /* C: stopped mid-epoch (as by Ctrl-C) after 7 of the 19 batches of an
     * epoch, then after 15 more (3 into the second epoch), then resumed to
     * the end. */
    train_stopped_twice(src, &o, r.c, 7, 15);
    int epochs_done = -1;
    mnist_opts saved;
    ck_assert_int_eq(mnist_read_run_opts(r.c, &saved, &epochs_done, err,
                                         sizeof err), 0);
    ck_assert_int_eq(epochs_done, 1);
    ck_assert_int_eq(saved.task, TASK_CLUTTERED60);
    ck_assert_int_eq(saved.hidden, 32);
    ck_assert(saved.lr == o.lr);
    resume_matches(src, r.c, r.a, &ra);

    /* Resuming a finished run with more epochs continues it. */
    mnist_opts o3 = o;
    o3.epochs = 3;
    ck_assert_msg(mnist_train(src, &o3, r.a, 1, NULL, &ra, err,
                              sizeof err) == 0, "%s", err);
    ck_assert_int_eq(ra.epochs_done, 3);

    runs_close(&r);
}
END_TEST

/* ---- several rollouts per training image (--mc) ------------------------ */

/* Rewrites dir/state.txt without its key=value line for `key`. */
static void state_drop_key(const char *dir, const char *key)
{
    size_t n, k = strlen(key);
    unsigned char *text = read_all(path_in(dir, "state.txt"), &n);
    FILE *f = fopen(path_in(dir, "state.txt"), "wb");
    ck_assert_ptr_nonnull(f);
    int dropped = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && text[e] != '\n')
            e++;
        e += e < n;
        if (e - i > k && memcmp(text + i, key, k) == 0 && text[i + k] == '=')
            dropped++;
        else
            ck_assert_uint_eq(fwrite(text + i, 1, e - i, f), e - i);
        i = e;
    }
    fclose(f);
    free(text);
    ck_assert_int_eq(dropped, 1);
}

START_TEST(test_mc_rollouts)
{
    runs r;
    mnist_opts o;
    const mnist_source *src = runs_open(&r, &o, TASK_MNIST28, 2);
    /* 300 digits, 12 batches of 25 images, 75 rows each: the 2 threads get
     * 38 and 37 rows, so the copies of image 12 straddle the replicas. */
    o.batch = 25;
    o.mc = 3;
    o.subset = 300;
    char err[512] = "";

    /* The bounds: 1..64 rollouts, at most 65536 rows per update. */
    mnist_opts bad = o;
    ck_assert_int_eq(mnist_opts_check(&o, err, sizeof err), 0);
    bad.mc = 0;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "--mc"));
    bad.mc = 65;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "--mc"));
    bad.mc = 64;
    bad.batch = 1024;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), 0);
    bad.batch = 1025;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "rows per update"));

    /* A: two epochs straight. */
    mnist_train_result ra, rb;
    train_straight(src, &o, r.a, &ra);
    ck_assert(ra.samples_per_s > 0);
    mnist_opts saved;
    ck_assert_int_eq(mnist_read_run_opts(r.a, &saved, NULL, err, sizeof err),
                     0);
    ck_assert_int_eq(saved.mc, 3);

    /* B: the same run with one rollout per image trains another model. */
    mnist_opts o1 = o;
    o1.mc = 1;
    train_straight(src, &o1, r.b, &rb);
    size_t na, nb;
    unsigned char *fa = read_all(path_in(r.a, "checkpoint.ram"), &na);
    unsigned char *fb = read_all(path_in(r.b, "checkpoint.ram"), &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(memcmp(fa, fb, na) != 0, "--mc 3 and --mc 1 trained the "
                  "same model");
    free(fa);
    free(fb);

    /* C: stopped after 5 batches, then after 10 more (3 into the second
     * epoch), then resumed to the end: bit-identical to A. */
    train_stopped_twice(src, &o, r.c, 5, 10);
    resume_matches(src, r.c, r.a, &ra);

    /* A state.txt without mc= (written before --mc existed) reads as 1. */
    state_drop_key(r.c, "mc");
    ck_assert_int_eq(mnist_read_run_opts(r.c, &saved, NULL, err, sizeof err),
                     0);
    ck_assert_int_eq(saved.mc, 1);

    runs_close(&r);
}
END_TEST

/* ---- the location and baseline knobs, the std schedule ----------------- */

/* The agent mnist_train creates for o (as make_agent in mnist_train.c):
 * the same configuration and seed, so the same initial parameters. */
static ram_agent *fresh_agent(const mnist_opts *o)
{
    char err[256];
    ram_agent *a = NULL;
    ck_assert_msg(mnist_agent_create(o, &a, err, sizeof err) == 0, "%s", err);
    return a;
}

/* --location-lr-scale 0: one epoch leaves the location network's
 * parameters as they were created and trains all the others; with the
 * default scale 1 the location network trains too. The flat layout is
 * glimpse, core, location (W [2 x H], b [2]), action (W [10 x H], b [10]),
 * baseline (w [H], c). */
START_TEST(test_location_lr_scale)
{
    fake_data d;
    fake_make(&d);
    char dir0[64], dir1[64];
    make_tmpdir(dir0, sizeof dir0);
    make_tmpdir(dir1, sizeof dir1);
    mnist_opts o;
    tiny_opts(&o, TASK_MNIST28, 1);
    o.subset = 300;
    mnist_train_result res;
    mnist_opts o0 = o;
    o0.loc_lr_scale = 0.0;
    train_straight(&d.src, &o0, dir0, &res);
    train_straight(&d.src, &o, dir1, &res);

    ram_agent *fresh = fresh_agent(&o), *a0 = NULL, *a1 = NULL;
    ck_assert_int_eq(ram_agent_load_file(&a0, path_in(dir0, "checkpoint.ram"), 0), RAM_OK);
    ck_assert_int_eq(ram_agent_load_file(&a1, path_in(dir1, "checkpoint.ram"), 0), RAM_OK);
    double v;
    ck_assert_int_eq(ram_agent_get_param(a0, RAM_PARAM_LOCATION_LR_SCALE, &v),
                     RAM_OK);
    ck_assert(v == 0.0);
    float *p, *p0, *p1;
    size_t n, n0, n1;
    ck_assert_int_eq(ram_agent_params(fresh, &p, NULL, &n), RAM_OK);
    ck_assert_int_eq(ram_agent_params(a0, &p0, NULL, &n0), RAM_OK);
    ck_assert_int_eq(ram_agent_params(a1, &p1, NULL, &n1), RAM_OK);
    ck_assert_uint_eq(n0, n);
    ck_assert_uint_eq(n1, n);
    const size_t H = (size_t)o.hidden, base = H + 1, act = 10 * H + 10,
                 loc = 2 * H + 2;
    ck_assert_uint_gt(n, base + act + loc);
    const size_t loc_off = n - base - act - loc, act_off = n - base - act;
    const size_t fs = sizeof(float);
    /* Scale 0: the location network is exactly the initial one ... */
    ck_assert_msg(memcmp(p + loc_off, p0 + loc_off, loc * fs) == 0,
                  "--location-lr-scale 0 changed the location network");
    /* ... and the glimpse + core, action and baseline networks trained. */
    ck_assert(memcmp(p, p0, loc_off * fs) != 0);
    ck_assert(memcmp(p + act_off, p0 + act_off, act * fs) != 0);
    ck_assert(memcmp(p + n - base, p0 + n - base, base * fs) != 0);
    /* Scale 1 (the default): the location network trained as well. */
    ck_assert(memcmp(p + loc_off, p1 + loc_off, loc * fs) != 0);
    ram_agent_free(fresh);
    ram_agent_free(a0);
    ram_agent_free(a1);
    rm_run(dir0);
    rm_run(dir1);
    fake_free(&d);
}
END_TEST

/* The std schedule: std at epoch 1, std_end at the last, geometric in
 * between; constant without std_end or with one epoch. */
START_TEST(test_std_schedule)
{
    mnist_opts o;
    mnist_opts_preset(&o, TASK_CLUTTERED60);
    ck_assert(o.std_end == 0);
    o.std = 0.2;
    o.epochs = 5;
    /* No schedule: the std of every epoch is --std. */
    for (int e = 1; e <= 5; e++)
        ck_assert(mnist_std_at(&o, e) == 0.2);
    o.std_end = 0.05;
    ck_assert(mnist_std_at(&o, 1) == 0.2);
    ck_assert(mnist_std_at(&o, 5) == 0.05);
    /* Epoch 3 of 5 is half way: the geometric mean. */
    ck_assert_double_eq_tol(mnist_std_at(&o, 3), 0.1, 1e-12);
    ck_assert_double_eq_tol(mnist_std_at(&o, 2), 0.2 * pow(0.25, 0.25),
                            1e-12);
    for (int e = 2; e <= 5; e++)
        ck_assert(mnist_std_at(&o, e) < mnist_std_at(&o, e - 1));
    /* Outside 1..epochs: clamped. */
    ck_assert(mnist_std_at(&o, 0) == 0.2);
    ck_assert(mnist_std_at(&o, 9) == 0.05);
    /* Annealing up works the same way. */
    o.std = 0.05;
    o.std_end = 0.2;
    ck_assert(mnist_std_at(&o, 1) == 0.05);
    ck_assert(mnist_std_at(&o, 5) == 0.2);
    ck_assert_double_eq_tol(mnist_std_at(&o, 3), 0.1, 1e-12);
    /* Another epoch count (as on --resume --epochs E'): its own schedule. */
    o.epochs = 9;
    ck_assert(mnist_std_at(&o, 9) == 0.2);
    ck_assert_double_eq_tol(mnist_std_at(&o, 5), 0.1, 1e-12);
    /* One epoch: the start value. */
    o.epochs = 1;
    ck_assert(mnist_std_at(&o, 1) == 0.05);
}
END_TEST

/* Out-of-range values of the tuning options are refused with the option's
 * name and the library's range. */
START_TEST(test_knob_bounds)
{
    mnist_opts o, bad;
    tiny_opts(&o, TASK_MNIST28, 1);
    char err[512] = "";
    o.loc_lr_scale = 0;
    o.loc_core_weight = 0;
    o.baseline_core = 1;
    o.std_end = 1e-6;
    ck_assert_msg(mnist_opts_check(&o, err, sizeof err) == 0, "%s", err);
    o.loc_lr_scale = 1;
    o.loc_core_weight = 1;
    o.std_end = 4; /* RAM_LOCATION_MAX_STD */
    ck_assert_msg(mnist_opts_check(&o, err, sizeof err) == 0, "%s", err);
    tiny_opts(&o, TASK_MNIST28, 1);
    const struct {
        double *field;
        double v;
        const char *want;
    } dbl[] = {
        {&bad.loc_lr_scale, 1.5, "--location-lr-scale 1.5 is outside [0, 1]"},
        {&bad.loc_lr_scale, -0.1, "--location-lr-scale -0.1 is outside"},
        {&bad.loc_lr_scale, NAN, "--location-lr-scale nan is outside"},
        {&bad.loc_core_weight, 2, "--location-core-weight 2 is outside [0, 1]"},
        {&bad.loc_core_weight, -1e-9, "--location-core-weight"},
        {&bad.std_end, -0.1, "--std-end -0.1 is outside [1e-06, 4]"},
        {&bad.std_end, 4.5, "--std-end 4.5 is outside [1e-06, 4]"},
        {&bad.std_end, 1e-7, "--std-end 1e-07 is outside"},
        {&bad.weight_decay, 1.5, "--weight-decay 1.5 is outside [0, 1]"},
        {&bad.weight_decay, -1e-4, "--weight-decay -0.0001 is outside"},
        {&bad.glimpse_dropout, 0.96, "--glimpse-dropout 0.96 is outside [0, 0.95]"},
        {&bad.glimpse_dropout, -0.5, "--glimpse-dropout -0.5 is outside"},
        {&bad.action_dropout, 1, "--action-dropout 1 is outside [0, 0.95]"},
        {&bad.action_dropout, NAN, "--action-dropout nan is outside"},
    };
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
        bad = o;
        *dbl[i].field = dbl[i].v;
        err[0] = '\0';
        ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
        ck_assert_msg(strstr(err, dbl[i].want) != NULL, "'%s' lacks '%s'",
                      err, dbl[i].want);
    }
    bad = o;
    bad.baseline_core = 2;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "--baseline-core 2 is outside [0, 1]") != NULL,
                  "%s", err);
    bad.baseline_core = -1;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "--baseline-core"));

    /* mnist_train refuses them before it writes anything. */
    fake_data d;
    fake_make(&d);
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    bad = o;
    bad.loc_core_weight = 1.01;
    ck_assert_int_eq(mnist_train(&d.src, &bad, dir, 0, NULL, NULL, err,
                                 sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "--location-core-weight"));
    struct stat st;
    ck_assert_int_ne(stat(path_in(dir, "state.txt"), &st), 0);
    /* A state.txt with an out-of-range value is refused on resume. */
    ck_assert_msg(mnist_train(&d.src, &o, dir, 0, NULL, NULL, err,
                              sizeof err) == 0, "%s", err);
    FILE *f = fopen(path_in(dir, "state.txt"), "a");
    ck_assert_ptr_nonnull(f);
    fputs("loc_lr_scale=3\n", f);
    fclose(f);
    mnist_opts o2 = o;
    o2.epochs = 2;
    ck_assert_int_eq(mnist_train(&d.src, &o2, dir, 1, NULL, NULL, err,
                                 sizeof err), -1);
    ck_assert_msg(strstr(err, "--location-lr-scale 3 is outside") != NULL,
                  "%s", err);
    rm_run(dir);
    fake_free(&d);
}
END_TEST

/* The tunable `key` saved in dir/checkpoint.ram. */
static double saved_param(const char *dir, int key)
{
    ram_agent *a = NULL;
    ck_assert_int_eq(ram_agent_load_file(&a, path_in(dir, "checkpoint.ram"), 0), RAM_OK);
    double v = -1;
    ck_assert_int_eq(ram_agent_get_param(a, key, &v), RAM_OK);
    ram_agent_free(a);
    return v;
}

/* Exact resume with the four options away from their defaults and the std
 * annealed: a run stopped twice (mid-epoch) and resumed ends bit-identical
 * to a straight one; the options come back from state.txt. */
START_TEST(test_resume_exact_knobs)
{
    runs r;
    mnist_opts o;
    const mnist_source *src = runs_open(&r, &o, TASK_MNIST28, 3);
    o.subset = 320; /* 10 batches of 32 per epoch */
    o.std = 0.2;
    o.std_end = 0.05;
    o.loc_lr_scale = 0.5;
    o.loc_core_weight = 0.25;
    o.baseline_core = 1;
    o.first_location = RAM_FIRST_CENTER;
    o.weight_decay = 1e-3;
    o.glimpse_dropout = 0.2;
    o.action_dropout = 0.25;
    char err[512] = "";

    /* A: three epochs straight; its output names the options and each
     * epoch line the std of the epoch. */
    mnist_train_result ra;
    char *text = train_text(src, &o, r.a, &ra);
    static const char *const want[] = {
        "location std     0.2 -> 0.05 (geometric, epoch 1 to 3)",
        "location net     step scale 0.5, core gradient weight 0.25, first "
        "glimpse center",
        "baseline core    1",
        "weight decay     0.001 (L2, weights only)",
        "dropout          glimpse 0.2, action 0.25 (training only)",
        "lr 3.00e-03  std 0.2  ",
        "lr 2.94e-03  std 0.1  ",
        "lr 2.88e-03  std 0.05  ",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]) != NULL, "no '%s' in:\n%s",
                      want[i], text);
    free(text);
    ck_assert(saved_param(r.a, RAM_PARAM_LOCATION_STD) == 0.05);
    ck_assert(saved_param(r.a, RAM_PARAM_LOCATION_LR_SCALE) == 0.5);
    ck_assert(saved_param(r.a, RAM_PARAM_LOCATION_CORE_WEIGHT) == 0.25);
    ck_assert(saved_param(r.a, RAM_PARAM_BASELINE_TRAINS_CORE) == 1);
    ck_assert(saved_param(r.a, RAM_PARAM_FIRST_LOCATION) == RAM_FIRST_CENTER);
    ck_assert(saved_param(r.a, RAM_PARAM_WEIGHT_DECAY) == 1e-3);
    ck_assert(saved_param(r.a, RAM_PARAM_GLIMPSE_DROPOUT) == 0.2);
    ck_assert(saved_param(r.a, RAM_PARAM_ACTION_DROPOUT) == 0.25);

    /* B: the same run with the defaults of these options trains another
     * model. */
    mnist_opts od = o;
    od.std_end = 0;
    od.loc_lr_scale = od.loc_core_weight = 1;
    od.baseline_core = 0;
    od.first_location = RAM_FIRST_LEARNED;
    od.weight_decay = 0;
    od.glimpse_dropout = od.action_dropout = 0;
    mnist_train_result rb;
    train_straight(src, &od, r.b, &rb);
    size_t na, nb;
    unsigned char *fa = read_all(path_in(r.a, "checkpoint.ram"), &na);
    unsigned char *fb = read_all(path_in(r.b, "checkpoint.ram"), &nb);
    ck_assert(na != nb || memcmp(fa, fb, na) != 0);
    free(fa);
    free(fb);

    /* C: stopped after 4 batches (epoch 1), then after 12 more (6 into
     * epoch 2), then resumed to the end: bit-identical to A. */
    mnist_train_io stop = {NULL, NULL, 0, NULL, 4, 0};
    ck_assert_int_eq(mnist_train(src, &o, r.c, 0, &stop, NULL, err,
                                 sizeof err), MNIST_TRAIN_INTERRUPTED);
    ck_assert(saved_param(r.c, RAM_PARAM_LOCATION_STD) == 0.2);
    stop.stop_after_batches = 12;
    ck_assert_int_eq(mnist_train(src, NULL, r.c, 1, &stop, NULL, err,
                                 sizeof err), MNIST_TRAIN_INTERRUPTED);
    ck_assert(saved_param(r.c, RAM_PARAM_LOCATION_STD) == mnist_std_at(&o, 2));
    mnist_opts saved;
    int done = -1;
    ck_assert_int_eq(mnist_read_run_opts(r.c, &saved, &done, err, sizeof err),
                     0);
    ck_assert_int_eq(done, 1);
    ck_assert(saved.std == 0.2 && saved.std_end == 0.05);
    ck_assert(saved.loc_lr_scale == 0.5 && saved.loc_core_weight == 0.25);
    ck_assert_int_eq(saved.baseline_core, 1);
    ck_assert_int_eq(saved.first_location, RAM_FIRST_CENTER);
    ck_assert(saved.weight_decay == 1e-3);
    ck_assert(saved.glimpse_dropout == 0.2 && saved.action_dropout == 0.25);
    resume_matches(src, r.c, r.a, &ra);

    /* A state.txt from before these options reads as their defaults. */
    state_drop_key(r.c, "loc_lr_scale");
    state_drop_key(r.c, "loc_core_weight");
    state_drop_key(r.c, "baseline_core");
    state_drop_key(r.c, "std_end");
    state_drop_key(r.c, "first_location");
    state_drop_key(r.c, "weight_decay");
    state_drop_key(r.c, "glimpse_dropout");
    state_drop_key(r.c, "action_dropout");
    ck_assert_int_eq(mnist_read_run_opts(r.c, &saved, NULL, err, sizeof err),
                     0);
    ck_assert(saved.std_end == 0 && saved.loc_lr_scale == 1 &&
              saved.loc_core_weight == 1 && saved.baseline_core == 0 &&
              saved.first_location == RAM_FIRST_LEARNED &&
              saved.weight_decay == 0 && saved.glimpse_dropout == 0 &&
              saved.action_dropout == 0);

    runs_close(&r);
}
END_TEST

/* Every replica samples with the std of the epoch: a 2-thread run annealed
 * from 0.2 (epoch 1) to 0.05 (epoch 2) is bit-identical to a run at a
 * constant 0.2 whose state.txt is edited to std=0.05 before it is resumed
 * for epoch 2 (there the replicas get the std when they are created). */
START_TEST(test_std_schedule_replicas)
{
    runs r;
    mnist_opts o;
    const mnist_source *src = runs_open(&r, &o, TASK_MNIST28, 2);
    o.subset = 320;
    o.threads = 2;
    o.std = 0.2;
    o.std_end = 0.05;
    char err[512] = "";
    mnist_train_result ra, rb;
    train_straight(src, &o, r.a, &ra);

    mnist_opts o1 = o;
    o1.std_end = 0;
    o1.epochs = 1;
    train_straight(src, &o1, r.b, &rb);
    state_drop_key(r.b, "std");
    FILE *f = fopen(path_in(r.b, "state.txt"), "a");
    ck_assert_ptr_nonnull(f);
    fputs("std=0.05\n", f);
    fclose(f);
    mnist_opts o2 = o1;
    o2.epochs = 2;
    ck_assert_msg(mnist_train(src, &o2, r.b, 1, NULL, &rb, err,
                              sizeof err) == 0, "%s", err);
    ck_assert_int_eq(rb.epochs_done, 2);
    assert_same_params(path_in(r.a, "checkpoint.ram"),
                       path_in(r.b, "checkpoint.ram"), 1);
    ck_assert(ra.last_val_error == rb.last_val_error);
    runs_close(&r);
}
END_TEST

/* ---- fine-tuning from a saved model (--init) --------------------------- */

START_TEST(test_init_from_model)
{
    runs r;
    mnist_opts o;
    const mnist_source *src = runs_open(&r, &o, TASK_MNIST28, 6);
    char err[512] = "";
    mnist_train_result ra, rb;
    train_straight(src, &o, r.a, &ra);
    ck_assert_msg(ra.best_val_error < 0.75, "A did not learn: %.3f",
                  ra.best_val_error);
    const char *model = path_in(r.a, "best.ram");

    /* The helper copies every parameter. */
    ram_agent *fresh = NULL, *ref = NULL;
    ck_assert_int_eq(mnist_agent_create(&o, &fresh, err, sizeof err), 0);
    ck_assert_msg(mnist_agent_init_from(fresh, model, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(ram_agent_load_file(&ref, model, RAM_LOAD_INFERENCE),
                     RAM_OK);
    float *pf, *pr;
    size_t nf, nr;
    ck_assert_int_eq(ram_agent_params(fresh, &pf, NULL, &nf), RAM_OK);
    ck_assert_int_eq(ram_agent_params(ref, &pr, NULL, &nr), RAM_OK);
    ck_assert_uint_eq(nf, nr);
    ck_assert(memcmp(pf, pr, nf * sizeof *pf) == 0);
    ram_agent_free(fresh);

    /* Another shape is refused by name, and the agent is left unchanged. */
    mnist_opts ob[4];
    for (int i = 0; i < 4; i++)
        ob[i] = o;
    ob[0].hidden = 16, ob[1].core = RAM_CORE_LSTM, ob[2].patch = 6;
    ob[3].scales = 1;
    const char *word[4] = {"hidden", "core", "patch", "scales"};
    for (int i = 0; i < 4; i++) {
        ram_agent *a = NULL;
        ck_assert_int_eq(mnist_agent_create(&ob[i], &a, err, sizeof err), 0);
        float *p;
        size_t n;
        ck_assert_int_eq(ram_agent_params(a, &p, NULL, &n), RAM_OK);
        float *copy = malloc(n * sizeof *p);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, p, n * sizeof *p);
        err[0] = '\0';
        ck_assert_int_eq(mnist_agent_init_from(a, model, err, sizeof err),
                         -1);
        ck_assert_msg(strstr(err, word[i]) && strstr(err, model),
                      "'%s' does not name %s", err, word[i]);
        ck_assert(memcmp(p, copy, n * sizeof *p) == 0);
        free(copy);
        ram_agent_free(a);
    }
    /* A missing or corrupt file too. */
    ram_agent *a = NULL;
    ck_assert_int_eq(mnist_agent_create(&o, &a, err, sizeof err), 0);
    ck_assert_int_eq(mnist_agent_init_from(a, path_in(r.a, "nope.ram"), err,
                                           sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "nope.ram"));
    ck_assert_int_eq(mnist_agent_init_from(a, path_in(r.a, "log.tsv"), err,
                                           sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "log.tsv"));
    ram_agent_free(a);

    /* A run started from A's best model at learning rate 0 scores exactly
     * A's best validation error after its first epoch (from fresh weights
     * it would be near chance), and records where it started. */
    mnist_opts ob2 = o;
    ob2.epochs = 1;
    ob2.lr = 0;
    ob2.lr_min = 0; /* the floor would apply otherwise */
    snprintf(ob2.init, sizeof ob2.init, "%s", model);
    ck_assert_msg(mnist_train(src, &ob2, r.b, 0, NULL, &rb, err,
                              sizeof err) == 0, "%s", err);
    ck_assert_msg(rb.last_val_error == ra.best_val_error, "%g vs %g",
                  rb.last_val_error, ra.best_val_error);
    mnist_opts saved;
    ck_assert_int_eq(mnist_read_run_opts(r.b, &saved, NULL, err, sizeof err),
                     0);
    ck_assert_str_eq(saved.init, model);
    /* Resumed with more epochs, it continues from its checkpoint. */
    ob2.epochs = 2;
    ck_assert_msg(mnist_train(src, &ob2, r.b, 1, NULL, &rb, err,
                              sizeof err) == 0, "%s", err);
    ck_assert_int_eq(rb.epochs_done, 2);
    ck_assert(rb.last_val_error == ra.best_val_error);

    /* A run whose model does not fit fails before writing anything. */
    mnist_opts oc = ob[0];
    snprintf(oc.init, sizeof oc.init, "%s", model);
    ck_assert_int_eq(mnist_train(src, &oc, r.c, 0, NULL, NULL, err,
                                 sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "hidden"));
    ck_assert(access(path_in(r.c, "state.txt"), F_OK) != 0);
    ram_agent_free(ref);
    runs_close(&r);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

/* ---- the parameter average (--ema) ------------------------------------- */

/* A copy of the parameters of a model file (*n of them). */
static float *params_of(const char *path, size_t *n)
{
    ram_agent *a = NULL;
    ck_assert_int_eq(ram_agent_load_file(&a, path, 0), RAM_OK);
    float *p;
    ck_assert_int_eq(ram_agent_params(a, &p, NULL, n), RAM_OK);
    float *c = malloc(*n * sizeof *c);
    ck_assert_ptr_nonnull(c);
    memcpy(c, p, *n * sizeof *c);
    ram_agent_free(a);
    return c;
}

/* The text of a file (NUL-terminated). */
static char *text_of(const char *path)
{
    size_t n;
    char *t = (char *)read_all(path, &n);
    t[n] = '\0';
    return t;
}

START_TEST(test_ema)
{
    runs r;
    mnist_opts o;
    const mnist_source *src = runs_open(&r, &o, TASK_MNIST28, 2);
    o.subset = 128; /* 4 updates per epoch */
    o.ema = 0.5;
    char err[512] = "";

    /* A: two epochs straight with the average; the output says so. */
    mnist_train_result ra;
    char *text = train_text(src, &o, r.a, &ra);
    ck_assert_msg(strstr(text, "parameter EMA    decay 0.5 per update") &&
                  strstr(text, "%  ema "), "%s", text);
    free(text);

    /* B: the same run without it, stopped after every update to read the
     * weights: the average never feeds back (the same training), and
     * ema.ram is the average of those weights, bit for bit:
     * ema += (1 - d_k) (w_k - ema), d_k = min(0.5, (1 + k) / (10 + k)). */
    mnist_opts ob = o;
    ob.ema = 0;
    ram_agent *a0 = NULL;
    ck_assert_int_eq(mnist_agent_create(&ob, &a0, err, sizeof err), 0);
    float *w0;
    size_t np;
    ck_assert_int_eq(ram_agent_params(a0, &w0, NULL, &np), RAM_OK);
    float *ema = malloc(np * sizeof *ema), *p0 = malloc(np * sizeof *p0);
    ck_assert(ema && p0);
    memcpy(ema, w0, np * sizeof *ema);
    memcpy(p0, w0, np * sizeof *p0);
    ram_agent_free(a0);
    mnist_train_io one = {NULL, NULL, 0, NULL, 1, 0};
    for (int k = 0; k < 8; k++) {
        ck_assert_int_eq(mnist_train(src, k ? NULL : &ob, r.b, k > 0, &one,
                                     NULL, err, sizeof err),
                         MNIST_TRAIN_INTERRUPTED);
        size_t nw;
        float *w = params_of(path_in(r.b, "checkpoint.ram"), &nw);
        ck_assert_uint_eq(nw, np);
        double dk = (1.0 + k) / (10.0 + k);
        const float a = (float)(1.0 - (0.5 < dk ? 0.5 : dk));
        for (size_t i = 0; i < np; i++)
            ema[i] += a * (w[i] - ema[i]);
        free(w);
    }
    mnist_train_result rb;
    ck_assert_msg(mnist_train(src, NULL, r.b, 1, NULL, &rb, err,
                              sizeof err) == 0, "%s", err);
    assert_same_params(path_in(r.a, "checkpoint.ram"),
                       path_in(r.b, "checkpoint.ram"), 1);
    ck_assert(ra.last_val_error == rb.last_val_error);
    size_t ne;
    float *got = params_of(path_in(r.a, "ema.ram"), &ne);
    ck_assert_uint_eq(ne, np);
    ck_assert_msg(memcmp(got, ema, np * sizeof *ema) == 0,
                  "ema.ram is not the average of the weights");
    ck_assert_msg(memcmp(got, p0, np * sizeof *ema) != 0, "no averaging");
    free(got);
    free(ema);
    free(p0);

    /* log.tsv has the average's column; best.ram is the lower of the two
     * models' validation errors, the lowest over the epochs. */
    char *log = text_of(path_in(r.a, "log.tsv"));
    ck_assert_msg(strstr(log, "\tbest\tema_val_error\n") != NULL, "%s", log);
    double best = 2;
    const char *line = strchr(log, '\n') + 1;
    for (int e = 1; e <= 2; e++) {
        int ep, bst;
        double f[7], ev;
        ck_assert_int_eq(sscanf(line, "%d %lf %lf %lf %lf %lf %lf %lf %d %lf",
                                &ep, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5],
                                &f[6], &bst, &ev), 10);
        ck_assert_int_eq(ep, e);
        double m = f[3] < ev ? f[3] : ev;
        ck_assert_int_eq(bst, m < best);
        best = m < best ? m : best;
        line = strchr(line, '\n') + 1;
    }
    ck_assert_double_eq_tol(ra.best_val_error, best, 1e-6);
    free(log);
    char *state = text_of(path_in(r.a, "state.txt"));
    ck_assert(strstr(state, "\nema=0.5\n") && strstr(state, "ema_updates=8\n"));
    free(state);

    /* C: stopped after 3 updates, then after 2 more, then resumed: the same
     * weights, best model and average as A. */
    train_stopped_twice(src, &o, r.c, 3, 2);
    resume_matches(src, r.c, r.a, &ra);
    assert_same_params(path_in(r.a, "ema.ram"), path_in(r.c, "ema.ram"), 0);

    /* Switched on when resuming B for a third epoch: the average starts
     * then; earlier epochs read "nan" in its column. */
    mnist_opts o3 = o;
    o3.epochs = 3;
    ck_assert_msg(mnist_train(src, &o3, r.b, 1, NULL, NULL, err,
                              sizeof err) == 0, "%s", err);
    log = text_of(path_in(r.b, "log.tsv"));
    const char *l3 = strstr(log, "\n3\t");
    ck_assert_msg(strstr(log, "\tbest\tema_val_error\n1\t") &&
                  strstr(log, "\tnan\n2\t") && l3 &&
                  strstr(log, "\tnan\n3\t") && l3[strlen(l3) - 2] != 'n',
                  "%s", log);
    free(log);
    /* The curve command draws such a log. */
    const char *logs[] = {r.b};
    ck_assert_msg(mnist_curve_png(path_in(r.b, "curve.png"), logs, 1, 0, err,
                                  sizeof err) == 0, "%s", err);
    state = text_of(path_in(r.b, "state.txt"));
    ck_assert(strstr(state, "ema_updates=4\n") != NULL);
    free(state);

    /* A missing or foreign ema.ram is refused, not restarted silently. */
    o3.epochs = 4;
    ck_assert_int_eq(rename(path_in(r.b, "ema.ram"), path_in(r.c, "x.ram")),
                     0);
    ck_assert_int_eq(mnist_train(src, &o3, r.b, 1, NULL, NULL, err,
                                 sizeof err), -1);
    ck_assert_msg(strstr(err, "ema.ram") != NULL, "%s", err);
    ck_assert_int_eq(rename(path_in(r.c, "ema.ram"), path_in(r.b, "ema.ram")),
                     0);
    ck_assert_int_eq(mnist_train(src, &o3, r.b, 1, NULL, NULL, err,
                                 sizeof err), -1);
    ck_assert_msg(strstr(err, "not the average state.txt was saved with"),
                  "%s", err);
    remove(path_in(r.c, "x.ram"));

    /* Bounds. */
    mnist_opts bad = o;
    bad.ema = 1;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "--ema"));
    bad.ema = -0.1;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
    runs_close(&r);
}
END_TEST

START_TEST(test_errors)
{
    fake_data d;
    fake_make(&d);
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    mnist_opts o;
    tiny_opts(&o, TASK_MNIST28, 1);
    char err[512] = "";

    /* Nothing to resume. */
    ck_assert_int_eq(mnist_train(&d.src, &o, dir, 1, NULL, NULL, err,
                                 sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "nothing to resume"));
    /* Bad options. */
    mnist_opts bad = o;
    bad.glimpses = 0;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
    bad = o;
    bad.std = -1;
    ck_assert_int_eq(mnist_opts_check(&bad, err, sizeof err), -1);
    bad = o;
    bad.lr_decay = 0;
    ck_assert_int_eq(mnist_train(&d.src, &bad, dir, 0, NULL, NULL, err,
                                 sizeof err), -1);
    /* A run, then a second one into the same directory is refused. */
    ck_assert_msg(mnist_train(&d.src, &o, dir, 0, NULL, NULL, err,
                              sizeof err) == 0, "%s", err);
    ck_assert_int_eq(mnist_train(&d.src, &o, dir, 0, NULL, NULL, err,
                                 sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "--resume"));
    /* A corrupt checkpoint is reported, not loaded. */
    FILE *f = fopen(path_in(dir, "checkpoint.ram"), "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 40, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    mnist_opts o2 = o;
    o2.epochs = 2;
    ck_assert_int_eq(mnist_train(&d.src, &o2, dir, 1, NULL, NULL, err,
                                 sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "checkpoint.ram"));
    /* A corrupt state.txt too. */
    f = fopen(path_in(dir, "state.txt"), "a");
    ck_assert_ptr_nonnull(f);
    fputs("hidden=banana\n", f);
    fclose(f);
    ck_assert_int_eq(mnist_train(&d.src, &o2, dir, 1, NULL, NULL, err,
                                 sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "hidden"));
    /* Splits. */
    mnist_set s;
    ck_assert_int_eq(mnist_set_make(&d.src, TASK_MNIST28, MNIST_SPLIT_VAL,
                                    N_TRAIN, 0, &s, err, sizeof err), -1);
    ck_assert_ptr_null(s.images);
    ck_assert_int_eq(mnist_set_make(&d.src, TASK_CLUTTERED100,
                                    MNIST_SPLIT_TEST, HOLDOUT, 5, &s, err,
                                    sizeof err), 0);
    ck_assert_uint_eq(s.n, 5);
    ck_assert_int_eq(s.width, 100);
    mnist_set_free(&s);
    rm_run(dir);
    fake_free(&d);
}
END_TEST

/* ---- the real MNIST files, when present -------------------------------- */

static const char *real_dir(void)
{
    const char *env = getenv("RAM_MNIST_DIR");
    const char *cands[] = {env && *env ? env : NULL, "data/mnist"};
    struct stat st;
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++)
        if (cands[i] && stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode))
            return cands[i];
    return NULL;
}

START_TEST(test_real_mnist_sets)
{
    const char *dir = real_dir();
    if (!dir) {
        fprintf(stderr, "mnist_smoke: MNIST files not found: real-data test "
                        "skipped\n");
        return;
    }
    mnist_data data;
    char err[512];
    if (mnist_load(dir, &data, err, sizeof err) != IDX_OK) {
        fprintf(stderr, "mnist_smoke: %s: real-data test skipped\n", err);
        return;
    }
    ck_assert_uint_eq(data.n_train, 60000);
    ck_assert_uint_eq(data.n_test, 10000);
    mnist_source src = {data.train_images.data, data.train_labels.data,
                        data.n_train, data.test_images.data,
                        data.test_labels.data, data.n_test};
    /* The fixed sets are the same on every call. */
    mnist_set a, b;
    ck_assert_int_eq(mnist_set_make(&src, TASK_CLUTTERED60, MNIST_SPLIT_TEST,
                                    MNIST_HOLDOUT, 300, &a, err, sizeof err),
                     0);
    ck_assert_int_eq(mnist_set_make(&src, TASK_CLUTTERED60, MNIST_SPLIT_TEST,
                                    MNIST_HOLDOUT, 300, &b, err, sizeof err),
                     0);
    ck_assert_int_eq(memcmp(a.images, b.images, 300 * 3600), 0);
    for (int i = 0; i < 300; i++)
        ck_assert_int_eq(a.labels[i], data.test_labels.data[i]);
    mnist_set_free(&b);
    /* Validation = the last 10,000 training digits. */
    ck_assert_int_eq(mnist_set_make(&src, TASK_MNIST28, MNIST_SPLIT_VAL,
                                    MNIST_HOLDOUT, 0, &b, err, sizeof err), 0);
    ck_assert_uint_eq(b.n, 10000);
    ck_assert_int_eq(memcmp(b.images, data.train_images.data + 50000 * 784,
                            10000 * 784), 0);
    ck_assert_int_eq(b.labels[9999], data.train_labels.data[59999]);
    mnist_set_free(&b);
    /* An untrained paper-size model evaluates to a sane error. */
    mnist_opts o;
    mnist_opts_preset(&o, TASK_CLUTTERED60);
    ram_config *cfg;
    ram_agent *ag;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_PATCH, o.patch), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_SCALES, o.scales), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_MAX_STEPS, o.glimpses),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_create(&ag, cfg), RAM_OK);
    ram_config_free(cfg);
    mnist_eval_result r;
    ck_assert_int_eq(mnist_evaluate(ag, &a, 0, 0, 2, 1, &r, err, sizeof err),
                     0);
    ck_assert_uint_eq(r.n, 300);
    ck_assert(r.error > 0.5 && r.error <= 1.0);
    ram_agent_free(ag);
    mnist_set_free(&a);
    mnist_free(&data);
}
END_TEST

Suite *suite_mnist_smoke(void)
{
    Suite *s = suite_create("mnist_smoke");
    TCase *tc = tcase_create("mnist_smoke");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_set_draws);
    tcase_add_test(tc, test_train_roundtrip);
    tcase_add_test(tc, test_resume_exact);
    tcase_add_test(tc, test_mc_rollouts);
    tcase_add_test(tc, test_location_lr_scale);
    tcase_add_test(tc, test_std_schedule);
    tcase_add_test(tc, test_knob_bounds);
    tcase_add_test(tc, test_resume_exact_knobs);
    tcase_add_test(tc, test_std_schedule_replicas);
    tcase_add_test(tc, test_init_from_model);
    tcase_add_test(tc, test_ema);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_real_mnist_sets);
    suite_add_tcase(s, tc);
    return s;
}
