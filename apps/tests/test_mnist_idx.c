/* Tests for examples/mnist/idx.c: the IDX reader and the MNIST loader.
 * The tests write their own small IDX files (plain and gzipped) into a
 * fresh temporary directory. The real-data tests run only when the MNIST
 * (Fashion-MNIST) files are present and otherwise print "skipped". */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "idx.h"

/* ---- helpers ---------------------------------------------------------- */

static void make_tmpdir(char *dir, size_t n)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, n, "%s/ram-idx-test-XXXXXX", (t && *t) ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rm_tmpdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static void join(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Builds magic + n_dims dims + data into a malloc'ed buffer. */
static uint8_t *build_idx(uint32_t magic, int n_dims, const uint32_t *dims,
                          const uint8_t *data, size_t n_data, size_t *len)
{
    *len = 4 + 4 * (size_t)n_dims + n_data;
    uint8_t *b = malloc(*len + 1);
    ck_assert_ptr_nonnull(b);
    put_be32(b, magic);
    for (int i = 0; i < n_dims; i++)
        put_be32(b + 4 + 4 * i, dims[i]);
    if (n_data > 0)
        memcpy(b + 4 + 4 * (size_t)n_dims, data, n_data);
    return b;
}

static void write_bytes(const char *path, const uint8_t *b, size_t n, int gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        if (n > 0)
            ck_assert_int_eq(gzwrite(f, b, (unsigned)n), (int)n);
        ck_assert_int_eq(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        if (n > 0)
            ck_assert_uint_eq(fwrite(b, 1, n, f), n);
        ck_assert_int_eq(fclose(f), 0);
    }
}

static uint8_t *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    uint8_t *b = malloc(1 << 20);
    ck_assert_ptr_nonnull(b);
    *n = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

/* Writes an IDX file; returns nothing, asserts on failure. */
static void write_idx(const char *path, uint32_t magic, int n_dims,
                      const uint32_t *dims, const uint8_t *data,
                      size_t n_data, int gz)
{
    size_t len;
    uint8_t *b = build_idx(magic, n_dims, dims, data, n_data, &len);
    write_bytes(path, b, len, gz);
    free(b);
}

static uint8_t *pattern(size_t n, unsigned mul)
{
    uint8_t *d = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; i < n; i++)
        d[i] = (uint8_t)((i * mul + 11) % 256);
    return d;
}

static int is_zeroed(const idx_array *a)
{
    return a->data == NULL && a->ndim == 0 && a->size == 0 &&
           a->dims[0] == 0 && a->dims[1] == 0 && a->dims[2] == 0;
}

#define ASSERT_HAS(haystack, needle)                                        \
    ck_assert_msg(strstr((haystack), (needle)) != NULL,                      \
                  "message \"%s\" lacks \"%s\"", (haystack), (needle))

/* ---- valid files ------------------------------------------------------ */

static void check_valid_images(int gz)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    join(p, sizeof p, dir, gz ? "img.gz" : "img");
    const uint32_t dims[3] = {3, 28, 28};
    uint8_t *data = pattern(3 * 784, 7);
    write_idx(p, 0x00000803, 3, dims, data, 3 * 784, gz);

    idx_array a;
    int st = idx_load(p, &a, err, sizeof err);
    ck_assert_msg(st == IDX_OK, "idx_load: %d %s", st, err);
    ck_assert_int_eq(a.ndim, 3);
    ck_assert_uint_eq(a.dims[0], 3);
    ck_assert_uint_eq(a.dims[1], 28);
    ck_assert_uint_eq(a.dims[2], 28);
    ck_assert_uint_eq(a.size, 3 * 784);
    ck_assert_ptr_nonnull(a.data);
    ck_assert_mem_eq(a.data, data, 3 * 784);
    idx_free(&a);
    ck_assert(is_zeroed(&a));
    free(data);
    rm_tmpdir(dir);
}

START_TEST(test_valid_plain)
{
    check_valid_images(0);
}
END_TEST

START_TEST(test_valid_gz)
{
    check_valid_images(1);
}
END_TEST

