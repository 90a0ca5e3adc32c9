/* Tests of the core network, RNN and LSTM (include/ram/core.h). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"
#include "internal.h"
#include "ram/ram.h"

#define IN 6
#define HD 5
#define NR 3
#define TS 4

static size_t rows_of(int type)
{
    return type == RAM_CORE_LSTM ? 4 * HD : HD;
}

static double sigm(double v)
{
    return 1.0 / (1.0 + exp(-v));
}

/* ---- a double-precision reference: forward and step-by-step BPTT ---- */

struct ref {
    double h[TS * NR * HD], c[TS * NR * HD];
    double gate[TS * NR * 4 * HD]; /* LSTM i f g o, post-nonlinearity */
    double margin;                 /* RNN: min |pre-activation| */
};

static double at0(const float *v, size_t i)
{
    return v ? (double)v[i] : 0.0;
}

static void ref_forward(int type, const float *p, size_t T, const float *h0,
                        const float *c0, const float *x, struct ref *out)
{
    size_t M = rows_of(type);
    const float *wx = p, *wh = wx + M * IN, *b = wh + M * HD;
    out->margin = INFINITY;
    for (size_t t = 0; t < T; t++) {
        for (size_t r = 0; r < NR; r++) {
            double pre[4 * HD];
            for (size_t m = 0; m < M; m++) {
                double s = b[m];
                for (size_t k = 0; k < IN; k++)
                    s += (double)wx[m * IN + k] * x[(t * NR + r) * IN + k];
                for (size_t k = 0; k < HD; k++) {
                    double hp = t ? out->h[((t - 1) * NR + r) * HD + k]
                                  : at0(h0, r * HD + k);
                    s += (double)wh[m * HD + k] * hp;
                }
                pre[m] = s;
            }
            for (size_t j = 0; j < HD; j++) {
                size_t o = (t * NR + r) * HD + j;
                if (type == RAM_CORE_RNN) {
                    out->margin = fmin(out->margin, fabs(pre[j]));
                    out->h[o] = pre[j] > 0 ? pre[j] : 0;
                    continue;
                }
                double i = sigm(pre[j]), f = sigm(pre[HD + j]);
                double g = tanh(pre[2 * HD + j]), og = sigm(pre[3 * HD + j]);
                double cp = t ? out->c[((t - 1) * NR + r) * HD + j]
                              : at0(c0, r * HD + j);
                double *gt = out->gate + (t * NR + r) * 4 * HD;
                gt[j] = i;
                gt[HD + j] = f;
                gt[2 * HD + j] = g;
                gt[3 * HD + j] = og;
                out->c[o] = f * cp + i * g;
                out->h[o] = og * tanh(out->c[o]);
            }
        }
    }
}

