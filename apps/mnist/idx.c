/* IDX reader and MNIST loader. See idx.h. */
#include "idx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#if defined(__GNUC__)
#define IDX_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define IDX_PRINTF(a, b)
#endif

static IDX_PRINTF(3, 4) void set_err(char *err, size_t errlen,
                                     const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *idx_strerror(int status)
{
    switch (status) {
    case IDX_OK: return "success";
    case IDX_E_ARG: return "invalid argument";
    case IDX_E_OPEN: return "cannot open file";
    case IDX_E_READ: return "read error";
    case IDX_E_HEADER: return "truncated header";
    case IDX_E_MAGIC: return "bad magic number";
    case IDX_E_TYPE: return "unsupported data type";
    case IDX_E_DIMS: return "bad dimensions";
    case IDX_E_TRUNCATED: return "truncated data";
    case IDX_E_TRAILING: return "trailing data";
    case IDX_E_NOMEM: return "out of memory";
    case IDX_E_MISMATCH: return "files do not match";
    case IDX_E_LABEL: return "label out of range";
    default: return "unknown error";
    }
}

/* Reads up to n bytes; *got is how many were read. Returns 0 unless gzread
 * reported an error (then *got bytes were still read). */
static int read_full(gzFile f, uint8_t *buf, size_t n, size_t *got)
{
    *got = 0;
    while (*got < n) {
        size_t want = n - *got;
        if (want > ((size_t)1 << 30))
            want = (size_t)1 << 30;
        int r = gzread(f, buf + *got, (unsigned)want);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return 0;
}

/* If the stream is in an error state, describes it and returns the IDX
 * status to use; returns IDX_OK when there is no error. A gzip stream that
 * stops early (Z_BUF_ERROR) is reported as `cut_status` (truncation). */
static int stream_error(gzFile f, const char *path, int cut_status,
                        char *err, size_t errlen)
{
    int zerr = Z_OK;
    const char *msg = gzerror(f, &zerr);
    if (zerr == Z_OK || zerr == Z_STREAM_END)
        return IDX_OK;
    if (zerr == Z_ERRNO) {
        set_err(err, errlen, "%s: read error: %s", path, strerror(errno));
        return IDX_E_READ;
    }
    if (zerr == Z_BUF_ERROR) {
        set_err(err, errlen,
                "%s: truncated: the gzip stream ends early (%s); "
                "the file is incomplete, download it again",
                path, msg ? msg : "unexpected end of file");
        return cut_status;
    }
    if (zerr == Z_MEM_ERROR) {
        set_err(err, errlen, "%s: out of memory while decompressing", path);
        return IDX_E_NOMEM;
    }
    set_err(err, errlen, "%s: corrupt gzip data: %s", path,
            msg ? msg : "unknown zlib error");
    return IDX_E_READ;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static const char *type_name(uint8_t t)
{
    switch (t) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return NULL;
    }
}

static int load_stream(gzFile f, const char *path, idx_array *out,
                       char *err, size_t errlen)
{
    uint8_t hdr[4 + 4 * 3];
    size_t got = 0;
    int st;

    /* Magic number. */
    if (read_full(f, hdr, 4, &got) != 0 || got < 4) {
        st = stream_error(f, path, IDX_E_HEADER, err, errlen);
        if (st != IDX_OK && st != IDX_E_HEADER)
            return st;
        if (got == 0)
            set_err(err, errlen,
                    "%s: truncated header: the file is empty "
                    "(expected a 4-byte IDX magic number)", path);
        else
            set_err(err, errlen,
                    "%s: truncated header: expected a 4-byte IDX magic "
                    "number, got %zu bytes", path, got);
        return IDX_E_HEADER;
    }
    uint32_t magic = be32(hdr);
    if (hdr[0] != 0 || hdr[1] != 0) {
        set_err(err, errlen,
                "%s: bad magic number 0x%08lX: not an IDX file (expected "
                "0x00000801 for labels or 0x00000803 for images)",
                path, (unsigned long)magic);
        return IDX_E_MAGIC;
    }
    if (hdr[2] != 0x08) {
        const char *tn = type_name(hdr[2]);
        if (tn != NULL)
            set_err(err, errlen,
                    "%s: unsupported data type 0x%02X (%s) in magic "
                    "0x%08lX; only 0x08 (unsigned byte) is supported",
                    path, hdr[2], tn, (unsigned long)magic);
        else
            set_err(err, errlen,
                    "%s: invalid data type byte 0x%02X in magic 0x%08lX "
                    "(expected 0x08, unsigned byte)",
                    path, hdr[2], (unsigned long)magic);
        return IDX_E_TYPE;
    }
    int ndim = hdr[3];
    if (ndim < 1 || ndim > 3) {
        set_err(err, errlen,
                "%s: bad magic number 0x%08lX: %d dimensions; only 1 to 3 "
                "are supported (0x00000801 labels, 0x00000803 images)",
                path, (unsigned long)magic, ndim);
        return IDX_E_MAGIC;
    }

    /* Dimension sizes. */
    size_t dim_bytes = 4 * (size_t)ndim;
    if (read_full(f, hdr + 4, dim_bytes, &got) != 0 || got < dim_bytes) {
        st = stream_error(f, path, IDX_E_HEADER, err, errlen);
        if (st != IDX_OK && st != IDX_E_HEADER)
            return st;
        set_err(err, errlen,
                "%s: truncated header: magic 0x%08lX declares %d "
                "dimensions (%zu bytes of sizes), got %zu bytes",
                path, (unsigned long)magic, ndim, dim_bytes, got);
        return IDX_E_HEADER;
    }
    uint32_t dims[3] = {0, 0, 0};
    size_t size = 1;
    for (int i = 0; i < ndim; i++) {
        uint32_t d = be32(hdr + 4 + 4 * i);
        if (d & 0x80000000u) {
            set_err(err, errlen, "%s: bad dimensions: size %d is negative "
                    "(%ld)", path, i, (long)d - 4294967296L);
            return IDX_E_DIMS;
        }
        if (d == 0) {
            set_err(err, errlen, "%s: bad dimensions: size %d is zero",
                    path, i);
            return IDX_E_DIMS;
        }
        if (size > IDX_MAX_BYTES / d) {
            set_err(err, errlen,
                    "%s: bad dimensions: the data would exceed %zu bytes "
                    "(2^31)", path, IDX_MAX_BYTES);
            return IDX_E_DIMS;
        }
        size *= d;
        dims[i] = d;
    }
    size_t header_len = 4 + dim_bytes;

    /* Data. */
    uint8_t *data = malloc(size);
    if (data == NULL) {
        set_err(err, errlen, "%s: out of memory allocating %zu bytes", path,
                size);
        return IDX_E_NOMEM;
    }
    int rr = read_full(f, data, size, &got);
    if (rr != 0 || got < size) {
        st = stream_error(f, path, IDX_E_TRUNCATED, err, errlen);
        if (st == IDX_OK || st == IDX_E_TRUNCATED)
            set_err(err, errlen,
                    "%s: truncated: expected %zu bytes of data after the "
                    "%zu-byte header (%zu bytes in all), got %zu%s",
                    path, size, header_len, header_len + size, got,
                    st == IDX_OK ? "" : " (the gzip stream ends early)");
        free(data);
        return st == IDX_OK ? IDX_E_TRUNCATED : st;
    }

    /* Nothing may follow the data. Count (up to a limit) what does. */
    uint8_t extra[4096];
    size_t n_extra = 0;
    const size_t extra_cap = (size_t)1 << 20;
    while (n_extra < extra_cap) {
        int r = gzread(f, extra, (unsigned)sizeof extra);
        if (r <= 0)
            break;
        n_extra += (size_t)r;
    }
    if (n_extra > 0) {
        if (n_extra >= extra_cap)
            set_err(err, errlen,
                    "%s: trailing data: at least %zu extra bytes after the "
                    "%zu bytes of data that the header declares",
                    path, n_extra, size);
        else
            set_err(err, errlen,
                    "%s: trailing data: %zu extra bytes after the %zu bytes "
                    "of data that the header declares",
                    path, n_extra, size);
        free(data);
        return IDX_E_TRAILING;
    }
    /* A gzip stream missing its trailer (CRC, length) is corrupt even if
     * all the data came through. */
    st = stream_error(f, path, IDX_E_TRUNCATED, err, errlen);
    if (st != IDX_OK) {
        free(data);
        return st;
    }

    out->data = data;
    out->ndim = ndim;
    for (int i = 0; i < 3; i++)
        out->dims[i] = dims[i];
    out->size = size;
    return IDX_OK;
}

int idx_load(const char *path, idx_array *out, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL) {
        set_err(err, errlen, "idx_load: out is NULL");
        return IDX_E_ARG;
    }
    memset(out, 0, sizeof *out);
    if (path == NULL) {
        set_err(err, errlen, "idx_load: path is NULL");
        return IDX_E_ARG;
    }

    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        set_err(err, errlen, "%s: cannot open: is a directory", path);
        return IDX_E_OPEN;
    }
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (f == NULL) {
        set_err(err, errlen, "%s: cannot open: %s", path,
                errno != 0 ? strerror(errno) : "out of memory");
        return IDX_E_OPEN;
    }
    gzbuffer(f, 1u << 17);
    int st = load_stream(f, path, out, err, errlen);
    gzclose(f);
    if (st != IDX_OK)
        memset(out, 0, sizeof *out);
    return st;
}

