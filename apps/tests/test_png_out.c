/* Tests for examples/common/png_out.c (canvas, PNG writing) and
 * examples/common/draw.c (blits, lines, shapes, font, grids). PNGs are
 * written to a fresh temporary directory and read back with libpng. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "draw.h"
#include "png_out.h"

static void make_tmpdir(char *dir, size_t n)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, n, "%s/ram-png-test-XXXXXX", (t && *t) ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Reads a PNG as 8-bit RGB; returns malloc'ed pixels and sets w, h. */
static uint8_t *read_png(const char *path, int *w, int *h)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert_msg(png_image_begin_read_from_file(&img, path),
                  "read %s: %s", path, img.message);
    img.format = PNG_FORMAT_RGB;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
    ck_assert_ptr_nonnull(buf);
    ck_assert_msg(png_image_finish_read(&img, NULL, buf, 0, NULL),
                  "read %s: %s", path, img.message);
    *w = (int)img.width;
    *h = (int)img.height;
    return buf;
}

static int is_col(const canvas *c, int x, int y, rgb8 col)
{
    rgb8 p = canvas_get(c, x, y);
    return p.r == col.r && p.g == col.g && p.b == col.b;
}

static int count_col(const canvas *c, rgb8 col)
{
    int n = 0;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++)
            n += is_col(c, x, y, col);
    return n;
}

#define ASSERT_COL(c, x, y, col)                                            \
    ck_assert_msg(is_col((c), (x), (y), (col)),                             \
                  "pixel (%d,%d) is %d,%d,%d", (x), (y),                    \
                  canvas_get((c), (x), (y)).r, canvas_get((c), (x), (y)).g, \
                  canvas_get((c), (x), (y)).b)

/* ---- canvas and PNG --------------------------------------------------- */

START_TEST(test_canvas_create)
{
    canvas *c = canvas_create(7, 5);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->w, 7);
    ck_assert_int_eq(c->h, 5);
    ck_assert_int_eq(count_col(c, RGB_BLACK), 35);
    canvas_set(c, 6, 4, RGB8(1, 2, 3));
    canvas_set(c, 7, 0, RGB_WHITE);  /* clipped */
    canvas_set(c, -1, 0, RGB_WHITE); /* clipped */
    ck_assert_uint_eq(c->px[3 * 34], 1);
    ck_assert_uint_eq(c->px[3 * 34 + 2], 3);
    ck_assert_int_eq(count_col(c, RGB_WHITE), 0);
    ck_assert(is_col(c, 99, 99, RGB_BLACK));
    canvas_fill(c, RGB_RED);
    ck_assert_int_eq(count_col(c, RGB_RED), 35);
    canvas_free(c);
    canvas_free(NULL);
    ck_assert_ptr_null(canvas_create(0, 5));
    ck_assert_ptr_null(canvas_create(5, -1));
    ck_assert_ptr_null(canvas_create(CANVAS_MAX_SIDE + 1, 1));
}
END_TEST

START_TEST(test_write_read_back)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/a.png", dir);
    canvas *c = canvas_create(13, 9);
    ck_assert_ptr_nonnull(c);
    for (int y = 0; y < 9; y++)
        for (int x = 0; x < 13; x++)
            canvas_set(c, x, y, RGB8(x * 19, y * 28, (x * y) % 256));
    ck_assert_int_eq(canvas_write_png(c, p, err, sizeof err), 0);
    int w = 0, h = 0;
    uint8_t *px = read_png(p, &w, &h);
    ck_assert_int_eq(w, 13);
    ck_assert_int_eq(h, 9);
    ck_assert_mem_eq(px, c->px, 13 * 9 * 3);
    ck_assert_uint_eq(px[3 * (8 * 13 + 12) + 0], 12 * 19);
    ck_assert_uint_eq(px[3 * (8 * 13 + 12) + 1], 8 * 28);
    ck_assert_uint_eq(px[3 * (8 * 13 + 12) + 2], 96);
    free(px);
    canvas_free(c);
    unlink(p);
    rmdir(dir);
}
END_TEST

