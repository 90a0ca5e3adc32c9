/* libram: the glimpse sensor with a non-integer retina scale (issue 25).
 *
 * The contract and the geometry are in include/ram/sensor.h
 * (ram_sensor_glimpse_scaled); the derivation is in docs/design.md, "The
 * scaled retina", and the handle's page is docs/sensor.md.
 *
 * How a patch is computed. A cell is a square of side q = s * 2^i whose
 * edges fall anywhere; its value is the area-weighted mean of the pixels
 * (unit squares) under it. The weight of pixel (x, y) in cell (u, v) is the
 * product wx(u, x) * wy(v, y) of the lengths by which [x, x+1) overlaps the
 * cell's column interval and [y, y+1) its row interval, so the mean is
 * separable. Along each axis a cell covers the pixels floor(lo) ..
 * ceil(hi) - 1 (clipped to the image; pixels outside read as 0, so they are
 * simply skipped): only the first and the last have a fractional weight,
 * every pixel in between has weight exactly 1. A cell is thus described by
 * a `span` (first and end pixel, two weights), computed once per patch for
 * the g columns and the g rows, on the stack.
 *
 * For each row of cells v, the cells are taken in runs of consecutive
 * cells whose columns (times C interleaved channels) fit a column buffer of
 * COL doubles on the stack: the run's image rows are summed down into it,
 * weighted by the row weights (U8: the rows of weight 1 in exact integers,
 * 16 columns at a time), then each cell adds up its columns, weighted by
 * the column weights, and the sum times 1 / q^2 (1 / (255 q^2) for U8) is
 * rounded once to float. A cell wider than the buffer on its own (cells of
 * 512 / C pixels or more) is summed row by row instead (cell_direct). Image
 * rows shared by two rows of cells are read twice, columns shared by two
 * cells likewise: at most a factor (q + 1)^2 / q^2 over one read.
 *
 * Precision. U8: the interior sums are exact integers, and at s = 1 every
 * weight is exactly 1 and every edge an integer, so every sum is the exact
 * integer block sum and the result, sum * (1 / (255 * 4^i)) rounded once,
 * is the fixed sensor's bit for bit. In general the weights and their
 * products carry double rounding (relative 2^-52 per operation), far below
 * the final rounding to float. F32: sums in double, so a cell is within
 * about one float ulp of the exact area-weighted mean of |pixel|-bounded
 * data; at s = 1 it differs from the fixed sensor (float sums) only by the
 * latter's rounding. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* The column buffer on the stack (4 KiB of doubles): the weighted column
 * sums of a run of cells of one row of cells, all channels. */
#ifndef RAM__SCALED_COL
#define RAM__SCALED_COL 512
#endif
#define COL RAM__SCALED_COL
/* The integer row sums go VB elements at a time (a fixed trip count the
 * compiler vectorizes). */
#define VB 16

/* One cell along one axis: pixels [a, b) of the image lie under it, the
 * first with weight wa, the last (when b - a >= 2) with weight wb, the rest
 * with weight 1. a >= b: the cell lies wholly outside the image. */
struct span {
    long a, b;
    double wa, wb;
};

/* The g cells [x0 + u q, x0 + (u + 1) q) of a patch along an axis of n
 * pixels. Adjacent cells share their edge exactly (the same expression). */
static double dmin(double a, double b)
{
    return a < b ? a : b;
}

static double dmax(double a, double b)
{
    return a > b ? a : b;
}

static void spans(double x0, double q, int g, long n, struct span *sp)
{
    for (int u = 0; u < g; u++) {
        double lo = x0 + (double)u * q, hi = x0 + (double)(u + 1) * q;
        double fa = dmax(floor(lo), 0.0), fb = dmin(ceil(hi), (double)n);
        if (fa >= fb) {
            sp[u].a = sp[u].b = 0;
            sp[u].wa = sp[u].wb = 0.0;
            continue;
        }
        long a = (long)fa, b = (long)fb;
        sp[u].a = a;
        sp[u].b = b;
        sp[u].wa = dmin(fa + 1.0, hi) - dmax(fa, lo);
        sp[u].wb = dmin(fb, hi) - dmax(fb - 1.0, lo);
    }
}

