/* Tests of the action network (include/ram/action.h). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"
#include "internal.h"
#include "ram/ram.h"

#define HD 7
#define NA 5
#define NR 6

static void ref_probs(const float *p, size_t n, const float *h, double *pr)
{
    const float *w = p, *b = p + NA * HD;
    for (size_t r = 0; r < n; r++) {
        double z[NA], mx = -INFINITY, s = 0;
        for (size_t a = 0; a < NA; a++) {
            z[a] = b[a];
            for (size_t k = 0; k < HD; k++)
                z[a] += (double)w[a * HD + k] * h[r * HD + k];
            mx = fmax(mx, z[a]);
        }
        for (size_t a = 0; a < NA; a++)
            s += exp(z[a] - mx);
        for (size_t a = 0; a < NA; a++)
            pr[r * NA + a] = exp(z[a] - mx) / s;
    }
}

/* ---- fixture: loss = xent (mode 0) or sum coef log p[action] (mode 1) */

struct afix {
    int mode;
    ram_action *net;
    float *params, *grads;
    size_t count;
    float h[NR * HD], probs[NR * NA], coef[NR];
    int labels[NR];
    double scale;
};

static double afix_loss(void *ctx)
{
    struct afix *f = ctx;
    float dl[NR * NA];
    double loss = 0;

    ck_assert_int_eq(ram_action_forward(f->net, NR, f->h, f->probs), RAM_OK);
    if (f->mode == 0) {
        ck_assert_int_eq(ram_action_xent(f->net, NR, f->probs, f->labels,
                                         f->scale, dl, &loss),
                         RAM_OK);
        return loss;
    }
    for (size_t r = 0; r < NR; r++)
        loss += (double)f->coef[r] *
                log((double)f->probs[r * NA + (size_t)f->labels[r]]);
    return loss;
}

static void afix_setup(struct afix *f, int mode, uint64_t seed)
{
    uint64_t st = seed;
    memset(f, 0, sizeof *f);
    f->mode = mode;
    f->scale = 0.7;
    ck_assert_int_eq(ram_action_create(&f->net, HD, NA, 3), RAM_OK);
    ram_action_params(f->net, &f->params, &f->grads, &f->count);
    gc_fill(f->h, NR * HD, &st, -2.0, 2.0);
    gc_fill(f->coef, NR, &st, -1.0, 1.0);
    for (size_t r = 0; r < NR; r++)
        f->labels[r] = (int)(gc_rand_next(&st) % NA);
    ck_assert_int_eq(ram_action_forward(f->net, NR, f->h, f->probs), RAM_OK);
    if (mode == 1) /* REINFORCE: actions sampled, then held fixed */
        ck_assert_int_eq(ram_action_sample(f->net, NR, f->probs, f->labels),
                         RAM_OK);
}

START_TEST(test_create_shape)
{
    ram_action *net = (ram_action *)&net;
    size_t in = 0, na = 0, count = 0;
    float *p, *g;

    ck_assert_int_eq(ram_action_create(&net, HD, NA, 1), RAM_OK);
    ck_assert_int_eq(ram_action_shape(net, &in, &na), RAM_OK);
    ck_assert_uint_eq(in, HD);
    ck_assert_uint_eq(na, NA);
    ck_assert_int_eq(ram_action_shape(net, NULL, NULL), RAM_OK);
    ck_assert_int_eq(ram_action_params(net, &p, &g, &count), RAM_OK);
    ck_assert_uint_eq(count, NA * HD + NA);
    ck_assert(gc_all_equal(g, count, 0.0f));
    double lim = 1.0 / sqrt((double)HD), mx = 0;
    for (size_t i = 0; i < count; i++) {
        ck_assert(fabs(p[i]) <= lim);
        mx = fmax(mx, fabs(p[i]));
    }
    ck_assert(mx > 0.3 * lim);
    ram_action_free(net);
    ram_action_free(NULL);
    ck_assert_int_eq(ram_action_create(&net, 1, 2, 1), RAM_OK);
    ram_action_free(net);
}
END_TEST

START_TEST(test_forward_reference)
{
    struct afix f;
    double pr[NR * NA];

    afix_setup(&f, 0, 1);
    ref_probs(f.params, NR, f.h, pr);
    for (size_t r = 0; r < NR; r++) {
        double s = 0;
        for (size_t a = 0; a < NA; a++) {
            ck_assert(fabs(f.probs[r * NA + a] - pr[r * NA + a]) < 1e-6);
            s += f.probs[r * NA + a];
        }
        ck_assert(fabs(s - 1) < 1e-6);
    }
    ram_action_free(f.net);
}
END_TEST

