/* Tests for examples/mnist/tasks.c (the paper's MNIST tasks) and the
 * example RNG examples/common/rng.c. They use a small synthetic pool of
 * 16 fake 28x28 "digits" built here. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "tasks.h"

#define POOL_N 16
#define PX TASK_DIGIT_PIXELS

/* ck_assert records a check point on every call, which is slow in hot
 * loops; there the tests count failed expectations and assert once. */
#define EXPECT(cond)                                                        \
    do {                                                                    \
        if (!(cond) && nbad++ == 0)                                         \
            first_bad = __LINE__;                                           \
    } while (0)
#define ASSERT_NO_BAD()                                                     \
    ck_assert_msg(nbad == 0, "%d failed expectations, first at line %d",   \
                  nbad, first_bad)

/* Every pixel of every fake digit is non-zero, so the digit's whole 28x28
 * box is visible in an output; values differ per digit and position. */
static uint8_t *make_pool(void)
{
    uint8_t *p = malloc((size_t)POOL_N * PX);
    ck_assert_ptr_nonnull(p);
    for (int k = 0; k < POOL_N; k++)
        for (int i = 0; i < PX; i++)
            p[k * PX + i] = (uint8_t)(1 + (k * 37 + i * 11) % 255);
    return p;
}

/* Fake digits of one constant value each: digit k is all (k + 1) * 15. */
static uint8_t *make_const_pool(void)
{
    uint8_t *p = malloc((size_t)POOL_N * PX);
    ck_assert_ptr_nonnull(p);
    for (int k = 0; k < POOL_N; k++)
        memset(p + k * PX, (k + 1) * 15, PX);
    return p;
}

static int in_box(int x, int y, int bx, int by, int side)
{
    return x >= bx && x < bx + side && y >= by && y < by + side;
}

/* ---- names and sizes -------------------------------------------------- */

START_TEST(test_names)
{
    const char *names[6] = {"mnist28",      "translated60", "cluttered60",
                            "cluttered100", "scaled60",     "scaled100"};
    const int widths[6] = {28, 60, 60, 100, 60, 100};
    const int clutter[6] = {0, 0, 4, 8, 4, 8};
    for (int t = 0; t < 6; t++) {
        task_id id = task_from_name(names[t]);
        ck_assert_int_eq(id, t);
        ck_assert_str_eq(task_name(id), names[t]);
        ck_assert_int_eq(task_width(id), widths[t]);
        ck_assert_int_eq(task_clutter_count(id), clutter[t]);
        ck_assert_ptr_nonnull(strstr(task_names(), names[t]));
    }
    ck_assert_int_eq(task_from_name(NULL), TASK_INVALID);
    ck_assert_int_eq(task_from_name(""), TASK_INVALID);
    ck_assert_int_eq(task_from_name("cluttered"), TASK_INVALID);
    ck_assert_int_eq(task_from_name("Cluttered60"), TASK_INVALID);
    ck_assert_int_eq(task_from_name("cluttered60 "), TASK_INVALID);
    ck_assert_ptr_null(task_name(TASK_INVALID));
    ck_assert_ptr_null(task_name(TASK_COUNT));
    ck_assert_int_eq(task_width(TASK_INVALID), 0);
    ck_assert_int_eq(task_width((task_id)99), 0);
    ck_assert_int_eq(task_clutter_count(TASK_INVALID), 0);
    ck_assert_str_eq(task_strerror(TASK_E_POOL),
                     "cluttered tasks need at least 2 pool images");
}
END_TEST

/* ---- mnist28 / translated60 ------------------------------------------- */

START_TEST(test_mnist28_identity)
{
    uint8_t *pool = make_pool();
    uint8_t out[PX];
    example_rng rng, before;
    example_rng_seed(&rng, 7);
    before = rng;
    int x = -1, y = -1;
    ck_assert_int_eq(task_generate(TASK_MNIST28, pool, POOL_N, 5, &rng, out,
                                   &x, &y), TASK_OK);
    ck_assert_mem_eq(out, pool + 5 * PX, PX);
    ck_assert_int_eq(x, 0);
    ck_assert_int_eq(y, 0);
    ck_assert_mem_eq(&rng, &before, sizeof rng); /* no draws */
    /* No rng needed; a 1-image pool is fine. */
    ck_assert_int_eq(task_generate(TASK_MNIST28, pool, 1, 0, NULL, out,
                                   NULL, NULL), TASK_OK);
    ck_assert_mem_eq(out, pool, PX);
    free(pool);
}
END_TEST

