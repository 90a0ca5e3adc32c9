/* examples/common/replicas: data-parallel replicas give the gradient of one
 * agent over the whole batch; errors, n = 1 and NULL are handled. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ram/ram.h"
#include "replicas.h"

enum { W = 28, NB = 9, T = 4, A = 10 };

static unsigned char images[NB][W * W];
static int labels[NB];

static void make_data(void)
{
    for (int b = 0; b < NB; b++) {
        labels[b] = (b * 7 + 3) % A;
        for (int i = 0; i < W * W; i++)
            images[b][i] = (unsigned char)((i * 131 + b * 71 + 17) % 251);
    }
}

/* A small agent trained by SGD without momentum at learning rate 1, so that
 * an update subtracts the gradient itself. */
static ram_agent *small_agent(int core)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 16), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 8), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 24), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_HIDDEN, 20), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_CORE, core), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_MAX_STEPS, T), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_SEED, 7), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, W, W, W, W * W),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_OPTIMIZER, RAM_OPT_SGD),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_MOMENTUM, 0.0), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LEARNING_RATE, 1.0),
                     RAM_OK);
    return a;
}

/* A deterministic training episode on images [first + lo, first + hi):
 * greedy locations, classify mode, no rewards (so the only terms are the
 * cross-entropy and the baseline's regression towards 0). */
struct job {
    size_t first;
    int fail_index; /* return 42 from this replica (-1: none) */
    int calls;
};

static int episode(ram_agent *a, int index, size_t lo, size_t hi, void *user)
{
    struct job *j = user;
    __atomic_add_fetch(&j->calls, 1, __ATOMIC_RELAXED);
    if (index == j->fail_index)
        return 42;
    size_t n = hi - lo, o = j->first + lo;
    int rc = ram_agent_begin(a, n, RAM_BEGIN_TRAIN | RAM_BEGIN_GREEDY_LOCATION);
    for (int t = 0; t < T && rc == RAM_OK; t++)
        rc = ram_agent_step(a, images[o], n * sizeof images[0], NULL, NULL,
                            NULL);
    if (rc == RAM_OK)
        rc = ram_agent_end(a, labels + o);
    return rc;
}

/* The gradient an update applied: (before - after) / lr, lr = 1. */
static void applied(const float *before, const float *after, size_t n,
                    double *g)
{
    for (size_t i = 0; i < n; i++)
        g[i] = (double)before[i] - (double)after[i];
}

/* max |x - y| / max |y| */
static double rel_diff(const double *x, const double *y, size_t n)
{
    double d = 0.0, m = 0.0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs(x[i] - y[i]));
        m = fmax(m, fabs(y[i]));
    }
    return m > 0.0 ? d / m : d;
}

/* Replicas over batches[0], batches[1], ... (k runs) then one update, against
 * one agent ending an episode over each whole batch, then one update. */