START_TEST(test_softmax_stable)
{
    ram_action *net;
    float *p, h[HD] = {0}, pr[NA];
    size_t count;

    ck_assert_int_eq(ram_action_create(&net, HD, NA, 1), RAM_OK);
    ram_action_params(net, &p, NULL, &count);
    memset(p, 0, count * sizeof(float));
    float *b = p + NA * HD;
    b[0] = 1000.0f;
    b[1] = 999.0f;
    b[2] = -1000.0f;
    b[3] = 1000.0f;
    b[4] = 0.0f;
    ck_assert_int_eq(ram_action_forward(net, 1, h, pr), RAM_OK);
    double e1 = exp(-1.0), s = 2 + e1;
    ck_assert(fabs(pr[0] - 1 / s) < 1e-6);
    ck_assert(fabs(pr[1] - e1 / s) < 1e-6);
    ck_assert(pr[2] == 0.0f);
    ck_assert(fabs(pr[3] - 1 / s) < 1e-6);
    ck_assert(pr[4] >= 0.0f && pr[4] < 1e-30);
    ram_action_free(net);
}
END_TEST

START_TEST(test_gradcheck)
{
    struct afix f;
    float dl[NR * NA], dh[NR * HD];
    gc_result r;
    const char *name = _i ? "action score" : "action xent";
    char what[64];
    double loss = 0;

    afix_setup(&f, _i, 10 + (uint64_t)_i);
    ram_action_zero_grad(f.net);
    if (_i == 0) {
        ck_assert_int_eq(ram_action_xent(f.net, NR, f.probs, f.labels,
                                         f.scale, dl, &loss),
                         RAM_OK);
        double want = 0;
        double pr[NR * NA];
        ref_probs(f.params, NR, f.h, pr);
        for (size_t k = 0; k < NR; k++)
            want -= f.scale * log(pr[k * NA + (size_t)f.labels[k]]);
        ck_assert(fabs(loss - want) < 1e-5 * (1 + fabs(want)));
    } else {
        ck_assert_int_eq(ram_action_score(f.net, NR, f.probs, f.labels,
                                          f.coef, dl),
                         RAM_OK);
    }
    ck_assert_int_eq(ram_action_backward(f.net, NR, f.h, dl, dh, 0.0f), RAM_OK);

    snprintf(what, sizeof what, "%s params", name);
    r = gc_check(f.params, f.grads, f.count, afix_loss, &f, 1e-2, 1000, 1,
                 1e-2);
    ck_assert_uint_eq(r.checked, f.count);
    GC_EXPECT(r, 1e-2, what);
    snprintf(what, sizeof what, "%s dh", name);
    r = gc_check(f.h, dh, NR * HD, afix_loss, &f, 1e-2, 1000, 1, 1e-2);
    GC_EXPECT(r, 1e-2, what);
    ram_action_free(f.net);
}
END_TEST

START_TEST(test_xent_score_values)
{
    ram_action *net;
    float probs[2 * 3] = {0.2f, 0.5f, 0.3f, 0.0f, 0.25f, 0.75f};
    int labels[2] = {1, 0}, acts[2] = {2, 1};
    float coef[2] = {0.5f, -2.0f}, dl[6];
    double loss;

    ck_assert_int_eq(ram_action_create(&net, 2, 3, 1), RAM_OK);
    ck_assert_int_eq(ram_action_xent(net, 2, probs, labels, 0.5, dl, &loss),
                     RAM_OK);
    /* p = 0 is clamped inside the log: finite loss. */
    ck_assert(isfinite(loss));
    ck_assert(fabs(loss - 0.5 * (-log(0.5) - log(1e-30))) < 1e-6);
    float want[6] = {0.1f, -0.25f, 0.15f, -0.5f, 0.125f, 0.375f};
    for (int i = 0; i < 6; i++)
        ck_assert(fabs(dl[i] - want[i]) < 1e-7);
    ck_assert_int_eq(ram_action_xent(net, 2, probs, labels, 1.0, dl, NULL),
                     RAM_OK);
    ck_assert_int_eq(ram_action_score(net, 2, probs, acts, coef, dl), RAM_OK);
    float want2[6] = {-0.1f, -0.25f, 0.35f, 0.0f, -1.5f, 1.5f};
    for (int i = 0; i < 6; i++)
        ck_assert(fabs(dl[i] - want2[i]) < 1e-6);
    ram_action_free(net);
}
END_TEST

