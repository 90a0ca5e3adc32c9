/* Model loads under hostile files (issue 22): the header is checked before
 * anything is allocated, the declared sizes are checked against the
 * configuration before the agent is allocated, every field of the
 * optimiser state is validated, and the memory of a load of N bytes is
 * bounded as docs/model-format.md ("Resource limits") says. */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ram/ram.h"

long long ram_test_bytes(void); /* tests/test_alloc.c: -1 if not counted */

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void fix_crc(unsigned char *buf, size_t size)
{
    put32(buf + size - 4, (uint32_t)crc32(0L, buf, (uInt)(size - 4)));
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static ram_agent *small_agent(int core, int64_t steps)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 16), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 8), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 24), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_HIDDEN, 20), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_CORE, core), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_MAX_STEPS, steps), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    return a;
}

static unsigned char *save_of(ram_agent *a, unsigned flags, size_t *size)
{
    ck_assert_int_eq(ram_agent_save(a, flags, NULL, 0, size), RAM_OK);
    unsigned char *buf = malloc(*size);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(ram_agent_save(a, flags, buf, *size, size), RAM_OK);
    return buf;
}

/* Offset of the data of chunk `tag` ("CONF", ...), its length in *len. */
static size_t chunk(const unsigned char *buf, size_t size, const char *tag,
                    size_t *len)
{
    size_t off = 24;
    while (off + 16 <= size - 4) {
        uint64_t n = get32(buf + off + 8) | (uint64_t)get32(buf + off + 12)
                                                << 32;
        if (memcmp(buf + off, tag, 4) == 0) {
            *len = (size_t)n;
            return off + 16;
        }
        off += 16 + (size_t)n;
    }
    ck_abort_msg("no chunk %s", tag);
    return 0;
}

/* A sparse file of `size` bytes starting with `head`. */
static void sparse_file(const char *path, const void *head, size_t n,
                        off_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, head, n), (ssize_t)n);
    ck_assert_int_eq(ftruncate(fd, size), 0);
    close(fd);
}

/* A gigabyte of zeros, the magic followed by zeros, and a header whose
 * total disagrees with the file: refused after reading the header, in
 * well under a second, allocating almost nothing. */
START_TEST(huge_files_fail_fast)
{
    char path[] = "/tmp/ram-limits-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    const off_t gib = (off_t)1 << 30;
    unsigned char head[24] = {0};
    struct {
        size_t n;
        int status;
    } cases[4] = {{0, RAM_E_FORMAT}, {8, RAM_E_FORMAT}, {24, RAM_E_FORMAT},
                  {24, RAM_E_TRUNCATED}};
    for (int k = 0; k < 4; k++) {
        memset(head, 0, sizeof head);
        if (k >= 1)
            memcpy(head, "RAMMODEL", 8);
        if (k >= 2) {
            put32(head + 8, 2);
            /* k = 2: total 100 bytes in a 1 GiB file; k = 3: 2 GiB */
            put64(head + 16, k == 2 ? 100 : 2 * (uint64_t)gib);
        }
        sparse_file(path, head, k == 0 ? 0 : 24, gib);
        long long b0 = ram_test_bytes();
        double t0 = now();
        ram_agent *a = (ram_agent *)&head; /* set to NULL on error */
        int rc = ram_agent_load_file(&a, path, 0);
        double dt = now() - t0;
        long long used = ram_test_bytes() - b0;
        ck_assert_msg(rc == cases[k].status, "case %d: %s (%s)", k,
                      ram_status_name(rc), ram_last_error());
        ck_assert_ptr_null(a);
        ck_assert_msg(dt < 0.5, "case %d took %.2f s", k, dt);
        if (b0 >= 0)
            ck_assert_msg(used < 65536, "case %d allocated %lld bytes", k,
                          used);
    }
    unlink(path);
}
END_TEST

/* A small file whose CONF claims huge layers (checksum fixed up) is
 * RAM_E_FORMAT, not RAM_E_NOMEM, and allocates nothing of that size. */