/* Weighted sum of one channel along one image row under one cell; `row`
 * points at that channel of pixel 0, pixels C elements apart. */
static double hsum_u8(const uint8_t *row, size_t C, const struct span *sp)
{
    const long a = sp->a, b = sp->b;
    double sum = sp->wa * (double)row[(size_t)a * C];
    if (b - a >= 2) {
        uint32_t t = 0; /* at most 4 * 2^7 pixels of 255 */
        for (long x = a + 1; x < b - 1; x++)
            t += row[(size_t)x * C];
        sum += (double)t;
        sum += sp->wb * (double)row[(size_t)(b - 1) * C];
    }
    return sum;
}

static double hsum_f32(const float *row, size_t C, const struct span *sp)
{
    const long a = sp->a, b = sp->b;
    double sum = sp->wa * (double)row[(size_t)a * C];
    if (b - a >= 2) {
        double t = 0.0;
        for (long x = a + 1; x < b - 1; x++)
            t += (double)row[(size_t)x * C];
        sum += t;
        sum += sp->wb * (double)row[(size_t)(b - 1) * C];
    }
    return sum;
}

/* col[j] = sum over the rows of span ys of wy * r[row][j], j < n, rows rs
 * elements apart. In three loops so that
 * each is a plain element-wise loop the compiler can vectorize. */
RAM_CLONES
static void vsum_u8(double *restrict col, const uint8_t *restrict r, size_t rs,
                    const struct span *ys, size_t n)
{
    const long rows = ys->b - ys->a;
    if (rows < 2) {
        for (size_t j = 0; j < n; j++)
            col[j] = ys->wa * (double)r[j];
        return;
    }
    /* The rows of weight 1 (at most 2^9 of 255) summed exactly in integers,
     * VB columns at a time in registers. */
    uint32_t mid[COL];
    size_t j = 0;
    for (; j + VB <= n; j += VB) {
        uint32_t a[VB] = {0};
        const uint8_t *q = r + j;
        for (long y = 1; y < rows - 1; y++) {
            q += rs;
            for (size_t t = 0; t < VB; t++)
                a[t] += q[t];
        }
        memcpy(mid + j, a, sizeof a);
    }
    for (; j < n; j++) {
        uint32_t a = 0;
        for (long y = 1; y < rows - 1; y++)
            a += r[(size_t)y * rs + j];
        mid[j] = a;
    }
    const uint8_t *last = r + (size_t)(rows - 1) * rs;
    for (j = 0; j < n; j++)
        col[j] = ys->wa * (double)r[j] + (double)mid[j] +
                 ys->wb * (double)last[j];
}

RAM_CLONES
static void vsum_f32(double *restrict col, const float *restrict r, size_t rs,
                     const struct span *ys, size_t n)
{
    const long rows = ys->b - ys->a;
    for (size_t j = 0; j < n; j++)
        col[j] = ys->wa * (double)r[j];
    if (rows < 2)
        return;
    for (long y = 1; y < rows - 1; y++) {
        const float *q = r + (size_t)y * rs;
        for (size_t j = 0; j < n; j++)
            col[j] += (double)q[j];
    }
    const float *q = r + (size_t)(rows - 1) * rs;
    for (size_t j = 0; j < n; j++)
        col[j] += ys->wb * (double)q[j];
}

/* The weighted sum of one channel across one cell of col (C elements per
 * column; col starts at column xa). */
static double hsum_col(const double *col, size_t C, long xa,
                       const struct span *sp)
{
    const double *q = col + (size_t)(sp->a - xa) * C;
    const long w = sp->b - sp->a;
    double sum = sp->wa * q[0];
    if (w >= 2) {
        double t = 0.0;
        for (long x = 1; x < w - 1; x++)
            t += q[(size_t)x * C];
        sum += t + sp->wb * q[(size_t)(w - 1) * C];
    }
    return sum;
}

/* The slow path for one cell whose columns do not fit the column buffer:
 * row by row, every channel. */