START_TEST(test_sample_frequencies)
{
    enum { N = 20000 };
    const float p[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    ram_action *net;
    float *probs = malloc(N * 4 * sizeof(float));
    int *acts = malloc(N * sizeof(int));
    size_t cnt[4] = {0};

    ck_assert(probs && acts);
    ck_assert_int_eq(ram_action_create(&net, 3, 4, 8), RAM_OK);
    for (size_t r = 0; r < N; r++)
        memcpy(probs + 4 * r, p, sizeof p);
    ck_assert_int_eq(ram_action_sample(net, N, probs, acts), RAM_OK);
    for (size_t r = 0; r < N; r++) {
        ck_assert(acts[r] >= 0 && acts[r] < 4);
        cnt[acts[r]]++;
    }
    double chi2 = 0;
    for (int a = 0; a < 4; a++) {
        double e = N * p[a];
        chi2 += (cnt[a] - e) * (cnt[a] - e) / e;
    }
    /* 3 degrees of freedom: P(chi2 > 16.27) = 0.001. */
    ck_assert_msg(chi2 < 16.27, "chi2 = %g", chi2);

    /* Zero-probability actions are never drawn, also at the end of the row
     * (the rounding guard picks the last non-zero entry). */
    const float q[4] = {0.0f, 0.5f, 0.5f, 0.0f};
    for (size_t r = 0; r < N; r++)
        memcpy(probs + 4 * r, q, sizeof q);
    ck_assert_int_eq(ram_action_sample(net, N, probs, acts), RAM_OK);
    size_t ones = 0;
    for (size_t r = 0; r < N; r++) {
        ck_assert(acts[r] == 1 || acts[r] == 2);
        ones += acts[r] == 1;
    }
    ck_assert(fabs((double)ones / N - 0.5) < 0.02);
    ram_action_free(net);
    free(probs);
    free(acts);
}
END_TEST

START_TEST(test_sample_kernel_edges)
{
    /* Kernel: rows that do not sum to 1 (here 0.6 with a trailing zero,
     * and 1.0) only ever give non-zero entries; argmax picks the first
     * maximum. */
    ram_rng rng;
    float pr[2 * 3] = {0.3f, 0.3f, 0.0f, 0.2f, 0.4f, 0.4f};
    int out[2];

    ram__rng_seed(&rng, 1);
    for (int k = 0; k < 1000; k++) {
        ram__action_sample(2, 3, pr, &rng, out);
        ck_assert(out[0] == 0 || out[0] == 1);
        ck_assert(out[1] >= 0 && out[1] <= 2);
    }
    ram__action_argmax(2, 3, pr, out);
    ck_assert_int_eq(out[0], 0);
    ck_assert_int_eq(out[1], 1);
}
END_TEST

START_TEST(test_sample_seeding)
{
    ram_action *a, *b;
    float pr[8 * 3];
    int s1[8], s2[8], s3[8];

    for (int i = 0; i < 8; i++) {
        pr[3 * i] = 0.3f;
        pr[3 * i + 1] = 0.3f;
        pr[3 * i + 2] = 0.4f;
    }
    ck_assert_int_eq(ram_action_create(&a, 2, 3, 77), RAM_OK);
    ck_assert_int_eq(ram_action_create(&b, 2, 3, 77), RAM_OK);
    ram_action_sample(a, 8, pr, s1);
    ram_action_sample(b, 8, pr, s2);
    ck_assert(memcmp(s1, s2, sizeof s1) == 0);
    int moved = 0;
    for (int k = 0; k < 4 && !moved; k++) {
        ram_action_sample(a, 8, pr, s3);
        moved = memcmp(s1, s3, sizeof s1) != 0;
    }
    ck_assert(moved);
    ck_assert_int_eq(ram_action_seed(a, 77), RAM_OK);
    ram_action_sample(a, 8, pr, s3);
    ck_assert(memcmp(s1, s3, sizeof s1) == 0);
    ram_action_free(a);
    ram_action_free(b);
}
END_TEST

START_TEST(test_errors)
{
    ram_action *net = (ram_action *)&net;
    const float S = 4242.0f;
    float h[2 * HD] = {0}, pr[2 * NA], dl[2 * NA], dh[2 * HD], coef[2] = {1, 1};
    int lab[2] = {0, 1}, acts[2] = {-5, -5}, ref[2], a2[2];
    float *p, *g;
    size_t count;

    ck_assert_int_eq(ram_action_create(NULL, 2, 2, 0), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_create(&net, 0, 2, 0), RAM_E_RANGE);
    ck_assert_ptr_null(net);
    ck_assert_int_eq(ram_action_create(&net, 2, 1, 0), RAM_E_RANGE);
    ck_assert_int_eq(ram_action_create(&net, 2, 0, 0), RAM_E_RANGE);
    ck_assert_int_eq(ram_action_create(&net, 2, RAM_MAX_ACTIONS + 1, 0),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_action_create(&net, RAM_MAX_UNITS + 1, 2, 0),
                     RAM_E_RANGE);
    ck_assert_ptr_null(net);
    ck_assert_int_eq(ram_action_shape(NULL, NULL, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_params(NULL, NULL, NULL, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_zero_grad(NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_seed(NULL, 0), RAM_E_INVALID);

    ck_assert_int_eq(ram_action_create(&net, HD, NA, 1), RAM_OK);
    ram_action_params(net, &p, &g, &count);

    /* forward */
    for (size_t i = 0; i < 2 * NA; i++)
        pr[i] = S;
    ck_assert_int_eq(ram_action_forward(NULL, 2, h, pr), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_forward(net, 2, NULL, pr), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_forward(net, 2, h, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_forward(net, 0, h, pr), RAM_E_RANGE);
    ck_assert_int_eq(ram_action_forward(net, RAM_MAX_ROWS + 1, h, pr),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(pr, 2 * NA, S));
    ck_assert_int_eq(ram_action_forward(net, 2, h, pr), RAM_OK);

    /* sample: outputs and RNG untouched on error */
    ram_action_seed(net, 9);
    ck_assert_int_eq(ram_action_sample(net, 2, pr, ref), RAM_OK);
    ram_action_seed(net, 9);
    float badp[2 * NA];
    memcpy(badp, pr, sizeof badp);
    badp[3] = NAN;
    ck_assert_int_eq(ram_action_sample(net, 2, badp, acts), RAM_E_NONFINITE);
    badp[3] = INFINITY;
    ck_assert_int_eq(ram_action_sample(net, 2, badp, acts), RAM_E_NONFINITE);
    badp[3] = -0.1f;
    ck_assert_int_eq(ram_action_sample(net, 2, badp, acts), RAM_E_RANGE);
    memset(badp + NA, 0, NA * sizeof(float)); /* all-zero second row */
    badp[3] = 0.1f;
    ck_assert_int_eq(ram_action_sample(net, 2, badp, acts), RAM_E_RANGE);
    ck_assert_int_eq(ram_action_sample(NULL, 2, pr, acts), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_sample(net, 2, NULL, acts), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_sample(net, 2, pr, NULL), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_sample(net, 0, pr, acts), RAM_E_RANGE);
    ck_assert_int_eq(acts[0], -5);
    ck_assert_int_eq(acts[1], -5);
    ck_assert_int_eq(ram_action_sample(net, 2, pr, a2), RAM_OK);
    ck_assert(memcmp(a2, ref, sizeof a2) == 0);

    /* xent / score: labels out of range */
    for (size_t i = 0; i < 2 * NA; i++)
        dl[i] = S;
    double loss = -1;
    int badl[2][2] = {{0, NA}, {-1, 0}};
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(ram_action_xent(net, 2, pr, badl[k], 1.0, dl, &loss),
                         RAM_E_RANGE);
        ck_assert_int_eq(ram_action_score(net, 2, pr, badl[k], coef, dl),
                         RAM_E_RANGE);
    }
    ck_assert_int_eq(ram_action_xent(net, 2, pr, lab, NAN, dl, &loss),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_action_xent(NULL, 2, pr, lab, 1.0, dl, &loss),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_xent(net, 2, NULL, lab, 1.0, dl, &loss),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_xent(net, 2, pr, NULL, 1.0, dl, &loss),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_xent(net, 2, pr, lab, 1.0, NULL, &loss),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_xent(net, 0, pr, lab, 1.0, dl, &loss),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_action_score(NULL, 2, pr, lab, coef, dl),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_score(net, 2, pr, lab, NULL, dl),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_score(net, 2, pr, NULL, coef, dl),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_score(net, 2, pr, lab, coef, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_score(net, 0, pr, lab, coef, dl),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(dl, 2 * NA, S));
    ck_assert(loss == -1);

    /* backward */
    for (size_t i = 0; i < count; i++)
        g[i] = S;
    for (size_t i = 0; i < 2 * HD; i++)
        dh[i] = S;
    ck_assert_int_eq(ram_action_backward(NULL, 2, h, pr, dh, 0.0f), RAM_E_INVALID);
    ck_assert_int_eq(ram_action_backward(net, 2, NULL, pr, dh, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_backward(net, 2, h, NULL, dh, 0.0f),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_action_backward(net, 0, h, pr, dh, 0.0f), RAM_E_RANGE);
    ck_assert_int_eq(ram_action_backward(net, RAM_MAX_ROWS + 1, h, pr, dh, 0.0f),
                     RAM_E_RANGE);
    ck_assert(gc_all_equal(g, count, S));
    ck_assert(gc_all_equal(dh, 2 * HD, S));
    ram_action_free(net);
}
END_TEST

Suite *suite_action(void)
{
    Suite *s = suite_create("action");
    TCase *tc = tcase_create("action");
    tcase_add_test(tc, test_create_shape);
    tcase_add_test(tc, test_forward_reference);
    tcase_add_test(tc, test_softmax_stable);
    tcase_add_loop_test(tc, test_gradcheck, 0, 2);
    tcase_add_test(tc, test_xent_score_values);
    tcase_add_test(tc, test_sample_frequencies);
    tcase_add_test(tc, test_sample_kernel_edges);
    tcase_add_test(tc, test_sample_seeding);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}