START_TEST(test_translated_digit_inside)
{
    uint8_t *pool = make_pool();
    uint8_t out[60 * 60];
    example_rng rng;
    example_rng_seed(&rng, 1234);
    int seen_x[33] = {0}, seen_y[33] = {0};
    int nbad = 0, first_bad = 0;
    for (int it = 0; it < 3000; it++) {
        size_t k = (size_t)(it % POOL_N);
        int x = -1, y = -1;
        memset(out, 0xAB, sizeof out);
        EXPECT(task_generate(TASK_TRANSLATED60, pool, POOL_N, k, &rng, out,
                             &x, &y) == TASK_OK);
        EXPECT(x >= 0 && x <= 60 - 28 && y >= 0 && y <= 60 - 28);
        if (nbad)
            break;
        seen_x[x]++;
        seen_y[y]++;
        /* Exactly the digit at (x, y) on black: all ink inside the box. */
        for (int r = 0; r < 60; r++)
            for (int c = 0; c < 60; c++) {
                uint8_t v = out[r * 60 + c];
                if (in_box(c, r, x, y, 28))
                    EXPECT(v == pool[k * PX + (r - y) * 28 + (c - x)]);
                else
                    EXPECT(v == 0);
            }
    }
    ASSERT_NO_BAD();
    /* Every position 0..32 occurs, roughly uniformly (3000/33 = 91). */
    for (int i = 0; i <= 32; i++) {
        ck_assert_int_gt(seen_x[i], 40);
        ck_assert_int_lt(seen_x[i], 150);
        ck_assert_int_gt(seen_y[i], 40);
        ck_assert_int_lt(seen_y[i], 150);
    }
    free(pool);
}
END_TEST

/* ---- cluttered -------------------------------------------------------- */

/* Re-renders an example from its task_info and the pool by the documented
 * rule (digit and pieces pasted with pixel-wise max on black). */
static void render_from_info(const uint8_t *pool, size_t k, int w,
                             const task_info *in, uint8_t *img)
{
    memset(img, 0, (size_t)w * w);
    for (int r = 0; r < 28; r++)
        for (int c = 0; c < 28; c++)
            img[(in->digit_y + r) * w + in->digit_x + c] =
                pool[k * PX + r * 28 + c];
    for (int i = 0; i < in->n_clutter; i++) {
        const task_clutter_piece *p = &in->clutter[i];
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 8; c++) {
                uint8_t v = pool[p->src_index * PX + (p->src_y + r) * 28 +
                                 p->src_x + c];
                uint8_t *o = &img[(p->y + r) * w + p->x + c];
                if (v > *o)
                    *o = v;
            }
    }
}

static void check_cluttered(task_id task, int w, int pieces)
{
    uint8_t *pool = make_pool();
    uint8_t *out = malloc((size_t)w * w);
    uint8_t *ref = malloc((size_t)w * w);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(ref);
    example_rng rng;
    example_rng_seed(&rng, 99);
    int cut_seen[21] = {0}, put_max = 0, put_min = w;
    int nbad = 0, first_bad = 0;
    for (int it = 0; it < 1000; it++) {
        size_t k = (size_t)(it % POOL_N);
        task_info info;
        memset(&info, 0x7F, sizeof info);
        EXPECT(task_generate_info(task, pool, POOL_N, k, &rng, out, &info) ==
               TASK_OK);
        EXPECT(info.n_clutter == pieces);
        EXPECT(info.digit_x >= 0 && info.digit_x <= w - 28);
        EXPECT(info.digit_y >= 0 && info.digit_y <= w - 28);
        if (nbad)
            break;
        for (int i = 0; i < pieces; i++) {
            const task_clutter_piece *p = &info.clutter[i];
            EXPECT(p->src_index < POOL_N);
            EXPECT(p->src_index != k); /* another digit */
            EXPECT(p->src_x >= 0 && p->src_x <= 20);
            EXPECT(p->src_y >= 0 && p->src_y <= 20);
            EXPECT(p->x >= 0 && p->x <= w - 8);
            EXPECT(p->y >= 0 && p->y <= w - 8);
            if (nbad)
                break;
            cut_seen[p->src_x]++;
            if (p->x > put_max)
                put_max = p->x;
            if (p->x < put_min)
                put_min = p->x;
        }
        /* The image is exactly digit + pieces, pasted with max. */
        if (nbad)
            break;
        render_from_info(pool, k, w, &info, ref);
        EXPECT(memcmp(out, ref, (size_t)w * w) == 0);
        /* Clutter never erases the digit's ink. */
        for (int r = 0; r < 28; r++)
            for (int c = 0; c < 28; c++)
                EXPECT(out[(info.digit_y + r) * w + info.digit_x + c] >=
                       pool[k * PX + r * 28 + c]);
        /* task_generate gives the same image and position. */
        example_rng a, b;
        example_rng_seed(&a, (uint64_t)it);
        b = a;
        int x = -1, y = -1;
        EXPECT(task_generate_info(task, pool, POOL_N, k, &a, out, &info) ==
               TASK_OK);
        EXPECT(task_generate(task, pool, POOL_N, k, &b, ref, &x, &y) ==
               TASK_OK);
        EXPECT(memcmp(out, ref, (size_t)w * w) == 0);
        EXPECT(x == info.digit_x && y == info.digit_y);
        EXPECT(memcmp(&a, &b, sizeof a) == 0);
    }
    ASSERT_NO_BAD();
    for (int i = 0; i <= 20; i++)
        ck_assert_int_gt(cut_seen[i], 0);
    ck_assert_int_eq(put_min, 0);
    ck_assert_int_eq(put_max, w - 8);
    free(ref);
    free(out);
    free(pool);
}