static void cell_direct(int format, const void *img, size_t rs, size_t C,
                        const struct span *xs, const struct span *ys,
                        double inv, size_t gg, float *d)
{
    for (size_t c = 0; c < C; c++) {
        double acc = 0.0;
        for (long y = ys->a; y < ys->b; y++) {
            const double wy =
                y == ys->a ? ys->wa : (y == ys->b - 1 ? ys->wb : 1.0);
            double h;
            if (format == RAM_PIXEL_U8)
                h = hsum_u8((const uint8_t *)img + (size_t)y * rs + c, C, xs);
            else
                h = hsum_f32((const float *)img + (size_t)y * rs + c, C, xs);
            acc += wy * h;
        }
        d[c * gg] = (float)(acc * inv);
    }
}

/* One patch: corner (x0, y0), cells of side q, into o (C planes of g x g).
 * rs is the row stride in elements. For each row of cells, consecutive
 * cells whose columns (times C) fit COL elements are done together: their
 * rows are summed down into col (weighted), then each cell sums its
 * columns of col (weighted). A cell wider than COL on its own goes through
 * cell_direct. */
static void patch_scaled(int g, int C, int format, const void *img,
                         size_t rs, long W, long H, double x0, double y0,
                         double q, float *o)
{
    struct span sx[RAM_SENSOR_MAX_PATCH], sy[RAM_SENSOR_MAX_PATCH];
    double col[COL];
    spans(x0, q, g, W, sx);
    spans(y0, q, g, H, sy);
    const size_t gg = (size_t)g * (size_t)g, Cs = (size_t)C;
    const double inv = format == RAM_PIXEL_U8 ? 1.0 / (255.0 * (q * q))
                                              : 1.0 / (q * q);
    for (int v = 0; v < g; v++) {
        const struct span *ys = &sy[v];
        float *d = o + (size_t)v * (size_t)g;
        int u = 0;
        while (u < g) {
            if (ys->a >= ys->b || sx[u].a >= sx[u].b) {
                for (size_t c = 0; c < Cs; c++)
                    d[c * gg + (size_t)u] = 0.0f;
                u++;
                continue;
            }
            const long xa = sx[u].a;
            if ((size_t)(sx[u].b - xa) * Cs > COL) {
                cell_direct(format, img, rs, Cs, &sx[u], ys, inv, gg, d + u);
                u++;
                continue;
            }
            int u1 = u + 1;
            while (u1 < g && sx[u1].a < sx[u1].b &&
                   (size_t)(sx[u1].b - xa) * Cs <= COL)
                u1++;
            const size_t n = (size_t)(sx[u1 - 1].b - xa) * Cs;
            const size_t off = (size_t)ys->a * rs + (size_t)xa * Cs;
            if (format == RAM_PIXEL_U8)
                vsum_u8(col, (const uint8_t *)img + off, rs, ys, n);
            else
                vsum_f32(col, (const float *)img + off, rs, ys, n);
            for (; u < u1; u++)
                for (size_t c = 0; c < Cs; c++)
                    d[c * gg + (size_t)u] =
                        (float)(hsum_col(col + c, Cs, xa, &sx[u]) * inv);
        }
    }
}

/* ------------------------------------------------------------- geometry */

void ram__sensor_box_scaled(const struct ram_sensor *s, size_t width,
                            size_t height, float lx, float ly, float scale,
                            unsigned flags, int i, double *x0, double *y0,
                            double *side)
{
    /* g * s * 2^i: at most 37 significant bits, exact in double. */
    const double S = (double)s->patch * ldexp((double)scale, i);
    double mx, my;
    if (flags & RAM_SENSOR_CONTINUOUS) {
        mx = ((double)lx + 1.0) * (double)width / 2.0;
        my = ((double)ly + 1.0) * (double)height / 2.0;
    } else {
        /* The centre of the fixed sensor's patch i (exact in double). */
        long fx, fy, fs;
        ram__sensor_rect(s, width, height, lx, ly, i, &fx, &fy, &fs);
        mx = (double)fx + (double)fs / 2.0;
        my = (double)fy + (double)fs / 2.0;
    }
    *x0 = mx - S / 2.0;
    *y0 = my - S / 2.0;
    *side = S;
}