START_TEST(test_write_errors)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/no/such/dir/x.png", dir);
    canvas *c = canvas_create(4, 4);
    ck_assert_int_eq(canvas_write_png(c, p, err, sizeof err), -2);
    ck_assert_msg(strstr(err, p) != NULL, "err: %s", err);
    ck_assert_msg(strstr(err, "No such file") != NULL, "err: %s", err);
    ck_assert_int_eq(access(p, F_OK), -1);
    ck_assert_int_eq(canvas_write_png(c, p, NULL, 0), -2);
    ck_assert_int_eq(canvas_write_png(c, NULL, err, sizeof err), -1);
    ck_assert_int_eq(canvas_write_png(c, "", err, sizeof err), -1);
    ck_assert_int_eq(canvas_write_png(NULL, p, err, sizeof err), -1);
    ck_assert_msg(strlen(err) > 0, "no message");
    canvas_free(c);
    rmdir(dir);
}
END_TEST

/* ---- blits ------------------------------------------------------------ */

START_TEST(test_blit_gray)
{
    canvas *c = canvas_create(10, 8);
    canvas_fill(c, RGB_RED);
    const uint8_t img[6] = {0, 50, 100, 150, 200, 255}; /* 3 x 2 */
    canvas_blit_gray(c, img, 3, 2, 1, 2, 3);
    /* Pixel (i, j) of img covers x 1+3i..3+3i, y 2+3j..4+3j. */
    ASSERT_COL(c, 1, 2, RGB8(0, 0, 0));
    ASSERT_COL(c, 3, 4, RGB8(0, 0, 0));
    ASSERT_COL(c, 4, 2, RGB8(50, 50, 50));
    ASSERT_COL(c, 9, 7, RGB8(255, 255, 255)); /* (2,1), clipped at 9,7 */
    ASSERT_COL(c, 3, 5, RGB8(150, 150, 150));
    ASSERT_COL(c, 6, 5, RGB8(200, 200, 200));
    ASSERT_COL(c, 0, 2, RGB_RED);
    ASSERT_COL(c, 1, 1, RGB_RED);
    /* The blit covers x 1..9, y 2..7: 54 of the 80 pixels. */
    ck_assert_int_eq(count_col(c, RGB_RED), 80 - 54);
    canvas_free(c);
}
END_TEST

START_TEST(test_blit_clip_and_float)
{
    canvas *c = canvas_create(6, 6);
    canvas_fill(c, RGB_RED);
    const uint8_t img[4] = {10, 20, 30, 40};
    /* Partly off-canvas: pixel (i, j) covers -3+4i .. 4i (clipped). */
    canvas_blit_gray(c, img, 2, 2, -3, -3, 4);
    ASSERT_COL(c, 0, 0, RGB8(10, 10, 10));
    ASSERT_COL(c, 4, 0, RGB8(20, 20, 20));
    ASSERT_COL(c, 0, 4, RGB8(30, 30, 30));
    ASSERT_COL(c, 4, 4, RGB8(40, 40, 40));
    ASSERT_COL(c, 5, 5, RGB_RED);
    ck_assert_int_eq(count_col(c, RGB8(40, 40, 40)), 16);
    ck_assert_int_eq(count_col(c, RGB_RED), 11);
    canvas_blit_gray(c, img, 2, 2, 1000, 1000, 2); /* fully off */
    canvas_blit_gray(c, img, 2, 2, -1000, 0, 2);
    canvas_blit_gray(c, img, 2, 2, 0, 0, 0);       /* bad scale */
    canvas_blit_gray(c, img, 0, 2, 0, 0, 1);       /* bad size */
    canvas_blit_gray(NULL, img, 2, 2, 0, 0, 1);
    ck_assert_int_eq(count_col(c, RGB_RED), 11);

    const float f[6] = {-1.0f, 0.0f, 0.5f, 1.0f, 2.0f, NAN};
    canvas_blit_float(c, f, 6, 1, 0.0f, 1.0f, 0, 5, 1);
    ASSERT_COL(c, 0, 5, RGB8(0, 0, 0));
    ASSERT_COL(c, 1, 5, RGB8(0, 0, 0));
    ASSERT_COL(c, 2, 5, RGB8(128, 128, 128));
    ASSERT_COL(c, 3, 5, RGB8(255, 255, 255));
    ASSERT_COL(c, 4, 5, RGB8(255, 255, 255));
    ASSERT_COL(c, 5, 5, RGB8(0, 0, 0));
    /* Other ranges, and a degenerate one. */
    const float g[2] = {-2.0f, 2.0f};
    canvas_blit_float(c, g, 2, 1, -2.0f, 6.0f, 0, 4, 1);
    ASSERT_COL(c, 0, 4, RGB8(0, 0, 0));
    ASSERT_COL(c, 1, 4, RGB8(128, 128, 128));
    canvas_blit_float(c, g, 2, 1, 0.0f, 0.0f, 2, 4, 1);
    ASSERT_COL(c, 2, 4, RGB8(0, 0, 0));
    ASSERT_COL(c, 3, 4, RGB8(255, 255, 255));
    canvas_free(c);
}
END_TEST

