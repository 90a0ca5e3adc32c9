/* Tests of the scaled retina, ram_sensor_glimpse_scaled() (lib/sensor_scale.c;
 * contract and geometry in include/ram/sensor.h, pages docs/sensor.md and
 * docs/design.md "The scaled retina").
 *
 * Independent checks of the numbers:
 *  - an overlap reference written here: for every cell, every pixel of a
 *    generous window around it (with an explicit inside-the-image test),
 *    the overlap area of the two squares, in double; the geometry derived
 *    from ram_sensor_patch_rect() (tested in test_sensor.c) or the formula;
 *  - a supersampling reference on dyadic geometry (scale a multiple of 1/8,
 *    every edge a multiple of 1/16): each pixel is split into 16 x 16
 *    sub-pixels and a cell averages the sub-pixels whose centre it holds,
 *    which is exact there and shares nothing with the overlap formula;
 *  - s = 1 against ram_sensor_glimpse() (U8 bit for bit), hand-computed
 *    values, continuity in s and loc, the error paths, no allocation. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ram/ram.h"

long ram_test_allocations(void); /* tests/test_alloc.c; -1 if not counted */

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

static double t_unif(uint64_t *x)
{
    return (double)(t_next(x) >> 11) * (1.0 / 9007199254740992.0);
}

static size_t t_int(uint64_t *x, size_t lo, size_t hi) /* [lo, hi] */
{
    return lo + (size_t)(t_next(x) % (hi - lo + 1));
}

/* A batch of images with padded rows and images; padding poisoned (NaN for
 * F32, 0xEE for U8). */
typedef struct {
    int format;
    size_t C, W, H, batch, e, rs, is;
    unsigned char *buf;
} simg;