START_TEST(test_valid_labels_and_2d)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    idx_array a;

    join(p, sizeof p, dir, "labels.gz");
    const uint32_t n[1] = {10};
    const uint8_t lab[10] = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
    write_idx(p, 0x00000801, 1, n, lab, 10, 1);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_OK);
    ck_assert_int_eq(a.ndim, 1);
    ck_assert_uint_eq(a.dims[0], 10);
    ck_assert_uint_eq(a.dims[1], 0);
    ck_assert_uint_eq(a.size, 10);
    ck_assert_mem_eq(a.data, lab, 10);
    idx_free(&a);

    join(p, sizeof p, dir, "m2");
    const uint32_t d2[2] = {3, 5};
    uint8_t *data = pattern(15, 3);
    write_idx(p, 0x00000802, 2, d2, data, 15, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_OK);
    ck_assert_int_eq(a.ndim, 2);
    ck_assert_uint_eq(a.dims[0], 3);
    ck_assert_uint_eq(a.dims[1], 5);
    ck_assert_uint_eq(a.size, 15);
    ck_assert_mem_eq(a.data, data, 15);
    idx_free(&a);
    free(data);
    rm_tmpdir(dir);
}
END_TEST

/* ---- broken files ----------------------------------------------------- */

static void check_truncated(int gz)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    join(p, sizeof p, dir, gz ? "t.gz" : "t");
    const uint32_t dims[3] = {3, 28, 28}; /* claims 2352 bytes */
    uint8_t *data = pattern(1000, 5);
    write_idx(p, 0x00000803, 3, dims, data, 1000, gz);
    idx_array a;
    memset(&a, 0x5A, sizeof a);
    int st = idx_load(p, &a, err, sizeof err);
    ck_assert_int_eq(st, IDX_E_TRUNCATED);
    ck_assert(is_zeroed(&a));
    ASSERT_HAS(err, p);
    ASSERT_HAS(err, "truncated");
    ASSERT_HAS(err, "expected 2352 bytes of data");
    ASSERT_HAS(err, "got 1000");
    free(data);
    rm_tmpdir(dir);
}

START_TEST(test_truncated_data_plain)
{
    check_truncated(0);
}
END_TEST

START_TEST(test_truncated_data_gz)
{
    check_truncated(1);
}
END_TEST

