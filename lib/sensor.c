/* libram: the glimpse sensor (retina).
 *
 * The contract and the exact geometry are in include/ram/sensor.h; the
 * handle's page is docs/sensor.md.
 *
 * How a patch is computed. Patch i (block size p = 2^i, width s = g * p) is
 * clipped to the image once: columns [xa, xb), rows [ya, yb). Output cells
 * wholly outside the image are zero (one memset, only when the patch is
 * clipped at all). Scale 0 (p = 1) is a plain copy. For i > 0, each row of
 * cells is done in two passes:
 *  1. vertical: the block's (clipped) image rows are summed element by
 *     element into a column buffer on the stack. The span is contiguous in
 *     the interleaved row whatever C is; 16 elements at a time go down the
 *     rows in registers (U8 into uint16, which holds 2^7 rows of 255).
 *  2. horizontal: each cell adds up its p columns of the buffer. Cells wholly
 *     inside go through tight loops (unrolled for C = 1 and p = 2, 4, 8); a
 *     cell cut by the image edge, or by a chunk boundary when a row is wider
 *     than the buffer, goes through a slower path.
 * No pixel is bounds-tested in an inner loop, and nothing is allocated.
 *
 * Precision. U8: the block sums are exact integers (at most 255 * 4^7 <
 * 2^24, so also exact as floats); each mean is that sum times
 * 1 / (255 * 4^i) in double, rounded once to float. At scale 0 this equals
 * v / 255.0f exactly. F32: sums in float, first over the p rows, then over
 * the p columns, so a cell's error is at most about 2 * p * 2^-24 times the
 * mean of |pixel| over the block; the final division by 4^i is exact. The
 * callers accept only pixels with |x| <= RAM_PIXEL_F32_MAX = 2^24, so a
 * block sum (at most 4^7 pixels) stays below 2^38: no sum overflows. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Elements (columns x channels) of one image row summed per chunk: the
 * column buffer lives on the stack (2 KiB for U8, 4 KiB for F32). A chunk is
 * CHUNK / C whole columns, at least 16. */
#define CHUNK 1024
/* The element loops work in blocks of this many: a fixed trip count lets
 * the compiler vectorize them at -O2. */
#define VB 16

static long lmin(long a, long b)
{
    return a < b ? a : b;
}

static long lmax(long a, long b)
{
    return a > b ? a : b;
}

static float u8_value(unsigned v)
{
    /* Equals v / 255.0f for every v in 0..255 (tested). */
    return (float)(v * (1.0 / 255.0));
}

/* ------------------------------------------------------------ lifecycle */

int ram_sensor_create(ram_sensor **out, size_t patch, size_t scales,
                      size_t channels)
{
    if (!out)
        return RAM_FAIL(RAM_E_INVALID, "out is NULL");
    *out = NULL;
    if (patch < 1 || patch > RAM_SENSOR_MAX_PATCH)
        return RAM_FAIL(RAM_E_RANGE, "patch = %zu is outside 1 .. %d", patch,
                        RAM_SENSOR_MAX_PATCH);
    if (scales < 1 || scales > RAM_SENSOR_MAX_SCALES)
        return RAM_FAIL(RAM_E_RANGE, "scales = %zu is outside 1 .. %d",
                        scales, RAM_SENSOR_MAX_SCALES);
    if (channels < 1 || channels > RAM_SENSOR_MAX_CHANNELS)
        return RAM_FAIL(RAM_E_RANGE, "channels = %zu is outside 1 .. %d",
                        channels, RAM_SENSOR_MAX_CHANNELS);
    if ((patch << (scales - 1)) > RAM_SENSOR_MAX_IMAGE)
        return RAM_FAIL(RAM_E_RANGE,
                        "the largest patch, patch * 2^(scales-1) = %zu, is "
                        "above %d", patch << (scales - 1),
                        RAM_SENSOR_MAX_IMAGE);
    struct ram_sensor *s = malloc(sizeof *s);
    if (!s)
        return RAM_FAIL(RAM_E_NOMEM, "allocating the sensor");
    s->patch = (int)patch;
    s->scales = (int)scales;
    s->channels = (int)channels;
    *out = s;
    return RAM_OK;
}