/* The textbook BPTT: per-step weight-gradient accumulation. */
static void ref_bptt(int type, const float *p, size_t T, const float *h0,
                     const float *c0, const float *x, const float *dh,
                     double *gp, double *dx, double *dh0, double *dc0)
{
    size_t M = rows_of(type);
    const float *wx = p, *wh = wx + M * IN;
    double *gwx = gp, *gwh = gwx + M * IN, *gb = gwh + M * HD;
    double dhn[NR * HD] = {0}, dcn[NR * HD] = {0};
    struct ref *f = malloc(sizeof *f);

    ck_assert_ptr_nonnull(f);
    ref_forward(type, p, T, h0, c0, x, f);
    memset(gp, 0, M * (IN + HD + 1) * sizeof(double));
    for (size_t t = T; t-- > 0;) {
        for (size_t r = 0; r < NR; r++) {
            double dpre[4 * HD];
            for (size_t j = 0; j < HD; j++) {
                size_t o = (t * NR + r) * HD + j;
                double d = dh[o] + dhn[r * HD + j];
                if (type == RAM_CORE_RNN) {
                    dpre[j] = f->h[o] > 0 ? d : 0;
                    continue;
                }
                const double *gt = f->gate + (t * NR + r) * 4 * HD;
                double i = gt[j], fg = gt[HD + j], g = gt[2 * HD + j],
                       og = gt[3 * HD + j];
                double tc = tanh(f->c[o]);
                double cp = t ? f->c[((t - 1) * NR + r) * HD + j]
                              : at0(c0, r * HD + j);
                double dc = dcn[r * HD + j] + d * og * (1 - tc * tc);
                dpre[j] = dc * g * i * (1 - i);
                dpre[HD + j] = dc * cp * fg * (1 - fg);
                dpre[2 * HD + j] = dc * i * (1 - g * g);
                dpre[3 * HD + j] = d * tc * og * (1 - og);
                dcn[r * HD + j] = dc * fg;
            }
            for (size_t m = 0; m < M; m++) {
                gb[m] += dpre[m];
                for (size_t k = 0; k < IN; k++)
                    gwx[m * IN + k] += dpre[m] * x[(t * NR + r) * IN + k];
                for (size_t k = 0; k < HD; k++) {
                    double hp = t ? f->h[((t - 1) * NR + r) * HD + k]
                                  : at0(h0, r * HD + k);
                    gwh[m * HD + k] += dpre[m] * hp;
                }
            }
            for (size_t k = 0; k < IN; k++) {
                double s = 0;
                for (size_t m = 0; m < M; m++)
                    s += dpre[m] * wx[m * IN + k];
                dx[(t * NR + r) * IN + k] = s;
            }
            for (size_t k = 0; k < HD; k++) {
                double s = 0;
                for (size_t m = 0; m < M; m++)
                    s += dpre[m] * wh[m * HD + k];
                dhn[r * HD + k] = s;
            }
        }
    }
    memcpy(dh0, dhn, sizeof dhn);
    memcpy(dc0, dcn, sizeof dcn);
    free(f);
}

/* ---- fixture ---- */

struct cfix {
    int type;
    int with_init; /* h0 (and c0) given */
    ram_core *core;
    float *params, *grads;
    size_t count, tw;
    float x[TS * NR * IN], h0[NR * HD], c0[NR * HD];
    float coef[TS * NR * HD]; /* loss = sum_t coef_t . h_t */
    float h[TS * NR * HD], c[TS * NR * HD];
    float *tape;
};

static const float *fh0(const struct cfix *f)
{
    return f->with_init ? f->h0 : NULL;
}

static const float *fc0(const struct cfix *f)
{
    return f->with_init ? f->c0 : NULL;
}

/* Forward over all TS steps through the public API. */
static void cfix_forward(struct cfix *f)
{
    for (size_t t = 0; t < TS; t++) {
        const float *hp = t ? f->h + (t - 1) * NR * HD : fh0(f);
        const float *cp = t ? f->c + (t - 1) * NR * HD : fc0(f);
        ck_assert_int_eq(ram_core_forward(f->core, NR, hp, cp,
                                          f->x + t * NR * IN,
                                          f->h + t * NR * HD,
                                          f->c + t * NR * HD,
                                          f->tape + t * NR * f->tw),
                         RAM_OK);
    }
}

static double cfix_loss(void *ctx)
{
    struct cfix *f = ctx;
    double s = 0;
    cfix_forward(f);
    for (size_t i = 0; i < TS * NR * HD; i++)
        s += (double)f->coef[i] * f->h[i];
    return s;
}