START_TEST(test_truncated_header)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    idx_array a;
    join(p, sizeof p, dir, "h");

    /* Empty file. */
    write_bytes(p, (const uint8_t *)"", 0, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_HEADER);
    ASSERT_HAS(err, "empty");
    ck_assert(is_zeroed(&a));

    /* Two bytes of magic. */
    const uint8_t two[2] = {0, 0};
    write_bytes(p, two, 2, 1);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_HEADER);
    ASSERT_HAS(err, "truncated header");
    ASSERT_HAS(err, "got 2 bytes");

    /* Magic declares 3 dims, only 1.5 dims present. */
    const uint8_t part[10] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0};
    write_bytes(p, part, sizeof part, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_HEADER);
    ASSERT_HAS(err, "truncated header");
    ASSERT_HAS(err, "3 dimensions");
    ASSERT_HAS(err, "got 6 bytes");
    ck_assert(is_zeroed(&a));
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_wrong_magic)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    idx_array a;
    join(p, sizeof p, dir, "m");
    const uint32_t dims[3] = {1, 2, 2};
    const uint8_t data[4] = {1, 2, 3, 4};

    /* Non-zero leading bytes (e.g. a PNG or text file). */
    write_idx(p, 0x89504E47, 3, dims, data, 4, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_MAGIC);
    ASSERT_HAS(err, "bad magic number 0x89504E47");
    ASSERT_HAS(err, "not an IDX file");
    ck_assert(is_zeroed(&a));

    write_idx(p, 0x01000803, 3, dims, data, 4, 1);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_MAGIC);

    /* Zero or too many dimensions. */
    write_idx(p, 0x00000800, 0, dims, data, 4, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_MAGIC);
    ASSERT_HAS(err, "0 dimensions");
    const uint32_t d4[4] = {1, 1, 2, 2};
    write_idx(p, 0x00000804, 4, d4, data, 4, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_MAGIC);
    ASSERT_HAS(err, "4 dimensions");
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_wrong_type)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    idx_array a;
    join(p, sizeof p, dir, "ty.gz");
    const uint32_t dims[1] = {4};
    const uint8_t data[16] = {0};

    write_idx(p, 0x00000D01, 1, dims, data, 16, 1); /* float32 */
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_TYPE);
    ASSERT_HAS(err, "0x0D");
    ASSERT_HAS(err, "float32");
    ASSERT_HAS(err, "only 0x08");
    ck_assert(is_zeroed(&a));

    write_idx(p, 0x00000701, 1, dims, data, 4, 1); /* not a type */
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_TYPE);
    ASSERT_HAS(err, "invalid data type byte 0x07");
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_lying_dims)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    idx_array a;
    uint8_t *data = pattern(105, 3);

    /* Claims 5 x 5 x 5 = 125 bytes, 105 present. */
    join(p, sizeof p, dir, "more.gz");
    const uint32_t more[3] = {5, 5, 5};
    write_idx(p, 0x00000803, 3, more, data, 105, 1);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_TRUNCATED);
    ASSERT_HAS(err, "expected 125 bytes");
    ASSERT_HAS(err, "got 105");
    ck_assert(is_zeroed(&a));

    /* Claims 4 x 5 x 5 = 100 bytes, 105 present: trailing data. */
    const uint32_t fewer[3] = {4, 5, 5};
    for (int gz = 0; gz < 2; gz++) {
        join(p, sizeof p, dir, gz ? "fewer.gz" : "fewer");
        write_idx(p, 0x00000803, 3, fewer, data, 105, gz);
        ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_TRAILING);
        ASSERT_HAS(err, p);
        ASSERT_HAS(err, "trailing data");
        ASSERT_HAS(err, "5 extra bytes");
        ck_assert(is_zeroed(&a));
    }

    /* Labels: claims 3, has 4. */
    join(p, sizeof p, dir, "lab");
    const uint32_t three[1] = {3};
    write_idx(p, 0x00000801, 1, three, data, 4, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_TRAILING);
    ASSERT_HAS(err, "1 extra bytes");
    free(data);
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_bad_dims)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    idx_array a;
    join(p, sizeof p, dir, "d");
    const uint8_t data[4] = {1, 2, 3, 4};

    const uint32_t zero0[3] = {0, 28, 28};
    write_idx(p, 0x00000803, 3, zero0, data, 0, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_DIMS);
    ASSERT_HAS(err, "size 0 is zero");
    ck_assert(is_zeroed(&a));

    const uint32_t zero2[3] = {2, 2, 0};
    write_idx(p, 0x00000803, 3, zero2, data, 4, 1);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_DIMS);
    ASSERT_HAS(err, "size 2 is zero");

    const uint32_t neg[1] = {0xFFFFFFFFu};
    write_idx(p, 0x00000801, 1, neg, data, 4, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_DIMS);
    ASSERT_HAS(err, "negative (-1)");

    /* 65536 x 65536 x 2 = 2^33 bytes: over the limit, rejected before any
     * allocation. */
    const uint32_t huge[3] = {65536, 65536, 2};
    write_idx(p, 0x00000803, 3, huge, data, 4, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_DIMS);
    ASSERT_HAS(err, "exceed");
    ck_assert(is_zeroed(&a));
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_open_errors)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    idx_array a;
    join(p, sizeof p, dir, "does-not-exist.gz");
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_OPEN);
    ASSERT_HAS(err, p);
    ASSERT_HAS(err, "No such file");
    ck_assert(is_zeroed(&a));

    ck_assert_int_eq(idx_load(dir, &a, err, sizeof err), IDX_E_OPEN);
    ASSERT_HAS(err, "directory");

    /* NULL arguments; err may be NULL or tiny. */
    ck_assert_int_eq(idx_load(NULL, &a, err, sizeof err), IDX_E_ARG);
    ck_assert_int_eq(idx_load(p, NULL, err, sizeof err), IDX_E_ARG);
    ck_assert_int_eq(idx_load(p, &a, NULL, 0), IDX_E_OPEN);
    char tiny[4];
    ck_assert_int_eq(idx_load(p, &a, tiny, sizeof tiny), IDX_E_OPEN);
    ck_assert_uint_eq(strlen(tiny), 3);
    idx_free(NULL);
    idx_free(&a);
    rm_tmpdir(dir);
}
END_TEST

