/* Hostile numbers (issue 22): no public call returns RAM_OK with a NaN or
 * infinite output; a refused call leaves the agent as it was (compared
 * with a twin agent that never saw the bad input); F32 pixels have one
 * valid range, checked the same way by the sensor and the step; rewards
 * are bounded; a refused update changes nothing but its counter; begin
 * allocates before it changes anything. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ram/ram.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HUGE_ALLOC_OK 0 /* the sanitizers' allocators abort on them */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HUGE_ALLOC_OK 0
#endif
#endif
#ifndef HUGE_ALLOC_OK
#define HUGE_ALLOC_OK 1
#endif

enum { W = 28, H = 28, A = 10 };

static ram_agent *agent_of(int64_t seed, int mode)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 16), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 8), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 24), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_HIDDEN, 20), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_SCALES, 3), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_ACTION_MODE, mode), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_SEED, seed), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_F32, W, H,
                                         W * sizeof(float), 0),
                     RAM_OK);
    return a;
}

static float img_a[W * H], img_bad[W * H];

static void fill_image(float *img, unsigned seed)
{
    for (int i = 0; i < W * H; i++) {
        seed = seed * 1103515245u + 12345u;
        img[i] = (float)((seed >> 16) & 255) / 255.0f;
    }
}

static int all_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* One step's outputs. */
typedef struct outs {
    float loc[2], probs[A];
    int act;
} outs;

static int step(ram_agent *a, const float *img, outs *o)
{
    return ram_agent_step(a, img, sizeof img_a, o->loc, o->probs, &o->act);
}

#define same_outs(x, y) same_outs_at(x, y, __LINE__)
static void same_outs_at(const outs *x, const outs *y, int line)
{
    ck_assert_msg(memcmp(x, y, sizeof *x) == 0,
                  "line %d: loc %g %g / %g %g, p0 %g / %g, act %d / %d", line,
                  x->loc[0], x->loc[1], y->loc[0], y->loc[1], x->probs[0],
                  y->probs[0], x->act, y->act);
}

/* Every parameter set to v (1e10, 1e30, FLT_MAX, -FLT_MAX, NaN) through
 * ram_agent_params(): begin and step either succeed with finite outputs or
 * return RAM_E_NONFINITE; never UB (UBSan: the sensor's (long)floor). */
START_TEST(absurd_parameters_never_give_nonfinite_ok)
{
    const float vals[] = {1e10f, 1e30f, FLT_MAX, -FLT_MAX, NAN, INFINITY};
    const float v = vals[_i % 6];
    const int mode = _i < 6 ? RAM_ACTION_CLASSIFY : RAM_ACTION_CONTROL;
    fill_image(img_a, 5);
    for (int flags = 0; flags < 2; flags++) {
        ram_agent *a = agent_of(7, mode);
        float *p;
        size_t n;
        ck_assert_int_eq(ram_agent_params(a, &p, NULL, &n), RAM_OK);
        for (size_t i = 0; i < n; i++)
            p[i] = (i % 3 == 0) ? -v : v;
        int rc = ram_agent_begin(a, 2, flags ? RAM_BEGIN_TRAIN : 0);
        ck_assert(rc == RAM_OK || rc == RAM_E_NONFINITE);
        if (rc == RAM_OK) {
            float loc[4];
            ck_assert_int_eq(ram_agent_location(a, loc), RAM_OK);
            ck_assert(all_finite(loc, 4));
            float img2[2 * W * H];
            memcpy(img2, img_a, sizeof img_a);
            memcpy(img2 + W * H, img_a, sizeof img_a);
            ram_agent_set_input(a, RAM_PIXEL_F32, W, H, W * sizeof(float),
                                sizeof img_a);
            for (int t = 0; t < 6; t++) {
                float nl[4], pr[2 * A];
                int ac[2];
                rc = ram_agent_step(a, img2, sizeof img2, nl, pr, ac);
                ck_assert_msg(rc == RAM_OK || rc == RAM_E_NONFINITE,
                              "rc %d", rc);
                if (rc == RAM_OK) {
                    ck_assert(all_finite(nl, 4));
                    ck_assert(all_finite(pr, 2 * A));
                }
            }
            rc = ram_agent_end(a, NULL);
            ck_assert(rc == RAM_OK || rc == RAM_E_STATE ||
                      rc == RAM_E_NONFINITE);
            if (rc == RAM_OK && flags) {
                /* A non-finite gradient, or a step that overflows, is
                 * refused; the parameters stay as they were. */
                float *before = malloc(n * sizeof(float));
                ck_assert_ptr_nonnull(before);
                memcpy(before, p, n * sizeof(float));
                rc = ram_agent_update(a);
                ck_assert(rc == RAM_OK || rc == RAM_E_NONFINITE);
                if (rc == RAM_OK)
                    ck_assert(all_finite(p, n));
                else
                    ck_assert(memcmp(before, p, n * sizeof(float)) == 0);
                free(before);
            }
        }
        ram_agent_free(a);
    }
}
END_TEST