void ram_sensor_free(ram_sensor *sensor)
{
    free(sensor);
}

size_t ram_sensor_output_size(const ram_sensor *sensor)
{
    if (!sensor)
        return 0;
    return (size_t)sensor->scales * (size_t)sensor->channels *
           (size_t)sensor->patch * (size_t)sensor->patch;
}

int ram_sensor_shape(const ram_sensor *sensor, size_t *patch, size_t *scales,
                     size_t *channels)
{
    if (!sensor)
        return RAM_FAIL(RAM_E_INVALID, "sensor is NULL");
    if (patch)
        *patch = (size_t)sensor->patch;
    if (scales)
        *scales = (size_t)sensor->scales;
    if (channels)
        *channels = (size_t)sensor->channels;
    return RAM_OK;
}

/* ------------------------------------------------------------- geometry */

void ram__sensor_rect(const struct ram_sensor *s, size_t width, size_t height,
                      float lx, float ly, int scale, long *x0, long *y0,
                      long *size)
{
    long sz = (long)s->patch << scale;
    double cx = ((double)lx + 1.0) * (double)width / 2.0;
    double cy = ((double)ly + 1.0) * (double)height / 2.0;
    *x0 = (long)floor(cx - (double)sz / 2.0 + 0.5);
    *y0 = (long)floor(cy - (double)sz / 2.0 + 0.5);
    *size = sz;
}

static int image_ok(size_t width, size_t height)
{
    return width >= 1 && width <= RAM_SENSOR_MAX_IMAGE && height >= 1 &&
           height <= RAM_SENSOR_MAX_IMAGE;
}

/* RAM_OK, or the status for a NaN/infinite (RAM_E_NONFINITE) or
 * out-of-[-1,1] (RAM_E_RANGE) coordinate among the n given, recorded under
 * the name func. */
static int loc_check(const char *func, const float *loc, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (!isfinite(loc[j]))
            return ram__fail(RAM_E_NONFINITE, func,
                             "loc[%zu] (row %zu) is NaN or infinite", j,
                             j / 2);
    for (size_t j = 0; j < n; j++)
        if (loc[j] < -1.0f || loc[j] > 1.0f)
            return ram__fail(RAM_E_RANGE, func,
                             "loc[%zu] = %g (row %zu) is outside [-1, 1]", j,
                             (double)loc[j], j / 2);
    return RAM_OK;
}

int ram_sensor_patch_rect(const ram_sensor *sensor, size_t width,
                          size_t height, const float loc[2], size_t scale,
                          ptrdiff_t *x0, ptrdiff_t *y0, size_t *size)
{
    if (!sensor)
        return RAM_FAIL(RAM_E_INVALID, "sensor is NULL");
    if (!loc)
        return RAM_FAIL(RAM_E_INVALID, "loc is NULL");
    if (!x0)
        return RAM_FAIL(RAM_E_INVALID, "x0 is NULL");
    if (!y0)
        return RAM_FAIL(RAM_E_INVALID, "y0 is NULL");
    if (!size)
        return RAM_FAIL(RAM_E_INVALID, "size is NULL");
    if (!image_ok(width, height))
        return RAM_FAIL(RAM_E_RANGE,
                        "width = %zu or height = %zu is outside 1 .. %d",
                        width, height, RAM_SENSOR_MAX_IMAGE);
    if (scale >= (size_t)sensor->scales)
        return RAM_FAIL(RAM_E_RANGE, "scale = %zu: the sensor has %d scales",
                        scale, sensor->scales);
    int rc = loc_check(__func__, loc, 2);
    if (rc != RAM_OK)
        return rc;
    long x, y, sz;
    ram__sensor_rect(sensor, width, height, loc[0], loc[1], (int)scale, &x,
                     &y, &sz);
    *x0 = (ptrdiff_t)x;
    *y0 = (ptrdiff_t)y;
    *size = (size_t)sz;
    return RAM_OK;
}

