/* RGB canvas and PNG output (libpng) for the examples' pictures.
 *
 * A canvas is a w x h RGB image, 3 bytes per pixel, row-major, top row
 * first, (0,0) = top-left, x = column, y = row. Drawing primitives live in
 * draw.h. Nothing is global; distinct canvases may be used from distinct
 * threads. */
#ifndef RAM_EXAMPLE_PNG_OUT_H
#define RAM_EXAMPLE_PNG_OUT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rgb8 {
    uint8_t r, g, b;
} rgb8;

/* Some colours (compound literals, usable as function arguments). */
#define RGB8(r_, g_, b_) ((rgb8){(uint8_t)(r_), (uint8_t)(g_), (uint8_t)(b_)})
#define RGB_BLACK RGB8(0, 0, 0)
#define RGB_WHITE RGB8(255, 255, 255)
#define RGB_GRAY RGB8(128, 128, 128)
#define RGB_RED RGB8(230, 30, 30)
#define RGB_GREEN RGB8(30, 210, 30)
#define RGB_BLUE RGB8(40, 90, 255)
#define RGB_YELLOW RGB8(240, 220, 40)

typedef struct canvas {
    int w, h;
    uint8_t *px; /* w * h * 3 bytes: R, G, B of (0,0), (1,0), ... */
} canvas;

/* Largest canvas accepted: CANVAS_MAX_SIDE on either side. */
#define CANVAS_MAX_SIDE 16384

/* A new black canvas, or NULL if w or h is outside 1..CANVAS_MAX_SIDE or
 * memory runs out. Free with canvas_free. */
canvas *canvas_create(int w, int h);

/* Frees the canvas (NULL is fine). */
void canvas_free(canvas *c);

/* Fills the whole canvas with one colour. */
void canvas_fill(canvas *c, rgb8 col);

/* Sets one pixel; outside the canvas it does nothing (clipping). */
void canvas_set(canvas *c, int x, int y, rgb8 col);

/* The pixel at (x, y); black outside the canvas. */
rgb8 canvas_get(const canvas *c, int x, int y);

/* Writes the canvas as an 8-bit RGB PNG. Returns 0, or -1 on a NULL/empty
 * argument, or -2 if writing fails (e.g. the directory does not exist), with
 * a message like "out/x.png: cannot write PNG: No such file or directory"
 * in err[0..errlen) (err may be NULL). A failed write leaves no file. */
int canvas_write_png(const canvas *c, const char *path, char *err,
                     size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_PNG_OUT_H */
