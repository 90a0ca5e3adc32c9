/* Data-parallel training with POSIX threads: N copies (replicas) of one
 * agent each run a share of the batch on their own thread; the host sums
 * their gradients through ram_agent_params(), applies one update on the
 * first agent and copies its parameters back into the others.
 *
 *   examples/threads [--threads N] [--updates U]
 *
 * It trains the same agent twice, with 1 thread and with N (default 2), and
 * prints the largest difference between the two parameter sets: zero up to
 * float rounding. For that, the batch is cut into SHARES fixed shares and
 * share s of update u always samples its glimpse locations from the RNG
 * seeded with (u, s) (ram_agent_seed), whichever thread runs it. Only the
 * order of the gradient sums depends on N. apps/common/replicas.c is the
 * full version (a thread pool, uneven shares, tunables kept in step). */
#define _XOPEN_SOURCE 700 /* erand48() */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ram/ram.h>

/* OpenBLAS's thread control, if the program is linked with OpenBLAS (a weak
 * symbol: NULL otherwise). */
extern void openblas_set_num_threads(int) __attribute__((weak));

#define SIDE 28
#define PIXELS (SIDE * SIDE)
#define BATCH 64
#define SHARES 8 /* of BATCH / SHARES images each; N must divide SHARES */
#define SHARE (BATCH / SHARES)
#define GLIMPSES 6
#define MAX_THREADS SHARES

typedef struct job {
    ram_agent *agent;
    int first, step, update;          /* shares first, first + step, ... */
    const unsigned char *images;      /* BATCH images */
    const int *labels;
    int rc;                           /* the first failure, and its detail */
    char err[512];
} job;

/* Stops on a failure; `detail` is ram_last_error() of the thread that saw
 * it (it is per thread), or what failed outside libram. */
static void fail(int rc, const char *detail)
{
    fprintf(stderr, "threads: %s (%s)\n", ram_strerror(rc), detail);
    exit(1);
}

static void check(int rc)
{
    if (rc != RAM_OK)
        fail(rc, ram_last_error());
}

/* One training episode per share: its gradient (the loss summed over the
 * share) and its sample count add into the agent's. */
static int run_shares(job *j)
{
    int rc = RAM_OK, guess[SHARE];
    float reward[SHARE];
    for (int s = j->first; s < SHARES && rc == RAM_OK; s += j->step) {
        const unsigned char *img = j->images + (size_t)s * SHARE * PIXELS;
        const int *lab = j->labels + s * SHARE;
        rc = ram_agent_seed(j->agent, (uint64_t)j->update * SHARES + (uint64_t)s);
        if (rc == RAM_OK)
            rc = ram_agent_begin(j->agent, SHARE, RAM_BEGIN_TRAIN);
        for (int t = 0; t < GLIMPSES && rc == RAM_OK; t++)
            rc = ram_agent_step(j->agent, img, SHARE * PIXELS, NULL, NULL,
                                t == GLIMPSES - 1 ? guess : NULL);
        for (int i = 0; i < SHARE && rc == RAM_OK; i++)
            reward[i] = guess[i] == lab[i] ? 1.0f : 0.0f;
        if (rc == RAM_OK)
            rc = ram_agent_reward(j->agent, reward);
        if (rc == RAM_OK)
            rc = ram_agent_end(j->agent, lab);
    }
    /* ram_last_error() is per thread: keep it for the main thread. */
    if (rc != RAM_OK)
        snprintf(j->err, sizeof j->err, "%s", ram_last_error());
    j->rc = rc;
    return rc;
}

static void *thread_main(void *arg)
{
    run_shares(arg);
    return NULL;
}

/* A synthetic task: class k is a bright bar on row 2 + 2k at a random
 * column, over faint noise. */
static void make_batch(unsigned short rng[3], unsigned char *images, int *labels)
{
    for (int b = 0; b < BATCH; b++) {
        unsigned char *im = images + (size_t)b * PIXELS;
        for (int i = 0; i < PIXELS; i++)
            im[i] = (unsigned char)(40.0 * erand48(rng));
        labels[b] = (int)(10.0 * erand48(rng));
        int x0 = (int)(20.0 * erand48(rng));
        for (int y = 2 + 2 * labels[b]; y < 4 + 2 * labels[b]; y++)
            memset(im + y * SIDE + x0, 255, 8);
    }
}

/* Trains a fresh agent (seed 1) for `updates` updates with n threads and
 * returns a copy of its parameters (*count floats). */