START_TEST(small_file_claiming_huge_layers)
{
    ram_agent *a = small_agent(RAM_CORE_RNN, 6);
    size_t size, len;
    unsigned char *buf = save_of(a, RAM_SAVE_OPTIMIZER, &size);
    ram_agent_free(a);
    size_t conf = chunk(buf, size, "CONF", &len);
    /* Keys are u32 key, i64 value after a u32 count. */
    const uint32_t keys[] = {RAM_CFG_HIDDEN, RAM_CFG_GLIMPSE_WHAT,
                             RAM_CFG_GLIMPSE_SIZE, RAM_CFG_PATCH,
                             RAM_CFG_MAX_STEPS};
    const int64_t vals[] = {65536, 65536, 65536, 64, 4096};
    for (int k = 0; k < 5; k++) {
        unsigned char *m = malloc(size);
        memcpy(m, buf, size);
        for (size_t off = conf + 4; off < conf + len; off += 12)
            if (get32(m + off) == keys[k])
                put64(m + off + 4, (uint64_t)vals[k]);
        fix_crc(m, size);
        long long b0 = ram_test_bytes();
        int rc = ram_agent_load(&a, m, size, 0);
        long long used = ram_test_bytes() - b0;
        if (keys[k] == RAM_CFG_MAX_STEPS) {
            /* More steps change no parameter count: a valid model. */
            ck_assert_int_eq(rc, RAM_OK);
            ram_agent_free(a);
        } else {
            ck_assert_msg(rc == RAM_E_FORMAT, "key %u: %s (%s)", keys[k],
                          ram_status_name(rc), ram_last_error());
            if (b0 >= 0)
                ck_assert_msg(used < 4096, "key %u: %lld bytes", keys[k],
                              used);
        }
        free(m);
    }
    /* The largest configuration a file may declare: every key at its
     * bound (LSTM core, 8 scales of 64 x 64 x 64 channels, every layer
     * 65536 wide, 65536 actions) implies 184,684,445,699 parameters, a
     * PARM chunk of 738,737,782,804 bytes; a file that does not hold them
     * is RAM_E_FORMAT before anything is allocated. */
    {
        unsigned char *m = malloc(size);
        memcpy(m, buf, size);
        for (size_t off = conf + 4; off < conf + len; off += 12) {
            int64_t lo, hi;
            uint32_t key = get32(m + off);
            ck_assert_int_eq(ram_config_bounds((int)key, &lo, &hi), RAM_OK);
            if (key == RAM_CFG_PATCH)
                hi = 64;
            else if (key == RAM_CFG_SCALES)
                hi = 8;
            else if (key != RAM_CFG_SEED && key != RAM_CFG_TRAINABLE &&
                     key != RAM_CFG_INPUT_FORMAT &&
                     key != RAM_CFG_LOCATION_BOUND &&
                     key != RAM_CFG_ACTION_MODE)
                (void)0;
            else
                continue;
            put64(m + off + 4, (uint64_t)hi);
        }
        fix_crc(m, size);
        int rc = ram_agent_load(&a, m, size, 0);
        ck_assert_int_eq(rc, RAM_E_FORMAT);
        ck_assert_msg(strstr(ram_last_error(), "184684445699 parameters (738737782804 bytes)"),
                      "%s", ram_last_error());
        free(m);
    }
    free(buf);
}
END_TEST

/* Every field of the optimiser state: the Adam step count (2^64 - 1, or
 * above the update count), the update count, a negative second moment, a
 * NaN first moment, a zero RNG state. Each is refused; the untouched file
 * loads and its update keeps every parameter finite. */