/* Gzip-level damage: cut stream, missing trailer, bad CRC. */
START_TEST(test_damaged_gzip)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    idx_array a;
    join(p, sizeof p, dir, "z.gz");
    const uint32_t dims[3] = {40, 28, 28};
    uint8_t *data = malloc(40 * 784);
    ck_assert_ptr_nonnull(data);
    /* Poorly compressible bytes so the stream is long. */
    uint32_t x = 12345;
    for (size_t i = 0; i < 40 * 784; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 24);
    }
    write_idx(p, 0x00000803, 3, dims, data, 40 * 784, 1);
    size_t n;
    uint8_t *gz = read_whole(p, &n);
    ck_assert_uint_gt(n, 20000);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_OK);
    idx_free(&a);

    /* Cut in the middle of the deflate stream. */
    write_bytes(p, gz, n / 2, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_TRUNCATED);
    ASSERT_HAS(err, "truncated");
    ASSERT_HAS(err, "expected 31360 bytes");
    ASSERT_HAS(err, "gzip stream ends early");
    ck_assert(is_zeroed(&a));

    /* All data present but the 8-byte trailer (CRC32, length) missing. */
    write_bytes(p, gz, n - 8, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_TRUNCATED);
    ASSERT_HAS(err, "gzip stream ends early");
    ck_assert(is_zeroed(&a));

    /* Wrong CRC. */
    gz[n - 8] ^= 0xFF;
    write_bytes(p, gz, n, 0);
    ck_assert_int_eq(idx_load(p, &a, err, sizeof err), IDX_E_READ);
    ASSERT_HAS(err, "corrupt gzip data");
    ck_assert(is_zeroed(&a));

    free(gz);
    free(data);
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_strerror)
{
    ck_assert_str_eq(idx_strerror(IDX_OK), "success");
    ck_assert_str_eq(idx_strerror(IDX_E_TRAILING), "trailing data");
    ck_assert_str_eq(idx_strerror(IDX_E_TRUNCATED), "truncated data");
    ck_assert_str_eq(idx_strerror(12345), "unknown error");
}
END_TEST

/* ---- mnist_load ------------------------------------------------------- */

/* Writes a synthetic MNIST directory: n_train/n_test images (gzipped for
 * train, plain names for test) with labels i % 10. */
static void write_mnist_dir(const char *dir, uint32_t n_train,
                            uint32_t n_test, uint32_t n_train_labels)
{
    char p[1024];
    uint8_t *img = pattern((size_t)n_train * 784, 13);
    uint8_t lab[64];
    for (int i = 0; i < 64; i++)
        lab[i] = (uint8_t)(i % 10);
    uint32_t d[3] = {n_train, 28, 28};
    join(p, sizeof p, dir, "train-images-idx3-ubyte.gz");
    write_idx(p, 0x00000803, 3, d, img, (size_t)n_train * 784, 1);
    join(p, sizeof p, dir, "train-labels-idx1-ubyte.gz");
    write_idx(p, 0x00000801, 1, &n_train_labels, lab, n_train_labels, 1);
    free(img);
    img = pattern((size_t)n_test * 784, 17);
    d[0] = n_test;
    join(p, sizeof p, dir, "t10k-images-idx3-ubyte");
    write_idx(p, 0x00000803, 3, d, img, (size_t)n_test * 784, 0);
    join(p, sizeof p, dir, "t10k-labels-idx1-ubyte");
    write_idx(p, 0x00000801, 1, &n_test, lab, n_test, 0);
    free(img);
}

