/* Tests of the glimpse sensor (lib/sensor.c; contract and geometry in
 * include/ram/sensor.h, page docs/sensor.md).
 *
 * Three independent checks of the numbers:
 *  - a naive reference written here (every pixel of every cell, with an
 *    explicit inside-the-image test, in double), compared over many shapes,
 *    formats, strides, batches and locations;
 *  - hand-computed values (ramp images, all-ones images at the corners), so
 *    that a geometry bug shared by the reference and the library still fails;
 *  - the patch rectangles, against corners written out by hand. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ram/ram.h"

/* ---------------------------------------------------------------- helpers */

/* ck_assert for hot loops: Check records a location for every passing
 * ck_assert (a write to a pipe in fork mode), which makes a loop of
 * thousands of them slow, above all under valgrind. */
#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond))                                                         \
            ck_abort_msg(__VA_ARGS__);                                       \
    } while (0)

static uint64_t t_next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double t_unif(uint64_t *x)
{
    return (double)(t_next(x) >> 11) * (1.0 / 9007199254740992.0);
}

static size_t elem_size(int format)
{
    return format == RAM_PIXEL_U8 ? 1 : sizeof(float);
}

/* A batch of images in one buffer, with optional padding after each row
 * and each image. Padding is poisoned (NaN for F32, 0xEE for U8): a sensor
 * that read it would fail the comparisons or report NONFINITE. */
typedef struct {
    int format;
    size_t C, W, H, batch;
    size_t rs, is; /* row and image strides, bytes */
    unsigned char *buf;
} timg;

static timg timg_new(int format, size_t C, size_t W, size_t H,
                     size_t row_pad, size_t img_pad, size_t batch)
{
    timg t;
    size_t e = elem_size(format);
    t.format = format;
    t.C = C;
    t.W = W;
    t.H = H;
    t.batch = batch;
    t.rs = (W * C + row_pad) * e;
    t.is = H * t.rs + img_pad * e;
    size_t bytes = t.is * batch;
    t.buf = malloc(bytes);
    ck_assert_ptr_nonnull(t.buf);
    if (format == RAM_PIXEL_F32) {
        float *f = (float *)(void *)t.buf;
        for (size_t j = 0; j < bytes / sizeof(float); j++)
            f[j] = NAN;
    } else {
        memset(t.buf, 0xEE, bytes);
    }
    return t;
}

static unsigned char *px(const timg *t, size_t b, size_t x, size_t y,
                         size_t c)
{
    return t->buf + b * t->is + y * t->rs +
           (x * t->C + c) * elem_size(t->format);
}

/* Stores v (U8: the integer v itself, 0..255). */
static void timg_set(const timg *t, size_t b, size_t x, size_t y, size_t c,
                     double v)
{
    if (t->format == RAM_PIXEL_U8)
        *px(t, b, x, y, c) = (unsigned char)v;
    else
        *(float *)(void *)px(t, b, x, y, c) = (float)v;
}

/* The value the sensor should read (U8: v / 255). */
static double timg_get(const timg *t, size_t b, size_t x, size_t y, size_t c)
{
    if (t->format == RAM_PIXEL_U8)
        return *px(t, b, x, y, c) / 255.0;
    return *(const float *)(const void *)px(t, b, x, y, c);
}

static void timg_fill(const timg *t, uint64_t *seed)
{
    for (size_t b = 0; b < t->batch; b++)
        for (size_t y = 0; y < t->H; y++)
            for (size_t x = 0; x < t->W; x++)
                for (size_t c = 0; c < t->C; c++)
                    timg_set(t, b, x, y, c,
                             t->format == RAM_PIXEL_U8
                                 ? (double)(t_next(seed) % 256)
                                 : 2.0 * t_unif(seed) - 1.0);
}

static void timg_fill_const(const timg *t, double v)
{
    for (size_t b = 0; b < t->batch; b++)
        for (size_t y = 0; y < t->H; y++)
            for (size_t x = 0; x < t->W; x++)
                for (size_t c = 0; c < t->C; c++)
                    timg_set(t, b, x, y, c, v);
}

static void timg_free(timg *t)
{
    free(t->buf);
    t->buf = NULL;
}

static ram_sensor *make_sensor(int g, int k, int C)
{
    ram_sensor *s = NULL;
    ck_assert_int_eq(ram_sensor_create(&s, g, k, C), RAM_OK);
    ck_assert_ptr_nonnull(s);
    return s;
}

static int glimpse(const ram_sensor *s, const timg *t, const float *loc,
                   float *out)
{
    return ram_sensor_glimpse(s, t->batch, t->buf, t->format, t->W, t->H,
                              t->rs, t->is, loc, out);
}

/* The header's formula, transcribed independently. */
static void ref_corner(int g, int i, size_t W, size_t H, float lx, float ly,
                       long *x0, long *y0)
{
    double s = (double)g * pow(2.0, i);
    double cx = ((double)lx + 1.0) * (double)W / 2.0;
    double cy = ((double)ly + 1.0) * (double)H / 2.0;
    *x0 = (long)floor(cx - s / 2.0 + 0.5);
    *y0 = (long)floor(cy - s / 2.0 + 0.5);
}

/* Naive reference for image b: every pixel of every block, one at a time,
 * each tested against the image bounds, in double. */
static void ref_glimpse(const timg *t, size_t b, int g, int k, float lx,
                        float ly, double *out)
{
    int C = (int)t->C;
    for (int i = 0; i < k; i++) {
        long x0, y0, p = 1L << i;
        ref_corner(g, i, t->W, t->H, lx, ly, &x0, &y0);
        for (int c = 0; c < C; c++)
            for (int v = 0; v < g; v++)
                for (int u = 0; u < g; u++) {
                    double sum = 0.0;
                    for (long dy = 0; dy < p; dy++)
                        for (long dx = 0; dx < p; dx++) {
                            long x = x0 + u * p + dx, y = y0 + v * p + dy;
                            int inside = x >= 0 && y >= 0 &&
                                         x < (long)t->W && y < (long)t->H;
                            if (inside)
                                sum += timg_get(t, b, (size_t)x, (size_t)y,
                                                (size_t)c);
                        }
                    out[(((size_t)i * C + c) * g + v) * g + u] =
                        sum / (double)(p * p);
                }
    }
}

