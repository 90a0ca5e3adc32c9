/* The agent's API contract: configuration, tunables, the episode's call
 * order, bad input, determinism, and save/load/continue. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ram/ram.h"

enum { W = 28, NB = 4 };

static unsigned char images[NB][W * W];
static int labels[NB] = {0, 3, 7, 9};

static void make_images(unsigned seed)
{
    for (int b = 0; b < NB; b++)
        for (int i = 0; i < W * W; i++)
            images[b][i] = (unsigned char)((i * 131 + b * 71 + seed * 17) % 251);
}

/* small_agent without an input description (its geometry unset). */
static ram_agent *small_agent_noinput(int core, int64_t seed)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 16), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 8), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 24), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_HIDDEN, 20), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_CORE, core), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_SEED, seed), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    return a;
}

static ram_agent *small_agent(int core, int64_t seed)
{
    ram_agent *a = small_agent_noinput(core, seed);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, W, W, W, W * W), RAM_OK);
    return a;
}

/* One training episode on the fixed images, then an update. */
static void train_once(ram_agent *a)
{
    float probs[NB * 10], rw[NB];
    ck_assert_int_eq(ram_agent_begin(a, NB, RAM_BEGIN_TRAIN), RAM_OK);
    for (int t = 0; t < 6; t++)
        ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, probs, NULL), RAM_OK);
    for (int b = 0; b < NB; b++) {
        int best = 0;
        for (int j = 1; j < 10; j++)
            if (probs[b * 10 + j] > probs[b * 10 + best])
                best = j;
        rw[b] = best == labels[b];
    }
    ck_assert_int_eq(ram_agent_reward(a, rw), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
    ck_assert_int_eq(ram_agent_update(a), RAM_OK);
}

START_TEST(config_defaults_and_bounds)
{
    ram_config *cfg;
    int64_t v, lo, hi;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_get(cfg, RAM_CFG_PATCH, &v), RAM_OK);
    ck_assert_int_eq(v, 8);
    ck_assert_int_eq(ram_config_get(cfg, RAM_CFG_HIDDEN, &v), RAM_OK);
    ck_assert_int_eq(v, 256);
    ck_assert_int_eq(ram_config_get(cfg, RAM_CFG_MAX_STEPS, &v), RAM_OK);
    ck_assert_int_eq(v, 6);
    ck_assert_int_eq(ram_config_bounds(RAM_CFG_ACTIONS, &lo, &hi), RAM_OK);
    ck_assert_int_eq(lo, 2);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_ACTIONS, 1), RAM_E_RANGE);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_PATCH, 0), RAM_E_RANGE);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_CORE, 3), RAM_E_RANGE);
    ck_assert_int_eq(ram_config_set(cfg, 999, 1), RAM_E_INVALID);
    ck_assert_int_eq(ram_config_set(cfg, 0, 1), RAM_E_INVALID);
    ck_assert_int_eq(ram_config_bounds(999, &lo, &hi), RAM_E_INVALID);
    ck_assert_int_eq(ram_config_set(NULL, RAM_CFG_PATCH, 8), RAM_E_INVALID);
    ck_assert_int_eq(ram_config_get(cfg, RAM_CFG_PATCH, NULL), RAM_E_INVALID);
    /* The failed sets changed nothing. */
    ck_assert_int_eq(ram_config_get(cfg, RAM_CFG_ACTIONS, &v), RAM_OK);
    ck_assert_int_eq(v, 10);
    ram_agent *a = (ram_agent *)&v;
    ck_assert_int_eq(ram_agent_create(&a, NULL), RAM_E_INVALID);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(ram_agent_create(NULL, cfg), RAM_E_INVALID);
    ram_config_free(cfg);
    ram_config_free(NULL);
    ram_agent_free(NULL);
}
END_TEST

START_TEST(tunables)
{
    ram_agent *a = small_agent(RAM_CORE_RNN, 1);
    double v, lo, hi;
    ck_assert_int_eq(ram_agent_get_param(a, RAM_PARAM_LOCATION_STD, &v), RAM_OK);
    ck_assert_double_eq(v, 0.1);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_STD, 0.2), RAM_OK);
    ck_assert_int_eq(ram_agent_get_param(a, RAM_PARAM_LOCATION_STD, &v), RAM_OK);
    ck_assert_double_eq(v, 0.2);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_STD, 0.0), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_STD, NAN), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_GAMMA, 1.5), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_OPTIMIZER, 1.5), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_OPTIMIZER, 7), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_set_param(a, 0, 1), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_set_param(a, 1000, 1), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_get_param(a, RAM_PARAM_LOCATION_STD, &v), RAM_OK);
    ck_assert_double_eq(v, 0.2);
    ck_assert_int_eq(ram_param_bounds(RAM_PARAM_GAMMA, &lo, &hi), RAM_OK);
    ck_assert_double_eq(lo, 0.0);
    ck_assert_double_eq(hi, 1.0);
    ck_assert_int_eq(ram_param_default(RAM_PARAM_LEARNING_RATE, &v), RAM_OK);
    ck_assert_double_eq(v, 1e-3);
    ck_assert_int_eq(ram_agent_reset_params(a), RAM_OK);
    ck_assert_int_eq(ram_agent_get_param(a, RAM_PARAM_LOCATION_STD, &v), RAM_OK);
    ck_assert_double_eq(v, 0.1);
    ram_agent_free(a);
}
END_TEST

