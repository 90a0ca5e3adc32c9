/* The network handles' 0.2 API: the accumulating backward (beta), several
 * heads adding into one core-state gradient, the policies' log-probability
 * and entropy, the workspaces (reserve) and the error details.
 * Allocation counts are in test_alloc.c. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"

#define PI_ 3.14159265358979323846
#define E_ 2.71828182845904523536
#include "ram/ram.h"

#define CK(x) ck_assert_int_eq((x), RAM_OK)

static float *fbuf(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    ck_assert_ptr_nonnull(p);
    return p;
}

static float *frand(size_t n, uint64_t *st, double lo, double hi)
{
    float *p = fbuf(n);
    gc_fill(p, n, st, lo, hi);
    return p;
}

/* got == beta * old + fresh, elementwise, up to float rounding. */
static void expect_beta(const float *got, const float *old, const float *fresh,
                        size_t n, float beta, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        double want = (double)beta * old[i] + fresh[i];
        double tol = 1e-5 * (fabs((double)beta * old[i]) + fabs(fresh[i]) + 1e-3);
        ck_assert_msg(fabs(got[i] - want) <= tol,
                      "%s beta %g [%zu]: got %.9g want %.9g", what,
                      (double)beta, i, (double)got[i], want);
    }
}

static void fill_nan(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
}

/* ------------------------------------------------------ beta, each handle */

/* For each handle: beta = 0 ignores NaN in the output, beta = 1 adds,
 * beta = 0.5 scales first; the parameter gradients are the same each time. */

START_TEST(test_beta_glimpse)
{
    const size_t n = 5, R = 7, Hg = 4, Hl = 3, G = 6;
    uint64_t st = 11;
    ram_glimpse *net;
    CK(ram_glimpse_create(&net, R, Hg, Hl, G, 3));
    float *rho = frand(n * R, &st, 0, 1), *loc = frand(2 * n, &st, -1, 1);
    float *g = fbuf(n * G), *tape = fbuf(n * (Hg + Hl));
    float *dg = frand(n * G, &st, -1, 1);
    CK(ram_glimpse_forward(net, n, rho, loc, g, tape));
    float *grads;
    size_t count;
    CK(ram_glimpse_params(net, NULL, &grads, &count));
    float *drho0 = fbuf(n * R), *dloc0 = fbuf(2 * n), *g0 = fbuf(count);
    fill_nan(drho0, n * R);
    fill_nan(dloc0, 2 * n);
    CK(ram_glimpse_zero_grad(net));
    CK(ram_glimpse_backward(net, n, rho, loc, g, tape, dg, drho0, dloc0, 0.0f));
    memcpy(g0, grads, count * sizeof *g0);
    for (size_t i = 0; i < n * R; i++)
        ck_assert(isfinite(drho0[i]));
    for (size_t i = 0; i < 2 * n; i++)
        ck_assert(isfinite(dloc0[i]));
    static const float betas[] = {1.0f, 0.5f, -2.0f};
    for (size_t b = 0; b < 3; b++) {
        float *old_r = frand(n * R, &st, -1, 1), *old_l = frand(2 * n, &st, -1, 1);
        float *dr = fbuf(n * R), *dl = fbuf(2 * n);
        memcpy(dr, old_r, n * R * sizeof *dr);
        memcpy(dl, old_l, 2 * n * sizeof *dl);
        CK(ram_glimpse_zero_grad(net));
        CK(ram_glimpse_backward(net, n, rho, loc, g, tape, dg, dr, dl, betas[b]));
        expect_beta(dr, old_r, drho0, n * R, betas[b], "glimpse drho");
        expect_beta(dl, old_l, dloc0, 2 * n, betas[b], "glimpse dloc");
        ck_assert(memcmp(grads, g0, count * sizeof *g0) == 0);
        free(old_r), free(old_l), free(dr), free(dl);
    }
    ck_assert_int_eq(ram_glimpse_backward(net, n, rho, loc, g, tape, dg, drho0,
                                          dloc0, NAN),
                     RAM_E_RANGE);
    free(rho), free(loc), free(g), free(tape), free(dg), free(drho0),
        free(dloc0), free(g0);
    ram_glimpse_free(net);
}
END_TEST