void idx_free(idx_array *a)
{
    if (a == NULL)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- MNIST ---------------------------------------------------------- */

/* Builds "<dir>/<base>.gz", or "<dir>/<base>" if the .gz does not exist.
 * Returns a malloc'ed path or NULL (with err set). */
static char *find_file(const char *dir, const char *base, int *status,
                       char *err, size_t errlen)
{
    size_t dl = strlen(dir);
    const char *sep = (dl > 0 && dir[dl - 1] == '/') ? "" : "/";
    size_t n = dl + strlen(base) + 8;
    char *p = malloc(n);
    if (p == NULL) {
        set_err(err, errlen, "%s: out of memory", dir);
        *status = IDX_E_NOMEM;
        return NULL;
    }
    struct stat sb;
    snprintf(p, n, "%s%s%s.gz", dir, sep, base);
    if (stat(p, &sb) == 0)
        return p;
    snprintf(p, n, "%s%s%s", dir, sep, base);
    if (stat(p, &sb) == 0)
        return p;
    free(p);
    struct stat db;
    if (stat(dir, &db) != 0 || !S_ISDIR(db.st_mode))
        set_err(err, errlen,
                "%s: MNIST directory not found (download the data with "
                "scripts/fetch-mnist.sh DIR, then pass --data DIR or "
                "set RAM_MNIST_DIR)", dir);
    else
        set_err(err, errlen,
                "%s: neither %s.gz nor %s found (download the data with "
                "scripts/fetch-mnist.sh DIR, then pass --data DIR or "
                "set RAM_MNIST_DIR)", dir, base, base);
    *status = IDX_E_OPEN;
    return NULL;
}

static int load_split(const char *dir, const char *img_base,
                      const char *lbl_base, idx_array *images,
                      idx_array *labels, size_t *count, char *err,
                      size_t errlen)
{
    int st = IDX_OK;
    char *ip = find_file(dir, img_base, &st, err, errlen);
    if (ip == NULL)
        return st;
    char *lp = find_file(dir, lbl_base, &st, err, errlen);
    if (lp == NULL) {
        free(ip);
        return st;
    }

    st = idx_load(ip, images, err, errlen);
    if (st != IDX_OK)
        goto done;
    if (images->ndim != 3 || images->dims[1] != MNIST_SIDE ||
        images->dims[2] != MNIST_SIDE) {
        if (images->ndim != 3)
            set_err(err, errlen,
                    "%s: not an image file: %d dimension(s), expected 3 "
                    "(magic 0x00000803)", ip, images->ndim);
        else
            set_err(err, errlen,
                    "%s: images are %lux%lu, expected %dx%d", ip,
                    (unsigned long)images->dims[1],
                    (unsigned long)images->dims[2], MNIST_SIDE, MNIST_SIDE);
        st = IDX_E_MISMATCH;
        goto done;
    }
    st = idx_load(lp, labels, err, errlen);
    if (st != IDX_OK)
        goto done;
    if (labels->ndim != 1) {
        set_err(err, errlen,
                "%s: not a label file: %d dimensions, expected 1 "
                "(magic 0x00000801)", lp, labels->ndim);
        st = IDX_E_MISMATCH;
        goto done;
    }
    if (labels->dims[0] != images->dims[0]) {
        set_err(err, errlen,
                "%s: %lu labels, but %s has %lu images", lp,
                (unsigned long)labels->dims[0], ip,
                (unsigned long)images->dims[0]);
        st = IDX_E_MISMATCH;
        goto done;
    }
    for (size_t i = 0; i < labels->size; i++) {
        if (labels->data[i] > 9) {
            set_err(err, errlen,
                    "%s: label %u at index %zu is outside 0..9", lp,
                    (unsigned)labels->data[i], i);
            st = IDX_E_LABEL;
            goto done;
        }
    }
    *count = images->dims[0];

done:
    free(ip);
    free(lp);
    return st;
}

int mnist_load(const char *dir, mnist_data *out, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL) {
        set_err(err, errlen, "mnist_load: out is NULL");
        return IDX_E_ARG;
    }
    memset(out, 0, sizeof *out);
    if (dir == NULL) {
        set_err(err, errlen, "mnist_load: dir is NULL");
        return IDX_E_ARG;
    }
    int st = load_split(dir, "train-images-idx3-ubyte",
                        "train-labels-idx1-ubyte", &out->train_images,
                        &out->train_labels, &out->n_train, err, errlen);
    if (st == IDX_OK)
        st = load_split(dir, "t10k-images-idx3-ubyte",
                        "t10k-labels-idx1-ubyte", &out->test_images,
                        &out->test_labels, &out->n_test, err, errlen);
    if (st != IDX_OK)
        mnist_free(out);
    return st;
}

void mnist_free(mnist_data *d)
{
    if (d == NULL)
        return;
    idx_free(&d->train_images);
    idx_free(&d->train_labels);
    idx_free(&d->test_images);
    idx_free(&d->test_labels);
    d->n_train = 0;
    d->n_test = 0;
}

const char *mnist_default_dir(const char *cli_dir)
{
    if (cli_dir != NULL && cli_dir[0] != '\0')
        return cli_dir;
    const char *env = getenv("RAM_MNIST_DIR");
    if (env != NULL && env[0] != '\0')
        return env;
    return "data/mnist";
}