START_TEST(test_cluttered60_pieces)
{
    check_cluttered(TASK_CLUTTERED60, 60, 4);
}
END_TEST

START_TEST(test_cluttered100_pieces)
{
    check_cluttered(TASK_CLUTTERED100, 100, 8);
}
END_TEST

/* Counts the pieces without task_info: with a blank digit 0 and an all-255
 * image 1, the ink is the union of the 8x8 pieces, so at most
 * pieces * 64 pixels, and exactly that when no two overlap. */
static void check_piece_count(task_id task, int w, int pieces)
{
    uint8_t pool[2 * PX];
    memset(pool, 0, PX);
    memset(pool + PX, 255, PX);
    uint8_t *out = malloc((size_t)w * w);
    ck_assert_ptr_nonnull(out);
    example_rng rng;
    example_rng_seed(&rng, 5);
    int most = 0, least = 1 << 30;
    int nbad = 0, first_bad = 0;
    for (int it = 0; it < 2000; it++) {
        EXPECT(task_generate(task, pool, 2, 0, &rng, out, NULL, NULL) ==
               TASK_OK);
        int ink = 0;
        for (int i = 0; i < w * w; i++) {
            EXPECT(out[i] == 0 || out[i] == 255);
            ink += out[i] != 0;
        }
        if (ink > most)
            most = ink;
        if (ink < least)
            least = ink;
    }
    ASSERT_NO_BAD();
    ck_assert_int_eq(most, pieces * 64);
    ck_assert_int_ge(least, 64);
    free(out);
}

START_TEST(test_piece_count_independent)
{
    check_piece_count(TASK_CLUTTERED60, 60, 4);
    check_piece_count(TASK_CLUTTERED100, 100, 8);
    /* translated60 has none. */
    uint8_t pool[2 * PX];
    memset(pool, 0, PX);
    memset(pool + PX, 255, PX);
    uint8_t out[3600];
    example_rng rng;
    example_rng_seed(&rng, 5);
    ck_assert_int_eq(task_generate(TASK_TRANSLATED60, pool, 2, 0, &rng, out,
                                   NULL, NULL), TASK_OK);
    int ink = 0;
    for (int i = 0; i < 3600; i++)
        ink += out[i] != 0;
    ck_assert_int_eq(ink, 0);
}
END_TEST

/* Clutter comes from every other pool image but never the digit itself:
 * with constant-valued digits, outside the digit's box no pixel has the
 * digit's own value. */
START_TEST(test_clutter_sources)
{
    uint8_t *pool = make_const_pool();
    uint8_t out[60 * 60];
    example_rng rng;
    example_rng_seed(&rng, 77);
    int used[POOL_N] = {0};
    int nbad = 0, first_bad = 0;
    const size_t k = 6;
    const uint8_t own = (uint8_t)((k + 1) * 15);
    for (int it = 0; it < 500; it++) {
        int x, y;
        EXPECT(task_generate(TASK_CLUTTERED60, pool, POOL_N, k, &rng, out,
                             &x, &y) == TASK_OK);
        if (nbad)
            break;
        for (int r = 0; r < 60; r++)
            for (int c = 0; c < 60; c++) {
                uint8_t v = out[r * 60 + c];
                if (in_box(c, r, x, y, 28)) {
                    EXPECT(v >= own);
                    continue;
                }
                EXPECT(v != own);
                EXPECT(v % 15 == 0);
                if (v != 0)
                    used[v / 15 - 1]++;
            }
    }
    ASSERT_NO_BAD();
    for (int i = 0; i < POOL_N; i++) {
        if ((size_t)i == k)
            ck_assert_int_eq(used[i], 0);
        else
            ck_assert_int_gt(used[i], 0);
    }
    free(pool);
}
END_TEST

/* ---- determinism ------------------------------------------------------ */

START_TEST(test_same_seed_same_images)
{
    uint8_t *pool = make_pool();
    uint8_t a[100 * 100], b[100 * 100];
    for (int t = 1; t < TASK_COUNT; t++) {
        int w = task_width((task_id)t);
        example_rng r1, r2, r3;
        example_rng_seed(&r1, 2024);
        example_rng_seed(&r2, 2024);
        example_rng_seed(&r3, 2025);
        int differ = 0;
        for (int it = 0; it < 20; it++) {
            size_t k = (size_t)it % POOL_N;
            ck_assert_int_eq(task_generate((task_id)t, pool, POOL_N, k, &r1,
                                           a, NULL, NULL), TASK_OK);
            ck_assert_int_eq(task_generate((task_id)t, pool, POOL_N, k, &r2,
                                           b, NULL, NULL), TASK_OK);
            ck_assert_mem_eq(a, b, (size_t)w * w);
            ck_assert_int_eq(task_generate((task_id)t, pool, POOL_N, k, &r3,
                                           b, NULL, NULL), TASK_OK);
            differ += memcmp(a, b, (size_t)w * w) != 0;
        }
        ck_assert_int_ge(differ, 15);
    }
    free(pool);
}
END_TEST

