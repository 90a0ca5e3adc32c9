/* Drawing primitives, bitmap font and grids. See draw.h. */
#include "draw.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Fills [x0, x1) x [y0, y1), clipped. */
static void fill_clipped(canvas *c, int x0, int y0, int x1, int y1, rgb8 col)
{
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > c->w)
        x1 = c->w;
    if (y1 > c->h)
        y1 = c->h;
    for (int y = y0; y < y1; y++) {
        uint8_t *p = c->px + 3 * ((size_t)y * (size_t)c->w + (size_t)x0);
        for (int x = x0; x < x1; x++, p += 3) {
            p[0] = col.r;
            p[1] = col.g;
            p[2] = col.b;
        }
    }
}

/* Fills the scale x scale block of source pixel (i, j) drawn at (x, y);
 * int64 arithmetic so that huge offsets cannot overflow. */
static void fill_block(canvas *c, int x, int y, int i, int j, int scale,
                       rgb8 col)
{
    int64_t bx = (int64_t)x + (int64_t)i * scale;
    int64_t by = (int64_t)y + (int64_t)j * scale;
    if (bx >= c->w || by >= c->h || bx + scale <= 0 || by + scale <= 0)
        return;
    fill_clipped(c, (int)(bx < 0 ? 0 : bx), (int)(by < 0 ? 0 : by),
                 (int)(bx + scale > c->w ? c->w : bx + scale),
                 (int)(by + scale > c->h ? c->h : by + scale), col);
}

void canvas_blit_gray(canvas *c, const uint8_t *img, int w, int h, int x,
                      int y, int scale)
{
    if (c == NULL || img == NULL || w < 1 || h < 1 || scale < 1)
        return;
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            uint8_t v = img[(size_t)j * (size_t)w + (size_t)i];
            fill_block(c, x, y, i, j, scale, RGB8(v, v, v));
        }
}

void canvas_blit_float(canvas *c, const float *img, int w, int h, float lo,
                       float hi, int x, int y, int scale)
{
    if (c == NULL || img == NULL || w < 1 || h < 1 || scale < 1)
        return;
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            float v = img[(size_t)j * (size_t)w + (size_t)i];
            uint8_t g;
            if (isnan(v))
                g = 0;
            else if (!(hi > lo))
                g = v > lo ? 255 : 0;
            else {
                float t = (v - lo) / (hi - lo);
                if (t < 0.0f)
                    t = 0.0f;
                if (t > 1.0f)
                    t = 1.0f;
                g = (uint8_t)lrintf(t * 255.0f);
            }
            fill_block(c, x, y, i, j, scale, RGB8(g, g, g));
        }
}

static void line_impl(canvas *c, int x0, int y0, int x1, int y1, int t,
                      rgb8 col)
{
    /* Bresenham in int64 so that far-off endpoints cannot overflow. */
    int64_t x = x0, y = y0;
    int64_t dx = (int64_t)x1 - x0, dy = (int64_t)y1 - y0;
    if (dx < 0)
        dx = -dx;
    if (dy < 0)
        dy = -dy;
    dy = -dy;
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int64_t e = dx + dy;
    int off = (t - 1) / 2;
    for (;;) {
        if (t == 1) {
            if (x >= 0 && y >= 0 && x < c->w && y < c->h)
                canvas_set(c, (int)x, (int)y, col);
        } else if (x - off < c->w && y - off < c->h && x - off + t > 0 &&
                   y - off + t > 0) {
            int64_t ax = x - off, ay = y - off;
            fill_clipped(c, (int)(ax < 0 ? 0 : ax), (int)(ay < 0 ? 0 : ay),
                         (int)(ax + t > c->w ? c->w : ax + t),
                         (int)(ay + t > c->h ? c->h : ay + t), col);
        }
        if (x == x1 && y == y1)
            break;
        int64_t e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y += sy;
        }
    }
}