START_TEST(test_mnist_load_valid)
{
    char dir[512], err[512];
    make_tmpdir(dir, sizeof dir);
    write_mnist_dir(dir, 12, 5, 12);
    mnist_data m;
    int st = mnist_load(dir, &m, err, sizeof err);
    ck_assert_msg(st == IDX_OK, "mnist_load: %s", err);
    ck_assert_uint_eq(m.n_train, 12);
    ck_assert_uint_eq(m.n_test, 5);
    ck_assert_uint_eq(m.train_images.size, 12 * 784);
    ck_assert_uint_eq(m.test_images.size, 5 * 784);
    ck_assert_uint_eq(m.train_labels.size, 12);
    ck_assert_uint_eq(m.test_labels.size, 5);
    ck_assert_uint_eq(m.train_labels.data[11], 1);
    ck_assert_uint_eq(m.test_labels.data[4], 4);
    ck_assert_uint_eq(m.train_images.data[1000], (1000 * 13 + 11) % 256);
    ck_assert_uint_eq(m.test_images.data[1000], (1000 * 17 + 11) % 256);
    mnist_free(&m);
    ck_assert_ptr_null(m.train_images.data);
    ck_assert_uint_eq(m.n_train, 0);
    mnist_free(NULL);

    /* A trailing slash in the directory is fine. */
    char dir2[600];
    snprintf(dir2, sizeof dir2, "%s/", dir);
    ck_assert_int_eq(mnist_load(dir2, &m, err, sizeof err), IDX_OK);
    mnist_free(&m);
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_mnist_load_prefers_gz)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    write_mnist_dir(dir, 3, 2, 3);
    /* A broken plain file next to the good .gz must be ignored. */
    join(p, sizeof p, dir, "train-images-idx3-ubyte");
    write_bytes(p, (const uint8_t *)"junk", 4, 0);
    mnist_data m;
    int st = mnist_load(dir, &m, err, sizeof err);
    ck_assert_msg(st == IDX_OK, "mnist_load: %s", err);
    ck_assert_uint_eq(m.n_train, 3);
    mnist_free(&m);
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_mnist_count_mismatch)
{
    char dir[512], err[512];
    make_tmpdir(dir, sizeof dir);
    write_mnist_dir(dir, 5, 2, 4); /* 5 images, 4 labels */
    mnist_data m;
    ck_assert_int_eq(mnist_load(dir, &m, err, sizeof err), IDX_E_MISMATCH);
    ASSERT_HAS(err, "train-labels-idx1-ubyte.gz: 4 labels");
    ASSERT_HAS(err, "has 5 images");
    ck_assert_ptr_null(m.train_images.data);
    ck_assert_ptr_null(m.train_labels.data);
    ck_assert_uint_eq(m.n_train, 0);
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_mnist_bad_contents)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    mnist_data m;

    /* Label 10. */
    write_mnist_dir(dir, 4, 2, 4);
    join(p, sizeof p, dir, "t10k-labels-idx1-ubyte");
    const uint32_t two[1] = {2};
    const uint8_t bad[2] = {3, 10};
    write_idx(p, 0x00000801, 1, two, bad, 2, 0);
    ck_assert_int_eq(mnist_load(dir, &m, err, sizeof err), IDX_E_LABEL);
    ASSERT_HAS(err, "label 10 at index 1");
    ck_assert_ptr_null(m.train_images.data); /* train freed too */

    /* 20x20 images. */
    write_mnist_dir(dir, 4, 2, 4);
    join(p, sizeof p, dir, "t10k-images-idx3-ubyte");
    const uint32_t d20[3] = {2, 20, 20};
    uint8_t *img = pattern(800, 3);
    write_idx(p, 0x00000803, 3, d20, img, 800, 0);
    free(img);
    ck_assert_int_eq(mnist_load(dir, &m, err, sizeof err), IDX_E_MISMATCH);
    ASSERT_HAS(err, "20x20, expected 28x28");

    /* A label file where the images should be. */
    write_mnist_dir(dir, 4, 2, 4);
    write_idx(p, 0x00000801, 1, two, bad, 2, 0);
    ck_assert_int_eq(mnist_load(dir, &m, err, sizeof err), IDX_E_MISMATCH);
    ASSERT_HAS(err, "not an image file");

    /* A truncated file: the idx_load message comes through. */
    write_mnist_dir(dir, 4, 2, 4);
    join(p, sizeof p, dir, "train-images-idx3-ubyte.gz");
    const uint32_t d4[3] = {4, 28, 28};
    img = pattern(784, 3);
    write_idx(p, 0x00000803, 3, d4, img, 784, 1);
    free(img);
    ck_assert_int_eq(mnist_load(dir, &m, err, sizeof err), IDX_E_TRUNCATED);
    ASSERT_HAS(err, "train-images-idx3-ubyte.gz: truncated");
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_mnist_missing_files)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    mnist_data m;
    write_mnist_dir(dir, 2, 2, 2);
    join(p, sizeof p, dir, "t10k-labels-idx1-ubyte");
    ck_assert_int_eq(unlink(p), 0);
    ck_assert_int_eq(mnist_load(dir, &m, err, sizeof err), IDX_E_OPEN);
    ASSERT_HAS(err, "t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte");
    ASSERT_HAS(err, "fetch-mnist.sh");
    ck_assert_ptr_null(m.train_images.data);

    join(p, sizeof p, dir, "no-such-subdir");
    ck_assert_int_eq(mnist_load(p, &m, err, sizeof err), IDX_E_OPEN);
    ASSERT_HAS(err, "MNIST directory not found");
    ck_assert_int_eq(mnist_load(NULL, &m, err, sizeof err), IDX_E_ARG);
    ck_assert_int_eq(mnist_load(dir, NULL, err, sizeof err), IDX_E_ARG);
    rm_tmpdir(dir);
}
END_TEST