/* ------------------------------------------------------------ validation */

int ram__image_check(int format, size_t channels, size_t width, size_t height,
                     size_t row_stride, size_t image_stride, size_t batch)
{
    return ram__image_check_in(NULL, format, channels, width, height,
                               row_stride, image_stride, batch);
}

/* The checks, with a detail under the name func (none when func
 * is NULL: ram__image_check records nothing, as before). */
#define IMG_FAIL(status, ...)                                                  \
    (func ? ram__fail((status), func, __VA_ARGS__) : (status))

int ram__image_check_in(const char *func, int format, size_t channels,
                        size_t width, size_t height, size_t row_stride,
                        size_t image_stride, size_t batch)
{
    size_t elem;
    if (format == RAM_PIXEL_U8)
        elem = 1;
    else if (format == RAM_PIXEL_F32)
        elem = sizeof(float);
    else
        return IMG_FAIL(RAM_E_INVALID,
                        "format = %d is neither RAM_PIXEL_U8 nor "
                        "RAM_PIXEL_F32", format);
    if (channels < 1 || channels > RAM_SENSOR_MAX_CHANNELS)
        return IMG_FAIL(RAM_E_RANGE, "channels = %zu is outside 1 .. %d",
                        channels, RAM_SENSOR_MAX_CHANNELS);
    if (!image_ok(width, height))
        return IMG_FAIL(RAM_E_RANGE,
                        "width = %zu or height = %zu is outside 1 .. %d",
                        width, height, RAM_SENSOR_MAX_IMAGE);
    if (batch < 1 || batch > RAM_MAX_ROWS)
        return IMG_FAIL(RAM_E_RANGE, "batch = %zu is outside 1 .. %d", batch,
                        RAM_MAX_ROWS);
    /* At most 2^16 * 2^6 * 4 bytes: no overflow. */
    size_t row_bytes = width * channels * elem;
    if (row_stride < row_bytes)
        return IMG_FAIL(RAM_E_INVALID,
                        "row_stride = %zu is below width * channels * "
                        "element size = %zu", row_stride, row_bytes);
    if (row_stride % elem != 0)
        return IMG_FAIL(RAM_E_INVALID,
                        "row_stride = %zu is not a multiple of the element "
                        "size %zu", row_stride, elem);
    /* Every byte offset the sensor forms must fit in a ptrdiff_t. */
    const size_t lim = PTRDIFF_MAX;
    if (row_stride > lim / height)
        return IMG_FAIL(RAM_E_RANGE,
                        "row_stride * height overflows ptrdiff_t");
    size_t image_bytes = height * row_stride;
    if (batch > 1) {
        if (image_stride < image_bytes)
            return IMG_FAIL(RAM_E_INVALID,
                            "image_stride = %zu is below height * row_stride "
                            "= %zu", image_stride, image_bytes);
        if (image_stride % elem != 0)
            return IMG_FAIL(RAM_E_INVALID,
                            "image_stride = %zu is not a multiple of the "
                            "element size %zu", image_stride, elem);
        if (batch - 1 > (lim - image_bytes) / image_stride)
            return IMG_FAIL(RAM_E_RANGE,
                            "batch * image_stride overflows ptrdiff_t");
    }
    return RAM_OK;
}

/* ----------------------------------------------------------------- scan */

/* The F32 pixels that image `img`'s patches read: 1 if all are valid
 * (finite, |x| <= RAM_PIXEL_F32_MAX); else 0, with the first bad value in
 * *bad. The patches are nested (each contains the smaller ones), so the
 * bounding box of all of them is exactly the pixels read; it is computed
 * anyway. */