START_TEST(call_order)
{
    ram_agent *a;
    ram_config *cfg;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_HIDDEN, 16), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_MAX_STEPS, 2), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    float loc[NB * 2], rw[NB] = {0};
    make_images(1);
    /* Nothing begun. */
    ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, NULL, NULL), RAM_E_STATE);
    ck_assert_int_eq(ram_agent_location(a, loc), RAM_E_STATE);
    ck_assert_int_eq(ram_agent_reward(a, rw), RAM_E_STATE);
    ck_assert_int_eq(ram_agent_end(a, NULL), RAM_E_STATE);
    ck_assert_int_eq(ram_agent_update(a), RAM_E_STATE);
    /* Begun, but no input described. */
    ck_assert_int_eq(ram_agent_begin(a, NB, RAM_BEGIN_TRAIN), RAM_OK);
    ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, NULL, NULL), RAM_E_STATE);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, W, W, W, W * W), RAM_OK);
    /* Reward before any step; end with no step. */
    ck_assert_int_eq(ram_agent_reward(a, rw), RAM_E_STATE);
    ck_assert_int_eq(ram_agent_end(a, labels), RAM_E_STATE);
    /* Two steps fit, the third does not; the episode stays usable. */
    ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, NULL, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, NULL, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, NULL, NULL), RAM_E_STATE);
    ck_assert_int_eq(ram_agent_update(a), RAM_E_STATE);
    int bad[NB] = {0, 1, 10, 2};
    ck_assert_int_eq(ram_agent_end(a, bad), RAM_E_RANGE);
    bad[2] = -1;
    ck_assert_int_eq(ram_agent_end(a, bad), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
    double steps;
    ck_assert_int_eq(ram_agent_stat(a, RAM_STAT_STEPS, &steps), RAM_OK);
    ck_assert_double_eq(steps, 2.0);
    ck_assert_int_eq(ram_agent_end(a, labels), RAM_E_STATE);
    ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    ck_assert_int_eq(ram_agent_update(a), RAM_E_STATE); /* consumed */
    /* zero_grad discards: update has nothing to apply. */
    ck_assert_int_eq(ram_agent_begin(a, NB, RAM_BEGIN_TRAIN), RAM_OK);
    ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, NULL, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
    ck_assert_int_eq(ram_agent_zero_grad(a), RAM_OK);
    ck_assert_int_eq(ram_agent_update(a), RAM_E_STATE);
    /* Bad begins. */
    ck_assert_int_eq(ram_agent_begin(a, 0, 0), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_begin(a, (size_t)RAM_MAX_ROWS + 1, 0), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_begin(a, 1, 64u), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_begin(NULL, 1, 0), RAM_E_INVALID);
    /* Inference episodes have no step limit. */
    ck_assert_int_eq(ram_agent_begin(a, NB, 0), RAM_OK);
    for (int t = 0; t < 10; t++)
        ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, NULL, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, NULL), RAM_OK);
    ram_agent_free(a);
}
END_TEST

START_TEST(bad_input_leaves_episode_intact)
{
    ram_agent *a = small_agent_noinput(RAM_CORE_LSTM, 3);
    static float fimg[NB][W * W];
    for (int b = 0; b < NB; b++)
        for (int i = 0; i < W * W; i++)
            fimg[b][i] = (float)((i * 7 + b) % 13) / 13.0f;
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_F32, W, W, W * 4, W * W * 4), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, NB, RAM_BEGIN_TRAIN), RAM_OK);
    ck_assert_int_eq(ram_agent_step(a, fimg, sizeof fimg, NULL, NULL, NULL), RAM_OK);
    float loc_before[NB * 2], loc_after[NB * 2];
    ck_assert_int_eq(ram_agent_location(a, loc_before), RAM_OK);
    /* Poison every pixel of image 2: wherever the retina looks it reads NaN. */
    for (int i = 0; i < W * W; i++)
        fimg[2][i] = NAN;
    ck_assert_int_eq(ram_agent_step(a, fimg, sizeof fimg, NULL, NULL, NULL), RAM_E_NONFINITE);
    for (int i = 0; i < W * W; i++)
        fimg[2][i] = INFINITY;
    ck_assert_int_eq(ram_agent_step(a, fimg, sizeof fimg, NULL, NULL, NULL), RAM_E_NONFINITE);
    ck_assert_int_eq(ram_agent_location(a, loc_after), RAM_OK);
    ck_assert_mem_eq(loc_before, loc_after, sizeof loc_before);
    for (int i = 0; i < W * W; i++)
        fimg[2][i] = 0.5f;
    ck_assert_int_eq(ram_agent_step(a, fimg, sizeof fimg, NULL, NULL, NULL), RAM_OK);
    float rw[NB] = {1, 0, NAN, 1};
    ck_assert_int_eq(ram_agent_reward(a, rw), RAM_E_NONFINITE);
    ck_assert_int_eq(ram_agent_reward(a, NULL), RAM_E_INVALID);
    rw[2] = 1;
    ck_assert_int_eq(ram_agent_reward(a, rw), RAM_OK);
    ck_assert_int_eq(ram_agent_step(a, NULL, 0, NULL, NULL, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
    double steps;
    ck_assert_int_eq(ram_agent_stat(a, RAM_STAT_STEPS, &steps), RAM_OK);
    ck_assert_double_eq(steps, 2.0);
    ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    /* Bad input descriptions change nothing. */
    ck_assert_int_eq(ram_agent_set_input(a, 9, W, W, W, W * W), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, 0, W, W, W * W), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, W, W, W - 1, W * W) == RAM_OK, 0);
    ck_assert_int_eq(ram_agent_set_input(NULL, RAM_PIXEL_U8, W, W, W, W * W), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_begin(a, NB, 0), RAM_OK);
    ck_assert_int_eq(ram_agent_step(a, fimg, sizeof fimg, NULL, NULL, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_stat(a, 0, &steps), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_stat(a, RAM_STAT_STEPS, NULL), RAM_E_INVALID);
    ram_agent_free(a);
}
END_TEST