static simg simg_new(int format, size_t C, size_t W, size_t H,
                     size_t row_pad, size_t img_pad, size_t batch)
{
    simg t;
    t.format = format;
    t.C = C;
    t.W = W;
    t.H = H;
    t.batch = batch;
    t.e = format == RAM_PIXEL_U8 ? 1 : sizeof(float);
    t.rs = (W * C + row_pad) * t.e;
    t.is = H * t.rs + img_pad * t.e;
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

static unsigned char *simg_px(const simg *t, size_t b, size_t x, size_t y,
                              size_t c)
{
    return t->buf + b * t->is + y * t->rs + (x * t->C + c) * t->e;
}

static void simg_set(const simg *t, size_t b, size_t x, size_t y, size_t c,
                     double v)
{
    if (t->format == RAM_PIXEL_U8)
        *simg_px(t, b, x, y, c) = (unsigned char)v;
    else
        *(float *)(void *)simg_px(t, b, x, y, c) = (float)v;
}

/* The value a pixel reads as; 0 outside the image. */
static double simg_get(const simg *t, size_t b, long x, long y, size_t c)
{
    if (x < 0 || y < 0 || x >= (long)t->W || y >= (long)t->H)
        return 0.0;
    const unsigned char *p = simg_px(t, b, (size_t)x, (size_t)y, c);
    if (t->format == RAM_PIXEL_U8)
        return *p / 255.0;
    return *(const float *)(const void *)p;
}

static void simg_fill(const simg *t, uint64_t *seed)
{
    for (size_t b = 0; b < t->batch; b++)
        for (size_t y = 0; y < t->H; y++)
            for (size_t x = 0; x < t->W; x++)
                for (size_t c = 0; c < t->C; c++)
                    simg_set(t, b, x, y, c,
                             t->format == RAM_PIXEL_U8
                                 ? (double)(t_next(seed) % 256)
                                 : 2.0 * t_unif(seed) - 1.0);
}

static ram_sensor *mk(size_t g, size_t k, size_t C)
{
    ram_sensor *s = NULL;
    ck_assert_int_eq(ram_sensor_create(&s, g, k, C), RAM_OK);
    return s;
}

/* The reference geometry of patch i: left/top edges and side. */
static void ref_box(const ram_sensor *s, size_t W, size_t H, const float *l,
                    float scale, unsigned flags, size_t i, double *x0,
                    double *y0, double *side)
{
    size_t g;
    ram_sensor_shape(s, &g, NULL, NULL);
    double S = (double)g * (double)scale * pow(2.0, (double)i);
    double mx, my;
    if (flags & RAM_SENSOR_CONTINUOUS) {
        mx = (l[0] + 1.0) * 0.5 * (double)W;
        my = (l[1] + 1.0) * 0.5 * (double)H;
    } else {
        ptrdiff_t fx, fy;
        size_t fs;
        ck_assert_int_eq(ram_sensor_patch_rect(s, W, H, l, i, &fx, &fy, &fs),
                         RAM_OK);
        mx = (double)fx + 0.5 * (double)fs;
        my = (double)fy + 0.5 * (double)fs;
    }
    *x0 = mx - 0.5 * S;
    *y0 = my - 0.5 * S;
    *side = S;
}

/* Overlap reference: mean over [lx, lx+q) x [ly, ly+q). */
static double ref_cell(const simg *t, size_t b, size_t c, double lx,
                       double ly, double q)
{
    double hx = lx + q, hy = ly + q, sum = 0.0;
    long xs = (long)floor(lx) - 1, xe = (long)ceil(hx) + 1;
    long ys = (long)floor(ly) - 1, ye = (long)ceil(hy) + 1;
    /* Only a window one pixel around the image can matter. */
    if (xs < -1) xs = -1;
    if (ys < -1) ys = -1;
    if (xe > (long)t->W + 1) xe = (long)t->W + 1;
    if (ye > (long)t->H + 1) ye = (long)t->H + 1;
    for (long y = ys; y <= ye; y++) {
        double oy = fmin((double)y + 1.0, hy) - fmax((double)y, ly);
        if (oy <= 0.0)
            continue;
        for (long x = xs; x <= xe; x++) {
            double ox = fmin((double)x + 1.0, hx) - fmax((double)x, lx);
            if (ox <= 0.0)
                continue;
            sum += simg_get(t, b, x, y, c) * ox * oy;
        }
    }
    return sum / (q * q);
}

/* Supersampling reference (exact when every edge is a multiple of 1/16):
 * the mean over the 16x16 sub-pixels of each pixel whose centre lies in
 * the cell. */
static double ss_cell(const simg *t, size_t b, size_t c, double lx,
                      double ly, double q)
{
    const double M = 16.0;
    long a0 = (long)floor(lx * M), a1 = (long)ceil((lx + q) * M);
    long b0 = (long)floor(ly * M), b1 = (long)ceil((ly + q) * M);
    double sum = 0.0;
    long n = 0;
    for (long j = b0; j < b1; j++) {
        double py = ((double)j + 0.5) / M;
        if (py < ly || py >= ly + q)
            continue;
        for (long i = a0; i < a1; i++) {
            double pxx = ((double)i + 0.5) / M;
            if (pxx < lx || pxx >= lx + q)
                continue;
            n++;
            sum += simg_get(t, b, (long)floor(pxx), (long)floor(py), c);
        }
    }
    ck_assert_int_eq(n, (long)llround(q * q * M * M));
    return sum / (double)n;
}

/* Compare a batch's output with a reference (cellf = ref_cell or
 * ss_cell); returns the number of cells wholly outside the image. */
static int compare(const ram_sensor *s, const simg *t, const float *loc,
                   const float *scale, unsigned flags, const float *out,
                   double (*cellf)(const simg *, size_t, size_t, double,
                                   double, double),
                   double tol, const char *what)
{
    size_t g, k, C;
    ram_sensor_shape(s, &g, &k, &C);
    size_t R = ram_sensor_output_size(s);
    int outside = 0;
    for (size_t b = 0; b < t->batch; b++)
        for (size_t i = 0; i < k; i++) {
            double x0, y0, S;
            ref_box(s, t->W, t->H, loc + 2 * b, scale[b], flags, i, &x0,
                    &y0, &S);
            double q = S / (double)g;
            for (size_t c = 0; c < C; c++)
                for (size_t v = 0; v < g; v++)
                    for (size_t u = 0; u < g; u++) {
                        double lx = x0 + (double)u * S / (double)g;
                        double ly = y0 + (double)v * S / (double)g;
                        double want = cellf(t, b, c, lx, ly, q);
                        float got = out[b * R + ((i * C + c) * g + v) * g + u];
                        if (lx + q <= 0 || ly + q <= 0 ||
                            lx >= (double)t->W || ly >= (double)t->H)
                            outside++;
                        CHECK(fabs((double)got - want) <= tol,
                              "%s: b %zu patch %zu c %zu cell (%zu,%zu): got "
                              "%.9g want %.9g (g %zu k %zu C %zu W %zu H %zu "
                              "loc %g %g scale %g flags %u)",
                              what, b, i, c, u, v, (double)got, want, g, k, C,
                              t->W, t->H, (double)loc[2 * b],
                              (double)loc[2 * b + 1], (double)scale[b],
                              flags);
                    }
        }
    return outside;
}

static float rand_loc(uint64_t *seed)
{
    switch (t_next(seed) % 8) {
    case 0: return -1.0f;
    case 1: return 1.0f;
    default: return (float)(2.0 * t_unif(seed) - 1.0);
    }
}

/* Log-uniform over the whole range, sometimes an end point or 1. */
static float rand_scale(uint64_t *seed)
{
    switch (t_next(seed) % 10) {
    case 0: return RAM_SENSOR_SCALE_MIN;
    case 1: return RAM_SENSOR_SCALE_MAX;
    case 2: return 1.0f;
    default: return (float)exp(log(0.25) + t_unif(seed) * log(16.0));
    }
}

/* 1 ulp of 1.0f: the outputs are float roundings of means of values in
 * [-1, 1]; the double arithmetic on both sides adds ~1e-15. */
#define TOL 1.1920929e-7

START_TEST(test_scaled_vs_overlap_reference)
{
    uint64_t seed = 0x5ca1e + (uint64_t)_i;
    int outside = 0;
    for (int rep = 0; rep < 40; rep++) {
        int format = t_next(&seed) % 2 ? RAM_PIXEL_U8 : RAM_PIXEL_F32;
        size_t g = t_int(&seed, 1, 9), k = t_int(&seed, 1, 3);
        size_t C = t_int(&seed, 1, 3);
        size_t W = 2 * t_int(&seed, 2, 20) + 1, H = 2 * t_int(&seed, 2, 20) + 1;
        size_t batch = t_int(&seed, 1, 3);
        unsigned flags = t_next(&seed) % 2 ? RAM_SENSOR_CONTINUOUS : 0;
        ram_sensor *s = mk(g, k, C);
        simg t = simg_new(format, C, W, H, t_int(&seed, 0, 3),
                          t_int(&seed, 0, 5), batch);
        simg_fill(&t, &seed);
        float loc[6], scale[3];
        for (size_t b = 0; b < batch; b++) {
            loc[2 * b] = rand_loc(&seed);
            loc[2 * b + 1] = rand_loc(&seed);
            scale[b] = rand_scale(&seed);
        }
        size_t R = ram_sensor_output_size(s);
        float *out = malloc(batch * R * sizeof *out);
        ck_assert_ptr_nonnull(out);
        ck_assert_int_eq(ram_sensor_glimpse_scaled(s, batch, t.buf, format, W,
                                                   H, t.rs, t.is, loc, scale,
                                                   flags, out),
                         RAM_OK);
        outside += compare(s, &t, loc, scale, flags, out, ref_cell, TOL,
                           "overlap");
        free(out);
        free(t.buf);
        ram_sensor_free(s);
    }
    /* The draws reach cells wholly outside the image (zero padding). */
    ck_assert_int_gt(outside, 0);
}
END_TEST

/* Dyadic geometry: scale m / 8, locations whose centre is a multiple of
 * 1/16 (snapped centres always are): the supersampling reference is exact. */
START_TEST(test_scaled_vs_supersampling)
{
    uint64_t seed = 0xd1ad1c;
    for (int rep = 0; rep < 24; rep++) {
        int format = rep % 2 ? RAM_PIXEL_U8 : RAM_PIXEL_F32;
        size_t g = t_int(&seed, 1, 5), k = t_int(&seed, 1, 2);
        size_t C = t_int(&seed, 1, 2);
        size_t W = 2 * t_int(&seed, 2, 9) + 1, H = 2 * t_int(&seed, 2, 9) + 1;
        unsigned flags = rep % 4 < 2 ? RAM_SENSOR_CONTINUOUS : 0;
        ram_sensor *s = mk(g, k, C);
        simg t = simg_new(format, C, W, H, 1, 0, 1);
        simg_fill(&t, &seed);
        /* cx = (lx + 1) W / 2 = j / 16: lx = j / (8 W) - 1. */
        float loc[2], scale[1];
        loc[0] = (float)((double)t_int(&seed, 0, 16 * W) / (8.0 * W) - 1.0);
        loc[1] = (float)((double)t_int(&seed, 0, 16 * H) / (8.0 * H) - 1.0);
        scale[0] = (float)t_int(&seed, 2, 32) / 8.0f;
        /* The float location must keep cx on the 1/16 grid. */
        double cx = ((double)loc[0] + 1.0) * (double)W / 2.0;
        double cy = ((double)loc[1] + 1.0) * (double)H / 2.0;
        if (flags && (cx * 16.0 != floor(cx * 16.0) ||
                      cy * 16.0 != floor(cy * 16.0))) {
            loc[0] = loc[1] = 0.0f; /* centre W / 2: a multiple of 1/2 */
        }
        float *out = malloc(ram_sensor_output_size(s) * sizeof *out);
        ck_assert_ptr_nonnull(out);
        ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, t.buf, format, W, H,
                                                   t.rs, 0, loc, scale, flags,
                                                   out),
                         RAM_OK);
        compare(s, &t, loc, scale, flags, out, ss_cell, TOL, "supersampling");
        free(out);
        free(t.buf);
        ram_sensor_free(s);
    }
}
END_TEST