/* One NaN written into the parameters in mid-episode: the step refuses it
 * and the episode is as before (RNG included): once the parameter is put
 * back, the episode goes on exactly as a twin's that never saw it. */
START_TEST(nan_parameter_step_is_refused_state_kept)
{
    const int train = _i & 1;
    const int mode = _i & 2 ? RAM_ACTION_CONTROL : RAM_ACTION_CLASSIFY;
    const int ask = !(_i & 4); /* classify: with or without outputs */
    fill_image(img_a, 9);
    ram_agent *a = agent_of(11, mode), *twin = agent_of(11, mode);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_GLIMPSE_DROPOUT, 0.2),
                     RAM_OK);
    ck_assert_int_eq(
        ram_agent_set_param(twin, RAM_PARAM_GLIMPSE_DROPOUT, 0.2), RAM_OK);
    unsigned flags = train ? RAM_BEGIN_TRAIN : 0;
    ck_assert_int_eq(ram_agent_begin(a, 1, flags), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(twin, 1, flags), RAM_OK);
    outs x, y;
    ck_assert_int_eq(step(a, img_a, &x), RAM_OK);
    ck_assert_int_eq(step(twin, img_a, &y), RAM_OK);
    same_outs(&x, &y);

    float *p;
    size_t n;
    ck_assert_int_eq(ram_agent_params(a, &p, NULL, &n), RAM_OK);
    /* Poison each network in turn: a glimpse weight, a core weight, an
     * action weight (read only when the head runs: in classify mode a step
     * asked for no output skips it; ram_agent_end refuses it below). */
    const size_t where[] = {0, n / 2, n - 30};
    const int heads = ask || mode == RAM_ACTION_CONTROL;
    for (int k = 0; k < (heads ? 3 : 2); k++) {
        float keep = p[where[k]];
        p[where[k]] = NAN;
        outs z;
        memset(&z, 0x5a, sizeof z);
        outs z0 = z;
        int rc = ask ? step(a, img_a, &z)
                     : ram_agent_step(a, img_a, sizeof img_a, NULL, NULL,
                                      NULL);
        p[where[k]] = keep;
        ck_assert_msg(rc == RAM_E_NONFINITE, "k %d rc %d", k, rc);
        ck_assert(memcmp(&z, &z0, sizeof z) == 0); /* nothing written */
    }
    for (int t = 1; t < 4; t++) {
        ck_assert_int_eq(step(a, img_a, &x), RAM_OK);
        ck_assert_int_eq(step(twin, img_a, &y), RAM_OK);
        same_outs(&x, &y);
    }
    /* The end sees the same episode; a NaN action weight that no step
     * read is refused there, and the episode goes on. */
    int label = 3;
    if (!heads) {
        ck_assert_int_eq(ram_agent_step(a, img_a, sizeof img_a, NULL, NULL,
                                        NULL), RAM_OK);
        ck_assert_int_eq(ram_agent_step(twin, img_a, sizeof img_a, NULL,
                                        NULL, NULL), RAM_OK);
        float keep = p[n - 30];
        p[n - 30] = NAN;
        ck_assert_int_eq(ram_agent_end(a, &label), RAM_E_NONFINITE);
        p[n - 30] = keep;
    }
    ck_assert_int_eq(ram_agent_end(a, &label), RAM_OK);
    ck_assert_int_eq(ram_agent_end(twin, &label), RAM_OK);
    double sa, sb;
    ram_agent_stat(a, RAM_STAT_XENT, &sa);
    ram_agent_stat(twin, RAM_STAT_XENT, &sb);
    ck_assert(sa == sb);
    ram_agent_free(a);
    ram_agent_free(twin);
}
END_TEST