START_TEST(optimizer_state_validated)
{
    ram_agent *a = small_agent(RAM_CORE_LSTM, 3);
    /* A few real updates so that the counts are not 0. */
    static float img[28 * 28];
    for (int i = 0; i < 28 * 28; i++)
        img[i] = (float)(i % 17) / 17.0f;
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_F32, 28, 28, 28 * 4, 0),
                     RAM_OK);
    for (int u = 0; u < 3; u++) {
        int label = u % 10;
        ck_assert_int_eq(ram_agent_begin(a, 1, RAM_BEGIN_TRAIN), RAM_OK);
        ck_assert_int_eq(ram_agent_step(a, img, sizeof img, NULL, NULL, NULL),
                         RAM_OK);
        ck_assert_int_eq(ram_agent_end(a, &label), RAM_OK);
        ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    }
    size_t size, len;
    unsigned char *buf = save_of(a, RAM_SAVE_OPTIMIZER, &size);
    ram_agent_free(a);
    size_t o = chunk(buf, size, "OPTM", &len);
    size_t count = (len - 64) / 8;
    /* u32 kind, u32 reserved, u64 adam_t @8, u64 updates @16, u64 count
     * @24, 4 x u64 rng @32, m @64, v @64 + 4 count. */
    for (int k = 0; k < 7; k++) {
        unsigned char *m = malloc(size);
        memcpy(m, buf, size);
        int want = RAM_E_FORMAT;
        switch (k) {
        case 0: put64(m + o + 8, UINT64_MAX); break;       /* adam_t */
        case 1: put64(m + o + 8, 4); break;                /* > updates */
        case 2: put64(m + o + 16, UINT64_MAX); break;      /* updates */
        case 3: { float f = -1e-3f; uint32_t w; memcpy(&w, &f, 4);
                  put32(m + o + 64 + 4 * count + 4 * (count / 2), w); } break;
        case 4: { float f = NAN; uint32_t w; memcpy(&w, &f, 4);
                  put32(m + o + 64 + 4 * 7, w); want = RAM_E_NONFINITE; }
                break;
        case 5: memset(m + o + 32, 0, 32); break;          /* rng */
        case 6: put64(m + o + 24, count + 1); break;       /* count */
        }
        fix_crc(m, size);
        ram_agent *b = (ram_agent *)m;
        int rc = ram_agent_load(&b, m, size, 0);
        ck_assert_msg(rc == want, "case %d: %s (%s)", k, ram_status_name(rc),
                      ram_last_error());
        ck_assert_ptr_null(b);
        /* An inference load ignores the optimiser state. */
        ck_assert_int_eq(ram_agent_load(&b, m, size, RAM_LOAD_INFERENCE),
                         RAM_OK);
        ram_agent_free(b);
        free(m);
    }
    ck_assert_int_eq(ram_agent_load(&a, buf, size, 0), RAM_OK);
    ram_agent_free(a);
    free(buf);
}
END_TEST

/* The documented bound (docs/model-format.md, "Resource limits"): a load
 * from memory of N bytes allocates at most
 *     inference:  2 N + 64 KiB
 *     training:   (5 + 2 T) N + 64 KiB      (T = RAM_CFG_MAX_STEPS)
 * and ram_agent_load_file at most N + 1 bytes more. Pinned on the
 * committed models and on small configurations of both cores, where the
 * per-step buffers weigh most against the parameters. */