START_TEST(test_beta_core)
{
    const int type = _i ? RAM_CORE_LSTM : RAM_CORE_RNN;
    const size_t T = 3, n = 4, I = 5, H = 6;
    uint64_t st = 21 + (uint64_t)_i;
    ram_core *core;
    CK(ram_core_create(&core, type, I, H, 5));
    size_t tw = ram_core_tape_size(core);
    float *x = frand(T * n * I, &st, -1, 1), *h0 = frand(n * H, &st, -1, 1);
    float *c0 = frand(n * H, &st, -1, 1), *dh = frand(T * n * H, &st, -1, 1);
    float *h = fbuf(T * n * H), *c = fbuf(T * n * H), *tape = fbuf(T * n * tw);
    float *tape_copy = fbuf(T * n * tw);
    for (size_t t = 0; t < T; t++)
        CK(ram_core_forward(core, n, t ? h + (t - 1) * n * H : h0,
                            t ? c + (t - 1) * n * H : c0, x + t * n * I,
                            h + t * n * H, c + t * n * H, tape + t * n * tw));
    memcpy(tape_copy, tape, T * n * tw * sizeof *tape);
    float *grads;
    size_t count;
    CK(ram_core_params(core, NULL, &grads, &count));
    float *dx0 = fbuf(T * n * I), *dh00 = fbuf(n * H), *dc00 = fbuf(n * H);
    float *g0 = fbuf(count);
    fill_nan(dx0, T * n * I);
    fill_nan(dh00, n * H);
    fill_nan(dc00, n * H);
    CK(ram_core_zero_grad(core));
    CK(ram_core_backward(core, T, n, h0, c0, x, h, c, tape, dh, dx0, dh00,
                         dc00, 0.0f));
    memcpy(g0, grads, count * sizeof *g0);
    for (size_t i = 0; i < T * n * I; i++)
        ck_assert(isfinite(dx0[i]));
    for (size_t i = 0; i < n * H; i++)
        ck_assert(isfinite(dh00[i]));
    if (type == RAM_CORE_LSTM)
        for (size_t i = 0; i < n * H; i++)
            ck_assert(isfinite(dc00[i]));
    static const float betas[] = {1.0f, 0.25f};
    for (size_t b = 0; b < 2; b++) {
        float *ox = frand(T * n * I, &st, -1, 1), *oh = frand(n * H, &st, -1, 1);
        float *oc = frand(n * H, &st, -1, 1);
        float *dx = fbuf(T * n * I), *dh0 = fbuf(n * H), *dc0 = fbuf(n * H);
        memcpy(dx, ox, T * n * I * sizeof *dx);
        memcpy(dh0, oh, n * H * sizeof *dh0);
        memcpy(dc0, oc, n * H * sizeof *dc0);
        memcpy(tape, tape_copy, T * n * tw * sizeof *tape); /* overwritten */
        CK(ram_core_zero_grad(core));
        CK(ram_core_backward(core, T, n, h0, c0, x, h, c, tape, dh, dx, dh0,
                             dc0, betas[b]));
        expect_beta(dx, ox, dx0, T * n * I, betas[b], "core dx");
        expect_beta(dh0, oh, dh00, n * H, betas[b], "core dh0");
        if (type == RAM_CORE_LSTM)
            expect_beta(dc0, oc, dc00, n * H, betas[b], "core dc0");
        else /* the RNN has no cell: dc0 untouched */
            ck_assert(memcmp(dc0, oc, n * H * sizeof *dc0) == 0);
        ck_assert(memcmp(grads, g0, count * sizeof *g0) == 0);
        free(ox), free(oh), free(oc), free(dx), free(dh0), free(dc0);
    }
    ck_assert_int_eq(ram_core_backward(core, T, n, h0, c0, x, h, c, tape, dh,
                                       dx0, NULL, NULL, INFINITY),
                     RAM_E_RANGE);
    free(x), free(h0), free(c0), free(dh), free(h), free(c), free(tape),
        free(tape_copy), free(dx0), free(dh00), free(dc00), free(g0);
    ram_core_free(core);
}
END_TEST

START_TEST(test_beta_heads)
{
    const size_t n = 70, H = 9, A = 4;
    uint64_t st = 31;
    ram_location *ln;
    ram_action *an;
    ram_baseline *bn;
    CK(ram_location_create(&ln, H, RAM_BOUND_TANH, 1));
    CK(ram_action_create(&an, H, A, 2));
    CK(ram_baseline_create(&bn, H));
    float *bp;
    CK(ram_baseline_params(bn, &bp, NULL, NULL));
    gc_fill(bp, H + 1, &st, -1, 1); /* it starts at zero */
    float *h = frand(n * H, &st, -2, 2);
    float *mean = fbuf(2 * n), *probs = fbuf(n * A), *b = fbuf(n);
    CK(ram_location_forward(ln, n, h, mean));
    CK(ram_action_forward(an, n, h, probs));
    CK(ram_baseline_forward(bn, n, h, b));
    float *dmean = frand(2 * n, &st, -1, 1), *dlog = frand(n * A, &st, -1, 1);
    float *db = frand(n, &st, -1, 1);
    float *fresh = fbuf(n * H), *dh = fbuf(n * H), *old = frand(n * H, &st, -1, 1);
    static const float betas[] = {1.0f, 0.5f};
    for (int head = 0; head < 3; head++) {
        fill_nan(fresh, n * H);
        int rc = head == 0   ? ram_location_backward(ln, n, h, mean, dmean, fresh, 0.0f)
                 : head == 1 ? ram_action_backward(an, n, h, dlog, fresh, 0.0f)
                             : ram_baseline_backward(bn, n, h, db, fresh, 0.0f);
        CK(rc);
        for (size_t i = 0; i < n * H; i++)
            ck_assert(isfinite(fresh[i]));
        for (size_t k = 0; k < 2; k++) {
            memcpy(dh, old, n * H * sizeof *dh);
            rc = head == 0   ? ram_location_backward(ln, n, h, mean, dmean, dh, betas[k])
                 : head == 1 ? ram_action_backward(an, n, h, dlog, dh, betas[k])
                             : ram_baseline_backward(bn, n, h, db, dh, betas[k]);
            CK(rc);
            expect_beta(dh, old, fresh, n * H, betas[k],
                        head == 0 ? "location dh" : head == 1 ? "action dh" : "baseline dh");
        }
    }
    ck_assert_int_eq(ram_location_backward(ln, n, h, mean, dmean, dh, NAN), RAM_E_RANGE);
    ck_assert_int_eq(ram_action_backward(an, n, h, dlog, dh, NAN), RAM_E_RANGE);
    ck_assert_int_eq(ram_baseline_backward(bn, n, h, db, dh, NAN), RAM_E_RANGE);
    free(h), free(mean), free(probs), free(b), free(dmean), free(dlog), free(db),
        free(fresh), free(dh), free(old);
    ram_location_free(ln);
    ram_action_free(an);
    ram_baseline_free(bn);
}
END_TEST