/* Lines with an end far outside the canvas are first clipped (Liang-Barsky)
 * to the canvas grown by LINE_MARGIN on every side, so that the Bresenham
 * loop stays short; lines inside that box are drawn exactly. Returns 0 if
 * nothing is left. */
#define LINE_MARGIN 1024
static int clip_far_line(const canvas *c, int *x0, int *y0, int *x1, int *y1,
                         int thickness)
{
    double lo_x = -LINE_MARGIN - (double)thickness;
    double lo_y = lo_x;
    double hi_x = (double)c->w + LINE_MARGIN + thickness;
    double hi_y = (double)c->h + LINE_MARGIN + thickness;
    if (*x0 >= lo_x && *x0 <= hi_x && *x1 >= lo_x && *x1 <= hi_x &&
        *y0 >= lo_y && *y0 <= hi_y && *y1 >= lo_y && *y1 <= hi_y)
        return 1;
    double ax = *x0, ay = *y0, dx = (double)*x1 - ax, dy = (double)*y1 - ay;
    double t0 = 0.0, t1 = 1.0;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {ax - lo_x, hi_x - ax, ay - lo_y, hi_y - ay};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0.0) {
            if (q[i] < 0.0)
                return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0.0) {
            if (t > t1)
                return 0;
            if (t > t0)
                t0 = t;
        } else {
            if (t < t0)
                return 0;
            if (t < t1)
                t1 = t;
        }
    }
    *x0 = (int)lround(ax + t0 * dx);
    *y0 = (int)lround(ay + t0 * dy);
    *x1 = (int)lround(ax + t1 * dx);
    *y1 = (int)lround(ay + t1 * dy);
    return 1;
}

void canvas_line(canvas *c, int x0, int y0, int x1, int y1, rgb8 col)
{
    if (c == NULL || !clip_far_line(c, &x0, &y0, &x1, &y1, 1))
        return;
    line_impl(c, x0, y0, x1, y1, 1, col);
}

void canvas_line_thick(canvas *c, int x0, int y0, int x1, int y1,
                       int thickness, rgb8 col)
{
    if (c == NULL || thickness < 1 || thickness > CANVAS_MAX_SIDE ||
        !clip_far_line(c, &x0, &y0, &x1, &y1, thickness))
        return;
    line_impl(c, x0, y0, x1, y1, thickness, col);
}

/* Filled rectangle with 64-bit corners, clipped. */
static void fill_rect64(canvas *c, int64_t x, int64_t y, int64_t w,
                        int64_t h, rgb8 col)
{
    if (w < 1 || h < 1 || x >= c->w || y >= c->h || x + w <= 0 ||
        y + h <= 0)
        return;
    fill_clipped(c, (int)(x < 0 ? 0 : x), (int)(y < 0 ? 0 : y),
                 (int)(x + w > c->w ? c->w : x + w),
                 (int)(y + h > c->h ? c->h : y + h), col);
}

void canvas_fill_rect(canvas *c, int x, int y, int w, int h, rgb8 col)
{
    if (c == NULL)
        return;
    fill_rect64(c, x, y, w, h, col);
}

void canvas_rect(canvas *c, int x, int y, int w, int h, int thickness,
                 rgb8 col)
{
    if (c == NULL || w < 1 || h < 1 || thickness < 1)
        return;
    int64_t t = thickness;
    if (2 * t >= w || 2 * t >= h) {
        fill_rect64(c, x, y, w, h, col);
        return;
    }
    fill_rect64(c, x, y, w, t, col);                         /* top */
    fill_rect64(c, x, (int64_t)y + h - t, w, t, col);        /* bottom */
    fill_rect64(c, x, (int64_t)y + t, t, h - 2 * t, col);    /* left */
    fill_rect64(c, (int64_t)x + w - t, (int64_t)y + t, t, h - 2 * t,
                col);                                        /* right */
}

