/* Tests of the glimpse network (include/ram/glimpse.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"
#include "internal.h"
#include "ram/ram.h"

#define R_IN 12
#define HG 7
#define HL 5
#define GO 9
#define NR 4
#define HID (HG + HL)

/* ---- a double-precision reference ---- */

/* g[n x G] from the parameters; returns the smallest |pre-activation| over
 * all three ReLU layers (the distance to the nearest kink). */
static double ref_forward(const float *p, size_t n, const float *rho,
                          const float *loc, double *g)
{
    const float *w_what = p, *b_what = w_what + HG * R_IN;
    const float *w_where = b_what + HG, *b_where = w_where + HL * 2;
    const float *w_out = b_where + HL, *b_out = w_out + GO * HID;
    double margin = INFINITY;

    for (size_t r = 0; r < n; r++) {
        double hid[HID];
        for (size_t j = 0; j < HG; j++) {
            double s = b_what[j];
            for (size_t k = 0; k < R_IN; k++)
                s += (double)w_what[j * R_IN + k] * rho[r * R_IN + k];
            margin = fmin(margin, fabs(s));
            hid[j] = s > 0 ? s : 0;
        }
        for (size_t j = 0; j < HL; j++) {
            double s = b_where[j] + (double)w_where[2 * j] * loc[2 * r] +
                       (double)w_where[2 * j + 1] * loc[2 * r + 1];
            margin = fmin(margin, fabs(s));
            hid[HG + j] = s > 0 ? s : 0;
        }
        for (size_t o = 0; o < GO; o++) {
            double s = b_out[o];
            for (size_t j = 0; j < HID; j++)
                s += (double)w_out[o * HID + j] * hid[j];
            margin = fmin(margin, fabs(s));
            g[r * GO + o] = s > 0 ? s : 0;
        }
    }
    return margin;
}

/* ---- fixture for the gradient checks ---- */

struct gfix {
    ram_glimpse *net;
    float *params, *grads;
    size_t count;
    float rho[NR * R_IN], loc[NR * 2];
    float coef[NR * GO]; /* loss = sum coef . g */
    float g[NR * GO], tape[NR * HID];
};

static double gfix_loss(void *ctx)
{
    struct gfix *f = ctx;
    double s = 0.0;
    ck_assert_int_eq(ram_glimpse_forward(f->net, NR, f->rho, f->loc, f->g,
                                         f->tape),
                     RAM_OK);
    for (size_t i = 0; i < NR * GO; i++)
        s += (double)f->coef[i] * f->g[i];
    return s;
}

/* Picks inputs whose pre-activations are all at least `margin` from the
 * ReLU kinks, so that +-eps perturbations never cross one. */
static void gfix_setup(struct gfix *f, uint64_t seed, double margin)
{
    uint64_t st = seed;
    double gref[NR * GO];
    int found = 0;

    memset(f, 0, sizeof *f);
    ck_assert_int_eq(ram_glimpse_create(&f->net, R_IN, HG, HL, GO, 11),
                     RAM_OK);
    ram_glimpse_params(f->net, &f->params, &f->grads, &f->count);
    for (int tries = 0; tries < 2000 && !found; tries++) {
        gc_fill(f->rho, NR * R_IN, &st, -1.0, 1.0);
        gc_fill(f->loc, NR * 2, &st, -0.9, 0.9);
        found = ref_forward(f->params, NR, f->rho, f->loc, gref) > margin;
    }
    ck_assert_msg(found, "no kink-free glimpse fixture");
    gc_fill(f->coef, NR * GO, &st, -1.0, 1.0);
}

/* ---- tests ---- */