START_TEST(inference_only_agent)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_TRAINABLE, 0), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    float *p, *g;
    size_t n;
    ck_assert_int_eq(ram_agent_params(a, &p, &g, &n), RAM_OK);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(g);
    ck_assert_int_eq(ram_agent_begin(a, 1, RAM_BEGIN_TRAIN), RAM_E_UNSUPPORTED);
    ck_assert_int_eq(ram_agent_update(a), RAM_E_UNSUPPORTED);
    ck_assert_int_eq(ram_agent_zero_grad(a), RAM_E_UNSUPPORTED);
    size_t size;
    ck_assert_int_eq(ram_agent_save(a, RAM_SAVE_OPTIMIZER, NULL, 0, &size), RAM_E_UNSUPPORTED);
    ck_assert_int_eq(ram_agent_save(a, 0, NULL, 0, &size), RAM_OK);
    make_images(2);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, W, W, W, W * W), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, 1, RAM_BEGIN_GREEDY_LOCATION), RAM_OK);
    float loc[2], probs[10];
    int act;
    for (int t = 0; t < 6; t++)
        ck_assert_int_eq(ram_agent_step(a, images, sizeof images, loc, probs, &act), RAM_OK);
    double sum = 0;
    for (int j = 0; j < 10; j++)
        sum += probs[j];
    ck_assert_double_eq_tol(sum, 1.0, 1e-5);
    ck_assert_int_ge(act, 0);
    ck_assert_int_lt(act, 10);
    ck_assert(fabsf(loc[0]) <= 1.0f && fabsf(loc[1]) <= 1.0f);
    ram_agent_free(a);
}
END_TEST

/* Greedy locations are the deterministic means: two runs agree exactly,
 * and the classification action is the argmax of probs. */
START_TEST(greedy_is_deterministic)
{
    ram_agent *a = small_agent(RAM_CORE_RNN, 5);
    make_images(3);
    float l1[6][NB * 2], l2[6][NB * 2], probs[NB * 10];
    int act[NB];
    for (int run = 0; run < 2; run++) {
        ck_assert_int_eq(ram_agent_begin(a, NB, RAM_BEGIN_GREEDY_LOCATION), RAM_OK);
        for (int t = 0; t < 6; t++)
            ck_assert_int_eq(ram_agent_step(a, images, sizeof images, run ? l2[t] : l1[t], probs, act), RAM_OK);
        ck_assert_int_eq(ram_agent_end(a, NULL), RAM_OK);
    }
    ck_assert_mem_eq(l1, l2, sizeof l1);
    for (int b = 0; b < NB; b++)
        for (int j = 0; j < 10; j++)
            ck_assert(probs[b * 10 + j] <= probs[b * 10 + act[b]]);
    ram_agent_free(a);
}
END_TEST

START_TEST(same_seed_same_parameters)
{
    ram_agent *a = small_agent(_i ? RAM_CORE_LSTM : RAM_CORE_RNN, 11);
    ram_agent *b = small_agent(_i ? RAM_CORE_LSTM : RAM_CORE_RNN, 11);
    ram_agent *c = small_agent(_i ? RAM_CORE_LSTM : RAM_CORE_RNN, 12);
    make_images(4);
    for (int u = 0; u < 5; u++) {
        train_once(a);
        train_once(b);
        train_once(c);
    }
    float *pa, *pb, *pc;
    size_t n;
    ram_agent_params(a, &pa, NULL, &n);
    ram_agent_params(b, &pb, NULL, NULL);
    ram_agent_params(c, &pc, NULL, NULL);
    ck_assert_mem_eq(pa, pb, n * sizeof(float));
    ck_assert(memcmp(pa, pc, n * sizeof(float)) != 0);
    double ua;
    ck_assert_int_eq(ram_agent_stat(a, RAM_STAT_UPDATES, &ua), RAM_OK);
    ck_assert_double_eq(ua, 5.0);
    ram_agent_free(a);
    ram_agent_free(b);
    ram_agent_free(c);
}
END_TEST

