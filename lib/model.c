/* libram: the model format (docs/model-format.md): save and load on memory
 * buffers, with atomic file helpers on top.
 *
 *   header   "RAMMODEL" | u32 version | u32 flags | u64 total size
 *   chunks   u32 tag | u32 chunk flags (bit 0: critical) | u64 length | data
 *   trailer  u32 CRC-32 of every byte before it
 *
 * Everything is little-endian; floats are IEEE-754 binary32/binary64. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_internal.h"

#define MAGIC "RAMMODEL"
#define FORMAT_VERSION 2u
/* The last configuration key each format version stores. */
#define V1_LAST_KEY RAM_CFG_TRAINABLE
#define HEADER_SIZE 24u
#define CHUNK_HEADER 16u
#define CHUNK_CRITICAL 1u
/* The fixed temporary name of ram_agent_save_file: `path` + this. */
#define TMP_SUFFIX ".ram-tmp"

/* Failures while reading are reported in the name of ram_agent_load. */
#define LOAD_FAIL(status, ...) ram__fail((status), "ram_agent_load", __VA_ARGS__)

#define TAG(a, b, c, d)                                                        \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |              \
     (uint32_t)(d) << 24)
#define TAG_CONF TAG('C', 'O', 'N', 'F')
#define TAG_TUNE TAG('T', 'U', 'N', 'E')
#define TAG_PARM TAG('P', 'A', 'R', 'M')
#define TAG_OPTM TAG('O', 'P', 'T', 'M')

/* ------------------------------------------------------------- writing */

typedef struct wbuf {
    unsigned char *p; /* NULL: count only */
    size_t n;
} wbuf;

static void put_u32(wbuf *w, uint32_t v)
{
    if (w->p)
        for (int i = 0; i < 4; i++)
            w->p[w->n + i] = (unsigned char)(v >> (8 * i));
    w->n += 4;
}

static void put_u64(wbuf *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}

static void put_f64(wbuf *w, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    put_u64(w, v);
}

static void put_f32s(wbuf *w, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        memcpy(&v, &x[i], 4);
        put_u32(w, v);
    }
}

static void chunk_begin(wbuf *w, uint32_t tag, uint32_t flags,
                        uint64_t length)
{
    put_u32(w, tag);
    put_u32(w, flags);
    put_u64(w, length);
}

static void write_model(const ram__agent_view *a, int with_opt, wbuf *w)
{
    const uint64_t ncfg = RAM__CFG_COUNT - 1, npar = RAM__PARAM_COUNT - 1;
    const uint64_t count = a->count;
    uint64_t conf_len = 4 + ncfg * 12, tune_len = 4 + npar * 12;
    uint64_t parm_len = 8 + count * 4;
    uint64_t optm_len = 8 + 8 + 8 + 8 + 32 + count * 8;
    uint64_t total = HEADER_SIZE + CHUNK_HEADER * 3 + conf_len + tune_len +
                     parm_len + (with_opt ? CHUNK_HEADER + optm_len : 0) + 4;

    if (w->p)
        memcpy(w->p, MAGIC, 8);
    w->n += 8;
    put_u32(w, FORMAT_VERSION);
    put_u32(w, with_opt ? 1u : 0u);
    put_u64(w, total);

    chunk_begin(w, TAG_CONF, CHUNK_CRITICAL, conf_len);
    put_u32(w, (uint32_t)ncfg);
    for (uint32_t k = 1; k < RAM__CFG_COUNT; k++) {
        put_u32(w, k);
        put_u64(w, (uint64_t)a->cfg[k]);
    }
    chunk_begin(w, TAG_TUNE, 0, tune_len);
    put_u32(w, (uint32_t)npar);
    for (uint32_t k = 1; k < RAM__PARAM_COUNT; k++) {
        put_u32(w, k);
        put_f64(w, a->par[k]);
    }
    chunk_begin(w, TAG_PARM, CHUNK_CRITICAL, parm_len);
    put_u64(w, count);
    put_f32s(w, a->params, a->count);
    if (with_opt) {
        chunk_begin(w, TAG_OPTM, 0, optm_len);
        put_u32(w, (uint32_t)*a->opt_kind);
        put_u32(w, 0);
        put_u64(w, *a->adam_t);
        put_u64(w, *a->updates);
        put_u64(w, count);
        for (int i = 0; i < 4; i++)
            put_u64(w, a->rng->s[i]);
        put_f32s(w, a->opt_m, a->count);
        put_f32s(w, a->opt_v, a->count);
    }
    uint32_t crc = w->p ? ram__crc32(0, w->p, w->n) : 0;
    put_u32(w, crc);
}