/* Pixels whose centre offset (dx, dy) has dx^2 + dy^2 <= r^2 + r are inside
 * a disc of radius r (the "+ r" rounds the outline nicely). */
static int64_t disc_limit(int r)
{
    return r < 0 ? -1 : (int64_t)r * r + r;
}

static void ring(canvas *c, int cx, int cy, int r_out, int r_in, rgb8 col)
{
    int64_t lim_out = disc_limit(r_out), lim_in = disc_limit(r_in);
    int64_t y0 = (int64_t)cy - r_out, y1 = (int64_t)cy + r_out;
    int64_t x0 = (int64_t)cx - r_out, x1 = (int64_t)cx + r_out;
    if (y0 < 0)
        y0 = 0;
    if (x0 < 0)
        x0 = 0;
    if (y1 >= c->h)
        y1 = c->h - 1;
    if (x1 >= c->w)
        x1 = c->w - 1;
    for (int y = (int)y0; y <= y1; y++)
        for (int x = (int)x0; x <= x1; x++) {
            int64_t dx = (int64_t)x - cx, dy = (int64_t)y - cy;
            int64_t d2 = dx * dx + dy * dy;
            if (d2 <= lim_out && d2 > lim_in)
                canvas_set(c, x, y, col);
        }
}

void canvas_fill_circle(canvas *c, int cx, int cy, int r, rgb8 col)
{
    if (c == NULL || r < 0 || r > CANVAS_MAX_SIDE * 2)
        return;
    ring(c, cx, cy, r, -1, col);
}

void canvas_circle(canvas *c, int cx, int cy, int r, int thickness, rgb8 col)
{
    if (c == NULL || r < 0 || thickness < 1 || r > CANVAS_MAX_SIDE * 2)
        return;
    ring(c, cx, cy, r, r - thickness, col);
}

static int to_canvas(float v, int origin, int scale)
{
    double d = (double)origin + (double)v * scale;
    if (!(d > -1e9)) /* also NaN */
        d = -1e9;
    if (d > 1e9)
        d = 1e9;
    return (int)lround(d);
}

void canvas_glimpse_path(canvas *c, const float *xs, const float *ys, int n,
                         int x0, int y0, int scale, int thickness, rgb8 col)
{
    if (c == NULL || xs == NULL || ys == NULL || n < 1 || scale < 1 ||
        thickness < 1 || thickness > CANVAS_MAX_SIDE)
        return;
    int r = 2 * thickness + 1;
    int px = to_canvas(xs[0], x0, scale), py = to_canvas(ys[0], y0, scale);
    canvas_fill_circle(c, px, py, r, col);
    for (int i = 1; i < n; i++) {
        int qx = to_canvas(xs[i], x0, scale), qy = to_canvas(ys[i], y0, scale);
        canvas_line_thick(c, px, py, qx, qy, thickness, col);
        px = qx;
        py = qy;
    }
    if (n > 1)
        canvas_circle(c, px, py, r, thickness, col);
}

/* ---- 5x7 font --------------------------------------------------------- */

typedef struct glyph {
    char ch;
    uint8_t rows[7]; /* bit 4 = leftmost column */
} glyph;

static const glyph k_font[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'A', {0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11}},
    {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}},
    {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}},
    {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}},
    {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {' ', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'/', {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}},
    {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}},
    {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
    {'=', {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}},
    {'+', {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}},
    {',', {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}},
    {'\'', {0x0C, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00}},
    {'?', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}},
    {'!', {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04}},
    {'_', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}},
    {'#', {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}},
    {'[', {0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E}},
    {']', {0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E}},
    {'<', {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}},
    {'>', {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}},
    {'*', {0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00}},
};

static const uint8_t k_box[7] = {0x1F, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1F};

static const uint8_t *glyph_rows(char ch)
{
    if (ch >= 'a' && ch <= 'z')
        ch = (char)(ch - 'a' + 'A');
    for (size_t i = 0; i < sizeof k_font / sizeof k_font[0]; i++)
        if (k_font[i].ch == ch)
            return k_font[i].rows;
    return k_box;
}