/* Compares the library's glimpses of the whole batch with the reference. */
static void check_batch(const ram_sensor *s, const timg *t, const float *loc,
                        const char *what)
{
    size_t gs, ks, Cs;
    ck_assert_int_eq(ram_sensor_shape(s, &gs, &ks, &Cs), RAM_OK);
    int g = (int)gs, k = (int)ks, C = (int)Cs;
    size_t R = ram_sensor_output_size(s);
    /* 16 guard floats after the output must stay untouched. */
    float *out = malloc((R * t->batch + 16) * sizeof *out);
    double *ref = malloc(R * sizeof *ref);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(ref);
    for (size_t j = 0; j < R * t->batch + 16; j++)
        out[j] = -12345.0f;
    ck_assert_int_eq(glimpse(s, t, loc, out), RAM_OK);
    for (size_t j = R * t->batch; j < R * t->batch + 16; j++)
        CHECK(out[j] == -12345.0f, "wrote past the output");
    for (size_t b = 0; b < t->batch; b++) {
        ref_glimpse(t, b, g, k, loc[2 * b], loc[2 * b + 1], ref);
        for (size_t j = 0; j < R; j++) {
            double got = out[b * R + j], want = ref[j];
            CHECK(fabs(got - want) <= 1e-5 * (1.0 + fabs(want)),
                  "%s: %s %zux%zu C=%d g=%d k=%d b=%zu l=(%.9g,%.9g) "
                  "elem %zu: got %.9g want %.9g",
                  what, t->format == RAM_PIXEL_U8 ? "u8" : "f32", t->W, t->H,
                  C, g, k, b, (double)loc[2 * b], (double)loc[2 * b + 1], j,
                  got, want);
        }
    }
    free(out);
    free(ref);
}

/* The locations every shape is tried at: corners, centre, edges, near-edges,
 * then random ones. */
static const float fixed_locs[][2] = {
    {-1.0f, -1.0f}, {1.0f, 1.0f},   {-1.0f, 1.0f},    {1.0f, -1.0f},
    {0.0f, 0.0f},   {-1.0f, 0.0f},  {1.0f, 0.0f},     {0.0f, -1.0f},
    {0.0f, 1.0f},   {0.999f, -0.999f}, {-0.37f, 0.81f}, {0.5f, -0.25f},
};
#define N_FIXED (sizeof fixed_locs / sizeof fixed_locs[0])

static float loc_at(size_t n, int axis, uint64_t *seed)
{
    if (n < N_FIXED)
        return fixed_locs[n][axis];
    return (float)(2.0 * t_unif(seed) - 1.0);
}

/* --------------------------------------------------- lifecycle and shape */

START_TEST(test_create_shape)
{
    ram_sensor *s = make_sensor(12, 4, 3);
    size_t g = 0, k = 0, C = 0;
    ck_assert_int_eq(ram_sensor_shape(s, &g, &k, &C), RAM_OK);
    ck_assert_uint_eq(g, 12);
    ck_assert_uint_eq(k, 4);
    ck_assert_uint_eq(C, 3);
    ck_assert_uint_eq(ram_sensor_output_size(s), 4u * 3u * 12u * 12u);
    /* Any output may be NULL. */
    k = SIZE_MAX;
    ck_assert_int_eq(ram_sensor_shape(s, NULL, &k, NULL), RAM_OK);
    ck_assert_uint_eq(k, 4);
    ck_assert_int_eq(ram_sensor_shape(s, NULL, NULL, NULL), RAM_OK);
    ram_sensor_free(s);

    /* The limits themselves are accepted. */
    s = make_sensor(RAM_SENSOR_MAX_PATCH, RAM_SENSOR_MAX_SCALES,
                    RAM_SENSOR_MAX_CHANNELS);
    ck_assert_uint_eq(ram_sensor_output_size(s),
                      (size_t)RAM_SENSOR_MAX_SCALES *
                          RAM_SENSOR_MAX_CHANNELS * RAM_SENSOR_MAX_PATCH *
                          RAM_SENSOR_MAX_PATCH);
    ram_sensor_free(s);
    s = make_sensor(1, 1, 1);
    ck_assert_uint_eq(ram_sensor_output_size(s), 1u);
    ram_sensor_free(s);

    ram_sensor_free(NULL);
    ck_assert_uint_eq(ram_sensor_output_size(NULL), 0u);
    g = 77;
    ck_assert_int_eq(ram_sensor_shape(NULL, &g, NULL, NULL), RAM_E_INVALID);
    ck_assert_uint_eq(g, 77);
}
END_TEST

START_TEST(test_create_errors)
{
    static const int bad[][3] = {
        {0, 1, 1},  {-1, 1, 1}, {RAM_SENSOR_MAX_PATCH + 1, 1, 1},
        {8, 0, 1},  {8, -3, 1}, {8, RAM_SENSOR_MAX_SCALES + 1, 1},
        {8, 1, 0},  {8, 1, -1}, {8, 1, RAM_SENSOR_MAX_CHANNELS + 1},
        {8, 1000, 1}, {1 << 30, 1, 1},
    };
    ck_assert_int_eq(ram_sensor_create(NULL, 8, 1, 1), RAM_E_INVALID);
    for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
        ram_sensor *s = (ram_sensor *)(void *)&s; /* not NULL */
        ck_assert_msg(ram_sensor_create(&s, bad[j][0], bad[j][1],
                                        bad[j][2]) == RAM_E_RANGE,
                      "create(%d, %d, %d) should be RAM_E_RANGE", bad[j][0],
                      bad[j][1], bad[j][2]);
        ck_assert_ptr_null(s);
    }
}
END_TEST

/* ---------------------------------------------------- geometry, by hand */

/* 28x28, g=8, l=(0,0): cx = 14, x0 = floor(14 - 4 + 0.5) = 10, so the patch
 * is columns 10..17 and rows 10..17. On the ramp x + 100y every cell is the
 * pixel itself. */