/* ---- lines and shapes ------------------------------------------------- */

START_TEST(test_lines)
{
    canvas *c = canvas_create(20, 20);
    canvas_line(c, 2, 3, 9, 3, RGB_GREEN); /* horizontal, 8 px */
    ck_assert_int_eq(count_col(c, RGB_GREEN), 8);
    ASSERT_COL(c, 2, 3, RGB_GREEN);
    ASSERT_COL(c, 9, 3, RGB_GREEN);
    ASSERT_COL(c, 10, 3, RGB_BLACK);
    canvas_fill(c, RGB_BLACK);
    canvas_line(c, 5, 15, 5, 10, RGB_GREEN); /* vertical, upwards, 6 px */
    ck_assert_int_eq(count_col(c, RGB_GREEN), 6);
    ASSERT_COL(c, 5, 10, RGB_GREEN);
    ASSERT_COL(c, 5, 15, RGB_GREEN);
    canvas_fill(c, RGB_BLACK);
    canvas_line(c, 0, 0, 7, 7, RGB_GREEN); /* diagonal */
    ck_assert_int_eq(count_col(c, RGB_GREEN), 8);
    for (int i = 0; i <= 7; i++)
        ASSERT_COL(c, i, i, RGB_GREEN);
    canvas_fill(c, RGB_BLACK);
    /* Steep line: one pixel per row, both ends included, and connected. */
    canvas_line(c, 1, 1, 4, 13, RGB_GREEN);
    ck_assert_int_eq(count_col(c, RGB_GREEN), 13);
    ASSERT_COL(c, 1, 1, RGB_GREEN);
    ASSERT_COL(c, 4, 13, RGB_GREEN);
    for (int y = 1; y <= 13; y++) {
        int n = 0;
        for (int x = 0; x < 20; x++)
            n += is_col(c, x, y, RGB_GREEN);
        ck_assert_int_eq(n, 1);
    }
    canvas_fill(c, RGB_BLACK);
    canvas_line(c, 3, 3, 3, 3, RGB_GREEN); /* a point */
    ck_assert_int_eq(count_col(c, RGB_GREEN), 1);
    /* Clipping: only the visible part is drawn. */
    canvas_fill(c, RGB_BLACK);
    canvas_line(c, -10, 5, 30, 5, RGB_GREEN);
    ck_assert_int_eq(count_col(c, RGB_GREEN), 20);
    canvas_line(c, -100, -100, -50, 400, RGB_GREEN);
    ck_assert_int_eq(count_col(c, RGB_GREEN), 20);
    /* Far-off ends are clipped first (this would take seconds unclipped);
     * the visible part is the same as for a short line. */
    canvas_fill(c, RGB_BLACK);
    canvas_line(c, INT_MIN, 7, INT_MAX, 7, RGB_GREEN);
    ck_assert_int_eq(count_col(c, RGB_GREEN), 20);
    canvas_line(c, -2000000000, -2000000000, 2000000000, 2000000000,
                RGB_GREEN);
    for (int i = 0; i < 20; i++)
        ASSERT_COL(c, i, i, RGB_GREEN);
    ck_assert_int_eq(count_col(c, RGB_GREEN), 20 + 19);
    canvas_line_thick(c, INT_MAX, INT_MAX, INT_MAX - 5, INT_MIN, 3,
                      RGB_RED);
    ck_assert_int_eq(count_col(c, RGB_RED), 0);
    /* Thick: 3 px centred on the line. */
    canvas_fill(c, RGB_BLACK);
    canvas_line_thick(c, 4, 10, 12, 10, 3, RGB_GREEN);
    ck_assert_int_eq(count_col(c, RGB_GREEN), 3 * 11);
    ASSERT_COL(c, 3, 9, RGB_GREEN);
    ASSERT_COL(c, 13, 11, RGB_GREEN);
    ASSERT_COL(c, 8, 12, RGB_BLACK);
    canvas_line_thick(c, 0, 0, 5, 5, 0, RGB_RED);
    ck_assert_int_eq(count_col(c, RGB_RED), 0);
    canvas_free(c);
}
END_TEST