void ram__sensor_run_scaled(const struct ram_sensor *s, size_t batch,
                            const void *images, int format, size_t width,
                            size_t height, size_t row_stride,
                            size_t image_stride, const float *loc,
                            const float *scale, unsigned flags, float *out)
{
    const int g = s->patch, C = s->channels;
    const size_t cells = (size_t)C * (size_t)g * (size_t)g;
    const size_t R = cells * (size_t)s->scales;
    const size_t rs =
        format == RAM_PIXEL_U8 ? row_stride : row_stride / sizeof(float);
    for (size_t b = 0; b < batch; b++) {
        /* b == 0 for batch 1: image_stride is then ignored. */
        const char *img = (const char *)images + b * image_stride;
        const float *l = loc + 2 * b;
        float *o = out + b * R;
        for (int i = 0; i < s->scales; i++, o += cells) {
            double x0, y0, side;
            ram__sensor_box_scaled(s, width, height, l[0], l[1], scale[b],
                                   flags, i, &x0, &y0, &side);
            patch_scaled(g, C, format, img, rs, (long)width, (long)height, x0,
                         y0, side / (double)g, o);
        }
    }
}

/* ----------------------------------------------------------- validation */

/* NaN/Inf (RAM_E_NONFINITE) before out-of-range (RAM_E_RANGE), for the n
 * locations (2 floats each) and n scales, recorded under func. */
static int args_check(const char *func, const float *loc, const float *scale,
                      size_t n)
{
    for (size_t j = 0; j < 2 * n; j++)
        if (!isfinite(loc[j]))
            return ram__fail(RAM_E_NONFINITE, func,
                             "loc[%zu] (row %zu) is NaN or infinite", j,
                             j / 2);
    for (size_t j = 0; j < n; j++)
        if (!isfinite(scale[j]))
            return ram__fail(RAM_E_NONFINITE, func,
                             "scale[%zu] is NaN or infinite", j);
    for (size_t j = 0; j < 2 * n; j++)
        if (loc[j] < -1.0f || loc[j] > 1.0f)
            return ram__fail(RAM_E_RANGE, func,
                             "loc[%zu] = %g (row %zu) is outside [-1, 1]", j,
                             (double)loc[j], j / 2);
    for (size_t j = 0; j < n; j++)
        if (scale[j] < RAM_SENSOR_SCALE_MIN || scale[j] > RAM_SENSOR_SCALE_MAX)
            return ram__fail(RAM_E_RANGE, func,
                             "scale[%zu] = %g is outside [%g, %g]", j,
                             (double)scale[j], (double)RAM_SENSOR_SCALE_MIN,
                             (double)RAM_SENSOR_SCALE_MAX);
    return RAM_OK;
}

/* 1 if every F32 pixel under one of image img's patches is valid (finite,
 * |x| <= RAM_PIXEL_F32_MAX, the check ram_sensor_glimpse() and
 * ram_agent_step() make): the pixels of the union's bounding box (the
 * patches are nested or nearly); else 0 with the first bad value in *bad. */