START_TEST(test_centre_28_ramp)
{
    ram_sensor *s = make_sensor(8, 1, 1);
    timg t = timg_new(RAM_PIXEL_F32, 1, 28, 28, 0, 0, 1);
    for (size_t y = 0; y < 28; y++)
        for (size_t x = 0; x < 28; x++)
            timg_set(&t, 0, x, y, 0, (double)x + 100.0 * (double)y);
    const float loc[2] = {0.0f, 0.0f};
    float out[64];
    ck_assert_int_eq(glimpse(s, &t, loc, out), RAM_OK);
    for (int v = 0; v < 8; v++)
        for (int u = 0; u < 8; u++)
            ck_assert_float_eq(out[v * 8 + u],
                               (float)((10 + u) + 100 * (10 + v)));
    /* Literally: the first cell is pixel (10, 10), the last (17, 17). */
    ck_assert_float_eq(out[0], 1010.0f);
    ck_assert_float_eq(out[63], 1717.0f);
    timg_free(&t);
    ram_sensor_free(s);
}
END_TEST

/* 60x60, g=12, k=3, l=(0.3,-0.5): cx = 39, cy = 15.
 *   scale 0: s=12, x0 = floor(39 - 6 + .5) = 33,  y0 = floor(15 - 6 + .5) = 9
 *   scale 1: s=24, x0 = floor(39 - 12 + .5) = 27, y0 = 3
 *   scale 2: s=48, x0 = floor(39 - 24 + .5) = 15, y0 = floor(-8.5) = -9
 * Scale 2 sticks out at the top (rows -9..-1) and the right (cols 60..62).
 * On the ramp x + 100y a full p x p block at (X, Y) has mean
 * X + (p-1)/2 + 100 (Y + (p-1)/2). */
START_TEST(test_ramp_known_values)
{
    ram_sensor *s = make_sensor(12, 3, 1);
    timg t = timg_new(RAM_PIXEL_F32, 1, 60, 60, 3, 0, 1);
    for (size_t y = 0; y < 60; y++)
        for (size_t x = 0; x < 60; x++)
            timg_set(&t, 0, x, y, 0, (double)x + 100.0 * (double)y);
    const float loc[2] = {0.3f, -0.5f};
    float out[3 * 144];
    ck_assert_int_eq(glimpse(s, &t, loc, out), RAM_OK);
    const float *o0 = out, *o1 = out + 144, *o2 = out + 288;
    for (int v = 0; v < 12; v++)
        for (int u = 0; u < 12; u++) {
            ck_assert_float_eq(o0[v * 12 + u],
                               (float)(33 + u + 100 * (9 + v)));
            ck_assert_float_eq(o1[v * 12 + u],
                               (float)(27 + 2 * u + 0.5 +
                                       100 * (3 + 2 * v + 0.5)));
        }
    /* Scale 2 cells wholly inside: u 0..10, v 3..11. */
    for (int v = 3; v < 12; v++)
        for (int u = 0; u < 11; u++)
            ck_assert_float_eq(o2[v * 12 + u],
                               (float)(15 + 4 * u + 1.5 +
                                       100 * (-9 + 4 * v + 1.5)));
    /* Rows -9..-6 and -5..-2: all outside. */
    for (int u = 0; u < 12; u++) {
        ck_assert_float_eq(o2[0 * 12 + u], 0.0f);
        ck_assert_float_eq(o2[1 * 12 + u], 0.0f);
    }
    /* Cell (0,2): cols 15..18, rows -1..2 of which 0..2 inside:
     * (3 * (15+16+17+18) + 100 * 4 * (0+1+2)) / 16 = 1398 / 16. */
    ck_assert_float_eq(o2[2 * 12 + 0], 87.375f);
    /* Cell (11,2): cols 59..62 (only 59 inside), rows 0..2:
     * (3 * 59 + 100 * (0+1+2)) / 16 = 477 / 16. */
    ck_assert_float_eq(o2[2 * 12 + 11], 29.8125f);
    /* Cell (11,5): col 59, rows 11..14: (4*59 + 100*50) / 16. */
    ck_assert_float_eq(o2[5 * 12 + 11], 327.25f);
    /* Cell (4,7): cols 31..34, rows 19..22, all inside. */
    ck_assert_float_eq(o2[7 * 12 + 4], 32.5f + 2050.0f);
    timg_free(&t);
    ram_sensor_free(s);
}
END_TEST

/* U8 on 28x28, pixel = x + 2y, g=8, k=2, l=(0,0): scale 1 is s=16 at
 * x0 = y0 = floor(14 - 8 + .5) = 6, so cell (u,v) averages the 2x2 block at
 * (6+2u, 6+2v): mean = (6.5 + 2u) + 2 (6.5 + 2v) = 19.5 + 2u + 4v, / 255. */
START_TEST(test_u8_known_values)
{
    ram_sensor *s = make_sensor(8, 2, 1);
    timg t = timg_new(RAM_PIXEL_U8, 1, 28, 28, 0, 0, 1);
    for (size_t y = 0; y < 28; y++)
        for (size_t x = 0; x < 28; x++)
            timg_set(&t, 0, x, y, 0, (double)(x + 2 * y));
    const float loc[2] = {0.0f, 0.0f};
    float out[128];
    ck_assert_int_eq(glimpse(s, &t, loc, out), RAM_OK);
    for (int v = 0; v < 8; v++)
        for (int u = 0; u < 8; u++) {
            ck_assert_float_eq(out[v * 8 + u],
                               (float)(10 + u + 2 * (10 + v)) / 255.0f);
            ck_assert_float_eq_tol(out[64 + v * 8 + u],
                                   (19.5f + 2 * u + 4 * v) / 255.0f, 1e-7f);
        }
    timg_free(&t);
    ram_sensor_free(s);
}
END_TEST

/* All-ones 28x28, g=8, k=3. At l=(-1,-1) the centre is pixel corner (0,0):
 * x0_i = -s_i/2, so every patch has its left and top halves outside. Cells
 * with u >= 4 and v >= 4 read only ones (mean 1), the rest only zeros
 * (mean 0): exactly 3/4 of each patch reads zeros. The other corners
 * mirror this. */