/* s = 1, flags 0: U8 bit for bit the fixed sensor; F32 within the fixed
 * sensor's float-sum error (2 * 2^i * 2^-24 of the mean |pixel| <= 1). */
START_TEST(test_scaled_one_is_fixed)
{
    uint64_t seed = 0x0e1 + (uint64_t)_i;
    for (int rep = 0; rep < 60; rep++) {
        int format = rep % 2 ? RAM_PIXEL_U8 : RAM_PIXEL_F32;
        size_t g = t_int(&seed, 1, 12), k = t_int(&seed, 1, 4);
        size_t C = t_int(&seed, 1, 3);
        size_t W = t_int(&seed, 3, 70), H = t_int(&seed, 3, 70);
        size_t batch = t_int(&seed, 1, 3);
        ram_sensor *s = mk(g, k, C);
        simg t = simg_new(format, C, W, H, t_int(&seed, 0, 2), 3, batch);
        simg_fill(&t, &seed);
        float loc[6], one[3] = {1.0f, 1.0f, 1.0f};
        for (size_t j = 0; j < 2 * batch; j++)
            loc[j] = rand_loc(&seed);
        size_t R = ram_sensor_output_size(s);
        float *a = malloc(batch * R * sizeof *a);
        float *f = malloc(batch * R * sizeof *f);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(ram_sensor_glimpse(s, batch, t.buf, format, W, H,
                                            t.rs, t.is, loc, f),
                         RAM_OK);
        ck_assert_int_eq(ram_sensor_glimpse_scaled(s, batch, t.buf, format, W,
                                                   H, t.rs, t.is, loc, one, 0,
                                                   a),
                         RAM_OK);
        if (format == RAM_PIXEL_U8) {
            CHECK(memcmp(a, f, batch * R * sizeof *a) == 0,
                  "U8 at scale 1 differs from ram_sensor_glimpse (g %zu k %zu "
                  "C %zu W %zu H %zu)", g, k, C, W, H);
        } else {
            for (size_t j = 0; j < batch * R; j++) {
                size_t i = (j % R) / (C * g * g);
                double tol = 2.0 * ldexp(1.0, (int)i) * ldexp(1.0, -24) + TOL;
                CHECK(fabs((double)a[j] - (double)f[j]) <= tol,
                      "F32 at scale 1: element %zu: %.9g vs %.9g", j,
                      (double)a[j], (double)f[j]);
            }
        }
        /* The boxes agree too. */
        for (size_t i = 0; i < k; i++) {
            ptrdiff_t fx, fy;
            size_t fs;
            double x0, y0, side;
            ck_assert_int_eq(ram_sensor_patch_rect(s, W, H, loc, i, &fx, &fy,
                                                   &fs),
                             RAM_OK);
            ck_assert_int_eq(ram_sensor_patch_rect_scaled(s, W, H, loc, 1.0f,
                                                          0, i, &x0, &y0,
                                                          &side),
                             RAM_OK);
            ck_assert(x0 == (double)fx && y0 == (double)fy &&
                      side == (double)fs);
        }
        free(a);
        free(f);
        free(t.buf);
        ram_sensor_free(s);
    }
}
END_TEST

