/* Tests of the learned baseline (include/ram/baseline.h), and of the
 * central gradient checker itself (tests/gradcheck.c). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"
#include "internal.h"
#include "ram/ram.h"

#define HD 6
#define NR 5

struct bfix {
    ram_baseline *net;
    float *params, *grads;
    size_t count;
    float h[NR * HD], target[NR], b[NR], coef[NR];
    int mode; /* 0: mse loss; 1: sum coef . b */
};

static double bfix_loss(void *ctx)
{
    struct bfix *f = ctx;
    double loss = 0;
    float db[NR];
    ck_assert_int_eq(ram_baseline_forward(f->net, NR, f->h, f->b), RAM_OK);
    if (f->mode == 1) {
        for (size_t r = 0; r < NR; r++)
            loss += (double)f->coef[r] * f->b[r];
        return loss;
    }
    ck_assert_int_eq(ram_baseline_mse(f->net, NR, f->b, f->target, 0.3, db,
                                      &loss),
                     RAM_OK);
    return loss;
}

static void bfix_setup(struct bfix *f, int mode, uint64_t seed)
{
    uint64_t st = seed;
    memset(f, 0, sizeof *f);
    f->mode = mode;
    ck_assert_int_eq(ram_baseline_create(&f->net, HD), RAM_OK);
    ram_baseline_params(f->net, &f->params, &f->grads, &f->count);
    /* Non-zero weights, so that dh is informative. */
    gc_fill(f->params, f->count, &st, -0.5, 0.5);
    gc_fill(f->h, NR * HD, &st, -1.0, 1.0);
    gc_fill(f->target, NR, &st, -1.0, 1.0);
    gc_fill(f->coef, NR, &st, -1.0, 1.0);
}

START_TEST(test_create_init)
{
    ram_baseline *net = (ram_baseline *)&net;
    size_t in = 0, count = 0;
    float *p, *g;

    ck_assert_int_eq(ram_baseline_create(&net, HD), RAM_OK);
    ck_assert_int_eq(ram_baseline_shape(net, &in), RAM_OK);
    ck_assert_uint_eq(in, HD);
    ck_assert_int_eq(ram_baseline_shape(net, NULL), RAM_OK);
    ck_assert_int_eq(ram_baseline_params(net, &p, &g, &count), RAM_OK);
    ck_assert_uint_eq(count, HD + 1);
    ck_assert(gc_all_equal(p, count, 0.0f)); /* starts at zero */
    ck_assert(gc_all_equal(g, count, 0.0f));
    ram_baseline_free(net);
    ram_baseline_free(NULL);
}
END_TEST

START_TEST(test_forward_reference)
{
    struct bfix f;
    float b[NR];

    bfix_setup(&f, 0, 1);
    ck_assert_int_eq(ram_baseline_forward(f.net, NR, f.h, b), RAM_OK);
    for (size_t r = 0; r < NR; r++) {
        double want = f.params[HD];
        for (size_t k = 0; k < HD; k++)
            want += (double)f.params[k] * f.h[r * HD + k];
        ck_assert(fabs(b[r] - want) < 1e-6);
    }
    /* h NULL: the bias alone. */
    ck_assert_int_eq(ram_baseline_forward(f.net, 3, NULL, b), RAM_OK);
    for (size_t r = 0; r < 3; r++)
        ck_assert_float_eq(b[r], f.params[HD]);
    ram_baseline_free(f.net);
}
END_TEST

START_TEST(test_mse_values)
{
    ram_baseline *net;
    float b[3] = {1.0f, -2.0f, 0.5f}, t[3] = {0.0f, 1.0f, 0.5f}, db[3];
    double loss = 0;

    ck_assert_int_eq(ram_baseline_create(&net, 2), RAM_OK);
    ck_assert_int_eq(ram_baseline_mse(net, 3, b, t, 0.5, db, &loss), RAM_OK);
    ck_assert(fabs(loss - 0.5 * (1 + 9) / 2) < 1e-12);
    ck_assert_float_eq(db[0], 0.5f);
    ck_assert_float_eq(db[1], -1.5f);
    ck_assert_float_eq(db[2], 0.0f);
    ck_assert_int_eq(ram_baseline_mse(net, 3, b, t, 1.0, db, NULL), RAM_OK);
    ck_assert_float_eq(db[1], -3.0f);
    ram_baseline_free(net);
}
END_TEST