int ram_agent_save(const ram_agent *agent, unsigned flags, void *buf,
                   size_t cap, size_t *size)
{
    if (!agent)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    ram__agent_view view, *a = &view;
    ram__agent_view_of(agent, &view);
    if (!size)
        return RAM_FAIL(RAM_E_INVALID, "size is NULL");
    if (flags & ~(unsigned)RAM_SAVE_OPTIMIZER)
        return RAM_FAIL(RAM_E_INVALID, "flags 0x%x has unknown bits", flags);
    int with_opt = (flags & RAM_SAVE_OPTIMIZER) != 0;
    if (with_opt && !a->trainable)
        return RAM_FAIL(RAM_E_UNSUPPORTED,
                        "RAM_SAVE_OPTIMIZER on an inference-only agent");
    wbuf w = {NULL, 0};
    write_model(a, with_opt, &w);
    *size = w.n;
    if (!buf)
        return RAM_OK;
    if (cap < w.n)
        return RAM_FAIL(RAM_E_BUFFER, "cap is %zu bytes, the model needs %zu",
                        cap, w.n);
    w.p = buf;
    w.n = 0;
    write_model(a, with_opt, &w);
    return RAM_OK;
}

/* ------------------------------------------------------------- reading */

typedef struct rbuf {
    const unsigned char *p;
    size_t n, off;
} rbuf;

static int have(const rbuf *r, uint64_t n)
{
    return n <= r->n - r->off;
}

static uint32_t get_u32(rbuf *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)r->p[r->off + i] << (8 * i);
    r->off += 4;
    return v;
}

static uint64_t get_u64(rbuf *r)
{
    uint64_t lo = get_u32(r);
    return lo | (uint64_t)get_u32(r) << 32;
}

static double get_f64(rbuf *r)
{
    uint64_t v = get_u64(r);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static void get_f32s(rbuf *r, float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t v = get_u32(r);
        memcpy(&x[i], &v, 4);
    }
}

typedef struct found {
    uint32_t version;
    rbuf conf, tune, parm, optm;
    int has_conf, has_tune, has_parm, has_optm;
} found;