/* A NaN location bias: begin refuses before it changes anything (an
 * inference episode under way goes on). */
START_TEST(nan_first_location_begin_refused)
{
    fill_image(img_a, 13);
    ram_agent *a = agent_of(3, RAM_ACTION_CLASSIFY),
              *twin = agent_of(3, RAM_ACTION_CLASSIFY);
    ck_assert_int_eq(ram_agent_begin(a, 1, 0), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(twin, 1, 0), RAM_OK);
    outs x, y;
    ck_assert_int_eq(step(a, img_a, &x), RAM_OK);
    ck_assert_int_eq(step(twin, img_a, &y), RAM_OK);
    /* Find a parameter that makes l_0 NaN (the location bias: its output
     * for the zero state) on a third agent: begin refuses it, and every
     * other one begins. */
    ram_agent *probe = agent_of(3, RAM_ACTION_CLASSIFY);
    float *p;
    size_t n;
    ck_assert_int_eq(ram_agent_params(probe, &p, NULL, &n), RAM_OK);
    size_t hit = n;
    for (size_t i = 0; i < n && hit == n; i++) {
        float keep = p[i];
        p[i] = NAN;
        int rc = ram_agent_begin(probe, 1, RAM_BEGIN_TRAIN);
        p[i] = keep;
        if (rc == RAM_E_NONFINITE)
            hit = i;
        else
            ck_assert_int_eq(rc, RAM_OK);
    }
    ram_agent_free(probe);
    ck_assert(hit < n);
    ck_assert_int_eq(ram_agent_params(a, &p, NULL, &n), RAM_OK);
    p[hit] = NAN;
    ck_assert_int_eq(ram_agent_begin(a, 4, RAM_BEGIN_TRAIN), RAM_E_NONFINITE);
    ck_assert_int_eq(ram_agent_begin(a, 1, 0), RAM_E_NONFINITE);
    p[hit] = 0.0f;
    ram_agent_params(twin, &p, NULL, &n);
    p[hit] = 0.0f; /* the twin's l_0 of a later episode would differ */
    ck_assert(hit < n);
    size_t b;
    ck_assert_int_eq(ram_agent_batch(a, &b), RAM_OK);
    ck_assert_uint_eq(b, 1);
    ck_assert_int_eq(step(a, img_a, &x), RAM_OK);
    ck_assert_int_eq(step(twin, img_a, &y), RAM_OK);
    same_outs(&x, &y);
    ram_agent_free(a);
    ram_agent_free(twin);
}
END_TEST

/* F32 pixels: finite and within +-RAM_PIXEL_F32_MAX. The sensor and the
 * step agree: NaN/Inf is RAM_E_NONFINITE, a finite value beyond the bound
 * RAM_E_RANGE, the bound itself is fine; no RAM_OK with an Inf glimpse
 * (FLT_MAX pixels used to overflow the coarse scales' block sums). */