static int patches_valid(const struct ram_sensor *s, const float *img,
                         size_t width, size_t height, size_t rs,
                         const float *l, float *bad)
{
    long xa = 0, xb = 0, ya = 0, yb = 0;
    for (int i = 0; i < s->scales; i++) {
        long x0, y0, sz;
        ram__sensor_rect(s, width, height, l[0], l[1], i, &x0, &y0, &sz);
        xa = i == 0 ? x0 : lmin(xa, x0);
        ya = i == 0 ? y0 : lmin(ya, y0);
        xb = i == 0 ? x0 + sz : lmax(xb, x0 + sz);
        yb = i == 0 ? y0 + sz : lmax(yb, y0 + sz);
    }
    xa = lmax(xa, 0);
    ya = lmax(ya, 0);
    xb = lmin(xb, (long)width);
    yb = lmin(yb, (long)height);
    if (xa >= xb || ya >= yb)
        return 1;
    size_t C = (size_t)s->channels, n = (size_t)(xb - xa) * C;
    for (long y = ya; y < yb; y++) {
        const float *r = img + (size_t)y * rs + (size_t)xa * C;
        if (!ram__all_pixels_ok(r, n)) {
            for (size_t j = 0; j < n; j++)
                if (!(fabsf(r[j]) <= RAM_PIXEL_F32_MAX)) {
                    *bad = r[j];
                    break;
                }
            return 0;
        }
    }
    return 1;
}

int ram__sensor_pixels_check(const char *func, const struct ram_sensor *s,
                             size_t batch, const void *images, size_t width,
                             size_t height, size_t row_stride,
                             size_t image_stride, const float *loc)
{
    size_t rs = row_stride / sizeof(float);
    for (size_t b = 0; b < batch; b++) {
        const float *img = (const float *)(const void *)(
            (const char *)images + b * image_stride);
        float bad = 0.0f;
        if (!patches_valid(s, img, width, height, rs, loc + 2 * b, &bad)) {
            if (!isfinite(bad))
                return ram__fail(RAM_E_NONFINITE, func,
                                 "image %zu has a NaN or infinite pixel "
                                 "inside its patches",
                                 b);
            return ram__fail(RAM_E_RANGE, func,
                             "image %zu has a pixel of %g inside its "
                             "patches, outside [-RAM_PIXEL_F32_MAX, "
                             "RAM_PIXEL_F32_MAX] = [-2^24, 2^24]",
                             b, (double)bad);
        }
    }
    return RAM_OK;
}

/* --------------------------------------------------------------- kernels */

/* A patch clipped to the image. */
struct clip {
    long xa, xb, ya, yb; /* in-image columns [xa, xb) and rows [ya, yb) */
    long ua, ub, va, vb; /* cells that touch the image: [ua, ub) x [va, vb) */
};

/* Clip patch i at (x0, y0) to a W x H image; zero the output cells outside
 * it. Returns 0 if the patch misses the image (then all of o is zero). */
static int clip_patch(struct clip *k, int g, int i, long W, long H, long x0,
                      long y0, float *o, size_t cells)
{
    long p = 1L << i, s = (long)g << i;
    k->xa = lmax(x0, 0);
    k->xb = lmin(x0 + s, W);
    k->ya = lmax(y0, 0);
    k->yb = lmin(y0 + s, H);
    if (k->xa >= k->xb || k->ya >= k->yb) {
        memset(o, 0, cells * sizeof *o);
        return 0;
    }
    k->ua = (k->xa - x0) >> i;
    k->ub = (k->xb - x0 + p - 1) >> i;
    k->va = (k->ya - y0) >> i;
    k->vb = (k->yb - y0 + p - 1) >> i;
    if (k->ua > 0 || k->ub < g || k->va > 0 || k->vb < g)
        memset(o, 0, cells * sizeof *o);
    return 1;
}

/* col[j] = sum over `rows` rows (rs elements apart) of r[j], j < n. Blocks
 * of VB columns are summed down the rows in registers (a fixed-size local
 * array, which the compiler vectorizes), then stored once. */