/* Header, size, checksum and chunk directory. */
static int scan(const void *buf, size_t size, found *f)
{
    const unsigned char *p = buf;
    if (size < HEADER_SIZE) {
        size_t m = size < 8 ? size : 8;
        if (memcmp(p, MAGIC, m) == 0)
            return LOAD_FAIL(RAM_E_TRUNCATED,
                             "size %zu is shorter than the %u-byte header",
                             size, HEADER_SIZE);
        return LOAD_FAIL(RAM_E_FORMAT, "not a libram model (no RAMMODEL)");
    }
    if (memcmp(p, MAGIC, 8) != 0)
        return LOAD_FAIL(RAM_E_FORMAT, "not a libram model (no RAMMODEL)");
    rbuf r = {p, size, 8};
    uint32_t version = get_u32(&r);
    (void)get_u32(&r); /* file flags: informative */
    uint64_t total = get_u64(&r);
    if (version == 0)
        return LOAD_FAIL(RAM_E_FORMAT, "format version 0");
    if (version > FORMAT_VERSION)
        return LOAD_FAIL(RAM_E_VERSION,
                         "format version %u; this library reads 1 .. %u",
                         version, FORMAT_VERSION);
    if (total < HEADER_SIZE + 4)
        return LOAD_FAIL(RAM_E_FORMAT, "total size %llu is too small",
                         (unsigned long long)total);
    if (total > size)
        return LOAD_FAIL(RAM_E_TRUNCATED,
                         "size is %zu bytes, the header says %llu", size,
                         (unsigned long long)total);
    if (total < size)
        return LOAD_FAIL(RAM_E_FORMAT,
                         "size is %zu bytes, the header says %llu (trailing "
                         "bytes)",
                         size, (unsigned long long)total);
    uint32_t stored = (uint32_t)p[size - 4] | (uint32_t)p[size - 3] << 8 |
                      (uint32_t)p[size - 2] << 16 |
                      (uint32_t)p[size - 1] << 24;
    if (ram__crc32(0, p, size - 4) != stored)
        return LOAD_FAIL(RAM_E_CHECKSUM, "the CRC-32 does not match");

    memset(f, 0, sizeof *f);
    f->version = version;
    r.n = size - 4;
    while (r.off < r.n) {
        if (!have(&r, CHUNK_HEADER))
            return LOAD_FAIL(RAM_E_FORMAT, "a chunk header at offset %zu "
                                           "runs past the end",
                             r.off);
        uint32_t tag = get_u32(&r), cflags = get_u32(&r);
        uint64_t len = get_u64(&r);
        if (!have(&r, len))
            return LOAD_FAIL(RAM_E_FORMAT,
                             "a chunk of %llu bytes at offset %zu runs past "
                             "the end",
                             (unsigned long long)len, r.off);
        rbuf body = {p + r.off, (size_t)len, 0};
        rbuf *slot = NULL;
        int *seen = NULL;
        if (tag == TAG_CONF)
            slot = &f->conf, seen = &f->has_conf;
        else if (tag == TAG_TUNE)
            slot = &f->tune, seen = &f->has_tune;
        else if (tag == TAG_PARM)
            slot = &f->parm, seen = &f->has_parm;
        else if (tag == TAG_OPTM)
            slot = &f->optm, seen = &f->has_optm;
        else if (cflags & CHUNK_CRITICAL)
            return LOAD_FAIL(RAM_E_VERSION, /* a newer writer's */
                             "unknown critical chunk 0x%08x", tag);
        if (slot) {
            if (*seen)
                return LOAD_FAIL(RAM_E_FORMAT, "duplicate chunk 0x%08x",
                                 tag);
            *slot = body;
            *seen = 1;
        }
        r.off += (size_t)len;
    }
    if (!f->has_conf || !f->has_parm)
        return LOAD_FAIL(RAM_E_FORMAT, "no %s chunk",
                         f->has_conf ? "PARM" : "CONF");
    return RAM_OK;
}

/* Version 1 (libram 0.1.0) stores keys 1 .. 14; the input geometry (keys
 * 15 .. 17) is missing and stays unset (0). Version 2 stores every key. */
static int read_conf(rbuf *r, uint32_t version, int64_t *cfg)
{
    const uint32_t last = version == 1 ? V1_LAST_KEY : RAM__CFG_COUNT - 1;
    ram__config_defaults(cfg);
    if (!have(r, 4))
        return LOAD_FAIL(RAM_E_FORMAT, "CONF is too short");
    uint32_t n = get_u32(r);
    if (!have(r, (uint64_t)n * 12) || r->n - r->off != (uint64_t)n * 12)
        return LOAD_FAIL(RAM_E_FORMAT, "CONF: %u keys do not fill %zu bytes",
                         n, r->n);
    uint64_t seen = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = get_u32(r);
        int64_t v = (int64_t)get_u64(r);
        if (key < 1 || key > last || (seen >> key & 1))
            return LOAD_FAIL(RAM_E_FORMAT,
                             "CONF: key %u is unknown to format version %u "
                             "or repeated",
                             key, version);
        seen |= (uint64_t)1 << key;
        if (ram__config_check((int)key, v) != RAM_OK)
            return LOAD_FAIL(RAM_E_RANGE,
                             "CONF: key %u: value %lld is out of bounds", key,
                             (long long)v);
        cfg[key] = v;
    }
    return RAM_OK;
}

