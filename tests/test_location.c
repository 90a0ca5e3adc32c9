/* Tests of the location network (include/ram/location.h). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"
#include "internal.h"
#include "ram/ram.h"

#define HD 6
#define NR 8

static const double LOG_2PI = 1.8378770664093453;

/* Reference mean in double; *margin = distance of the pre-activations to
 * the hardtanh kinks at +-1. */
static void ref_mean(const float *p, int bound, size_t n, const float *h,
                     double *mean, double *margin)
{
    const float *w = p, *b = p + 2 * HD;
    *margin = INFINITY;
    for (size_t r = 0; r < n; r++)
        for (size_t d = 0; d < 2; d++) {
            double s = b[d];
            for (size_t k = 0; h && k < HD; k++)
                s += (double)w[d * HD + k] * h[r * HD + k];
            *margin = fmin(*margin, fabs(fabs(s) - 1.0));
            if (bound == RAM_BOUND_TANH)
                mean[2 * r + d] = tanh(s);
            else
                mean[2 * r + d] = s > 1 ? 1 : (s < -1 ? -1 : s);
        }
}

static double ref_logp(const float *raw, const float *mean, double std)
{
    double s = 0;
    for (int d = 0; d < 2; d++) {
        double e = (double)raw[d] - (double)mean[d];
        s += -e * e / (2 * std * std) - log(std) - 0.5 * LOG_2PI;
    }
    return s;
}

/* ---- the REINFORCE surrogate: sum_r coef_r log pi(raw_r | mean(h; W)),
 *      raw held fixed ---- */

struct lfix {
    int bound;
    ram_location *net;
    float *params, *grads;
    size_t count;
    double std;
    float h[NR * HD], raw[NR * 2], coef[NR], mean[NR * 2];
};

static double lfix_loss(void *ctx)
{
    struct lfix *f = ctx;
    double s = 0;
    ck_assert_int_eq(ram_location_forward(f->net, NR, f->h, f->mean), RAM_OK);
    for (size_t r = 0; r < NR; r++)
        s += (double)f->coef[r] * ref_logp(f->raw + 2 * r, f->mean + 2 * r,
                                           f->std);
    return s;
}

static void lfix_setup(struct lfix *f, int bound, uint64_t seed)
{
    uint64_t st = seed;
    double m[NR * 2], margin = 0;
    int tries = 0;

    memset(f, 0, sizeof *f);
    f->bound = bound;
    f->std = 0.3;
    ck_assert_int_eq(ram_location_create(&f->net, HD, bound, 5), RAM_OK);
    ck_assert_int_eq(ram_location_set_std(f->net, f->std), RAM_OK);
    ram_location_params(f->net, &f->params, &f->grads, &f->count);
    /* Inputs large enough that some rows saturate the hardtanh (zero
     * gradient there), none within 0.05 of a kink. */
    for (;;) {
        int sat = 0;
        gc_fill(f->h, NR * HD, &st, -3.0, 3.0);
        ref_mean(f->params, bound, NR, f->h, m, &margin);
        for (size_t i = 0; i < NR * 2; i++)
            sat += fabs(m[i]) == 1.0;
        if (margin >= 0.05 &&
            (bound == RAM_BOUND_TANH || (sat > 1 && sat < NR * 2 - 1)))
            break;
        ck_assert_msg(++tries < 5000, "no location fixture");
    }
    ram_location_forward(f->net, NR, f->h, f->mean);
    ck_assert_int_eq(ram_location_sample(f->net, NR, f->mean, f->raw,
                                         (float[NR * 2]){0}, NULL),
                     RAM_OK);
    gc_fill(f->coef, NR, &st, -1.0, 1.0);
}