static void vsum_u8(uint16_t *restrict col, const uint8_t *restrict r,
                    size_t rs, long rows, size_t n)
{
    size_t j = 0;
    for (; j + VB <= n; j += VB) {
        uint16_t a[VB];
        const uint8_t *q = r + j;
        for (size_t t = 0; t < VB; t++)
            a[t] = q[t];
        for (long y = 1; y < rows; y++) {
            q += rs;
            for (size_t t = 0; t < VB; t++)
                a[t] = (uint16_t)(a[t] + q[t]);
        }
        memcpy(col + j, a, sizeof a);
    }
    for (; j < n; j++) {
        unsigned a = 0;
        for (long y = 0; y < rows; y++)
            a += r[(size_t)y * rs + j];
        col[j] = (uint16_t)a;
    }
}

static void vsum_f32(float *restrict col, const float *restrict r,
                     size_t rs, long rows, size_t n)
{
    size_t j = 0;
    for (; j + VB <= n; j += VB) {
        float a[VB];
        const float *q = r + j;
        for (size_t t = 0; t < VB; t++)
            a[t] = q[t];
        for (long y = 1; y < rows; y++) {
            q += rs;
            for (size_t t = 0; t < VB; t++)
                a[t] += q[t];
        }
        memcpy(col + j, a, sizeof a);
    }
    for (; j < n; j++) {
        float a = r[j];
        for (long y = 1; y < rows; y++)
            a += r[(size_t)y * rs + j];
        col[j] = a;
    }
}

/* The horizontal pass. After vsum, col holds one row of cells' column
 * sums; a cell's mean is the sum of its p columns (times C interleaved
 * channels) over 4^i. Full cells -- all p columns in this chunk, hence all
 * in the image -- go through tight loops; a cell cut by the image edge or by
 * a chunk boundary goes through *_part, which keeps a split cell's partial
 * sum in the output until its last chunk. d points at cell u of channel 0;
 * channel c is gg floats further. */

/* n full cells of U8 sums starting at q. */
static void cells_u8(const uint16_t *restrict q, long n, long p, int C,
                     size_t gg, double inv, float *restrict d)
{
    if (C == 1) {
        switch (p) {
        case 2:
            for (long u = 0; u < n; u++, q += 2)
                d[u] = (float)((uint32_t)(q[0] + q[1]) * inv);
            return;
        case 4:
            for (long u = 0; u < n; u++, q += 4)
                d[u] = (float)((uint32_t)(q[0] + q[1] + q[2] + q[3]) * inv);
            return;
        case 8:
            for (long u = 0; u < n; u++, q += 8)
                d[u] = (float)((uint32_t)(q[0] + q[1] + q[2] + q[3] + q[4] +
                                          q[5] + q[6] + q[7]) *
                               inv);
            return;
        default:
            for (long u = 0; u < n; u++, q += p) {
                uint32_t sum = 0;
                for (long x = 0; x < p; x++)
                    sum += q[x];
                d[u] = (float)(sum * inv);
            }
            return;
        }
    }
    uint32_t acc[RAM_SENSOR_MAX_CHANNELS];
    for (long u = 0; u < n; u++) {
        for (int c = 0; c < C; c++)
            acc[c] = 0;
        for (long x = 0; x < p; x++, q += C)
            for (int c = 0; c < C; c++)
                acc[c] += q[c];
        for (int c = 0; c < C; c++)
            d[(size_t)c * gg + (size_t)u] = (float)(acc[c] * inv);
    }
}

/* One cut U8 cell: nq of its columns at q. first: no earlier chunk had
 * any of its columns; last: no later chunk will. */
static void cell_u8_part(const uint16_t *q, long nq, int C, size_t gg,
                         double inv, int first, int last, float *d)
{
    uint32_t acc[RAM_SENSOR_MAX_CHANNELS];
    if (C == 1) {
        uint32_t a = 0;
        for (long x = 0; x < nq; x++)
            a += q[x];
        acc[0] = a;
    } else {
        for (int c = 0; c < C; c++)
            acc[c] = 0;
        for (long x = 0; x < nq; x++, q += C)
            for (int c = 0; c < C; c++)
                acc[c] += q[c];
    }
    /* Partial sums are integers below 2^24: exact in the float output. */
    for (int c = 0; c < C; c++) {
        float *t = d + (size_t)c * gg;
        float sum = (first ? 0.0f : *t) + (float)acc[c];
        *t = last ? (float)(sum * inv) : sum;
    }
}