START_TEST(test_mnist_default_dir)
{
    const char *old = getenv("RAM_MNIST_DIR");
    char *saved = old ? strdup(old) : NULL;

    ck_assert_int_eq(setenv("RAM_MNIST_DIR", "/env/dir", 1), 0);
    ck_assert_str_eq(mnist_default_dir("/cli/dir"), "/cli/dir");
    ck_assert_str_eq(mnist_default_dir(NULL), "/env/dir");
    ck_assert_str_eq(mnist_default_dir(""), "/env/dir");
    ck_assert_int_eq(setenv("RAM_MNIST_DIR", "", 1), 0);
    ck_assert_str_eq(mnist_default_dir(NULL), "data/mnist");
    ck_assert_int_eq(unsetenv("RAM_MNIST_DIR"), 0);
    ck_assert_str_eq(mnist_default_dir(NULL), "data/mnist");
    ck_assert_str_eq(mnist_default_dir("x"), "x");

    if (saved) {
        setenv("RAM_MNIST_DIR", saved, 1);
        free(saved);
    }
}
END_TEST

/* ---- real data (skipped when absent) ---------------------------------- */

static int has_mnist_files(const char *dir)
{
    char p[1024];
    struct stat sb;
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte.gz", dir);
    if (stat(p, &sb) == 0)
        return 1;
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte", dir);
    return stat(p, &sb) == 0;
}

/* $env if set and holding the files, else the fallback if it does. */
static const char *real_dir(const char *env, const char *fallback)
{
    const char *e = getenv(env);
    if (e != NULL && *e != '\0' && has_mnist_files(e))
        return e;
    if (has_mnist_files(fallback))
        return fallback;
    return NULL;
}