START_TEST(test_corners_ones)
{
    static const struct {
        float lx, ly;
        int ulo, vlo; /* the quadrant of ones: u in [ulo, ulo+4), ... */
    } corners[] = {
        {-1.0f, -1.0f, 4, 4},
        {1.0f, 1.0f, 0, 0},
        {-1.0f, 1.0f, 4, 0},
        {1.0f, -1.0f, 0, 4},
    };
    ram_sensor *s = make_sensor(8, 3, 1);
    for (int f = 0; f < 2; f++) {
        int format = f ? RAM_PIXEL_F32 : RAM_PIXEL_U8;
        timg t = timg_new(format, 1, 28, 28, 0, 0, 1);
        timg_fill_const(&t, format == RAM_PIXEL_U8 ? 255.0 : 1.0);
        for (size_t n = 0; n < 4; n++) {
            const float loc[2] = {corners[n].lx, corners[n].ly};
            float out[3 * 64];
            ck_assert_int_eq(glimpse(s, &t, loc, out), RAM_OK);
            for (int i = 0; i < 3; i++) {
                int zeros = 0;
                for (int v = 0; v < 8; v++)
                    for (int u = 0; u < 8; u++) {
                        int one = u >= corners[n].ulo &&
                                  u < corners[n].ulo + 4 &&
                                  v >= corners[n].vlo &&
                                  v < corners[n].vlo + 4;
                        float got = out[i * 64 + v * 8 + u];
                        CHECK(got == (one ? 1.0f : 0.0f),
                              "corner %zu scale %d cell (%d,%d): %g", n, i,
                              u, v, (double)got);
                        zeros += got == 0.0f;
                    }
                ck_assert_int_eq(zeros, 48);
            }
        }
        timg_free(&t);
    }
    ram_sensor_free(s);
}
END_TEST

/* Odd g = 5 at l=(-1,-1) on all-ones 28x28: blocks half in, half out.
 *   scale 0: x0 = floor(0 - 2.5 + .5) = -2: columns -2..2, inside 0,0,1,1,1
 *   scale 1: x0 = floor(0 - 5 + .5) = -5: cells {-5,-4} {-3,-2} {-1,0} {1,2}
 *            {3,4}, inside counts 0,0,1,2,2 (likewise rows); a cell's mean
 *            is nx * ny / 4 since outside pixels count as zeros. */
START_TEST(test_odd_patch_corner)
{
    static const int in0[5] = {0, 0, 1, 1, 1}, in1[5] = {0, 0, 1, 2, 2};
    ram_sensor *s = make_sensor(5, 2, 1);
    for (int f = 0; f < 2; f++) {
        int format = f ? RAM_PIXEL_F32 : RAM_PIXEL_U8;
        timg t = timg_new(format, 1, 28, 28, 0, 0, 1);
        timg_fill_const(&t, format == RAM_PIXEL_U8 ? 255.0 : 1.0);
        const float loc[2] = {-1.0f, -1.0f};
        float out[50];
        ck_assert_int_eq(glimpse(s, &t, loc, out), RAM_OK);
        for (int v = 0; v < 5; v++)
            for (int u = 0; u < 5; u++) {
                ck_assert_float_eq(out[v * 5 + u], (float)(in0[u] * in0[v]));
                ck_assert_float_eq(out[25 + v * 5 + u],
                                   (float)(in1[u] * in1[v]) / 4.0f);
            }
        /* Spot values: cell (2,2) has one pixel of four, (2,3) two,
         * (3,3) four. */
        ck_assert_float_eq(out[25 + 2 * 5 + 2], 0.25f);
        ck_assert_float_eq(out[25 + 3 * 5 + 2], 0.5f);
        ck_assert_float_eq(out[25 + 3 * 5 + 3], 1.0f);
        timg_free(&t);
    }
    ram_sensor_free(s);
}
END_TEST

/* Every U8 value at scale 0 reads exactly as v / 255.0f. */
START_TEST(test_u8_exact_values)
{
    ram_sensor *s = make_sensor(16, 1, 1);
    timg t = timg_new(RAM_PIXEL_U8, 1, 16, 16, 0, 0, 1);
    for (size_t y = 0; y < 16; y++)
        for (size_t x = 0; x < 16; x++)
            timg_set(&t, 0, x, y, 0, (double)(y * 16 + x));
    const float loc[2] = {0.0f, 0.0f}; /* x0 = floor(8 - 8 + .5) = 0 */
    float out[256];
    ck_assert_int_eq(glimpse(s, &t, loc, out), RAM_OK);
    for (int v = 0; v < 256; v++)
        CHECK(out[v] == (float)v / 255.0f, "%d: %.9g vs %.9g", v,
              (double)out[v], (double)((float)v / 255.0f));
    timg_free(&t);
    ram_sensor_free(s);
}
END_TEST

/* The largest blocks (2^7 x 2^7 of 255) sum without overflow: g=2, k=8 on
 * an all-255 256x256 image, centred, every cell is exactly 1. */
START_TEST(test_u8_largest_blocks)
{
    ram_sensor *s = make_sensor(2, 8, 1);
    timg t = timg_new(RAM_PIXEL_U8, 1, 256, 256, 0, 0, 1);
    timg_fill_const(&t, 255.0);
    const float loc[2] = {0.0f, 0.0f};
    float out[8 * 4];
    ck_assert_int_eq(glimpse(s, &t, loc, out), RAM_OK);
    for (int j = 0; j < 32; j++)
        ck_assert_msg(out[j] == 1.0f, "cell %d: %.9g", j, (double)out[j]);
    timg_free(&t);
    ram_sensor_free(s);
}
END_TEST

/* ------------------------------------------------------- patch rectangles */