static void cells_f32(const float *restrict q, long n, long p, int C,
                      size_t gg, float inv, float *restrict d)
{
    if (C == 1) {
        switch (p) {
        case 2:
            for (long u = 0; u < n; u++, q += 2)
                d[u] = (q[0] + q[1]) * inv;
            return;
        case 4:
            for (long u = 0; u < n; u++, q += 4)
                d[u] = (q[0] + q[1] + q[2] + q[3]) * inv;
            return;
        default:
            for (long u = 0; u < n; u++, q += p) {
                float sum = 0.0f;
                for (long x = 0; x < p; x++)
                    sum += q[x];
                d[u] = sum * inv;
            }
            return;
        }
    }
    float acc[RAM_SENSOR_MAX_CHANNELS];
    for (long u = 0; u < n; u++) {
        for (int c = 0; c < C; c++)
            acc[c] = 0.0f;
        for (long x = 0; x < p; x++, q += C)
            for (int c = 0; c < C; c++)
                acc[c] += q[c];
        for (int c = 0; c < C; c++)
            d[(size_t)c * gg + (size_t)u] = acc[c] * inv;
    }
}

static void cell_f32_part(const float *q, long nq, int C, size_t gg,
                          float inv, int first, int last, float *d)
{
    float acc[RAM_SENSOR_MAX_CHANNELS];
    if (C == 1) {
        float a = 0.0f;
        for (long x = 0; x < nq; x++)
            a += q[x];
        acc[0] = a;
    } else {
        for (int c = 0; c < C; c++)
            acc[c] = 0.0f;
        for (long x = 0; x < nq; x++, q += C)
            for (int c = 0; c < C; c++)
                acc[c] += q[c];
    }
    for (int c = 0; c < C; c++) {
        float *t = d + (size_t)c * gg;
        float sum = (first ? 0.0f : *t) + acc[c];
        *t = last ? sum * inv : sum;
    }
}

/* The cells of one cell row that touch the chunk [xc, xe): [u0, u1], of
 * which [f0, f1) lie wholly inside it (f0 = f1 = u1 + 1 if none). */
struct chunk_cells {
    long u0, u1, f0, f1;
};

static struct chunk_cells chunk_cells(long x0, int i, long xc, long xe)
{
    long p = 1L << i;
    struct chunk_cells r;
    r.u0 = (xc - x0) >> i;
    r.u1 = (xe - 1 - x0) >> i;
    r.f0 = (xc - x0 + p - 1) >> i;
    r.f1 = (xe - x0) >> i;
    if (r.f0 >= r.f1)
        r.f0 = r.f1 = r.u1 + 1;
    return r;
}