static void cfix_setup(struct cfix *f, int type, int with_init, uint64_t seed,
                       double margin)
{
    uint64_t st = seed;
    struct ref *rf = malloc(sizeof *rf);
    int found = 0;

    ck_assert_ptr_nonnull(rf);
    memset(f, 0, sizeof *f);
    f->type = type;
    f->with_init = with_init;
    ck_assert_int_eq(ram_core_create(&f->core, type, IN, HD, 21), RAM_OK);
    ram_core_params(f->core, &f->params, &f->grads, &f->count);
    f->tw = ram_core_tape_size(f->core);
    f->tape = calloc(TS * NR * f->tw, sizeof(float)); /* RNN: scratch */
    ck_assert_ptr_nonnull(f->tape);
    for (int tries = 0; tries < 2000 && !found; tries++) {
        gc_fill(f->x, TS * NR * IN, &st, -1.0, 1.0);
        gc_fill(f->h0, NR * HD, &st, type == RAM_CORE_RNN ? 0.0 : -0.9, 0.9);
        gc_fill(f->c0, NR * HD, &st, -1.5, 1.5);
        ref_forward(type, f->params, TS, fh0(f), fc0(f), f->x, rf);
        found = type != RAM_CORE_RNN || rf->margin > margin;
    }
    ck_assert_msg(found, "no kink-free core fixture");
    gc_fill(f->coef, TS * NR * HD, &st, -1.0, 1.0);
    free(rf);
}

static void cfix_free(struct cfix *f)
{
    ram_core_free(f->core);
    free(f->tape);
}

/* Forward then backward with dh = coef; fills grads (zeroed first), dx,
 * dh0, dc0. */
static void cfix_backward(struct cfix *f, float *dx, float *dh0, float *dc0)
{
    ram_core_zero_grad(f->core);
    cfix_forward(f);
    ck_assert_int_eq(ram_core_backward(f->core, TS, NR, fh0(f), fc0(f), f->x,
                                       f->h, f->c, f->tape, f->coef, dx, dh0,
                                       dc0, 0.0f),
                     RAM_OK);
}

/* Loop index: bit 0 = LSTM, bit 1 = initial state given. */
static int loop_type(int i)
{
    return (i & 1) ? RAM_CORE_LSTM : RAM_CORE_RNN;
}

/* ---- tests ---- */

START_TEST(test_create_shape)
{
    ram_core *core = (ram_core *)&core;
    int type = 0;
    size_t in = 0, hid = 0, count = 0;
    float *p, *g;

    ck_assert_int_eq(ram_core_create(&core, RAM_CORE_RNN, IN, HD, 1), RAM_OK);
    ck_assert_int_eq(ram_core_shape(core, &type, &in, &hid), RAM_OK);
    ck_assert_int_eq(type, RAM_CORE_RNN);
    ck_assert_uint_eq(in, IN);
    ck_assert_uint_eq(hid, HD);
    ck_assert_uint_eq(ram_core_tape_size(core), HD);
    ram_core_params(core, &p, &g, &count);
    ck_assert_uint_eq(count, HD * (IN + HD + 1));
    ck_assert(gc_all_equal(g, count, 0.0f));
    ram_core_free(core);

    ck_assert_int_eq(ram_core_create(&core, RAM_CORE_LSTM, IN, HD, 1),
                     RAM_OK);
    ck_assert_int_eq(ram_core_shape(core, &type, NULL, NULL), RAM_OK);
    ck_assert_int_eq(type, RAM_CORE_LSTM);
    ck_assert_uint_eq(ram_core_tape_size(core), 5 * HD);
    ram_core_params(core, NULL, NULL, &count);
    ck_assert_uint_eq(count, 4 * HD * (IN + HD + 1));
    ck_assert_uint_eq(count, ram__core_count(RAM_CORE_LSTM, IN, HD));
    ram_core_free(core);
    ram_core_free(NULL);
    ck_assert_uint_eq(ram_core_tape_size(NULL), 0);
}
END_TEST

