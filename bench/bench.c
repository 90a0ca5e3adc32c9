/* ram-bench: training and inference throughput, step latency, allocations
 * and memory of libram's agent, each next to the BLAS-only time of the same
 * matrix products (the limit), measured in the same run.
 *
 * usage: ram-bench [--reps N] [--min-time SECONDS] [--quick]
 *                  [--only PRESET] [--no-reexec]
 *        ram-bench --profile PRESET/CORE/WHAT [--seconds S]
 *                  (loops one workload, for perf record)
 *        ram-bench --gemm-calls PRESET/CORE [--seconds S]
 *                  (times each GEMM call of a training step)
 *
 * Every figure is the median over N repetitions; in each repetition every
 * configuration is measured once, one after the other, with its limits
 * right next to it, so that slow drifts of the machine hit both alike. A
 * ratio is limit time / our time, computed per repetition, then the median:
 * 1.00x means as fast as the BLAS calls alone. docs/performance.md explains
 * the figures and holds a recent run. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "blas.h"
#include "gemmseq.h"
#include "ram/ram.h"
#include "replicas.h"

#define BATCH 100
#define MAX_REPS 31
#define LAT_CAP 200000

/* ------------------------------------------------------------ presets */

typedef struct preset {
    const char *name;
    int width, steps, patch, scales;
} preset;

static const preset PRESETS[] = {
    {"mnist28", 28, 6, 8, 1},
    {"cluttered60", 60, 8, 12, 3},
    {"cluttered100", 100, 8, 12, 4},
};
enum { NPRESETS = sizeof PRESETS / sizeof PRESETS[0] };

/* The paper's sizes. */
enum { HG = 128, HL = 128, GSIZE = 256, HIDDEN = 256, ACTIONS = 10 };

/* ------------------------------------------------------------- timing */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the process (all threads): on a shared machine it does not
 * count the time other processes hold the core. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q in [0,1] of n values (sorted in place), nearest rank. */
static double quantile(double *v, int n, double q)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)ceil(q * n) - 1;
    if (i < 0)
        i = 0;
    if (i >= n)
        i = n - 1;
    if (q == 0.5 && n % 2 == 0)
        return 0.5 * (v[n / 2 - 1] + v[n / 2]);
    return v[i];
}

static double median(const double *v, int n)
{
    double tmp[MAX_REPS];
    memcpy(tmp, v, (size_t)n * sizeof *v);
    return quantile(tmp, n, 0.5);
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "ram-bench: %s: %s\n", what,
            rc ? ram_strerror(rc) : strerror(errno));
    exit(2);
}

#define CHECK(call)                                                            \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ != RAM_OK)                                                     \
            die(#call, rc_);                                                   \
    } while (0)

/* ------------------------------------------------------------- combos */

/* One preset with one core type: its agents, data and limit sequences. */
typedef struct combo {
    const preset *p;
    int core;
    net_shape shape;
    size_t img_size;
    unsigned char *images;
    int *labels, *actions;
    float *rewards;
    ram_agent *agent; /* single agent: 1 thread, or BLAS threads */
    ram_agent *rmaster;
    replicas *rep; /* 2 replicas of rmaster */
    ram_agent *lat; /* inference-only, batch 1 */
    ram_sensor *sensor; /* the agent's retina, alone */
    float *loc, *rho;   /* T x BATCH x 2 locations; BATCH x R glimpses */
    double phase[4];    /* seconds: begin, steps, reward+end, update */
    double *lat_us;
    int nlat;
} combo;

static const char *core_name(int core)
{
    return core == RAM_CORE_LSTM ? "LSTM" : "RNN";
}

/* An agent for preset p reading w x w images (its input geometry). */
static ram_agent *make_agent_w(const preset *p, int core, int trainable,
                               size_t w)
{
    ram_config *cfg;
    ram_agent *a;
    CHECK(ram_config_create(&cfg));
    CHECK(ram_config_set(cfg, RAM_CFG_PATCH, p->patch));
    CHECK(ram_config_set(cfg, RAM_CFG_SCALES, p->scales));
    CHECK(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, HG));
    CHECK(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, HL));
    CHECK(ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, GSIZE));
    CHECK(ram_config_set(cfg, RAM_CFG_HIDDEN, HIDDEN));
    CHECK(ram_config_set(cfg, RAM_CFG_ACTIONS, ACTIONS));
    CHECK(ram_config_set(cfg, RAM_CFG_CORE, core));
    CHECK(ram_config_set(cfg, RAM_CFG_MAX_STEPS, p->steps));
    CHECK(ram_config_set(cfg, RAM_CFG_TRAINABLE, trainable));
    CHECK(ram_config_set(cfg, RAM_CFG_SEED, 12345));
    CHECK(ram_agent_create(&a, cfg));
    ram_config_free(cfg);
    CHECK(ram_agent_set_input(a, RAM_PIXEL_U8, w, w, w, w * w));
    return a;
}

static ram_agent *make_agent(const preset *p, int core, int trainable)
{
    return make_agent_w(p, core, trainable, (size_t)p->width);
}

static void combo_init(combo *c, const preset *p, int core)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->core = core;
    c->shape = (net_shape){p->scales * p->patch * p->patch, HG, HL, GSIZE,
                           HIDDEN, ACTIONS, p->steps,
                           core == RAM_CORE_LSTM};
    c->img_size = (size_t)p->width * (size_t)p->width;
    c->images = malloc(BATCH * c->img_size);
    c->labels = malloc(BATCH * sizeof *c->labels);
    c->actions = malloc(BATCH * sizeof *c->actions);
    c->rewards = malloc(BATCH * sizeof *c->rewards);
    c->lat_us = malloc(LAT_CAP * sizeof *c->lat_us);
    if (!c->images || !c->labels || !c->actions || !c->rewards || !c->lat_us)
        die("malloc", 0);
    uint32_t x = 0x9e3779b9u ^ (uint32_t)(p->width * 7 + core);
    for (size_t i = 0; i < BATCH * c->img_size; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c->images[i] = (unsigned char)(x >> 24);
    }
    for (int b = 0; b < BATCH; b++)
        c->labels[b] = (b * 7 + 3) % ACTIONS;
    c->agent = make_agent(p, core, 1);
    c->rmaster = make_agent(p, core, 1);
    CHECK(replicas_create(c->rmaster, 2, 1000, &c->rep));
    size_t w = (size_t)p->width;
    CHECK(replicas_set_input(c->rep, RAM_PIXEL_U8, w, w, w, w * w));
    c->lat = make_agent(p, core, 0);
    CHECK(ram_sensor_create(&c->sensor, p->patch, p->scales, 1));
    c->loc = malloc((size_t)p->steps * BATCH * 2 * sizeof *c->loc);
    c->rho = malloc(BATCH * ram_sensor_output_size(c->sensor) * sizeof *c->rho);
    if (!c->loc || !c->rho)
        die("malloc", 0);
    for (size_t i = 0; i < (size_t)p->steps * BATCH * 2; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c->loc[i] = (float)(x >> 8) / 16777216.0f * 1.6f - 0.8f;
    }
}