START_TEST(save_load_continue_is_exact)
{
    /* _i: 0 = buffer, 1 = file; both optimisers. */
    int opt = (_i & 2) ? RAM_OPT_SGD : RAM_OPT_ADAM;
    ram_agent *ref = small_agent(RAM_CORE_LSTM, 21);
    ram_agent *a = small_agent(RAM_CORE_LSTM, 21);
    ck_assert_int_eq(ram_agent_set_param(ref, RAM_PARAM_OPTIMIZER, opt), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_OPTIMIZER, opt), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(ref, RAM_PARAM_CLIP_NORM, 1.0), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_CLIP_NORM, 1.0), RAM_OK);
    make_images(5);
    for (int u = 0; u < 7; u++)
        train_once(ref);
    for (int u = 0; u < 3; u++)
        train_once(a);

    ram_agent *b = NULL;
    if (_i & 1) {
        char path[] = "/tmp/ram-test-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(ram_agent_save_file(a, RAM_SAVE_OPTIMIZER, path), RAM_OK);
        ck_assert_int_eq(ram_agent_load_file(&b, path, 0), RAM_OK);
        unlink(path);
    } else {
        size_t size, size2;
        ck_assert_int_eq(ram_agent_save(a, RAM_SAVE_OPTIMIZER, NULL, 0, &size), RAM_OK);
        unsigned char *buf = malloc(size);
        ck_assert_int_eq(ram_agent_save(a, RAM_SAVE_OPTIMIZER, buf, size - 1, &size2),
                         RAM_E_BUFFER);
        ck_assert_uint_eq(size2, size);
        ck_assert_int_eq(ram_agent_save(a, RAM_SAVE_OPTIMIZER, buf, size, &size2), RAM_OK);
        ck_assert_int_eq(ram_agent_load(&b, buf, size, 0), RAM_OK);
        free(buf);
    }
    ram_agent_free(a);
    ck_assert_int_eq(ram_agent_set_input(b, RAM_PIXEL_U8, W, W, W, W * W), RAM_OK);
    double v;
    ck_assert_int_eq(ram_agent_get_param(b, RAM_PARAM_CLIP_NORM, &v), RAM_OK);
    ck_assert_double_eq(v, 1.0);
    ck_assert_int_eq(ram_agent_get_param(b, RAM_PARAM_OPTIMIZER, &v), RAM_OK);
    ck_assert_double_eq(v, opt);
    for (int u = 0; u < 4; u++)
        train_once(b);
    float *pr, *pb;
    size_t n;
    ram_agent_params(ref, &pr, NULL, &n);
    ram_agent_params(b, &pb, NULL, NULL);
    ck_assert_mem_eq(pr, pb, n * sizeof(float));
    ck_assert_int_eq(ram_agent_stat(b, RAM_STAT_UPDATES, &v), RAM_OK);
    ck_assert_double_eq(v, 7.0);
    ram_agent_free(ref);
    ram_agent_free(b);
}
END_TEST

START_TEST(load_inference_and_config_roundtrip)
{
    ram_agent *a = small_agent(RAM_CORE_LSTM, 8), *b;
    size_t size;
    ck_assert_int_eq(ram_agent_save(a, 0, NULL, 0, &size), RAM_OK);
    void *buf = malloc(size);
    ck_assert_int_eq(ram_agent_save(a, 0, buf, size, &size), RAM_OK);
    ck_assert_int_eq(ram_agent_load(&b, buf, size, RAM_LOAD_INFERENCE), RAM_OK);
    int64_t v;
    ck_assert_int_eq(ram_agent_get_config(b, RAM_CFG_CORE, &v), RAM_OK);
    ck_assert_int_eq(v, RAM_CORE_LSTM);
    ck_assert_int_eq(ram_agent_get_config(b, RAM_CFG_HIDDEN, &v), RAM_OK);
    ck_assert_int_eq(v, 20);
    ck_assert_int_eq(ram_agent_get_config(b, RAM_CFG_TRAINABLE, &v), RAM_OK);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(ram_agent_get_config(b, 0, &v), RAM_E_INVALID);
    float *pa, *pb;
    size_t n;
    ram_agent_params(a, &pa, NULL, &n);
    ram_agent_params(b, &pb, NULL, NULL);
    ck_assert_mem_eq(pa, pb, n * sizeof(float));
    /* The same greedy episode gives the same outputs. */
    make_images(6);
    ck_assert_int_eq(ram_agent_set_input(b, RAM_PIXEL_U8, W, W, W, W * W), RAM_OK);
    float pra[NB * 10], prb[NB * 10];
    ram_agent *ab[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(ram_agent_begin(ab[k], NB, RAM_BEGIN_GREEDY_LOCATION), RAM_OK);
        for (int t = 0; t < 6; t++)
            ck_assert_int_eq(ram_agent_step(ab[k], images, sizeof images, NULL, k ? prb : pra, NULL), RAM_OK);
    }
    ck_assert_mem_eq(pra, prb, sizeof pra);
    ck_assert_int_eq(ram_agent_load_file(&b, "/nonexistent/dir/model.ram", 0), RAM_E_IO);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(ram_agent_save_file(a, 0, "/nonexistent/dir/model.ram"), RAM_E_IO);
    free(buf);
    ram_agent_free(a);
    ram_agent_free(ab[1]);
}
END_TEST

