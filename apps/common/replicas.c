/* Data-parallel replicas of one agent (see replicas.h).
 *
 * The workers are plain pthreads that sleep on a condition variable and are
 * woken once per task with a generation counter. A task is one of: run the
 * host's function on a slice, combine a chunk of the gradient arrays, or copy
 * the master's parameters into a replica. */
#include "replicas.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The BLAS's thread controls, whichever the program is linked with. */
extern void openblas_set_num_threads(int) __attribute__((weak));
extern void bli_thread_set_num_threads(long) __attribute__((weak));
extern void mkl_set_num_threads(int) __attribute__((weak));
extern void omp_set_num_threads(int) __attribute__((weak));

/* The one CBLAS routine used here (the warm-up), declared rather than taken
 * from <cblas.h>, whose location depends on the provider; the constants are
 * the standard CBLAS values (row-major 101, no-trans 111, trans 112). */
void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha,
                 const float *a, int lda, const float *b, int ldb, float beta,
                 float *c, int ldc);

/* Warm-up product C[ROWS x COLS] = A[ROWS x INNER] B[COLS x INNER]^T: COLS
 * above any provider's m-blocking (OpenBLAS's sgemm P is 320 on Zen) so
 * that the whole packed panel of B, ROWS x INNER floats, is written. */
enum { WARM_ROWS = 1024, WARM_COLS = 1024, WARM_INNER = 512 };

/* Tunable keys are pinned and contiguous from 1; probe up to this. */
#define PARAM_KEYS_MAX 64

enum task { TASK_RUN, TASK_COMBINE, TASK_COPY, TASK_WARM };

struct worker {
    struct replicas *r;
    int index;
    pthread_t thread;
};

struct replicas {
    int n;
    ram_agent **agents; /* [0] = master (not owned) */
    float **params, **grads;
    size_t count;

    /* Per replica: slice of the current run and its result. */
    size_t *lo, *hi;
    int *rc;

    /* Current task. */
    enum task task;
    replica_fn fn;
    void *user;
    size_t batch;

    /* Workers 1..n-1. */
    struct worker *workers;
    int sync_ok; /* mu, wake and done are initialised */
    int started; /* threads successfully started */
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    unsigned long gen;
    int busy; /* workers still on the current task */
    int quit;
};

/* ------------------------------------------------------------ tasks */

static void task_run(struct replicas *r, int i)
{
    size_t lo = r->lo[i], hi = r->hi[i];
    r->rc[i] = 0;
    if (hi <= lo)
        return;
    r->rc[i] = r->fn(r->agents[i], i, lo, hi, r->user);
}

/* Chunk i of the arrays: master += the replicas' gradient sums (since 0.2
 * the agents hold sums, and the update divides by the sample count);
 * replicas = 0. */
static void task_combine(struct replicas *r, int i)
{
    size_t a = r->count * (size_t)i / (size_t)r->n;
    size_t b = r->count * (size_t)(i + 1) / (size_t)r->n;
    float *g0 = r->grads[0];
    for (int k = 1; k < r->n; k++) {
        float *gk = r->grads[k];
        for (size_t j = a; j < b; j++)
            g0[j] += gk[j];
        memset(gk + a, 0, (b - a) * sizeof(float));
    }
}

/* The master's tunables into replica i. */
static void copy_tunables(struct replicas *r, int i)
{
    ram_agent *m = r->agents[0], *a = r->agents[i];
    for (int key = 1; key <= PARAM_KEYS_MAX; key++) {
        double v;
        if (ram_param_bounds(key, NULL, NULL) != RAM_OK)
            continue;
        if (ram_agent_get_param(m, key, &v) == RAM_OK)
            ram_agent_set_param(a, key, v);
    }
}

static void task_copy(struct replicas *r, int i)
{
    if (i == 0)
        return;
    memcpy(r->params[i], r->params[0], r->count * sizeof(float));
    copy_tunables(r, i);
}

static void do_task(struct replicas *r, int i)
{
    switch (r->task) {
    case TASK_RUN:
        task_run(r, i);
        break;
    case TASK_COMBINE:
        task_combine(r, i);
        break;
    case TASK_COPY:
        task_copy(r, i);
        break;
    case TASK_WARM:
        (void)replicas_blas_warm_up();
        break;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct replicas *r = w->r;
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (r->gen == seen && !r->quit)
            pthread_cond_wait(&r->wake, &r->mu);
        if (r->quit) {
            pthread_mutex_unlock(&r->mu);
            return NULL;
        }
        seen = r->gen;
        pthread_mutex_unlock(&r->mu);

        do_task(r, w->index);

        pthread_mutex_lock(&r->mu);
        if (--r->busy == 0)
            pthread_cond_signal(&r->done);
        pthread_mutex_unlock(&r->mu);
    }
}