START_TEST(test_patch_rect)
{
    ram_sensor *s = make_sensor(8, 3, 1);
    static const struct {
        float lx, ly;
        int scale, x0, y0, size;
    } want[] = {
        {0.0f, 0.0f, 0, 10, 10, 8},     {0.0f, 0.0f, 1, 6, 6, 16},
        {0.0f, 0.0f, 2, -2, -2, 32},    {-1.0f, -1.0f, 0, -4, -4, 8},
        {-1.0f, -1.0f, 1, -8, -8, 16},  {-1.0f, -1.0f, 2, -16, -16, 32},
        {1.0f, 1.0f, 0, 24, 24, 8},     {1.0f, -1.0f, 2, 12, -16, 32},
        {0.5f, -0.5f, 0, 17, 3, 8},     /* cx 21: 21-4+.5 -> 17; cy 7 */
    };
    for (size_t j = 0; j < sizeof want / sizeof want[0]; j++) {
        const float loc[2] = {want[j].lx, want[j].ly};
        ptrdiff_t x0 = 1000, y0 = 1000;
        size_t size = 0;
        ck_assert_int_eq(ram_sensor_patch_rect(s, 28, 28, loc,
                                               (size_t)want[j].scale, &x0,
                                               &y0, &size),
                         RAM_OK);
        ck_assert_int_eq(x0, want[j].x0);
        ck_assert_int_eq(y0, want[j].y0);
        ck_assert_uint_eq(size, (size_t)want[j].size);
    }

    /* Random locations on a non-square image agree with the formula and
     * with the internal rectangle; the patches are nested (the F32 pixel
     * scan relies on it). */
    uint64_t seed = 7;
    ram_sensor *s5 = make_sensor(5, 4, 1);
    for (int n = 0; n < 500; n++) {
        float loc[2] = {(float)(2.0 * t_unif(&seed) - 1.0),
                        (float)(2.0 * t_unif(&seed) - 1.0)};
        size_t W = 1 + t_next(&seed) % 120, H = 1 + t_next(&seed) % 120;
        long px0 = 0, py0 = 0, psz = 0;
        for (int i = 0; i < 4; i++) {
            ptrdiff_t px, py;
            size_t psize;
            long rx, ry, lx0, ly0, lsz;
            CHECK(ram_sensor_patch_rect(s5, W, H, loc, (size_t)i, &px, &py,
                                        &psize) == RAM_OK,
                  "patch_rect failed");
            long x0 = (long)px, y0 = (long)py, size = (long)psize;
            ref_corner(5, i, W, H, loc[0], loc[1], &rx, &ry);
            ram__sensor_rect(s5, W, H, loc[0], loc[1], i, &lx0, &ly0, &lsz);
            CHECK(x0 == rx && y0 == ry && size == (5 << i) && lx0 == x0 &&
                      ly0 == y0 && lsz == size,
                  "%zux%zu l=(%.9g,%.9g) scale %d: (%ld,%ld,%ld) want "
                  "(%ld,%ld,%d), internal (%ld,%ld,%ld)",
                  W, H, (double)loc[0], (double)loc[1], i, x0, y0, size, rx,
                  ry, 5 << i, lx0, ly0, lsz);
            CHECK(i == 0 || (x0 <= px0 && y0 <= py0 &&
                             x0 + size >= px0 + psz && y0 + size >= py0 + psz),
                  "scale %d not nested in scale %d", i - 1, i);
            px0 = x0;
            py0 = y0;
            psz = size;
        }
    }
    ram_sensor_free(s5);

    /* Errors; outputs untouched. */
    const float ok[2] = {0.0f, 0.0f}, nan_l[2] = {NAN, 0.0f},
                inf_l[2] = {0.0f, -INFINITY}, far[2] = {1.5f, 0.0f};
    ptrdiff_t x0 = 99, y0 = 98;
    size_t size = 97;
    ck_assert_int_eq(ram_sensor_patch_rect(NULL, 28, 28, ok, 0, &x0, &y0,
                                           &size),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 28, 28, NULL, 0, &x0, &y0,
                                           &size),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 28, 28, ok, 0, NULL, &y0,
                                           &size),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 28, 28, ok, 0, &x0, &y0, NULL),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 28, 28, ok, SIZE_MAX, &x0, &y0,
                                           &size),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 28, 28, ok, 3, &x0, &y0,
                                           &size),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 0, 28, ok, 0, &x0, &y0,
                                           &size),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 28, RAM_SENSOR_MAX_IMAGE + 1,
                                           ok, 0, &x0, &y0, &size),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 28, 28, nan_l, 0, &x0, &y0,
                                           &size),
                     RAM_E_NONFINITE);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 28, 28, inf_l, 0, &x0, &y0,
                                           &size),
                     RAM_E_NONFINITE);
    ck_assert_int_eq(ram_sensor_patch_rect(s, 28, 28, far, 0, &x0, &y0,
                                           &size),
                     RAM_E_RANGE);
    ck_assert_int_eq(x0, 99);
    ck_assert_int_eq(y0, 98);
    ck_assert_uint_eq(size, 97);
    ram_sensor_free(s);
}
END_TEST

/* -------------------------------------------------- against the reference */

static const struct ref_cfg {
    size_t W, H;
    int g, k, C;
    size_t row_pad, img_pad, batch; /* pads in elements */
    size_t nrand;                   /* random locations after the fixed */
} ref_cfgs[] = {
    {28, 28, 8, 1, 1, 0, 0, 1, 36},
    {60, 60, 12, 3, 1, 0, 0, 1, 36},
    {100, 100, 12, 4, 1, 0, 0, 1, 36},
    {24, 24, 6, 3, 1, 0, 0, 1, 36},
    {29, 23, 5, 3, 1, 0, 0, 1, 36},    /* odd g, odd non-square image */
    {17, 40, 5, 4, 1, 0, 0, 1, 36},    /* tall; patches wider than it */
    {64, 20, 7, 3, 1, 0, 0, 1, 36},    /* wide */
    {1, 1, 3, 3, 1, 0, 0, 1, 36},      /* one pixel */
    {32, 32, 8, 3, 3, 0, 0, 1, 36},    /* RGB, interleaved */
    {33, 27, 4, 4, 3, 5, 0, 1, 36},    /* RGB, padded rows */
    {30, 31, 6, 2, 1, 7, 13, 4, 36},   /* padded rows and images, batch 4 */
    {50, 45, 8, 3, 3, 3, 40, 5, 36},   /* RGB, batch 5 */
    {28, 28, 8, 3, 1, 0, 0, 16, 36},   /* batch 16, no padding */
    /* Rows wider than the sensor's 1024-element column chunks (1024 / C
     * columns each): several chunks per row, and blocks split between two
     * chunks when 1024 / C is not a multiple of 2^i. */
    {40, 36, 6, 3, 64, 0, 0, 1, 4},    /* 16-column chunks, blocks <= 4 */
    {50, 40, 1, 6, 64, 0, 0, 1, 4},    /* 32-wide blocks, 16-col chunks */
    {45, 41, 4, 4, 40, 3, 0, 1, 4},    /* 25-column chunks, blocks up to 8 */
    {256, 200, 1, 8, 1, 0, 0, 1, 4},   /* g=1, blocks up to 128x128 */
};