static void combo_free(combo *c)
{
    replicas_free(c->rep);
    ram_agent_free(c->rmaster);
    ram_agent_free(c->agent);
    ram_agent_free(c->lat);
    ram_sensor_free(c->sensor);
    free(c->loc);
    free(c->rho);
    free(c->images);
    free(c->labels);
    free(c->actions);
    free(c->rewards);
    free(c->lat_us);
}

/* One training episode on rows [lo, hi): T steps, a reward of 1 for the
 * right class at the last step, the hybrid loss. */
static int train_slice(ram_agent *a, int index, size_t lo, size_t hi,
                       void *user)
{
    combo *c = user;
    (void)index;
    size_t n = hi - lo;
    const unsigned char *img = c->images + lo * c->img_size;
    int rc = ram_agent_begin(a, n, RAM_BEGIN_TRAIN);
    for (int t = 0; t < c->p->steps && rc == RAM_OK; t++)
        rc = ram_agent_step(a, img, n * c->img_size, NULL, NULL,
                            t == c->p->steps - 1 ? c->actions + lo : NULL);
    if (rc != RAM_OK)
        return rc;
    for (size_t b = lo; b < hi; b++)
        c->rewards[b] = c->actions[b] == c->labels[b] ? 1.0f : 0.0f;
    rc = ram_agent_reward(a, c->rewards + lo);
    return rc ? rc : ram_agent_end(a, c->labels + lo);
}

/* The single-agent training step with a timer around each phase. */
static int train_timed(combo *c)
{
    double t0 = now();
    int rc = ram_agent_begin(c->agent, BATCH, RAM_BEGIN_TRAIN);
    double t1 = now();
    for (int t = 0; t < c->p->steps && rc == RAM_OK; t++)
        rc = ram_agent_step(c->agent, c->images, BATCH * c->img_size, NULL, NULL,
                            t == c->p->steps - 1 ? c->actions : NULL);
    double t2 = now();
    if (rc != RAM_OK)
        return rc;
    for (size_t b = 0; b < BATCH; b++)
        c->rewards[b] = c->actions[b] == c->labels[b] ? 1.0f : 0.0f;
    rc = ram_agent_reward(c->agent, c->rewards);
    if (rc == RAM_OK)
        rc = ram_agent_end(c->agent, c->labels);
    double t3 = now();
    if (rc == RAM_OK)
        rc = ram_agent_update(c->agent);
    double t4 = now();
    c->phase[0] += t1 - t0;
    c->phase[1] += t2 - t1;
    c->phase[2] += t3 - t2;
    c->phase[3] += t4 - t3;
    return rc;
}

/* The retina alone: one episode's glimpses of the batch. */
static int sensor_episode(combo *c)
{
    size_t w = (size_t)c->p->width;
    for (int t = 0; t < c->p->steps; t++) {
        int rc = ram_sensor_glimpse(c->sensor, BATCH, c->images,
                                    RAM_PIXEL_U8, w, w, w, w * w,
                                    c->loc + (size_t)t * BATCH * 2, c->rho);
        if (rc != RAM_OK)
            return rc;
    }
    return RAM_OK;
}

static int infer_slice(ram_agent *a, int index, size_t lo, size_t hi,
                       void *user)
{
    combo *c = user;
    (void)index;
    const unsigned char *img = c->images + lo * c->img_size;
    int rc = ram_agent_begin(a, hi - lo, 0);
    for (int t = 0; t < c->p->steps && rc == RAM_OK; t++)
        rc = ram_agent_step(a, img, (hi - lo) * c->img_size, NULL, NULL,
                            t == c->p->steps - 1 ? c->actions + lo : NULL);
    return rc ? rc : ram_agent_end(a, NULL);
}

static int seq_slice(ram_agent *a, int index, size_t lo, size_t hi,
                     void *user)
{
    gemm_seq **half = user;
    (void)a;
    (void)lo;
    (void)hi;
    gemm_seq_run(half[index]);
    return 0;
}

/* ---------------------------------------------------------- workloads */

enum kind { K_TRAIN, K_INFER, K_SEQ, K_LAT, K_SENSOR };
enum method { M_ONE, M_BLAS2, M_REPLICAS };

typedef struct workload {
    combo *c;
    enum kind kind;
    enum method method;
    gemm_seq *seq;     /* K_SEQ, M_ONE / M_BLAS2 */
    gemm_seq *half[2]; /* K_SEQ, M_REPLICAS: one per replica */
    double t[MAX_REPS]; /* seconds per iteration */
    double phase[MAX_REPS][4]; /* K_TRAIN, M_ONE: seconds per phase */
} workload;

static int run_once(workload *w)
{
    combo *c = w->c;
    int rc = 0;
    switch (w->kind) {
    case K_TRAIN:
        if (w->method == M_REPLICAS) {
            rc = replicas_run(c->rep, BATCH, train_slice, c);
            if (rc == 0)
                rc = replicas_update(c->rep);
        } else {
            rc = train_timed(c);
        }
        break;
    case K_SENSOR:
        rc = sensor_episode(c);
        break;
    case K_INFER:
        if (w->method == M_REPLICAS)
            rc = replicas_run(c->rep, BATCH, infer_slice, c);
        else
            rc = infer_slice(c->agent, 0, 0, BATCH, c);
        break;
    case K_SEQ:
        if (w->method == M_REPLICAS)
            rc = replicas_run(c->rep, BATCH, seq_slice, w->half);
        else
            gemm_seq_run(w->seq);
        break;
    case K_LAT:
        break;
    }
    return rc;
}

