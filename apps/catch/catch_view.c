/* Pictures of the RAM agent playing Catch: see catch_view.h. */
#include "catch_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catch_rl.h"
#include "draw.h"
#include "plot.h"
#include "png_out.h"
#include "tsv.h"

int catch_glimpse_boxes(const ram_sensor *sensor, const float loc[2],
                        catch_box *boxes, int max_boxes)
{
    size_t scales = 0;
    int rc = ram_sensor_shape(sensor, NULL, &scales, NULL);
    if (rc != RAM_OK)
        return -rc;
    if (!loc || (max_boxes > 0 && !boxes))
        return -RAM_E_INVALID;
    if (max_boxes < 0)
        max_boxes = 0;
    if (scales > (size_t)max_boxes)
        scales = (size_t)max_boxes;
    for (int i = 0; i < (int)scales; i++) {
        ptrdiff_t x0, y0;
        size_t size;
        rc = ram_sensor_patch_rect(sensor, CATCH_SIZE, CATCH_SIZE, loc,
                                   (size_t)i, &x0, &y0, &size);
        if (rc != RAM_OK)
            return -rc;
        boxes[i].x0 = (int)x0;
        boxes[i].y0 = (int)y0;
        boxes[i].x1 = (int)x0 + (int)size - 1;
        boxes[i].y1 = (int)y0 + (int)size - 1;
        boxes[i].ch = (char)('1' + i % 9);
    }
    return (int)scales;
}

/* Colours of the scales, finest first. */
static rgb8 scale_colour(int i)
{
    static const uint8_t c[CATCH_VIEW_MAX_SCALES][3] = {
        {230, 30, 30},  {240, 220, 40}, {40, 110, 255}, {30, 210, 30},
        {230, 60, 230}, {40, 220, 220}, {255, 140, 0},  {160, 160, 160}};
    const uint8_t *p = c[i % CATCH_VIEW_MAX_SCALES];
    return RGB8(p[0], p[1], p[2]);
}

/* Fill the intersection of rectangle (x, y, w, h) with the clip
 * rectangle (cx, cy, cw, ch). */
static void fill_clipped(canvas *c, int x, int y, int w, int h, int cx,
                         int cy, int cw, int ch, rgb8 col)
{
    int x0 = x > cx ? x : cx, y0 = y > cy ? y : cy;
    int x1 = x + w < cx + cw ? x + w : cx + cw;
    int y1 = y + h < cy + ch ? y + h : cy + ch;
    if (x1 > x0 && y1 > y0)
        canvas_fill_rect(c, x0, y0, x1 - x0, y1 - y0, col);
}

/* One screen at (px, py), `scale` canvas pixels per game pixel, with the
 * glimpse boxes (n may be 0). */
static void draw_panel(canvas *c, int px, int py, int scale,
                       const uint8_t *screen, const catch_box *boxes, int n)
{
    int side = CATCH_SIZE * scale;
    int t = scale >= 6 ? 2 : 1; /* box line thickness */
    canvas_fill_rect(c, px, py, side, side, RGB_BLACK);
    /* Coarsest first, so that the finer boxes are drawn over them. */
    for (int i = n - 1; i >= 0; i--) {
        const catch_box *b = &boxes[i];
        int x = px + b->x0 * scale, y = py + b->y0 * scale;
        int w = (b->x1 - b->x0 + 1) * scale, h = (b->y1 - b->y0 + 1) * scale;
        rgb8 col = scale_colour(i);
        fill_clipped(c, x, y, w, t, px, py, side, side, col);
        fill_clipped(c, x, y + h - t, w, t, px, py, side, side, col);
        fill_clipped(c, x, y, t, h, px, py, side, side, col);
        fill_clipped(c, x + w - t, y, t, h, px, py, side, side, col);
    }
    for (int y = 0; y < CATCH_SIZE; y++)
        for (int x = 0; x < CATCH_SIZE; x++)
            if (screen[y * CATCH_SIZE + x]) {
                rgb8 col = y == CATCH_SIZE - 1 ? RGB8(170, 170, 170)
                                               : RGB_WHITE;
                int m = scale >= 4 ? 1 : 0; /* keep box lines visible */
                canvas_fill_rect(c, px + x * scale + m, py + y * scale + m,
                                 scale - 2 * m, scale - 2 * m, col);
            }
}