START_TEST(test_create_shape)
{
    ram_glimpse *net = (ram_glimpse *)&net;
    size_t in = 0, what = 0, where = 0, out = 0, count = 0;
    float *p = NULL, *g = NULL;

    ck_assert_int_eq(ram_glimpse_create(&net, R_IN, HG, HL, GO, 1), RAM_OK);
    ck_assert_ptr_nonnull(net);
    ck_assert_int_eq(ram_glimpse_shape(net, &in, &what, &where, &out),
                     RAM_OK);
    ck_assert_uint_eq(in, R_IN);
    ck_assert_uint_eq(what, HG);
    ck_assert_uint_eq(where, HL);
    ck_assert_uint_eq(out, GO);
    ck_assert_int_eq(ram_glimpse_shape(net, NULL, NULL, NULL, NULL), RAM_OK);
    ck_assert_uint_eq(ram_glimpse_tape_size(net), HID);
    ck_assert_uint_eq(ram_glimpse_tape_size(NULL), 0);
    ck_assert_int_eq(ram_glimpse_params(net, &p, &g, &count), RAM_OK);
    ck_assert_uint_eq(count, HG * R_IN + HG + HL * 2 + HL + GO * HID + GO);
    ck_assert_uint_eq(count, ram__glimpse_count(R_IN, HG, HL, GO));
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(g);
    ck_assert(gc_all_equal(g, count, 0.0f));
    ck_assert_int_eq(ram_glimpse_params(net, NULL, NULL, NULL), RAM_OK);
    ram_glimpse_free(net);
    ram_glimpse_free(NULL);
}
END_TEST

START_TEST(test_init)
{
    ram_glimpse *a, *b, *c;
    float *pa, *pb, *pc;
    size_t count;

    ck_assert_int_eq(ram_glimpse_create(&a, R_IN, HG, HL, GO, 5), RAM_OK);
    ck_assert_int_eq(ram_glimpse_create(&b, R_IN, HG, HL, GO, 5), RAM_OK);
    ck_assert_int_eq(ram_glimpse_create(&c, R_IN, HG, HL, GO, 6), RAM_OK);
    ram_glimpse_params(a, &pa, NULL, &count);
    ram_glimpse_params(b, &pb, NULL, NULL);
    ram_glimpse_params(c, &pc, NULL, NULL);
    ck_assert(memcmp(pa, pb, count * sizeof(float)) == 0);
    ck_assert(memcmp(pa, pc, count * sizeof(float)) != 0);

    /* Each block uniform in +-1/sqrt(fan_in), and using its range. */
    struct {
        size_t len, fan;
    } blocks[] = {{HG * R_IN, R_IN}, {HG, R_IN},  {HL * 2, 2},
                  {HL, 2},           {GO * HID, HID}, {GO, HID}};
    size_t off = 0;
    for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
        double lim = 1.0 / sqrt((double)blocks[k].fan), mx = 0;
        for (size_t i = 0; i < blocks[k].len; i++) {
            ck_assert(fabs(pa[off + i]) <= lim);
            mx = fmax(mx, fabs(pa[off + i]));
        }
        if (blocks[k].len >= 7)
            ck_assert_msg(mx > 0.3 * lim, "block %zu barely used", k);
        off += blocks[k].len;
    }
    ck_assert_uint_eq(off, count);
    ram_glimpse_free(a);
    ram_glimpse_free(b);
    ram_glimpse_free(c);
}
END_TEST

START_TEST(test_forward_reference)
{
    struct gfix f;
    double gref[NR * GO];
    float g2[NR * GO];

    gfix_setup(&f, 1, 0.0);
    ref_forward(f.params, NR, f.rho, f.loc, gref);
    ck_assert_int_eq(ram_glimpse_forward(f.net, NR, f.rho, f.loc, f.g,
                                         f.tape),
                     RAM_OK);
    int active = 0;
    for (size_t i = 0; i < NR * GO; i++) {
        ck_assert_msg(fabs(f.g[i] - gref[i]) < 1e-5, "g[%zu] %g vs %g", i,
                      f.g[i], gref[i]);
        active += f.g[i] > 0;
    }
    ck_assert_msg(active > 0 && active < NR * GO, "degenerate fixture");
    /* The tape holds h_g then h_l (post-ReLU) for every row. */
    for (size_t r = 0; r < NR; r++) {
        for (size_t j = 0; j < HG; j++) {
            double s = f.params[HG * R_IN + j];
            for (size_t k = 0; k < R_IN; k++)
                s += (double)f.params[j * R_IN + k] * f.rho[r * R_IN + k];
            ck_assert(fabs(f.tape[r * HID + j] - (s > 0 ? s : 0)) < 1e-5);
        }
    }
    /* No tape: same output. */
    ck_assert_int_eq(ram_glimpse_forward(f.net, NR, f.rho, f.loc, g2, NULL),
                     RAM_OK);
    ck_assert(memcmp(g2, f.g, sizeof g2) == 0);
    /* Rows are independent: one row alone gives the same values. */
    ck_assert_int_eq(ram_glimpse_forward(f.net, 1, f.rho + 2 * R_IN,
                                         f.loc + 4, g2, NULL),
                     RAM_OK);
    for (size_t o = 0; o < GO; o++)
        ck_assert(fabs(g2[o] - f.g[2 * GO + o]) < 1e-6);
    ram_glimpse_free(f.net);
}
END_TEST