/* Episodes at batch 1, timing each step, for at least `min_time`. */
static void run_latency(combo *c, double min_time)
{
    const unsigned char *img = c->images;
    float loc[2];
    int act; /* a control loop acts every step: the action head runs */
    double t0 = now();
    do {
        CHECK(ram_agent_begin(c->lat, 1, 0));
        for (int t = 0; t < c->p->steps; t++) {
            double a = now();
            int rc = ram_agent_step(c->lat, img, c->img_size, loc, NULL, &act);
            double b = now();
            if (rc != RAM_OK)
                die("ram_agent_step (batch 1)", rc);
            if (c->nlat < LAT_CAP)
                c->lat_us[c->nlat++] = (b - a) * 1e6;
        }
        CHECK(ram_agent_end(c->lat, NULL));
    } while (now() - t0 < min_time);
}

static double measure(workload *w, double min_time)
{
    bench_blas_set_threads(w->method == M_BLAS2 ? 2 : 1);
    if (w->kind == K_LAT) {
        run_latency(w->c, min_time);
        return 0.0;
    }
    double t0 = now();
    int rc = run_once(w); /* warm-up: caches, and the other threads */
    double first = now() - t0;
    if (rc != 0)
        die("warm-up", rc);
    if (first < 0.25 * min_time) {
        rc = run_once(w);
        if (rc != 0)
            die("warm-up", rc);
    }
    int iters = 0;
    double el;
    memset(w->c->phase, 0, sizeof w->c->phase);
    t0 = now();
    do {
        rc = run_once(w);
        if (rc != 0)
            die("run", rc);
        iters++;
        el = now() - t0;
    } while (el < min_time || iters < 2);
    if (w->kind == K_TRAIN && w->method != M_REPLICAS)
        for (int k = 0; k < 4; k++)
            w->c->phase[k] /= iters;
    return el / iters;
}

/* ----------------------------------------------------------- machine */

static void cpu_line(char *out, size_t cap)
{
    char model[128] = "?", fam[16] = "?", mod[16] = "?", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            char *v = strchr(line, ':');
            if (!v)
                continue;
            v++;
            while (*v == ' ')
                v++;
            v[strcspn(v, "\n")] = 0;
            if (!strncmp(line, "model name", 10) && model[0] == '?')
                snprintf(model, sizeof model, "%s", v);
            else if (!strncmp(line, "cpu family", 10) && fam[0] == '?')
                snprintf(fam, sizeof fam, "%s", v);
            else if (!strncmp(line, "model\t", 6) && mod[0] == '?')
                snprintf(mod, sizeof mod, "%s", v);
        }
        fclose(f);
    }
    int avx512 = 0;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    avx512 = __builtin_cpu_supports("avx512f") != 0;
#endif
    snprintf(out, cap, "%s (family %s, model %s), %ld CPUs online, AVX-512 %s",
             model, fam, mod, sysconf(_SC_NPROCESSORS_ONLN),
             avx512 ? "yes" : "no");
}

/* CPUs kept busy by other processes: /proc/stat sampled over `sec` seconds
 * while this process sleeps (-1 if unknown). The load average would still
 * count a previous run for minutes. */
static double busy_cpus(double sec)
{
    unsigned long long v[2][10] = {{0}};
    for (int k = 0; k < 2; k++) {
        FILE *f = fopen("/proc/stat", "r");
        if (!f)
            return -1.0;
        int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
                         &v[k][0], &v[k][1], &v[k][2], &v[k][3], &v[k][4],
                         &v[k][5], &v[k][6], &v[k][7]);
        fclose(f);
        if (got != 8)
            return -1.0;
        if (k == 0) {
            struct timespec ts = {(time_t)sec,
                                  (long)((sec - (double)(time_t)sec) * 1e9)};
            nanosleep(&ts, NULL);
        }
    }
    unsigned long long tot = 0, idle = 0;
    for (int i = 0; i < 8; i++)
        tot += v[1][i] - v[0][i];
    idle = (v[1][3] - v[0][3]) + (v[1][4] - v[0][4]); /* idle + iowait */
    if (tot == 0)
        return -1.0;
    return (double)(tot - idle) / (double)tot *
           (double)sysconf(_SC_NPROCESSORS_ONLN);
}

/* ---------------------------------------------------------- sections */

static void print_rule(void)
{
    puts("---------------------------------------------------------------"
         "-------------");
}

/* Allocation calls per step at batch 1 (must be 0), and, for information,
 * per training step at batch 100. Returns the batch-1 total. */
static long alloc_section(combo *cs, int nc)
{
    long bad_total = 0;
    printf("\nHeap allocations (counted by malloc/calloc/realloc/memalign "
           "wrappers)%s\n",
           bench_alloc_counting() ? "" : " -- NOT COUNTED in this build");
    print_rule();
    printf("%-13s %-5s %14s %14s %16s %12s\n", "preset", "core",
           "b=1 infer/step", "b=1 train/step", "b=1 end+update",
           "b=100 train");
    print_rule();
    bench_blas_set_threads(1);
    for (int i = 0; i < nc; i++) {
        combo *c = &cs[i];
        ram_agent *a = make_agent(c->p, c->core, 1);
        float loc[2], probs[ACTIONS];
        int act;
        long steps = 0, inf = 0, trn = 0, endup = 0, big = 0;
        int rc = 0;
        for (int pass = 0; pass < 2; pass++) { /* 0: warm-up */
            for (int ep = 0; ep < 4; ep++) {
                unsigned flags = ep & 1 ? RAM_BEGIN_TRAIN : 0;
                long before = bench_alloc_calls();
                rc |= ram_agent_begin(a, 1, flags);
                for (int t = 0; t < c->p->steps; t++)
                    rc |= ram_agent_step(a, c->images, c->img_size, loc, probs, &act);
                rc |= ram_agent_location(a, loc);
                long used = bench_alloc_calls() - before;
                before = bench_alloc_calls();
                rc |= ram_agent_end(a, c->labels);
                if (flags)
                    rc |= ram_agent_update(a);
                long used_end = bench_alloc_calls() - before;
                if (pass) {
                    *(flags ? &trn : &inf) += used;
                    endup += flags ? used_end : 0;
                    steps += flags ? c->p->steps : 0;
                }
            }
            long before = bench_alloc_calls();
            rc |= train_slice(a, 0, 0, BATCH, c);
            rc |= ram_agent_update(a);
            if (pass)
                big = bench_alloc_calls() - before;
        }
        if (rc)
            die("allocation run", rc);
        printf("%-13s %-5s %14.2f %14.2f %16.2f %12ld\n", c->p->name,
               core_name(c->core), (double)inf / (double)steps,
               (double)trn / (double)steps, (double)endup / 2.0, big);
        bad_total += inf + trn;
        ram_agent_free(a);
    }
    print_rule();
    printf("b=1 columns must be 0 (ram_agent_step never allocates); "
           "end+update is per episode;\nb=100 train: calls in one whole "
           "training step at batch 100 after warm-up.\n");
    return bad_total;
}

