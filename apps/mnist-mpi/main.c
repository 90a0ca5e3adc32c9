/* ram-mnist-mpi: data-parallel training of the MNIST tasks over MPI
 * (docs/mpi.md).
 *
 *   mpirun -np R ram-mnist-mpi train --task T --out DIR [options]
 *   mpirun -np R ram-mnist-mpi train --resume --out DIR [options]
 *   ram-mnist-mpi compare A.ram B.ram [--max-rel X]
 *   mpirun -np R ram-mnist-mpi allreduce [--floats N] [--reps K]
 *
 * Every rank holds the same agent. The total batch (--batch B) is cut into
 * S fixed shares (--shares, default R; R must divide S) of B / S images;
 * rank r runs shares r S / R .. (r + 1) S / R - 1, one training episode
 * each. The images of a share come from the data stream of ram-mnist
 * (apps/mnist/mnist_train.h: a pure function of seed, epoch and position)
 * and its glimpse locations from the agent RNG seeded with (seed, update,
 * share), so a run depends on S, not on R, except for the order of the
 * float sums (none with S = 2: 1 rank and 2 ranks give the same bits).
 * After the episodes, ONE MPI_Allreduce sums the flat gradient
 * arrays, the sample counts and the loss figures; every rank stores the
 * total count (ram_agent_set_grad_samples) and applies the same update, so
 * the parameters stay bit-identical without being sent. Every --check-every
 * updates the ranks compare a checksum of their parameters and stop with an
 * error if they differ. Rank 0 alone reads and writes the run directory
 * (checkpoints, state.txt, log.tsv, best.ram) and broadcasts the agent to
 * the others at the start; every rank reads the MNIST files itself, and
 * their checksum must agree.
 *
 * Exit status: 0 success, 1 failure, 2 bad arguments. */
#include <inttypes.h>
#include <signal.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

#include "args.h"
#include "errbuf.h"
#include "idx.h"
#include "mnist_train.h"
#include "ram/ram.h"
#include "replicas.h"
#include "rng.h"
#include "rundir.h"
#include "statefile.h"
#include "tasks.h"
#include "tsv.h"

#define PROG "ram-mnist-mpi"
#define STATE_MAGIC "ram-mnist-mpi state 1"
#define EXTRA 4 /* floats after the gradients: count, xent, acc, bmse sums */

/* Where the run is; state.txt holds it with the options. */
typedef struct run_state {
    uint64_t updates;   /* optimiser updates so far */
    int epochs_done;    /* epochs whose end (validation, log) is done */
    int ckpt;           /* the checkpoint in force: checkpoint-CKPT.ram */
    int shares, ranks;  /* ranks: of the last invocation (a record) */
    size_t n_pool;      /* training digits per epoch */
    size_t synthetic;   /* 0: MNIST; else that many synthetic digits */
    double best_val, last_val, elapsed;
    int best_epoch;
    double ep_loss, ep_reward, ep_bmse; /* sums over the epoch so far */
    uint64_t ep_samples;
} run_state;

#define OK(f, t) {#f, t, offsetof(mnist_opts, f)}
static const sf_key opt_keys[] = {
    OK(glimpses, SF_INT), OK(patch, SF_INT), OK(scales, SF_INT),
    OK(core, SF_INT), OK(hidden, SF_INT), OK(what, SF_INT),
    OK(where, SF_INT), OK(gsize, SF_INT), OK(std, SF_DBL),
    OK(std_end, SF_DBL), OK(lr, SF_DBL), OK(lr_decay, SF_DBL),
    OK(lr_min, SF_DBL), OK(clip, SF_DBL), OK(batch, SF_INT),
    OK(epochs, SF_INT), OK(seed, SF_U64), OK(subset, SF_SIZE),
    OK(val_images, SF_SIZE), OK(holdout, SF_SIZE),
};
#define SK(f, t) {#f, t, offsetof(run_state, f)}
static const sf_key state_keys[] = {
    SK(updates, SF_U64), SK(epochs_done, SF_INT), SK(ckpt, SF_INT),
    SK(shares, SF_INT), SK(ranks, SF_INT), SK(n_pool, SF_SIZE),
    SK(synthetic, SF_SIZE), SK(best_val, SF_DBL), SK(last_val, SF_DBL),
    SK(elapsed, SF_DBL), SK(best_epoch, SF_INT), SK(ep_loss, SF_DBL),
    SK(ep_reward, SF_DBL), SK(ep_bmse, SF_DBL), SK(ep_samples, SF_U64),
};

static int g_rank, g_ranks; /* this process's rank and the rank count */

/* A failure on any rank ends the whole job: the others may be waiting in
 * an all-reduce that this rank would never join. */
static void die(const char *fmt, const char *msg)
{
    fprintf(stderr, PROG ": rank %d: ", g_rank);
    fprintf(stderr, fmt, msg);
    fputc('\n', stderr);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    exit(1);
}

static void check(int rc, const char *what)
{
    if (rc != RAM_OK) {
        char m[600];
        snprintf(m, sizeof m, "%s: %s (%s)", what, ram_strerror(rc),
                 ram_last_error());
        die("%s", m);
    }
}

/* The same 64-bit value on every rank? max(h) and max(~h) = ~min(h) in one
 * all-reduce. */