/* The location backward goes through a stack buffer, 512 rows at a time:
 * over 1300 rows it still matches a double-precision reference. */
START_TEST(test_location_backward_chunks)
{
    const size_t n = 1300, H = 6;
    uint64_t st = 81;
    ram_location *net;
    CK(ram_location_create(&net, H, _i ? RAM_BOUND_HARDTANH : RAM_BOUND_TANH, 2));
    float *w, *gw;
    CK(ram_location_params(net, &w, &gw, NULL));
    float *h = frand(n * H, &st, -1, 1), *mean = fbuf(2 * n);
    float *dmean = frand(2 * n, &st, -1, 1), *dh = fbuf(n * H);
    CK(ram_location_forward(net, n, h, mean));
    CK(ram_location_zero_grad(net));
    CK(ram_location_backward(net, n, h, mean, dmean, dh, 0.0f));
    double *gref = calloc(2 * H + 2, sizeof *gref);
    for (size_t r = 0; r < n; r++) {
        double dp[2];
        for (int d = 0; d < 2; d++) {
            double m = mean[2 * r + d];
            dp[d] = _i ? (m > -1 && m < 1 ? dmean[2 * r + d] : 0.0)
                       : dmean[2 * r + d] * (1 - m * m);
            for (size_t j = 0; j < H; j++)
                gref[d * H + j] += dp[d] * h[r * H + j];
            gref[2 * H + (size_t)d] += dp[d];
        }
        for (size_t j = 0; j < H; j++) {
            double want = dp[0] * w[j] + dp[1] * w[H + j];
            ck_assert_msg(fabs(dh[r * H + j] - want) < 1e-5 * (1 + fabs(want)),
                          "dh row %zu", r);
        }
    }
    for (size_t i = 0; i < 2 * H + 2; i++)
        ck_assert_msg(fabs(gw[i] - gref[i]) < 1e-4 * (1 + fabs(gref[i])),
                      "grad %zu: %g vs %g", i, (double)gw[i], gref[i]);
    free(h), free(mean), free(dmean), free(dh), free(gref);
    ram_location_free(net);
}
END_TEST

/* --------------------------------- several heads summed into one buffer */

/* Loss over h: location (w . mean), action (cross-entropy) and baseline
 * (squared error) heads on the same h, their dh added into one buffer with
 * beta = 1, checked by finite differences on h. */
struct heads {
    size_t n, H, A;
    ram_location *ln;
    ram_action *an;
    ram_baseline *bn;
    float *h, *w, *target, *mean, *probs, *b;
    int *labels;
};

static double heads_loss(void *p)
{
    struct heads *f = p;
    size_t n = f->n;
    double loss = 0.0, l2 = 0.0, l3 = 0.0;
    CK(ram_location_forward(f->ln, n, f->h, f->mean));
    CK(ram_action_forward(f->an, n, f->h, f->probs));
    CK(ram_baseline_forward(f->bn, n, f->h, f->b));
    for (size_t i = 0; i < 2 * n; i++)
        loss += (double)f->w[i] * f->mean[i];
    float *scratch = fbuf(n * f->A + n);
    CK(ram_action_xent(f->an, n, f->probs, f->labels, 1.0, scratch, &l2));
    CK(ram_baseline_mse(f->bn, n, f->b, f->target, 1.0, scratch, &l3));
    free(scratch);
    return loss + l2 + l3;
}