START_TEST(test_generate_set)
{
    uint8_t *pool = make_pool();
    const int w = 60;
    const size_t wsq = (size_t)w * w;
    uint8_t *s1 = malloc(POOL_N * wsq), *s2 = malloc(POOL_N * wsq);
    uint8_t *s3 = malloc(POOL_N * wsq), one[3600];
    ck_assert_ptr_nonnull(s1);
    ck_assert_ptr_nonnull(s2);
    ck_assert_ptr_nonnull(s3);
    int xy1[2 * POOL_N], xy2[2 * POOL_N];
    int nbad = 0, first_bad = 0;

    ck_assert_int_eq(task_generate_set(TASK_CLUTTERED60, pool, POOL_N, 0,
                                       POOL_N, 42, s1, xy1), TASK_OK);
    /* Same seed, made in two pieces: bit-identical. */
    ck_assert_int_eq(task_generate_set(TASK_CLUTTERED60, pool, POOL_N, 0, 7,
                                       42, s2, xy2), TASK_OK);
    ck_assert_int_eq(task_generate_set(TASK_CLUTTERED60, pool, POOL_N, 7,
                                       POOL_N - 7, 42, s2 + 7 * wsq,
                                       xy2 + 14), TASK_OK);
    ck_assert_mem_eq(s1, s2, POOL_N * wsq);
    ck_assert_mem_eq(xy1, xy2, sizeof xy1);
    /* Example i is pool image i from stream (seed, i). */
    for (size_t i = 0; i < POOL_N; i++) {
        example_rng r;
        example_rng_seed_stream(&r, 42, i);
        int x, y;
        ck_assert_int_eq(task_generate(TASK_CLUTTERED60, pool, POOL_N, i, &r,
                                       one, &x, &y), TASK_OK);
        ck_assert_mem_eq(one, s1 + i * wsq, wsq);
        ck_assert_int_eq(x, xy1[2 * i]);
        ck_assert_int_eq(y, xy1[2 * i + 1]);
        /* The digit's ink (all of its box here) is at xy. */
        for (int r2 = 0; r2 < 28; r2++)
            for (int c = 0; c < 28; c++)
                EXPECT(s1[i * wsq + (y + r2) * w + x + c] >=
                       pool[i * PX + r2 * 28 + c]);
    }
    ASSERT_NO_BAD();
    /* Another seed: different images; NULL digit_xy is fine. */
    ck_assert_int_eq(task_generate_set(TASK_CLUTTERED60, pool, POOL_N, 0,
                                       POOL_N, 43, s3, NULL), TASK_OK);
    int differ = 0;
    for (size_t i = 0; i < POOL_N; i++)
        differ += memcmp(s1 + i * wsq, s3 + i * wsq, wsq) != 0;
    ck_assert_int_ge(differ, POOL_N - 1);
    /* Range checks. */
    ck_assert_int_eq(task_generate_set(TASK_CLUTTERED60, pool, POOL_N, 10, 7,
                                       42, s3, NULL), TASK_E_INDEX);
    ck_assert_int_eq(task_generate_set(TASK_CLUTTERED60, pool, POOL_N,
                                       POOL_N + 1, 0, 42, s3, NULL),
                     TASK_E_INDEX);
    ck_assert_int_eq(task_generate_set(TASK_CLUTTERED60, pool, POOL_N,
                                       POOL_N, 0, 42, NULL, NULL), TASK_OK);
    ck_assert_int_eq(task_generate_set(TASK_INVALID, pool, POOL_N, 0, 1, 42,
                                       s3, NULL), TASK_E_TASK);
    ck_assert_int_eq(task_generate_set(TASK_CLUTTERED60, pool, 1, 0, 1, 42,
                                       s3, NULL), TASK_E_POOL);
    free(s1);
    free(s2);
    free(s3);
    free(pool);
}
END_TEST