START_TEST(test_init)
{
    for (int k = 0; k < 2; k++) {
        int type = k ? RAM_CORE_LSTM : RAM_CORE_RNN;
        ram_core *a, *b, *c;
        float *pa, *pb, *pc;
        size_t count, M = rows_of(type);
        double lim = 1.0 / sqrt((double)HD);

        ck_assert_int_eq(ram_core_create(&a, type, IN, HD, 3), RAM_OK);
        ck_assert_int_eq(ram_core_create(&b, type, IN, HD, 3), RAM_OK);
        ck_assert_int_eq(ram_core_create(&c, type, IN, HD, 4), RAM_OK);
        ram_core_params(a, &pa, NULL, &count);
        ram_core_params(b, &pb, NULL, NULL);
        ram_core_params(c, &pc, NULL, NULL);
        ck_assert(memcmp(pa, pb, count * sizeof(float)) == 0);
        ck_assert(memcmp(pa, pc, count * sizeof(float)) != 0);
        const float *bias = pa + M * (IN + HD);
        for (size_t i = 0; i < count; i++) {
            int forget = type == RAM_CORE_LSTM && pa + i >= bias + HD &&
                         pa + i < bias + 2 * HD;
            if (forget)
                ck_assert_float_eq(pa[i], 1.0f);
            else
                ck_assert(fabs(pa[i]) <= lim);
        }
        ram_core_free(a);
        ram_core_free(b);
        ram_core_free(c);
    }
}
END_TEST

START_TEST(test_forward_reference)
{
    struct cfix f;
    int type = loop_type(_i);
    struct ref *rf = malloc(sizeof *rf);

    ck_assert_ptr_nonnull(rf);
    cfix_setup(&f, type, (_i >> 1) & 1, 7, 0.0);
    cfix_forward(&f);
    ref_forward(type, f.params, TS, fh0(&f), fc0(&f), f.x, rf);
    int active = 0;
    for (size_t i = 0; i < TS * NR * HD; i++) {
        ck_assert_msg(fabs(f.h[i] - rf->h[i]) < 1e-5, "h[%zu] %g vs %g", i,
                      f.h[i], rf->h[i]);
        active += f.h[i] != 0;
        if (type == RAM_CORE_LSTM)
            ck_assert(fabs(f.c[i] - rf->c[i]) < 1e-5);
    }
    ck_assert(active > TS * NR * HD / 4);
    if (type == RAM_CORE_LSTM) {
        /* Tape: the four gate activations, then tanh(c_t). */
        for (size_t t = 0; t < TS; t++)
            for (size_t r = 0; r < NR; r++) {
                const float *tp = f.tape + (t * NR + r) * 5 * HD;
                const double *gt = rf->gate + (t * NR + r) * 4 * HD;
                for (size_t j = 0; j < 4 * HD; j++)
                    ck_assert(fabs(tp[j] - gt[j]) < 1e-5);
                for (size_t j = 0; j < HD; j++)
                    ck_assert(fabs(tp[4 * HD + j] -
                                   tanh(rf->c[(t * NR + r) * HD + j])) < 1e-5);
            }
        /* No tape: same h and c for the first step. */
        float h2[NR * HD], c2[NR * HD];
        ck_assert_int_eq(ram_core_forward(f.core, NR, fh0(&f), fc0(&f), f.x,
                                          h2, c2, NULL),
                         RAM_OK);
        ck_assert(memcmp(h2, f.h, sizeof h2) == 0);
        ck_assert(memcmp(c2, f.c, sizeof c2) == 0);
    } else {
        /* The RNN ignores c_prev and c. */
        float h2[NR * HD];
        ck_assert_int_eq(ram_core_forward(f.core, NR, fh0(&f), f.c0, f.x, h2,
                                          NULL, NULL),
                         RAM_OK);
        ck_assert(memcmp(h2, f.h, sizeof h2) == 0);
    }
    free(rf);
    cfix_free(&f);
}
END_TEST