/* One training episode (no update) from a fixed sampling seed. */
static void episode_grads(ram_agent *a, float *out, size_t count)
{
    float *g = NULL, rw[NB];
    int act[NB];
    ck_assert_int_eq(ram_agent_seed(a, 9), RAM_OK);
    ck_assert_int_eq(ram_agent_zero_grad(a), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, NB, RAM_BEGIN_TRAIN), RAM_OK);
    for (int t = 0; t < 6; t++)
        ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, NULL, act), RAM_OK);
    for (int b = 0; b < NB; b++)
        rw[b] = act[b] == labels[b] ? 1.0f : (float)b / 8;
    ck_assert_int_eq(ram_agent_reward(a, rw), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
    ck_assert_int_eq(ram_agent_params(a, NULL, &g, NULL), RAM_OK);
    memcpy(out, g, count * sizeof *out);
}

/* RAM_PARAM_LOCATION_CORE_WEIGHT scales only what the location term sends
 * into the core and glimpse networks (linearly); the location network's
 * own gradient does not change. RAM_PARAM_LOCATION_LR_SCALE scales only
 * the location network's step. Layout: glimpse, core, location [2H + 2],
 * action [A H + A], baseline [H + 1]; H = 20, A = 10. */
START_TEST(location_core_weight_and_lr_scale)
{
    enum { H = 20, A = 10 };
    make_images(3);
    ram_agent *a = small_agent(RAM_CORE_LSTM, 5);
    size_t n = 0;
    ck_assert_int_eq(ram_agent_params(a, NULL, NULL, &n), RAM_OK);
    const size_t loc = n - (A * H + A) - (H + 1) - (2 * H + 2);
    float *g[3];
    const double w[3] = {1.0, 0.5, 0.0};
    for (int k = 0; k < 3; k++) {
        g[k] = malloc(n * sizeof(float));
        ck_assert_ptr_nonnull(g[k]);
        ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_CORE_WEIGHT,
                                             w[k]), RAM_OK);
        episode_grads(a, g[k], n);
    }
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_CORE_WEIGHT,
                                         1.5), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_LR_SCALE,
                                         -0.1), RAM_E_RANGE);
    /* The location network and the heads after it: unchanged. */
    ck_assert(memcmp(g[0] + loc, g[1] + loc, (n - loc) * sizeof(float)) == 0);
    ck_assert(memcmp(g[0] + loc, g[2] + loc, (n - loc) * sizeof(float)) == 0);
    /* Glimpse and core: g(0.5) = (g(1) + g(0)) / 2, and g(1) != g(0). */
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < loc; i++) {
        double mid = 0.5 * ((double)g[0][i] + g[2][i]);
        ck_assert_msg(fabs(g[1][i] - mid) <= 1e-5 * (1.0 + fabs(mid)),
                      "param %zu: %g vs %g", i, g[1][i], mid);
        diff += fabs((double)g[0][i] - g[2][i]);
        scale += fabs((double)g[0][i]);
    }
    ck_assert_msg(diff > 1e-3 * scale, "the location term reaches the core");

    /* The step scale, with SGD (one step from zero momentum: p -= lr g). */
    float *p0 = malloc(n * sizeof(float)), *p = NULL;
    ck_assert_ptr_nonnull(p0);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_CORE_WEIGHT, 1),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_OPTIMIZER, RAM_OPT_SGD),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LEARNING_RATE, 0.1),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_LR_SCALE, 0.25),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_params(a, &p, NULL, NULL), RAM_OK);
    memcpy(p0, p, n * sizeof(float));
    episode_grads(a, g[0], n);
    ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    size_t moved = 0;
    for (size_t i = 0; i < n; i++) {
        int in_loc = i >= loc && i < loc + 2 * H + 2;
        /* the gradient array holds sums over the NB samples */
        float want = p0[i] - (in_loc ? 0.25f * 0.1f : 0.1f) * (g[0][i] / NB);
        ck_assert_msg(fabsf(p[i] - want) <= 1e-6f * (1.0f + fabsf(want)),
                      "param %zu: %g vs %g", i, p[i], want);
        moved += in_loc && p[i] != p0[i];
    }
    ck_assert_uint_gt(moved, 0);
    for (int k = 0; k < 3; k++)
        free(g[k]);
    free(p0);
    ram_agent_free(a);
}
END_TEST

/* Parameters that an update leaves below 2^-100 in magnitude are stored as
 * 0, with either optimiser; from 2^-100 up they are kept. (With weight decay
 * a weight whose loss gradient stays 0 shrinks toward the subnormals, and
 * its products slow sgemm down several-fold.) */