START_TEST(test_errors)
{
    uint8_t *pool = make_pool();
    uint8_t out[100 * 100];
    example_rng rng;
    example_rng_seed(&rng, 1);
    ck_assert_int_eq(task_generate(TASK_INVALID, pool, POOL_N, 0, &rng, out,
                                   NULL, NULL), TASK_E_TASK);
    ck_assert_int_eq(task_generate((task_id)TASK_COUNT, pool, POOL_N, 0, &rng,
                                   out, NULL, NULL), TASK_E_TASK);
    ck_assert_int_eq(task_generate(TASK_TRANSLATED60, NULL, POOL_N, 0, &rng,
                                   out, NULL, NULL), TASK_E_ARG);
    ck_assert_int_eq(task_generate(TASK_TRANSLATED60, pool, POOL_N, 0, &rng,
                                   NULL, NULL, NULL), TASK_E_ARG);
    ck_assert_int_eq(task_generate(TASK_TRANSLATED60, pool, POOL_N, 0, NULL,
                                   out, NULL, NULL), TASK_E_ARG);
    ck_assert_int_eq(task_generate(TASK_CLUTTERED60, pool, POOL_N, POOL_N,
                                   &rng, out, NULL, NULL), TASK_E_INDEX);
    ck_assert_int_eq(task_generate(TASK_MNIST28, pool, 0, 0, &rng, out,
                                   NULL, NULL), TASK_E_INDEX);
    ck_assert_int_eq(task_generate(TASK_CLUTTERED100, pool, 1, 0, &rng, out,
                                   NULL, NULL), TASK_E_POOL);
    ck_assert_int_eq(task_generate(TASK_TRANSLATED60, pool, 1, 0, &rng, out,
                                   NULL, NULL), TASK_OK);
    ck_assert_int_eq(task_generate_info(TASK_CLUTTERED60, pool, 2, 1, &rng,
                                        out, NULL), TASK_OK);
    free(pool);
}
END_TEST

/* ---- RNG -------------------------------------------------------------- */

START_TEST(test_rng_known_values)
{
    /* xoshiro256** reference outputs for state {1, 2, 3, 4}. */
    example_rng r = {{1, 2, 3, 4}};
    ck_assert_uint_eq(example_rng_next(&r), 0x2d00);
    ck_assert_uint_eq(example_rng_next(&r), 0x0);
    ck_assert_uint_eq(example_rng_next(&r), 0x5a007080);
    /* Seeding is splitmix64: reference outputs for seed 0. */
    example_rng_seed(&r, 0);
    ck_assert_uint_eq(r.s[0], UINT64_C(0xe220a8397b1dcdaf));
    ck_assert_uint_eq(r.s[1], UINT64_C(0x6e789e6aa1b965f4));
    ck_assert_uint_eq(r.s[2], UINT64_C(0x06c45d188009454f));
    ck_assert_uint_eq(r.s[3], UINT64_C(0xf88bb8a8724c81ec));
}
END_TEST

START_TEST(test_rng_seeding)
{
    example_rng a, b, c;
    example_rng_seed(&a, 11);
    example_rng_seed(&b, 11);
    example_rng_seed(&c, 12);
    int same_c = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t va = example_rng_next(&a);
        ck_assert_uint_eq(va, example_rng_next(&b));
        same_c += va == example_rng_next(&c);
    }
    ck_assert_int_eq(same_c, 0);
    /* Streams: same (seed, stream) equal; neighbours differ. */
    example_rng_seed_stream(&a, 11, 0);
    example_rng_seed_stream(&b, 11, 0);
    ck_assert_mem_eq(&a, &b, sizeof a);
    example_rng_seed_stream(&b, 11, 1);
    ck_assert(memcmp(&a, &b, sizeof a) != 0);
    example_rng_seed_stream(&c, 12, 0);
    ck_assert(memcmp(&a, &c, sizeof a) != 0);
    example_rng_seed(&c, 11);
    ck_assert(memcmp(&a, &c, sizeof a) != 0);
}
END_TEST

START_TEST(test_rng_below)
{
    example_rng r;
    example_rng_seed(&r, 3);
    int nbad = 0, first_bad = 0;
    ck_assert_uint_eq(example_rng_below(&r, 0), 0);
    for (int i = 0; i < 100; i++)
        EXPECT(example_rng_below(&r, 1) == 0);
    const uint64_t ns[] = {2, 3, 7, 33, 1000003, UINT64_C(1) << 63,
                           (UINT64_C(1) << 63) + 1, UINT64_MAX};
    for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++)
        for (int i = 0; i < 2000; i++)
            EXPECT(example_rng_below(&r, ns[j]) < ns[j]);
    ASSERT_NO_BAD();
    /* Uniformity over 10 values: 200000 draws, each bin 20000 +- 3%
     * (sd ~134, so this is > 4 sd). */
    int bins[10] = {0};
    for (int i = 0; i < 200000; i++)
        bins[example_rng_below(&r, 10)]++;
    for (int i = 0; i < 10; i++) {
        ck_assert_int_gt(bins[i], 19400);
        ck_assert_int_lt(bins[i], 20600);
    }
    /* No modulo bias: for n = 2/3 of 2^64, "x % n" would put 2/3 of the
     * draws below n/2; unbiased draws put 1/2 there. */
    const uint64_t big = UINT64_C(0xAAAAAAAAAAAAAAAA);
    int low = 0;
    for (int i = 0; i < 4000; i++)
        low += example_rng_below(&r, big) < big / 2;
    ck_assert_int_gt(low, 1850); /* 2000 +- 4.7 sd */
    ck_assert_int_lt(low, 2150);
    /* int_range is inclusive; degenerate ranges give lo. */
    int lo_seen = 0, hi_seen = 0;
    for (int i = 0; i < 1000; i++) {
        int v = example_rng_int_range(&r, -3, 3);
        EXPECT(v >= -3 && v <= 3);
        lo_seen |= v == -3;
        hi_seen |= v == 3;
    }
    ASSERT_NO_BAD();
    ck_assert(lo_seen && hi_seen);
    ck_assert_int_eq(example_rng_int_range(&r, 5, 5), 5);
    ck_assert_int_eq(example_rng_int_range(&r, 5, 2), 5);
    int v = example_rng_int_range(&r, INT32_MIN, INT32_MAX);
    (void)v;
}
END_TEST