static void check_equivalence(int core, int nrep, const size_t *batches,
                              int k)
{
    make_data();
    ram_agent *single = small_agent(core), *master = small_agent(core);
    float *p_single, *p_master;
    size_t count, count2;
    ck_assert_int_eq(ram_agent_params(single, &p_single, NULL, &count),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_params(master, &p_master, NULL, &count2),
                     RAM_OK);
    ck_assert_uint_eq(count, count2);
    ck_assert_int_eq(memcmp(p_single, p_master, count * sizeof(float)), 0);
    float *before = malloc(count * sizeof(float));
    double *g1 = malloc(count * sizeof(double));
    double *g2 = malloc(count * sizeof(double));
    ck_assert_ptr_nonnull(before);
    ck_assert_ptr_nonnull(g1);
    ck_assert_ptr_nonnull(g2);
    memcpy(before, p_single, count * sizeof(float));

    replicas *r;
    ck_assert_int_eq(replicas_create(master, nrep, 1000, &r), RAM_OK);
    ck_assert_int_eq(replicas_count(r), nrep);
    ck_assert_ptr_eq(replicas_agent(r, 0), master);
    ck_assert_int_eq(replicas_set_input(r, RAM_PIXEL_U8, W, W, W, W * W),
                     RAM_OK);

    size_t first = 0;
    double xent_single = 0.0, xent_rep = 0.0;
    for (int i = 0; i < k; i++) {
        struct job j = {first, -1, 0};
        ck_assert_int_eq(episode(single, 0, 0, batches[i], &j), RAM_OK);
        ck_assert_int_eq(replicas_run(r, batches[i], episode, &j), 0);
        ck_assert_int_le(j.calls, nrep + 1);
        first += batches[i];
    }
    ck_assert_int_eq(ram_agent_stat(single, RAM_STAT_XENT, &xent_single),
                     RAM_OK);
    ck_assert_int_eq(replicas_stat_mean(r, RAM_STAT_XENT, &xent_rep), RAM_OK);
    ck_assert_double_eq_tol(xent_rep, xent_single, 1e-5 * fabs(xent_single));

    ck_assert_int_eq(ram_agent_update(single), RAM_OK);
    ck_assert_int_eq(replicas_update(r), RAM_OK);
    applied(before, p_single, count, g1);
    applied(before, p_master, count, g2);
    double d = rel_diff(g2, g1, count);
    ck_assert_msg(d < 1e-5, "replicas' gradient differs: %g relative", d);

    /* The replicas now hold the master's parameters, zero gradients and the
     * master's tunables. */
    for (int i = 1; i < nrep; i++) {
        float *p, *g;
        ram_agent_params(replicas_agent(r, i), &p, &g, NULL);
        ck_assert_int_eq(memcmp(p, p_master, count * sizeof(float)), 0);
        for (size_t q = 0; q < count; q++)
            ck_assert_float_eq(g[q], 0.0f);
    }
    double v;
    ck_assert_int_eq(replicas_stat_mean(r, RAM_STAT_UPDATES, &v), RAM_OK);
    ck_assert_double_eq(v, 1.0);

    /* A second step still matches. */
    memcpy(before, p_single, count * sizeof(float));
    {
        struct job j = {0, -1, 0};
        ck_assert_int_eq(episode(single, 0, 0, batches[0], &j), RAM_OK);
        ck_assert_int_eq(replicas_run(r, batches[0], episode, &j), 0);
    }
    ck_assert_int_eq(ram_agent_update(single), RAM_OK);
    ck_assert_int_eq(replicas_update(r), RAM_OK);
    applied(before, p_single, count, g1);
    applied(before, p_master, count, g2);
    d = rel_diff(g2, g1, count);
    ck_assert_msg(d < 1e-5, "second step: %g relative", d);

    replicas_free(r);
    ram_agent_free(master);
    ram_agent_free(single);
    free(before);
    free(g1);
    free(g2);
}

START_TEST(two_replicas_equal_one_agent)
{
    static const size_t b[] = {NB};
    /* _i: 0 RNN, 1 LSTM. 9 rows: slices of 5 and 4, unequal weights. */
    check_equivalence(_i ? RAM_CORE_LSTM : RAM_CORE_RNN, 2, b, 1);
}
END_TEST

START_TEST(accumulated_runs_weighted_per_run)
{
    static const size_t b[] = {5, 4};
    check_equivalence(RAM_CORE_RNN, 2, b, 2);
}
END_TEST

START_TEST(three_replicas_and_tiny_batch)
{
    static const size_t b[] = {2}; /* replica 2 gets no row */
    check_equivalence(RAM_CORE_LSTM, 3, b, 1);
}
END_TEST

START_TEST(one_replica_is_the_master)
{
    static const size_t b[] = {NB};
    check_equivalence(RAM_CORE_RNN, 1, b, 1);
}
END_TEST