/* Patch i of a U8 image (rs bytes per row) into o (C * g * g floats). */
RAM_CLONES
static void patch_u8(int g, int C, int i, const uint8_t *img, size_t rs,
                     long W, long H, long x0, long y0, float *o)
{
    const size_t gg = (size_t)g * (size_t)g, cells = (size_t)C * gg;
    struct clip k;
    if (!clip_patch(&k, g, i, W, H, x0, y0, o, cells))
        return;

    if (i == 0) {
        for (long v = k.va; v < k.vb; v++) {
            const uint8_t *r = img + (size_t)(y0 + v) * rs;
            float *d = o + (size_t)v * (size_t)g;
            if (C == 1) {
                for (long u = k.ua; u < k.ub; u++)
                    d[u] = u8_value(r[x0 + u]);
            } else {
                for (long u = k.ua; u < k.ub; u++) {
                    const uint8_t *px = r + (size_t)(x0 + u) * (size_t)C;
                    for (int c = 0; c < C; c++)
                        d[(size_t)c * gg + (size_t)u] = u8_value(px[c]);
                }
            }
        }
        return;
    }

    const long p = 1L << i, m = CHUNK / C; /* m: columns per chunk */
    const double inv = 1.0 / (255.0 * (double)(p * p));
    uint16_t col[CHUNK]; /* at most 2^7 rows of 255: fits */
    for (long v = k.va; v < k.vb; v++) {
        long ry0 = lmax(y0 + v * p, k.ya), ry1 = lmin(y0 + v * p + p, k.yb);
        const uint8_t *r0 = img + (size_t)ry0 * rs;
        float *d = o + (size_t)v * (size_t)g;
        for (long xc = k.xa; xc < k.xb; xc += m) {
            long xe = lmin(xc + m, k.xb);
            vsum_u8(col, r0 + (size_t)xc * (size_t)C, rs, ry1 - ry0,
                    (size_t)(xe - xc) * (size_t)C);
            struct chunk_cells cc = chunk_cells(x0, i, xc, xe);
            if (cc.f0 < cc.f1)
                cells_u8(col + (size_t)(x0 + cc.f0 * p - xc) * (size_t)C,
                         cc.f1 - cc.f0, p, C, gg, inv, d + cc.f0);
            /* The cut cells: [u0, f0) and [f1, u1]. */
            const long lo[2] = {cc.u0, cc.f1}, hi[2] = {cc.f0, cc.u1 + 1};
            for (int h = 0; h < 2; h++) {
                for (long u = lo[h]; u < hi[h]; u++) {
                    long c0 = x0 + u * p; /* the cell's first column */
                    long ca = lmax(c0, xc), cb = lmin(c0 + p, xe);
                    cell_u8_part(col + (size_t)(ca - xc) * (size_t)C,
                                 cb - ca, C, gg, inv, ca == lmax(c0, k.xa),
                                 cb == lmin(c0 + p, k.xb), d + u);
                }
            }
        }
    }
}

/* Patch i of an F32 image (rs floats per row) into o (C * g * g floats). */
RAM_CLONES
static void patch_f32(int g, int C, int i, const float *img, size_t rs,
                      long W, long H, long x0, long y0, float *o)
{
    const size_t gg = (size_t)g * (size_t)g, cells = (size_t)C * gg;
    struct clip k;
    if (!clip_patch(&k, g, i, W, H, x0, y0, o, cells))
        return;

    if (i == 0) {
        for (long v = k.va; v < k.vb; v++) {
            const float *r = img + (size_t)(y0 + v) * rs;
            float *d = o + (size_t)v * (size_t)g;
            if (C == 1) {
                memcpy(d + k.ua, r + x0 + k.ua,
                       (size_t)(k.ub - k.ua) * sizeof *d);
            } else {
                for (long u = k.ua; u < k.ub; u++) {
                    const float *px = r + (size_t)(x0 + u) * (size_t)C;
                    for (int c = 0; c < C; c++)
                        d[(size_t)c * gg + (size_t)u] = px[c];
                }
            }
        }
        return;
    }

    const long p = 1L << i, m = CHUNK / C;
    const float inv = 1.0f / (float)(p * p); /* a power of two: exact */
    float col[CHUNK];
    for (long v = k.va; v < k.vb; v++) {
        long ry0 = lmax(y0 + v * p, k.ya), ry1 = lmin(y0 + v * p + p, k.yb);
        const float *r0 = img + (size_t)ry0 * rs;
        float *d = o + (size_t)v * (size_t)g;
        for (long xc = k.xa; xc < k.xb; xc += m) {
            long xe = lmin(xc + m, k.xb);
            vsum_f32(col, r0 + (size_t)xc * (size_t)C, rs, ry1 - ry0,
                     (size_t)(xe - xc) * (size_t)C);
            struct chunk_cells cc = chunk_cells(x0, i, xc, xe);
            if (cc.f0 < cc.f1)
                cells_f32(col + (size_t)(x0 + cc.f0 * p - xc) * (size_t)C,
                          cc.f1 - cc.f0, p, C, gg, inv, d + cc.f0);
            /* The cut cells: [u0, f0) and [f1, u1]. */
            const long lo[2] = {cc.u0, cc.f1}, hi[2] = {cc.f0, cc.u1 + 1};
            for (int h = 0; h < 2; h++) {
                for (long u = lo[h]; u < hi[h]; u++) {
                    long c0 = x0 + u * p;
                    long ca = lmax(c0, xc), cb = lmin(c0 + p, xe);
                    cell_f32_part(col + (size_t)(ca - xc) * (size_t)C, cb - ca,
                                  C, gg, inv, ca == lmax(c0, k.xa),
                                  cb == lmin(c0 + p, k.xb), d + u);
                }
            }
        }
    }
}