START_TEST(test_rng_float_normal)
{
    example_rng r;
    example_rng_seed(&r, 8);
    const int n = 200000;
    double sum = 0, sumd = 0, s1 = 0, s2 = 0;
    float fmin = 1, fmax = 0;
    int nbad = 0, first_bad = 0;
    for (int i = 0; i < n; i++) {
        float u = example_rng_uniform(&r);
        double d = example_rng_uniform_double(&r);
        EXPECT(u >= 0.0f && u < 1.0f);
        EXPECT(d >= 0.0 && d < 1.0);
        fmin = u < fmin ? u : fmin;
        fmax = u > fmax ? u : fmax;
        sum += u;
        sumd += d;
        float z = example_rng_normal(&r);
        EXPECT(isfinite(z));
        s1 += z;
        s2 += (double)z * z;
    }
    ASSERT_NO_BAD();
    ck_assert_double_eq_tol(sum / n, 0.5, 0.005);
    ck_assert_double_eq_tol(sumd / n, 0.5, 0.005);
    ck_assert_float_lt(fmin, 0.001f);
    ck_assert_float_gt(fmax, 0.999f);
    double mean = s1 / n, var = s2 / n - mean * mean;
    ck_assert_double_eq_tol(mean, 0.0, 0.01);
    ck_assert_double_eq_tol(var, 1.0, 0.02);
}
END_TEST

/* ---- scaled ----------------------------------------------------------- */

/* The bilinear resize on synthetic digits. A ramp p(x, y) = 6 x + 2 y + 10
 * (x, y < 28) is linear, so bilinear interpolation reproduces it exactly
 * wherever the four neighbours are inside the 28x28: out(j, i) =
 * 6 sx + 2 sy + 10 rounded, sx = (j + 0.5) / f - 0.5. */
START_TEST(test_scale_digit_bilinear)
{
    uint8_t d[PX], out[TASK_MAX_SCALED_SIDE * TASK_MAX_SCALED_SIDE];
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++)
            d[y * 28 + x] = (uint8_t)(6 * x + 2 * y + 10);
    const double fs[] = {0.5, 0.73, 1.0, 1.5, 2.0, 2.37, 2.5};
    int nbad = 0, first_bad = 0, checked = 0;
    for (size_t t = 0; t < sizeof fs / sizeof fs[0]; t++) {
        double f = fs[t];
        int n = -1;
        ck_assert_int_eq(task_scale_digit(d, f, out, &n), TASK_OK);
        ck_assert_int_eq(n, (int)ceil(28.0 * f));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double sx = (j + 0.5) / f - 0.5, sy = (i + 0.5) / f - 0.5;
                if (sx < 0 || sy < 0 || sx > 27 || sy > 27)
                    continue;
                double want = 6 * sx + 2 * sy + 10;
                EXPECT(fabs(out[i * n + j] - want) <= 0.5 + 1e-9);
                checked++;
            }
        /* f = 1 is the identity. */
        if (f == 1.0)
            EXPECT(memcmp(out, d, PX) == 0);
    }
    ASSERT_NO_BAD();
    ck_assert_int_gt(checked, 5000);
    /* f = 2: a single ink pixel (value 200 at (10, 10)) spreads to the 4x4
     * block 19..22, with weights (1/4, 3/4) per axis: centre 2x2 read
     * 200 * 9/16 = 112.5 -> 113, edges 200 * 3/16 = 37.5 -> 38, corners
     * 200 / 16 = 12.5 -> 13. */
    memset(d, 0, PX);
    d[10 * 28 + 10] = 200;
    int n = 0;
    ck_assert_int_eq(task_scale_digit(d, 2.0, out, &n), TASK_OK);
    ck_assert_int_eq(n, 56);
    const int w4[4] = {1, 3, 3, 1};
    int ink = 0;
    for (int i = 0; i < 56; i++)
        for (int j = 0; j < 56; j++) {
            int v = out[i * 56 + j];
            if (i >= 19 && i <= 22 && j >= 19 && j <= 22) {
                double want = 200.0 * w4[i - 19] * w4[j - 19] / 16.0;
                ck_assert_int_eq(v, (int)floor(want + 0.5));
            } else {
                ink += v;
            }
        }
    ck_assert_int_eq(ink, 0);
    /* Arguments. */
    ck_assert_int_eq(task_scale_digit(d, 0.49, out, &n), TASK_E_ARG);
    ck_assert_int_eq(task_scale_digit(d, 2.51, out, &n), TASK_E_ARG);
    ck_assert_int_eq(task_scale_digit(d, NAN, out, &n), TASK_E_ARG);
    ck_assert_int_eq(task_scale_digit(NULL, 1.0, out, &n), TASK_E_ARG);
    ck_assert_int_eq(task_scale_digit(d, 1.0, NULL, &n), TASK_E_ARG);
}
END_TEST