START_TEST(test_vs_reference)
{
    const struct ref_cfg *cf = &ref_cfgs[_i];
    ram_sensor *s = make_sensor(cf->g, cf->k, cf->C);
    uint64_t seed = 1000 + (uint64_t)_i;
    size_t nloc = N_FIXED + cf->nrand;
    for (int f = 0; f < 2; f++) {
        int format = f ? RAM_PIXEL_F32 : RAM_PIXEL_U8;
        timg t = timg_new(format, (size_t)cf->C, cf->W, cf->H, cf->row_pad,
                          cf->img_pad, cf->batch);
        timg_fill(&t, &seed);
        float *loc = malloc(2 * cf->batch * sizeof *loc);
        ck_assert_ptr_nonnull(loc);
        /* Batches of different locations per image, covering the list. */
        for (size_t n = 0; n < nloc; n += cf->batch) {
            for (size_t b = 0; b < cf->batch; b++) {
                loc[2 * b] = loc_at((n + b) % nloc, 0, &seed);
                loc[2 * b + 1] = loc_at((n + b) % nloc, 1, &seed);
            }
            check_batch(s, &t, loc, "reference");
        }
        free(loc);
        timg_free(&t);
    }
    ram_sensor_free(s);
}
END_TEST

/* A batch gives, image by image, what single glimpses give. */
START_TEST(test_batch_equals_single)
{
    ram_sensor *s = make_sensor(6, 3, 3);
    size_t R = ram_sensor_output_size(s), B = 6;
    uint64_t seed = 42;
    for (int f = 0; f < 2; f++) {
        int format = f ? RAM_PIXEL_F32 : RAM_PIXEL_U8;
        timg t = timg_new(format, 3, 37, 29, 2, 11, B);
        timg_fill(&t, &seed);
        float loc[12], *all = malloc(B * R * sizeof *all),
                       *one = malloc(R * sizeof *one);
        ck_assert_ptr_nonnull(all);
        ck_assert_ptr_nonnull(one);
        for (size_t j = 0; j < 12; j++)
            loc[j] = (float)(2.0 * t_unif(&seed) - 1.0);
        ck_assert_int_eq(glimpse(s, &t, loc, all), RAM_OK);
        for (size_t b = 0; b < B; b++) {
            /* image_stride is ignored for batch 1: pass 0. */
            ck_assert_int_eq(ram_sensor_glimpse(s, 1, px(&t, b, 0, 0, 0),
                                                format, 37, 29, t.rs, 0,
                                                loc + 2 * b, one),
                             RAM_OK);
            ck_assert_int_eq(memcmp(one, all + b * R, R * sizeof *one), 0);
        }
        /* Different images and locations give different glimpses. */
        ck_assert_int_ne(memcmp(all, all + R, R * sizeof *all), 0);
        free(all);
        free(one);
        timg_free(&t);
    }
    ram_sensor_free(s);
}
END_TEST

/* ------------------------------------------------------------------ errors */

#define OUT_N (2 * 3 * 64)

static void fill_sentinel(float *out)
{
    for (int j = 0; j < OUT_N; j++)
        out[j] = -777.0f;
}

static void assert_sentinel(const float *out)
{
    for (int j = 0; j < OUT_N; j++)
        CHECK(out[j] == -777.0f, "out[%d] changed on error", j);
}

/* Runs one glimpse expected to fail with `want`, out untouched. */
#define EXPECT_ERR(want, call)                                               \
    do {                                                                     \
        fill_sentinel(out);                                                  \
        ck_assert_int_eq((call), (want));                                    \
        assert_sentinel(out);                                                \
    } while (0)