/* Wide cells and wide patches: a single cell whose columns times C exceed
 * the library's column buffer (512 elements: the row-by-row path), and
 * rows of cells split into several runs. */
START_TEST(test_scaled_wide)
{
    uint64_t seed = 0x31de;
    const struct {
        size_t g, k, C, W, H;
        float scale;
    } cases[] = {
        {2, 5, 9, 301, 297, 3.9f},  /* patch 4: cells of 62.4 px x 9 */
        {2, 5, 9, 301, 297, 2.2f},  /* patch 4: 35.2 px x 9 = 325: runs */
        {12, 3, 3, 201, 203, 2.0f}, /* patch 2: 192 px x 3 = 576 */
        {5, 4, 64, 91, 87, 1.7f},   /* 64 channels: every cell direct */
    };
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++)
        for (int f = 0; f < 2; f++) {
            int format = f ? RAM_PIXEL_U8 : RAM_PIXEL_F32;
            ram_sensor *s = mk(cases[t].g, cases[t].k, cases[t].C);
            simg im = simg_new(format, cases[t].C, cases[t].W, cases[t].H, 1,
                               0, 1);
            simg_fill(&im, &seed);
            float loc[2] = {rand_loc(&seed), rand_loc(&seed)};
            float scale[1] = {cases[t].scale};
            unsigned flags = t % 2 ? RAM_SENSOR_CONTINUOUS : 0;
            float *out = malloc(ram_sensor_output_size(s) * sizeof *out);
            ck_assert_ptr_nonnull(out);
            ck_assert_int_eq(ram_sensor_glimpse_scaled(
                                 s, 1, im.buf, format, im.W, im.H, im.rs, 0,
                                 loc, scale, flags, out),
                             RAM_OK);
            compare(s, &im, loc, scale, flags, out, ref_cell, TOL, "wide");
            free(out);
            free(im.buf);
            ram_sensor_free(s);
        }
}
END_TEST