START_TEST(test_create_shape)
{
    ram_location *net = (ram_location *)&net;
    size_t in = 0, count = 0;
    int bound = 0;
    double std = 0;
    float *p, *g;

    ck_assert_int_eq(ram_location_create(&net, HD, RAM_BOUND_HARDTANH, 1),
                     RAM_OK);
    ck_assert_int_eq(ram_location_shape(net, &in, &bound), RAM_OK);
    ck_assert_uint_eq(in, HD);
    ck_assert_int_eq(bound, RAM_BOUND_HARDTANH);
    ck_assert_int_eq(ram_location_shape(net, NULL, NULL), RAM_OK);
    ck_assert_int_eq(ram_location_params(net, &p, &g, &count), RAM_OK);
    ck_assert_uint_eq(count, 2 * HD + 2);
    ck_assert(gc_all_equal(g, count, 0.0f));
    double lim = 1.0 / sqrt((double)HD), mx = 0;
    for (size_t i = 0; i < count; i++) {
        ck_assert(fabs(p[i]) <= lim);
        mx = fmax(mx, fabs(p[i]));
    }
    ck_assert(mx > 0.3 * lim);
    ck_assert_int_eq(ram_location_get_std(net, &std), RAM_OK);
    ck_assert(std == 0.1);
    ck_assert_int_eq(ram_location_set_std(net, 0.25), RAM_OK);
    ck_assert_int_eq(ram_location_get_std(net, &std), RAM_OK);
    ck_assert(std == 0.25);
    ck_assert_int_eq(ram_location_set_std(net, RAM_LOCATION_MAX_STD), RAM_OK);
    ram_location_free(net);
    ram_location_free(NULL);
}
END_TEST

START_TEST(test_forward_reference)
{
    int bound = _i ? RAM_BOUND_HARDTANH : RAM_BOUND_TANH;
    struct lfix f;
    double m[NR * 2], margin;
    float mean[NR * 2];
    int sat = 0;

    lfix_setup(&f, bound, 10);
    ck_assert_int_eq(ram_location_forward(f.net, NR, f.h, mean), RAM_OK);
    ref_mean(f.params, bound, NR, f.h, m, &margin);
    for (size_t i = 0; i < NR * 2; i++) {
        ck_assert(fabs(mean[i] - m[i]) < 1e-5);
        ck_assert(mean[i] >= -1.0f && mean[i] <= 1.0f);
        sat += fabs(mean[i]) == 1.0f;
    }
    if (bound == RAM_BOUND_HARDTANH)
        ck_assert_msg(sat > 0 && sat < NR * 2, "fixture: %d saturated", sat);
    /* h NULL: bound(b). */
    ck_assert_int_eq(ram_location_forward(f.net, 3, NULL, mean), RAM_OK);
    ref_mean(f.params, bound, 3, NULL, m, &margin);
    for (size_t i = 0; i < 6; i++)
        ck_assert(fabs(mean[i] - m[i]) < 1e-6);
    ram_location_free(f.net);
}
END_TEST

/* score + backward = d/dtheta sum coef log pi(raw | mean), raw fixed. */
START_TEST(test_gradcheck_score)
{
    int bound = _i ? RAM_BOUND_HARDTANH : RAM_BOUND_TANH;
    struct lfix f;
    float dmean[NR * 2], dh[NR * HD];
    gc_result r;
    const char *name = _i ? "location hardtanh" : "location tanh";
    char what[64];

    lfix_setup(&f, bound, 20 + (uint64_t)_i);
    ram_location_zero_grad(f.net);
    ram_location_forward(f.net, NR, f.h, f.mean);
    ck_assert_int_eq(ram_location_score(f.net, NR, f.mean, f.raw, f.coef,
                                        dmean),
                     RAM_OK);
    ck_assert_int_eq(ram_location_backward(f.net, NR, f.h, f.mean, dmean, dh, 0.0f),
                     RAM_OK);
    /* The location weights do get a REINFORCE gradient. */
    double gs = 0;
    for (size_t i = 0; i < f.count; i++)
        gs += fabs(f.grads[i]);
    ck_assert(gs > 1e-2);

    /* score alone is coef * d log pi / d mean. */
    for (size_t i = 0; i < NR * 2; i++) {
        double want = f.coef[i / 2] * ((double)f.raw[i] - f.mean[i]) /
                      (f.std * f.std);
        ck_assert(fabs(dmean[i] - want) < 1e-5 * (1 + fabs(want)));
    }

    snprintf(what, sizeof what, "%s params", name);
    r = gc_check(f.params, f.grads, f.count, lfix_loss, &f, 1e-3, 1000, 1,
                 1e-2);
    GC_EXPECT(r, 1e-2, what);
    snprintf(what, sizeof what, "%s dh", name);
    r = gc_check(f.h, dh, NR * HD, lfix_loss, &f, 1e-3, 1000, 1, 1e-2);
    GC_EXPECT(r, 1e-2, what);
    ram_location_free(f.net);
}
END_TEST