START_TEST(load_memory_bound)
{
    if (ram_test_bytes() < 0)
        return; /* allocator replaced by a sanitizer */
    static const char *files[] = {"models/mnist28.ram", "models/catch.ram",
                                  "models/translated60.ram",
                                  "models/cluttered60.ram"};
    double worst[2] = {0, 0};
    for (int k = 0; k < 10; k++) {
        unsigned char *buf = NULL;
        size_t n = 0;
        if (k < 4) {
            FILE *f = fopen(files[k], "rb");
            if (!f)
                continue;
            buf = malloc(1 << 23);
            n = fread(buf, 1, 1 << 23, f);
            fclose(f);
        } else if (k < 8) {
            ram_agent *a = small_agent(k & 1 ? RAM_CORE_LSTM : RAM_CORE_RNN,
                                       k < 6 ? 1 : 64);
            buf = save_of(a, RAM_SAVE_OPTIMIZER, &n);
            ram_agent_free(a);
        } else {
            /* The extremes: every layer 1 wide, or a 64 x 64 retina into
             * one unit, at the largest step count. */
            ram_config *cfg;
            ram_agent *a;
            ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
            const int keys[] = {RAM_CFG_GLIMPSE_WHAT, RAM_CFG_GLIMPSE_WHERE,
                                RAM_CFG_GLIMPSE_SIZE, RAM_CFG_HIDDEN,
                                RAM_CFG_ACTIONS, RAM_CFG_PATCH};
            for (int q = 0; q < 6; q++)
                ck_assert_int_eq(ram_config_set(cfg, keys[q],
                                                q == 4 ? 2
                                                : q == 5 ? (k == 8 ? 1 : 64)
                                                         : 1),
                                 RAM_OK);
            ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_CORE,
                                            k == 8 ? RAM_CORE_LSTM
                                                   : RAM_CORE_RNN),
                             RAM_OK);
            ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_MAX_STEPS, 4096),
                             RAM_OK);
            ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
            ram_config_free(cfg);
            buf = save_of(a, RAM_SAVE_OPTIMIZER, &n);
            ram_agent_free(a);
        }
        for (int infer = 0; infer < 2; infer++) {
            ram_agent *a;
            long long b0 = ram_test_bytes();
            ck_assert_int_eq(ram_agent_load(&a, buf, n,
                                            infer ? RAM_LOAD_INFERENCE : 0),
                             RAM_OK);
            long long used = ram_test_bytes() - b0;
            int64_t T;
            ram_agent_get_config(a, RAM_CFG_MAX_STEPS, &T);
            double bound = infer ? 2.0 * (double)n + 65536
                                 : (5.0 + 2.0 * (double)T) * (double)n + 65536;
            ck_assert_msg((double)used <= bound,
                          "model %d%s: %lld bytes for a %zu-byte model (T %lld)"
                          ", bound %.0f",
                          k, infer ? " (inference)" : "", used, n,
                          (long long)T, bound);
            double r = ((double)used - 65536) / (double)n;
            if (r > worst[infer])
                worst[infer] = r;
            /* The file load: one buffer of N + 1 bytes more. */
            if (k < 4) {
                ram_agent *b;
                b0 = ram_test_bytes();
                ck_assert_int_eq(ram_agent_load_file(&b, files[k],
                                                     infer ? RAM_LOAD_INFERENCE
                                                           : 0),
                                 RAM_OK);
                ck_assert((double)(ram_test_bytes() - b0) <=
                          bound + (double)n + 1);
                ram_agent_free(b);
            }
            ram_agent_free(a);
        }
        free(buf);
    }
    ck_assert(worst[0] > 0.0);
    if (getenv("RAM_TEST_VERBOSE"))
        fprintf(stderr, "load memory: worst (bytes - 64 KiB) / N: training "
                "%.2f, inference %.2f\n", worst[0], worst[1]);
}
END_TEST

/* Mutants: random edits of a trained small model (bytes, whole floats,
 * 64-bit fields), the checksum recomputed. Each is rejected, or accepted
 * and then harmless: an inference and a training episode, an update and a
 * save and reload keep every promise (no RAM_OK with a NaN or infinite
 * output, a refused update changes nothing, a saved model loads). Accepted
 * mutants whose update is refused are counted apart (harmless: nothing is
 * corrupted, and the refusal is reported). */
static int mutant_harmful(ram_agent *a, const float *img, size_t img_size)
{
    float loc[2], probs[16];
    int act;
    for (int train = 0; train < 2; train++) {
        int rc = ram_agent_begin(a, 1, train ? RAM_BEGIN_TRAIN : 0);
        if (rc != RAM_OK)
            continue;
        if (ram_agent_location(a, loc) != RAM_OK || !isfinite(loc[0]) ||
            !isfinite(loc[1]))
            return 1;
        int64_t T, A;
        ram_agent_get_config(a, RAM_CFG_MAX_STEPS, &T);
        ram_agent_get_config(a, RAM_CFG_ACTIONS, &A);
        for (int64_t t = 0; t < T; t++) {
            rc = ram_agent_step(a, img, img_size, loc, probs, &act);
            if (rc == RAM_OK) {
                if (!isfinite(loc[0]) || !isfinite(loc[1]))
                    return 2;
                for (int64_t k = 0; k < A && k < 16; k++)
                    if (!isfinite(probs[k]))
                        return 3;
            }
            float r = 1.0f;
            ram_agent_reward(a, &r);
        }
        int label = 0;
        rc = ram_agent_end(a, &label);
        if (rc == RAM_OK && train) {
            float *p;
            size_t n;
            ram_agent_params(a, &p, NULL, &n);
            float *before = malloc(n * sizeof(float));
            memcpy(before, p, n * sizeof(float));
            rc = ram_agent_update(a);
            int bad = 0;
            for (size_t i = 0; i < n && !bad; i++)
                bad = rc == RAM_OK ? !isfinite(p[i])
                                   : memcmp(&before[i], &p[i], 4) != 0;
            free(before);
            if (bad)
                return 4;
            if (rc == RAM_E_NONFINITE)
                return -1; /* refused, reported: counted apart */
        }
    }
    size_t size;
    if (ram_agent_save(a, RAM_SAVE_OPTIMIZER, NULL, 0, &size) != RAM_OK)
        return 0;
    unsigned char *buf = malloc(size);
    ram_agent_save(a, RAM_SAVE_OPTIMIZER, buf, size, &size);
    ram_agent *b;
    int rc = ram_agent_load(&b, buf, size, 0);
    free(buf);
    if (rc != RAM_OK)
        return 5;
    ram_agent_free(b);
    return 0;
}