START_TEST(pixel_range_sensor_and_step_agree)
{
    const float vals[] = {NAN,     INFINITY, -INFINITY, FLT_MAX, -FLT_MAX,
                          1e30f,   1.7e7f,   RAM_PIXEL_F32_MAX,
                          -RAM_PIXEL_F32_MAX, 0.5f};
    const int expect[] = {RAM_E_NONFINITE, RAM_E_NONFINITE, RAM_E_NONFINITE,
                          RAM_E_RANGE,     RAM_E_RANGE,     RAM_E_RANGE,
                          RAM_E_RANGE,     RAM_OK,          RAM_OK,
                          RAM_OK};
    ram_sensor *s;
    ck_assert_int_eq(ram_sensor_create(&s, 8, 3, 1), RAM_OK);
    static float out[3 * 64], out0[3 * 64];
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        for (int i = 0; i < W * H; i++)
            img_bad[i] = vals[k];
        const float loc[2] = {0.1f, -0.2f};
        memset(out, 0x7f, sizeof out);
        memcpy(out0, out, sizeof out);
        int rs = ram_sensor_glimpse(s, 1, img_bad, RAM_PIXEL_F32, W, H,
                                    W * sizeof(float), 0, loc, out);
        ck_assert_msg(rs == expect[k], "sensor, pixel %g: %d", vals[k], rs);
        if (rs == RAM_OK)
            ck_assert(all_finite(out, 3 * 64));
        else
            ck_assert(memcmp(out, out0, sizeof out) == 0);
        /* The scaled retina makes the same check. */
        const float sc = 1.3f;
        int rz = ram_sensor_glimpse_scaled(s, 1, img_bad, RAM_PIXEL_F32, W, H,
                                           W * sizeof(float), 0, loc, &sc, 0,
                                           out);
        ck_assert_msg(rz == expect[k], "scaled, pixel %g: %d", vals[k], rz);
        if (rz == RAM_OK)
            ck_assert(all_finite(out, 3 * 64));

        ram_agent *a = agent_of(5, RAM_ACTION_CLASSIFY);
        ck_assert_int_eq(ram_agent_begin(a, 1, 0), RAM_OK);
        outs x;
        int ra = step(a, img_bad, &x);
        if (expect[k] == RAM_OK)
            ck_assert(ra == RAM_OK || ra == RAM_E_NONFINITE);
        else
            ck_assert_msg(ra == expect[k], "step, pixel %g: %d", vals[k],
                          ra);
        if (ra == RAM_OK)
            ck_assert(all_finite(x.probs, A) && all_finite(x.loc, 2));
        ram_agent_free(a);
    }
    /* Only the pixels the patches read are checked: a bad pixel far from
     * the glimpse is not seen (as before). */
    fill_image(img_bad, 3);
    img_bad[0] = NAN;
    const float centre[2] = {0.0f, 0.0f};
    ram_sensor *s1;
    ck_assert_int_eq(ram_sensor_create(&s1, 4, 1, 1), RAM_OK);
    ck_assert_int_eq(ram_sensor_glimpse(s1, 1, img_bad, RAM_PIXEL_F32, W, H,
                                        W * sizeof(float), 0, centre, out),
                     RAM_OK);
    ram_sensor_free(s1);
    ram_sensor_free(s);
}
END_TEST

/* Rewards: a step's reward stays within +-RAM_AGENT_MAX_REWARD; FLT_MAX is
 * refused (it used to be accepted and stall every later update). */
START_TEST(reward_bound)
{
    fill_image(img_a, 17);
    ram_agent *a = agent_of(19, RAM_ACTION_CONTROL),
              *twin = agent_of(19, RAM_ACTION_CONTROL);
    ck_assert_int_eq(ram_agent_begin(a, 2, RAM_BEGIN_TRAIN), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(twin, 2, RAM_BEGIN_TRAIN), RAM_OK);
    float img2[2 * W * H];
    memcpy(img2, img_a, sizeof img_a);
    memcpy(img2 + W * H, img_a, sizeof img_a);
    ram_agent_set_input(a, RAM_PIXEL_F32, W, H, W * sizeof(float),
                        sizeof img_a);
    ram_agent_set_input(twin, RAM_PIXEL_F32, W, H, W * sizeof(float),
                        sizeof img_a);
    ck_assert_int_eq(ram_agent_step(a, img2, sizeof img2, NULL, NULL, NULL),
                     RAM_OK);
    ck_assert_int_eq(
        ram_agent_step(twin, img2, sizeof img2, NULL, NULL, NULL), RAM_OK);
    const float ok[2] = {(float)RAM_AGENT_MAX_REWARD, -1.0f};
    const float huge[2] = {0.0f, FLT_MAX};
    const float over[2] = {1.0f, 0.0f}; /* with ok[]: 1e6 + 1 */
    const float nan[2] = {0.0f, NAN};
    ck_assert_int_eq(ram_agent_reward(a, huge), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_reward(a, nan), RAM_E_NONFINITE);
    ck_assert_int_eq(ram_agent_reward(a, ok), RAM_OK);
    ck_assert_int_eq(ram_agent_reward(a, over), RAM_E_RANGE);
    ck_assert_int_eq(ram_agent_reward(twin, ok), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_end(twin, NULL), RAM_OK);
    double ra, rb;
    ram_agent_stat(a, RAM_STAT_RETURN, &ra);
    ram_agent_stat(twin, RAM_STAT_RETURN, &rb);
    ck_assert(ra == rb && ra == (1e6 - 1.0) / 2.0);
    /* The largest reward trains without overflow. */
    ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    ram_agent_free(a);
    ram_agent_free(twin);
}
END_TEST