START_TEST(test_rects)
{
    canvas *c = canvas_create(30, 30);
    canvas_rect(c, 2, 3, 12, 10, 2, RGB_RED);
    /* Outer edge is exactly the rectangle; 2-px border inwards. */
    ck_assert_int_eq(count_col(c, RGB_RED), 12 * 10 - 8 * 6);
    ASSERT_COL(c, 2, 3, RGB_RED);
    ASSERT_COL(c, 13, 12, RGB_RED);
    ASSERT_COL(c, 3, 4, RGB_RED);
    ASSERT_COL(c, 4, 5, RGB_BLACK);  /* interior */
    ASSERT_COL(c, 11, 10, RGB_BLACK);
    ASSERT_COL(c, 14, 12, RGB_BLACK); /* outside */
    ASSERT_COL(c, 2, 13, RGB_BLACK);
    canvas_fill(c, RGB_BLACK);
    canvas_rect(c, 20, 20, 20, 20, 1, RGB_RED); /* clipped */
    ck_assert_int_eq(count_col(c, RGB_RED), 10 + 9);
    canvas_fill(c, RGB_BLACK);
    canvas_rect(c, 0, 0, 4, 4, 2, RGB_RED); /* border fills it */
    ck_assert_int_eq(count_col(c, RGB_RED), 16);
    canvas_fill(c, RGB_BLACK);
    canvas_fill_rect(c, 5, 5, 3, 4, RGB_BLUE);
    ck_assert_int_eq(count_col(c, RGB_BLUE), 12);
    canvas_fill_rect(c, 28, -5, 10, 7, RGB_BLUE);
    ck_assert_int_eq(count_col(c, RGB_BLUE), 12 + 4);
    canvas_rect(c, 0, 0, 0, 5, 1, RGB_RED);
    canvas_rect(c, 0, 0, 5, 5, 0, RGB_RED);
    ck_assert_int_eq(count_col(c, RGB_RED), 0);
    canvas_free(c);
}
END_TEST

