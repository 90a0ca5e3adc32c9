/* The agent API of 0.2.0: the step's buffer size, the input geometry in the
 * configuration and the model file, the saved file's mode, and the error
 * details. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ram/ram.h"

static ram_agent *tiny_agent(int64_t seed)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 8), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 4), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 12), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_HIDDEN, 10), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_SEED, seed), RAM_OK);
    ck_assert_int_eq(ram_agent_create(cfg, &a), RAM_OK);
    ram_config_free(cfg);
    return a;
}

static int has(const char *s) /* the last error mentions s */
{
    return strstr(ram_last_error(), s) != NULL;
}

/* The case: the host described 64x64 images, a later set_input
 * for 32x32 failed, and a 1024-byte buffer must not be read as 4096. */
START_TEST(step_refuses_a_short_buffer)
{
    ram_agent *a = tiny_agent(3);
    unsigned char *big = calloc(4 * 4096, 1);
    unsigned char *small = malloc(1024); /* exact: ASan sees any overread */
    ck_assert_ptr_nonnull(big);
    ck_assert_ptr_nonnull(small);
    memset(small, 7, 1024);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, 64, 64, 64, 0),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, 32, 32, 31, 1024),
                     RAM_E_INVALID);
    ck_assert_msg(has("row_stride"), "%s", ram_last_error());
    ck_assert_int_eq(ram_agent_begin(a, 1, 0), RAM_OK);
    float loc[2], loc0[2];
    ck_assert_int_eq(ram_agent_location(a, loc0), RAM_OK);
    ck_assert_int_eq(ram_agent_step(a, small, 1024, loc, NULL, NULL),
                     RAM_E_BUFFER);
    ck_assert_msg(has("ram_agent_step") && has("1024") && has("4096"), "%s",
                  ram_last_error());
    /* One byte short of the last pixel is refused; exactly enough is not. */
    ck_assert_int_eq(ram_agent_step(a, big, 4095, loc, NULL, NULL),
                     RAM_E_BUFFER);
    ck_assert_int_eq(ram_agent_location(a, loc), RAM_OK);
    ck_assert(loc[0] == loc0[0] && loc[1] == loc0[1]);
    ck_assert_int_eq(ram_agent_step(a, big, 4096, loc, NULL, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, NULL), RAM_OK);

    /* A batch of 3 with padded rows and images: the last image needs only
     * its last row's pixels. */
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, 64, 64, 80, 6000),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, 3, 0), RAM_OK);
    size_t need = 2 * 6000 + 63 * 80 + 64;
    ck_assert_int_eq(ram_agent_step(a, big, need - 1, NULL, NULL, NULL),
                     RAM_E_BUFFER);
    ck_assert_int_eq(ram_agent_step(a, big, need, NULL, NULL, NULL), RAM_OK);
    ck_assert_int_eq(ram_agent_end(a, NULL), RAM_OK);

    /* image_stride 0 is fine at batch 1 (as for the sensor), refused with
     * a detail at a larger batch. */
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, 64, 64, 64, 0),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, 2, 0), RAM_OK);
    ck_assert_int_eq(ram_agent_step(a, big, 4 * 4096, NULL, NULL, NULL),
                     RAM_E_INVALID);
    ck_assert_msg(has("image_stride"), "%s", ram_last_error());
    ck_assert_int_eq(ram_agent_end(a, NULL), RAM_OK);
    free(big);
    free(small);
    ram_agent_free(a);
}
END_TEST

Suite *suite_agent_api(void)
{
    Suite *s = suite_create("agent_api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, step_refuses_a_short_buffer);
    suite_add_tcase(s, tc);
    return s;
}