/* A pool of "digits" with a known ink box: digit k is a 16 x 20 block
 * (columns 6..21, rows 4..23) of value 40 + 10 k on black. */
static uint8_t *make_box_pool(void)
{
    uint8_t *p = calloc((size_t)POOL_N, PX);
    ck_assert_ptr_nonnull(p);
    for (int k = 0; k < POOL_N; k++)
        for (int y = 4; y < 24; y++)
            for (int x = 6; x < 22; x++)
                p[k * PX + y * 28 + x] = (uint8_t)(40 + 10 * k);
    return p;
}

static void check_scaled(task_id task, int w, int pieces)
{
    uint8_t *pool = make_box_pool();
    uint8_t *out = malloc((size_t)w * w), *ref = malloc((size_t)w * w);
    uint8_t big[TASK_MAX_SCALED_SIDE * TASK_MAX_SCALED_SIDE];
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(ref);
    example_rng rng;
    example_rng_seed(&rng, 7);
    int nbad = 0, first_bad = 0, below_mid = 0, n = 0;
    double fmin = 9, fmax = 0;
    int xmin = w, xmax = 0;
    for (int it = 0; it < 2000; it++, n++) {
        size_t k = (size_t)(it % POOL_N);
        task_info info;
        memset(&info, 0x7F, sizeof info);
        EXPECT(task_generate_info(task, pool, POOL_N, k, &rng, out, &info) ==
               TASK_OK);
        double f = info.scale;
        EXPECT(f >= TASK_SCALE_MIN && f < TASK_SCALE_MAX);
        EXPECT(info.n_clutter == pieces);
        EXPECT(info.digit_side == (int)ceil(28 * f));
        fmin = f < fmin ? f : fmin;
        fmax = f > fmax ? f : fmax;
        below_mid += f < TASK_SCALE_MIN * sqrt(TASK_SCALE_MAX / TASK_SCALE_MIN);
        /* The ink box scales with the factor: the 16 x 20 block [6, 22) x
         * [4, 24) becomes 16 f x 20 f. Bilinear interpolation reads the
         * block from source coordinates in (5, 22), an interval of 17 f
         * output pixels: the box is between 16 f - 1 and 17 f + 1 wide. */
        EXPECT(info.ink_w >= 16 * f - 1 && info.ink_w <= 17 * f + 1);
        EXPECT(info.ink_h >= 20 * f - 1 && info.ink_h <= 21 * f + 1);
        /* ... and it is fully inside the canvas. */
        EXPECT(info.ink_x >= 0 && info.ink_x + info.ink_w <= w);
        EXPECT(info.ink_y >= 0 && info.ink_y + info.ink_h <= w);
        xmin = info.ink_x < xmin ? info.ink_x : xmin;
        xmax = info.ink_x + info.ink_w > xmax ? info.ink_x + info.ink_w
                                                : xmax;
        if (nbad)
            break;
        /* The image is exactly the resized digit at (digit_x, digit_y),
         * cut to the canvas, plus the pieces, pasted with max. */
        int side = 0;
        EXPECT(task_scale_digit(pool + k * PX, f, big, &side) == TASK_OK);
        memset(ref, 0, (size_t)w * w);
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++) {
                int y = info.digit_y + r, x = info.digit_x + c;
                if (x >= 0 && y >= 0 && x < w && y < w)
                    ref[y * w + x] = big[r * side + c];
                else
                    EXPECT(big[r * side + c] == 0); /* only margin is cut */
            }
        for (int i = 0; i < pieces; i++) {
            const task_clutter_piece *p = &info.clutter[i];
            EXPECT(p->src_index != k && p->src_index < POOL_N);
            EXPECT(p->x >= 0 && p->x <= w - 8 && p->y >= 0 && p->y <= w - 8);
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 8; c++) {
                    uint8_t v = pool[p->src_index * PX + (p->src_y + r) * 28 +
                                     p->src_x + c];
                    uint8_t *o = &ref[(p->y + r) * w + p->x + c];
                    if (v > *o)
                        *o = v;
                }
        }
        EXPECT(memcmp(out, ref, (size_t)w * w) == 0);
        /* Deterministic: the same generator state gives the same example,
         * and task_generate agrees. */
        example_rng a, b;
        example_rng_seed(&a, (uint64_t)it + 1000);
        b = a;
        int x = -1, y = -1;
        EXPECT(task_generate_info(task, pool, POOL_N, k, &a, out, &info) ==
               TASK_OK);
        EXPECT(task_generate(task, pool, POOL_N, k, &b, ref, &x, &y) ==
               TASK_OK);
        EXPECT(memcmp(out, ref, (size_t)w * w) == 0);
        EXPECT(x == info.digit_x && y == info.digit_y);
        EXPECT(memcmp(&a, &b, sizeof a) == 0);
    }
    ASSERT_NO_BAD();
    /* Log-uniform: half the factors below the geometric mean sqrt(0.5 *
     * 2.5) ~ 1.118 (2000 draws: sd 1.1%), the whole range reached. */
    ck_assert_double_eq_tol((double)below_mid / n, 0.5, 0.05);
    ck_assert_double_lt(fmin, 0.52);
    ck_assert_double_gt(fmax, 2.4);
    ck_assert_int_eq(xmin, 0);
    ck_assert_int_eq(xmax, w);
    free(ref);
    free(out);
    free(pool);
}