START_TEST(test_circles)
{
    canvas *c = canvas_create(21, 21);
    canvas_fill_circle(c, 10, 10, 3, RGB_GREEN);
    ASSERT_COL(c, 10, 10, RGB_GREEN);
    ASSERT_COL(c, 13, 10, RGB_GREEN);
    ASSERT_COL(c, 10, 7, RGB_GREEN);
    ASSERT_COL(c, 14, 10, RGB_BLACK);
    ASSERT_COL(c, 13, 13, RGB_BLACK);
    ASSERT_COL(c, 12, 12, RGB_GREEN);
    /* dx^2 + dy^2 <= 12: 37 pixels, symmetric. */
    ck_assert_int_eq(count_col(c, RGB_GREEN), 37);
    for (int y = 0; y < 21; y++)
        for (int x = 0; x < 21; x++)
            ck_assert_int_eq(is_col(c, x, y, RGB_GREEN),
                             is_col(c, 20 - x, y, RGB_GREEN));
    canvas_fill(c, RGB_BLACK);
    canvas_fill_circle(c, 4, 4, 0, RGB_GREEN);
    ck_assert_int_eq(count_col(c, RGB_GREEN), 1);
    canvas_fill(c, RGB_BLACK);
    canvas_circle(c, 10, 10, 6, 2, RGB_GREEN);
    ASSERT_COL(c, 10, 10, RGB_BLACK); /* open */
    ASSERT_COL(c, 14, 10, RGB_BLACK);
    ASSERT_COL(c, 15, 10, RGB_GREEN);
    ASSERT_COL(c, 16, 10, RGB_GREEN);
    ASSERT_COL(c, 17, 10, RGB_BLACK);
    ASSERT_COL(c, 10, 4, RGB_GREEN);
    /* Ring = disc(6) minus disc(4). */
    int ring = count_col(c, RGB_GREEN);
    canvas_fill(c, RGB_BLACK);
    canvas_fill_circle(c, 10, 10, 6, RGB_GREEN);
    int d6 = count_col(c, RGB_GREEN);
    canvas_fill(c, RGB_BLACK);
    canvas_fill_circle(c, 10, 10, 4, RGB_GREEN);
    ck_assert_int_eq(ring, d6 - count_col(c, RGB_GREEN));
    ck_assert_int_gt(ring, 0);
    /* Off-canvas and bad arguments do not crash. */
    canvas_fill_circle(c, -100, 5, 3, RGB_RED);
    canvas_fill_circle(c, INT_MIN, INT_MAX, 3, RGB_RED);
    canvas_circle(c, INT_MAX, INT_MIN, 5, 2, RGB_RED);
    canvas_circle(c, 5, 5, -1, 1, RGB_RED);
    canvas_circle(c, 5, 5, 3, 0, RGB_RED);
    ck_assert_int_eq(count_col(c, RGB_RED), 0);
    canvas_fill_circle(c, 0, 0, 2, RGB_RED);
    /* The quarter disc with dx, dy >= 0 and dx^2 + dy^2 <= 6. */
    ck_assert_int_eq(count_col(c, RGB_RED), 8);
    canvas_free(c);
}
END_TEST

START_TEST(test_glimpse_path)
{
    canvas *c = canvas_create(60, 60);
    /* Image drawn at (5, 5), scale 2; points in image pixel units. */
    const float xs[3] = {5.0f, 15.0f, 20.0f};
    const float ys[3] = {5.0f, 5.0f, 20.0f};
    canvas_glimpse_path(c, xs, ys, 3, 5, 5, 2, 1, RGB_GREEN);
    /* First: filled circle of radius 3 at (15, 15). */
    ASSERT_COL(c, 15, 15, RGB_GREEN);
    ASSERT_COL(c, 12, 15, RGB_GREEN);
    ASSERT_COL(c, 15, 18, RGB_GREEN);
    ASSERT_COL(c, 11, 15, RGB_BLACK);
    /* Line to (35, 15), then to (45, 45). */
    ASSERT_COL(c, 25, 15, RGB_GREEN);
    ASSERT_COL(c, 25, 16, RGB_BLACK);
    ASSERT_COL(c, 40, 30, RGB_GREEN);
    /* Last: open circle of radius 3 at (45, 45); the line ends in it. */
    ASSERT_COL(c, 48, 45, RGB_GREEN);
    ASSERT_COL(c, 42, 45, RGB_GREEN);
    ASSERT_COL(c, 45, 48, RGB_GREEN);
    ASSERT_COL(c, 46, 46, RGB_BLACK);
    ASSERT_COL(c, 49, 45, RGB_BLACK);
    /* One point: just the filled circle. */
    canvas_fill(c, RGB_BLACK);
    canvas_glimpse_path(c, xs, ys, 1, 0, 0, 1, 1, RGB_RED);
    ck_assert_int_eq(count_col(c, RGB_RED), 37);
    /* Bad arguments draw nothing; NaN and huge values do not crash. */
    canvas_glimpse_path(c, xs, ys, 0, 0, 0, 1, 1, RGB_BLUE);
    canvas_glimpse_path(c, NULL, ys, 3, 0, 0, 1, 1, RGB_BLUE);
    canvas_glimpse_path(c, xs, ys, 3, 0, 0, 0, 1, RGB_BLUE);
    ck_assert_int_eq(count_col(c, RGB_BLUE), 0);
    const float wild[2] = {NAN, 1e30f};
    canvas_glimpse_path(c, wild, wild, 2, 0, 0, 1, 1, RGB_BLUE);
    canvas_free(c);
}
END_TEST