/* Central differences of the T-step loss for parameters and all inputs. */
START_TEST(test_gradcheck)
{
    int type = loop_type(_i), with_init = (_i >> 1) & 1;
    int lstm = type == RAM_CORE_LSTM;
    double eps = lstm ? 1e-2 : 1e-3, tol = 1e-2, floor = 1e-2;
    struct cfix f;
    float dx[TS * NR * IN], dh0[NR * HD], dc0[NR * HD];
    gc_result r;
    char what[64];

    cfix_setup(&f, type, with_init, 100 + (uint64_t)_i, 0.01);
    cfix_backward(&f, dx, dh0, dc0);
    float *grads = malloc(f.count * sizeof(float));
    ck_assert_ptr_nonnull(grads);
    memcpy(grads, f.grads, f.count * sizeof(float));

    snprintf(what, sizeof what, "%s%s params", lstm ? "lstm" : "rnn",
             with_init ? "+h0" : "");
    r = gc_check(f.params, grads, f.count, cfix_loss, &f, eps, 1000, 1,
                 floor);
    ck_assert_uint_eq(r.checked, f.count);
    GC_EXPECT(r, tol, what);

    /* The W_h block is checked separately so that it cannot hide. */
    size_t M = rows_of(type);
    snprintf(what, sizeof what, "%s%s W_h", lstm ? "lstm" : "rnn",
             with_init ? "+h0" : "");
    double gsum = 0;
    for (size_t i = 0; i < M * HD; i++)
        gsum += fabs(grads[M * IN + i]);
    ck_assert_msg(gsum > 1e-2, "W_h gradient is ~zero: %g", gsum);
    r = gc_check(f.params + M * IN, grads + M * IN, M * HD, cfix_loss, &f,
                 eps, 1000, 2, floor);
    GC_EXPECT(r, tol, what);

    snprintf(what, sizeof what, "%s%s dx", lstm ? "lstm" : "rnn",
             with_init ? "+h0" : "");
    r = gc_check(f.x, dx, TS * NR * IN, cfix_loss, &f, eps, 1000, 1, floor);
    GC_EXPECT(r, tol, what);
    if (with_init) {
        snprintf(what, sizeof what, "%s dh0", lstm ? "lstm" : "rnn");
        r = gc_check(f.h0, dh0, NR * HD, cfix_loss, &f, eps, 1000, 1, floor);
        GC_EXPECT(r, tol, what);
        if (lstm) {
            r = gc_check(f.c0, dc0, NR * HD, cfix_loss, &f, eps, 1000, 1,
                         floor);
            GC_EXPECT(r, tol, "lstm dc0");
        }
    }
    free(grads);
    cfix_free(&f);
}
END_TEST

/* ram_core_backward equals the textbook per-step BPTT in double. */
START_TEST(test_bptt_reference)
{
    int type = loop_type(_i), with_init = (_i >> 1) & 1;
    struct cfix f;
    float dx[TS * NR * IN], dh0[NR * HD], dc0[NR * HD];
    double *gp, rdx[TS * NR * IN], rdh0[NR * HD], rdc0[NR * HD];

    cfix_setup(&f, type, with_init, 200 + (uint64_t)_i, 0.0);
    gp = malloc(f.count * sizeof(double));
    ck_assert_ptr_nonnull(gp);
    cfix_backward(&f, dx, dh0, dc0);
    ref_bptt(type, f.params, TS, fh0(&f), fc0(&f), f.x, f.coef, gp, rdx, rdh0,
             rdc0);
    for (size_t i = 0; i < f.count; i++)
        ck_assert_msg(fabs(f.grads[i] - gp[i]) < 1e-4 * (1 + fabs(gp[i])),
                      "grad[%zu] %g vs %g", i, f.grads[i], gp[i]);
    for (size_t i = 0; i < TS * NR * IN; i++)
        ck_assert(fabs(dx[i] - rdx[i]) < 1e-4 * (1 + fabs(rdx[i])));
    for (size_t i = 0; i < NR * HD; i++) {
        ck_assert(fabs(dh0[i] - rdh0[i]) < 1e-4 * (1 + fabs(rdh0[i])));
        if (type == RAM_CORE_LSTM)
            ck_assert(fabs(dc0[i] - rdc0[i]) < 1e-4 * (1 + fabs(rdc0[i])));
    }
    free(gp);
    cfix_free(&f);
}
END_TEST