START_TEST(tiny_params_flushed)
{
    make_images(4);
    ram_agent *a = small_agent(RAM_CORE_RNN, 6);
    size_t n = 0;
    float *p = NULL, *g = NULL;
    ck_assert_int_eq(ram_agent_params(a, &p, &g, &n), RAM_OK);
    float *tmp = malloc(n * sizeof(float));
    ck_assert_ptr_nonnull(tmp);
    const float below = 0x1.fffffep-101f, at = 0x1p-100f;
    const int opts[2] = {RAM_OPT_SGD, RAM_OPT_ADAM};
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_OPTIMIZER, opts[k]),
                         RAM_OK);
        episode_grads(a, tmp, n);
        /* Indices 0..3 get no gradient: they move only by the flush. */
        memset(g, 0, 4 * sizeof(float));
        p[0] = below;
        p[1] = -below;
        p[2] = at;
        p[3] = -0x1p-130f; /* subnormal */
        ck_assert_int_eq(ram_agent_update(a), RAM_OK);
        ck_assert_msg(p[0] == 0.0f && p[1] == 0.0f && p[3] == 0.0f,
                      "optimizer %d: %a %a %a", opts[k], p[0], p[1], p[3]);
        ck_assert_msg(p[2] == at, "optimizer %d: %a", opts[k], p[2]);
        for (size_t i = 0; i < n; i++)
            ck_assert(p[i] == 0.0f || fabsf(p[i]) >= at);
    }
    free(tmp);
    ram_agent_free(a);
}
END_TEST

/* In classify mode a step with neither probs nor actions skips the action
 * head, and ram_agent_end computes the last step's head when it needs it:
 * gradients and statistics must be the bits of an agent asked at every
 * step, in training and in inference, whichever step ends the episode. */
/* RAM_PARAM_FIRST_LOCATION: where l_0 looks in every mode, whether it is a
 * policy action (a one-glimpse episode gives the location network a
 * gradient only when l_0 is learned), and that models keep the setting. */
START_TEST(first_location_modes)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_HIDDEN, 16), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_MAX_STEPS, 1), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, W, W, W, W * W), RAM_OK);
    make_images(2);
    double v;
    ck_assert_int_eq(ram_param_default(RAM_PARAM_FIRST_LOCATION, &v), RAM_OK);
    ck_assert_double_eq(v, RAM_FIRST_LEARNED);
    ck_assert_int_eq(ram_agent_get_param(a, RAM_PARAM_FIRST_LOCATION, &v), RAM_OK);
    ck_assert_double_eq(v, RAM_FIRST_LEARNED);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_FIRST_LOCATION, 3), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_FIRST_LOCATION, 0.5), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_FIRST_LOCATION, -1), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_get_param(a, RAM_PARAM_FIRST_LOCATION, &v), RAM_OK);
    ck_assert_double_eq(v, RAM_FIRST_LEARNED);

    const unsigned modes[2] = {RAM_BEGIN_TRAIN, RAM_BEGIN_GREEDY_LOCATION};
    float loc[NB * 2], loc2[NB * 2], rw[NB] = {1, 0, 1, 0};
    for (int first = RAM_FIRST_LEARNED; first <= RAM_FIRST_UNIFORM; first++) {
        ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_FIRST_LOCATION, first), RAM_OK);
        for (int m = 0; m < 2; m++) {
            ck_assert_int_eq(ram_agent_seed(a, 4), RAM_OK);
            ck_assert_int_eq(ram_agent_begin(a, NB, modes[m]), RAM_OK);
            ck_assert_int_eq(ram_agent_location(a, loc), RAM_OK);
            ck_assert_int_eq(ram_agent_seed(a, 4), RAM_OK);
            ck_assert_int_eq(ram_agent_begin(a, NB, modes[m]), RAM_OK);
            ck_assert_int_eq(ram_agent_location(a, loc2), RAM_OK);
            ck_assert_mem_eq(loc, loc2, sizeof loc); /* seeded: repeatable */
            int zeros = 0, same_rows = 0;
            for (int i = 0; i < NB * 2; i++) {
                ck_assert(loc[i] >= -1.0f && loc[i] <= 1.0f);
                zeros += loc[i] == 0.0f;
            }
            for (int b = 1; b < NB; b++)
                same_rows += loc[2 * b] == loc[0] && loc[2 * b + 1] == loc[1];
            if (first == RAM_FIRST_CENTER)
                ck_assert_int_eq(zeros, NB * 2);
            else
                ck_assert_int_lt(zeros, NB * 2);
            /* Uniform: every row its own; learned: one mean, sampled in
             * training, the same for every row when greedy; centre: the
             * same for every row. */
            int expect = first == RAM_FIRST_UNIFORM ||
                                 (first == RAM_FIRST_LEARNED && modes[m] == RAM_BEGIN_TRAIN)
                             ? 0
                             : NB - 1;
            ck_assert_msg(same_rows == expect, "first %d, flags %u: %d rows like row 0", first,
                          modes[m], same_rows);
        }
        /* One glimpse: l_0 is the only location, so the location network
         * gets a REINFORCE gradient only if it chose l_0. */
        ck_assert_int_eq(ram_agent_zero_grad(a), RAM_OK);
        ck_assert_int_eq(ram_agent_begin(a, NB, RAM_BEGIN_TRAIN), RAM_OK);
        ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, NULL, NULL), RAM_OK);
        ck_assert_int_eq(ram_agent_reward(a, rw), RAM_OK);
        ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
        float *g;
        size_t n;
        ck_assert_int_eq(ram_agent_params(a, NULL, &g, &n), RAM_OK);
        /* Layout: ..., location [2H + 2], action [A H + A], baseline
         * [H + 1]; H = 16, A = 10. */
        const size_t H = 16, A = 10, loc_off = n - (H + 1) - (A * H + A) - (2 * H + 2);
        double sum = 0.0;
        for (size_t i = 0; i < 2 * H + 2; i++)
            sum += fabs(g[loc_off + i]);
        if (first == RAM_FIRST_LEARNED)
            ck_assert_msg(sum > 1e-6, "learned l_0 got no REINFORCE gradient");
        else
            ck_assert_msg(sum == 0.0, "mode %d: l_0 is no action, yet %g", first, sum);
    }

    /* Saved and loaded with the model. */
    size_t size;
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_FIRST_LOCATION, RAM_FIRST_CENTER), RAM_OK);
    ck_assert_int_eq(ram_agent_save(a, 0, NULL, 0, &size), RAM_OK);
    void *buf = malloc(size);
    ck_assert_int_eq(ram_agent_save(a, 0, buf, size, &size), RAM_OK);
    ram_agent *b;
    ck_assert_int_eq(ram_agent_load(&b, buf, size, RAM_LOAD_INFERENCE), RAM_OK);
    ck_assert_int_eq(ram_agent_get_param(b, RAM_PARAM_FIRST_LOCATION, &v), RAM_OK);
    ck_assert_double_eq(v, RAM_FIRST_CENTER);
    free(buf);
    ram_agent_free(b);
    ram_agent_free(a);
}
END_TEST

