/* Drawing on a canvas (png_out.h): image blits, lines, rectangles,
 * circles, a 5x7 bitmap font and sample grids, for pictures like Figures
 * 2-6 of Mnih et al. 2014. Everything clips at the canvas edges; NULL
 * canvases and non-positive sizes/scales/thicknesses draw nothing. */
#ifndef RAM_EXAMPLE_DRAW_H
#define RAM_EXAMPLE_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include "png_out.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Draws a w x h grayscale image (row-major, 0 = black, 255 = white) with
 * its top-left at (x, y), each pixel as a scale x scale block (nearest
 * neighbour). */
void canvas_blit_gray(canvas *c, const uint8_t *img, int w, int h, int x,
                      int y, int scale);

/* Same for a float image: lo maps to black, hi to white, values outside
 * are clamped, NaN is black. If hi <= lo, values > lo are white. */
void canvas_blit_float(canvas *c, const float *img, int w, int h, float lo,
                       float hi, int x, int y, int scale);

/* 1-pixel line from (x0, y0) to (x1, y1), both ends included (Bresenham). */
void canvas_line(canvas *c, int x0, int y0, int x1, int y1, rgb8 col);

/* Line of the given thickness: a thickness x thickness square stamped at
 * every point of the Bresenham line, centred on it (thickness 1 is
 * canvas_line). */
void canvas_line_thick(canvas *c, int x0, int y0, int x1, int y1,
                       int thickness, rgb8 col);

/* Outline of the rectangle with top-left (x, y) and size w x h; the border
 * is `thickness` pixels wide, growing inwards (so the outer edge is
 * exactly the rectangle). */
void canvas_rect(canvas *c, int x, int y, int w, int h, int thickness,
                 rgb8 col);

/* Filled rectangle. */
void canvas_fill_rect(canvas *c, int x, int y, int w, int h, rgb8 col);

/* Filled disc of radius r centred on (cx, cy) (r = 0: one pixel). */
void canvas_fill_circle(canvas *c, int cx, int cy, int r, rgb8 col);

/* Open circle (ring) of outer radius r and the given thickness. */
void canvas_circle(canvas *c, int cx, int cy, int r, int thickness,
                   rgb8 col);

/* A glimpse path as in the paper's Figures 3-6: a filled circle at the
 * first location, straight lines through the intermediate ones and an open
 * circle at the last. Locations are in image pixel units (x right, y down,
 * 0 = the image's left/top edge, W = its right/bottom edge; convert the
 * model's [-1, 1] coordinates with (l + 1) / 2 * W) for an image drawn at
 * (x0, y0) with the given scale. Lines are `thickness` pixels wide; the
 * circles have radius 2 * thickness + 1. n = 1 draws only the filled
 * circle. */
void canvas_glimpse_path(canvas *c, const float *xs, const float *ys, int n,
                         int x0, int y0, int scale, int thickness, rgb8 col);

/* Built-in 5x7 bitmap font: 0-9, A-Z (a-z are drawn as A-Z), space and
 * % . : - / ( ) = + , ' ? ! _ # [ ] < > *; other characters are drawn as a
 * hollow box. Each character cell is 6 x 8 pixels times scale (one column
 * and one row of spacing); '\n' starts a new line. */
#define FONT_CELL_W 6
#define FONT_CELL_H 8

/* Draws text with its top-left at (x, y). Returns the width in pixels of
 * the longest line drawn (0 for NULL/empty text or scale < 1). */
int canvas_text(canvas *c, int x, int y, const char *text, int scale,
                rgb8 col);

/* Width and height in pixels that canvas_text would use. */
int canvas_text_width(const char *text, int scale);
int canvas_text_height(const char *text, int scale);

/* A grid of n grayscale w x h images (image i at row i / cols, column
 * i % cols), each scaled up by `scale`, separated by and framed with `gap`
 * pixels of gap_col (Figure 2: cols = 4, gap = 2). Returns a new canvas or
 * NULL on bad arguments / out of memory. */
canvas *canvas_gray_grid(const uint8_t *images, size_t n, int w, int h,
                         int cols, int scale, int gap, rgb8 gap_col);

/* canvas_gray_grid with a white gap, written to a PNG file. Returns 0, or
 * non-zero with a message in err (see canvas_write_png). */
int write_gray_grid_png(const char *path, const uint8_t *images, size_t n,
                        int w, int h, int cols, int scale, int gap, char *err,
                        size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_DRAW_H */