static int read_tune(rbuf *r, double *par)
{
    if (!have(r, 4))
        return LOAD_FAIL(RAM_E_FORMAT, "TUNE is too short");
    uint32_t n = get_u32(r);
    if (r->n - r->off != (uint64_t)n * 12)
        return LOAD_FAIL(RAM_E_FORMAT, "TUNE: %u keys do not fill %zu bytes",
                         n, r->n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = get_u32(r);
        double v = get_f64(r);
        if (key < 1 || key >= RAM__PARAM_COUNT)
            continue; /* a newer tunable: not needed to run the model */
        if (ram__param_check((int)key, v) != RAM_OK)
            return LOAD_FAIL(RAM_E_RANGE,
                             "TUNE: key %u: value %g is out of bounds", key,
                             v);
        par[key] = v;
    }
    return RAM_OK;
}

int ram_agent_load(ram_agent **out, const void *buf, size_t size,
                   unsigned flags)
{
    if (!out)
        return RAM_FAIL(RAM_E_INVALID, "out is NULL");
    *out = NULL;
    if (!buf)
        return RAM_FAIL(RAM_E_INVALID, "buf is NULL");
    if (flags & ~(unsigned)RAM_LOAD_INFERENCE)
        return RAM_FAIL(RAM_E_INVALID, "flags 0x%x has unknown bits", flags);
    found f;
    int rc = scan(buf, size, &f);
    if (rc != RAM_OK)
        return rc; /* scan, read_conf and read_tune set the detail */
    int64_t cfg[RAM__CFG_COUNT];
    if ((rc = read_conf(&f.conf, f.version, cfg)) != RAM_OK)
        return rc;
    cfg[RAM_CFG_TRAINABLE] = (flags & RAM_LOAD_INFERENCE) ? 0 : 1;
    double par[RAM__PARAM_COUNT];
    ram__param_defaults(par);
    if (f.has_tune && (rc = read_tune(&f.tune, par)) != RAM_OK)
        return rc;

    /* Bound the memory before allocating it: the sizes CONF declares must
     * be those of the PARM (and OPTM) chunks already in the buffer, so a
     * load of N bytes allocates parameters of at most N bytes
     * (docs/model-format.md, "Resource limits"). */
    int64_t g = cfg[RAM_CFG_PATCH], k = cfg[RAM_CFG_SCALES];
    if (g * ((int64_t)1 << (k - 1)) > RAM_SENSOR_MAX_IMAGE)
        return RAM_FAIL(RAM_E_FORMAT,
                        "CONF: RAM_CFG_PATCH %lld x 2^(RAM_CFG_SCALES %lld - "
                        "1) is above %d",
                        (long long)g, (long long)k, RAM_SENSOR_MAX_IMAGE);
    const uint64_t count = ram__agent_count(cfg);
    if (f.parm.n < 8 || (uint64_t)(f.parm.n - 8) / 4 != count ||
        (f.parm.n - 8) % 4 != 0)
        return RAM_FAIL(RAM_E_FORMAT,
                        "PARM: %zu bytes, the configuration (CONF) implies "
                        "%llu parameters (%llu bytes)",
                        f.parm.n, (unsigned long long)count,
                        (unsigned long long)(8 + 4 * count));
    if (f.has_optm && cfg[RAM_CFG_TRAINABLE] &&
        (f.optm.n < 64 || (uint64_t)(f.optm.n - 64) / 8 != count ||
         (f.optm.n - 64) % 8 != 0))
        return RAM_FAIL(RAM_E_FORMAT,
                        "OPTM: %zu bytes, the configuration (CONF) implies "
                        "%llu parameters (%llu bytes)",
                        f.optm.n, (unsigned long long)count,
                        (unsigned long long)(64 + 8 * count));

    ram_agent *agent;
    /* Every key is in bounds (read_conf) and the patch fits: only NOMEM
     * can fail. */
    if ((rc = ram__agent_new(cfg, 0, &agent, __func__)) != RAM_OK)
        return rc == RAM_E_NOMEM
                   ? rc
                   : RAM_FAIL(RAM_E_FORMAT,
                              "CONF: RAM_CFG_PATCH %lld x 2^(RAM_CFG_SCALES "
                              "%lld - 1) is above %d",
                              (long long)cfg[RAM_CFG_PATCH],
                              (long long)cfg[RAM_CFG_SCALES],
                              RAM_SENSOR_MAX_IMAGE);
    ram__agent_view view, *a = &view;
    ram__agent_view_of(agent, &view);
    memcpy(a->par, par, sizeof par);

    const char *what;
    rc = RAM_E_FORMAT;
    what = "PARM: its count differs from what CONF implies";
    if (!have(&f.parm, 8) || get_u64(&f.parm) != a->count ||
        f.parm.n - f.parm.off != (uint64_t)a->count * 4)
        goto fail;
    get_f32s(&f.parm, a->params, a->count);
    if (!ram__all_finite(a->params, a->count)) {
        rc = RAM_E_NONFINITE;
        what = "PARM: a parameter is NaN or infinite";
        goto fail;
    }
    if (f.has_optm && a->trainable) {
        rbuf *o = &f.optm;
        what = "OPTM is too short";
        if (!have(o, 64))
            goto fail;
        uint32_t kind = get_u32(o);
        (void)get_u32(o);
        uint64_t adam_t = get_u64(o), updates = get_u64(o);
        uint64_t cnt = get_u64(o);
        what = "OPTM: unknown optimiser, or its count differs from PARM's";
        if ((kind != RAM_OPT_SGD && kind != RAM_OPT_ADAM) || cnt != a->count ||
            o->n - o->off != 32 + (uint64_t)a->count * 8)
            goto fail;
        for (int i = 0; i < 4; i++)
            a->rng->s[i] = get_u64(o);
        what = "OPTM: the RNG state is all zero";
        if (!(a->rng->s[0] | a->rng->s[1] | a->rng->s[2] | a->rng->s[3]))
            goto fail; /* xoshiro's one forbidden state */
        /* The Adam step count restarts at 0 when the optimiser changes and
         * counts updates: it cannot exceed them (2^64 - 1 used to load and
         * wrap to 0 at the next update: a division by zero). */
        what = "OPTM: the Adam step count exceeds the update count, or the "
               "update count is 2^63 or more";
        if (adam_t > updates || updates >= (uint64_t)1 << 63)
            goto fail;
        get_f32s(o, a->opt_m, a->count);
        get_f32s(o, a->opt_v, a->count);
        if (!ram__all_finite(a->opt_m, a->count) ||
            !ram__all_finite(a->opt_v, a->count)) {
            rc = RAM_E_NONFINITE;
            what = "OPTM: a moment is NaN or infinite";
            goto fail;
        }
        what = "OPTM: a second moment is negative";
        for (size_t i = 0; i < a->count; i++)
            if (a->opt_v[i] < 0.0f)
                goto fail;
        ram__optim_bounds(a->count, a->opt_m, a->opt_v, a->opt_bounds);
        *a->opt_kind = (int)kind;
        *a->adam_t = adam_t;
        *a->updates = updates;
    }
    *out = agent;
    return RAM_OK;
fail:
    ram_agent_free(agent);
    return RAM_FAIL(rc, "%s", what);
}