static void memory_section(combo *cs, int nc)
{
    printf("\nMemory (live heap bytes, counted by the wrappers)\n");
    print_rule();
    printf("%-13s %-5s %-8s %11s %11s %9s %14s\n", "preset", "core",
           "image", "params", "inference", "overhead", "train b=100");
    print_rule();
    if (!bench_alloc_counting()) {
        puts("(not counted in this build)");
        return;
    }
    bench_blas_set_threads(1);
    for (int i = 0; i < nc; i++) {
        combo *c = &cs[i];
        const preset *p = c->p;
        /* Inference-only agent through a batch-1 episode. */
        long long before = bench_alloc_live();
        ram_agent *a = make_agent(p, c->core, 0);
        CHECK(ram_agent_begin(a, 1, 0));
        for (int t = 0; t < p->steps; t++)
            CHECK(ram_agent_step(a, c->images, c->img_size, NULL, NULL, NULL));
        CHECK(ram_agent_end(a, NULL));
        long long inf = bench_alloc_live() - before;
        size_t count;
        CHECK(ram_agent_params(a, NULL, NULL, &count));
        ram_agent_free(a);
        /* Trainable agent after one training step at batch 100. */
        before = bench_alloc_live();
        a = make_agent(p, c->core, 1);
        CHECK(train_slice(a, 0, 0, BATCH, c));
        CHECK(ram_agent_update(a));
        long long trn = bench_alloc_live() - before;
        ram_agent_free(a);
        char img[16];
        snprintf(img, sizeof img, "%dx%d", p->width, p->width);
        printf("%-13s %-5s %-8s %11zu %11lld %9lld %14lld\n", p->name,
               core_name(c->core), img, count * sizeof(float), inf,
               inf - (long long)(count * sizeof(float)), trn);
    }
    /* The same agent on larger images: the image size does not matter. */
    {
        const preset *p = &PRESETS[0];
        printf("%s RNN agent, inference, on 28x28 / 60x60 / 100x100 images:",
               p->name);
        for (int k = 0; k < NPRESETS; k++) {
            size_t w = (size_t)PRESETS[k].width;
            unsigned char *img = calloc(w * w, 1);
            if (!img)
                die("calloc", 0);
            long long before = bench_alloc_live();
            ram_agent *a = make_agent_w(p, RAM_CORE_RNN, 0, w);
            CHECK(ram_agent_begin(a, 1, 0));
            for (int t = 0; t < p->steps; t++)
                CHECK(ram_agent_step(a, img, w * w, NULL, NULL, NULL));
            CHECK(ram_agent_end(a, NULL));
            printf(" %lld", bench_alloc_live() - before);
            ram_agent_free(a);
            free(img);
        }
        printf(" bytes\n");
    }
    print_rule();
    printf("inference = everything an inference-only agent (RAM_CFG_TRAINABLE "
           "= 0) holds\nafter a batch-1 episode, malloc's usable sizes "
           "included; overhead = inference - params.\n");
}

/* ---------------------------------------------------------------- main */

/* --profile PRESET/CORE/WHAT: loop one workload for `seconds`, nothing
 * else, so that a profiler sees only it. WHAT: train (1 agent), replicas
 * (2 replicas training), infer (batch 100), step (batch 1), limit (the
 * GEMM-only sequence of a training step). */
/* A preset and a core type by name; 0 if either is unknown. */
static int find_config(const char *name, const char *core, const preset **p,
                       int *ct)
{
    *p = NULL;
    for (int i = 0; i < NPRESETS; i++)
        if (!strcmp(name, PRESETS[i].name))
            *p = &PRESETS[i];
    *ct = !strcasecmp(core, "lstm") ? RAM_CORE_LSTM
          : !strcasecmp(core, "rnn") ? RAM_CORE_RNN
                                     : 0;
    return *p && *ct;
}

/* The commonest product of a step, [100 x 256] x [256 x 256]^T on one BLAS
 * thread, timed before and after replicas_blas_warm_up() (OpenBLAS 0.3.21's
 * Zen kernel runs it at a third of its speed while its packing buffer is
 * cold; docs/performance.md). Must run before any other BLAS work of the
 * process. Writes GFLOP/s (best of 5 batches of 10 calls) to *cold, *warm. */
static void warm_up_check(double *cold, double *warm)
{
    enum { M = 100, N = 256, K = 256, CALLS = 10, BATCHES = 5 };
    float *a = malloc(sizeof(float) * M * K), *b = malloc(sizeof(float) * N * K);
    float *c = malloc(sizeof(float) * M * N);
    if (!a || !b || !c)
        die("malloc", 0);
    for (int i = 0; i < M * K; i++)
        a[i] = 0.01f * (float)(i % 7);
    for (int i = 0; i < N * K; i++)
        b[i] = 0.01f * (float)(i % 5);
    bench_blas_set_threads(1);
    double *out[2] = {cold, warm};
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && replicas_blas_warm_up() != RAM_OK)
            die("replicas_blas_warm_up", RAM_E_NOMEM);
        cblas_sgemm(BENCH_ROW_MAJOR, BENCH_NO_TRANS, BENCH_TRANS, M, N, K,
                    1.0f, a, K, b, K, 0.0f, c, N); /* untimed */
        double best = 1e30;
        for (int r = 0; r < BATCHES; r++) {
            double t = now();
            for (int i = 0; i < CALLS; i++)
                cblas_sgemm(BENCH_ROW_MAJOR, BENCH_NO_TRANS, BENCH_TRANS, M, N,
                            K, 1.0f, a, K, b, K, 0.0f, c, N);
            t = now() - t;
            if (t < best)
                best = t;
        }
        *out[pass] = 2.0 * M * N * K * CALLS / best / 1e9;
    }
    free(a);
    free(b);
    free(c);
}

