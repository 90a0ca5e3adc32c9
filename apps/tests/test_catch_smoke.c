/* Smoke tests of the Catch agent module (examples/catch/catch_rl.c,
 * catch_view.c): a few hundred training frames with a tiny agent, the
 * checkpoint files, save/load round trips and exact resumption. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ram/ram.h>

#include "catch_rl.h"
#include "catch_view.h"
#include "replicas.h"

#define GAMES 8 /* per update */
#define FPU (GAMES * CATCH_FRAMES_PER_GAME)

static catch_opts tiny(void)
{
    catch_opts o;
    catch_opts_default(&o);
    o.hidden = 32;
    o.glimpse_what = 16;
    o.glimpse_where = 16;
    o.glimpse_size = 32;
    o.batch = GAMES;
    o.frames = 6 * FPU; /* 1104 frames */
    o.stretch = 2 * FPU;
    o.eval_games = 50;
    o.threads = 2;
    o.seed = 7;
    o.loc_warmup = 2 * FPU; /* both phases in every run */
    o.loc_lr_scale = 0.5;   /* the location step scale */
    o.loc_core_weight = 0.5;
    return o;
}

static void make_dir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/ram-catch-smoke-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(buf));
}

static void remove_dir(const char *dir)
{
    static const char *names[] = {
        CATCH_FILE_STATE, CATCH_FILE_CKPT0, CATCH_FILE_CKPT1,
        CATCH_FILE_BEST, CATCH_FILE_FINAL, CATCH_FILE_LOG, "strip.png",
        "curve.png"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int file_exists(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static ram_agent *load(const char *dir, const char *name, unsigned flags)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ram_agent *a = NULL;
    int rc = ram_agent_load_file(&a, path, flags);
    ck_assert_msg(rc == RAM_OK, "%s: %s", path, ram_strerror(rc));
    return a;
}

static void assert_same_params(ram_agent *a, ram_agent *b)
{
    float *pa, *pb;
    size_t na, nb;
    ck_assert_int_eq(ram_agent_params(a, &pa, NULL, &na), RAM_OK);
    ck_assert_int_eq(ram_agent_params(b, &pb, NULL, &nb), RAM_OK);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(memcmp(pa, pb, na * sizeof(float)) == 0,
                  "parameters differ");
}

/* Reads log.tsv without the header, keeping the columns that do not depend
 * on wall time (frames, updates, train_catch, ..., eval, best). */
static void read_log(const char *dir, char *out, size_t cap)
{
    char path[512], line[1024];
    snprintf(path, sizeof path, "%s/%s", dir, CATCH_FILE_LOG);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    out[0] = '\0';
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        if (first) {
            first = 0;
            ck_assert(strncmp(line, "frames\t", 7) == 0);
            continue;
        }
        /* columns: 0 frames 1 updates 2 elapsed ... 8 frames_per_s */
        int col = 0;
        size_t k = strlen(out);
        for (char *p = line; *p && k + 2 < cap; p++) {
            if (*p == '\t')
                col++;
            if (col != 2 && col != 8)
                out[k++] = *p;
        }
        out[k] = '\0';
    }
    fclose(f);
}

typedef struct probe {
    catch_report last;
    int reports;
    uint64_t stop_after;  /* set *flag when frames reach this (0: never) */
    volatile sig_atomic_t flag;
} probe;

static void on_report(void *user, const catch_report *r)
{
    probe *p = user;
    p->last = *r;
    p->reports++;
}

static void on_progress(void *user, uint64_t frames, uint64_t target,
                        double elapsed)
{
    probe *p = user;
    (void)target;
    (void)elapsed;
    if (p->stop_after && frames >= p->stop_after)
        p->flag = 1;
}

static void train_ok(const char *dir, const catch_opts *o, int resume,
                     probe *p, int expect_stopped)
{
    catch_hooks h = {on_progress, on_report, NULL, &p->flag, p};
    char err[512] = "";
    int stopped = -1;
    int rc = catch_train(dir, o, resume, &h, &stopped, err, sizeof err);
    ck_assert_msg(rc == RAM_OK, "catch_train: %s", err);
    ck_assert_int_eq(stopped, expect_stopped);
}

START_TEST(train_save_load_roundtrip)
{
    char dir[64];
    make_dir(dir, sizeof dir);
    catch_opts o = tiny();
    probe p;
    memset(&p, 0, sizeof p);
    train_ok(dir, &o, 0, &p, 0);
    ck_assert_int_eq(p.reports, 3);
    ck_assert_uint_eq(p.last.frames, 6 * FPU);
    ck_assert_uint_eq(p.last.updates, 6);
    ck_assert_uint_eq(p.last.games, 2 * GAMES);
    ck_assert(p.last.catch_rate >= 0.0 && p.last.catch_rate <= 1.0);
    ck_assert(p.last.entropy > 0.0 && p.last.entropy <= 1.0987);
    ck_assert_int_eq(p.last.eval.games, 50);
    ck_assert(file_exists(dir, CATCH_FILE_STATE));
    ck_assert(file_exists(dir, CATCH_FILE_BEST));
    ck_assert(file_exists(dir, CATCH_FILE_FINAL));
    ck_assert(file_exists(dir, CATCH_FILE_LOG));

    /* The sidecar gives back the options. */
    catch_opts back;
    uint64_t done = 0;
    char err[512];
    ck_assert_int_eq(catch_checkpoint_opts(dir, &back, &done, err,
                                           sizeof err),
                     RAM_OK);
    ck_assert_uint_eq(done, 6 * FPU);
    ck_assert_int_eq(back.hidden, 32);
    ck_assert_int_eq(back.batch, GAMES);
    ck_assert(back.lr == o.lr && back.std == o.std && back.gamma == o.gamma);
    ck_assert_uint_eq(back.seed, 7);
    ck_assert_uint_eq(back.loc_warmup, 2 * FPU);

    /* A new run refuses the directory. */
    char err2[512];
    ck_assert_int_eq(catch_train(dir, &o, 0, NULL, NULL, err2, sizeof err2),
                     RAM_E_STATE);

    /* The final model, loaded back, plays the fixed games exactly as the
     * trained agent did at the last report, with 1 or 2 replicas. */
    ram_agent *fin = load(dir, CATCH_FILE_FINAL, RAM_LOAD_INFERENCE);
    ram_agent *fin2 = load(dir, CATCH_FILE_FINAL, 0);
    double upd = 0;
    ram_agent_stat(fin2, RAM_STAT_UPDATES, &upd);
    replicas *r1 = NULL, *r2 = NULL;
    ck_assert_int_eq(replicas_create(fin, 1, 1, &r1), RAM_OK);
    ck_assert_int_eq(replicas_create(fin2, 2, 1, &r2), RAM_OK);
    const unsigned greedy =
        RAM_BEGIN_GREEDY_ACTION | RAM_BEGIN_GREEDY_LOCATION;
    catch_eval e1, e2, e3;
    ck_assert_int_eq(catch_evaluate(r1, o.eval_games, o.eval_seed, greedy, 0,
                                    &e1, err, sizeof err),
                     RAM_OK);
    ck_assert_int_eq(catch_evaluate(r2, o.eval_games, o.eval_seed, greedy, 0,
                                    &e2, err, sizeof err),
                     RAM_OK);
    /* Same split as in training (2 replicas): bit for bit. One replica:
     * the BLAS may round a batch of 50 rows differently from 2 x 25. */
    ck_assert_int_eq(e2.caught, p.last.eval.caught);
    ck_assert(abs(e1.caught - p.last.eval.caught) <= 1);
    ck_assert(e2.fovea == p.last.eval.fovea);
    /* (batch splits change the BLAS rounding of the locations a little) */
    ck_assert(fabs(e1.dist - p.last.eval.dist) < 1e-3);
    /* Sampled play is reproducible for a given seed. */
    ck_assert_int_eq(catch_evaluate(r1, 40, 3, 0, 11, &e1, err, sizeof err),
                     RAM_OK);
    ck_assert_int_eq(catch_evaluate(r1, 40, 3, 0, 11, &e3, err, sizeof err),
                     RAM_OK);
    ck_assert_int_eq(e1.caught, e3.caught);
    ck_assert(e1.dist == e3.dist);
    replicas_free(r1);
    replicas_free(r2);

    /* The checkpoint holds the same parameters, plus the optimiser. */
    char path[512];
    ck_assert_int_eq(catch_checkpoint_model(dir, path, sizeof path, err,
                                            sizeof err),
                     RAM_OK);
    ram_agent *ck = NULL;
    ck_assert_int_eq(ram_agent_load_file(&ck, path, 0), RAM_OK);
    assert_same_params(ck, fin);
    ram_agent_stat(ck, RAM_STAT_UPDATES, &upd);
    ck_assert(upd == 6.0);

    /* A PNG strip of one recorded game. */
    catch_record *rec = calloc(1, sizeof *rec);
    ck_assert_ptr_nonnull(rec);
    catch_batch *g = catch_create(1, 5);
    ram_sensor *sensor = NULL;
    ck_assert_int_eq(ram_sensor_create(&sensor, 6, 3, 1), RAM_OK);
    ck_assert_int_eq(catch_agent_set_input(fin), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(fin, 1, greedy), RAM_OK);
    for (int t = 0; t < CATCH_FRAMES_PER_GAME; t++) {
        catch_box boxes[CATCH_VIEW_MAX_SCALES];
        ck_assert_int_eq(ram_agent_location(fin, rec->frames[t].loc), RAM_OK);
        ck_assert_int_eq(catch_glimpse_boxes(sensor, rec->frames[t].loc,
                                             boxes, CATCH_VIEW_MAX_SCALES),
                         3);
        ck_assert_int_eq(boxes[0].x1 - boxes[0].x0, 5);
        ck_assert_int_eq(boxes[2].y1 - boxes[2].y0, 23);
        memcpy(rec->frames[t].screen, catch_screen(g, 0), CATCH_PIXELS);
        float obs[CATCH_PIXELS];
        catch_observe(g, 1, obs);
        ck_assert_int_eq(ram_agent_step(fin, obs, sizeof obs, NULL, NULL,
                                        &rec->frames[t].action),
                         RAM_OK);
        ck_assert_int_eq(catch_step(g, &rec->frames[t].action, &rec->reward,
                                    NULL),
                         CATCH_OK);
    }
    ck_assert_int_eq(catch_last_end(g, 0, &rec->final, &rec->reward),
                     CATCH_OK);
    snprintf(path, sizeof path, "%s/strip.png", dir);
    ck_assert_int_eq(catch_png_strip(path, sensor, rec, 1, 4, err,
                                     sizeof err),
                     0);
    ck_assert(file_exists(dir, "strip.png"));
    /* The learning curves read the log.tsv that training wrote. */
    snprintf(path, sizeof path, "%s/curve.png", dir);
    const char *runs[1] = {dir};
    ck_assert_msg(catch_curve_png(path, runs, 1, err, sizeof err) == 0, "%s",
                  err);
    ck_assert(file_exists(dir, "curve.png"));
    ram_sensor_free(sensor);
    catch_free(g);
    free(rec);

    ram_agent_free(ck);
    ram_agent_free(fin);
    ram_agent_free(fin2);
    remove_dir(dir);
}
END_TEST

START_TEST(resume_is_exact)
{
    char a[64], b[64], c[64], err[512];
    make_dir(a, sizeof a);
    make_dir(b, sizeof b);
    make_dir(c, sizeof c);
    catch_opts o = tiny();
    probe p;

    /* A: 6 updates straight. */
    memset(&p, 0, sizeof p);
    train_ok(a, &o, 0, &p, 0);

    /* B: 3 updates (half), then resumed to 6. */
    catch_opts half = o;
    half.frames = 3 * FPU;
    memset(&p, 0, sizeof p);
    train_ok(b, &half, 0, &p, 0);
    catch_opts ob;
    ck_assert_int_eq(catch_checkpoint_opts(b, &ob, NULL, err, sizeof err),
                     RAM_OK);
    ck_assert_uint_eq(ob.frames, 3 * FPU);
    ob.frames = 6 * FPU;
    memset(&p, 0, sizeof p);
    train_ok(b, &ob, 1, &p, 0);

    /* C: stopped (as by SIGINT) after 3 updates, in the middle of the
     * second stretch, then resumed with the stored options. */
    memset(&p, 0, sizeof p);
    p.stop_after = 3 * FPU;
    train_ok(c, &o, 0, &p, 1);
    uint64_t done = 0;
    catch_opts oc;
    ck_assert_int_eq(catch_checkpoint_opts(c, &oc, &done, err, sizeof err),
                     RAM_OK);
    ck_assert_uint_eq(done, 3 * FPU);
    memset(&p, 0, sizeof p);
    train_ok(c, &oc, 1, &p, 0);

    ram_agent *fa = load(a, CATCH_FILE_FINAL, RAM_LOAD_INFERENCE);
    ram_agent *fb = load(b, CATCH_FILE_FINAL, RAM_LOAD_INFERENCE);
    ram_agent *fc = load(c, CATCH_FILE_FINAL, RAM_LOAD_INFERENCE);
    assert_same_params(fa, fb);
    assert_same_params(fa, fc);
    ram_agent_free(fa);
    ram_agent_free(fb);
    ram_agent_free(fc);

    /* The checkpoints (with the optimiser state) agree too. */
    char pa[512], pc[512];
    ck_assert_int_eq(catch_checkpoint_model(a, pa, sizeof pa, err,
                                            sizeof err),
                     RAM_OK);
    ck_assert_int_eq(catch_checkpoint_model(c, pc, sizeof pc, err,
                                            sizeof err),
                     RAM_OK);
    ram_agent *ca = NULL, *cc = NULL;
    ck_assert_int_eq(ram_agent_load_file(&ca, pa, 0), RAM_OK);
    ck_assert_int_eq(ram_agent_load_file(&cc, pc, 0), RAM_OK);
    assert_same_params(ca, cc);
    ram_agent_free(ca);
    ram_agent_free(cc);

    /* C's log, stopped in mid-stretch, reads as A's (but for the times). */
    static char la[4096], lc[4096];
    read_log(a, la, sizeof la);
    read_log(c, lc, sizeof lc);
    ck_assert_str_eq(la, lc);

    remove_dir(a);
    remove_dir(b);
    remove_dir(c);
}
END_TEST

/* With loc_lr_scale 0 the location network keeps its initial parameters
 * (the same on every replica) while the others train: this pins down where
 * the location network sits in the flat parameter array. */
START_TEST(location_step_scale)
{
    char dir[64], err[512];
    make_dir(dir, sizeof dir);
    catch_opts o = tiny();
    o.loc_warmup = 0;
    o.loc_lr_scale = 0.0;
    probe p;
    memset(&p, 0, sizeof p);
    train_ok(dir, &o, 0, &p, 0);
    ram_agent *fresh = NULL;
    ck_assert_int_eq(catch_agent_new(&o, &fresh, err, sizeof err), RAM_OK);
    ram_agent *fin = load(dir, CATCH_FILE_FINAL, RAM_LOAD_INFERENCE);
    float *p0, *p1;
    size_t n0, n1;
    ck_assert_int_eq(ram_agent_params(fresh, &p0, NULL, &n0), RAM_OK);
    ck_assert_int_eq(ram_agent_params(fin, &p1, NULL, &n1), RAM_OK);
    ck_assert_uint_eq(n0, n1);
    const size_t H = 32, A = 3;
    size_t base = H + 1, act = A * H + A, loc = 2 * H + 2;
    size_t loc_off = n0 - base - act - loc, act_off = n0 - base - act;
    ck_assert(memcmp(p0 + loc_off, p1 + loc_off, loc * sizeof(float)) == 0);
    ck_assert(memcmp(p0 + act_off, p1 + act_off, act * sizeof(float)) != 0);
    ck_assert(memcmp(p0, p1, loc_off * sizeof(float)) != 0);
    ram_agent_free(fresh);
    ram_agent_free(fin);
    remove_dir(dir);
}
END_TEST

/* The agent sees the screen at CATCH_INPUT_GAIN, and a new agent's first
 * glimpse, for any screen, is at the centre (zero location network). */
/* A new agent with the default options and tiny networks (16 units). */
static ram_agent *tiny_agent(void)
{
    catch_opts o;
    catch_opts_default(&o);
    o.hidden = 16;
    o.glimpse_what = o.glimpse_where = o.glimpse_size = 16;
    char err[256];
    ram_agent *a = NULL;
    ck_assert_msg(catch_agent_new(&o, &a, err, sizeof err) == RAM_OK, "%s", err);
    return a;
}

START_TEST(observation_and_first_glimpse)
{
    catch_batch *g = catch_create(2, 3);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(catch_set_state(g, 0, 7 * CATCH_SUBPIXELS, 5, 1, 10),
                     CATCH_OK);
    float obs[2 * CATCH_PIXELS];
    catch_observe(g, 2, obs);
    const uint8_t *px = catch_screens(g);
    size_t on = 0;
    for (size_t i = 0; i < 2 * CATCH_PIXELS; i++) {
        ck_assert(obs[i] == (px[i] ? CATCH_INPUT_GAIN : 0.0f));
        on += px[i] != 0;
    }
    ck_assert_uint_eq(on, 2 * 3); /* a ball and a 2-pixel paddle each */
    ck_assert(obs[5 * CATCH_SIZE + 7] == CATCH_INPUT_GAIN);

    ram_agent *a = tiny_agent();
    ck_assert_int_eq(catch_agent_set_input(a), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, 2, RAM_BEGIN_GREEDY_LOCATION),
                     RAM_OK);
    float loc[4];
    for (int t = 0; t < 3; t++) {
        ck_assert_int_eq(ram_agent_location(a, loc), RAM_OK);
        for (int k = 0; k < 4; k++)
            ck_assert(loc[k] == 0.0f);
        int act[2];
        ck_assert_int_eq(ram_agent_step(a, obs, sizeof obs, NULL,
                                        NULL, act), RAM_OK);
    }
    ram_agent_free(a);
    catch_free(g);
}
END_TEST

