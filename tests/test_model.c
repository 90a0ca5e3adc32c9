/* The model format: a corrupt, truncated or future-version buffer gets its
 * documented status and never a crash; the CRC matches zlib's. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "internal.h"
#include "ram/ram.h"

static unsigned char *saved(size_t *size, unsigned flags)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 8), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 4), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 8), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_HIDDEN, 8), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    ck_assert_int_eq(ram_agent_save(a, flags, NULL, 0, size), RAM_OK);
    unsigned char *buf = malloc(*size);
    ck_assert_int_eq(ram_agent_save(a, flags, buf, *size, size), RAM_OK);
    ram_agent_free(a);
    return buf;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Recompute the trailing CRC after a deliberate edit. */
static void fix_crc(unsigned char *buf, size_t size)
{
    put32(buf + size - 4, (uint32_t)crc32(0L, buf, (uInt)(size - 4)));
}

static int load(const unsigned char *buf, size_t size)
{
    ram_agent *a = (ram_agent *)(uintptr_t)1;
    int rc = ram_agent_load(&a, buf, size, 0);
    if (rc == RAM_OK)
        ram_agent_free(a);
    else
        ck_assert_ptr_null(a);
    return rc;
}

START_TEST(crc_matches_zlib)
{
    unsigned char data[1000];
    for (int i = 0; i < 1000; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    ck_assert_uint_eq(ram__crc32(0, data, 1000), (uint32_t)crc32(0L, data, 1000));
    ck_assert_uint_eq(ram__crc32(0, "123456789", 9), 0xcbf43926u);
    ck_assert_uint_eq(ram__crc32(ram__crc32(0, data, 300), data + 300, 700),
                      (uint32_t)crc32(0L, data, 1000));
}
END_TEST

START_TEST(header_layout)
{
    size_t size;
    unsigned char *buf = saved(&size, 0);
    ck_assert_mem_eq(buf, "RAMMODEL", 8);
    ck_assert_uint_eq(buf[8], 2); /* version 2, little-endian */
    uint64_t total = 0;
    for (int i = 0; i < 8; i++)
        total |= (uint64_t)buf[16 + i] << (8 * i);
    ck_assert_uint_eq(total, size);
    ck_assert_int_eq(load(buf, size), RAM_OK);
    free(buf);
}
END_TEST

START_TEST(truncated_everywhere)
{
    size_t size;
    unsigned char *buf = saved(&size, RAM_SAVE_OPTIMIZER);
    for (size_t n = 0; n < size; n += (n < 64 ? 1 : 97)) {
        unsigned char *cut = malloc(n ? n : 1);
        memcpy(cut, buf, n);
        int rc = load(cut, n);
        ck_assert_msg(rc == RAM_E_TRUNCATED || (n < 8 && rc == RAM_E_FORMAT),
                      "cut at %zu of %zu: %s", n, size, ram_status_name(rc));
        free(cut);
    }
    free(buf);
}
END_TEST

START_TEST(corrupt_bytes)
{
    size_t size;
    unsigned char *buf = saved(&size, RAM_SAVE_OPTIMIZER);
    unsigned char *c = malloc(size);
    /* Any flipped bit after the header fails the checksum. */
    for (size_t i = 24; i < size; i += 13) {
        memcpy(c, buf, size);
        c[i] ^= 0x10;
        ck_assert_int_eq(load(c, size), RAM_E_CHECKSUM);
    }
    /* Bad magic. */
    memcpy(c, buf, size);
    c[0] = 'X';
    ck_assert_int_eq(load(c, size), RAM_E_FORMAT);
    /* A future format version. */
    memcpy(c, buf, size);
    put32(c + 8, 3);
    fix_crc(c, size);
    ck_assert_int_eq(load(c, size), RAM_E_VERSION);
    /* Version 1 had no input geometry keys (15 .. 17). */
    memcpy(c, buf, size);
    put32(c + 8, 1);
    fix_crc(c, size);
    ck_assert_int_eq(load(c, size), RAM_E_FORMAT);
    /* Version 0 never existed. */
    put32(c + 8, 0);
    fix_crc(c, size);
    ck_assert_int_eq(load(c, size), RAM_E_FORMAT);
    /* Trailing bytes. */
    unsigned char *longer = malloc(size + 3);
    memcpy(longer, buf, size);
    memset(longer + size, 0, 3);
    ck_assert_int_eq(load(longer, size + 3), RAM_E_FORMAT);
    free(longer);
    /* Fuzz with a recomputed CRC: edits that pass the checksum must still
     * be caught by the structural checks, or load as a valid model. */
    uint64_t x = 0x12345678;
    for (int k = 0; k < 3000; k++) {
        memcpy(c, buf, size);
        for (int e = 0; e < 1 + k % 4; e++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t pos = 24 + (size_t)(x >> 33) % (size - 28);
            c[pos] = (unsigned char)(x >> 13);
        }
        fix_crc(c, size);
        int rc = load(c, size);
        ck_assert_msg(rc == RAM_OK || rc == RAM_E_FORMAT || rc == RAM_E_RANGE ||
                          rc == RAM_E_NONFINITE || rc == RAM_E_VERSION || rc == RAM_E_NOMEM,
                      "fuzz %d: %s", k, ram_status_name(rc));
    }
    free(c);
    free(buf);
}
END_TEST

START_TEST(nonfinite_parameter)
{
    size_t size;
    unsigned char *buf = saved(&size, 0);
    /* The last chunk is PARM; its final float sits just before the CRC. */
    put32(buf + size - 8, 0x7fc00000u); /* quiet NaN */
    fix_crc(buf, size);
    ck_assert_int_eq(load(buf, size), RAM_E_NONFINITE);
    free(buf);
}
END_TEST

/* A version-1 file (as 0.1.0 wrote it: CONF holds keys 1 .. 14) still loads,
 * with the input geometry unset; the same file as version 2 loads too. */
START_TEST(version1_upgrade)
{
    size_t size;
    unsigned char *buf = saved(&size, 0);
    /* CONF comes first: chunk header at 24, then u32 n and n x 12 bytes. */
    ck_assert_mem_eq(buf + 24, "CONF", 4);
    ck_assert_uint_eq(buf[40], 17);
    const size_t drop = 3 * 12, conf_end = 24 + 16 + 4 + 17 * 12;
    size_t n1 = size - drop;
    unsigned char *v1 = malloc(n1);
    memcpy(v1, buf, conf_end - drop);
    memcpy(v1 + conf_end - drop, buf + conf_end, size - conf_end);
    put32(v1 + 8, 1);
    put32(v1 + 16, (uint32_t)n1);
    put32(v1 + 20, 0);
    put32(v1 + 32, 4 + 14 * 12);
    put32(v1 + 40, 14);
    fix_crc(v1, n1);
    ram_agent *a;
    ck_assert_int_eq(ram_agent_load(&a, v1, n1, 0), RAM_OK);
    int64_t v;
    for (int k = RAM_CFG_INPUT_WIDTH; k <= RAM_CFG_INPUT_FORMAT; k++) {
        ck_assert_int_eq(ram_agent_get_config(a, k, &v), RAM_OK);
        ck_assert_int_eq(v, 0);
    }
    /* Saved again, it is a version-2 file of the same size as the original. */
    size_t n2;
    ck_assert_int_eq(ram_agent_save(a, 0, NULL, 0, &n2), RAM_OK);
    ck_assert_uint_eq(n2, size);
    ram_agent_free(a);
    put32(v1 + 8, 2); /* version 2 may omit keys as well */
    fix_crc(v1, n1);
    ck_assert_int_eq(load(v1, n1), RAM_OK);
    free(v1);
    free(buf);
}
END_TEST

START_TEST(bad_arguments)
{
    size_t size;
    unsigned char *buf = saved(&size, 0);
    ram_agent *a;
    ck_assert_int_eq(ram_agent_load(&a, NULL, size, 0), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_load(NULL, buf, size, 0), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_load(&a, buf, size, 8u), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_save(NULL, 0, NULL, 0, &size), RAM_E_INVALID);
    ck_assert_int_eq(ram_agent_load_file(&a, NULL, 0), RAM_E_INVALID);
    free(buf);
}
END_TEST

Suite *suite_model(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("format");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, crc_matches_zlib);
    tcase_add_test(tc, header_layout);
    tcase_add_test(tc, truncated_everywhere);
    tcase_add_test(tc, corrupt_bytes);
    tcase_add_test(tc, nonfinite_parameter);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, version1_upgrade);
    suite_add_tcase(s, tc);
    return s;
}
