/* Line charts on a canvas (png_out.h, draw.h), e.g. learning curves: a
 * title, a legend, x and y axes with round tick values and grid lines
 * (large values with an SI suffix: 500k, 2.5M), several series, dashed
 * horizontal reference lines labelled in the right margin, and an optional
 * logarithmic y axis. Text uses draw.h's bitmap font at a given scale.
 *
 * Layout of one chart, top to bottom: title, legend (wrapped into rows),
 * y-axis label, plot area (white, light grey grid, dark frame), x tick
 * labels, x-axis label. Nothing is global; every function checks its
 * arguments and reports problems through its return value and a message. */
#ifndef RAM_EXAMPLE_PLOT_H
#define RAM_EXAMPLE_PLOT_H

#include <stddef.h>

#include "png_out.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PLOT_MAX_TICKS 64   /* most ticks on one axis */
#define PLOT_MAX_REFS 16    /* most reference lines in a chart */
#define PLOT_MAX_SCALE 8    /* largest text scale */
#define PLOT_MAX_WIDTH 16   /* largest line width and marker radius */

typedef struct plot_series {
    const char *label;   /* legend entry; NULL or "": none */
    const double *x, *y; /* n points, joined in order; a non-finite point
                            (or y <= 0 on a log axis) breaks the line */
    size_t n;
    rgb8 col;
    int width;  /* line width in pixels, 0 (= 2) .. PLOT_MAX_WIDTH */
    int marker; /* radius of a dot on every point, 0 (none) .. PLOT_MAX_WIDTH */
} plot_series;

typedef struct plot_ref {
    double y;          /* a horizontal dashed line at this y */
    const char *label; /* drawn at the line's height right of the plot */
    rgb8 col;
} plot_ref;

typedef struct plot_chart {
    const char *title, *x_label, *y_label; /* each may be NULL */
    const plot_series *series;
    int n_series;
    const plot_ref *refs; /* n_refs <= PLOT_MAX_REFS */
    int n_refs;
    /* Axis ranges: used as given when min < max (and, on a log axis,
     * min > 0); otherwise taken from the data (and the reference lines)
     * and widened to round tick values. */
    double x_min, x_max, y_min, y_max;
    int y_log;          /* logarithmic y axis */
    int x_zero, y_zero; /* an automatic linear range includes 0 */
    const char *y_unit; /* appended to the y tick labels, e.g. "%" */
} plot_chart;

/* Draws the chart into the rectangle (x, y, w, h) of c, which it first
 * fills with white; text at `scale` (1 .. PLOT_MAX_SCALE; the 5x7 font
 * scaled, so 2 suits a chart about 900 pixels wide). Returns 0, or -1 with
 * a message in err (err may be NULL) when an argument is invalid or the
 * rectangle is too small for the text. */
int plot_draw(canvas *c, int x, int y, int w, int h, const plot_chart *chart,
              int scale, char *err, size_t errlen);

/* Draws n charts stacked vertically, each w x panel_h pixels, with their
 * plot areas aligned, and writes them to a PNG file. Returns 0 or -1 with a
 * message in err (bad arguments or canvas_write_png's message). */
int plot_write_png(const char *path, const plot_chart *charts, int n, int w,
                   int panel_h, int scale, char *err, size_t errlen);

/* Round tick values on [*lo, *hi] (*lo < *hi, both > 0 on a log axis):
 * linear steps of 1, 2, 2.5 or 5 x 10^k, or on a log axis 1, 2, 5 x 10^k
 * (or only powers of ten when those are too many). With `widen`, *lo and
 * *hi are first moved out to tick values. At most max_ticks (2 ..
 * PLOT_MAX_TICKS) ticks are written to ticks[0..cap). Returns the number
 * of ticks, or -1 on invalid arguments. */
int plot_ticks(double *lo, double *hi, int log_scale, int widen,
               int max_ticks, double *ticks, int cap);

/* The label of tick value v: as many decimals as `precision` (the tick
 * step, or v itself on a log axis) needs, trailing zeros dropped, and when
 * max_abs (the largest tick's magnitude) is at least 1e4 an SI suffix:
 * 5000000 -> "5M", 2500000 -> "2.5M", 500000 -> "500k" (with max_abs 1e7:
 * "0.5M"). Writes at most cap bytes to buf. */
void plot_tick_label(double v, double precision, double max_abs, char *buf,
                     size_t cap);

/* Colour i of a palette of PLOT_PALETTE_SIZE distinct colours (repeats
 * after that). */
#define PLOT_PALETTE_SIZE 20
rgb8 plot_palette(int i);

/* a + t (b - a) per channel, t clamped to [0, 1]: plot_mix(c, white, 0.6)
 * is a lighter c. */
rgb8 plot_mix(rgb8 a, rgb8 b, double t);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_PLOT_H */