START_TEST(test_gradcheck)
{
    struct bfix f;
    float db[NR], dh[NR * HD];
    gc_result r;
    double loss;

    bfix_setup(&f, _i, 2 + (uint64_t)_i);
    ram_baseline_forward(f.net, NR, f.h, f.b);
    if (_i == 0)
        ck_assert_int_eq(ram_baseline_mse(f.net, NR, f.b, f.target, 0.3, db,
                                          &loss),
                         RAM_OK);
    else
        memcpy(db, f.coef, sizeof db);
    ck_assert_int_eq(ram_baseline_backward(f.net, NR, f.h, db, dh, 0.0f), RAM_OK);
    r = gc_check(f.params, f.grads, f.count, bfix_loss, &f, 1e-2, 1000, 1,
                 1e-2);
    ck_assert_uint_eq(r.checked, f.count);
    GC_EXPECT(r, 1e-2, _i ? "baseline linear params" : "baseline mse params");
    r = gc_check(f.h, dh, NR * HD, bfix_loss, &f, 1e-2, 1000, 1, 1e-2);
    GC_EXPECT(r, 1e-2, _i ? "baseline linear dh" : "baseline mse dh");
    ram_baseline_free(f.net);
}
END_TEST

START_TEST(test_backward_null_h)
{
    struct bfix f;
    float db[3] = {0.5f, -0.25f, 1.0f}, dh[3 * HD];

    bfix_setup(&f, 0, 3);
    ram_baseline_zero_grad(f.net);
    ck_assert_int_eq(ram_baseline_backward(f.net, 3, NULL, db, dh, 0.0f), RAM_OK);
    for (size_t k = 0; k < HD; k++)
        ck_assert_float_eq(f.grads[k], 0.0f);
    ck_assert(fabs(f.grads[HD] - 1.25f) < 1e-7);
    for (size_t r = 0; r < 3; r++)
        for (size_t k = 0; k < HD; k++)
            ck_assert(fabs(dh[r * HD + k] - db[r] * f.params[k]) < 1e-7);
    /* Accumulates. */
    ck_assert_int_eq(ram_baseline_backward(f.net, 3, NULL, db, NULL, 0.0f), RAM_OK);
    ck_assert(fabs(f.grads[HD] - 2.5f) < 1e-6);
    ram_baseline_free(f.net);
}
END_TEST