static int profile(const char *spec, double seconds)
{
    char name[64], core[16], what[16];
    const preset *p;
    int ct;
    if (sscanf(spec, "%63[^/]/%15[^/]/%15s", name, core, what) != 3 ||
        !find_config(name, core, &p, &ct))
        return 2;
    combo c;
    combo_init(&c, p, ct);
    workload w = {.c = &c, .kind = K_TRAIN, .method = M_ONE};
    if (!strcmp(what, "replicas"))
        w.method = M_REPLICAS;
    else if (!strcmp(what, "infer"))
        w.kind = K_INFER;
    else if (!strcmp(what, "step"))
        w.kind = K_LAT;
    else if (!strcmp(what, "limit")) {
        w.kind = K_SEQ;
        w.seq = gemm_seq_create(SEQ_TRAIN_OURS, &c.shape, BATCH);
        if (!w.seq)
            die("gemm_seq_create", 0);
    } else if (strcmp(what, "train"))
        return 2;
    bench_blas_set_threads(1);
    double t0 = now(), c0 = cpu_now();
    long n = 0;
    if (w.kind == K_LAT) {
        while (now() - t0 < seconds) {
            c.nlat = 0;
            run_latency(&c, 0.1);
            n += c.nlat;
        }
    } else {
        while (now() - t0 < seconds) {
            int rc = run_once(&w);
            if (rc != 0)
                die("run", rc);
            n++;
        }
    }
    double el = now() - t0, cpu = cpu_now() - c0;
    printf("%s: %ld iterations in %.2f s, %.3f ms each, %.3f ms CPU each\n",
           spec, n, el, el / (double)n * 1e3, cpu / (double)n * 1e3);
    gemm_seq_free(w.seq);
    combo_free(&c);
    return 0;
}

/* One line per call of a sequence: shape, transpositions, median time. */
static void print_calls(const char *title, const gemm_seq *q, double **t,
                        int iters, double whole)
{
    int n = gemm_seq_calls(q);
    double *v = malloc((size_t)iters * sizeof *v), *med;
    med = malloc((size_t)n * sizeof *med);
    if (!v || !med)
        die("malloc", 0);
    double sum = 0.0, flops = 0.0;
    for (int i = 0; i < n; i++) {
        for (int r = 0; r < iters; r++)
            v[r] = t[r][i];
        med[i] = quantile(v, iters, 0.5);
        sum += med[i];
    }
    printf("\n%s: %d calls\n", title, n);
    print_rule();
    printf("%4s %4s %-17s %4s %5s %5s %5s %4s %9s %8s %6s\n", "#", "step",
           "product", "op", "M", "N", "K", "beta", "us", "GFLOP/s", "share");
    print_rule();
    for (int i = 0; i < n; i++) {
        gemm_call c;
        gemm_seq_call_info(q, i, &c);
        char step[12] = "all", op[4];
        if (c.step >= 0)
            snprintf(step, sizeof step, "%d", c.step);
        snprintf(op, sizeof op, "%s", c.gemv ? "gv" : "");
        if (!c.gemv)
            snprintf(op, sizeof op, "%c%c", c.ta ? 'T' : 'N', c.tb ? 'T' : 'N');
        flops += c.flops;
        printf("%4d %4s %-17s %4s %5d %5d %5d %4.0f %9.1f %8.1f %5.1f%%\n", i,
               step, c.what, op, c.M, c.N, c.K, c.beta, med[i] * 1e6,
               c.flops / med[i] * 1e-9, 100.0 * med[i] / sum);
    }
    print_rule();
    /* The same by product, summed over the steps, in order of appearance. */
    printf("%-22s %5s %10s %9s %8s %6s\n", "product (all steps)", "calls",
           "MFLOP", "us", "GFLOP/s", "share");
    for (int i = 0; i < n; i++) {
        gemm_call c;
        gemm_seq_call_info(q, i, &c);
        int first = 1;
        for (int j = 0; j < i && first; j++) {
            gemm_call d;
            gemm_seq_call_info(q, j, &d);
            first = strcmp(c.what, d.what) != 0;
        }
        if (!first)
            continue;
        int calls = 0;
        double us = 0.0, fl = 0.0;
        for (int j = i; j < n; j++) {
            gemm_call d;
            gemm_seq_call_info(q, j, &d);
            if (!strcmp(c.what, d.what)) {
                calls++;
                us += med[j] * 1e6;
                fl += d.flops;
            }
        }
        printf("%-22s %5d %10.2f %9.1f %8.1f %5.1f%%\n", c.what, calls,
               fl * 1e-6, us, fl / us * 1e-3, 100.0 * us / (sum * 1e6));
    }
    print_rule();
    printf("sum of the calls' medians %.3f ms (%.1f GFLOP/s); the whole "
           "sequence %.3f ms\n",
           sum * 1e3, flops / sum * 1e-9, whole * 1e3);
    free(v);
    free(med);
}

/* --gemm-calls PRESET/CORE: every call of libram's and of PyTorch's
 * training-step sequence timed alone (in sequence order, so that the
 * caches hold what they hold in a step), medians over the runs. */