START_TEST(test_gradcheck_params)
{
    struct gfix f;
    float drho[NR * R_IN], dloc[NR * 2];
    gc_result r;

    gfix_setup(&f, 2, 0.01);
    ck_assert_int_eq(ram_glimpse_zero_grad(f.net), RAM_OK);
    gfix_loss(&f);
    ck_assert_int_eq(ram_glimpse_backward(f.net, NR, f.rho, f.loc, f.g,
                                          f.tape, f.coef, drho, dloc, 0.0f),
                     RAM_OK);
    r = gc_check(f.params, f.grads, f.count, gfix_loss, &f, 1e-3, 1000, 1,
                 1e-2);
    ck_assert_uint_eq(r.checked, f.count);
    GC_EXPECT(r, 1e-2, "glimpse params");

    /* Gradients accumulate: a second backward doubles them. */
    float *first = malloc(f.count * sizeof(float));
    ck_assert_ptr_nonnull(first);
    memcpy(first, f.grads, f.count * sizeof(float));
    gfix_loss(&f);
    ck_assert_int_eq(ram_glimpse_backward(f.net, NR, f.rho, f.loc, f.g,
                                          f.tape, f.coef, NULL, NULL, 0.0f),
                     RAM_OK);
    for (size_t i = 0; i < f.count; i++)
        ck_assert(fabs(f.grads[i] - 2 * first[i]) <=
                  1e-6 * (1 + fabs(first[i])));
    free(first);
    ram_glimpse_free(f.net);
}
END_TEST

START_TEST(test_gradcheck_inputs)
{
    struct gfix f;
    float drho[NR * R_IN], dloc[NR * 2];
    gc_result r;

    gfix_setup(&f, 3, 0.01);
    gfix_loss(&f);
    ck_assert_int_eq(ram_glimpse_backward(f.net, NR, f.rho, f.loc, f.g,
                                          f.tape, f.coef, drho, dloc, 0.0f),
                     RAM_OK);
    r = gc_check(f.rho, drho, NR * R_IN, gfix_loss, &f, 1e-3, 1000, 1, 1e-2);
    GC_EXPECT(r, 1e-2, "glimpse drho");
    r = gc_check(f.loc, dloc, NR * 2, gfix_loss, &f, 1e-3, 1000, 1, 1e-2);
    GC_EXPECT(r, 1e-2, "glimpse dloc");
    /* dloc is not trivially zero in this fixture. */
    double s = 0;
    for (size_t i = 0; i < NR * 2; i++)
        s += fabs(dloc[i]);
    ck_assert(s > 1e-3);
    ram_glimpse_free(f.net);
}
END_TEST

START_TEST(test_kernel_matches_public)
{
    /* The kernel with a caller workspace (as the agent uses it) gives the
     * same gradients as the public wrapper. */
    struct gfix f;
    struct ram_glimpse k;
    float drho[NR * R_IN], dloc[NR * 2], drho2[NR * R_IN], dloc2[NR * 2];
    float work[NR * (GO + HID)];

    gfix_setup(&f, 4, 0.0);
    float *g2 = calloc(f.count, sizeof(float));
    ck_assert_ptr_nonnull(g2);
    gfix_loss(&f);
    ram_glimpse_backward(f.net, NR, f.rho, f.loc, f.g, f.tape, f.coef, drho,
                         dloc, 0.0f);
    ram__glimpse_init(&k, R_IN, HG, HL, GO, f.params, g2);
    ck_assert_uint_eq(k.count, f.count);
    ram__glimpse_bwd(&k, NR, f.rho, f.loc, f.g, f.tape, f.coef, drho2, dloc2,
                     work);
    ck_assert(memcmp(g2, f.grads, f.count * sizeof(float)) == 0);
    ck_assert(memcmp(drho, drho2, sizeof drho) == 0);
    ck_assert(memcmp(dloc, dloc2, sizeof dloc) == 0);
    free(g2);
    ram_glimpse_free(f.net);
}
END_TEST