START_TEST(test_errors)
{
    ram_baseline *net = (ram_baseline *)&net;
    const float S = 555.0f;
    float h[2 * HD] = {0}, b[2], t[2] = {0, 0}, db[2], dh[2 * HD];
    float *p, *g;
    size_t count;
    double loss = -3;

    ck_assert_int_eq(ram_baseline_create(NULL, 2), RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_create(&net, 0), RAM_E_RANGE);
    ck_assert_ptr_null(net);
    net = (ram_baseline *)&net;
    ck_assert_int_eq(ram_baseline_create(&net, RAM_MAX_UNITS + 1),
                     RAM_E_RANGE);
    ck_assert_ptr_null(net);
    ck_assert_int_eq(ram_baseline_shape(NULL, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_params(NULL, NULL, NULL, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_zero_grad(NULL), RAM_E_INVALID);

    ck_assert_int_eq(ram_baseline_create(&net, HD), RAM_OK);
    ram_baseline_params(net, &p, &g, &count);
    b[0] = b[1] = db[0] = db[1] = S;
    ck_assert_int_eq(ram_baseline_forward(NULL, 2, h, b), RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_forward(net, 2, h, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_forward(net, 0, h, b), RAM_E_RANGE);
    ck_assert_int_eq(ram_baseline_forward(net, RAM_MAX_ROWS + 1, h, b),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(b, 2, S));

    float bb[2] = {1, 2};
    ck_assert_int_eq(ram_baseline_mse(NULL, 2, bb, t, 1, db, &loss),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_mse(net, 2, NULL, t, 1, db, &loss),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_mse(net, 2, bb, NULL, 1, db, &loss),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_mse(net, 2, bb, t, 1, NULL, &loss),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_mse(net, 0, bb, t, 1, db, &loss),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_baseline_mse(net, 2, bb, t, NAN, db, &loss),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(db, 2, S));
    ck_assert(loss == -3);

    for (size_t i = 0; i < count; i++)
        g[i] = S;
    for (size_t i = 0; i < 2 * HD; i++)
        dh[i] = S;
    ck_assert_int_eq(ram_baseline_backward(NULL, 2, h, bb, dh, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_backward(net, 2, h, NULL, dh, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_baseline_backward(net, 0, h, bb, dh, 0.0f), RAM_E_RANGE);
    ck_assert_int_eq(ram_baseline_backward(net, RAM_MAX_ROWS + 1, h, bb, dh, 0.0f),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(g, count, S));
    ck_assert(gc_all_equal(dh, 2 * HD, S));
    ram_baseline_free(net);
}
END_TEST

/* ---- the checker itself ---- */

struct quad {
    float x[50];
    int calls;
};

/* loss = sum_i (i+1) x_i^2 / 2, gradient (i+1) x_i. */
static double quad_loss(void *ctx)
{
    struct quad *q = ctx;
    double s = 0;
    q->calls++;
    for (int i = 0; i < 50; i++)
        s += 0.5 * (i + 1) * (double)q->x[i] * q->x[i];
    return s;
}

START_TEST(test_gradcheck_self)
{
    struct quad q;
    float grad[50], orig[50];
    uint64_t st = 5;
    gc_result r;

    gc_fill(q.x, 50, &st, -1.0, 1.0);
    memcpy(orig, q.x, sizeof orig);
    for (int i = 0; i < 50; i++)
        grad[i] = (float)((i + 1) * q.x[i]);

    /* Right gradient: passes, every element, x restored bit for bit. */
    q.calls = 0;
    r = gc_check(q.x, grad, 50, quad_loss, &q, 1e-3, 100, 1, 1e-3);
    ck_assert_uint_eq(r.checked, 50);
    ck_assert_int_eq(q.calls, 100);
    ck_assert(r.max_rel_err < 1e-3);
    ck_assert(memcmp(orig, q.x, sizeof orig) == 0);

    /* One wrong element is found and reported. */
    grad[17] *= -1.0f;
    r = gc_check(q.x, grad, 50, quad_loss, &q, 1e-3, 100, 1, 1e-3);
    ck_assert(r.max_rel_err > 0.5);
    ck_assert_uint_eq(r.worst_index, 17);
    ck_assert(fabs(r.worst_numeric - (double)-grad[17]) < 1e-2);
    ck_assert(r.worst_analytic == grad[17]);
    grad[17] *= -1.0f;

    /* A dropped (zeroed) gradient fails too, given a sensible floor. */
    grad[3] = 0.0f;
    r = gc_check(q.x, grad, 50, quad_loss, &q, 1e-3, 100, 1, 1e-3);
    ck_assert(r.max_rel_err > 0.5);
    ck_assert_uint_eq(r.worst_index, 3);
    grad[3] = (float)(4 * q.x[3]);

    /* Subsampling: max_checks elements, one per stratum, seeded. */
    gc_result r1 = gc_check(q.x, grad, 50, quad_loss, &q, 1e-3, 10, 7, 1e-3);
    gc_result r2 = gc_check(q.x, grad, 50, quad_loss, &q, 1e-3, 10, 7, 1e-3);
    ck_assert_uint_eq(r1.checked, 10);
    ck_assert(r1.max_rel_err == r2.max_rel_err &&
              r1.worst_index == r2.worst_index);
    /* Every stratum of 5 is visited: a wrong stratum anywhere is caught
     * and reported inside that stratum. */
    for (size_t k = 0; k < 10; k++) {
        float keep[5];
        memcpy(keep, grad + 5 * k, sizeof keep);
        for (size_t j = 0; j < 5; j++) /* relative error >= 1/2 */
            grad[5 * k + j] += 1.0f + 2.0f * fabsf(grad[5 * k + j]);
        r = gc_check(q.x, grad, 50, quad_loss, &q, 1e-3, 10, 3, 1e-3);
        ck_assert(r.max_rel_err > 0.1);
        ck_assert(r.worst_index >= 5 * k && r.worst_index < 5 * k + 5);
        memcpy(grad + 5 * k, keep, sizeof keep);
    }
    /* Non-finite loss counts as an infinite error. */
    q.x[0] = NAN;
    r = gc_check(q.x, grad, 50, quad_loss, &q, 1e-3, 100, 1, 1e-3);
    ck_assert(isinf(r.max_rel_err));
}
END_TEST

Suite *suite_baseline(void)
{
    Suite *s = suite_create("baseline");
    TCase *tc = tcase_create("baseline");
    tcase_add_test(tc, test_create_init);
    tcase_add_test(tc, test_forward_reference);
    tcase_add_test(tc, test_mse_values);
    tcase_add_loop_test(tc, test_gradcheck, 0, 2);
    tcase_add_test(tc, test_backward_null_h);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("gradcheck");
    tcase_add_test(tc, test_gradcheck_self);
    suite_add_tcase(s, tc);
    return s;
}