/* Snapshot of what an update may change. */
typedef struct snap {
    unsigned char *model; /* ram_agent_save with the optimiser state */
    size_t size;
    float *grads;
    uint64_t samples;
} snap;

static snap take(ram_agent *a)
{
    snap s;
    ck_assert_int_eq(ram_agent_save(a, RAM_SAVE_OPTIMIZER, NULL, 0, &s.size),
                     RAM_OK);
    s.model = malloc(s.size);
    ck_assert_int_eq(
        ram_agent_save(a, RAM_SAVE_OPTIMIZER, s.model, s.size, &s.size),
        RAM_OK);
    float *g;
    size_t n;
    ram_agent_params(a, NULL, &g, &n);
    s.grads = malloc(n * sizeof(float));
    memcpy(s.grads, g, n * sizeof(float));
    ram_agent_grad_samples(a, &s.samples);
    return s;
}

static void same_snap(const snap *x, const snap *y, size_t n)
{
    ck_assert_uint_eq(x->size, y->size);
    ck_assert(memcmp(x->model, y->model, x->size) == 0);
    ck_assert(memcmp(x->grads, y->grads, n * sizeof(float)) == 0);
    ck_assert_uint_eq(x->samples, y->samples);
    free(x->model);
    free(x->grads);
    free(y->model);
    free(y->grads);
}

/* An update whose result would overflow is refused whole: parameters,
 * moments, step count, gradients and sample count as before, the refusal
 * counted; after ram_agent_zero_grad training goes on. Also through the
 * optimiser switch (fresh moments) and weight decay. */
START_TEST(update_refuses_overflow_state_kept)
{
    const int opt = _i & 1 ? RAM_OPT_SGD : RAM_OPT_ADAM;
    const int switch_opt = (_i & 2) != 0;
    const int decay = (_i & 4) != 0;
    fill_image(img_a, 23);
    ram_agent *a = agent_of(29, RAM_ACTION_CLASSIFY);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_OPTIMIZER,
                                         switch_opt ? RAM_OPT_ADAM + RAM_OPT_SGD - opt
                                                    : opt),
                     RAM_OK);
    /* One real update so that the moments are not zero. */
    int label = 1;
    ck_assert_int_eq(ram_agent_begin(a, 1, RAM_BEGIN_TRAIN), RAM_OK);
    outs x;
    ck_assert_int_eq(step(a, img_a, &x), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, &label), RAM_OK);
    ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_OPTIMIZER, opt),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LEARNING_RATE, 10.0),
                     RAM_OK);
    if (decay)
        ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_WEIGHT_DECAY, 0.5),
                         RAM_OK);
    float *p, *g;
    size_t n;
    ram_agent_params(a, &p, &g, &n);
    /* A finite gradient whose step overflows one parameter near FLT_MAX. */
    p[n / 3] = 3e38f;
    for (size_t i = 0; i < n; i++)
        g[i] = 1e-3f;
    g[n / 3] = -3e38f;
    ck_assert_int_eq(ram_agent_set_grad_samples(a, 1), RAM_OK);
    snap before = take(a);
    ck_assert_int_eq(ram_agent_update(a), RAM_E_NONFINITE);
    snap after = take(a);
    same_snap(&before, &after, n);
    double refused;
    ck_assert_int_eq(ram_agent_stat(a, RAM_STAT_REFUSED_UPDATES, &refused),
                     RAM_OK);
    ck_assert(refused == 1.0);
    ck_assert_int_eq(ram_agent_update(a), RAM_E_NONFINITE); /* kept */
    ram_agent_stat(a, RAM_STAT_REFUSED_UPDATES, &refused);
    ck_assert(refused == 2.0);
    /* The loop's way out: discard, put the parameter back, go on. */
    p[n / 3] = 0.0f;
    ck_assert_int_eq(ram_agent_zero_grad(a), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LEARNING_RATE, 1e-3),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, 1, RAM_BEGIN_TRAIN), RAM_OK);
    ck_assert_int_eq(step(a, img_a, &x), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, &label), RAM_OK);
    ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    ck_assert(all_finite(p, n));
    ram_agent_free(a);
}
END_TEST