START_TEST(test_glimpse_errors)
{
    ram_sensor *s = make_sensor(8, 3, 1);
    timg u = timg_new(RAM_PIXEL_U8, 1, 28, 28, 0, 0, 2);
    timg f = timg_new(RAM_PIXEL_F32, 1, 28, 28, 0, 0, 2);
    timg_fill_const(&u, 7.0);
    timg_fill_const(&f, 0.5);
    float out[OUT_N];
    const float loc2[4] = {0.0f, 0.0f, 0.5f, -0.5f};
    const size_t W = 28, H = 28;
    const size_t rsu = 28, rsf = 28 * sizeof(float);
    const size_t isu = 28 * 28, isf = 28 * 28 * sizeof(float);

    /* The valid calls succeed (so the failures below are the arguments). */
    ck_assert_int_eq(ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8, W, H, rsu,
                                        isu, loc2, out),
                     RAM_OK);
    ck_assert_int_eq(ram_sensor_glimpse(s, 2, f.buf, RAM_PIXEL_F32, W, H,
                                        rsf, isf, loc2, out),
                     RAM_OK);

    /* NULL pointers. */
    EXPECT_ERR(RAM_E_INVALID,
               ram_sensor_glimpse(NULL, 2, u.buf, RAM_PIXEL_U8, W, H, rsu,
                                  isu, loc2, out));
    EXPECT_ERR(RAM_E_INVALID, ram_sensor_glimpse(s, 2, NULL, RAM_PIXEL_U8, W,
                                                 H, rsu, isu, loc2, out));
    EXPECT_ERR(RAM_E_INVALID, ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8, W,
                                                 H, rsu, isu, NULL, out));
    ck_assert_int_eq(ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8, W, H, rsu,
                                        isu, loc2, NULL),
                     RAM_E_INVALID);

    /* Unknown formats. */
    EXPECT_ERR(RAM_E_INVALID,
               ram_sensor_glimpse(s, 2, u.buf, 0, W, H, rsu, isu, loc2, out));
    EXPECT_ERR(RAM_E_INVALID,
               ram_sensor_glimpse(s, 2, u.buf, 3, W, H, rsu, isu, loc2, out));
    EXPECT_ERR(RAM_E_INVALID,
               ram_sensor_glimpse(s, 2, u.buf, -1, W, H, rsu, isu, loc2, out));

    /* Sizes. */
    EXPECT_ERR(RAM_E_RANGE, ram_sensor_glimpse(s, 0, u.buf, RAM_PIXEL_U8, W,
                                               H, rsu, isu, loc2, out));
    EXPECT_ERR(RAM_E_RANGE,
               ram_sensor_glimpse(s, (size_t)RAM_MAX_ROWS + 1, u.buf,
                                  RAM_PIXEL_U8, W, H, rsu, isu, loc2, out));
    EXPECT_ERR(RAM_E_RANGE, ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8, 0,
                                               H, rsu, isu, loc2, out));
    EXPECT_ERR(RAM_E_RANGE, ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8, W,
                                               0, rsu, isu, loc2, out));
    EXPECT_ERR(RAM_E_RANGE,
               ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8,
                                  RAM_SENSOR_MAX_IMAGE + 1, H,
                                  (size_t)RAM_SENSOR_MAX_IMAGE + 1, isu, loc2,
                                  out));
    EXPECT_ERR(RAM_E_RANGE,
               ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8, W,
                                  RAM_SENSOR_MAX_IMAGE + 1, rsu, isu, loc2,
                                  out));

    /* Strides: too small or misaligned -> RAM_E_INVALID. */
    EXPECT_ERR(RAM_E_INVALID, ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8, W,
                                                 H, W - 1, isu, loc2, out));
    EXPECT_ERR(RAM_E_INVALID,
               ram_sensor_glimpse(s, 2, f.buf, RAM_PIXEL_F32, W, H,
                                  rsf - sizeof(float), isf, loc2, out));
    EXPECT_ERR(RAM_E_INVALID, ram_sensor_glimpse(s, 2, f.buf, RAM_PIXEL_F32,
                                                 W, H, rsf + 2, isf + 56,
                                                 loc2, out));
    EXPECT_ERR(RAM_E_INVALID, ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8, W,
                                                 H, rsu, isu - 1, loc2, out));
    EXPECT_ERR(RAM_E_INVALID, ram_sensor_glimpse(s, 2, f.buf, RAM_PIXEL_F32,
                                                 W, H, rsf, isf + 2, loc2,
                                                 out));
    /* A U8 image of 3 channels: 28 * 3 bytes per row are needed. */
    {
        ram_sensor *s3 = make_sensor(4, 1, 3);
        EXPECT_ERR(RAM_E_INVALID,
                   ram_sensor_glimpse(s3, 1, u.buf, RAM_PIXEL_U8, W, 9,
                                      3 * W - 1, 0, loc2, out));
        ram_sensor_free(s3);
    }
    /* A misaligned F32 image. */
    EXPECT_ERR(RAM_E_INVALID,
               ram_sensor_glimpse(s, 1, f.buf + 1, RAM_PIXEL_F32, W, 2, rsf,
                                  0, loc2, out));

    /* Strides whose products overflow -> RAM_E_RANGE. */
    EXPECT_ERR(RAM_E_RANGE,
               ram_sensor_glimpse(s, 1, u.buf, RAM_PIXEL_U8, W, 3,
                                  SIZE_MAX / 2, 0, loc2, out));
    EXPECT_ERR(RAM_E_RANGE,
               ram_sensor_glimpse(s, 2, u.buf, RAM_PIXEL_U8, W, H, rsu,
                                  SIZE_MAX / 2 + 1, loc2, out));
    {
        float big[2 * 4096];
        for (size_t j = 0; j < 2 * 4096; j++)
            big[j] = 0.0f;
        EXPECT_ERR(RAM_E_RANGE,
                   ram_sensor_glimpse(s, 4096, u.buf, RAM_PIXEL_U8, W, H,
                                      rsu, (size_t)PTRDIFF_MAX / 4000, big,
                                      out));
    }

    /* Locations. */
    static const float bad_nan[4] = {0.0f, 0.0f, 0.0f, NAN};
    static const float bad_inf[4] = {INFINITY, 0.0f, 0.0f, 0.0f};
    static const float bad_ninf[4] = {0.0f, 0.0f, -INFINITY, 0.0f};
    static const float bad_far[4] = {0.0f, 0.0f, 1.5f, 0.0f};
    static const float bad_near[4] = {0.0f, -1.0001f, 0.0f, 0.0f};
    static const float bad_both[4] = {2.0f, 0.0f, NAN, 0.0f};
    for (int fm = 0; fm < 2; fm++) {
        const timg *t = fm ? &f : &u;
        EXPECT_ERR(RAM_E_NONFINITE, glimpse(s, t, bad_nan, out));
        EXPECT_ERR(RAM_E_NONFINITE, glimpse(s, t, bad_inf, out));
        EXPECT_ERR(RAM_E_NONFINITE, glimpse(s, t, bad_ninf, out));
        EXPECT_ERR(RAM_E_RANGE, glimpse(s, t, bad_far, out));
        EXPECT_ERR(RAM_E_RANGE, glimpse(s, t, bad_near, out));
        /* NaN wins over out-of-range. */
        EXPECT_ERR(RAM_E_NONFINITE, glimpse(s, t, bad_both, out));
    }

    timg_free(&u);
    timg_free(&f);
    ram_sensor_free(s);
}
END_TEST

/* NaN/Inf F32 pixels are an error exactly when a patch covers them.
 * 60x60, g=8, k=2, l=(0,0): the largest patch is s=16 at
 * x0 = floor(30 - 8 + .5) = 22: columns and rows 22..37. */
START_TEST(test_nonfinite_pixels)
{
    static const struct {
        size_t x, y;
        int bad; /* inside the largest patch */
    } spots[] = {
        {22, 22, 1}, {37, 37, 1}, {30, 30, 1}, {22, 37, 1}, {37, 22, 1},
        {21, 22, 0}, {22, 21, 0}, {38, 37, 0}, {37, 38, 0}, {5, 5, 0},
        {59, 59, 0}, {0, 30, 0},
    };
    static const float values[3] = {NAN, INFINITY, -INFINITY};
    ram_sensor *s = make_sensor(8, 2, 1);
    float out[OUT_N];
    const float loc[2] = {0.0f, 0.0f};
    timg t = timg_new(RAM_PIXEL_F32, 1, 60, 60, 4, 0, 1);
    timg_fill_const(&t, 0.25);
    for (size_t j = 0; j < sizeof spots / sizeof spots[0]; j++)
        for (int n = 0; n < 3; n++) {
            timg_set(&t, 0, spots[j].x, spots[j].y, 0, values[n]);
            fill_sentinel(out);
            int rc = glimpse(s, &t, loc, out);
            if (spots[j].bad) {
                ck_assert_msg(rc == RAM_E_NONFINITE,
                              "(%zu,%zu) value %d: %d", spots[j].x,
                              spots[j].y, n, rc);
                assert_sentinel(out);
            } else {
                ck_assert_msg(rc == RAM_OK, "(%zu,%zu) value %d: %d",
                              spots[j].x, spots[j].y, n, rc);
                for (int c = 0; c < 128; c++)
                    CHECK(out[c] == 0.25f, "out[%d] = %g", c, (double)out[c]);
            }
            timg_set(&t, 0, spots[j].x, spots[j].y, 0, 0.25);
        }
    timg_free(&t);

    /* Batch: a NaN in the last image's patch leaves even the first
     * image's output alone; one outside every patch is fine. Three
     * channels: the NaN is in channel 2 only. */
    ram_sensor *s3 = make_sensor(4, 2, 3);
    timg b = timg_new(RAM_PIXEL_F32, 3, 20, 20, 0, 6, 3);
    timg_fill_const(&b, 1.0);
    const float loc3[6] = {-1.0f, -1.0f, 0.0f, 0.0f, 1.0f, 1.0f};
    /* Image 2, l=(1,1): cx = 20, largest s=8 at x0 = 16: columns 16..23. */
    timg_set(&b, 2, 16, 16, 2, NAN);
    EXPECT_ERR(RAM_E_NONFINITE, glimpse(s3, &b, loc3, out));
    timg_set(&b, 2, 16, 16, 2, 1.0);
    timg_set(&b, 2, 15, 16, 2, NAN);
    ck_assert_int_eq(glimpse(s3, &b, loc3, out), RAM_OK);
    /* Image 2, scale 1, channel 2: cell (0,0) is columns 16..17 (inside),
     * cell (3,3) columns 22..23 (outside). */
    ck_assert_float_eq(out[2 * 96 + ((1 * 3 + 2) * 4 + 0) * 4 + 0], 1.0f);
    ck_assert_float_eq(out[2 * 96 + ((1 * 3 + 2) * 4 + 3) * 4 + 3], 0.0f);
    timg_free(&b);
    ram_sensor_free(s3);
    ram_sensor_free(s);
}
END_TEST