/* Runs the current task on every replica and waits for all. */
static void dispatch(struct replicas *r, enum task t)
{
    r->task = t;
    if (r->n > 1) {
        pthread_mutex_lock(&r->mu);
        r->gen++;
        r->busy = r->n - 1;
        pthread_cond_broadcast(&r->wake);
        pthread_mutex_unlock(&r->mu);
    }
    do_task(r, 0);
    if (r->n > 1) {
        pthread_mutex_lock(&r->mu);
        while (r->busy > 0)
            pthread_cond_wait(&r->done, &r->mu);
        pthread_mutex_unlock(&r->mu);
    }
}

/* ------------------------------------------------------------ public */

void replicas_free(replicas *r)
{
    if (!r)
        return;
    if (r->started > 0) {
        pthread_mutex_lock(&r->mu);
        r->quit = 1;
        pthread_cond_broadcast(&r->wake);
        pthread_mutex_unlock(&r->mu);
        for (int i = 0; i < r->started; i++)
            pthread_join(r->workers[i].thread, NULL);
    }
    if (r->sync_ok) {
        pthread_cond_destroy(&r->done);
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->mu);
    }
    if (r->agents)
        for (int i = 1; i < r->n; i++)
            ram_agent_free(r->agents[i]);
    free(r->agents);
    free(r->params);
    free(r->grads);
    free(r->lo);
    free(r->hi);
    free(r->rc);
    free(r->workers);
    free(r);
}

int replicas_create(ram_agent *master, int n, uint64_t seed_base,
                    replicas **out)
{
    if (!out)
        return RAM_E_INVALID;
    *out = NULL;
    if (!master || n < 1)
        return RAM_E_INVALID;
    replicas *r = calloc(1, sizeof *r);
    if (!r)
        return RAM_E_NOMEM;
    size_t un = (size_t)n;
    r->n = 1; /* until the arrays exist: replicas_free frees 1..n-1 */
    r->agents = calloc(un, sizeof *r->agents);
    r->params = calloc(un, sizeof *r->params);
    r->grads = calloc(un, sizeof *r->grads);
    r->lo = calloc(un, sizeof *r->lo);
    r->hi = calloc(un, sizeof *r->hi);
    r->rc = calloc(un, sizeof *r->rc);
    r->workers = calloc(un, sizeof *r->workers);
    if (!r->agents || !r->params || !r->grads || !r->lo || !r->hi ||
        !r->rc || !r->workers) {
        replicas_free(r);
        return RAM_E_NOMEM;
    }
    r->agents[0] = master;
    ram_agent_params(master, &r->params[0], &r->grads[0], &r->count);

    int rc = RAM_OK;
    if (n > 1) {
        int64_t trainable = 1;
        ram_agent_get_config(master, RAM_CFG_TRAINABLE, &trainable);
        size_t size = 0;
        void *buf = NULL;
        rc = ram_agent_save(master, 0, NULL, 0, &size);
        if (rc == RAM_OK && !(buf = malloc(size)))
            rc = RAM_E_NOMEM;
        if (rc == RAM_OK)
            rc = ram_agent_save(master, 0, buf, size, &size);
        for (int i = 1; i < n && rc == RAM_OK; i++) {
            rc = ram_agent_load(&r->agents[i], buf, size,
                                trainable ? 0 : RAM_LOAD_INFERENCE);
            if (rc != RAM_OK)
                break;
            r->n = i + 1;
            ram_agent_seed(r->agents[i], seed_base + (uint64_t)i);
            ram_agent_params(r->agents[i], &r->params[i], &r->grads[i],
                             NULL);
            copy_tunables(r, i);
        }
        free(buf);
        if (rc != RAM_OK) {
            replicas_free(r);
            return rc;
        }
        if (pthread_mutex_init(&r->mu, NULL) != 0 ||
            pthread_cond_init(&r->wake, NULL) != 0 ||
            pthread_cond_init(&r->done, NULL) != 0) {
            replicas_free(r); /* (glibc: these cannot fail) */
            return RAM_E_NOMEM;
        }
        r->sync_ok = 1;
        for (int i = 1; i < n; i++) {
            struct worker *w = &r->workers[i - 1];
            w->r = r;
            w->index = i;
            if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
                replicas_free(r);
                return RAM_E_NOMEM;
            }
            r->started++;
        }
    }
    dispatch(r, TASK_WARM); /* on every replica's thread at once */
    *out = r;
    return RAM_OK;
}