int catch_png_strip(const char *path, const ram_sensor *sensor,
                    const catch_record *games, int n_games, int scale,
                    char *err, size_t errlen)
{
    if (!path || !sensor || !games || n_games < 1 || scale < 1 ||
        scale > 32) {
        if (err && errlen)
            snprintf(err, errlen, "catch_png_strip: bad arguments");
        return -1;
    }
    const int panels = CATCH_FRAMES_PER_GAME + 1;
    const int side = CATCH_SIZE * scale, gap = 4, margin = 8;
    const int title_h = 2 * FONT_CELL_H + 4, label_h = FONT_CELL_H + 6;
    const int row_h = title_h + side + label_h + gap;
    const int w = 2 * margin + panels * side + (panels - 1) * gap;
    const int h = 2 * margin + n_games * row_h;
    if (w > CANVAS_MAX_SIDE || h > CANVAS_MAX_SIDE) {
        if (err && errlen)
            snprintf(err, errlen, "PNG would be %dx%d pixels: use fewer "
                     "games or a smaller scale", w, h);
        return -1;
    }
    canvas *c = canvas_create(w, h);
    if (!c) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    canvas_fill(c, RGB8(48, 48, 48));
    static const char *act_name[CATCH_ACTIONS] = {"<", "=", ">"};
    for (int g = 0; g < n_games; g++) {
        const catch_record *r = &games[g];
        int y = margin + g * row_h;
        char title[160];
        snprintf(title, sizeof title,
                 "game %d: %s   boxes: 6x6 red, 12x12 yellow, 24x24 blue",
                 g + 1, r->reward > 0.5f ? "caught" : "missed");
        canvas_text(c, margin, y + 2, title, 2,
                    r->reward > 0.5f ? RGB_GREEN : RGB8(255, 90, 90));
        int py = y + title_h;
        for (int p = 0; p < panels; p++) {
            int px = margin + p * (side + gap);
            char label[32];
            if (p < CATCH_FRAMES_PER_GAME) {
                const catch_frame *f = &r->frames[p];
                catch_box boxes[CATCH_VIEW_MAX_SCALES];
                int n = catch_glimpse_boxes(sensor, f->loc, boxes,
                                            CATCH_VIEW_MAX_SCALES);
                if (n < 0)
                    n = 0;
                draw_panel(c, px, py, scale, f->screen, boxes, n);
                int a = f->action >= 0 && f->action < CATCH_ACTIONS
                            ? f->action
                            : CATCH_STAY;
                snprintf(label, sizeof label, "%d %s", p + 1, act_name[a]);
            } else {
                uint8_t screen[CATCH_PIXELS];
                if (catch_draw_state(&r->final, screen) != CATCH_OK)
                    memset(screen, 0, sizeof screen);
                draw_panel(c, px, py, scale, screen, NULL, 0);
                snprintf(label, sizeof label, "%s",
                         r->reward > 0.5f ? "caught" : "missed");
            }
            canvas_text(c, px, py + side + 3, label, 1, RGB_WHITE);
        }
    }
    int rc = canvas_write_png(c, path, err, errlen);
    canvas_free(c);
    return rc == 0 ? 0 : -1;
}

/* ---- learning curves ---- */

typedef struct curve_run {
    char name[128];
    double *frames, *eval, *train, *fovea;
    size_t n;
} curve_run;

/* Reads one run's log into r (percentages). */
static int read_curve_run(const char *arg, curve_run *r, char *err,
                          size_t errlen)
{
    static const char *const cols[] = {"frames", "train_catch", "eval_greedy",
                                       "eval_fovea"};
    char path[4096];
    if (tsv_log_path(arg, CATCH_FILE_LOG, path, sizeof path, r->name,
                     sizeof r->name) != 0) {
        snprintf(err, errlen, "%s: path too long", arg);
        return -1;
    }
    tsv_table t;
    if (tsv_read(path, cols, 4, &t, err, errlen) != 0)
        return -1;
    r->n = t.n_rows;
    size_t bytes = (t.n_rows ? t.n_rows : 1) * sizeof(double);
    r->frames = malloc(bytes);
    r->eval = malloc(bytes);
    r->train = malloc(bytes);
    r->fovea = malloc(bytes);
    int rc = 0;
    if (!r->frames || !r->eval || !r->train || !r->fovea) {
        snprintf(err, errlen, "%s: out of memory", path);
        rc = -1;
    }
    int c[4];
    for (int k = 0; k < 4; k++)
        c[k] = tsv_col(&t, cols[k]);
    for (size_t i = 0; rc == 0 && i < t.n_rows; i++) {
        r->frames[i] = tsv_get(&t, i, c[0]);
        r->train[i] = 100 * tsv_get(&t, i, c[1]);
        r->eval[i] = 100 * tsv_get(&t, i, c[2]);
        r->fovea[i] = 100 * tsv_get(&t, i, c[3]);
    }
    tsv_free(&t);
    return rc;
}