static int scaled_valid(const struct ram_sensor *s, const float *img,
                        size_t width, size_t height, size_t rs,
                        const float *l, float scale, unsigned flags,
                        float *bad)
{
    double xa = 0, xb = 0, ya = 0, yb = 0;
    for (int i = 0; i < s->scales; i++) {
        double x0, y0, side;
        ram__sensor_box_scaled(s, width, height, l[0], l[1], scale, flags, i,
                               &x0, &y0, &side);
        xa = i == 0 ? x0 : fmin(xa, x0);
        ya = i == 0 ? y0 : fmin(ya, y0);
        xb = i == 0 ? x0 + side : fmax(xb, x0 + side);
        yb = i == 0 ? y0 + side : fmax(yb, y0 + side);
    }
    xa = fmax(floor(xa), 0.0);
    ya = fmax(floor(ya), 0.0);
    xb = fmin(ceil(xb), (double)width);
    yb = fmin(ceil(yb), (double)height);
    if (xa >= xb || ya >= yb)
        return 1;
    const size_t C = (size_t)s->channels;
    const size_t n = (size_t)(xb - xa) * C;
    for (size_t y = (size_t)ya; y < (size_t)yb; y++) {
        const float *r = img + y * rs + (size_t)xa * C;
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

/* ------------------------------------------------------------ public */

int ram_sensor_glimpse_scaled(const ram_sensor *sensor, size_t batch,
                              const void *images, int format, size_t width,
                              size_t height, size_t row_stride,
                              size_t image_stride, const float *loc,
                              const float *scale, unsigned flags, float *out)
{
    if (!sensor)
        return RAM_FAIL(RAM_E_INVALID, "sensor is NULL");
    if (!images)
        return RAM_FAIL(RAM_E_INVALID, "images is NULL");
    if (!loc)
        return RAM_FAIL(RAM_E_INVALID, "loc is NULL");
    if (!scale)
        return RAM_FAIL(RAM_E_INVALID, "scale is NULL");
    if (!out)
        return RAM_FAIL(RAM_E_INVALID, "out is NULL");
    if (flags & ~RAM_SENSOR_CONTINUOUS)
        return RAM_FAIL(RAM_E_INVALID,
                        "flags = 0x%x: only RAM_SENSOR_CONTINUOUS (0x%x) is "
                        "defined", flags, RAM_SENSOR_CONTINUOUS);
    int rc = ram__image_check_in(__func__, format, (size_t)sensor->channels,
                                 width, height, row_stride, image_stride,
                                 batch);
    if (rc != RAM_OK)
        return rc;
    size_t R = ram_sensor_output_size(sensor);
    if (batch > (size_t)PTRDIFF_MAX / sizeof(float) / R)
        return RAM_FAIL(RAM_E_RANGE,
                        "batch = %zu: batch * %zu output floats overflow "
                        "ptrdiff_t", batch, R);
    if (format == RAM_PIXEL_F32 &&
        (uintptr_t)images % _Alignof(float) != 0)
        return RAM_FAIL(RAM_E_INVALID,
                        "images is not aligned for float (RAM_PIXEL_F32)");
    rc = args_check(__func__, loc, scale, batch);
    if (rc != RAM_OK)
        return rc;
    if (format == RAM_PIXEL_F32) {
        size_t rs = row_stride / sizeof(float);
        for (size_t b = 0; b < batch; b++) {
            const float *img = (const float *)(const void *)(
                (const char *)images + b * image_stride);
            float bad = 0.0f;
            if (!scaled_valid(sensor, img, width, height, rs, loc + 2 * b,
                              scale[b], flags, &bad)) {
                if (!isfinite(bad))
                    return RAM_FAIL(RAM_E_NONFINITE,
                                    "image %zu has a NaN or infinite pixel "
                                    "inside its patches", b);
                return RAM_FAIL(RAM_E_RANGE,
                                "image %zu has a pixel of %g inside its "
                                "patches, outside [-RAM_PIXEL_F32_MAX, "
                                "RAM_PIXEL_F32_MAX] = [-2^24, 2^24]",
                                b, (double)bad);
            }
        }
    }
    ram__sensor_run_scaled(sensor, batch, images, format, width, height,
                           row_stride, image_stride, loc, scale, flags, out);
    return RAM_OK;
}

int ram_sensor_patch_rect_scaled(const ram_sensor *sensor, size_t width,
                                 size_t height, const float loc[2],
                                 float scale, unsigned flags, size_t patch,
                                 double *x0, double *y0, double *size)
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
    if (flags & ~RAM_SENSOR_CONTINUOUS)
        return RAM_FAIL(RAM_E_INVALID,
                        "flags = 0x%x: only RAM_SENSOR_CONTINUOUS (0x%x) is "
                        "defined", flags, RAM_SENSOR_CONTINUOUS);
    if (width < 1 || width > RAM_SENSOR_MAX_IMAGE || height < 1 ||
        height > RAM_SENSOR_MAX_IMAGE)
        return RAM_FAIL(RAM_E_RANGE,
                        "width = %zu or height = %zu is outside 1 .. %d",
                        width, height, RAM_SENSOR_MAX_IMAGE);
    if (patch >= (size_t)sensor->scales)
        return RAM_FAIL(RAM_E_RANGE, "patch = %zu: the sensor has %d scales",
                        patch, sensor->scales);
    int rc = args_check(__func__, loc, &scale, 1);
    if (rc != RAM_OK)
        return rc;
    ram__sensor_box_scaled(sensor, width, height, loc[0], loc[1], scale,
                           flags, (int)patch, x0, y0, size);
    return RAM_OK;
}