int canvas_text(canvas *c, int x, int y, const char *text, int scale,
                rgb8 col)
{
    if (text == NULL || scale < 1 || scale > CANVAS_MAX_SIDE)
        return 0;
    int col_i = 0, line = 0, widest = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '\n') {
            line++;
            col_i = 0;
            continue;
        }
        if (c != NULL) {
            const uint8_t *rows = glyph_rows(*p);
            int64_t gx = (int64_t)x + (int64_t)col_i * FONT_CELL_W * scale;
            int64_t gy = (int64_t)y + (int64_t)line * FONT_CELL_H * scale;
            if (gx < c->w && gy < c->h && gx > INT_MIN / 2 &&
                gy > INT_MIN / 2)
                for (int r = 0; r < 7; r++)
                    for (int b = 0; b < 5; b++)
                        if (rows[r] & (0x10 >> b))
                            fill_block(c, (int)gx, (int)gy, b, r, scale,
                                       col);
        }
        col_i++;
        if (col_i > widest)
            widest = col_i;
    }
    /* The last column of spacing is not part of the text's width. */
    int64_t width = widest > 0
                        ? (int64_t)widest * FONT_CELL_W * scale - scale
                        : 0;
    return width > INT_MAX ? INT_MAX : (int)width;
}

int canvas_text_width(const char *text, int scale)
{
    return canvas_text(NULL, 0, 0, text, scale, RGB_BLACK);
}

int canvas_text_height(const char *text, int scale)
{
    if (text == NULL || scale < 1 || scale > CANVAS_MAX_SIDE ||
        text[0] == '\0')
        return 0;
    int64_t lines = 1;
    for (const char *p = text; *p != '\0'; p++)
        if (*p == '\n')
            lines++;
    int64_t height = lines * FONT_CELL_H * scale - scale;
    return height > INT_MAX ? INT_MAX : (int)height;
}

/* ---- grids ------------------------------------------------------------ */

canvas *canvas_gray_grid(const uint8_t *images, size_t n, int w, int h,
                         int cols, int scale, int gap, rgb8 gap_col)
{
    if (images == NULL || n == 0 || w < 1 || h < 1 || cols < 1 ||
        scale < 1 || gap < 0)
        return NULL;
    if ((size_t)cols > n)
        cols = (int)n;
    size_t rows = (n + (size_t)cols - 1) / (size_t)cols;
    int64_t cw = (int64_t)cols * ((int64_t)w * scale + gap) + gap;
    int64_t ch = (int64_t)rows * ((int64_t)h * scale + gap) + gap;
    if (cw > CANVAS_MAX_SIDE || ch > CANVAS_MAX_SIDE)
        return NULL;
    canvas *c = canvas_create((int)cw, (int)ch);
    if (c == NULL)
        return NULL;
    canvas_fill(c, gap_col);
    for (size_t i = 0; i < n; i++) {
        int gx = (int)(i % (size_t)cols), gy = (int)(i / (size_t)cols);
        canvas_blit_gray(c, images + i * (size_t)w * (size_t)h, w, h,
                         gap + gx * (w * scale + gap),
                         gap + gy * (h * scale + gap), scale);
    }
    return c;
}

int write_gray_grid_png(const char *path, const uint8_t *images, size_t n,
                        int w, int h, int cols, int scale, int gap, char *err,
                        size_t errlen)
{
    canvas *c = canvas_gray_grid(images, n, w, h, cols, scale, gap,
                                 RGB_WHITE);
    if (c == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen,
                     "%s: cannot make the image grid (bad arguments, too "
                     "large, or out of memory)", path ? path : "(null)");
        return -1;
    }
    int st = canvas_write_png(c, path, err, errlen);
    canvas_free(c);
    return st;
}