static float *train(int n, int updates, size_t *count, double *seconds)
{
    ram_config *cfg;
    ram_agent *agent[MAX_THREADS];
    float *params[MAX_THREADS], *grads[MAX_THREADS];
    check(ram_config_create(&cfg));
    int rc = ram_agent_create(&agent[0], cfg); /* the 28x28 model, seed 1 */
    ram_config_free(cfg);
    check(rc);
    check(ram_agent_set_param(agent[0], RAM_PARAM_LOCATION_STD, 0.12));

    /* The replicas: copies of agent 0 (configuration, tunables, weights). */
    size_t size;
    check(ram_agent_save(agent[0], 0, NULL, 0, &size));
    void *buf = malloc(size);
    if (!buf)
        fail(RAM_E_NOMEM, "model buffer");
    check(ram_agent_save(agent[0], 0, buf, size, &size));
    for (int i = 1; i < n; i++)
        check(ram_agent_load(&agent[i], buf, size, 0));
    free(buf);
    for (int i = 0; i < n; i++) {
        check(ram_agent_set_input(agent[i], RAM_PIXEL_U8, SIDE, SIDE, SIDE, PIXELS));
        check(ram_agent_params(agent[i], &params[i], &grads[i], count));
    }

    static unsigned char images[BATCH * PIXELS];
    int labels[BATCH];
    unsigned short rng[3] = {0x330E, 1, 0}; /* the same data for every n */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int u = 0; u < updates; u++) {
        make_batch(rng, images, labels);
        job jobs[MAX_THREADS];
        pthread_t tid[MAX_THREADS];
        for (int i = 0; i < n; i++) { /* agent i runs shares i, i + n, ... */
            jobs[i] = (job){agent[i], i, n, u, images, labels, RAM_OK, ""};
            if (i > 0 && pthread_create(&tid[i], NULL, thread_main, &jobs[i]))
                fail(RAM_E_NOMEM, "pthread_create");
        }
        run_shares(&jobs[0]); /* this thread runs agent 0 */
        for (int i = 1; i < n; i++)
            pthread_join(tid[i], NULL);
        for (int i = 0; i < n; i++)
            if (jobs[i].rc != RAM_OK)
                fail(jobs[i].rc, jobs[i].err);
        /* The agents hold gradient sums and sample counts: add both into
         * agent 0 (the update divides), and zero the replicas'. */
        uint64_t samples = 0;
        for (int i = 0; i < n; i++) {
            uint64_t k;
            check(ram_agent_grad_samples(agent[i], &k));
            samples += k;
        }
        for (size_t k = 0; k < *count; k++) {
            float g = grads[0][k];
            for (int i = 1; i < n; i++)
                g += grads[i][k];
            grads[0][k] = g;
        }
        check(ram_agent_set_grad_samples(agent[0], samples));
        for (int i = 1; i < n; i++)
            check(ram_agent_zero_grad(agent[i]));
        check(ram_agent_update(agent[0]));
        for (int i = 1; i < n; i++)
            memcpy(params[i], params[0], *count * sizeof(float));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);

    float *out = malloc(*count * sizeof *out);
    if (!out)
        fail(RAM_E_NOMEM, "parameter copy");
    memcpy(out, params[0], *count * sizeof *out);
    for (int i = 0; i < n; i++)
        ram_agent_free(agent[i]);
    return out;
}

int main(int argc, char **argv)
{
    int n = 2, updates = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads"))
            n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--updates"))
            updates = atoi(argv[i + 1]);
    }
    if (argc % 2 == 0 || n < 1 || n > MAX_THREADS || SHARES % n || updates < 1) {
        fprintf(stderr, "usage: threads [--threads N] [--updates U]"
                " (N divides %d)\n", SHARES);
        return 2;
    }
    size_t count, count_n;
    double s1, sn;
    /* One BLAS thread per agent: the replicas are the parallelism, and
     * OpenBLAS's own threads would compete with them for the cores. */
    if (openblas_set_num_threads)
        openblas_set_num_threads(1);
    float *p1 = train(1, updates, &count, &s1);
    float *pn = train(n, updates, &count_n, &sn);
    /* The largest difference, relative to the largest parameter (the
     * max-norm relative difference; an element-wise ratio would divide by
     * parameters that happen to be near 0). */
    double max_diff = 0.0, max_param = 0.0;
    for (size_t k = 0; k < count; k++) {
        max_diff = fmax(max_diff, fabs((double)p1[k] - (double)pn[k]));
        max_param = fmax(max_param, fabs((double)p1[k]));
    }
    double rel = max_diff / max_param;
    printf("%zu parameters, %d updates of a batch of %d in %d shares\n",
           count, updates, BATCH, SHARES);
    printf("1 thread: %.2f s, %d threads: %.2f s\n", s1, n, sn);
    printf("max difference %.3g, largest parameter %.3g: relative %.3g\n",
           max_diff, max_param, rel);
    free(p1);
    free(pn);
    return rel < 1e-4 ? 0 : 1; /* float rounding gives about 1e-6 */
}