/* ---- font ------------------------------------------------------------- */

START_TEST(test_text)
{
    /* '7' at scale 1, checked against its 5x7 bitmap. */
    static const char *seven[7] = {"#####", "....#", "...#.", "..#..",
                                   ".#...", ".#...", ".#..."};
    canvas *c = canvas_create(40, 20);
    ck_assert_int_eq(canvas_text(c, 2, 3, "7", 1, RGB_WHITE), 5);
    for (int r = 0; r < 7; r++)
        for (int b = 0; b < 5; b++)
            ck_assert_int_eq(is_col(c, 2 + b, 3 + r, RGB_WHITE),
                             seven[r][b] == '#');
    ck_assert_int_eq(count_col(c, RGB_WHITE), 11);

    /* Scale 2 doubles every dot. */
    canvas_fill(c, RGB_BLACK);
    canvas_text(c, 0, 0, "7", 2, RGB_WHITE);
    ck_assert_int_eq(count_col(c, RGB_WHITE), 44);
    ASSERT_COL(c, 9, 3, RGB_WHITE); /* bit (4,1) -> 8..9, 2..3 */
    ASSERT_COL(c, 9, 4, RGB_BLACK);

    /* Lowercase is drawn as uppercase. */
    canvas *u = canvas_create(40, 20);
    canvas_fill(c, RGB_BLACK);
    canvas_text(c, 1, 1, "pred 7", 1, RGB_WHITE);
    canvas_text(u, 1, 1, "PRED 7", 1, RGB_WHITE);
    ck_assert_mem_eq(c->px, u->px, 40 * 20 * 3);
    ck_assert_int_gt(count_col(c, RGB_WHITE), 40);

    /* Unknown characters are a hollow 5x7 box (20 dots). */
    canvas_fill(c, RGB_BLACK);
    canvas_text(c, 0, 0, "~", 1, RGB_WHITE);
    ck_assert_int_eq(count_col(c, RGB_WHITE), 20);
    /* Space draws nothing; "%./:-" all draw something distinct. */
    canvas_fill(c, RGB_BLACK);
    canvas_text(c, 0, 0, " ", 3, RGB_WHITE);
    ck_assert_int_eq(count_col(c, RGB_WHITE), 0);
    const char *punct = "%.:-/";
    for (int i = 0; punct[i]; i++) {
        char s[2] = {punct[i], 0};
        canvas_fill(c, RGB_BLACK);
        canvas_text(c, 0, 0, s, 1, RGB_WHITE);
        int n = count_col(c, RGB_WHITE);
        ck_assert_int_gt(n, 0);
        ck_assert_int_ne(n, 20);
    }

    /* Sizes: 6 px per character minus the last gap, 8 px per line. */
    ck_assert_int_eq(canvas_text_width("ab", 1), 11);
    ck_assert_int_eq(canvas_text_width("ab\nxyz", 2), 34);
    ck_assert_int_eq(canvas_text_height("a\nb", 2), 30);
    ck_assert_int_eq(canvas_text_width("", 1), 0);
    ck_assert_int_eq(canvas_text_width(NULL, 1), 0);
    ck_assert_int_eq(canvas_text_height("x", 0), 0);
    /* Clipped text does not crash. */
    canvas_text(c, 35, 15, "clipped 123", 3, RGB_RED);
    canvas_text(c, -1000, -1000, "x", 3, RGB_RED);
    canvas_text(NULL, 0, 0, "x", 1, RGB_RED);
    ck_assert_int_gt(count_col(c, RGB_RED), 0);
    canvas_free(u);
    canvas_free(c);
}
END_TEST

/* ---- grids ------------------------------------------------------------ */