/* By hand. F32 ramp p(x, y) = x on 4x4, g = 1, k = 1, s = 1.5,
 * RAM_SENSOR_CONTINUOUS at l = (0, 0): centre (2, 2), side 1.5, the cell
 * [1.25, 2.75)^2: columns 1 and 2 each overlap by 0.75, so the mean is
 * (0.75 * 1 + 0.75 * 2) / 1.5 = 1.5. Without the flag the centre is the
 * fixed patch's: g = 1 is odd, x0 = floor(2 - 0.5 + 0.5) = 2, centre 2.5,
 * cell [1.75, 3.25): (0.25 * 1 + 1 * 2 + 0.25 * 3) / 1.5 = 2. At l = (-1,
 * -1), continuous, s = 2 (g = 1): cell [-1, 1)^2, one quarter inside at
 * value 0 ... use p = x + 1: (1 * 1) / 4 = 0.25. */
START_TEST(test_scaled_by_hand)
{
    ram_sensor *s = mk(1, 1, 1);
    float img[16], img1[16];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) {
            img[y * 4 + x] = (float)x;
            img1[y * 4 + x] = (float)x + 1.0f;
        }
    float loc[2] = {0.0f, 0.0f}, sc = 1.5f, out = -1.0f;
    ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, img, RAM_PIXEL_F32, 4, 4,
                                               16, 0, loc, &sc,
                                               RAM_SENSOR_CONTINUOUS, &out),
                     RAM_OK);
    ck_assert_float_eq_tol(out, 1.5f, 1e-6f);
    ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, img, RAM_PIXEL_F32, 4, 4,
                                               16, 0, loc, &sc, 0, &out),
                     RAM_OK);
    ck_assert_float_eq_tol(out, 2.0f, 1e-6f);
    float corner[2] = {-1.0f, -1.0f}, two = 2.0f;
    ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, img1, RAM_PIXEL_F32, 4,
                                               4, 16, 0, corner, &two,
                                               RAM_SENSOR_CONTINUOUS, &out),
                     RAM_OK);
    ck_assert_float_eq_tol(out, 0.25f, 1e-7f);
    ram_sensor_free(s);

    /* The docs' worked example (docs/sensor.md): 28x28, g = 8, k = 3,
     * l = (0, 0), s = 1.5: patch 0 is 12 pixels wide, columns [8, 20),
     * patch 2 is 48 wide, [-10, 38). All-ones U8 image: patch 0 reads 1
     * everywhere; patch 2's cells are 6 pixels wide, the first column of
     * cells [-10, -4) lies wholly outside (0), the second [-4, 2) is one
     * third inside (1/3), the rest are inside (1). */
    s = mk(8, 3, 1);
    uint8_t ones[28 * 28];
    memset(ones, 255, sizeof ones);
    float o[3 * 64], l0[2] = {0.0f, 0.0f};
    ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, ones, RAM_PIXEL_U8, 28,
                                               28, 28, 0, l0, &sc, 0, o),
                     RAM_OK);
    for (int j = 0; j < 64; j++)
        ck_assert_float_eq(o[j], 1.0f);
    const float want[8] = {0.0f, 1.0f / 3.0f, 1, 1, 1, 1, 1.0f / 3.0f, 0.0f};
    for (int v = 0; v < 8; v++)
        for (int u = 0; u < 8; u++)
            ck_assert_float_eq_tol(o[128 + v * 8 + u], want[u] * want[v],
                                   1e-6f);
    /* Patch 0 on a column ramp (column x holds x): cell 0 is [8, 9.5),
     * (1 * 8 + 0.5 * 9) / 1.5 = 8.333...; patch 1's cells are 3 whole
     * pixels from X = 2: cell 0 reads (2 + 3 + 4) / 3 = 3. */
    static float ramp[28 * 28];
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++)
            ramp[y * 28 + x] = (float)x;
    ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, ramp, RAM_PIXEL_F32, 28,
                                               28, 28 * 4, 0, l0, &sc, 0, o),
                     RAM_OK);
    ck_assert_float_eq_tol(o[0], 12.5f / 1.5f, 1e-5f);
    ck_assert_float_eq_tol(o[64], 3.0f, 1e-6f);
    double x0, y0, side;
    ck_assert_int_eq(ram_sensor_patch_rect_scaled(s, 28, 28, l0, 1.5f, 0, 2,
                                                  &x0, &y0, &side),
                     RAM_OK);
    ck_assert(x0 == -10.0 && y0 == -10.0 && side == 48.0);
    ck_assert_int_eq(ram_sensor_patch_rect_scaled(s, 28, 28, l0, 1.5f, 0, 0,
                                                  &x0, &y0, &side),
                     RAM_OK);
    ck_assert(x0 == 8.0 && y0 == 8.0 && side == 12.0);
    ram_sensor_free(s);
}
END_TEST