/* The eval's centre reference: a new agent (location weights zero) glimpses
 * at the centre on every step, so its figures are the reference's. */
START_TEST(centre_reference)
{
    ram_agent *a = tiny_agent();
    char err[256];
    replicas *r = NULL;
    ck_assert_int_eq(replicas_create(a, 2, 1, &r), RAM_OK);
    catch_eval e;
    ck_assert_int_eq(catch_evaluate(r, 200, 5,
                                    RAM_BEGIN_GREEDY_ACTION |
                                        RAM_BEGIN_GREEDY_LOCATION,
                                    0, &e, err, sizeof err),
                     RAM_OK);
    ck_assert(e.centre_fovea > 0.03 && e.centre_fovea < 0.15);
    ck_assert(e.fovea == e.centre_fovea);
    ck_assert(e.fovea_late == e.centre_fovea_late);
    ck_assert(fabs(e.dist - e.centre_dist) < 1e-9 * e.dist);
    /* Sampled glimpses move: the figures differ from the reference. */
    ck_assert_int_eq(catch_evaluate(r, 200, 5, 0, 3, &e, err, sizeof err),
                     RAM_OK);
    ck_assert(e.dist != e.centre_dist);
    replicas_free(r);
    ram_agent_free(a);
}
END_TEST

/* Issue 26: a sampled evaluation's figures follow from the seeds alone,
 * not from the number of replicas (threads) that play the games. 150 games:
 * four full chunks of CATCH_EVAL_CHUNK and a short one. */