START_TEST(test_grid)
{
    const uint8_t imgs[3 * 4] = {10, 11, 12, 13, 20, 21, 22, 23,
                                 30, 31, 32, 33}; /* three 2x2 images */
    canvas *c = canvas_gray_grid(imgs, 3, 2, 2, 2, 1, 1, RGB_WHITE);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->w, 7); /* gap + 2 + gap + 2 + gap */
    ck_assert_int_eq(c->h, 7);
    ASSERT_COL(c, 0, 0, RGB_WHITE);
    ASSERT_COL(c, 1, 1, RGB8(10, 10, 10));
    ASSERT_COL(c, 2, 2, RGB8(13, 13, 13));
    ASSERT_COL(c, 3, 1, RGB_WHITE);
    ASSERT_COL(c, 4, 1, RGB8(20, 20, 20));
    ASSERT_COL(c, 5, 2, RGB8(23, 23, 23));
    ASSERT_COL(c, 1, 4, RGB8(30, 30, 30));
    ASSERT_COL(c, 4, 4, RGB_WHITE); /* empty 4th slot */
    ck_assert_int_eq(count_col(c, RGB_WHITE), 49 - 12);
    canvas_free(c);

    /* Scaled, 2-px gap (Figure 2 layout): 4x4 of 3x3 images at scale 2. */
    uint8_t many[16 * 9];
    for (int i = 0; i < 16 * 9; i++)
        many[i] = (uint8_t)i;
    c = canvas_gray_grid(many, 16, 3, 3, 4, 2, 2, RGB_GRAY);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->w, 4 * 6 + 5 * 2);
    ck_assert_int_eq(c->h, 4 * 6 + 5 * 2);
    ASSERT_COL(c, 2 + 3 * 8 + 5, 2 + 3 * 8 + 5, RGB8(143, 143, 143));
    canvas_free(c);

    ck_assert_ptr_null(canvas_gray_grid(NULL, 3, 2, 2, 2, 1, 1, RGB_WHITE));
    ck_assert_ptr_null(canvas_gray_grid(imgs, 0, 2, 2, 2, 1, 1, RGB_WHITE));
    ck_assert_ptr_null(canvas_gray_grid(imgs, 3, 2, 2, 0, 1, 1, RGB_WHITE));
    ck_assert_ptr_null(canvas_gray_grid(imgs, 3, 2, 2, 2, 1, -1, RGB_WHITE));

    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/grid.png", dir);
    ck_assert_int_eq(write_gray_grid_png(p, imgs, 3, 2, 2, 3, 2, 2, err,
                                         sizeof err), 0);
    int w, h;
    uint8_t *px = read_png(p, &w, &h);
    ck_assert_int_eq(w, 3 * 4 + 4 * 2);
    ck_assert_int_eq(h, 4 + 2 * 2);
    ck_assert_uint_eq(px[0], 255);                    /* gap */
    ck_assert_uint_eq(px[3 * (2 * w + 2)], 10);       /* image 0 */
    ck_assert_uint_eq(px[3 * (5 * w + 16)], 33);      /* image 2, (1,1) */
    free(px);
    unlink(p);
    snprintf(p, sizeof p, "%s/missing/grid.png", dir);
    ck_assert_int_ne(write_gray_grid_png(p, imgs, 3, 2, 2, 3, 2, 2, err,
                                         sizeof err), 0);
    ck_assert_msg(strstr(err, "missing/grid.png") != NULL, "err: %s", err);
    ck_assert_int_ne(write_gray_grid_png(p, NULL, 3, 2, 2, 3, 2, 2, err,
                                         sizeof err), 0);
    rmdir(dir);
}
END_TEST

Suite *suite_png_out(void)
{
    Suite *s = suite_create("png_out");
    TCase *tc = tcase_create("canvas");
    tcase_add_test(tc, test_canvas_create);
    tcase_add_test(tc, test_write_read_back);
    tcase_add_test(tc, test_write_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("draw");
    tcase_add_test(tc, test_blit_gray);
    tcase_add_test(tc, test_blit_clip_and_float);
    tcase_add_test(tc, test_lines);
    tcase_add_test(tc, test_rects);
    tcase_add_test(tc, test_circles);
    tcase_add_test(tc, test_glimpse_path);
    tcase_add_test(tc, test_text);
    tcase_add_test(tc, test_grid);
    suite_add_tcase(s, tc);
    return s;
}