void ram__sensor_run(const struct ram_sensor *s, size_t batch,
                     const void *images, int format, size_t width,
                     size_t height, size_t row_stride, size_t image_stride,
                     const float *loc, float *out)
{
    const int g = s->patch, C = s->channels;
    const size_t cells = (size_t)C * (size_t)g * (size_t)g;
    const size_t R = cells * (size_t)s->scales;
    const long W = (long)width, H = (long)height;
    for (size_t b = 0; b < batch; b++) {
        /* b == 0 for batch 1: image_stride is then ignored. */
        const char *img = (const char *)images + b * image_stride;
        const float *l = loc + 2 * b;
        float *o = out + b * R;
        for (int i = 0; i < s->scales; i++, o += cells) {
            long x0, y0, sz;
            ram__sensor_rect(s, width, height, l[0], l[1], i, &x0, &y0, &sz);
            if (format == RAM_PIXEL_U8)
                patch_u8(g, C, i, (const uint8_t *)img, row_stride, W, H, x0,
                         y0, o);
            else
                patch_f32(g, C, i, (const float *)(const void *)img,
                          row_stride / sizeof(float), W, H, x0, y0, o);
        }
    }
}

/* ------------------------------------------------------------- glimpse */

int ram_sensor_glimpse(const ram_sensor *sensor, size_t batch,
                       const void *images, int format, size_t width,
                       size_t height, size_t row_stride, size_t image_stride,
                       const float *loc, float *out)
{
    if (!sensor)
        return RAM_FAIL(RAM_E_INVALID, "sensor is NULL");
    if (!images)
        return RAM_FAIL(RAM_E_INVALID, "images is NULL");
    if (!loc)
        return RAM_FAIL(RAM_E_INVALID, "loc is NULL");
    if (!out)
        return RAM_FAIL(RAM_E_INVALID, "out is NULL");
    int rc = ram__image_check_in(__func__, format, (size_t)sensor->channels,
                                 width, height, row_stride, image_stride,
                                 batch);
    if (rc != RAM_OK)
        return rc;
    /* batch * R floats of output must be addressable. */
    size_t R = ram_sensor_output_size(sensor);
    if (batch > (size_t)PTRDIFF_MAX / sizeof(float) / R)
        return RAM_FAIL(RAM_E_RANGE,
                        "batch = %zu: batch * %zu output floats overflow "
                        "ptrdiff_t", batch, R);
    /* Float pixels must be float-aligned (the strides are multiples of 4). */
    if (format == RAM_PIXEL_F32 &&
        (uintptr_t)images % _Alignof(float) != 0)
        return RAM_FAIL(RAM_E_INVALID,
                        "images is not aligned for float (RAM_PIXEL_F32)");
    rc = loc_check(__func__, loc, 2 * batch);
    if (rc != RAM_OK)
        return rc;
    if (format == RAM_PIXEL_F32) {
        rc = ram__sensor_pixels_check(__func__, sensor, batch, images, width,
                                      height, row_stride, image_stride, loc);
        if (rc != RAM_OK)
            return rc;
    }
    ram__sensor_run(sensor, batch, images, format, width, height, row_stride,
                    image_stride, loc, out);
    return RAM_OK;
}
