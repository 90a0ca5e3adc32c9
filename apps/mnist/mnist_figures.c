/* Pictures of ram-mnist; see mnist_figures.h. */
#include "mnist_figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "errbuf.h"
#include "plot.h"
#include "png_out.h"
#include "tsv.h"

#define BG RGB8(40, 40, 40)
#define FG RGB8(220, 220, 220)
#define DIM RGB8(150, 150, 150)

/* Outline of a rectangle blended half-way into the canvas (a faint box). */
static void faint_rect(canvas *c, int x, int y, int w, int h, rgb8 col)
{
    for (int i = 0; i < w; i++)
        for (int k = 0; k < 2; k++) {
            int px = x + i, py = k ? y + h - 1 : y;
            rgb8 o = canvas_get(c, px, py);
            canvas_set(c, px, py,
                       RGB8((o.r + col.r) / 2, (o.g + col.g) / 2,
                            (o.b + col.b) / 2));
        }
    for (int j = 1; j < h - 1; j++)
        for (int k = 0; k < 2; k++) {
            int px = k ? x + w - 1 : x, py = y + j;
            rgb8 o = canvas_get(c, px, py);
            canvas_set(c, px, py,
                       RGB8((o.r + col.r) / 2, (o.g + col.g) / 2,
                            (o.b + col.b) / 2));
        }
}

/* Composites one glimpse (k scales of g x g, layout of ram_sensor_glimpse
 * with one channel) into an S x S view, S = g * 2^(k-1): each scale is
 * upscaled back to its size in image pixels and the finer scales are laid
 * over the coarser ones at their exact offsets (ram_sensor_patch_rect). */
static int composite(const ram_sensor *sensor, int g, int k, const float *rho,
                     int W, const float loc[2], float *view, int S)
{
    ptrdiff_t bx, by;
    size_t bs;
    int rc = ram_sensor_patch_rect(sensor, (size_t)W, (size_t)W, loc,
                                   (size_t)(k - 1), &bx, &by, &bs);
    if (rc != RAM_OK)
        return rc;
    memset(view, 0, (size_t)S * (size_t)S * sizeof(float));
    for (int i = k - 1; i >= 0; i--) {
        ptrdiff_t x0, y0;
        size_t size;
        rc = ram_sensor_patch_rect(sensor, (size_t)W, (size_t)W, loc,
                                   (size_t)i, &x0, &y0, &size);
        if (rc != RAM_OK)
            return rc;
        int ox = (int)(x0 - bx), oy = (int)(y0 - by), blk = 1 << i;
        const float *p = rho + (size_t)i * (size_t)g * (size_t)g;
        for (int v = 0; v < g; v++)
            for (int u = 0; u < g; u++)
                for (int yy = 0; yy < blk; yy++)
                    for (int xx = 0; xx < blk; xx++) {
                        int X = ox + u * blk + xx, Y = oy + v * blk + yy;
                        if (X >= 0 && X < S && Y >= 0 && Y < S)
                            view[(size_t)Y * (size_t)S + (size_t)X] =
                                p[v * g + u];
                    }
    }
    return RAM_OK;
}

int mnist_set_keep_errors(ram_agent *model, mnist_set *set, size_t first,
                          size_t count, int glimpses, size_t *idx,
                          size_t *n_wrong, char *err, size_t errlen)
{
    if (!model || !set || !idx || !n_wrong) {
        errbuf_fail(err, errlen, "mnist_set_keep_errors: NULL argument");
        return -1;
    }
    if (first >= set->n) {
        errbuf_fail(err, errlen, "image %zu: the set has %zu images", first,
                    set->n);
        return -1;
    }
    unsigned char *marks = calloc(set->n, 1);
    if (!marks) {
        errbuf_fail(err, errlen, "out of memory");
        return -1;
    }
    mnist_eval_result r;
    if (mnist_evaluate_marks(model, set, glimpses, 0, 1, 1, marks, &r, err,
                             errlen)) {
        free(marks);
        return -1;
    }
    const size_t WW = (size_t)set->width * (size_t)set->width;
    size_t n = 0;
    for (size_t i = first; i < set->n && n < count; i++)
        if (marks[i]) {
            memmove(set->images + n * WW, set->images + i * WW, WW);
            set->labels[n] = set->labels[i];
            idx[n++] = i;
        }
    free(marks);
    set->n = n;
    *n_wrong = n;
    return 0;
}