START_TEST(mutants_harmless)
{
    ram_agent *a = small_agent(_i ? RAM_CORE_LSTM : RAM_CORE_RNN, 3);
    static float img[28 * 28];
    for (int i = 0; i < 28 * 28; i++)
        img[i] = (float)(i % 13) / 13.0f;
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_F32, 28, 28, 28 * 4, 0),
                     RAM_OK);
    for (int u = 0; u < 2; u++) {
        int label = u;
        ck_assert_int_eq(ram_agent_begin(a, 1, RAM_BEGIN_TRAIN), RAM_OK);
        ck_assert_int_eq(ram_agent_step(a, img, sizeof img, NULL, NULL, NULL),
                         RAM_OK);
        ck_assert_int_eq(ram_agent_end(a, &label), RAM_OK);
        ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    }
    size_t size;
    unsigned char *buf = save_of(a, RAM_SAVE_OPTIMIZER, &size);
    ram_agent_free(a);
    unsigned char *m = malloc(size);
    uint64_t x = 0x9e3779b97f4a7c15u * (uint64_t)(_i + 1);
    int tried = 0, rejected = 0, harmless = 0, refused = 0, harmful = 0;
    const int count = 1500;
    for (int k = 0; k < count; k++) {
        memcpy(m, buf, size);
        int edits = 1 + (int)(x % 3);
        for (int e = 0; e < edits; e++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            size_t off = 24 + (size_t)(x >> 33) % (size - 28);
            unsigned kind = (unsigned)(x >> 20) % 4;
            uint64_t v = x * 0xbf58476d1ce4e5b9u;
            if (kind == 0) /* one byte */
                m[off] = (unsigned char)v;
            else if (kind == 1 && off + 4 <= size - 4) { /* a float */
                static const float odd[] = {1e30f, -1e30f, 3.4e38f, 1e10f,
                                            -1.0f, 0.0f, 1e-40f, 65504.0f};
                memcpy(m + (off & ~(size_t)3), &odd[v % 8], 4);
            } else if (kind == 2 && off + 8 <= size - 4) /* a u64 */
                put64(m + off, v % 3 == 0 ? UINT64_MAX : v >> (v % 64));
            else /* one bit */
                m[off] ^= (unsigned char)(1u << (v % 8));
        }
        fix_crc(m, size);
        tried++;
        ram_agent *b;
        if (ram_agent_load(&b, m, size, 0) != RAM_OK) {
            rejected++;
            continue;
        }
        int h = mutant_harmful(b, img, sizeof img);
        ram_agent_free(b);
        if (h > 0) {
            harmful++;
            fprintf(stderr, "mutant %d harmful (%d)\n", k, h);
        } else if (h < 0)
            refused++;
        else
            harmless++;
    }
    if (getenv("RAM_TEST_VERBOSE"))
        fprintf(stderr,
                "mutants (%s): %d tried, %d rejected, %d accepted harmless "
                "(%d of them with the update refused and reported), %d "
                "accepted harmful\n",
                _i ? "LSTM" : "RNN", tried, rejected, harmless + refused,
                refused, harmful);
    ck_assert_int_eq(harmful, 0);
    ck_assert_int_gt(rejected, 0);
    ck_assert_int_gt(harmless, 0);
    free(m);
    free(buf);
}
END_TEST

Suite *suite_model_limits(void)
{
    Suite *s = suite_create("model_limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, huge_files_fail_fast);
    tcase_add_test(tc, small_file_claiming_huge_layers);
    tcase_add_test(tc, optimizer_state_validated);
    tcase_add_test(tc, load_memory_bound);
    tcase_add_loop_test(tc, mutants_harmless, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