START_TEST(test_real_mnist)
{
    const char *dir = real_dir("RAM_MNIST_DIR", "data/mnist");
    if (dir == NULL) {
        printf("test_real_mnist: skipped: MNIST files absent\n");
        return;
    }
    char err[512];
    mnist_data m;
    int st = mnist_load(dir, &m, err, sizeof err);
    ck_assert_msg(st == IDX_OK, "mnist_load(%s): %s", dir, err);
    ck_assert_uint_eq(m.n_train, 60000);
    ck_assert_uint_eq(m.n_test, 10000);
    ck_assert_uint_eq(m.train_images.size, 47040000);
    ck_assert_uint_eq(m.test_images.size, 7840000);
    ck_assert_uint_eq(m.train_labels.data[0], 5);
    ck_assert_uint_eq(m.train_labels.data[1], 0);
    ck_assert_uint_eq(m.test_labels.data[0], 7);
    unsigned long sum = 0;
    for (int i = 0; i < 784; i++)
        sum += m.train_images.data[i];
    ck_assert_uint_eq(sum, 27525); /* the first training digit, a 5 */
    size_t counts[10] = {0};
    for (size_t i = 0; i < m.n_train; i++)
        counts[m.train_labels.data[i]]++;
    const size_t expect[10] = {5923, 6742, 5958, 6131, 5842,
                               5421, 5918, 6265, 5851, 5949};
    for (int k = 0; k < 10; k++)
        ck_assert_uint_eq(counts[k], expect[k]);
    mnist_free(&m);
}
END_TEST

START_TEST(test_real_fashion_mnist)
{
    const char *dir = real_dir("RAM_FASHION_MNIST_DIR",
                               "/usr/share/datasets/fashion-mnist");
    if (dir == NULL) {
        printf("test_real_fashion_mnist: skipped: Fashion-MNIST files "
               "absent\n");
        return;
    }
    char err[512];
    mnist_data m;
    int st = mnist_load(dir, &m, err, sizeof err);
    ck_assert_msg(st == IDX_OK, "mnist_load(%s): %s", dir, err);
    ck_assert_uint_eq(m.n_train, 60000);
    ck_assert_uint_eq(m.n_test, 10000);
    ck_assert_uint_eq(m.train_labels.data[0], 9); /* ankle boot */
    ck_assert_uint_eq(m.test_labels.data[0], 9);
    size_t counts[10] = {0};
    for (size_t i = 0; i < m.n_train; i++)
        counts[m.train_labels.data[i]]++;
    for (int k = 0; k < 10; k++)
        ck_assert_uint_eq(counts[k], 6000);
    mnist_free(&m);
}
END_TEST

Suite *suite_mnist_idx(void)
{
    Suite *s = suite_create("mnist_idx");

    TCase *tc = tcase_create("idx_load");
    tcase_add_test(tc, test_valid_plain);
    tcase_add_test(tc, test_valid_gz);
    tcase_add_test(tc, test_valid_labels_and_2d);
    tcase_add_test(tc, test_truncated_data_plain);
    tcase_add_test(tc, test_truncated_data_gz);
    tcase_add_test(tc, test_truncated_header);
    tcase_add_test(tc, test_wrong_magic);
    tcase_add_test(tc, test_wrong_type);
    tcase_add_test(tc, test_lying_dims);
    tcase_add_test(tc, test_bad_dims);
    tcase_add_test(tc, test_open_errors);
    tcase_add_test(tc, test_damaged_gzip);
    tcase_add_test(tc, test_strerror);
    suite_add_tcase(s, tc);

    tc = tcase_create("mnist_load");
    tcase_add_test(tc, test_mnist_load_valid);
    tcase_add_test(tc, test_mnist_load_prefers_gz);
    tcase_add_test(tc, test_mnist_count_mismatch);
    tcase_add_test(tc, test_mnist_bad_contents);
    tcase_add_test(tc, test_mnist_missing_files);
    tcase_add_test(tc, test_mnist_default_dir);
    suite_add_tcase(s, tc);

    /* Tag "data": needs the real files (skips itself when they are
     * absent); exclude with ram-test --exclude-tag data. */
    tc = tcase_create("real_data");
    tcase_set_tags(tc, "data");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_real_mnist);
    tcase_add_test(tc, test_real_fashion_mnist);
    suite_add_tcase(s, tc);
    return s;
}