static int gemm_calls(const char *spec, double seconds)
{
    char name[64], core[16];
    const preset *p;
    int ct;
    if (sscanf(spec, "%63[^/]/%15s", name, core) != 2 ||
        !find_config(name, core, &p, &ct))
        return 2;
    net_shape s = {p->scales * p->patch * p->patch, HG, HL, GSIZE, HIDDEN,
                   ACTIONS, p->steps, ct == RAM_CORE_LSTM};
    bench_blas_set_threads(1);
    printf("GEMM calls of one training step: %s %s, batch %d, 1 thread; "
           "median us per call\n(op: N/T = op(A), op(B) not transposed / "
           "transposed, row-major; C[M x N], inner K)\n",
           p->name, core_name(ct), BATCH);
    const seq_kind kinds[2] = {SEQ_TRAIN_OURS, SEQ_TRAIN_PYTORCH};
    const char *titles[2] = {"libram's sequence", "PyTorch's sequence"};
    enum { MAX_ITERS = 2000 };
    for (int k = 0; k < 2; k++) {
        gemm_seq *q = gemm_seq_create(kinds[k], &s, BATCH);
        if (!q)
            die("gemm_seq_create", 0);
        int n = gemm_seq_calls(q), iters = 0;
        double **t = malloc(MAX_ITERS * sizeof *t);
        double whole[MAX_ITERS];
        if (!t)
            die("malloc", 0);
        for (int w = 0; w < 3; w++)
            gemm_seq_run(q);
        double t0 = now();
        while (iters < MAX_ITERS && (iters < 5 || now() - t0 < seconds / 2)) {
            t[iters] = malloc((size_t)n * sizeof **t);
            if (!t[iters])
                die("malloc", 0);
            double a = now(), b = a;
            for (int i = 0; i < n; i++) {
                gemm_seq_run_call(q, i);
                double c = now();
                t[iters][i] = c - b;
                b = c;
            }
            whole[iters++] = b - a;
        }
        print_calls(titles[k], q, t, iters, quantile(whole, iters, 0.5));
        for (int r = 0; r < iters; r++)
            free(t[r]);
        free(t);
        gemm_seq_free(q);
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ram-bench [--reps N] [--min-time SECONDS] [--quick]\n"
            "                 [--only PRESET] [--no-reexec]\n"
            "       ram-bench --profile PRESET/CORE/WHAT [--seconds S]\n"
            "       ram-bench --gemm-calls PRESET/CORE [--seconds S]\n"
            "  --reps N        interleaved repetitions, medians (default 7)\n"
            "  --min-time S    seconds per measurement (default 0.15)\n"
            "  --quick         --reps 3 --min-time 0.05\n"
            "  --only PRESET   mnist28, cluttered60 or cluttered100\n"
            "  --no-reexec     keep OpenBLAS's own kernel choice\n"
            "  --profile P/C/W loop one workload (for perf record): P a "
            "preset,\n"
            "                  C rnn or lstm, W train, replicas, infer, "
            "step or limit\n"
            "  --seconds S     how long --profile or --gemm-calls runs "
            "(default 10)\n"
            "  --gemm-calls P/C  time each GEMM call of libram's and of "
            "PyTorch's\n"
            "                  training step alone (P a preset, C rnn or "
            "lstm)\n");
}