/* --------------------------------------------------------------- files */

/* The temporary file of a save to `path` is `path`.ram-tmp: one fixed
 * name per target, so that a save killed half-way leaves at most that one
 * file behind, and the next save to the same path reuses it. Saves to the
 * same path serialise on an exclusive flock() of the temporary file (a
 * killed process's lock goes with it). Returns the descriptor, locked and
 * truncated, or -1 (errno set). `tmp` holds the name. */
static int open_temp(const char *path, size_t plen, char *tmp)
{
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, TMP_SUFFIX, sizeof TMP_SUFFIX);
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd < 0)
            return -1;
        int rc;
        while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
            ;
        /* Another save may have renamed this very file into place while
         * this one waited for the lock: then the descriptor is `path`'s,
         * not the temporary file's. Go again. */
        struct stat a, b;
        if (rc == 0 && fstat(fd, &a) == 0 && lstat(tmp, &b) == 0 &&
            a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
            S_ISREG(a.st_mode)) {
            if (ftruncate(fd, 0) == 0)
                return fd;
            rc = -1;
            int err = errno;
            unlink(tmp); /* still ours: the lock is held */
            errno = err;
        }
        int err = errno;
        close(fd);
        if (rc != 0) {
            errno = err;
            return -1;
        }
    }
    errno = EAGAIN;
    return -1;
}