START_TEST(skipped_action_heads_change_nothing)
{
    /* _i bit 0: LSTM; bit 1: with dropout (its masks are drawn whether or
     * not the head runs, so the streams stay in step). */
    ram_agent *ask = small_agent(_i & 1 ? RAM_CORE_LSTM : RAM_CORE_RNN, 21);
    ram_agent *skip = small_agent(_i & 1 ? RAM_CORE_LSTM : RAM_CORE_RNN, 21);
    for (int k = 0; k < 2 && (_i & 2); k++) {
        ram_agent *a = k ? skip : ask;
        ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_GLIMPSE_DROPOUT, 0.3), RAM_OK);
        ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_ACTION_DROPOUT, 0.4), RAM_OK);
    }
    make_images(6);
    const float rw[NB] = {1.0f, 0.0f, 1.0f, 0.0f};
    float probs[NB * 10];
    int act[NB];
    for (int steps = 1; steps <= 6; steps += 5) {
        for (int k = 0; k < 2; k++) {
            ram_agent *a = k ? skip : ask;
            ck_assert_int_eq(ram_agent_zero_grad(a), RAM_OK);
            ck_assert_int_eq(ram_agent_begin(a, NB, RAM_BEGIN_TRAIN), RAM_OK);
            for (int t = 0; t < steps; t++)
                ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL,
                                                k ? NULL : probs,
                                                k ? NULL : act),
                                 RAM_OK);
            ck_assert_int_eq(ram_agent_reward(a, rw), RAM_OK);
            ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
        }
        float *ga, *gs;
        size_t n;
        ck_assert_int_eq(ram_agent_params(ask, NULL, &ga, &n), RAM_OK);
        ck_assert_int_eq(ram_agent_params(skip, NULL, &gs, NULL), RAM_OK);
        ck_assert_mem_eq(ga, gs, n * sizeof(float));
        for (int key = RAM_STAT_XENT; key <= RAM_STAT_ACCURACY; key++) {
            double x, y;
            ck_assert_int_eq(ram_agent_stat(ask, key, &x), RAM_OK);
            ck_assert_int_eq(ram_agent_stat(skip, key, &y), RAM_OK);
            ck_assert_msg(x == y, "stat %d, %d steps: %g vs %g", key, steps,
                          x, y);
        }
        /* Inference: the accuracy of ram_agent_end(labels). */
        double acc[2];
        for (int k = 0; k < 2; k++) {
            ram_agent *a = k ? skip : ask;
            ck_assert_int_eq(ram_agent_begin(a, NB, RAM_BEGIN_GREEDY_LOCATION),
                             RAM_OK);
            for (int t = 0; t < steps; t++)
                ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL,
                                                k ? NULL : probs, NULL),
                                 RAM_OK);
            ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
            ck_assert_int_eq(ram_agent_stat(a, RAM_STAT_ACCURACY, &acc[k]),
                             RAM_OK);
        }
        ck_assert_double_eq(acc[0], acc[1]);
    }
    ram_agent_free(ask);
    ram_agent_free(skip);
}
END_TEST

/* One episode on the fixed images; train: recorded, ended with labels and
 * rewards (the gradients accumulate). Writes the last step's probs. */