/* A parameter of 1e37 (finite) defeats the update's cheap bound, so the
 * dry run decides: the step is finite and must be applied, the same bits
 * as a twin whose large parameter is only set after its update (the
 * update is elementwise: the other parameters cannot tell). */
START_TEST(update_near_the_bound_is_applied)
{
    fill_image(img_a, 41);
    ram_agent *a = agent_of(43, RAM_ACTION_CLASSIFY),
              *twin = agent_of(43, RAM_ACTION_CLASSIFY);
    int label = 2;
    outs x;
    for (int k = 0; k < 2; k++) {
        ram_agent *g = k ? twin : a;
        ck_assert_int_eq(ram_agent_begin(g, 1, RAM_BEGIN_TRAIN), RAM_OK);
        ck_assert_int_eq(step(g, img_a, &x), RAM_OK);
        ck_assert_int_eq(ram_agent_end(g, &label), RAM_OK);
    }
    float *p, *q, *g;
    size_t n;
    ram_agent_params(a, &p, &g, &n);
    ram_agent_params(twin, &q, NULL, &n);
    size_t big = 0; /* a parameter with a zero gradient */
    while (big < n && g[big] != 0.0f)
        big++;
    ck_assert(big < n);
    const float keep = p[big];
    p[big] = 1e37f;
    ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    ck_assert_int_eq(ram_agent_update(twin), RAM_OK);
    ck_assert(p[big] == 1e37f);
    p[big] = keep;
    ck_assert(memcmp(p, q, n * sizeof(float)) == 0);
    double refused;
    ram_agent_stat(a, RAM_STAT_REFUSED_UPDATES, &refused);
    ck_assert(refused == 0.0);
    ram_agent_free(a);
    ram_agent_free(twin);
}
END_TEST

/* begin(RAM_BEGIN_TRAIN) with a batch too large for memory, in the middle
 * of an inference episode: RAM_E_NOMEM, and the episode goes on exactly
 * as a twin's. */
START_TEST(begin_nomem_keeps_the_episode)
{
#if !HUGE_ALLOC_OK
    return;
#else
    fill_image(img_a, 31);
    ram_agent *a = agent_of(37, RAM_ACTION_CLASSIFY),
              *twin = agent_of(37, RAM_ACTION_CLASSIFY);
    ram_config *cfg;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    int64_t steps;
    ram_agent_get_config(a, RAM_CFG_MAX_STEPS, &steps);
    ram_config_free(cfg);
    ck_assert_int_eq(ram_agent_begin(a, 1, 0), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(twin, 1, 0), RAM_OK);
    outs x, y;
    ck_assert_int_eq(step(a, img_a, &x), RAM_OK);
    ck_assert_int_eq(step(twin, img_a, &y), RAM_OK);
    /* RAM_MAX_ROWS / T rows of recording: hundreds of GiB. */
    size_t big = RAM_MAX_ROWS / (size_t)steps;
    ck_assert_int_eq(ram_agent_begin(a, big, RAM_BEGIN_TRAIN), RAM_E_NOMEM);
    size_t b;
    ck_assert_int_eq(ram_agent_batch(a, &b), RAM_OK);
    ck_assert_uint_eq(b, 1);
    for (int t = 0; t < 3; t++) {
        ck_assert_int_eq(step(a, img_a, &x), RAM_OK);
        ck_assert_int_eq(step(twin, img_a, &y), RAM_OK);
        same_outs(&x, &y);
    }
    ram_agent_free(a);
    ram_agent_free(twin);
#endif
}
END_TEST

Suite *suite_hostile(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("numbers");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, absurd_parameters_never_give_nonfinite_ok, 0, 12);
    tcase_add_loop_test(tc, nan_parameter_step_is_refused_state_kept, 0, 8);
    tcase_add_test(tc, nan_first_location_begin_refused);
    tcase_add_test(tc, pixel_range_sensor_and_step_agree);
    tcase_add_test(tc, reward_bound);
    tcase_add_loop_test(tc, update_refuses_overflow_state_kept, 0, 8);
    tcase_add_test(tc, update_near_the_bound_is_applied);
    tcase_add_test(tc, begin_nomem_keeps_the_episode);
    suite_add_tcase(s, tc);
    return s;
}