static int same_everywhere(uint64_t h)
{
    uint64_t mm[2] = {h, ~h};
    MPI_Allreduce(MPI_IN_PLACE, mm, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return mm[0] == ~mm[1];
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}
#define FNV0 UINT64_C(0xcbf29ce484222325)

/* Stops every rank, with the checksum of each, unless all hold the same
 * parameters. Returns 0, or 1 (all ranks return 1 together). */
static int params_diverged(const float *p, size_t n, uint64_t update)
{
    uint64_t h = fnv(FNV0, p, n * sizeof *p);
    if (same_everywhere(h))
        return 0;
    uint64_t *all = g_rank == 0 ? malloc((size_t)g_ranks * sizeof *all) : NULL;
    MPI_Gather(&h, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (g_rank == 0) {
        fprintf(stderr, PROG ": error: the parameters differ across ranks "
                "after update %" PRIu64 " (they must stay bit-identical: the "
                "same libram build, BLAS and thread count on every rank?); "
                "checksums:", update);
        for (int r = 0; all && r < g_ranks; r++)
            fprintf(stderr, " rank %d %016" PRIx64 "%s", r, all[r],
                    r + 1 < g_ranks ? "," : "\n");
        fprintf(stderr, PROG ": stopped without a checkpoint; the last one "
                "stays in force\n");
    }
    free(all);
    return 1;
}

/* --watchdog: a rank that sees no progress for that long (a peer that
 * hangs instead of dying, a lost network) ends itself; mpirun then ends the
 * others. Only async-signal-safe calls here. */
static void on_alarm(int sig)
{
    static const char msg[] = PROG ": watchdog: no progress for --watchdog "
                              "seconds (a rank or the network hangs?); "
                              "ending this rank\n";
    (void)sig;
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(124);
}

static uint64_t mix3(uint64_t a, uint64_t b, uint64_t c) /* as mnist_train.c */
{
    example_rng r;
    example_rng_seed_stream(&r, a, b);
    uint64_t x = example_rng_next(&r);
    example_rng_seed_stream(&r, x, c);
    return example_rng_next(&r);
}

static double lr_at(const mnist_opts *o, int epoch) /* as mnist_train.c */
{
    double lr = o->lr * pow(o->lr_decay, epoch);
    return lr < o->lr_min ? o->lr_min : lr;
}

/* ------------------------------------------------------------ the data */

/* Synthetic digits (no MNIST needed): a 3x3 code of bright blocks per
 * class, jittered, as in apps/tests/test_mnist_smoke.c. */
static void synth_digit(example_rng *r, int cls, uint8_t *img)
{
    static const unsigned codes[10] = {0x1EF, 0x092, 0x1F3, 0x1E7, 0x16D,
                                       0x1CF, 0x1DE, 0x127, 0x1FF, 0x1ED};
    memset(img, 0, TASK_DIGIT_PIXELS);
    int ox = 5 + example_rng_int_range(r, -2, 2);
    int oy = 5 + example_rng_int_range(r, -2, 2);
    for (int b = 0; b < 9; b++)
        for (int y = 0; (codes[cls] >> b & 1) && y < 6; y++)
            for (int x = 0; x < 6; x++)
                img[(oy + (b / 3) * 6 + y) * TASK_DIGIT_SIDE + ox +
                    (b % 3) * 6 + x] = (uint8_t)(160 + example_rng_below(r, 96));
}

typedef struct data {
    mnist_data mnist;
    uint8_t *images, *labels; /* synthetic */
    mnist_source src;
} data;

static void data_load(data *d, size_t synthetic, const char *dir)
{
    memset(d, 0, sizeof *d);
    if (synthetic) {
        d->images = malloc(synthetic * TASK_DIGIT_PIXELS);
        d->labels = malloc(synthetic);
        if (!d->images || !d->labels)
            die("%s", "out of memory");
        example_rng r;
        example_rng_seed(&r, 4242);
        for (size_t i = 0; i < synthetic; i++) {
            d->labels[i] = (uint8_t)example_rng_below(&r, 10);
            synth_digit(&r, d->labels[i], d->images + i * TASK_DIGIT_PIXELS);
        }
        mnist_source s = {d->images, d->labels, synthetic, NULL, NULL, 0};
        d->src = s;
        return;
    }
    char err[512];
    if (mnist_load(mnist_default_dir(dir), &d->mnist, err, sizeof err))
        die("%s", err);
    mnist_source s = {d->mnist.train_images.data, d->mnist.train_labels.data,
                      d->mnist.n_train, d->mnist.test_images.data,
                      d->mnist.test_labels.data, d->mnist.n_test};
    d->src = s;
}

static void data_free(data *d)
{
    mnist_free(&d->mnist);
    free(d->images);
    free(d->labels);
}

/* ------------------------------------------------------ the run directory */

static void state_text(const mnist_opts *o, const run_state *st, strbuf *b)
{
    strbuf_printf(b, "%s\n# written by rank 0 with checkpoint-%d.ram; the "
                  "training position is updates (epoch = updates / batches "
                  "per epoch)\n", STATE_MAGIC, st->ckpt);
    strbuf_printf(b, "task=%s\n", task_name(o->task));
    statefile_put(b, '=', "", opt_keys, ARGS_COUNT(opt_keys), o);
    statefile_put(b, '=', "", state_keys, ARGS_COUNT(state_keys), st);
}

typedef struct state_read {
    mnist_opts *o;
    run_state *st;
} state_read;

static int state_key(void *user, const char *k, const char *v)
{
    state_read *r = user;
    if (strcmp(k, "task") == 0) {
        r->o->task = task_from_name(v);
        return r->o->task == TASK_INVALID ? -1 : 0;
    }
    int rc = statefile_set(opt_keys, ARGS_COUNT(opt_keys), r->o, k, v);
    return rc != 1 ? rc
                   : statefile_set(state_keys, ARGS_COUNT(state_keys), r->st,
                                   k, v);
}

/* Rank 0: the checkpoint into the file not in force, then state.txt naming
 * it. The atomic rename of state.txt is the commit: a process killed at any
 * point leaves a state.txt and the checkpoint it names, both complete. */
static void save_checkpoint(ram_agent *a, const char *dir,
                            const mnist_opts *o, run_state *st)
{
    char name[32], err[512];
    int next = 1 - st->ckpt;
    snprintf(name, sizeof name, "checkpoint-%d.ram", next);
    char *path = run_path(dir, name), *p_state = run_path(dir, "state.txt");
    if (!path || !p_state)
        die("%s", "out of memory");
    check(ram_agent_save_file(a, RAM_SAVE_OPTIMIZER, path), path);
    st->ckpt = next;
    strbuf b = {0};
    state_text(o, st, &b);
    if (statefile_write(p_state, &b, err, sizeof err))
        die("%s", err);
    free(b.s);
    free(path);
    free(p_state);
}

/* Rank 0, on resume: log.tsv keeps the lines of the epochs state.txt has
 * done (a line appended after the last commit goes). */
static void trim_log(const char *path, int epochs)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    strbuf b = {0};
    char line[512], err[512];
    while (fgets(line, sizeof line, f)) {
        long e = strtol(line, NULL, 10);
        if (strncmp(line, "epoch\t", 6) == 0 || (e >= 1 && e <= epochs))
            strbuf_printf(&b, "%s", line);
    }
    fclose(f);
    if (b.oom || (b.s && run_write_atomic(path, b.s, err, sizeof err)))
        die("%s", b.oom ? "out of memory" : err);
    free(b.s);
}

/* -------------------------------------------------------------- training */

typedef struct trainer {
    mnist_opts o;
    run_state st;
    ram_agent *agent;
    float *params, *grads, *buf; /* buf: n + EXTRA floats, all-reduced */
    size_t n;
    const mnist_source *src;
    size_t *perm;
    uint8_t *images;
    int *labels, *actions;
    float *rewards;
} trainer;

/* One training episode on the rows [lo, hi) of the batch at position pos0
 * (the images of ram-mnist's data stream), with the sampling stream of
 * share `share`. Its gradient sums and count add into the agent's. */
static void run_share(trainer *t, size_t pos0, uint64_t epoch_seed,
                      int share, size_t lo, size_t hi)
{
    const size_t WW = (size_t)task_width(t->o.task) * task_width(t->o.task);
    for (size_t i = lo; i < hi; i++) {
        size_t digit = t->perm[pos0 + i];
        example_rng rng;
        example_rng_seed_stream(&rng, epoch_seed, pos0 + i);
        t->labels[i] = t->src->train_labels[digit];
        int rc = task_generate(t->o.task, t->src->train_images, t->st.n_pool,
                               digit, &rng, t->images + i * WW, NULL, NULL);
        if (rc != TASK_OK)
            die("task_generate: %s", task_strerror(rc));
    }
    ram_agent *a = t->agent;
    check(ram_agent_seed(a, mix3(t->o.seed, t->st.updates, (uint64_t)share)),
          "ram_agent_seed");
    check(ram_agent_begin(a, hi - lo, RAM_BEGIN_TRAIN), "ram_agent_begin");
    for (int s = 0; s < t->o.glimpses; s++)
        check(ram_agent_step(a, t->images + lo * WW, (hi - lo) * WW, NULL, NULL,
                             s == t->o.glimpses - 1 ? t->actions + lo : NULL),
              "ram_agent_step");
    for (size_t i = lo; i < hi; i++)
        t->rewards[i] = t->actions[i] == t->labels[i] ? 1.0f : 0.0f;
    check(ram_agent_reward(a, t->rewards + lo), "ram_agent_reward");
    check(ram_agent_end(a, t->labels + lo), "ram_agent_end");
    double x, acc, bm, m = (double)(hi - lo);
    check(ram_agent_stat(a, RAM_STAT_XENT, &x), "ram_agent_stat");
    check(ram_agent_stat(a, RAM_STAT_ACCURACY, &acc), "ram_agent_stat");
    check(ram_agent_stat(a, RAM_STAT_BASELINE_MSE, &bm), "ram_agent_stat");
    t->buf[t->n + 1] += (float)(x * m);
    t->buf[t->n + 2] += (float)(acc * m);
    t->buf[t->n + 3] += (float)(bm * m);
}

/* Rank 0 makes or loads the agent and the state, and broadcasts both (the
 * agent as its saved bytes, optimiser state included): the other ranks
 * need no copy of the run directory. */
static void setup(trainer *t, const char *dir, int resume)
{
    size_t size = 0;
    void *bytes = NULL;
    char err[512];
    if (g_rank == 0) {
        char *p_state = run_path(dir, "state.txt");
        if (!p_state)
            die("%s", "out of memory");
        if (resume) {
            state_read r = {&t->o, &t->st};
            mnist_opts_preset(&t->o, TASK_MNIST28);
            t->o.task = TASK_INVALID;
            if (statefile_read(p_state, '=', STATE_MAGIC, state_key, &r, err,
                               sizeof err))
                die("%s (nothing to resume?)", err);
            if (t->st.ckpt != 0 && t->st.ckpt != 1)
                die("%s: ckpt must be 0 or 1", p_state);
            char name[32];
            snprintf(name, sizeof name, "checkpoint-%d.ram", t->st.ckpt);
            char *p = run_path(dir, name);
            if (!p)
                die("%s", "out of memory");
            check(ram_agent_load_file(&t->agent, p, 0), p);
            double upd = -1;
            check(ram_agent_stat(t->agent, RAM_STAT_UPDATES, &upd), "stat");
            if (upd != (double)t->st.updates)
                die("%s: its update count differs from state.txt's", p);
            free(p);
        } else {
            if (run_exists(p_state))
                die("%s already holds a run: continue it with --resume", dir);
            if (run_mkdirs(dir, err, sizeof err))
                die("%s", err);
            if (mnist_agent_create(&t->o, &t->agent, err, sizeof err))
                die("%s", err);
        }
        free(p_state);
        check(ram_agent_save(t->agent, RAM_SAVE_OPTIMIZER, NULL, 0, &size),
              "ram_agent_save");
        if (!(bytes = malloc(size)))
            die("%s", "out of memory");
        check(ram_agent_save(t->agent, RAM_SAVE_OPTIMIZER, bytes, size, &size),
              "ram_agent_save");
    }
    /* Same binary on every rank (docs/mpi.md): the structs go as bytes. */
    MPI_Bcast(&t->o, (int)sizeof t->o, MPI_BYTE, 0, MPI_COMM_WORLD);
    MPI_Bcast(&t->st, (int)sizeof t->st, MPI_BYTE, 0, MPI_COMM_WORLD);
    uint64_t sz = size;
    MPI_Bcast(&sz, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (g_rank != 0) {
        if (!(bytes = malloc((size_t)sz)))
            die("%s", "out of memory");
        size = (size_t)sz;
    }
    MPI_Bcast(bytes, (int)size, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (g_rank != 0)
        check(ram_agent_load(&t->agent, bytes, size, 0), "ram_agent_load");
    free(bytes);
}

static int train(int resume, const mnist_opts *cli, int shares, int epochs,
                 int check_every, int ckpt_every, uint64_t max_updates,
                 size_t synthetic, const char *data_dir, const char *dir,
                 const char *save, int fault_rank, uint64_t fault_at,
                 int fault_kind, unsigned watchdog, int blas_threads)
{
    trainer t;
    memset(&t, 0, sizeof t);
    char err[512];
    const char *blas = replicas_blas_threads(blas_threads); /* 1 per rank */
    if (!resume) {
        t.o = *cli;
        t.st.shares = shares ? shares : g_ranks;
        t.st.synthetic = synthetic;
        t.st.best_val = 1.0;
        t.st.last_val = -1;
        if (mnist_opts_check(&t.o, err, sizeof err)) /* before any file */
            die("%s", err);
    }
    setup(&t, dir, resume);
    if (epochs)
        t.o.epochs = epochs;
    t.st.ranks = g_ranks;
    const int S = t.st.shares;
    if (S % g_ranks) {
        snprintf(err, sizeof err, "%d ranks do not divide the run's %d "
                 "shares (--shares; a resumed run keeps its own)", g_ranks, S);
        die("%s", err);
    }
    if (mnist_opts_check(&t.o, err, sizeof err))
        die("%s", err);
    if (!same_everywhere(fnv(FNV0, ram_version_string(),
                             strlen(ram_version_string()))))
        die("%s", "the ranks run different libram versions");

    data d;
    data_load(&d, t.st.synthetic, data_dir);
    t.src = &d.src;
    if (t.st.synthetic)
        t.o.holdout = t.st.synthetic / 5;
    if (t.o.holdout >= d.src.n_train)
        die("%s", "no training digits left after the validation hold-out");
    size_t n_pool = d.src.n_train - t.o.holdout;
    if (t.o.subset && t.o.subset < n_pool)
        n_pool = t.o.subset;
    if (resume && n_pool != t.st.n_pool)
        die("%s", "the data gives another pool size than the run's");
    t.st.n_pool = n_pool;
    if (!same_everywhere(fnv(fnv(FNV0, d.src.train_images,
                                 d.src.n_train * TASK_DIGIT_PIXELS),
                             d.src.train_labels, d.src.n_train)))
        die("%s", "the ranks read different training data (every machine "
                  "needs the same MNIST files)");

    const size_t B = (size_t)t.o.batch, nb = (n_pool + B - 1) / B;
    const size_t W = (size_t)task_width(t.o.task), WW = W * W;
    if (B < (size_t)S)
        die("%s", "--batch must be at least --shares");
    mnist_set val;
    if (mnist_set_make(&d.src, t.o.task, MNIST_SPLIT_VAL, t.o.holdout,
                       t.o.val_images, &val, err, sizeof err))
        die("%s", err);
    check(ram_agent_set_input(t.agent, RAM_PIXEL_U8, W, W, W, WW),
          "ram_agent_set_input");
    check(ram_agent_params(t.agent, &t.params, &t.grads, &t.n),
          "ram_agent_params");
    t.buf = malloc((t.n + EXTRA) * sizeof *t.buf);
    t.perm = malloc(n_pool * sizeof *t.perm);
    t.images = malloc(B * WW);
    t.labels = malloc(B * sizeof *t.labels);
    t.actions = malloc(B * sizeof *t.actions);
    t.rewards = malloc(B * sizeof *t.rewards);
    char *p_log = run_path(dir, "log.tsv"), *p_best = run_path(dir, "best.ram");
    if (!t.buf || !t.perm || !t.images || !t.labels || !t.actions ||
        !t.rewards || !p_log || !p_best)
        die("%s", "out of memory");
    if (params_diverged(t.params, t.n, t.st.updates))
        return 1;
    if (g_rank == 0) {
        if (resume)
            trim_log(p_log, t.st.epochs_done);
        printf("%s %s into %s: %d ranks, %d shares of %zu images (batch %zu),"
               " %zu parameters, %zu digits per epoch (%zu batches); BLAS: %s"
               "\n", resume ? "resuming" : "training", task_name(t.o.task), dir,
               g_ranks, S, B / (size_t)S, B, t.n, n_pool, nb, blas);
        if (resume)
            printf("at update %" PRIu64 " (epoch %d)\n", t.st.updates,
                   (int)(t.st.updates / nb) + 1);
        fflush(stdout);
    }

    int perm_epoch = -1, stop = 0, ret = 0;
    uint64_t epoch_seed = 0, run_updates = 0, since_ckpt = 0;
    double reduce_s = 0, train_s = 0, run_samples = 0;
    const int first = g_rank * (S / g_ranks), last = first + S / g_ranks;
    if (watchdog) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm;
        sigaction(SIGALRM, &sa, NULL);
    }
    while (t.st.epochs_done < t.o.epochs && !stop) {
        alarm(watchdog); /* re-armed at every update and epoch end */
        const int e = (int)(t.st.updates / nb);
        if (e > t.st.epochs_done) { /* the end of epoch e: validation */
            size_t lo = val.n * (size_t)g_rank / (size_t)g_ranks;
            size_t hi = val.n * (size_t)(g_rank + 1) / (size_t)g_ranks;
            mnist_set part = val;
            part.n = hi - lo;
            part.images = val.images + lo * WW;
            part.labels = val.labels + lo;
            mnist_eval_result ev;
            memset(&ev, 0, sizeof ev);
            if (part.n && mnist_evaluate(t.agent, &part, t.o.glimpses, 0, 1,
                                         t.o.seed, &ev, err, sizeof err))
                die("%s", err);
            uint64_t wrong = ev.errors;
            MPI_Allreduce(MPI_IN_PLACE, &wrong, 1, MPI_UINT64_T, MPI_SUM,
                          MPI_COMM_WORLD);
            double verr = (double)wrong / (double)val.n;
            int best = t.st.best_epoch == 0 || verr < t.st.best_val;
            double ns = t.st.ep_samples ? (double)t.st.ep_samples : 1;
            if (g_rank == 0) {
                if (best)
                    check(ram_agent_save_file(t.agent, 0, p_best), p_best);
                char line[256];
                snprintf(line, sizeof line, "%d\t%.6f\t%.6f\t%.6f\t%.6f\t%.6g"
                         "\t%d\n", e, t.st.ep_loss / ns, t.st.ep_reward / ns,
                         t.st.ep_bmse / ns, verr, lr_at(&t.o, e - 1), best);
                if (tsv_append(p_log, "epoch\tloss\treward\tbaseline_mse\t"
                               "val_error\tlr\tbest\n", line, err, sizeof err))
                    die("%s", err);
                printf("epoch %3d/%d  loss %.4f  reward %.4f  val_error "
                       "%6.2f%%%s\n", e, t.o.epochs, t.st.ep_loss / ns,
                       t.st.ep_reward / ns, 100 * verr, best ? "  *best" : "");
                fflush(stdout);
            }
            if (best) {
                t.st.best_val = verr;
                t.st.best_epoch = e;
            }
            t.st.last_val = verr;
            t.st.epochs_done = e;
            t.st.ep_loss = t.st.ep_reward = t.st.ep_bmse = 0;
            t.st.ep_samples = 0;
            if (params_diverged(t.params, t.n, t.st.updates))
                return 1;
            if (g_rank == 0)
                save_checkpoint(t.agent, dir, &t.o, &t.st);
            since_ckpt = 0;
            continue;
        }
        if (max_updates && t.st.updates >= max_updates)
            break;
        if (e != perm_epoch) { /* ram-mnist's data stream of epoch e */
            example_rng r;
            example_rng_seed_stream(&r, t.o.seed ^ MNIST_PERM_SALT,
                                    (uint64_t)e);
            for (size_t i = 0; i < n_pool; i++)
                t.perm[i] = i;
            for (size_t i = n_pool; i > 1; i--) {
                size_t k = (size_t)example_rng_below(&r, i), x = t.perm[i - 1];
                t.perm[i - 1] = t.perm[k];
                t.perm[k] = x;
            }
            example_rng_seed_stream(&r, t.o.seed ^ MNIST_DATA_SALT,
                                    (uint64_t)e);
            epoch_seed = example_rng_next(&r);
            perm_epoch = e;
        }
        check(ram_agent_set_param(t.agent, RAM_PARAM_LEARNING_RATE,
                                  lr_at(&t.o, e)), "learning rate");
        check(ram_agent_set_param(t.agent, RAM_PARAM_LOCATION_STD,
                                  mnist_std_at(&t.o, e + 1)), "location std");
        double t0 = MPI_Wtime();
        size_t pos0 = (size_t)(t.st.updates % nb) * B;
        size_t m = n_pool - pos0 < B ? n_pool - pos0 : B; /* images */
        /* The rank's shares, each summed into buf on its own (share
         * order): 1 rank of 2 shares then adds the same two arrays as the
         * all-reduce of 2 ranks does, in one float addition each. */
        memset(t.buf, 0, (t.n + EXTRA) * sizeof *t.buf);
        uint64_t samples = 0;
        for (int s = first; s < last; s++) {
            size_t lo = m * (size_t)s / (size_t)S;
            size_t hi = m * (size_t)(s + 1) / (size_t)S;
            if (hi == lo)
                continue;
            run_share(&t, pos0, epoch_seed, s, lo, hi);
            if (samples == 0)
                memcpy(t.buf, t.grads, t.n * sizeof *t.buf);
            else
                for (size_t k = 0; k < t.n; k++)
                    t.buf[k] += t.grads[k];
            samples += hi - lo;
            check(ram_agent_zero_grad(t.agent), "ram_agent_zero_grad");
        }
        if (fault_kind && fault_kind != 'p' && g_rank == fault_rank &&
            t.st.updates + 1 == fault_at) {
            fprintf(stderr, PROG ": rank %d: --test-%s: before update %"
                    PRIu64 "\n", g_rank, fault_kind == 'x' ? "exit" : "hang",
                    fault_at);
            fflush(stderr);
            if (fault_kind == 'x')
                _exit(3);
            for (;;)
                pause(); /* until a signal ends it */
        }
        /* The one all-reduce: gradient sums, sample counts, loss sums. */
        t.buf[t.n] = (float)samples; /* exact: at most 65536 */
        double r0 = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, t.buf, (int)(t.n + EXTRA), MPI_FLOAT,
                      MPI_SUM, MPI_COMM_WORLD);
        reduce_s += MPI_Wtime() - r0;
        memcpy(t.grads, t.buf, t.n * sizeof *t.buf);
        check(ram_agent_set_grad_samples(t.agent, (uint64_t)t.buf[t.n]),
              "ram_agent_set_grad_samples");
        check(ram_agent_update(t.agent), "ram_agent_update");
        t.st.updates++;
        run_updates++;
        since_ckpt++;
        if (fault_kind == 'p' && g_rank == fault_rank &&
            t.st.updates == fault_at)
            t.params[0] = nextafterf(t.params[0], INFINITY);
        t.st.ep_samples += m;
        t.st.ep_loss += t.buf[t.n + 1];
        t.st.ep_reward += t.buf[t.n + 2];
        t.st.ep_bmse += t.buf[t.n + 3];
        double dt = MPI_Wtime() - t0;
        train_s += dt;
        t.st.elapsed += dt;
        run_samples += (double)m;
        if (check_every && t.st.updates % (uint64_t)check_every == 0 &&
            params_diverged(t.params, t.n, t.st.updates))
            return 1;
        int at_max = max_updates && t.st.updates >= max_updates;
        if ((ckpt_every && since_ckpt >= (uint64_t)ckpt_every) || at_max) {
            if (params_diverged(t.params, t.n, t.st.updates))
                return 1;
            if (g_rank == 0)
                save_checkpoint(t.agent, dir, &t.o, &t.st);
            since_ckpt = 0;
        }
        stop = at_max && t.st.updates % nb != 0;
    }
    alarm(0);
    if (params_diverged(t.params, t.n, t.st.updates))
        return 1;
    if (g_rank == 0) {
        if (save)
            check(ram_agent_save_file(t.agent, 0, save), save);
        printf("%s at update %" PRIu64 ": %" PRIu64 " updates here, %.0f "
               "samples/s, all-reduce %.3f ms per update (%zu bytes; with "
               "the wait for the slowest rank), "
               "parameters identical on all %d ranks\n",
               t.st.epochs_done >= t.o.epochs ? "done" : "stopped",
               t.st.updates, run_updates,
               train_s > 0 ? run_samples / train_s : 0,
               run_updates ? 1e3 * reduce_s / (double)run_updates : 0,
               (t.n + EXTRA) * sizeof(float), g_ranks);
        if (t.st.best_epoch)
            printf("best validation error %.2f%% at epoch %d (%s)\n",
                   100 * t.st.best_val, t.st.best_epoch, p_best);
    }
    mnist_set_free(&val);
    data_free(&d);
    ram_agent_free(t.agent);
    free(t.buf);
    free(t.perm);
    free(t.images);
    free(t.labels);
    free(t.actions);
    free(t.rewards);
    free(p_log);
    free(p_best);
    return ret;
}

/* ------------------------------------------------------------- commands */

static void train_help(FILE *f)
{
    fputs("usage: mpirun -np R " PROG " train --task T --out DIR [options]\n"
          "       mpirun -np R " PROG " train --resume --out DIR [--epochs E]"
          " [--max-updates U]\n"
          "  --task T            mnist28, translated60, cluttered60, "
          "cluttered100\n"
          "  --batch B           total images per update, over all ranks "
          "(64)\n"
          "  --shares S          fixed shares of the batch, one episode each;"
          " R must divide S (R)\n"
          "  --epochs E --seed N --lr X --lr-decay X --std X --glimpses N "
          "--hidden N\n"
          "  --core rnn|lstm     the core network (rnn)\n"
          "  --subset N          train on the first N digits\n"
          "  --val-images N      validation images (all)\n"
          "  --data DIR          MNIST directory ($RAM_MNIST_DIR, "
          "data/mnist)\n"
          "  --synthetic N       N synthetic digits instead of MNIST\n"
          "  --check-every N     compare the ranks' parameters every N "
          "updates (10; 0 = at checkpoints only)\n"
          "  --checkpoint-every N  also checkpoint every N updates "
          "(0: at epoch ends)\n"
          "  --max-updates U     stop at update U (checkpoint; resumable)\n"
          "  --save FILE         rank 0 saves the final model to FILE\n"
          "  --blas-threads N    BLAS threads per rank (1; more only for a "
          "rank\n"
          "                      that has cores to itself)\n"
          "  --watchdog SEC      a rank waiting SEC seconds for one update or"
          " epoch end\n"
          "                      ends itself, and with it the job (600; 0 = "
          "off)\n"
          "  --test-exit R:U     tests: rank R exits before update U\n"
          "  --test-perturb R:U  tests: rank R changes a parameter after "
          "update U\n"
          "  --test-hang R:U     tests: rank R hangs before update U\n", f);
}

static int parse_fault(const args *a, const char *name, int *rank,
                       uint64_t *at)
{
    const char *v = args_get(a, name);
    if (!v)
        return 0;
    unsigned long long u;
    if (sscanf(v, "%d:%llu", rank, &u) != 2 || *rank < 0 || u < 1)
        return args_usage_error(a, "--test-*: '%s': expected RANK:UPDATE", v);
    *at = u;
    return 1;
}

static int cmd_train(int argc, char **argv)
{
    static const arg_spec specs[] = {
        {"task", 1}, {"out", 1}, {"resume", 0}, {"batch", 1}, {"shares", 1},
        {"epochs", 1}, {"seed", 1}, {"lr", 1}, {"lr-decay", 1}, {"std", 1},
        {"glimpses", 1}, {"hidden", 1}, {"subset", 1}, {"val-images", 1},
        {"data", 1}, {"synthetic", 1}, {"check-every", 1},
        {"checkpoint-every", 1}, {"max-updates", 1}, {"save", 1},
        {"test-exit", 1}, {"test-perturb", 1}, {"test-hang", 1},
        {"watchdog", 1}, {"blas-threads", 1}, {"core", 1},
    };
    args a;
    int rc = args_parse_cmd(&a, PROG, "train", argc, argv, specs,
                            ARGS_COUNT(specs), 0, NULL, train_help);
    if (rc >= 0)
        return rc;
    const char *dir = args_get(&a, "out");
    int resume = args_has(&a, "resume");
    if (!dir)
        return args_usage_error(&a, "%s", "--out DIR is required");
    mnist_opts o;
    task_id task = task_from_name(args_get(&a, "task"));
    if (!resume && task == TASK_INVALID)
        return args_usage_error(&a, "--task: expected one of %s", task_names());
    mnist_opts_preset(&o, task == TASK_INVALID ? TASK_MNIST28 : task);
    o.threads = 1;
    int shares = 0, epochs = 0, check_every = 10, ckpt_every = 0;
    int frank = -1, fkind = 0, watchdog = 600, blas_threads = 1;
    uint64_t max_updates = 0, fat = 0, synthetic = 0, subset = 0, nval = 0;
    if (args_int(&a, "batch", 1, MNIST_MAX_ROWS, &o.batch) ||
        args_int(&a, "shares", 1, 4096, &shares) ||
        args_int(&a, "epochs", 1, 100000000, &epochs) ||
        args_u64(&a, "seed", &o.seed) || args_double(&a, "lr", &o.lr) ||
        args_double(&a, "lr-decay", &o.lr_decay) ||
        args_double(&a, "std", &o.std) ||
        args_int(&a, "glimpses", 1, 1000, &o.glimpses) ||
        args_int(&a, "hidden", 1, 100000, &o.hidden) ||
        args_count(&a, "subset", 0, &subset) ||
        args_count(&a, "val-images", 0, &nval) ||
        args_count(&a, "synthetic", 0, &synthetic) ||
        args_int(&a, "check-every", 0, 1000000000, &check_every) ||
        args_int(&a, "checkpoint-every", 0, 1000000000, &ckpt_every) ||
        args_count(&a, "max-updates", 0, &max_updates) ||
        args_int(&a, "watchdog", 0, 1000000, &watchdog) ||
        args_int(&a, "blas-threads", 1, 256, &blas_threads))
        return ARGS_USAGE;
    if (args_has(&a, "core") &&
        (o.core = mnist_core_from_name(args_get(&a, "core"))) < 0)
        return args_usage_error(&a, "--core '%s': expected rnn or lstm",
                                args_get(&a, "core"));
    o.subset = (size_t)subset;
    o.val_images = (size_t)nval;
    if (epochs)
        o.epochs = epochs;
    if ((rc = parse_fault(&a, "test-exit", &frank, &fat)) > 1)
        return rc;
    if (rc == 1)
        fkind = 'x';
    else if ((rc = parse_fault(&a, "test-perturb", &frank, &fat)) > 1)
        return rc;
    else if (rc == 1)
        fkind = 'p';
    else if ((rc = parse_fault(&a, "test-hang", &frank, &fat)) > 1)
        return rc;
    else if (rc == 1)
        fkind = 'h';
    if (synthetic == 1 || synthetic > 1000000)
        return args_usage_error(&a, "%s", "--synthetic: 2 .. 1000000 digits");
    static const char *const fixed[] = {
        "task", "batch", "shares", "seed", "lr", "lr-decay", "std",
        "glimpses", "hidden", "core", "subset", "val-images", "synthetic"};
    for (int i = 0; resume && i < ARGS_COUNT(fixed); i++)
        if (args_has(&a, fixed[i]))
            return args_usage_error(&a, "--%s: --resume takes the run's "
                                    "options from its state.txt", fixed[i]);

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_ranks);
    rc = train(resume, &o, shares, epochs, check_every, ckpt_every,
               max_updates, (size_t)synthetic, args_get(&a, "data"), dir,
               args_get(&a, "save"), frank, fat, fkind, (unsigned)watchdog, blas_threads);
    MPI_Finalize();
    return rc;
}