/* The internal check the agent uses for ram_agent_set_input. */
START_TEST(test_image_check)
{
    /* Valid; batch 1 ignores image_stride. */
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_U8, 1, 28, 28, 28, 0, 1),
                     RAM_OK);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_F32, 3, 10, 7, 120, 3, 1),
                     RAM_OK);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_F32, 3, 10, 7, 120, 840, 2),
                     RAM_OK);
    /* Errors. */
    ck_assert_int_eq(ram__image_check(5, 1, 28, 28, 28, 0, 1), RAM_E_INVALID);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_U8, 0, 28, 28, 28, 0, 1),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_U8, RAM_SENSOR_MAX_CHANNELS +
                                                        1,
                                      28, 28, 28 * 65, 0, 1),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_U8, 1, 28, 28, 28, 0, 0),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_F32, 3, 10, 7, 119, 840, 1),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_F32, 3, 10, 7, 122, 854, 1),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_F32, 3, 10, 7, 120, 839, 2),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_F32, 3, 10, 7, 120, 842, 2),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_U8, 1, 1, 2, SIZE_MAX / 2 + 8,
                                      0, 1),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram__image_check(RAM_PIXEL_U8, 1, 1, 1, 1,
                                      SIZE_MAX / 2, 3),
                     RAM_E_RANGE);
}
END_TEST

/* ram__sensor_run (the agent's path: no checks) gives the glimpse, and
 * propagates a NaN or Inf pixel into the output -- the agent checks the
 * output instead of the pixels. */
START_TEST(test_run_unchecked)
{
    ram_sensor *s = make_sensor(6, 3, 1);
    size_t R = ram_sensor_output_size(s);
    uint64_t seed = 5;
    timg t = timg_new(RAM_PIXEL_F32, 1, 40, 40, 0, 0, 2);
    timg_fill(&t, &seed);
    const float loc[4] = {0.1f, -0.2f, -0.9f, 0.7f};
    float *a = malloc(2 * R * sizeof *a), *b = malloc(2 * R * sizeof *b);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(glimpse(s, &t, loc, a), RAM_OK);
    ram__sensor_run(s, 2, t.buf, RAM_PIXEL_F32, 40, 40, t.rs, t.is, loc, b);
    ck_assert_int_eq(memcmp(a, b, 2 * R * sizeof *a), 0);

    /* Image 1, l=(-0.9,0.7): cx = 2, cy = 34; scale 0 at x0 = -1, y0 = 31:
     * pixel (0, 31) is cell (1, 0) of scale 0 and in every larger patch. */
    long x0, y0, sz;
    ram__sensor_rect(s, 40, 40, loc[2], loc[3], 0, &x0, &y0, &sz);
    ck_assert_int_eq(x0, -1);
    ck_assert_int_eq(y0, 31);
    for (int n = 0; n < 2; n++) {
        timg_set(&t, 1, 0, 31, 0, n ? INFINITY : NAN);
        ram__sensor_run(s, 2, t.buf, RAM_PIXEL_F32, 40, 40, t.rs, t.is, loc,
                        b);
        ck_assert_int_eq(memcmp(a, b, R * sizeof *a), 0); /* image 0 */
        ck_assert(!isfinite(b[R + 1]));
        for (int i = 0; i < 3; i++) {
            int nonfinite = 0;
            for (size_t j = 0; j < 36; j++)
                nonfinite += !isfinite(b[R + (size_t)i * 36 + j]);
            ck_assert_int_eq(nonfinite, 1);
        }
        timg_set(&t, 1, 0, 31, 0, 0.0);
    }
    free(a);
    free(b);
    timg_free(&t);
    ram_sensor_free(s);
}
END_TEST

Suite *suite_sensor(void)
{
    Suite *s = suite_create("sensor");

    TCase *tc = tcase_create("lifecycle");
    tcase_add_test(tc, test_create_shape);
    tcase_add_test(tc, test_create_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("geometry");
    tcase_add_test(tc, test_centre_28_ramp);
    tcase_add_test(tc, test_ramp_known_values);
    tcase_add_test(tc, test_u8_known_values);
    tcase_add_test(tc, test_corners_ones);
    tcase_add_test(tc, test_odd_patch_corner);
    tcase_add_test(tc, test_u8_exact_values);
    tcase_add_test(tc, test_u8_largest_blocks);
    tcase_add_test(tc, test_patch_rect);
    suite_add_tcase(s, tc);

    tc = tcase_create("reference");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_vs_reference, 0,
                        (int)(sizeof ref_cfgs / sizeof ref_cfgs[0]));
    tcase_add_test(tc, test_batch_equals_single);
    tcase_add_test(tc, test_run_unchecked);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_glimpse_errors);
    tcase_add_test(tc, test_nonfinite_pixels);
    tcase_add_test(tc, test_image_check);
    suite_add_tcase(s, tc);

    return s;
}