START_TEST(test_heads_add_into_one_buffer)
{
    struct heads f = {.n = 6, .H = 8, .A = 5};
    uint64_t st = 41;
    size_t n = f.n, H = f.H, A = f.A;
    CK(ram_location_create(&f.ln, H, RAM_BOUND_TANH, 7));
    CK(ram_action_create(&f.an, H, A, 8));
    CK(ram_baseline_create(&f.bn, H));
    float *bp;
    CK(ram_baseline_params(f.bn, &bp, NULL, NULL));
    gc_fill(bp, H + 1, &st, -1, 1);
    f.h = frand(n * H, &st, -1, 1);
    f.w = frand(2 * n, &st, -1, 1);
    f.target = frand(n, &st, -1, 1);
    f.mean = fbuf(2 * n);
    f.probs = fbuf(n * A);
    f.b = fbuf(n);
    f.labels = malloc(n * sizeof *f.labels);
    for (size_t r = 0; r < n; r++)
        f.labels[r] = (int)(r % A);
    (void)heads_loss(&f);
    float *dlogits = fbuf(n * A), *db = fbuf(n), *dh = fbuf(n * H);
    CK(ram_action_xent(f.an, n, f.probs, f.labels, 1.0, dlogits, NULL));
    CK(ram_baseline_mse(f.bn, n, f.b, f.target, 1.0, db, NULL));
    fill_nan(dh, n * H); /* the first head writes, the others add */
    CK(ram_location_backward(f.ln, n, f.h, f.mean, f.w, dh, 0.0f));
    CK(ram_action_backward(f.an, n, f.h, dlogits, dh, 1.0f));
    CK(ram_baseline_backward(f.bn, n, f.h, db, dh, 1.0f));
    gc_result r = gc_check(f.h, dh, n * H, heads_loss, &f, 1e-3, 1000, 3, 1e-2);
    GC_EXPECT(r, 1e-2, "three heads summed into one dh");
    /* And no head alone gives that gradient. */
    float *alone = fbuf(n * H);
    CK(ram_location_backward(f.ln, n, f.h, f.mean, f.w, alone, 0.0f));
    ck_assert(memcmp(alone, dh, n * H * sizeof *dh) != 0);
    free(alone), free(dlogits), free(db), free(dh), free(f.h), free(f.w),
        free(f.target), free(f.mean), free(f.probs), free(f.b), free(f.labels);
    ram_location_free(f.ln);
    ram_action_free(f.an);
    ram_baseline_free(f.bn);
}
END_TEST

/* --------------------------------------------------- location policy */

struct lp {
    ram_location *net;
    size_t n;
    float *mean, *raw, *logp, *wt;
};

static double lp_loss(void *p)
{
    struct lp *f = p;
    CK(ram_location_log_prob(f->net, f->n, f->mean, f->raw, f->logp, NULL));
    double s = 0.0;
    for (size_t r = 0; r < f->n; r++)
        s += (double)f->wt[r] * f->logp[r];
    return s;
}

