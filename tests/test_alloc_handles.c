/* The network handles run without allocating: after create (and, for the
 * glimpse and core networks, ram_*_reserve() for the batch), forward and
 * backward calls of every handle allocate nothing. The count comes from the
 * counting malloc of tests/test_alloc.c (ram_test_allocations(), -1 under a
 * sanitizer, where the test is skipped). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ram/ram.h"

long ram_test_allocations(void);

/* Every buffer the calls use, allocated before counting starts. */
enum { N = 8, T = 3, R = 2 * 8 * 8, HG = 16, HL = 8, G = 24, H = 20, A = 5 };

struct bufs {
    unsigned char img[N][32 * 32];
    float loc[N * 2], rho[N * R], drho[N * R], dloc[N * 2];
    float g[T * N * G], gtape[T * N * (HG + HL)], dg[T * N * G];
    float h[T * N * H], c[T * N * H], ctape[T * N * 5 * H], dh[T * N * H];
    float dx[T * N * G], dh0[N * H], dc0[N * H];
    float mean[N * 2], raw[N * 2], lsample[N * 2], logp[N], dmean[N * 2], coef[N];
    float probs[N * A], dlogits[N * A], ent[N];
    float b[N], target[N], db[N];
    int actions[N];
};

START_TEST(test_handles_do_not_allocate)
{
    if (ram_test_allocations() < 0)
        return; /* allocator replaced by the sanitizer */
    const int type = _i ? RAM_CORE_LSTM : RAM_CORE_RNN;
    struct bufs *u = calloc(1, sizeof *u);
    ck_assert_ptr_nonnull(u);
    for (size_t i = 0; i < sizeof u->img; i++)
        u->img[i / (32 * 32)][i % (32 * 32)] = (unsigned char)(i * 7);
    for (size_t i = 0; i < N * 2; i++)
        u->loc[i] = (float)((int)(i % 5) - 2) * 0.3f;
    for (size_t i = 0; i < T * N * G; i++)
        u->dg[i] = (float)((int)(i % 7) - 3) * 0.01f;
    for (size_t i = 0; i < T * N * H; i++)
        u->dh[i] = (float)((int)(i % 5) - 2) * 0.01f;
    for (size_t i = 0; i < N; i++) {
        u->coef[i] = 0.1f;
        u->target[i] = 0.5f;
    }

    ram_sensor *s;
    ram_glimpse *gn;
    ram_core *cn;
    ram_location *ln;
    ram_action *an;
    ram_baseline *bn;
    ck_assert_int_eq(ram_sensor_create(&s, 8, 2, 1), RAM_OK);
    ck_assert_int_eq(ram_glimpse_create(&gn, R, HG, HL, G, 1), RAM_OK);
    ck_assert_int_eq(ram_core_create(&cn, type, G, H, 2), RAM_OK);
    ck_assert_int_eq(ram_location_create(&ln, H, RAM_BOUND_TANH, 3), RAM_OK);
    ck_assert_int_eq(ram_action_create(&an, H, A, 4), RAM_OK);
    ck_assert_int_eq(ram_baseline_create(&bn, H), RAM_OK);
    ck_assert_int_eq(ram_glimpse_reserve(gn, T * N), RAM_OK);
    ck_assert_int_eq(ram_core_reserve(cn, N), RAM_OK);
    size_t ct = ram_core_tape_size(cn), gt = ram_glimpse_tape_size(gn);

    /* No Check assertion inside the counted region (Check allocates when it
     * records one); statuses are OR-ed. */
    int bad = 0;
    long before = ram_test_allocations();
    for (int rep = 0; rep < 2; rep++) {
        for (size_t t = 0; t < T; t++) {
            bad |= ram_sensor_glimpse(s, N, u->img, RAM_PIXEL_U8, 32, 32, 32,
                                      32 * 32, u->loc, u->rho);
            /* Without a tape (reserved workspace), then with one. */
            bad |= ram_glimpse_forward(gn, N, u->rho, u->loc, u->g + t * N * G, NULL);
            bad |= ram_glimpse_forward(gn, N, u->rho, u->loc, u->g + t * N * G,
                                       u->gtape + t * N * gt);
            const float *hp = t ? u->h + (t - 1) * N * H : NULL;
            const float *cp = t ? u->c + (t - 1) * N * H : NULL;
            bad |= ram_core_forward(cn, N, hp, cp, u->g + t * N * G, u->h + t * N * H,
                                    u->c + t * N * H, NULL);
            bad |= ram_core_forward(cn, N, hp, cp, u->g + t * N * G, u->h + t * N * H,
                                    u->c + t * N * H, u->ctape + t * N * ct);
        }
        const float *hl = u->h + (T - 1) * N * H;
        bad |= ram_location_forward(ln, N, hl, u->mean);
        bad |= ram_location_sample(ln, N, u->mean, u->raw, u->lsample, u->logp);
        bad |= ram_location_log_prob(ln, N, u->mean, u->raw, u->logp, u->dmean);
        bad |= ram_location_score(ln, N, u->mean, u->raw, u->coef, u->dmean);
        double e;
        bad |= ram_location_entropy(ln, &e);
        bad |= ram_action_forward(an, N, hl, u->probs);
        bad |= ram_action_sample(an, N, u->probs, u->actions);
        bad |= ram_action_log_prob(an, N, u->probs, u->actions, u->logp, u->dlogits);
        bad |= ram_action_entropy(an, N, u->probs, u->ent, u->dlogits);
        bad |= ram_action_score(an, N, u->probs, u->actions, u->coef, u->dlogits);
        bad |= ram_baseline_forward(bn, N, hl, u->b);
        bad |= ram_baseline_mse(bn, N, u->b, u->target, 1.0, u->db, NULL);
        /* Backward: the three heads add into the last step's dh. */
        float *dhl = u->dh + (T - 1) * N * H;
        bad |= ram_location_backward(ln, N, hl, u->mean, u->dmean, dhl, 1.0f);
        bad |= ram_action_backward(an, N, hl, u->dlogits, dhl, 1.0f);
        bad |= ram_baseline_backward(bn, N, hl, u->db, dhl, 1.0f);
        bad |= ram_core_backward(cn, T, N, NULL, NULL, u->g, u->h, u->c, u->ctape,
                                 u->dh, u->dx, u->dh0, u->dc0, 0.0f);
        bad |= ram_glimpse_backward(gn, N, u->rho, u->loc, u->g,
                                    u->gtape, u->dg, u->drho, u->dloc, 0.0f);
        bad |= ram_glimpse_zero_grad(gn);
        bad |= ram_core_zero_grad(cn);
    }
    long used = ram_test_allocations() - before;
    ck_assert_int_eq(bad, RAM_OK);
    ck_assert_msg(used == 0, "%ld allocations in the handles' calls", used);

    /* The counter works, and an unreserved call over more rows allocates. */
    ck_assert_int_eq(ram_glimpse_reserve(gn, 0), RAM_OK);
    before = ram_test_allocations();
    bad = ram_glimpse_forward(gn, N, u->rho, u->loc, u->g, NULL);
    used = ram_test_allocations() - before;
    ck_assert_int_eq(bad, RAM_OK);
    ck_assert_int_eq(used, 1);

    ram_sensor_free(s);
    ram_glimpse_free(gn);
    ram_core_free(cn);
    ram_location_free(ln);
    ram_action_free(an);
    ram_baseline_free(bn);
    free(u);
}
END_TEST

Suite *suite_alloc_handles(void)
{
    Suite *s = suite_create("alloc_handles");
    TCase *tc = tcase_create("handles");
    tcase_add_loop_test(tc, test_handles_do_not_allocate, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