/* The RNN's T-step backward equals T one-step backwards chained by hand
 * through dh0 (gradients summed over the steps). */
START_TEST(test_bptt_chained)
{
    int with_init = _i;
    struct cfix f;
    float dx[TS * NR * IN], dh0[NR * HD], dxs[TS * NR * IN];
    float carry[NR * HD] = {0}, dht[NR * HD], next[NR * HD];

    cfix_setup(&f, RAM_CORE_RNN, with_init, 300 + (uint64_t)_i, 0.0);
    float *full = malloc(f.count * sizeof(float));
    ck_assert_ptr_nonnull(full);
    cfix_backward(&f, dx, dh0, NULL);
    memcpy(full, f.grads, f.count * sizeof(float));

    ram_core_zero_grad(f.core);
    cfix_forward(&f);
    for (size_t t = TS; t-- > 0;) {
        const float *hp = t ? f.h + (t - 1) * NR * HD : fh0(&f);
        for (size_t i = 0; i < NR * HD; i++)
            dht[i] = f.coef[t * NR * HD + i] + carry[i];
        ck_assert_int_eq(ram_core_backward(f.core, 1, NR, hp, NULL,
                                           f.x + t * NR * IN,
                                           f.h + t * NR * HD, NULL,
                                           f.tape + t * NR * f.tw, dht,
                                           dxs + t * NR * IN, next, NULL, 0.0f),
                         RAM_OK);
        memcpy(carry, next, sizeof carry);
    }
    for (size_t i = 0; i < f.count; i++)
        ck_assert_msg(fabs(full[i] - f.grads[i]) <= 1e-5 * (1 + fabs(full[i])),
                      "grad[%zu] full %g chained %g", i, full[i],
                      f.grads[i]);
    for (size_t i = 0; i < TS * NR * IN; i++)
        ck_assert(fabs(dx[i] - dxs[i]) <= 1e-5 * (1 + fabs(dx[i])));
    for (size_t i = 0; i < NR * HD; i++)
        ck_assert(fabs(dh0[i] - carry[i]) <= 1e-5 * (1 + fabs(dh0[i])));
    free(full);
    cfix_free(&f);
}
END_TEST

/* NULL initial state = zeros, for the forward and for dh0/dc0; dx, dh0
 * and dc0 are optional. */
START_TEST(test_null_state)
{
    int type = loop_type(_i);
    struct cfix f;
    float dx[TS * NR * IN], dh0[NR * HD], dc0[NR * HD];
    float dxz[TS * NR * IN], dh0z[NR * HD], dc0z[NR * HD];

    cfix_setup(&f, type, 0, 400 + (uint64_t)_i, 0.0);
    float *g1 = malloc(f.count * sizeof(float));
    ck_assert_ptr_nonnull(g1);
    cfix_backward(&f, dx, dh0, dc0);
    memcpy(g1, f.grads, f.count * sizeof(float));

    /* Explicit zeros give the same forward and gradients. */
    memset(f.h0, 0, sizeof f.h0);
    memset(f.c0, 0, sizeof f.c0);
    f.with_init = 1;
    cfix_backward(&f, dxz, dh0z, dc0z);
    for (size_t i = 0; i < f.count; i++)
        ck_assert(fabs(g1[i] - f.grads[i]) <= 1e-6 * (1 + fabs(g1[i])));
    for (size_t i = 0; i < NR * HD; i++) {
        ck_assert(fabs(dh0[i] - dh0z[i]) <= 1e-6 * (1 + fabs(dh0[i])));
        if (type == RAM_CORE_LSTM)
            ck_assert(fabs(dc0[i] - dc0z[i]) <= 1e-6 * (1 + fabs(dc0[i])));
    }
    /* Optional outputs omitted: same parameter gradients. */
    cfix_backward(&f, NULL, NULL, NULL);
    for (size_t i = 0; i < f.count; i++)
        ck_assert(fabs(g1[i] - f.grads[i]) <= 1e-6 * (1 + fabs(g1[i])));
    free(g1);
    cfix_free(&f);
}
END_TEST