int mnist_show_png(ram_agent *model, const mnist_set *set, size_t first,
                   size_t count, int glimpses, int boxes, const char *path,
                   mnist_show_result *res, char *err, size_t errlen)
{
    if (!model || !set || !path) {
        errbuf_fail(err, errlen, "mnist_show_png: NULL argument");
        return -1;
    }
    if (first >= set->n) {
        errbuf_fail(err, errlen, "image %zu: the set has %zu images", first,
                    set->n);
        return -1;
    }
    if (count == 0 || count > set->n - first)
        count = set->n - first;
    if (count > 1000) {
        errbuf_fail(err, errlen, "at most 1000 images per picture");
        return -1;
    }
    int64_t g64 = 0, k64 = 0, ch64 = 0, steps = 0;
    int rc = ram_agent_get_config(model, RAM_CFG_PATCH, &g64);
    if (rc == RAM_OK)
        rc = ram_agent_get_config(model, RAM_CFG_SCALES, &k64);
    if (rc == RAM_OK)
        rc = ram_agent_get_config(model, RAM_CFG_CHANNELS, &ch64);
    if (rc == RAM_OK)
        rc = ram_agent_get_config(model, RAM_CFG_MAX_STEPS, &steps);
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "ram_agent_get_config: %s", ram_strerror(rc));
        return -1;
    }
    if (ch64 != 1) {
        errbuf_fail(err, errlen, "the model reads %d channels, MNIST has 1",
                    (int)ch64);
        return -1;
    }
    if (glimpses <= 0)
        glimpses = (int)steps;
    const int g = (int)g64, k = (int)k64, W = set->width;
    const size_t WW = (size_t)W * (size_t)W;
    const int S = g << (k - 1);
    const uint8_t *imgs = set->images + first * WW;
    const int *labels = set->labels + first;

    ram_sensor *sensor = NULL;
    float *locs = malloc((size_t)glimpses * count * 2 * sizeof(float));
    int *pred = malloc(count * sizeof(int));
    float *rho = NULL, *view = malloc((size_t)S * (size_t)S * sizeof(float));
    canvas *cv = NULL;
    int ret = -1;
    if (!locs || !pred || !view) {
        errbuf_fail(err, errlen, "out of memory");
        goto done;
    }
    rc = ram_sensor_create(&sensor, g, k, 1);
    if (rc == RAM_OK) {
        rho = malloc(ram_sensor_output_size(sensor) * sizeof(float));
        if (!rho)
            rc = RAM_E_NOMEM;
    }
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "ram_sensor_create: %s", ram_strerror(rc));
        goto done;
    }

    /* One greedy episode over all the images, recording every location. */
    rc = ram_agent_set_input(model, RAM_PIXEL_U8, (size_t)W, (size_t)W,
                             (size_t)W, WW);
    const char *what = "ram_agent_set_input";
    if (rc == RAM_OK) {
        what = "ram_agent_begin";
        rc = ram_agent_begin(model, count, RAM_BEGIN_GREEDY_LOCATION);
    }
    for (int t = 0; rc == RAM_OK && t < glimpses; t++) {
        what = "ram_agent_location";
        rc = ram_agent_location(model, locs + (size_t)t * count * 2);
        if (rc == RAM_OK) {
            what = "ram_agent_step";
            rc = ram_agent_step(model, imgs, (size_t)count * WW, NULL, NULL,
                                pred);
        }
    }
    if (rc == RAM_OK) {
        what = "ram_agent_end";
        rc = ram_agent_end(model, NULL);
    }
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "%s: %s", what, ram_strerror(rc));
        goto done;
    }

    /* Layout. */
    const int zi = (200 + W / 2) / W > 1 ? (200 + W / 2) / W : 1;
    const int D = W * zi;
    const int zr = D / S > 1 ? D / S : 1;
    const int V = S * zr;
    const int M = 12, GAP = 10, TS = 2;
    const int th = FONT_CELL_H * TS;
    const int cell = D > V ? D : V;
    const int row_h = cell + th + 18;
    const int head = th + 14;
    const int vx0 = M + D + 2 * GAP;
    int cw = vx0 + glimpses * (V + GAP) - GAP + M;
    int title_w = canvas_text_width("glimpse path", TS) + M * 2;
    if (cw < title_w)
        cw = title_w;
    const long chl = (long)head + (long)count * row_h + M;
    if (cw > CANVAS_MAX_SIDE || chl > CANVAS_MAX_SIDE) {
        errbuf_fail(err, errlen, "picture too large (%d x %ld); use fewer images "
                    "or glimpses", cw, chl);
        goto done;
    }
    cv = canvas_create(cw, (int)chl);
    if (!cv) {
        errbuf_fail(err, errlen, "out of memory (canvas %d x %ld)", cw, chl);
        goto done;
    }
    canvas_fill(cv, BG);
    canvas_text(cv, M, M, "glimpse path", TS, DIM);
    for (int t = 0; t < glimpses; t++) {
        char s[32];
        snprintf(s, sizeof s, "glimpse %d", t + 1);
        canvas_text(cv, vx0 + t * (V + GAP), M, s, TS, DIM);
    }

    size_t correct = 0;
    float xs[64], ys[64];
    for (size_t b = 0; b < count; b++) {
        const uint8_t *img = imgs + b * WW;
        int ok = pred[b] == labels[b];
        correct += (size_t)ok;
        rgb8 col = ok ? RGB_GREEN : RGB_RED;
        int y0 = head + (int)b * row_h;
        int iy = y0 + (cell - D) / 2;
        canvas_blit_gray(cv, img, W, W, M, iy, zi);
        int n = glimpses < 64 ? glimpses : 64;
        for (int t = 0; t < n; t++) {
            const float *l = locs + ((size_t)t * count + b) * 2;
            xs[t] = (l[0] + 1.0f) * 0.5f * (float)W;
            ys[t] = (l[1] + 1.0f) * 0.5f * (float)W;
            if (boxes) {
                ptrdiff_t x0, yb;
                size_t size;
                if (ram_sensor_patch_rect(sensor, (size_t)W, (size_t)W, l, 0,
                                          &x0, &yb, &size) == RAM_OK)
                    faint_rect(cv, M + (int)x0 * zi, iy + (int)yb * zi,
                               (int)size * zi, (int)size * zi, RGB_YELLOW);
            }
        }
        canvas_glimpse_path(cv, xs, ys, n, M, iy, zi, 2, col);
        char s[64];
        snprintf(s, sizeof s, "pred %d / true %d", pred[b], labels[b]);
        canvas_text(cv, M, y0 + cell + 6, s, TS, col);

        for (int t = 0; t < glimpses; t++) {
            const float *l = locs + ((size_t)t * count + b) * 2;
            rc = ram_sensor_glimpse(sensor, 1, img, RAM_PIXEL_U8, (size_t)W,
                                    (size_t)W, (size_t)W, WW, l, rho);
            if (rc == RAM_OK)
                rc = composite(sensor, g, k, rho, W, l, view, S);
            if (rc != RAM_OK) {
                errbuf_fail(err, errlen, "ram_sensor_glimpse: %s",
                            ram_strerror(rc));
                goto done;
            }
            int vx = vx0 + t * (V + GAP), vy = y0 + (cell - V) / 2;
            canvas_blit_float(cv, view, S, S, 0.0f, 1.0f, vx, vy, zr);
        }
    }
    if (canvas_write_png(cv, path, err, errlen) != 0)
        goto done;
    if (res) {
        res->rows = count;
        res->correct = correct;
    }
    ret = 0;