/* With h NULL only the bias gets a gradient; dh = dpre W. */
START_TEST(test_backward_null_h)
{
    struct lfix f;
    float mean[4], dmean[4] = {0.3f, -0.2f, 0.5f, 0.1f}, dh[2 * HD];

    lfix_setup(&f, RAM_BOUND_TANH, 30);
    ram_location_zero_grad(f.net);
    ram_location_forward(f.net, 2, NULL, mean);
    ck_assert_int_eq(ram_location_backward(f.net, 2, NULL, mean, dmean, dh, 0.0f),
                     RAM_OK);
    for (size_t i = 0; i < 2 * HD; i++)
        ck_assert_float_eq(f.grads[i], 0.0f);
    for (size_t d = 0; d < 2; d++) {
        double want = 0;
        for (size_t r = 0; r < 2; r++)
            want += dmean[2 * r + d] * (1.0 - (double)mean[2 * r + d] *
                                                   mean[2 * r + d]);
        ck_assert(fabs(f.grads[2 * HD + d] - want) < 1e-6);
    }
    for (size_t r = 0; r < 2; r++)
        for (size_t k = 0; k < HD; k++) {
            double want = 0;
            for (size_t d = 0; d < 2; d++)
                want += dmean[2 * r + d] *
                        (1.0 - (double)mean[2 * r + d] * mean[2 * r + d]) *
                        f.params[d * HD + k];
            ck_assert(fabs(dh[r * HD + k] - want) < 1e-6);
        }
    ram_location_free(f.net);
}
END_TEST

START_TEST(test_sample_statistics)
{
    enum { N = 20000 };
    ram_location *net;
    float *mean = malloc(N * 2 * sizeof(float));
    float *raw = malloc(N * 2 * sizeof(float));
    float *loc = malloc(N * 2 * sizeof(float));
    float *logp = malloc(N * sizeof(float));
    const double mu[2] = {0.2, -0.3}, std = 0.1;
    double s[2] = {0}, ss[2] = {0};

    ck_assert(mean && raw && loc && logp);
    ck_assert_int_eq(ram_location_create(&net, 3, RAM_BOUND_TANH, 9), RAM_OK);
    ck_assert_int_eq(ram_location_set_std(net, std), RAM_OK);
    for (size_t r = 0; r < N; r++) {
        mean[2 * r] = (float)mu[0];
        mean[2 * r + 1] = (float)mu[1];
    }
    ck_assert_int_eq(ram_location_sample(net, N, mean, raw, loc, logp),
                     RAM_OK);
    for (size_t r = 0; r < N; r++)
        for (int d = 0; d < 2; d++) {
            double e = raw[2 * r + d] - mu[d];
            s[d] += e;
            ss[d] += e * e;
            ck_assert_float_eq(loc[2 * r + d], raw[2 * r + d]); /* inside */
        }
    for (int d = 0; d < 2; d++) {
        double m = s[d] / N, sd = sqrt(ss[d] / N - m * m);
        /* 5 standard errors. */
        ck_assert_msg(fabs(m) < 5 * std / sqrt((double)N), "mean off by %g",
                      m);
        ck_assert_msg(fabs(sd - std) < 5 * std / sqrt(2.0 * N), "std %g", sd);
    }
    for (size_t r = 0; r < N; r += 97)
        ck_assert(fabs(logp[r] - ref_logp(raw + 2 * r, mean + 2 * r, std)) <
                  1e-4);
    /* The two coordinates are independent draws. */
    double cov = 0;
    for (size_t r = 0; r < N; r++)
        cov += (raw[2 * r] - mu[0]) * (raw[2 * r + 1] - mu[1]);
    ck_assert(fabs(cov / N) / (std * std) < 0.05);
    ram_location_free(net);
    free(mean);
    free(raw);
    free(loc);
    free(logp);
}
END_TEST