/* Continuity: a small change of s (both modes) or of loc (continuous mode)
 * changes the output by little; and the mean over a wide patch of an
 * all-ones image inside is 1 for every s. */
START_TEST(test_scaled_continuity)
{
    uint64_t seed = 0xc0417;
    ram_sensor *s = mk(6, 3, 1);
    simg t = simg_new(RAM_PIXEL_F32, 1, 61, 47, 0, 0, 1);
    simg_fill(&t, &seed);
    size_t R = ram_sensor_output_size(s);
    float a[3 * 36], b[3 * 36];
    for (int rep = 0; rep < 200; rep++) {
        float loc[2] = {rand_loc(&seed), rand_loc(&seed)};
        float s0 = rand_scale(&seed);
        if (s0 > 3.99f)
            s0 = 3.99f;
        float s1 = s0 * (1.0f + 1.0f / 4096.0f);
        unsigned flags = rep % 2 ? RAM_SENSOR_CONTINUOUS : 0;
        ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, t.buf, RAM_PIXEL_F32,
                                                   61, 47, t.rs, 0, loc, &s0,
                                                   flags, a),
                         RAM_OK);
        ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, t.buf, RAM_PIXEL_F32,
                                                   61, 47, t.rs, 0, loc, &s1,
                                                   flags, b),
                         RAM_OK);
        /* Each edge moves by at most g * 2^i * s * 2^-12 / 2 <= 3 * 4 * 4 /
         * 4096 pixels and the cells are >= s pixels wide: the mean of
         * values in [-1, 1] moves by at most about 4 * 0.012 / s. */
        for (size_t j = 0; j < R; j++)
            CHECK(fabs((double)a[j] - (double)b[j]) <= 0.05 / s0 + 1e-6,
                  "scale %g -> %g: element %zu moved %g", (double)s0,
                  (double)s1, j, fabs((double)a[j] - (double)b[j]));
        if (flags) {
            float l2[2] = {loc[0] > 0 ? loc[0] - 1e-4f : loc[0] + 1e-4f,
                           loc[1]};
            ck_assert_int_eq(
                ram_sensor_glimpse_scaled(s, 1, t.buf, RAM_PIXEL_F32, 61, 47,
                                          t.rs, 0, l2, &s0, flags, b),
                RAM_OK);
            /* The patch moves by 61 * 1e-4 / 2 = 0.003 pixels. */
            for (size_t j = 0; j < R; j++)
                CHECK(fabs((double)a[j] - (double)b[j]) <= 0.02 / s0 + 1e-6,
                      "loc moved: element %zu moved %g", j,
                      fabs((double)a[j] - (double)b[j]));
        }
    }
    /* A discontinuous change is seen by the same measure: across
     * cx = 31.5 (lx = 2 / 61) the snapped mode jumps a whole pixel, the
     * continuous one moves 0.006 pixels. */
    float la[2] = {2.0f / 61.0f - 1e-4f, 0.0f}, lb[2] = {2.0f / 61.0f + 1e-4f,
                                                        0.0f};
    float one = 1.0f;
    for (unsigned f = 0; f < 2; f++) {
        ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, t.buf, RAM_PIXEL_F32,
                                                   61, 47, t.rs, 0, la, &one,
                                                   f, a),
                         RAM_OK);
        ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, t.buf, RAM_PIXEL_F32,
                                                   61, 47, t.rs, 0, lb, &one,
                                                   f, b),
                         RAM_OK);
        double maxd = 0.0;
        for (size_t j = 0; j < 36; j++)
            maxd = fmax(maxd, fabs((double)a[j] - (double)b[j]));
        if (f == 0)
            ck_assert(maxd > 0.05);
        else
            ck_assert(maxd < 0.02);
    }
    free(t.buf);
    ram_sensor_free(s);
}
END_TEST