START_TEST(run_returns_fn_error)
{
    make_data();
    ram_agent *m = small_agent(RAM_CORE_RNN);
    replicas *r;
    ck_assert_int_eq(replicas_create(m, 2, 1, &r), RAM_OK);
    ck_assert_int_eq(replicas_set_input(r, RAM_PIXEL_U8, W, W, W, W * W),
                     RAM_OK);
    struct job j = {0, 1, 0};
    ck_assert_int_eq(replicas_run(r, NB, episode, &j), 42);
    ck_assert_int_eq(j.calls, 2);
    j.fail_index = 0;
    ck_assert_int_eq(replicas_run(r, NB, episode, &j), 42);
    j.fail_index = -1;
    ck_assert_int_eq(replicas_run(r, NB, episode, &j), 0);
    ck_assert_int_eq(replicas_update(r), RAM_OK);
    /* Errors of the arguments. */
    ck_assert_int_eq(replicas_run(r, 0, episode, &j), RAM_E_INVALID);
    ck_assert_int_eq(replicas_run(r, NB, NULL, &j), RAM_E_INVALID);
    ck_assert_int_eq(replicas_run(NULL, NB, episode, &j), RAM_E_INVALID);
    ck_assert_int_eq(replicas_update(NULL), RAM_E_INVALID);
    ck_assert_ptr_null(replicas_agent(r, 2));
    ck_assert_ptr_null(replicas_agent(r, -1));
    /* No gradient since the last update: the master says so. */
    ck_assert_int_eq(replicas_update(r), RAM_E_STATE);
    replicas_free(r);
    ram_agent_free(m);
}
END_TEST

START_TEST(create_errors_and_free_null)
{
    replicas *r = (replicas *)&r;
    ram_agent *m = small_agent(RAM_CORE_RNN);
    ck_assert_int_eq(replicas_create(NULL, 2, 1, &r), RAM_E_INVALID);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(replicas_create(m, 0, 1, &r), RAM_E_INVALID);
    ck_assert_int_eq(replicas_create(m, 2, 1, NULL), RAM_E_INVALID);
    ck_assert_int_eq(replicas_count(NULL), 0);
    replicas_free(NULL);
    ram_agent_free(m);
}
END_TEST

START_TEST(tunables_follow_the_master)
{
    ram_agent *m = small_agent(RAM_CORE_RNN);
    replicas *r;
    ck_assert_int_eq(replicas_create(m, 2, 1, &r), RAM_OK);
    ck_assert_int_eq(replicas_set_input(r, RAM_PIXEL_U8, W, W, W, W * W),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(m, RAM_PARAM_LOCATION_STD, 0.25),
                     RAM_OK);
    make_data();
    struct job j = {0, -1, 0};
    ck_assert_int_eq(replicas_run(r, NB, episode, &j), 0);
    double v;
    ck_assert_int_eq(ram_agent_get_param(replicas_agent(r, 1),
                                         RAM_PARAM_LOCATION_STD, &v),
                     RAM_OK);
    ck_assert_double_eq(v, 0.25);
    replicas_free(r);
    ram_agent_free(m);
}
END_TEST

START_TEST(blas_single_thread_describes)
{
    const char *d = replicas_blas_single_thread();
    ck_assert_ptr_nonnull(d);
    ck_assert_int_gt((int)strlen(d), 0);
}
END_TEST

Suite *suite_replicas(void)
{
    Suite *s = suite_create("replicas");
    TCase *tc = tcase_create("replicas");
    tcase_add_loop_test(tc, two_replicas_equal_one_agent, 0, 2);
    tcase_add_test(tc, accumulated_runs_weighted_per_run);
    tcase_add_test(tc, three_replicas_and_tiny_batch);
    tcase_add_test(tc, one_replica_is_the_master);
    tcase_add_test(tc, run_returns_fn_error);
    tcase_add_test(tc, create_errors_and_free_null);
    tcase_add_test(tc, tunables_follow_the_master);
    tcase_add_test(tc, blas_single_thread_describes);
    suite_add_tcase(s, tc);
    return s;
}