START_TEST(test_location_log_prob)
{
    const size_t n = 9;
    uint64_t st = 51;
    ram_location *net;
    CK(ram_location_create(&net, 4, RAM_BOUND_HARDTANH, 3));
    CK(ram_location_set_std(net, 0.3));
    float *mean = frand(2 * n, &st, -0.9, 0.9), *raw = fbuf(2 * n), *loc = fbuf(2 * n);
    float *logp_s = fbuf(n), *logp = fbuf(n), *dmean = fbuf(2 * n);
    CK(ram_location_sample(net, n, mean, raw, loc, logp_s));
    CK(ram_location_log_prob(net, n, mean, raw, logp, dmean));
    for (size_t r = 0; r < n; r++) {
        /* Closed form. */
        double e0 = (double)raw[2 * r] - mean[2 * r];
        double e1 = (double)raw[2 * r + 1] - mean[2 * r + 1];
        double want = -(e0 * e0 + e1 * e1) / (2 * 0.09) - 2 * log(0.3) - log(2 * PI_);
        ck_assert_msg(fabs(logp[r] - want) < 1e-5 * (1 + fabs(want)), "logp %zu", r);
        ck_assert_msg(fabs(logp[r] - logp_s[r]) < 1e-5 * (1 + fabs(want)),
                      "log_prob %g vs sample's logp %g", (double)logp[r], (double)logp_s[r]);
        ck_assert(fabs(dmean[2 * r] - e0 / 0.09) < 1e-4 * (1 + fabs(e0 / 0.09)));
        ck_assert(fabs(dmean[2 * r + 1] - e1 / 0.09) < 1e-4 * (1 + fabs(e1 / 0.09)));
    }
    /* Agrees with the score with coef = 1. */
    float *ones = fbuf(n), *score = fbuf(2 * n);
    for (size_t r = 0; r < n; r++)
        ones[r] = 1.0f;
    CK(ram_location_score(net, n, mean, raw, ones, score));
    for (size_t i = 0; i < 2 * n; i++)
        ck_assert(fabs(score[i] - dmean[i]) <= 1e-6 * (1 + fabs(dmean[i])));
    /* Finite differences on the mean. */
    struct lp f = {net, n, mean, raw, fbuf(n), frand(n, &st, -1, 1)};
    float *dw = fbuf(2 * n);
    CK(ram_location_log_prob(net, n, mean, raw, NULL, dmean));
    for (size_t r = 0; r < n; r++) {
        dw[2 * r] = f.wt[r] * dmean[2 * r];
        dw[2 * r + 1] = f.wt[r] * dmean[2 * r + 1];
    }
    gc_result res = gc_check(mean, dw, 2 * n, lp_loss, &f, 1e-3, 100, 5, 1e-2);
    GC_EXPECT(res, 1e-3, "location log_prob d/dmean");
    /* Errors. */
    ck_assert_int_eq(ram_location_log_prob(net, n, mean, raw, NULL, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_log_prob(NULL, n, mean, raw, logp, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_log_prob(net, 0, mean, raw, logp, NULL), RAM_E_RANGE);
    free(mean), free(raw), free(loc), free(logp_s), free(logp), free(dmean),
        free(ones), free(score), free(f.logp), free(f.wt), free(dw);
    ram_location_free(net);
}
END_TEST

START_TEST(test_location_entropy)
{
    ram_location *net;
    CK(ram_location_create(&net, 3, RAM_BOUND_TANH, 1));
    static const double stds[] = {0.05, 0.1, 0.5, 1.0, 4.0};
    for (size_t k = 0; k < 5; k++) {
        double e, s = stds[k];
        CK(ram_location_set_std(net, s));
        CK(ram_location_entropy(net, &e));
        /* Closed form: two normals, each (1/2) log(2 pi e s^2). */
        double want = log(2 * PI_ * E_ * s * s);
        ck_assert_msg(fabs(e - want) < 1e-12, "std %g: %.17g vs %.17g", s, e, want);
        /* It is minus the expected log-probability: Monte Carlo. */
        enum { M = 20000 };
        static float mean[2 * M], raw[2 * M], loc[2 * M], logp[M];
        memset(mean, 0, sizeof mean);
        CK(ram_location_sample(net, M, mean, raw, loc, logp));
        double avg = 0;
        for (size_t i = 0; i < M; i++)
            avg -= logp[i];
        avg /= M;
        /* The sd of -logp is 1 (a chi-square with 2 dof over 2): 5 sigma. */
        ck_assert_msg(fabs(avg - e) < 5.0 / sqrt(M), "MC %g vs %g", avg, e);
    }
    double e = 7;
    ck_assert_int_eq(ram_location_entropy(NULL, &e), RAM_E_INVALID);
    ck_assert_int_eq(ram_location_entropy(net, NULL), RAM_E_INVALID);
    ck_assert(e == 7);
    ram_location_free(net);
}
END_TEST

/* ----------------------------------------------------- action policy */

/* Loss over the logits z (probs computed here as softmax(z) in float, the
 * way the handle's forward does): sum_r wt[r] * f(probs[r]) where f is the
 * log-probability of actions[r] or the entropy. */
struct ap {
    ram_action *net;
    size_t n, A;
    float *z, *probs, *out, *wt;
    int *actions;
    int entropy;
};

static void softmax_rows(const float *z, float *p, size_t n, size_t A)
{
    for (size_t r = 0; r < n; r++) {
        double mx = z[r * A], s = 0;
        for (size_t j = 1; j < A; j++)
            mx = z[r * A + j] > mx ? z[r * A + j] : mx;
        for (size_t j = 0; j < A; j++)
            s += exp((double)z[r * A + j] - mx);
        for (size_t j = 0; j < A; j++)
            p[r * A + j] = (float)(exp((double)z[r * A + j] - mx) / s);
    }
}

static double ap_loss(void *p)
{
    struct ap *f = p;
    softmax_rows(f->z, f->probs, f->n, f->A);
    if (f->entropy)
        CK(ram_action_entropy(f->net, f->n, f->probs, f->out, NULL));
    else
        CK(ram_action_log_prob(f->net, f->n, f->probs, f->actions, f->out, NULL));
    double s = 0;
    for (size_t r = 0; r < f->n; r++)
        s += (double)f->wt[r] * f->out[r];
    return s;
}

START_TEST(test_action_log_prob_entropy)
{
    const size_t n = 7, A = 5;
    uint64_t st = 61;
    ram_action *net;
    CK(ram_action_create(&net, 3, A, 1));
    struct ap f = {net, n, A, frand(n * A, &st, -2, 2), fbuf(n * A), fbuf(n),
                   frand(n, &st, -1, 1), malloc(n * sizeof(int)), 0};
    for (size_t r = 0; r < n; r++)
        f.actions[r] = (int)((r * 3) % A);
    softmax_rows(f.z, f.probs, n, A);
    float *logp = fbuf(n), *ent = fbuf(n), *dl = fbuf(n * A), *de = fbuf(n * A);
    CK(ram_action_log_prob(net, n, f.probs, f.actions, logp, dl));
    CK(ram_action_entropy(net, n, f.probs, ent, de));
    /* Closed forms. */
    for (size_t r = 0; r < n; r++) {
        const float *p = f.probs + r * A;
        double want = log((double)p[f.actions[r]]), h = 0;
        ck_assert(fabs(logp[r] - want) < 1e-6 * (1 + fabs(want)));
        for (size_t j = 0; j < A; j++) {
            h -= (double)p[j] * log((double)p[j]);
            double d = (j == (size_t)f.actions[r]) - (double)p[j];
            ck_assert(fabs(dl[r * A + j] - d) < 1e-6);
        }
        ck_assert(fabs(ent[r] - h) < 1e-6 * (1 + h));
        ck_assert(ent[r] > 0 && ent[r] <= log((double)A) + 1e-6);
    }
    /* Uniform: log A, zero gradient. One-hot: 0 (0 log 0 = 0). */
    float uni[5] = {0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, hot[5] = {0, 0, 1, 0, 0};
    float e1, d1[5];
    CK(ram_action_entropy(net, 1, uni, &e1, d1));
    ck_assert(fabs(e1 - log(5.0)) < 1e-6);
    for (int j = 0; j < 5; j++)
        ck_assert(fabs(d1[j]) < 1e-7);
    CK(ram_action_entropy(net, 1, hot, &e1, d1));
    ck_assert(e1 == 0.0f);
    for (int j = 0; j < 5; j++)
        ck_assert(d1[j] == 0.0f);
    int two = 0;
    CK(ram_action_log_prob(net, 1, hot, &two, &e1, NULL));
    ck_assert(fabs(e1 - log(1e-30)) < 1e-3); /* floored like the xent */
    /* Finite differences through the softmax, both functions. */
    float *an = fbuf(n * A);
    for (int which = 0; which < 2; which++) {
        f.entropy = which;
        softmax_rows(f.z, f.probs, n, A);
        const float *d = which ? de : dl;
        if (which)
            CK(ram_action_entropy(net, n, f.probs, NULL, de));
        else
            CK(ram_action_log_prob(net, n, f.probs, f.actions, NULL, dl));
        for (size_t r = 0; r < n; r++)
            for (size_t j = 0; j < A; j++)
                an[r * A + j] = f.wt[r] * d[r * A + j];
        gc_result res = gc_check(f.z, an, n * A, ap_loss, &f, 1e-2, 100, 9, 1e-2);
        GC_EXPECT(res, 2e-3, which ? "action entropy d/dlogits" : "action log_prob d/dlogits");
    }
    /* Errors. */
    int bad = (int)A;
    ck_assert_int_eq(ram_action_log_prob(net, 1, f.probs, &bad, logp, NULL), RAM_E_RANGE);
    ck_assert_ptr_nonnull(strstr(ram_last_error(), "actions[0]"));
    ck_assert_int_eq(ram_action_log_prob(net, 1, f.probs, f.actions, NULL, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_entropy(net, 1, f.probs, NULL, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_entropy(net, 0, f.probs, ent, NULL), RAM_E_RANGE);
    free(f.z), free(f.probs), free(f.out), free(f.wt), free(f.actions), free(logp),
        free(ent), free(dl), free(de), free(an);
    ram_action_free(net);
}
END_TEST

/* ------------------------------------------------------------ reserve */

/* Reserved or not, forward and backward give the same bits. */
START_TEST(test_reserve_same_results)
{
    const size_t n = 6, R = 5, Hg = 4, Hl = 3, G = 7, H = 5;
    uint64_t st = 71;
    ram_glimpse *a, *b;
    CK(ram_glimpse_create(&a, R, Hg, Hl, G, 9));
    CK(ram_glimpse_create(&b, R, Hg, Hl, G, 9));
    CK(ram_glimpse_reserve(b, n));
    float *rho = frand(n * R, &st, 0, 1), *loc = frand(2 * n, &st, -1, 1);
    float *ga = fbuf(n * G), *gb = fbuf(n * G), *tape = fbuf(n * (Hg + Hl));
    CK(ram_glimpse_forward(a, n, rho, loc, ga, NULL));
    CK(ram_glimpse_forward(b, n, rho, loc, gb, NULL));
    ck_assert(memcmp(ga, gb, n * G * sizeof *ga) == 0);
    CK(ram_glimpse_forward(a, n, rho, loc, ga, tape));
    float *dg = frand(n * G, &st, -1, 1), *dra = fbuf(n * R), *drb = fbuf(n * R);
    CK(ram_glimpse_backward(a, n, rho, loc, ga, tape, dg, dra, NULL, 0.0f));
    CK(ram_glimpse_backward(b, n, rho, loc, ga, tape, dg, drb, NULL, 0.0f));
    ck_assert(memcmp(dra, drb, n * R * sizeof *dra) == 0);
    float *pa, *pb;
    size_t cnt;
    CK(ram_glimpse_params(a, NULL, &pa, &cnt));
    CK(ram_glimpse_params(b, NULL, &pb, NULL));
    ck_assert(memcmp(pa, pb, cnt * sizeof *pa) == 0);
    /* Above the reservation it still works (allocating); 0 frees. */
    CK(ram_glimpse_reserve(b, 2));
    CK(ram_glimpse_forward(b, n, rho, loc, gb, NULL));
    ck_assert(memcmp(ga, gb, n * G * sizeof *ga) == 0);
    CK(ram_glimpse_reserve(b, 0));
    CK(ram_glimpse_forward(b, n, rho, loc, gb, NULL));
    ck_assert_int_eq(ram_glimpse_reserve(NULL, 4), RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_reserve(b, (size_t)RAM_MAX_ROWS + 1), RAM_E_RANGE);
    ram_glimpse_free(a);
    ram_glimpse_free(b);

    for (int type = RAM_CORE_RNN; type <= RAM_CORE_LSTM; type++) {
        ram_core *ca, *cb;
        CK(ram_core_create(&ca, type, R, H, 4));
        CK(ram_core_create(&cb, type, R, H, 4));
        CK(ram_core_reserve(cb, n));
        size_t tw = ram_core_tape_size(ca);
        float *x = frand(n * R, &st, -1, 1), *ha = fbuf(n * H), *hb = fbuf(n * H);
        float *c = fbuf(n * H), *ct = fbuf(n * tw), *ct2 = fbuf(n * tw);
        CK(ram_core_forward(ca, n, NULL, NULL, x, ha, c, NULL));
        CK(ram_core_forward(cb, n, NULL, NULL, x, hb, c, NULL));
        ck_assert(memcmp(ha, hb, n * H * sizeof *ha) == 0);
        CK(ram_core_forward(ca, n, NULL, NULL, x, ha, c, ct));
        memcpy(ct2, ct, n * tw * sizeof *ct);
        float *dh = frand(n * H, &st, -1, 1), *dxa = fbuf(n * R), *dxb = fbuf(n * R);
        CK(ram_core_backward(ca, 1, n, NULL, NULL, x, ha, c, ct, dh, dxa, NULL, NULL, 0.0f));
        CK(ram_core_backward(cb, 1, n, NULL, NULL, x, ha, c, ct2, dh, dxb, NULL, NULL, 0.0f));
        ck_assert(memcmp(dxa, dxb, n * R * sizeof *dxa) == 0);
        ck_assert_int_eq(ram_core_reserve(NULL, 1), RAM_E_INVALID);
        ck_assert_int_eq(ram_core_reserve(cb, (size_t)RAM_MAX_ROWS + 1), RAM_E_RANGE);
        CK(ram_core_reserve(cb, 0));
        free(x), free(ha), free(hb), free(c), free(ct), free(ct2), free(dh),
            free(dxa), free(dxb);
        ram_core_free(ca);
        ram_core_free(cb);
    }
    free(rho), free(loc), free(ga), free(gb), free(tape), free(dg), free(dra),
        free(drb);
}
END_TEST

/* ------------------------------------------------------- error details */

static void expect_detail(int rc, int want, const char *func, const char *arg)
{
    ck_assert_int_eq(rc, want);
    const char *d = ram_last_error();
    ck_assert_msg(strstr(d, func) != NULL, "'%s' lacks '%s'", d, func);
    ck_assert_msg(strstr(d, ram_status_name(want)) != NULL, "'%s' lacks the status", d);
    ck_assert_msg(strstr(d, arg) != NULL, "'%s' lacks '%s'", d, arg);
}

START_TEST(test_error_details)
{
    ram_sensor *s = NULL;
    expect_detail(ram_sensor_create(&s, 0, 1, 1), RAM_E_RANGE, "ram_sensor_create", "patch = 0");
    expect_detail(ram_sensor_create(&s, 8, 9, 1), RAM_E_RANGE, "ram_sensor_create", "scales = 9");
    expect_detail(ram_sensor_create(&s, 8, 1, 65), RAM_E_RANGE, "ram_sensor_create", "channels = 65");
    expect_detail(ram_sensor_create(NULL, 8, 1, 1), RAM_E_INVALID, "ram_sensor_create", "out is NULL");
    CK(ram_sensor_create(&s, 4, 2, 1));
    unsigned char img[64] = {0};
    float loc[4] = {0, 0, 0, 0}, out[2 * 32];
    expect_detail(ram_sensor_glimpse(s, 1, img, 7, 8, 8, 8, 64, loc, out), RAM_E_INVALID,
                  "ram_sensor_glimpse", "format = 7");
    expect_detail(ram_sensor_glimpse(s, 1, img, RAM_PIXEL_U8, 8, 8, 7, 64, loc, out),
                  RAM_E_INVALID, "ram_sensor_glimpse", "row_stride = 7");
    expect_detail(ram_sensor_glimpse(s, 2, img, RAM_PIXEL_U8, 8, 8, 8, 63, loc, out),
                  RAM_E_INVALID, "ram_sensor_glimpse", "image_stride = 63");
    expect_detail(ram_sensor_glimpse(s, 1, img, RAM_PIXEL_U8, 0, 8, 8, 64, loc, out),
                  RAM_E_RANGE, "ram_sensor_glimpse", "width = 0");
    expect_detail(ram_sensor_glimpse(s, 1, NULL, RAM_PIXEL_U8, 8, 8, 8, 64, loc, out),
                  RAM_E_INVALID, "ram_sensor_glimpse", "images is NULL");
    loc[1] = 1.5f;
    expect_detail(ram_sensor_glimpse(s, 1, img, RAM_PIXEL_U8, 8, 8, 8, 64, loc, out),
                  RAM_E_RANGE, "ram_sensor_glimpse", "loc[1]");
    loc[1] = NAN;
    expect_detail(ram_sensor_glimpse(s, 1, img, RAM_PIXEL_U8, 8, 8, 8, 64, loc, out),
                  RAM_E_NONFINITE, "ram_sensor_glimpse", "loc[1]");
    ptrdiff_t x0, y0;
    size_t sz;
    loc[1] = 0;
    expect_detail(ram_sensor_patch_rect(s, 8, 8, loc, 2, &x0, &y0, &sz), RAM_E_RANGE,
                  "ram_sensor_patch_rect", "scale = 2");
    ram_sensor_free(s);

    ram_glimpse *g = NULL;
    expect_detail(ram_glimpse_create(&g, 4, 0, 1, 1, 0), RAM_E_RANGE, "ram_glimpse_create", "what = 0");
    CK(ram_glimpse_create(&g, 4, 2, 2, 2, 0));
    float buf[64] = {0};
    expect_detail(ram_glimpse_forward(g, 1, buf, NULL, buf, NULL), RAM_E_INVALID,
                  "ram_glimpse_forward", "loc is NULL");
    expect_detail(ram_glimpse_forward(g, 0, buf, buf, buf, NULL), RAM_E_RANGE,
                  "ram_glimpse_forward", "n = 0");
    expect_detail(ram_glimpse_backward(g, 1, buf, buf, buf, NULL, buf, NULL, NULL, 0.0f),
                  RAM_E_INVALID, "ram_glimpse_backward", "tape is NULL");
    expect_detail(ram_glimpse_backward(g, 1, buf, buf, buf, buf, buf, NULL, NULL, NAN),
                  RAM_E_RANGE, "ram_glimpse_backward", "beta");
    ram_glimpse_free(g);

    ram_core *c = NULL;
    expect_detail(ram_core_create(&c, 3, 4, 4, 0), RAM_E_INVALID, "ram_core_create", "type = 3");
    expect_detail(ram_core_create(&c, RAM_CORE_RNN, 4, 0, 0), RAM_E_RANGE, "ram_core_create",
                  "hidden = 0");
    CK(ram_core_create(&c, RAM_CORE_LSTM, 2, 2, 0));
    expect_detail(ram_core_forward(c, 1, NULL, NULL, buf, buf, NULL, NULL), RAM_E_INVALID,
                  "ram_core_forward", "c is NULL");
    expect_detail(ram_core_backward(c, 0, 1, NULL, NULL, buf, buf, buf, buf, buf, NULL, NULL,
                                    NULL, 0.0f),
                  RAM_E_RANGE, "ram_core_backward", "steps = 0");
    ram_core_free(c);

    ram_location *l = NULL;
    expect_detail(ram_location_create(&l, 4, 9, 0), RAM_E_INVALID, "ram_location_create", "bound = 9");
    CK(ram_location_create(&l, 2, RAM_BOUND_TANH, 0));
    expect_detail(ram_location_set_std(l, -1.0), RAM_E_RANGE, "ram_location_set_std", "std = -1");
    float m[2] = {NAN, 0};
    expect_detail(ram_location_sample(l, 1, m, NULL, buf, NULL), RAM_E_NONFINITE,
                  "ram_location_sample", "mean");
    expect_detail(ram_location_score(l, 1, buf, buf, NULL, buf), RAM_E_INVALID,
                  "ram_location_score", "coef is NULL");
    ram_location_free(l);

    ram_action *a = NULL;
    expect_detail(ram_action_create(&a, 4, 1, 0), RAM_E_RANGE, "ram_action_create", "actions = 1");
    CK(ram_action_create(&a, 2, 3, 0));
    int lab = 3;
    expect_detail(ram_action_xent(a, 1, buf, &lab, 1.0, buf, NULL), RAM_E_RANGE,
                  "ram_action_xent", "labels[0] = 3");
    float neg[3] = {0.5f, -0.1f, 0.6f};
    int act;
    expect_detail(ram_action_sample(a, 1, neg, &act), RAM_E_RANGE, "ram_action_sample",
                  "probs[0][1]");
    ram_action_free(a);

    ram_baseline *b = NULL;
    expect_detail(ram_baseline_create(&b, 0), RAM_E_RANGE, "ram_baseline_create", "input = 0");
    CK(ram_baseline_create(&b, 2));
    expect_detail(ram_baseline_mse(b, 1, buf, buf, INFINITY, buf, NULL), RAM_E_RANGE,
                  "ram_baseline_mse", "scale");
    ram_baseline_free(b);
}
END_TEST

Suite *suite_net_api(void)
{
    Suite *s = suite_create("net_api");
    TCase *tc = tcase_create("beta");
    tcase_add_test(tc, test_beta_glimpse);
    tcase_add_loop_test(tc, test_beta_core, 0, 2);
    tcase_add_test(tc, test_beta_heads);
    tcase_add_loop_test(tc, test_location_backward_chunks, 0, 2);
    tcase_add_test(tc, test_heads_add_into_one_buffer);
    suite_add_tcase(s, tc);
    tc = tcase_create("policy");
    tcase_add_test(tc, test_location_log_prob);
    tcase_add_test(tc, test_location_entropy);
    tcase_add_test(tc, test_action_log_prob_entropy);
    suite_add_tcase(s, tc);
    tc = tcase_create("reserve");
    tcase_add_test(tc, test_reserve_same_results);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, test_error_details);
    suite_add_tcase(s, tc);
    return s;
}