START_TEST(test_errors)
{
    ram_glimpse *net = (ram_glimpse *)&net;
    struct gfix f;
    float drho[NR * R_IN], dloc[NR * 2], g[NR * GO], tape[NR * HID];
    const float S = 12345.0f;

    ck_assert_int_eq(ram_glimpse_create(NULL, 1, 1, 1, 1, 0), RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_create(&net, 0, 1, 1, 1, 0), RAM_E_RANGE);
    ck_assert_ptr_null(net);
    net = (ram_glimpse *)&net;
    ck_assert_int_eq(ram_glimpse_create(&net, 1, 0, 1, 1, 0), RAM_E_RANGE);
    ck_assert_ptr_null(net);
    ck_assert_int_eq(ram_glimpse_create(&net, 1, 1, 0, 1, 0), RAM_E_RANGE);
    ck_assert_int_eq(ram_glimpse_create(&net, 1, 1, 1, 0, 0), RAM_E_RANGE);
    ck_assert_int_eq(ram_glimpse_create(&net, RAM_MAX_UNITS + 1, 1, 1, 1, 0),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_glimpse_create(&net, 1, 1, 1, (size_t)-1, 0),
                     RAM_E_RANGE);
    ck_assert_ptr_null(net);
    ck_assert_int_eq(ram_glimpse_shape(NULL, NULL, NULL, NULL, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_params(NULL, NULL, NULL, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_zero_grad(NULL), RAM_E_INVALID);

    gfix_setup(&f, 5, 0.0);
    for (size_t i = 0; i < f.count; i++)
        f.grads[i] = S;
    for (size_t i = 0; i < NR * GO; i++)
        g[i] = S;
    for (size_t i = 0; i < NR * HID; i++)
        tape[i] = S;
    /* forward */
    ck_assert_int_eq(ram_glimpse_forward(NULL, NR, f.rho, f.loc, g, tape),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_forward(f.net, NR, NULL, f.loc, g, tape),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_forward(f.net, NR, f.rho, NULL, g, tape),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_forward(f.net, NR, f.rho, f.loc, NULL, tape),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_forward(f.net, 0, f.rho, f.loc, g, tape),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_glimpse_forward(f.net, RAM_MAX_ROWS + 1, f.rho,
                                         f.loc, g, tape),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(g, NR * GO, S));
    ck_assert(gc_all_equal(tape, NR * HID, S));

    /* backward */
    ram_glimpse_forward(f.net, NR, f.rho, f.loc, f.g, f.tape);
    for (size_t i = 0; i < NR * R_IN; i++)
        drho[i] = S;
    for (size_t i = 0; i < NR * 2; i++)
        dloc[i] = S;
    ck_assert_int_eq(ram_glimpse_backward(NULL, NR, f.rho, f.loc, f.g, f.tape,
                                          f.coef, drho, dloc, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_backward(f.net, NR, NULL, f.loc, f.g, f.tape,
                                          f.coef, drho, dloc, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_backward(f.net, NR, f.rho, NULL, f.g, f.tape,
                                          f.coef, drho, dloc, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_backward(f.net, NR, f.rho, f.loc, NULL,
                                          f.tape, f.coef, drho, dloc, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_backward(f.net, NR, f.rho, f.loc, f.g, NULL,
                                          f.coef, drho, dloc, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_backward(f.net, NR, f.rho, f.loc, f.g,
                                          f.tape, NULL, drho, dloc, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_glimpse_backward(f.net, 0, f.rho, f.loc, f.g, f.tape,
                                          f.coef, drho, dloc, 0.0f),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_glimpse_backward(f.net, RAM_MAX_ROWS + 1, f.rho,
                                          f.loc, f.g, f.tape, f.coef, drho,
                                          dloc, 0.0f),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(f.grads, f.count, S));
    ck_assert(gc_all_equal(drho, NR * R_IN, S));
    ck_assert(gc_all_equal(dloc, NR * 2, S));

    ck_assert_int_eq(ram_glimpse_zero_grad(f.net), RAM_OK);
    ck_assert(gc_all_equal(f.grads, f.count, 0.0f));
    ram_glimpse_free(f.net);
}
END_TEST

Suite *suite_glimpse(void)
{
    Suite *s = suite_create("glimpse");
    TCase *tc = tcase_create("glimpse");
    tcase_add_test(tc, test_create_shape);
    tcase_add_test(tc, test_init);
    tcase_add_test(tc, test_forward_reference);
    tcase_add_test(tc, test_gradcheck_params);
    tcase_add_test(tc, test_gradcheck_inputs);
    tcase_add_test(tc, test_kernel_matches_public);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}