START_TEST(test_kernel_workspace)
{
    /* The kernel with a 2*n*H workspace (as the agent calls it) matches
     * the public wrapper bit for bit. */
    int type = loop_type(_i);
    struct cfix f;
    struct ram_core k;
    float dx[TS * NR * IN], dh0[NR * HD], dc0[NR * HD];
    float dx2[TS * NR * IN], dh02[NR * HD], dc02[NR * HD];
    float work[2 * NR * HD];

    cfix_setup(&f, type, 1, 500 + (uint64_t)_i, 0.0);
    float *g2 = calloc(f.count, sizeof(float));
    ck_assert_ptr_nonnull(g2);
    cfix_backward(&f, dx, dh0, dc0);
    cfix_forward(&f);
    ram__core_init(&k, type, IN, HD, f.params, g2);
    ram__core_bwd(&k, TS, NR, f.h0, type == RAM_CORE_LSTM ? f.c0 : NULL, f.x,
                  f.h, f.c, f.tape, f.coef, dx2, dh02, dc02, work);
    ck_assert(memcmp(g2, f.grads, f.count * sizeof(float)) == 0);
    ck_assert(memcmp(dx, dx2, sizeof dx) == 0);
    ck_assert(memcmp(dh0, dh02, sizeof dh0) == 0);
    if (type == RAM_CORE_LSTM)
        ck_assert(memcmp(dc0, dc02, sizeof dc0) == 0);
    free(g2);
    cfix_free(&f);
}
END_TEST