/* fsync the directory that holds `path`, so that the rename survives a
 * power loss. File systems that cannot (EINVAL) count as done. */
static int sync_dir(const char *path, size_t plen)
{
    size_t d = plen;
    while (d > 0 && path[d - 1] != '/')
        d--;
    char *dir = malloc(d + 2);
    if (!dir)
        return ENOMEM;
    if (d == 0) {
        dir[0] = '.';
        dir[1] = '\0';
    } else {
        memcpy(dir, path, d);
        dir[d] = '\0';
    }
    int err = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        err = errno;
    else {
        if (fsync(fd) != 0 && errno != EINVAL)
            err = errno;
        close(fd);
    }
    free(dir);
    return err;
}

int ram_agent_save_file(const ram_agent *a, unsigned flags, const char *path)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!path || !*path)
        return RAM_FAIL(RAM_E_INVALID, "path is NULL or empty");
    size_t size;
    int rc = ram_agent_save(a, flags, NULL, 0, &size);
    if (rc != RAM_OK)
        return rc; /* ram_agent_save set the detail */
    /* A file being replaced keeps its permission bits; anything but a
     * regular file (a device such as /dev/full, a directory, a FIFO) is
     * never replaced. */
    struct stat st;
    int replace = stat(path, &st) == 0;
    if (replace && !S_ISREG(st.st_mode))
        return RAM_FAIL(RAM_E_IO,
                        "path \"%s\" exists and is not a regular file; it "
                        "is left alone",
                        path);
    unsigned char *buf = malloc(size);
    if (!buf)
        return RAM_FAIL(RAM_E_NOMEM, "%zu bytes for the model", size);
    rc = ram_agent_save(a, flags, buf, size, &size);
    if (rc != RAM_OK) {
        free(buf);
        return rc;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof TMP_SUFFIX);
    if (!tmp) {
        free(buf);
        return RAM_FAIL(RAM_E_NOMEM, "the temporary file name");
    }
    int fd = open_temp(path, plen, tmp);
    if (fd < 0) {
        rc = RAM_FAIL(RAM_E_IO, "path \"%s\": cannot create the temporary "
                                "file %s next to it (errno %d)",
                      path, tmp, errno);
        free(tmp);
        free(buf);
        return rc;
    }
    size_t done = 0;
    int err = 0;
    while (done < size) {
        ssize_t k = write(fd, buf + done, size - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            err = k < 0 ? errno : EIO;
            break;
        }
        done += (size_t)k;
    }
    const char *what = "write";
    if (!err && replace && fchmod(fd, st.st_mode & 07777) != 0)
        err = errno, what = "chmod";
    if (!err && fsync(fd) != 0)
        err = errno, what = "fsync";
    /* Renamed while the lock is held, so that no other save truncates the
     * file between the fsync and the rename. */
    if (!err && rename(tmp, path) != 0)
        err = errno, what = "rename";
    if (err)
        unlink(tmp);
    if (close(fd) != 0 && !err)
        err = errno, what = "close";
    if (!err && (err = sync_dir(path, plen)) != 0)
        what = "fsync of the directory (the file is in place)";
    if (err) {
        rc = RAM_FAIL(RAM_E_IO, "path \"%s\": %s failed (errno %d)", path,
                      what, err);
    } else {
        rc = RAM_OK;
    }
    free(tmp);
    free(buf);
    return rc;
}