/* Every error: the status, the detail, and out untouched. */
static void expect_err(int rc, int want, const char *detail,
                       const float *out, size_t n)
{
    ck_assert_int_eq(rc, want);
    const char *e = ram_last_error();
    ck_assert_ptr_nonnull(e);
    CHECK(strstr(e, "ram_sensor_glimpse_scaled") != NULL ||
              strstr(e, "ram_sensor_patch_rect_scaled") != NULL,
          "error names no function: %s", e);
    CHECK(strstr(e, detail) != NULL, "error '%s' lacks '%s'", e, detail);
    for (size_t j = 0; j < n; j++)
        CHECK(out[j] == -7.0f, "out[%zu] written on error", j);
}

START_TEST(test_scaled_errors)
{
    ram_sensor *s = mk(4, 2, 1);
    float img[20 * 20];
    for (int j = 0; j < 400; j++)
        img[j] = 0.5f;
    float out[2 * 32];
    for (int j = 0; j < 64; j++)
        out[j] = -7.0f;
    float loc[4] = {0.0f, 0.0f, 0.5f, -0.5f};
    float sc[2] = {1.0f, 2.0f};
#define G(S, I, L, SC, F, O)                                                  \
    ram_sensor_glimpse_scaled((S), 2, (I), RAM_PIXEL_F32, 20, 20, 80, 1600,   \
                              (L), (SC), (F), (O))
    /* The same image twice (image_stride 0 is rejected at batch 2), so use
     * a buffer of two images. */
    float two[2 * 400];
    for (int j = 0; j < 800; j++)
        two[j] = 0.25f;
    expect_err(G(NULL, two, loc, sc, 0, out), RAM_E_INVALID, "sensor", out,
               64);
    expect_err(G(s, NULL, loc, sc, 0, out), RAM_E_INVALID, "images", out, 64);
    expect_err(G(s, two, NULL, sc, 0, out), RAM_E_INVALID, "loc", out, 64);
    expect_err(G(s, two, loc, NULL, 0, out), RAM_E_INVALID, "scale is NULL",
               out, 64);
    ck_assert_int_eq(G(s, two, loc, sc, 0, NULL), RAM_E_INVALID);
    expect_err(G(s, two, loc, sc, 2u, out), RAM_E_INVALID, "flags", out, 64);
    const float bad[] = {0.2f, 4.5f, 0.0f, -1.0f, 0.2499f};
    for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
        float b2[2] = {1.0f, bad[j]};
        expect_err(G(s, two, loc, b2, 0, out), RAM_E_RANGE, "scale[1]", out,
                   64);
        expect_err(G(s, two, loc, b2, RAM_SENSOR_CONTINUOUS, out),
                   RAM_E_RANGE, "is outside [0.25, 4]", out, 64);
    }
    const float nonfin[] = {NAN, INFINITY, -INFINITY};
    for (size_t j = 0; j < 3; j++) {
        float b2[2] = {nonfin[j], 1.0f};
        expect_err(G(s, two, loc, b2, 0, out), RAM_E_NONFINITE, "scale[0]",
                   out, 64);
        float l2[4] = {0.0f, 0.0f, 0.0f, nonfin[j]};
        expect_err(G(s, two, l2, sc, 0, out), RAM_E_NONFINITE, "loc[3]", out,
                   64);
    }
    float l3[4] = {0.0f, 1.5f, 0.0f, 0.0f};
    expect_err(G(s, two, l3, sc, 0, out), RAM_E_RANGE, "loc[1]", out, 64);
    /* The image checks are ram_sensor_glimpse's. */
    expect_err(ram_sensor_glimpse_scaled(s, 2, two, RAM_PIXEL_F32, 20, 20, 79,
                                         1600, loc, sc, 0, out),
               RAM_E_INVALID, "row_stride", out, 64);
    expect_err(ram_sensor_glimpse_scaled(s, 2, two, 9, 20, 20, 80, 1600, loc,
                                         sc, 0, out),
               RAM_E_INVALID, "format", out, 64);
    expect_err(ram_sensor_glimpse_scaled(s, 0, two, RAM_PIXEL_F32, 20, 20, 80,
                                         1600, loc, sc, 0, out),
               RAM_E_RANGE, "batch", out, 64);
    /* A NaN pixel: inside a (scaled) patch fails, outside every patch does
     * not. Patch 1 at s = 0.5, l = (0, 0): 4 pixels, [8, 12). */
    float half = 0.5f;
    img[0] = NAN;
    ck_assert_int_eq(ram_sensor_glimpse_scaled(s, 1, img, RAM_PIXEL_F32, 20,
                                               20, 80, 0, loc, &half, 0, out),
                     RAM_OK);
    for (int j = 0; j < 32; j++)
        out[j] = -7.0f;
    float big = 4.0f; /* patch 1: 32 pixels, covers everything */
    expect_err(ram_sensor_glimpse_scaled(s, 1, img, RAM_PIXEL_F32, 20, 20, 80,
                                         0, loc, &big, 0, out),
               RAM_E_NONFINITE, "image 0", out, 32);
    /* patch_rect_scaled. */
    double x0 = -3.0, y0 = -3.0, sz = -3.0;
    ck_assert_int_eq(ram_sensor_patch_rect_scaled(s, 20, 20, loc, 1.0f, 0, 2,
                                                  &x0, &y0, &sz),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_sensor_patch_rect_scaled(s, 20, 20, loc, NAN, 0, 0,
                                                  &x0, &y0, &sz),
                     RAM_E_NONFINITE);
    ck_assert_int_eq(ram_sensor_patch_rect_scaled(s, 20, 20, loc, 8.0f, 0, 0,
                                                  &x0, &y0, &sz),
                     RAM_E_RANGE);
    ck_assert_int_eq(ram_sensor_patch_rect_scaled(s, 20, 20, loc, 1.0f, 4u, 0,
                                                  &x0, &y0, &sz),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_sensor_patch_rect_scaled(s, 20, 20, loc, 1.0f, 0, 0,
                                                  NULL, &y0, &sz),
                     RAM_E_INVALID);
    ck_assert_int_eq(ram_sensor_patch_rect_scaled(NULL, 20, 20, loc, 1.0f, 0,
                                                  0, &x0, &y0, &sz),
                     RAM_E_INVALID);
    ck_assert(x0 == -3.0 && y0 == -3.0 && sz == -3.0);
    ram_sensor_free(s);