int main(int argc, char **argv)
{
    int reps = 7, reexec = 1;
    double min_time = 0.15, seconds = 10.0;
    const char *only = NULL, *prof = NULL, *calls = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--min-time") && i + 1 < argc)
            min_time = atof(argv[++i]);
        else if (!strcmp(argv[i], "--quick")) {
            reps = 3;
            min_time = 0.05;
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--no-reexec"))
            reexec = 0;
        else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
            prof = argv[++i];
        else if (!strcmp(argv[i], "--gemm-calls") && i + 1 < argc)
            calls = argv[++i];
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (reps < 1 || reps > MAX_REPS || !(min_time > 0.0)) {
        usage(stderr);
        return 2;
    }
    if (only) {
        int found = 0;
        for (int i = 0; i < NPRESETS; i++)
            found |= !strcmp(only, PRESETS[i].name);
        if (!found) {
            fprintf(stderr, "ram-bench: no preset named '%s'\n", only);
            return 2;
        }
    }
    if (reexec)
        bench_blas_maybe_reexec(argv);
    if (prof || calls) {
        if (bench_blas_reexec_note())
            printf("note: %s\n", bench_blas_reexec_note());
        int rc = prof ? profile(prof, seconds) : gemm_calls(calls, seconds);
        if (rc == 2)
            usage(stderr);
        return rc;
    }
    double t_start = now();

    /* Header. */
    char cpu[256], date[64];
    time_t tt = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&tt));
    cpu_line(cpu, sizeof cpu);
    printf("ram-bench: libram %s, %s\n", ram_version_string(), date);
    printf("machine:   %s\n", cpu);
    double busy = busy_cpus(0.5);
    printf("compiler:  %s\n", __VERSION__);
    if (busy >= 0.0)
        printf("other load: %.2f CPUs busy (other processes, 0.5 s before the "
               "start)\n",
               busy);
    printf("BLAS:      %s\n", bench_blas_describe());
    printf("threads:   %s\n", bench_blas_threads_describe());
    if (bench_blas_reexec_note())
        printf("note:      %s\n", bench_blas_reexec_note());
    double cold, warm;
    warm_up_check(&cold, &warm);
    printf("warm-up:   [100 x 256] x [256 x 256]^T, 1 thread: %.1f GFLOP/s "
           "cold, %.1f after\n           replicas_blas_warm_up()%s\n",
           cold, warm,
           warm > 1.5 * cold ? " (this BLAS needs it: see performance.md)"
                             : "");
    if (busy > 0.25)
        printf("warning:   other processes share the cores: the figures are "
               "noisier, the\n           2-thread ones most\n");
    printf("           2 threads = 2 replicas x 50 rows (%s each) or 1 agent\n"
           "           with 2 BLAS threads; both are shown, * marks the "
           "better\n",
           "1 BLAS thread");
    printf("method:    batch %d; medians of %d interleaved repetitions of "
           ">= %.2f s;\n           x = limit time / our time, per repetition "
           "(1.00x = as fast as the GEMMs alone)\n",
           BATCH, reps, min_time);

    /* Configurations. */
    combo cs[2 * NPRESETS];
    int nc = 0;
    for (int i = 0; i < NPRESETS; i++) {
        if (only && strcmp(only, PRESETS[i].name))
            continue;
        combo_init(&cs[nc++], &PRESETS[i], RAM_CORE_RNN);
        combo_init(&cs[nc++], &PRESETS[i], RAM_CORE_LSTM);
    }
    if (nc == 0) {
        fprintf(stderr, "ram-bench: no preset named '%s'\n", only);
        return 2;
    }

    /* Workloads, per combo, in measuring order: each figure next to its
     * limits. */
    enum {
        W_T1, W_L1O, W_L1P, W_T2R, W_L2RO, W_L2RP, W_T2B, W_L2BO, W_L2BP,
        W_I1, W_LF1, W_I2R, W_LF2R, W_I2B, W_LF2B, W_LAT, W_LG, W_SENS,
        W_N
    };
    workload *ws = calloc((size_t)nc * W_N, sizeof *ws);
    if (!ws)
        die("calloc", 0);
    for (int i = 0; i < nc; i++) {
        combo *c = &cs[i];
        workload *w = ws + i * W_N;
        const net_shape *s = &c->shape;
        gemm_seq *ours = gemm_seq_create(SEQ_TRAIN_OURS, s, BATCH);
        gemm_seq *pt = gemm_seq_create(SEQ_TRAIN_PYTORCH, s, BATCH);
        gemm_seq *fw = gemm_seq_create(SEQ_FORWARD, s, BATCH);
        gemm_seq *gv = gemm_seq_create(SEQ_GEMV, s, 1);
        gemm_seq *ours_h[2], *pt_h[2], *fw_h[2];
        for (int k = 0; k < 2; k++) {
            ours_h[k] = gemm_seq_create(SEQ_TRAIN_OURS, s, BATCH / 2);
            pt_h[k] = gemm_seq_create(SEQ_TRAIN_PYTORCH, s, BATCH / 2);
            fw_h[k] = gemm_seq_create(SEQ_FORWARD, s, BATCH / 2);
            if (!ours_h[k] || !pt_h[k] || !fw_h[k])
                die("gemm_seq_create", 0);
        }
        if (!ours || !pt || !fw || !gv)
            die("gemm_seq_create", 0);
        for (int k = 0; k < W_N; k++) {
            w[k].c = c;
            w[k].method = M_ONE;
        }
        w[W_T1].kind = K_TRAIN;
        w[W_T2R].kind = K_TRAIN;
        w[W_T2R].method = M_REPLICAS;
        w[W_T2B].kind = K_TRAIN;
        w[W_T2B].method = M_BLAS2;
        w[W_I1].kind = K_INFER;
        w[W_I2R].kind = K_INFER;
        w[W_I2R].method = M_REPLICAS;
        w[W_I2B].kind = K_INFER;
        w[W_I2B].method = M_BLAS2;
        w[W_LAT].kind = K_LAT;
        w[W_SENS].kind = K_SENSOR;
        struct {
            int k;
            enum method m;
            gemm_seq *one, **half;
        } seqs[] = {
            {W_L1O, M_ONE, ours, NULL},      {W_L1P, M_ONE, pt, NULL},
            {W_L2RO, M_REPLICAS, NULL, ours_h}, {W_L2RP, M_REPLICAS, NULL, pt_h},
            {W_L2BO, M_BLAS2, ours, NULL},   {W_L2BP, M_BLAS2, pt, NULL},
            {W_LF1, M_ONE, fw, NULL},        {W_LF2R, M_REPLICAS, NULL, fw_h},
            {W_LF2B, M_BLAS2, fw, NULL},     {W_LG, M_ONE, gv, NULL},
        };
        for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
            workload *x = &w[seqs[k].k];
            x->kind = K_SEQ;
            x->method = seqs[k].m;
            x->seq = seqs[k].one;
            if (seqs[k].half) {
                x->half[0] = seqs[k].half[0];
                x->half[1] = seqs[k].half[1];
            }
        }
    }

    /* The measurements. */
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < nc * W_N; i++) {
            ws[i].t[r] = measure(&ws[i], min_time);
            memcpy(ws[i].phase[r], ws[i].c->phase, sizeof ws[i].phase[r]);
        }
        fprintf(stderr, "  repetition %d/%d done (%.0f s)\n", r + 1, reps,
                now() - t_start);
    }
    bench_blas_set_threads(1);

    /* Limits. */
    printf("\nLimits: GEMM-only time of one training step at batch %d "
           "(1 thread)\n",
           BATCH);
    print_rule();
    printf("%-13s %-5s %6s %8s %9s %8s | %6s %8s %9s %8s\n", "preset", "core",
           "calls", "GFLOP", "ms", "GFLOP/s", "calls", "GFLOP", "ms",
           "GFLOP/s");
    printf("%-19s %34s | %34s\n", "", "libram's sequence",
           "PyTorch's sequence");
    print_rule();
    for (int i = 0; i < nc; i++) {
        workload *w = ws + i * W_N;
        double to = median(w[W_L1O].t, reps), tp = median(w[W_L1P].t, reps);
        double fo = gemm_seq_flops(w[W_L1O].seq) * 1e-9;
        double fp = gemm_seq_flops(w[W_L1P].seq) * 1e-9;
        printf("%-13s %-5s %6d %8.3f %9.2f %8.1f | %6d %8.3f %9.2f %8.1f\n",
               cs[i].p->name, core_name(cs[i].core),
               gemm_seq_calls(w[W_L1O].seq), fo, to * 1e3, fo / to,
               gemm_seq_calls(w[W_L1P].seq), fp, tp * 1e3, fp / tp);
    }
    print_rule();

    /* Training. */
    double ratio[MAX_REPS];
    int met = 0, rows = 0, slow_rows = 0;
    double worst = INFINITY;
    printf("\nTraining, batch %d: forward, backward, REINFORCE, Adam step\n",
           BATCH);
    print_rule();
    printf("%-13s %-5s %3s %-11s %10s %9s %9s %10s\n", "preset", "core",
           "thr", "method", "samples/s", "ms/step", "x BLAS", "x PyTorch");
    print_rule();
    for (int i = 0; i < nc; i++) {
        workload *w = ws + i * W_N;
        struct {
            int t, lo, lp, thr;
            const char *name;
        } row[] = {{W_T1, W_L1O, W_L1P, 1, "1 agent"},
                   {W_T2R, W_L2RO, W_L2RP, 2, "2 replicas"},
                   {W_T2B, W_L2BO, W_L2BP, 2, "BLAS 2 thr"}};
        double best2 = fmax(1.0 / median(w[W_T2R].t, reps),
                            1.0 / median(w[W_T2B].t, reps));
        for (int k = 0; k < 3; k++) {
            double tm = median(w[row[k].t].t, reps);
            for (int r = 0; r < reps; r++)
                ratio[r] = w[row[k].lo].t[r] / w[row[k].t].t[r];
            double xo = median(ratio, reps);
            for (int r = 0; r < reps; r++)
                ratio[r] = w[row[k].lp].t[r] / w[row[k].t].t[r];
            double xp = median(ratio, reps);
            int star = row[k].thr == 2 && 1.0 / tm == best2;
            /* Two threads slower than one: the other core was busy, and the
             * row measures the machine, not libram. */
            int slow = star && best2 < 1.0 / median(w[W_T1].t, reps);
            printf("%-13s %-5s %3d %-11s %10.0f %9.2f %8.2fx %9.2fx%s\n",
                   k == 0 ? cs[i].p->name : "", k == 0 ? core_name(cs[i].core) : "",
                   row[k].thr, row[k].name, BATCH / tm, tm * 1e3, xo, xp,
                   slow ? " * (slower than 1 thread: busy core?)"
                   : star ? " *" : "");
            slow_rows += slow;
            if (k == 0 || (star && !slow)) {
                rows++;
                met += xp >= 1.0;
                worst = fmin(worst, xp);
            }
        }
    }
    print_rule();
    printf("x BLAS: libram's own GEMMs alone; x PyTorch: the GEMMs of a "
           "straightforward\nPyTorch RAM (per-step weight gradients, unfused "
           "glimpse layers, no h_0 = 0 skip),\nrun the same way (same threads "
           "or replicas). Target: x PyTorch >= 1.00.\n");

    /* Where the time goes. */
    printf("\nWhere the time goes: one training step, batch %d, 1 agent, 1 "
           "thread (ms)\n",
           BATCH);
    print_rule();
    printf("%-26s | %-27s | %-20s | %s\n", "", "forward (begin + T steps)",
           "backward (end)", "optim");
    printf("%-13s %-5s %6s | %6s %6s %6s %6s | %6s %6s %6s | %6s\n", "preset",
           "core", "step", "total", "GEMM", "sensor", "other", "total", "GEMM",
           "other", "update");
    print_rule();
    for (int i = 0; i < nc; i++) {
        workload *w = ws + i * W_N;
        double ph[4], v[MAX_REPS];
        for (int k = 0; k < 4; k++) {
            for (int r = 0; r < reps; r++)
                v[r] = w[W_T1].phase[r][k];
            ph[k] = median(v, reps) * 1e3;
        }
        double fwd = ph[0] + ph[1];
        double gf = median(w[W_LF1].t, reps) * 1e3;
        double gt = median(w[W_L1O].t, reps) * 1e3;
        double sens = median(w[W_SENS].t, reps) * 1e3;
        printf("%-13s %-5s %6.2f | %6.2f %6.2f %6.2f %6.2f | %6.2f %6.2f %6.2f "
               "| %6.2f\n",
               cs[i].p->name, core_name(cs[i].core), fwd + ph[2] + ph[3], fwd,
               gf, sens, fwd - gf - sens, ph[2], gt - gf, ph[2] - (gt - gf),
               ph[3]);
    }
    print_rule();
    printf("Timers around begin+steps, end and update; GEMM = the BLAS-only "
           "replay of the\nforward / backward products; sensor = "
           "ram_sensor_glimpse alone on the same batch;\nother = the rest "
           "(elementwise loops, heads, REINFORCE, copies).\n");

    /* Inference. */
    printf("\nInference, batch %d: a whole episode (T steps), per sample\n",
           BATCH);
    print_rule();
    printf("%-13s %-5s %3s %-11s %10s %12s %9s\n", "preset", "core", "thr",
           "method", "samples/s", "ms/episode", "x BLAS");
    print_rule();
    for (int i = 0; i < nc; i++) {
        workload *w = ws + i * W_N;
        struct {
            int t, l, thr;
            const char *name;
        } row[] = {{W_I1, W_LF1, 1, "1 agent"},
                   {W_I2R, W_LF2R, 2, "2 replicas"},
                   {W_I2B, W_LF2B, 2, "BLAS 2 thr"}};
        double best2 = fmax(1.0 / median(w[W_I2R].t, reps),
                            1.0 / median(w[W_I2B].t, reps));
        for (int k = 0; k < 3; k++) {
            double tm = median(w[row[k].t].t, reps);
            for (int r = 0; r < reps; r++)
                ratio[r] = w[row[k].l].t[r] / w[row[k].t].t[r];
            int star = row[k].thr == 2 && 1.0 / tm == best2;
            printf("%-13s %-5s %3d %-11s %10.0f %12.3f %8.2fx%s\n",
                   k == 0 ? cs[i].p->name : "", k == 0 ? core_name(cs[i].core) : "",
                   row[k].thr, row[k].name, BATCH / tm, tm * 1e3,
                   median(ratio, reps), star ? " *" : "");
        }
    }
    print_rule();

    /* Latency. */
    printf("\nLatency of one ram_agent_step() at batch 1 (inference, 1 "
           "thread)\n");
    print_rule();
    printf("%-13s %-5s %9s %11s %11s %12s %9s\n", "preset", "core", "steps",
           "median us", "p99 us", "sgemv us", "x sgemv");
    print_rule();
    for (int i = 0; i < nc; i++) {
        workload *w = ws + i * W_N;
        combo *c = &cs[i];
        int n = c->nlat;
        double med = quantile(c->lat_us, n, 0.5);
        double p99 = quantile(c->lat_us, n, 0.99);
        double lim = median(w[W_LG].t, reps) * 1e6 / c->p->steps;
        printf("%-13s %-5s %9d %11.2f %11.2f %12.2f %8.2fx\n", c->p->name,
               core_name(c->core), n, med, p99, lim, lim / med);
    }
    print_rule();
    printf("sgemv us: the same products as cblas_sgemv calls, per step "
           "(mean over the T steps).\n");

    long bad = alloc_section(cs, nc);
    memory_section(cs, nc);

    printf("\nSummary: training (1 thread, and the better 2-thread method) "
           "vs PyTorch's\nsequence: %d of %d rows >= 1.00x, worst %.2fx",
           met, rows, worst);
    if (slow_rows)
        printf(" (%d 2-thread row%s left out: slower than 1 thread, so the "
               "other core was busy)", slow_rows, slow_rows == 1 ? "" : "s");
    printf(". Allocations per step at batch 1: %s.\n",
           !bench_alloc_counting() ? "not counted in this build"
           : bad == 0              ? "0"
                                   : "NOT 0 (FAIL)");
    printf("total time %.0f s\n", now() - t_start);

    for (int i = 0; i < nc; i++) {
        workload *w = ws + i * W_N;
        gemm_seq *seen[32];
        int ns = 0;
        for (int k = 0; k < W_N; k++) {
            gemm_seq *cand[3] = {w[k].seq, w[k].half[0], w[k].half[1]};
            for (int j = 0; j < 3; j++) {
                int dup = !cand[j];
                for (int s = 0; s < ns && !dup; s++)
                    dup = seen[s] == cand[j];
                if (!dup)
                    seen[ns++] = cand[j];
            }
        }
        for (int s = 0; s < ns; s++)
            gemm_seq_free(seen[s]);
        combo_free(&cs[i]);
    }
    free(ws);
    return bad == 0 ? 0 : 1;
}
