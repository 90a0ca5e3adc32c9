/* A seeded learning test on a task where looking in the right place is the
 * only way to succeed.
 *
 * A 24x24 image holds one 6x6 texture in one of its four quadrants
 * (top-left corner at (3,3), (15,3), (3,15) or (15,15)). The class is the
 * texture: horizontal stripes, vertical stripes or a checkerboard, all with
 * the same mean, so every 2x2-pooled view of the textures looks the same: only
 * the full-resolution 6x6 patch can tell them apart. The coarse 24x24 scale
 * shows *where* the texture is, but not *what* it is. With two glimpses the
 * agent must learn to look at the centre (or anywhere the coarse view covers
 * the image) and then move its fovea onto the texture.
 *
 * The same model trained with random glimpses (RAM_PARAM_RANDOM_GLIMPSES)
 * can only guess. The test asserts a clear margin between the two. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ram/ram.h"

enum { IMG = 24, TEX = 6, CLASSES = 3, STEPS = 2, BATCH = 64, TEST_N = 600 };

typedef struct lcg {
    uint64_t s;
} lcg;

static uint32_t next(lcg *r)
{
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(r->s >> 33);
}

static void make_example(lcg *r, unsigned char *img, int *label)
{
    memset(img, 0, IMG * IMG);
    int q = (int)(next(r) % 4), c = (int)(next(r) % CLASSES);
    int x0 = q % 2 ? 15 : 3, y0 = q / 2 ? 15 : 3;
    for (int y = 0; y < TEX; y++)
        for (int x = 0; x < TEX; x++) {
            int on = c == 0 ? y % 2 == 0 : c == 1 ? x % 2 == 0 : (x + y) % 2 == 0;
            img[(y0 + y) * IMG + x0 + x] = on ? 255 : 0;
        }
    *label = c;
}

static ram_agent *make_agent(int random_glimpses)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    int64_t set[][2] = {{RAM_CFG_PATCH, TEX},         {RAM_CFG_SCALES, 3},
                        {RAM_CFG_GLIMPSE_WHAT, 64},   {RAM_CFG_GLIMPSE_WHERE, 32},
                        {RAM_CFG_GLIMPSE_SIZE, 96},   {RAM_CFG_HIDDEN, 96},
                        {RAM_CFG_ACTIONS, CLASSES},   {RAM_CFG_MAX_STEPS, STEPS},
                        {RAM_CFG_SEED, 2024}};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        ck_assert_int_eq(ram_config_set(cfg, (int)set[i][0], set[i][1]), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, IMG, IMG, IMG, IMG * IMG), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LEARNING_RATE, 2e-3), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_STD, 0.15), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_RANDOM_GLIMPSES, random_glimpses), RAM_OK);
    return a;
}

static void train(ram_agent *a, int updates)
{
    static unsigned char img[BATCH][IMG * IMG];
    int labels[BATCH], act[BATCH];
    float rw[BATCH];
    lcg r = {7};
    for (int u = 0; u < updates; u++) {
        for (int b = 0; b < BATCH; b++)
            make_example(&r, img[b], &labels[b]);
        ck_assert_int_eq(ram_agent_begin(a, BATCH, RAM_BEGIN_TRAIN), RAM_OK);
        for (int t = 0; t < STEPS; t++)
            ck_assert_int_eq(ram_agent_step(a, img, sizeof img, NULL, NULL, act), RAM_OK);
        for (int b = 0; b < BATCH; b++)
            rw[b] = act[b] == labels[b];
        ck_assert_int_eq(ram_agent_reward(a, rw), RAM_OK);
        ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
        ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    }
}

/* Test accuracy; greedy locations unless the agent glimpses at random. */
static double accuracy(ram_agent *a)
{
    static unsigned char img[TEST_N][IMG * IMG];
    int labels[TEST_N], act[TEST_N];
    lcg r = {99991};
    for (int i = 0; i < TEST_N; i++)
        make_example(&r, img[i], &labels[i]);
    ck_assert_int_eq(ram_agent_begin(a, TEST_N, RAM_BEGIN_GREEDY_LOCATION), RAM_OK);
    for (int t = 0; t < STEPS; t++)
        ck_assert_int_eq(ram_agent_step(a, img, sizeof img, NULL, NULL, act), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, NULL), RAM_OK);
    int ok = 0;
    for (int i = 0; i < TEST_N; i++)
        ok += act[i] == labels[i];
    return (double)ok / TEST_N;
}

START_TEST(policy_beats_random_glimpses)
{
    /* 1500 updates sufficed with 2 BLAS threads on one machine, but with 1
     * thread (other rounding) 3 of 7 seeds were still at 0.89-0.93 there;
     * at 2500 all 7 reached 1.000. */
    enum { UPDATES = 2500 };
    ram_agent *learned = make_agent(0), *random = make_agent(1);
    train(learned, UPDATES);
    train(random, UPDATES);
    double acc_l = accuracy(learned), acc_r = accuracy(random);
    fprintf(stderr, "learning test: learned policy %.3f, random glimpses %.3f (chance %.3f)\n",
            acc_l, acc_r, 1.0 / CLASSES);
    ck_assert_msg(acc_l >= 0.97, "learned policy only reached %.3f", acc_l);
    ck_assert_msg(acc_l >= acc_r + 0.25, "learned %.3f vs random glimpses %.3f: margin too small",
                  acc_l, acc_r);
    ram_agent_free(learned);
    ram_agent_free(random);
}
END_TEST

Suite *suite_agent_learn(void)
{
    Suite *s = suite_create("agent_learn");
    TCase *tc = tcase_create("learning");
    tcase_set_tags(tc, "slow");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, policy_beats_random_glimpses);
    suite_add_tcase(s, tc);
    return s;
}