done:
    canvas_free(cv);
    ram_sensor_free(sensor);
    free(locs);
    free(pred);
    free(rho);
    free(view);
    return ret;
}

int mnist_samples_png(const mnist_set *set, size_t count, int cols,
                      const char *path, char *err, size_t errlen)
{
    if (!set || !path || cols < 1) {
        errbuf_fail(err, errlen, "mnist_samples_png: bad argument");
        return -1;
    }
    if (count == 0 || count > set->n)
        count = set->n;
    int W = set->width;
    int scale = 120 / W > 1 ? 120 / W : 1;
    return write_gray_grid_png(path, set->images, count, W, W, cols, scale, 2,
                               err, errlen) == 0
               ? 0
               : -1;
}

/* ------------------------------------------------------ learning curves */

int mnist_curve_png(const char *path, const char *const *logs, int n_logs,
                    double target_pct, char *err, size_t errlen)
{
    if (!err)
        errlen = 0;
    if (errlen)
        err[0] = '\0';
    if (!path || !logs || n_logs < 1 || n_logs > MNIST_CURVE_MAX_LOGS) {
        errbuf_fail(err, errlen, "mnist_curve_png: %d logs (expected 1..%d)",
                    n_logs, MNIST_CURVE_MAX_LOGS);
        return -1;
    }
    static const char *const cols[] = {"epoch", "val_error"};
    char names[MNIST_CURVE_MAX_LOGS][128];
    double *xy[MNIST_CURVE_MAX_LOGS][2];
    plot_series series[MNIST_CURVE_MAX_LOGS];
    memset(xy, 0, sizeof xy);
    memset(series, 0, sizeof series);
    int rc = 0, n_read = 0;
    size_t points = 0;
    for (; n_read < n_logs && rc == 0; n_read++) {
        char file[4096];
        tsv_table t;
        if (!logs[n_read] ||
            tsv_log_path(logs[n_read], "log.tsv", file, sizeof file,
                         names[n_read], sizeof names[n_read]) != 0) {
            errbuf_fail(err, errlen, "%s: bad or too long path",
                        logs[n_read] ? logs[n_read] : "(null)");
            rc = -1;
            break;
        }
        if (tsv_read(file, cols, 2, &t, err, errlen) != 0) {
            rc = -1;
            break;
        }
        size_t bytes = (t.n_rows ? t.n_rows : 1) * sizeof(double);
        double *x = xy[n_read][0] = malloc(bytes);
        double *y = xy[n_read][1] = malloc(bytes);
        if (!x || !y) {
            errbuf_fail(err, errlen, "%s: out of memory", file);
            rc = -1;
        }
        int ce = tsv_col(&t, "epoch"), cv = tsv_col(&t, "val_error");
        for (size_t i = 0; rc == 0 && i < t.n_rows; i++) {
            x[i] = tsv_get(&t, i, ce);
            y[i] = 100 * tsv_get(&t, i, cv);
        }
        series[n_read] = (plot_series){names[n_read], x, y, t.n_rows,
                                       plot_palette(n_read), 2,
                                       t.n_rows <= 40 ? 3 : 0};
        points += t.n_rows;
        tsv_free(&t);
    }
    if (rc == 0 && points == 0) {
        errbuf_fail(err, errlen, "no data lines yet in %s%s", logs[0],
                    n_logs > 1 ? " or the other logs" : "");
        rc = -1;
    }
    if (rc == 0) {
        char label[64];
        snprintf(label, sizeof label, "target %g%%", target_pct);
        plot_ref ref = {target_pct, label, RGB8(30, 30, 30)};
        plot_chart chart;
        memset(&chart, 0, sizeof chart);
        chart.title = "MNIST: validation error during training";
        chart.x_label = "epoch";
        chart.y_label = "validation error (log scale)";
        chart.series = series;
        chart.n_series = n_logs;
        chart.refs = &ref;
        chart.n_refs = target_pct > 0 ? 1 : 0;
        chart.x_zero = 1;
        chart.y_log = 1;
        chart.y_unit = "%";
        rc = plot_write_png(path, &chart, 1, 1000, 560, 2, err, errlen);
    }
    for (int i = 0; i < n_read; i++) {
        free(xy[i][0]);
        free(xy[i][1]);
    }
    return rc;
}