/* Largest parameter difference of two models, relative to the largest
 * parameter of the first (no MPI). */
static int cmd_compare(int argc, char **argv)
{
    static const arg_spec specs[] = {{"max-rel", 1}};
    args a;
    int rc = args_parse(&a, PROG, "compare", argc, argv, specs, 1, 2, NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    double max_rel = -1;
    if (a.n_pos != 2)
        return args_usage_error(&a, "%s", "expected two model files");
    if (args_double(&a, "max-rel", &max_rel))
        return ARGS_USAGE;
    ram_agent *m[2] = {NULL, NULL};
    float *p[2];
    size_t n[2];
    for (int i = 0; i < 2; i++) {
        rc = ram_agent_load_file(&m[i], a.pos[i], RAM_LOAD_INFERENCE);
        if (rc == RAM_OK)
            rc = ram_agent_params(m[i], &p[i], NULL, &n[i]);
        if (rc != RAM_OK) {
            fprintf(stderr, PROG " compare: %s: %s (%s)\n", a.pos[i],
                    ram_strerror(rc), ram_last_error());
            return 1;
        }
    }
    if (n[0] != n[1]) {
        fprintf(stderr, PROG " compare: %zu and %zu parameters\n", n[0], n[1]);
        return 1;
    }
    double diff = 0, big = 0;
    for (size_t k = 0; k < n[0]; k++) {
        diff = fmax(diff, fabs((double)p[0][k] - (double)p[1][k]));
        big = fmax(big, fabs((double)p[0][k]));
    }
    double rel = big > 0 ? diff / big : diff;
    int same = memcmp(p[0], p[1], n[0] * sizeof(float)) == 0;
    printf("%zu parameters: %s; max difference %.3g, largest parameter "
           "%.3g, relative %.3g\n", n[0], same ? "bit-identical" : "differ",
           diff, big, rel);
    ram_agent_free(m[0]);
    ram_agent_free(m[1]);
    if (max_rel >= 0 && !(rel <= max_rel)) {
        fprintf(stderr, PROG " compare: relative difference %.3g above "
                "--max-rel %g\n", rel, max_rel);
        return 1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The all-reduce alone (the cost model's anchor, docs/performance.md): a
 * barrier, then one in-place MPI_SUM of N floats, timed on every rank; the
 * slowest rank's time of each repetition; median and minimum. */
static int cmd_allreduce(int argc, char **argv)
{
    static const arg_spec specs[] = {{"floats", 1}, {"reps", 1}};
    args a;
    int rc = args_parse(&a, PROG, "allreduce", argc, argv, specs, 2, 0, NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    int n = 209165 + EXTRA, reps = 200; /* mnist28's parameters */
    if (args_int(&a, "floats", 1, 1 << 28, &n) ||
        args_int(&a, "reps", 1, 100000, &reps))
        return ARGS_USAGE;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_ranks);
    float *buf = malloc((size_t)n * sizeof *buf);
    double *t = malloc((size_t)reps * sizeof *t);
    if (!buf || !t)
        die("%s", "out of memory");
    for (int i = 0; i < n; i++)
        buf[i] = 0.0f;
    for (int r = -10; r < reps; r++) { /* 10 to warm up */
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        double dt = MPI_Wtime() - t0, worst;
        MPI_Reduce(&dt, &worst, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        if (r >= 0)
            t[r] = worst;
    }
    if (g_rank == 0) {
        qsort(t, (size_t)reps, sizeof *t, cmp_double);
        double bytes = 4.0 * n, med = t[reps / 2];
        printf("%d ranks, %d floats (%.0f bytes), %d all-reduces: median "
               "%.3f ms, min %.3f ms; ring traffic per rank 2(R-1)/R x "
               "bytes = %.0f bytes, %.2f GB/s at the median\n", g_ranks, n,
               bytes, reps, 1e3 * med, 1e3 * t[0],
               2.0 * (g_ranks - 1) / g_ranks * bytes,
               2.0 * (g_ranks - 1) / g_ranks * bytes / med / 1e9);
    }
    free(buf);
    free(t);
    MPI_Finalize();
    return 0;
}

static void help(FILE *f)
{
    fputs("usage: mpirun -np R " PROG " train --task T --out DIR [options]\n"
          "       " PROG " compare A.ram B.ram [--max-rel X]\n"
          "       mpirun -np R " PROG " allreduce [--floats N] [--reps K]\n"
          "'" PROG " train --help' lists the options; docs/mpi.md explains "
          "them.\n", f);
}

int main(int argc, char **argv)
{
    static const args_command cmds[] = {{"train", cmd_train},
                                        {"compare", cmd_compare},
                                        {"allreduce", cmd_allreduce}};
    return args_dispatch(PROG, cmds, ARGS_COUNT(cmds), help, argc, argv);
}