int replicas_blas_warm_up(void)
{
    float *a = calloc((size_t)WARM_ROWS * WARM_INNER, sizeof *a);
    float *b = calloc((size_t)WARM_COLS * WARM_INNER, sizeof *b);
    float *c = malloc((size_t)WARM_ROWS * WARM_COLS * sizeof *c);
    int rc = a && b && c ? RAM_OK : RAM_E_NOMEM;
    if (rc == RAM_OK)
        cblas_sgemm(101, 111, 112, WARM_ROWS, WARM_COLS, WARM_INNER, 1.0f, a,
                    WARM_INNER, b, WARM_INNER, 0.0f, c, WARM_COLS);
    free(a);
    free(b);
    free(c);
    return rc;
}

int replicas_count(const replicas *r)
{
    return r ? r->n : 0;
}

ram_agent *replicas_agent(replicas *r, int i)
{
    if (!r || i < 0 || i >= r->n)
        return NULL;
    return r->agents[i];
}

int replicas_set_input(replicas *r, int format, size_t width, size_t height,
                       size_t row_stride, size_t image_stride)
{
    if (!r)
        return RAM_E_INVALID;
    for (int i = 0; i < r->n; i++) {
        int rc = ram_agent_set_input(r->agents[i], format, width, height,
                                     row_stride, image_stride);
        if (rc != RAM_OK)
            return rc;
    }
    return RAM_OK;
}

int replicas_run(replicas *r, size_t batch, replica_fn fn, void *user)
{
    if (!r || !fn || batch == 0)
        return RAM_E_INVALID;
    size_t n = (size_t)r->n, base = batch / n, extra = batch % n, lo = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = base + (i < extra ? 1 : 0);
        r->lo[i] = lo;
        r->hi[i] = lo + len;
        lo += len;
    }
    for (int i = 1; i < r->n; i++)
        copy_tunables(r, i);
    r->fn = fn;
    r->user = user;
    r->batch = batch;
    dispatch(r, TASK_RUN);
    for (int i = 0; i < r->n; i++)
        if (r->rc[i] != 0)
            return r->rc[i];
    return 0;
}

int replicas_update(replicas *r)
{
    if (!r)
        return RAM_E_INVALID;
    if (r->grads[0] && r->n > 1) {
        /* The sample counts add up as the gradient sums do. */
        uint64_t total = 0;
        for (int i = 0; i < r->n; i++) {
            uint64_t k = 0;
            if (ram_agent_grad_samples(r->agents[i], &k) == RAM_OK)
                total += k;
        }
        dispatch(r, TASK_COMBINE);
        /* The replicas' gradients are zero now; reset their counts too. */
        for (int i = 1; i < r->n; i++)
            ram_agent_zero_grad(r->agents[i]);
        if (total > 0) {
            int rc = ram_agent_set_grad_samples(r->agents[0], total);
            if (rc != RAM_OK)
                return rc;
        }
    }
    int rc = ram_agent_update(r->agents[0]);
    if (rc == RAM_OK && r->n > 1)
        dispatch(r, TASK_COPY);
    return rc;
}

int replicas_stat_mean(replicas *r, int key, double *value)
{
    if (!r || !value)
        return RAM_E_INVALID;
    if (key == RAM_STAT_UPDATES || key == RAM_STAT_GRAD_NORM)
        return ram_agent_stat(r->agents[0], key, value);
    double sum = 0.0, wsum = 0.0;
    for (int i = 0; i < r->n; i++) {
        double v, w = (double)(r->hi[i] - r->lo[i]);
        if (w <= 0.0)
            continue;
        int rc = ram_agent_stat(r->agents[i], key, &v);
        if (rc != RAM_OK)
            return rc;
        sum += w * v;
        wsum += w;
    }
    if (wsum <= 0.0) /* no run yet */
        return ram_agent_stat(r->agents[0], key, value);
    *value = sum / wsum;
    return RAM_OK;
}

const char *replicas_blas_threads(int n)
{
    static char desc[96];
    if (n < 1)
        n = 1;
    if (openblas_set_num_threads) {
        openblas_set_num_threads(n);
        snprintf(desc, sizeof desc, "openblas_set_num_threads(%d)", n);
    } else if (bli_thread_set_num_threads) {
        bli_thread_set_num_threads(n);
        snprintf(desc, sizeof desc, "bli_thread_set_num_threads(%d)", n);
    } else if (mkl_set_num_threads) {
        mkl_set_num_threads(n);
        snprintf(desc, sizeof desc, "mkl_set_num_threads(%d)", n);
    } else if (omp_set_num_threads) {
        omp_set_num_threads(n);
        snprintf(desc, sizeof desc, "omp_set_num_threads(%d)", n);
    } else {
        snprintf(desc, sizeof desc,
                 "no thread control found (single-threaded BLAS?)");
    }
    return desc;
}

const char *replicas_blas_single_thread(void)
{
    return replicas_blas_threads(1);
}