START_TEST(test_sample_clamp)
{
    enum { N = 2000 };
    ram_location *net;
    float mean[N * 2], raw[N * 2], loc[N * 2], logp[N], loc2[N * 2];
    size_t above = 0, below = 0;

    ck_assert_int_eq(ram_location_create(&net, 3, RAM_BOUND_TANH, 9), RAM_OK);
    ck_assert_int_eq(ram_location_set_std(net, 0.5), RAM_OK);
    for (size_t r = 0; r < N; r++) {
        mean[2 * r] = 0.95f;
        mean[2 * r + 1] = -0.95f;
    }
    ck_assert_int_eq(ram_location_sample(net, N, mean, raw, loc, logp),
                     RAM_OK);
    for (size_t i = 0; i < 2 * N; i++) {
        if (raw[i] > 1.0f) {
            ck_assert_float_eq(loc[i], 1.0f);
            above++;
        } else if (raw[i] < -1.0f) {
            ck_assert_float_eq(loc[i], -1.0f);
            below++;
        } else {
            ck_assert_float_eq(loc[i], raw[i]);
        }
    }
    ck_assert(above > N / 10 && below > N / 10);
    /* logp is that of the raw sample, not of the clamped location. */
    int differs = 0;
    for (size_t r = 0; r < N; r++) {
        double want = ref_logp(raw + 2 * r, mean + 2 * r, 0.5);
        ck_assert(fabs(logp[r] - want) < 1e-4);
        differs |= fabs(ref_logp(loc + 2 * r, mean + 2 * r, 0.5) - want) >
                   1e-3;
    }
    ck_assert(differs);
    /* raw and logp are optional; loc is the same stream. */
    ram_location_seed(net, 3);
    ck_assert_int_eq(ram_location_sample(net, N, mean, raw, loc, logp),
                     RAM_OK);
    ram_location_seed(net, 3);
    ck_assert_int_eq(ram_location_sample(net, N, mean, NULL, loc2, NULL),
                     RAM_OK);
    ck_assert(memcmp(loc, loc2, sizeof loc) == 0);
    ram_location_free(net);
}
END_TEST

START_TEST(test_sample_seeding)
{
    ram_location *a, *b;
    float mean[8] = {0, 0, 0.5f, -0.5f, 0.1f, 0.2f, -0.3f, 0.4f};
    float r1[8], r2[8], r3[8], r4[8], l[8];

    ck_assert_int_eq(ram_location_create(&a, 4, RAM_BOUND_TANH, 42), RAM_OK);
    ck_assert_int_eq(ram_location_create(&b, 4, RAM_BOUND_TANH, 42), RAM_OK);
    /* Same seed, same samples. */
    ram_location_sample(a, 4, mean, r1, l, NULL);
    ram_location_sample(b, 4, mean, r2, l, NULL);
    ck_assert(memcmp(r1, r2, sizeof r1) == 0);
    /* The stream moves on... */
    ram_location_sample(a, 4, mean, r3, l, NULL);
    ck_assert(memcmp(r1, r3, sizeof r1) != 0);
    /* ...and reseeding restarts it (create's seed gives the same stream). */
    ck_assert_int_eq(ram_location_seed(a, 42), RAM_OK);
    ram_location_sample(a, 4, mean, r4, l, NULL);
    ck_assert(memcmp(r1, r4, sizeof r1) == 0);
    ck_assert_int_eq(ram_location_seed(a, 43), RAM_OK);
    ram_location_sample(a, 4, mean, r4, l, NULL);
    ck_assert(memcmp(r1, r4, sizeof r1) != 0);
    ram_location_free(a);
    ram_location_free(b);
}
END_TEST