int catch_curve_png(const char *path, const char *const *runs, int n_runs,
                    char *err, size_t errlen)
{
    if (!err)
        errlen = 0;
    if (errlen)
        err[0] = '\0';
    if (!path || !runs || n_runs < 1 || n_runs > CATCH_CURVE_MAX_RUNS) {
        snprintf(err, errlen, "catch_curve_png: %d runs (expected 1..%d)",
                 n_runs, CATCH_CURVE_MAX_RUNS);
        return -1;
    }
    curve_run r[CATCH_CURVE_MAX_RUNS];
    plot_series rate[2 * CATCH_CURVE_MAX_RUNS], fovea[CATCH_CURVE_MAX_RUNS];
    memset(r, 0, sizeof r);
    memset(rate, 0, sizeof rate);
    memset(fovea, 0, sizeof fovea);
    int rc = 0, n_read = 0;
    size_t points = 0;
    for (; n_read < n_runs && rc == 0; n_read++) {
        if (!runs[n_read]) {
            snprintf(err, errlen, "catch_curve_png: run %d is NULL", n_read);
            rc = -1;
            break;
        }
        rc = read_curve_run(runs[n_read], &r[n_read], err, errlen);
        points += r[n_read].n;
    }
    if (rc == 0 && points == 0) {
        if (n_runs == 1)
            snprintf(err, errlen, "%s: no data lines yet", runs[0]);
        else
            snprintf(err, errlen, "no data lines yet in any of the %d logs",
                     n_runs);
        rc = -1;
    }
    for (int i = 0; rc == 0 && i < n_runs; i++) {
        rgb8 col = plot_palette(i);
        /* The lighter training lines first, under every evaluation line. */
        rate[i] = (plot_series){NULL, r[i].frames, r[i].train, r[i].n,
                                plot_mix(col, RGB_WHITE, 0.55), 2, 0};
        rate[n_runs + i] = (plot_series){r[i].name, r[i].frames, r[i].eval,
                                         r[i].n, col, 2, 3};
        fovea[i] = (plot_series){r[i].name, r[i].frames, r[i].fovea, r[i].n,
                                 col, 2, 3};
    }
    if (rc == 0) {
        const plot_ref refs[2] = {
            {90, "target 90%", RGB8(30, 30, 30)},
            {85, "paper 85%", RGB8(120, 120, 120)},
        };
        plot_chart charts[2];
        memset(charts, 0, sizeof charts);
        charts[0].title = "Catch: catch rate during training";
        charts[0].x_label = "training frames";
        charts[0].y_label = "catch rate  (solid: greedy evaluation, light: "
                            "training games, sampled)";
        charts[0].series = rate;
        charts[0].n_series = 2 * n_runs;
        charts[0].refs = refs;
        charts[0].n_refs = 2;
        charts[0].y_min = 0;
        charts[0].y_max = 100;
        charts[0].y_unit = "%";
        charts[0].x_zero = 1;
        charts[1].title = "Ball inside the 6x6 fovea (greedy evaluation)";
        charts[1].x_label = "training frames";
        charts[1].y_label = "share of steps";
        charts[1].series = fovea;
        charts[1].n_series = n_runs;
        charts[1].x_zero = 1;
        charts[1].y_zero = 1;
        charts[1].y_unit = "%";
        rc = plot_write_png(path, charts, 2, 1000, 480, 2, err, errlen);
    }
    for (int i = 0; i < n_read; i++) {
        free(r[i].frames);
        free(r[i].eval);
        free(r[i].train);
        free(r[i].fovea);
    }
    return rc;
}