START_TEST(test_scaled60)
{
    check_scaled(TASK_SCALED60, 60, 4);
}
END_TEST

START_TEST(test_scaled100)
{
    check_scaled(TASK_SCALED100, 100, 8);
}
END_TEST

/* task_generate_set_info: the same images as task_generate_set, and the
 * factors, which are reproducible and differ between examples; for the
 * unscaled tasks the factor is 1 and the frame 28. */
START_TEST(test_generate_set_info)
{
    uint8_t *pool = make_pool();
    const size_t wsq = 60 * 60;
    uint8_t *a = malloc(POOL_N * wsq), *b = malloc(POOL_N * wsq);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    task_info ia[POOL_N], ib[POOL_N];
    ck_assert_int_eq(task_generate_set_info(TASK_SCALED60, pool, POOL_N, 0,
                                            POOL_N, 5, a, ia), TASK_OK);
    ck_assert_int_eq(task_generate_set(TASK_SCALED60, pool, POOL_N, 0, POOL_N,
                                       5, b, NULL), TASK_OK);
    ck_assert_mem_eq(a, b, POOL_N * wsq);
    ck_assert_int_eq(task_generate_set_info(TASK_SCALED60, pool, POOL_N, 3, 5,
                                            5, b, ib), TASK_OK);
    ck_assert_mem_eq(a + 3 * wsq, b, 5 * wsq);
    int distinct = 0;
    for (int i = 0; i < 5; i++)
        ck_assert(ia[3 + i].scale == ib[i].scale);
    for (int i = 1; i < POOL_N; i++)
        distinct += ia[i].scale != ia[0].scale;
    ck_assert_int_eq(distinct, POOL_N - 1);
    ck_assert_int_eq(task_generate_set_info(TASK_CLUTTERED60, pool, POOL_N, 0,
                                            4, 5, a, ia), TASK_OK);
    for (int i = 0; i < 4; i++) {
        ck_assert(ia[i].scale == 1.0);
        ck_assert_int_eq(ia[i].digit_side, 28);
        /* make_pool's digits are ink everywhere: the box is the frame. */
        ck_assert_int_eq(ia[i].ink_x, ia[i].digit_x);
        ck_assert_int_eq(ia[i].ink_w, 28);
    }
    ck_assert_int_eq(task_generate_set_info(TASK_SCALED60, pool, 1, 0, 1, 5,
                                            a, ia), TASK_E_POOL);
    ck_assert_int_eq(task_generate_set_info((task_id)6, pool, POOL_N, 0, 1, 5,
                                            a, ia), TASK_E_TASK);
    free(a);
    free(b);
    free(pool);
}
END_TEST

Suite *suite_mnist_tasks(void)
{
    Suite *s = suite_create("mnist_tasks");

    TCase *tc = tcase_create("tasks");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_mnist28_identity);
    tcase_add_test(tc, test_translated_digit_inside);
    tcase_add_test(tc, test_cluttered60_pieces);
    tcase_add_test(tc, test_cluttered100_pieces);
    tcase_add_test(tc, test_piece_count_independent);
    tcase_add_test(tc, test_clutter_sources);
    tcase_add_test(tc, test_same_seed_same_images);
    tcase_add_test(tc, test_generate_set);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_scale_digit_bilinear);
    tcase_add_test(tc, test_scaled60);
    tcase_add_test(tc, test_scaled100);
    tcase_add_test(tc, test_generate_set_info);
    suite_add_tcase(s, tc);

    tc = tcase_create("rng");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_rng_known_values);
    tcase_add_test(tc, test_rng_seeding);
    tcase_add_test(tc, test_rng_below);
    tcase_add_test(tc, test_rng_float_normal);
    suite_add_tcase(s, tc);
    return s;
}