/* Read up to n bytes; returns the count read (short only at the end of
 * the file) or -1 on a read error (errno set). */
static ssize_t read_full(int fd, unsigned char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = read(fd, p + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        done += (size_t)k;
    }
    return (ssize_t)done;
}

int ram_agent_load_file(ram_agent **out, const char *path, unsigned flags)
{
    if (!out)
        return RAM_FAIL(RAM_E_INVALID, "out is NULL");
    *out = NULL;
    if (!path)
        return RAM_FAIL(RAM_E_INVALID, "path is NULL");
    if (flags & ~(unsigned)RAM_LOAD_INFERENCE)
        return RAM_FAIL(RAM_E_INVALID, "flags 0x%x has unknown bits", flags);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return RAM_FAIL(RAM_E_IO, "path \"%s\": cannot open (errno %d)",
                        path, errno);
    /* The header first: magic, version and the declared total size are
     * checked before anything is allocated, and the total bounds what is
     * read (a gigabyte of zeros fails after 24 bytes). */
    unsigned char head[HEADER_SIZE];
    ssize_t got = read_full(fd, head, sizeof head);
    int rc;
    if (got < 0) {
        rc = RAM_FAIL(RAM_E_IO, "path \"%s\": read error (errno %d)", path,
                      errno);
        close(fd);
        return rc;
    }
    if ((size_t)got < sizeof head) {
        close(fd);
        return ram_agent_load(out, head, (size_t)got, flags);
    }
    rbuf r = {head, sizeof head, 8};
    uint32_t version = get_u32(&r);
    (void)get_u32(&r);
    uint64_t total = get_u64(&r);
    if (memcmp(head, MAGIC, 8) != 0 || version == 0 ||
        version > FORMAT_VERSION || total < HEADER_SIZE + 4) {
        close(fd);
        return ram_agent_load(out, head, sizeof head, flags); /* its status */
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size != total) {
        close(fd);
        if ((uint64_t)st.st_size < total)
            return RAM_FAIL(RAM_E_TRUNCATED,
                            "path \"%s\": %lld bytes, the header says %llu",
                            path, (long long)st.st_size,
                            (unsigned long long)total);
        return RAM_FAIL(RAM_E_FORMAT,
                        "path \"%s\": %lld bytes, the header says %llu "
                        "(trailing bytes)",
                        path, (long long)st.st_size,
                        (unsigned long long)total);
    }
    if (total > (uint64_t)SIZE_MAX - 1) {
        close(fd);
        return RAM_FAIL(RAM_E_NOMEM, "path \"%s\": %llu bytes", path,
                        (unsigned long long)total);
    }
    /* One byte more than the total, to see trailing bytes of a pipe. */
    unsigned char *buf = malloc((size_t)total + 1);
    if (!buf) {
        close(fd);
        return RAM_FAIL(RAM_E_NOMEM, "path \"%s\": %llu bytes to read it into",
                        path, (unsigned long long)total);
    }
    memcpy(buf, head, sizeof head);
    got = read_full(fd, buf + sizeof head, (size_t)total + 1 - sizeof head);
    int err = errno;
    close(fd);
    if (got < 0)
        rc = RAM_FAIL(RAM_E_IO, "path \"%s\": read error (errno %d)", path,
                      err);
    else
        rc = ram_agent_load(out, buf, sizeof head + (size_t)got, flags);
    free(buf);
    return rc;
}