START_TEST(sampled_eval_independent_of_threads)
{
    ram_agent *a = tiny_agent();
    char err[256];
    catch_eval e[3];
    static const int threads[3] = {1, 2, 3};
    for (int k = 0; k < 3; k++) {
        replicas *r = NULL;
        ck_assert_int_eq(replicas_create(a, threads[k], 1, &r), RAM_OK);
        ck_assert_int_eq(replicas_count(r), threads[k]);
        ck_assert_msg(catch_evaluate(r, 150, 5, 0, 3, &e[k], err,
                                     sizeof err) == RAM_OK,
                      "%s", err);
        replicas_free(r);
    }
    for (int k = 1; k < 3; k++) {
        ck_assert_int_eq(e[k].games, 150);
        ck_assert_int_eq(e[k].caught, e[0].caught);
        ck_assert(e[k].fovea == e[0].fovea);
        ck_assert(e[k].fovea_late == e[0].fovea_late);
        ck_assert(e[k].dist == e[0].dist);
    }
    /* The sample seed matters (else the test could not fail). */
    replicas *r = NULL;
    ck_assert_int_eq(replicas_create(a, 2, 1, &r), RAM_OK);
    catch_eval other;
    ck_assert_int_eq(catch_evaluate(r, 150, 5, 0, 4, &other, err, sizeof err),
                     RAM_OK);
    ck_assert(other.dist != e[0].dist);
    replicas_free(r);
    ram_agent_free(a);
}
END_TEST

Suite *suite_catch_smoke(void)
{
    Suite *s = suite_create("catch_smoke");
    TCase *tc = tcase_create("catch_smoke");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, train_save_load_roundtrip);
    tcase_add_test(tc, resume_is_exact);
    tcase_add_test(tc, location_step_scale);
    tcase_add_test(tc, observation_and_first_glimpse);
    tcase_add_test(tc, centre_reference);
    tcase_add_test(tc, sampled_eval_independent_of_threads);
    suite_add_tcase(s, tc);
    return s;
}