#undef G
}
END_TEST

START_TEST(test_scaled_no_alloc)
{
    if (ram_test_allocations() < 0)
        return; /* sanitizer build: the allocator is not counted */
    ram_sensor *s = mk(12, 4, 3);
    size_t W = 100, H = 100, C = 3;
    uint8_t *img = calloc(W * H * C * 2, 1);
    float *out = malloc(2 * ram_sensor_output_size(s) * sizeof *out);
    ck_assert_ptr_nonnull(img);
    ck_assert_ptr_nonnull(out);
    float loc[4] = {0.1f, -0.3f, 1.0f, -1.0f}, sc[2] = {0.37f, 3.9f};
    /* No ck_assert between the two counts: Check itself allocates. */
    long before = ram_test_allocations();
    int rc[2];
    for (int f = 0; f < 2; f++)
        rc[f] = ram_sensor_glimpse_scaled(s, 2, img, RAM_PIXEL_U8, W, H, W * C,
                                          W * H * C, loc, sc, (unsigned)f,
                                          out);
    long used = ram_test_allocations() - before;
    ck_assert_int_eq(rc[0], RAM_OK);
    ck_assert_int_eq(rc[1], RAM_OK);
    ck_assert_int_eq(used, 0);
    free(img);
    free(out);
    ram_sensor_free(s);
}
END_TEST

Suite *suite_sensor_scale(void)
{
    Suite *s = suite_create("sensor_scale");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_scaled_vs_overlap_reference, 0, 5);
    tcase_add_test(tc, test_scaled_vs_supersampling);
    tcase_add_test(tc, test_scaled_wide);
    tcase_add_loop_test(tc, test_scaled_one_is_fixed, 0, 3);
    tcase_add_test(tc, test_scaled_by_hand);
    tcase_add_test(tc, test_scaled_continuity);
    tcase_add_test(tc, test_scaled_errors);
    tcase_add_test(tc, test_scaled_no_alloc);
    suite_add_tcase(s, tc);
    return s;
}