START_TEST(test_errors)
{
    ram_location *net = (ram_location *)&net;
    const float S = 31337.0f;
    float h[2 * HD] = {0}, mean[4] = {0.1f, 0.2f, 0.3f, 0.4f}, raw[4], loc[4],
          logp[2], dmean[4], dh[2 * HD], coef[2] = {1, 1}, ref[4], l2[4];
    float *p, *g;
    size_t count;
    double std;

    ck_assert_int_eq(ram_location_create(NULL, 2, RAM_BOUND_TANH, 0),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_create(&net, 2, 0, 0), RAM_E_INVALID);
    ck_assert_ptr_null(net);
    ck_assert_int_eq(ram_location_create(&net, 2, 3, 0), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_create(&net, 0, RAM_BOUND_TANH, 0),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_location_create(&net, RAM_MAX_UNITS + 1,
                                         RAM_BOUND_TANH, 0),
                     RAM_E_RANGE);
    ck_assert_ptr_null(net);
    ck_assert_int_eq(ram_location_shape(NULL, NULL, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_params(NULL, NULL, NULL, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_zero_grad(NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_set_std(NULL, 0.1), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_get_std(NULL, &std), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_seed(NULL, 1), RAM_E_INVALID);

    ck_assert_int_eq(ram_location_create(&net, HD, RAM_BOUND_TANH, 1),
                     RAM_OK);
    ram_location_params(net, &p, &g, &count);
    ck_assert_int_eq(ram_location_get_std(net, NULL), RAM_E_INVALID);

    /* std */
    ck_assert_int_eq(ram_location_set_std(net, 0.2), RAM_OK);
    ck_assert_int_eq(ram_location_set_std(net, NAN), RAM_E_RANGE);
    ck_assert_int_eq(ram_location_set_std(net, 0.0), RAM_E_RANGE);
    ck_assert_int_eq(ram_location_set_std(net, -0.1), RAM_E_RANGE);
    ck_assert_int_eq(ram_location_set_std(net, INFINITY), RAM_E_RANGE);
    ck_assert_int_eq(ram_location_set_std(net, RAM_LOCATION_MAX_STD * 1.001),
                     RAM_E_RANGE);
    ram_location_get_std(net, &std);
    ck_assert(std == 0.2);

    /* sample: nothing written and the RNG untouched on error. */
    ram_location_seed(net, 5);
    ck_assert_int_eq(ram_location_sample(net, 2, mean, raw, ref, logp),
                     RAM_OK);
    ram_location_seed(net, 5);
    for (size_t i = 0; i < 4; i++)
        raw[i] = loc[i] = S;
    logp[0] = logp[1] = S;
    float bad[4] = {0.1f, NAN, 0.3f, 0.4f}, inf[4] = {0, 0, INFINITY, 0};
    ck_assert_int_eq(ram_location_sample(net, 2, bad, raw, loc, logp),
                     RAM_E_NONFINITE);
    ck_assert_int_eq(ram_location_sample(net, 2, inf, raw, loc, logp),
                     RAM_E_NONFINITE);
    ck_assert_int_eq(ram_location_sample(NULL, 2, mean, raw, loc, logp),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_sample(net, 2, NULL, raw, loc, logp),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_sample(net, 2, mean, raw, NULL, logp),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_sample(net, 0, mean, raw, loc, logp),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_location_sample(net, RAM_MAX_ROWS + 1, mean, raw,
                                         loc, logp),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(raw, 4, S) && gc_all_equal(loc, 4, S));
    ck_assert(gc_all_equal(logp, 2, S));
    ck_assert_int_eq(ram_location_sample(net, 2, mean, NULL, l2, NULL),
                     RAM_OK);
    ck_assert(memcmp(l2, ref, sizeof l2) == 0); /* stream not advanced */

    /* forward */
    for (size_t i = 0; i < 4; i++)
        dmean[i] = S;
    ck_assert_int_eq(ram_location_forward(NULL, 2, h, dmean), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_forward(net, 2, h, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_forward(net, 0, h, dmean), RAM_E_RANGE);
    ck_assert_int_eq(ram_location_forward(net, RAM_MAX_ROWS + 1, h, dmean),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(dmean, 4, S));

    /* score */
    ck_assert_int_eq(ram_location_score(NULL, 2, mean, mean, coef, dmean),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_score(net, 2, NULL, mean, coef, dmean),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_score(net, 2, mean, NULL, coef, dmean),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_score(net, 2, mean, mean, NULL, dmean),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_score(net, 2, mean, mean, coef, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_score(net, 0, mean, mean, coef, dmean),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(dmean, 4, S));

    /* backward */
    for (size_t i = 0; i < count; i++)
        g[i] = S;
    for (size_t i = 0; i < 2 * HD; i++)
        dh[i] = S;
    ck_assert_int_eq(ram_location_backward(NULL, 2, h, mean, coef, dh, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_backward(net, 2, h, NULL, mean, dh, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_backward(net, 2, h, mean, NULL, dh, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_location_backward(net, 0, h, mean, mean, dh, 0.0f),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_location_backward(net, RAM_MAX_ROWS + 1, h, mean,
                                           mean, dh, 0.0f),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(g, count, S));
    ck_assert(gc_all_equal(dh, 2 * HD, S));
    ram_location_free(net);
}
END_TEST

Suite *suite_location(void)
{
    Suite *s = suite_create("location");
    TCase *tc = tcase_create("location");
    tcase_add_test(tc, test_create_shape);
    tcase_add_loop_test(tc, test_forward_reference, 0, 2);
    tcase_add_loop_test(tc, test_gradcheck_score, 0, 2);
    tcase_add_test(tc, test_backward_null_h);
    tcase_add_test(tc, test_sample_statistics);
    tcase_add_test(tc, test_sample_clamp);
    tcase_add_test(tc, test_sample_seeding);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}