START_TEST(test_errors)
{
    ram_core *core = (ram_core *)&core;
    const float S = -777.0f;
    int type = loop_type(_i), lstm = type == RAM_CORE_LSTM;
    struct cfix f;
    float h[NR * HD], c[NR * HD], dx[TS * NR * IN], dh0[NR * HD],
        dc0[NR * HD];

    ck_assert_int_eq(ram_core_create(NULL, type, 1, 1, 0), RAM_E_INVALID);
    ck_assert_int_eq(ram_core_create(&core, 3, 1, 1, 0), RAM_E_INVALID);
    ck_assert_ptr_null(core);
    ck_assert_int_eq(ram_core_create(&core, 0, 1, 1, 0), RAM_E_INVALID);
    ck_assert_int_eq(ram_core_create(&core, type, 0, 1, 0), RAM_E_RANGE);
    ck_assert_int_eq(ram_core_create(&core, type, 1, 0, 0), RAM_E_RANGE);
    ck_assert_int_eq(ram_core_create(&core, type, RAM_MAX_UNITS + 1, 1, 0),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_core_create(&core, type, 1, (size_t)-1, 0),
                     RAM_E_RANGE);
    ck_assert_ptr_null(core);
    ck_assert_int_eq(ram_core_shape(NULL, NULL, NULL, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_core_params(NULL, NULL, NULL, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_core_zero_grad(NULL), RAM_E_INVALID);

    cfix_setup(&f, type, 1, 600, 0.0);
    cfix_forward(&f);
    for (size_t i = 0; i < NR * HD; i++)
        h[i] = c[i] = dh0[i] = dc0[i] = S;
    for (size_t i = 0; i < TS * NR * IN; i++)
        dx[i] = S;
    for (size_t i = 0; i < f.count; i++)
        f.grads[i] = S;
    float *tape0 = malloc(TS * NR * f.tw * sizeof(float));
    ck_assert_ptr_nonnull(tape0);
    memcpy(tape0, f.tape, TS * NR * f.tw * sizeof(float));

    /* forward */
    ck_assert_int_eq(ram_core_forward(NULL, NR, f.h0, f.c0, f.x, h, c, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_core_forward(f.core, NR, f.h0, f.c0, NULL, h, c,
                                      NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_core_forward(f.core, NR, f.h0, f.c0, f.x, NULL, c,
                                      NULL),
                     RAM_E_INVALID);
    if (lstm)
        ck_assert_int_eq(ram_core_forward(f.core, NR, f.h0, f.c0, f.x, h,
                                          NULL, NULL),
                         RAM_E_INVALID);
    ck_assert_int_eq(ram_core_forward(f.core, 0, f.h0, f.c0, f.x, h, c, NULL),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_core_forward(f.core, RAM_MAX_ROWS + 1, f.h0, f.c0,
                                      f.x, h, c, NULL),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(h, NR * HD, S));
    ck_assert(gc_all_equal(c, NR * HD, S));

    /* backward */
#define BWD(core_, steps_, n_, x_, h_, c_, tape_, dh_)                        \
    ram_core_backward((core_), (steps_), (n_), f.h0, f.c0, (x_), (h_), (c_),  \
                      (tape_), (dh_), dx, dh0, dc0, 0.0f)
    ck_assert_int_eq(BWD(NULL, TS, NR, f.x, f.h, f.c, f.tape, f.coef),
                     RAM_E_INVALID);
    ck_assert_int_eq(BWD(f.core, TS, NR, NULL, f.h, f.c, f.tape, f.coef),
                     RAM_E_INVALID);
    ck_assert_int_eq(BWD(f.core, TS, NR, f.x, NULL, f.c, f.tape, f.coef),
                     RAM_E_INVALID);
    ck_assert_int_eq(BWD(f.core, TS, NR, f.x, f.h, f.c, NULL, f.coef),
                     RAM_E_INVALID);
    ck_assert_int_eq(BWD(f.core, TS, NR, f.x, f.h, f.c, f.tape, NULL),
                     RAM_E_INVALID);
    if (lstm)
        ck_assert_int_eq(BWD(f.core, TS, NR, f.x, f.h, NULL, f.tape, f.coef),
                         RAM_E_INVALID);
    ck_assert_int_eq(BWD(f.core, 0, NR, f.x, f.h, f.c, f.tape, f.coef),
                     RAM_E_RANGE);
    ck_assert_int_eq(BWD(f.core, TS, 0, f.x, f.h, f.c, f.tape, f.coef),
                     RAM_E_RANGE);
    ck_assert_int_eq(BWD(f.core, TS, RAM_MAX_ROWS / 2, f.x, f.h, f.c, f.tape,
                         f.coef),
                     RAM_E_RANGE);
    ck_assert_int_eq(BWD(f.core, (size_t)-1, 2, f.x, f.h, f.c, f.tape,
                         f.coef),
                     RAM_E_RANGE);
#undef BWD
    ck_assert(gc_all_equal(f.grads, f.count, S));
    ck_assert(gc_all_equal(dx, TS * NR * IN, S));
    ck_assert(gc_all_equal(dh0, NR * HD, S));
    ck_assert(gc_all_equal(dc0, NR * HD, S));
    ck_assert(memcmp(tape0, f.tape, TS * NR * f.tw * sizeof(float)) == 0);
    free(tape0);
    cfix_free(&f);
}
END_TEST

Suite *suite_core(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_create_shape);
    tcase_add_test(tc, test_init);
    tcase_add_loop_test(tc, test_forward_reference, 0, 4);
    tcase_add_loop_test(tc, test_gradcheck, 0, 4);
    tcase_add_loop_test(tc, test_bptt_reference, 0, 4);
    tcase_add_loop_test(tc, test_bptt_chained, 0, 2);
    tcase_add_loop_test(tc, test_null_state, 0, 2);
    tcase_add_loop_test(tc, test_kernel_workspace, 0, 2);
    tcase_add_loop_test(tc, test_errors, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