static void episode(ram_agent *a, unsigned flags, float *probs)
{
    const float rw[NB] = {1.0f, 0.0f, 0.0f, 1.0f};
    ck_assert_int_eq(ram_agent_begin(a, NB, flags), RAM_OK);
    for (int t = 0; t < 5; t++)
        ck_assert_int_eq(ram_agent_step(a, images, sizeof images, NULL, probs, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_reward(a, rw), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
}

/* RAM_PARAM_GLIMPSE_DROPOUT and _ACTION_DROPOUT: bounds, no effect outside
 * training episodes, an effect inside them, read at begin. (_i: the core.
 * The masks themselves are checked in test_agent_grad.c.) */
START_TEST(dropout_in_training_only)
{
    const int core = _i ? RAM_CORE_LSTM : RAM_CORE_RNN;
    const int keys[2] = {RAM_PARAM_GLIMPSE_DROPOUT, RAM_PARAM_ACTION_DROPOUT};
    make_images(8);
    ram_agent *plain = small_agent(core, 5), *drop = small_agent(core, 5);
    for (int k = 0; k < 2; k++) {
        double v, lo, hi;
        ck_assert_int_eq(ram_param_default(keys[k], &v), RAM_OK);
        ck_assert(v == 0.0);
        ck_assert_int_eq(ram_param_bounds(keys[k], &lo, &hi), RAM_OK);
        ck_assert(lo == 0.0 && hi == 0.95);
        ck_assert_int_eq(ram_agent_set_param(drop, keys[k], 0.5), RAM_OK);
        ck_assert_int_eq(ram_agent_set_param(drop, keys[k], 0.96), RAM_E_RANGE);
        ck_assert_int_eq(ram_agent_set_param(drop, keys[k], -0.1), RAM_E_RANGE);
        ck_assert_int_eq(ram_agent_set_param(drop, keys[k], NAN), RAM_E_RANGE);
        ck_assert_int_eq(ram_agent_get_param(drop, keys[k], &v), RAM_OK);
        ck_assert(v == 0.5);
    }
    /* Outside training the same bits, sampled or greedy. */
    float p0[NB * 10], p1[NB * 10];
    for (unsigned flags = 0; flags <= RAM_BEGIN_GREEDY_LOCATION;
         flags += RAM_BEGIN_GREEDY_LOCATION) {
        episode(plain, flags, p0);
        episode(drop, flags, p1);
        ck_assert_mem_eq(p0, p1, sizeof p0);
    }
    /* In training the gradients differ. */
    float *g0, *g1;
    size_t n;
    episode(plain, RAM_BEGIN_TRAIN, p0);
    episode(drop, RAM_BEGIN_TRAIN, p1);
    ck_assert_int_eq(ram_agent_params(plain, NULL, &g0, &n), RAM_OK);
    ck_assert_int_eq(ram_agent_params(drop, NULL, &g1, NULL), RAM_OK);
    ck_assert(memcmp(g0, g1, n * sizeof(float)) != 0);
    ram_agent_free(drop);

    /* Read at begin: raising the rate mid-episode changes nothing. */
    drop = small_agent(core, 5);
    ram_agent_free(plain);
    plain = small_agent(core, 5);
    ck_assert_int_eq(ram_agent_begin(drop, NB, RAM_BEGIN_TRAIN), RAM_OK);
    for (int k = 0; k < 2; k++)
        ck_assert_int_eq(ram_agent_set_param(drop, keys[k], 0.9), RAM_OK);
    const float rw[NB] = {1.0f, 0.0f, 0.0f, 1.0f};
    for (int t = 0; t < 5; t++)
        ck_assert_int_eq(ram_agent_step(drop, images, sizeof images, NULL, p1, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_reward(drop, rw), RAM_OK);
    ck_assert_int_eq(ram_agent_end(drop, labels), RAM_OK);
    episode(plain, RAM_BEGIN_TRAIN, p0);
    ck_assert_int_eq(ram_agent_params(plain, NULL, &g0, &n), RAM_OK);
    ck_assert_int_eq(ram_agent_params(drop, NULL, &g1, NULL), RAM_OK);
    ck_assert_mem_eq(g0, g1, n * sizeof(float));
    ram_agent_free(plain);
    ram_agent_free(drop);
}
END_TEST

Suite *suite_agent(void)
{
    Suite *s = suite_create("agent");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, config_defaults_and_bounds);
    tcase_add_test(tc, tunables);
    tcase_add_test(tc, call_order);
    tcase_add_test(tc, bad_input_leaves_episode_intact);
    tcase_add_test(tc, inference_only_agent);
    tcase_add_test(tc, greedy_is_deterministic);
    tcase_add_loop_test(tc, same_seed_same_parameters, 0, 2);
    tcase_add_loop_test(tc, save_load_continue_is_exact, 0, 4);
    tcase_add_test(tc, load_inference_and_config_roundtrip);
    tcase_add_test(tc, location_core_weight_and_lr_scale);
    tcase_add_test(tc, tiny_params_flushed);
    tcase_add_test(tc, first_location_modes);
    tcase_add_loop_test(tc, skipped_action_heads_change_nothing, 0, 4);
    tcase_add_loop_test(tc, dropout_in_training_only, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
