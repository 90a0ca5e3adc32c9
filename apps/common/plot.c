/* Line charts. See plot.h. */
#include "plot.h"
#include "errbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"

#define TEXT_COL RGB8(35, 35, 35)
#define AXIS_COL RGB8(80, 80, 80)
#define GRID_COL RGB8(226, 226, 226)
#define LABEL_LEN 32


rgb8 plot_palette(int i)
{
    /* The ten "tab10" colours, then ten darker or stronger ones that stay
     * distinct from them on white. */
    static const rgb8 pal[PLOT_PALETTE_SIZE] = {
        {31, 119, 180}, {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
        {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
        {188, 189, 34}, {23, 190, 207}, {0, 0, 128},     {128, 0, 0},
        {0, 128, 128},  {128, 128, 0},  {0, 0, 0},       {200, 80, 0},
        {0, 90, 0},     {200, 0, 200},  {70, 90, 120},   {120, 200, 0},
    };
    i %= PLOT_PALETTE_SIZE;
    return pal[i < 0 ? i + PLOT_PALETTE_SIZE : i];
}

rgb8 plot_mix(rgb8 a, rgb8 b, double t)
{
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    return RGB8(lround(a.r + t * (b.r - a.r)), lround(a.g + t * (b.g - a.g)),
                lround(a.b + t * (b.b - a.b)));
}

/* ---- ticks ------------------------------------------------------------ */

static int lin_ticks(double *lo, double *hi, int widen, int max_n, double *t)
{
    double mag = pow(10.0, floor(log10((*hi - *lo) / (max_n - 1))));
    static const double mult[] = {1, 2, 2.5, 5, 10, 20, 25, 50};
    double step = 0;
    for (size_t i = 0; i < sizeof mult / sizeof mult[0] && step == 0; i++) {
        double s = mult[i] * mag;
        double a = widen ? floor(*lo / s + 1e-9) : ceil(*lo / s - 1e-9);
        double b = widen ? ceil(*hi / s - 1e-9) : floor(*hi / s + 1e-9);
        if (b - a + 1 <= max_n)
            step = s;
    }
    /* No step, or one below the resolution of the values. */
    if (!(step > 0) || !isfinite(step) || fabs(*lo) / step > 1e12 ||
        fabs(*hi) / step > 1e12)
        return -1;
    if (widen) {
        *lo = floor(*lo / step + 1e-9) * step;
        *hi = ceil(*hi / step - 1e-9) * step;
    }
    int n = 0;
    for (double k = ceil(*lo / step - 1e-9);
         n < max_n && k * step <= *hi + 1e-9 * step; k++)
        t[n++] = fabs(k) < 0.5 ? 0.0 : k * step;
    return n;
}

/* The 1-2-5 value at or below (dir < 0) or above (dir > 0) v > 0. */
static double round125(double v, int dir)
{
    double p = pow(10.0, floor(log10(v))), m = v / p;
    static const double steps[] = {1, 2, 5, 10};
    if (dir < 0) {
        double r = 1;
        for (int i = 0; i < 4; i++)
            if (m >= steps[i] * (1 - 1e-9))
                r = steps[i];
        return r * p;
    }
    for (int i = 0; i < 4; i++)
        if (m <= steps[i] * (1 + 1e-9))
            return steps[i] * p;
    return 10 * p;
}

static int log_ticks(double *lo, double *hi, int widen, int max_n, double *t)
{
    if (widen) {
        *lo = round125(*lo, -1);
        *hi = round125(*hi, +1);
    }
    int e0 = (int)floor(log10(*lo)), e1 = (int)ceil(log10(*hi));
    const double a = *lo * (1 - 1e-9), b = *hi * (1 + 1e-9);
    static const double mult[] = {1, 2, 5};
    int n = 0;
    for (int e = e0; e <= e1; e++) /* count the 1-2-5 values first */
        for (int i = 0; i < 3; i++) {
            double v = mult[i] * pow(10.0, e);
            n += v >= a && v <= b;
        }
    int only_decades = n > max_n;
    int stride = 1;
    if (only_decades) {
        int decades = 0;
        for (int e = e0; e <= e1; e++)
            decades += pow(10.0, e) >= a && pow(10.0, e) <= b;
        stride = (decades + max_n - 1) / max_n;
        if (stride < 1)
            stride = 1;
    }
    n = 0;
    for (int e = e0; e <= e1 && n < max_n; e++)
        for (int i = 0; i < (only_decades ? 1 : 3) && n < max_n; i++) {
            double v = mult[i] * pow(10.0, e);
            if (v >= a && v <= b && (!only_decades || (e - e0) % stride == 0))
                t[n++] = v;
        }
    return n;
}

int plot_ticks(double *lo, double *hi, int log_scale, int widen,
               int max_ticks, double *ticks, int cap)
{
    if (lo == NULL || hi == NULL || ticks == NULL || cap < 1 ||
        max_ticks < 2 || max_ticks > PLOT_MAX_TICKS || !isfinite(*lo) ||
        !isfinite(*hi) || !(*lo < *hi) || (log_scale && !(*lo > 0)))
        return -1;
    if (max_ticks > cap)
        max_ticks = cap;
    return log_scale ? log_ticks(lo, hi, widen, max_ticks, ticks)
                     : lin_ticks(lo, hi, widen, max_ticks, ticks);
}

void plot_tick_label(double v, double precision, double max_abs, char *buf,
                     size_t cap)
{
    if (buf == NULL || cap == 0)
        return;
    double unit = 1;
    const char *suffix = "";
    max_abs = fabs(max_abs);
    if (max_abs >= 1e9)
        unit = 1e9, suffix = "G";
    else if (max_abs >= 1e6)
        unit = 1e6, suffix = "M";
    else if (max_abs >= 1e4)
        unit = 1e3, suffix = "k";
    double p = fabs(precision) / unit, x = v / unit;
    int d = 0; /* decimals that show p exactly */
    while (d < 9 && isfinite(p) && p > 0 &&
           fabs(p * pow(10.0, d) - round(p * pow(10.0, d))) >
               1e-6 * p * pow(10.0, d))
        d++;
    if (isfinite(p) && p > 0 && fabs(x) < 1e-9 * p)
        x = 0;
    snprintf(buf, cap, "%.*f", d, x);
    if (strchr(buf, '.') != NULL) {
        size_t n = strlen(buf);
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        buf[0] = '0', buf[1] = '\0';
    if (x != 0 && strlen(buf) + strlen(suffix) < cap)
        strcat(buf, suffix);
}

/* ---- layout ----------------------------------------------------------- */

typedef struct axis {
    double lo, hi;
    int log, n;
    double t[PLOT_MAX_TICKS];
    char lab[PLOT_MAX_TICKS][LABEL_LEN];
    int label_w; /* widest label, pixels */
} axis;

typedef struct layout {
    int s, cw, lh;     /* text scale, character cell width, line height */
    int pad, tick;     /* outer padding, tick length */
    int x, y, w, h;    /* the chart's rectangle */
    int title_y, legend_y, ylabel_y;
    int left, right;   /* margins beside the plot area */
    int px, py, pw, ph; /* plot area */
    axis ax, ay;
} layout;

static int point_ok(const plot_chart *p, double x, double y)
{
    return isfinite(x) && isfinite(y) && (!p->y_log || y > 0);
}

/* The data's range along x (want_y 0) or y (1, with the reference lines).
 * lo > hi when there is none. */
static void data_range(const plot_chart *p, int want_y, double *lo,
                       double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int k = 0; k < p->n_series; k++) {
        const plot_series *s = &p->series[k];
        for (size_t i = 0; i < s->n; i++)
            if (point_ok(p, s->x[i], s->y[i])) {
                double v = want_y ? s->y[i] : s->x[i];
                *lo = fmin(*lo, v);
                *hi = fmax(*hi, v);
            }
    }
    for (int k = 0; want_y && k < p->n_refs; k++)
        if (point_ok(p, 0, p->refs[k].y)) {
            *lo = fmin(*lo, p->refs[k].y);
            *hi = fmax(*hi, p->refs[k].y);
        }
}

static int make_axis(axis *a, const plot_chart *p, int is_y, int max_ticks,
                     int s)
{
    int log = is_y && p->y_log;
    double flo = is_y ? p->y_min : p->x_min, fhi = is_y ? p->y_max : p->x_max;
    int fixed = isfinite(flo) && isfinite(fhi) && flo < fhi &&
                (!log || flo > 0);
    double lo = flo, hi = fhi;
    if (!fixed) {
        data_range(p, is_y, &lo, &hi);
        if (!(lo <= hi)) { /* no data */
            lo = log ? 1 : 0;
            hi = log ? 10 : 1;
        }
        if (!log && (is_y ? p->y_zero : p->x_zero)) {
            lo = fmin(lo, 0);
            hi = fmax(hi, 0);
        }
        if (log && hi <= lo * (1 + 1e-9)) {
            lo /= 2;
            hi *= 2;
        } else if (!log && hi - lo <= 1e-9 * fmax(fabs(lo), fabs(hi))) {
            double d = lo == 0 ? 1 : fabs(lo) * 0.1;
            lo = lo == 0 ? 0 : lo - d;
            hi += d;
        }
    }
    a->lo = lo;
    a->hi = hi;
    a->log = log;
    a->n = plot_ticks(&a->lo, &a->hi, log, !fixed, max_ticks, a->t,
                      PLOT_MAX_TICKS);
    if (a->n < 0)
        return -1;
    double max_abs = 0;
    for (int i = 0; i < a->n; i++)
        max_abs = fmax(max_abs, fabs(a->t[i]));
    double step = a->n >= 2 ? a->t[1] - a->t[0] : a->hi - a->lo;
    a->label_w = 0;
    for (int i = 0; i < a->n; i++) {
        plot_tick_label(a->t[i], log ? a->t[i] : step, max_abs, a->lab[i],
                        LABEL_LEN - 8);
        if (is_y && p->y_unit != NULL)
            strncat(a->lab[i], p->y_unit,
                    LABEL_LEN - 1 - strlen(a->lab[i]));
        int tw = canvas_text_width(a->lab[i], s);
        if (tw > a->label_w)
            a->label_w = tw;
    }
    return 0;
}

static int has_text(const char *t)
{
    return t != NULL && t[0] != '\0';
}

/* Draws (c != NULL) or measures the legend from (x0, y0), wrapping at
 * x0 + avail; returns its rows. */
static int legend(canvas *c, const plot_chart *p, const layout *L, int x0,
                  int y0, int avail)
{
    int rows = 0, x = x0, sample = 3 * L->cw;
    for (int k = 0; k < p->n_series; k++) {
        const plot_series *s = &p->series[k];
        if (!has_text(s->label))
            continue;
        int ew = sample + L->cw / 2 + canvas_text_width(s->label, L->s);
        if (rows == 0 || (x > x0 && x + ew > x0 + avail)) {
            rows++;
            x = x0;
        }
        if (c != NULL) {
            int y = y0 + (rows - 1) * L->lh, mid = y + 7 * L->s / 2;
            canvas_line_thick(c, x, mid, x + sample - 1, mid,
                              s->width ? s->width : 2, s->col);
            if (s->marker > 0)
                canvas_fill_circle(c, x + sample / 2, mid, s->marker, s->col);
            canvas_text(c, x + sample + L->cw / 2, y, s->label, L->s,
                        TEXT_COL);
        }
        x += ew + 2 * L->cw;
    }
    return rows;
}

static int ref_label_width(const plot_chart *p, int s)
{
    int w = 0;
    for (int k = 0; k < p->n_refs; k++) {
        int tw = canvas_text_width(p->refs[k].label, s);
        if (tw > w)
            w = tw;
    }
    return w;
}

/* Vertical layout, the y axis and the smallest margins. */
static int layout_y(layout *L, int x, int y, int w, int h,
                    const plot_chart *p, int s, char *err, size_t errlen)
{
    memset(L, 0, sizeof *L);
    L->s = s;
    L->cw = FONT_CELL_W * s;
    L->lh = FONT_CELL_H * s + 3 * s;
    L->pad = FONT_CELL_H * s + s;
    L->tick = 2 * s;
    L->x = x;
    L->y = y;
    L->w = w;
    L->h = h;
    int top = y + L->pad;
    if (has_text(p->title)) {
        L->title_y = top;
        top += FONT_CELL_H * (s + 1) + L->lh / 2;
    }
    int rows = legend(NULL, p, L, 0, 0, w - 2 * L->pad);
    if (rows > 0) {
        L->legend_y = top;
        top += rows * L->lh + L->lh / 3;
    }
    if (has_text(p->y_label)) {
        L->ylabel_y = top;
        top += L->lh;
    }
    top += L->lh / 2; /* the top tick label reaches above the plot area */
    int bottom = L->tick + 2 * s + L->lh +
                 (has_text(p->x_label) ? L->lh + s : 0) + L->pad / 2;
    L->py = top;
    L->ph = y + h - bottom - top;
    if (L->ph < 3 * L->lh)
        return errbuf_fail(err, errlen,
                    "plot: %dx%d pixels are too few for the text at scale %d",
                    w, h, s);
    int max_y = L->ph / (2 * L->lh);
    max_y = max_y < 2 ? 2 : max_y > 12 ? 12 : max_y;
    if (make_axis(&L->ay, p, 1, max_y, s) != 0)
        return errbuf_fail(err, errlen, "plot: cannot make ticks for the y range "
                                 "%g .. %g", L->ay.lo, L->ay.hi);
    L->left = L->pad + L->ay.label_w + 2 * s + L->tick;
    int rw = ref_label_width(p, s);
    L->right = L->pad + (rw > 0 ? rw + 3 * s : 2 * L->cw);
    return 0;
}

/* Horizontal layout with the given margins and the x axis; widens
 * L->right if the last x tick label would stick out. */
static int layout_x(layout *L, const plot_chart *p, int left, int right,
                    char *err, size_t errlen)
{
    for (int pass = 0; pass < 2; pass++) {
        L->left = left;
        L->right = right;
        L->px = L->x + left;
        L->pw = L->w - left - right;
        if (L->pw < 4 * L->lh)
            return errbuf_fail(err, errlen, "plot: %d pixels are too narrow for "
                        "the text at scale %d", L->w, L->s);
        int max_x = L->pw / (6 * L->cw);
        max_x = max_x < 2 ? 2 : max_x > 12 ? 12 : max_x;
        for (; max_x >= 2; max_x--) { /* fewer ticks until labels fit */
            if (make_axis(&L->ax, p, 0, max_x, L->s) != 0)
                return errbuf_fail(err, errlen, "plot: cannot make ticks for the x "
                            "range %g .. %g", L->ax.lo, L->ax.hi);
            double gap = L->ax.n >= 2 ? (L->ax.t[1] - L->ax.t[0]) /
                                            (L->ax.hi - L->ax.lo) * L->pw
                                      : L->pw;
            if (L->ax.label_w + 2 * L->cw <= gap)
                break;
        }
        int need = L->pad / 2 + L->ax.label_w / 2;
        if (need <= right)
            break;
        right = need;
    }
    return 0;
}

/* ---- drawing ---------------------------------------------------------- */

static double map_x(const layout *L, double v)
{
    return L->px + (v - L->ax.lo) / (L->ax.hi - L->ax.lo) * (L->pw - 1);
}

static double map_y(const layout *L, double v)
{
    double f = L->ay.log ? (log10(v) - log10(L->ay.lo)) /
                               (log10(L->ay.hi) - log10(L->ay.lo))
                         : (v - L->ay.lo) / (L->ay.hi - L->ay.lo);
    return L->py + (1 - f) * (L->ph - 1);
}

static int inside(const layout *L, double x, double y)
{
    return x >= L->px - 0.5 && x <= L->px + L->pw - 0.5 &&
           y >= L->py - 0.5 && y <= L->py + L->ph - 0.5;
}

/* Liang-Barsky: clips the segment to the plot area; 0 if nothing is left. */
static int clip(const layout *L, double *x0, double *y0, double *x1,
                double *y1)
{
    double dx = *x1 - *x0, dy = *y1 - *y0, t0 = 0, t1 = 1;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {*x0 - L->px, L->px + L->pw - 1 - *x0, *y0 - L->py,
                         L->py + L->ph - 1 - *y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0 && t > t0)
            t0 = t;
        if (p[i] > 0 && t < t1)
            t1 = t;
    }
    if (t0 > t1)
        return 0;
    double ax = *x0, ay = *y0;
    *x0 = ax + t0 * dx;
    *y0 = ay + t0 * dy;
    *x1 = ax + t1 * dx;
    *y1 = ay + t1 * dy;
    return 1;
}

static void draw_series(canvas *c, const layout *L, const plot_chart *p,
                        const plot_series *s)
{
    int width = s->width ? s->width : 2;
    double px = 0, py = 0;
    int prev = 0;
    for (size_t i = 0; i < s->n; i++) {
        int ok = point_ok(p, s->x[i], s->y[i]);
        double x = ok ? map_x(L, s->x[i]) : 0, y = ok ? map_y(L, s->y[i]) : 0;
        ok = ok && isfinite(x) && isfinite(y);
        if (ok && prev) {
            double x0 = px, y0 = py, x1 = x, y1 = y;
            if (clip(L, &x0, &y0, &x1, &y1))
                canvas_line_thick(c, (int)lround(x0), (int)lround(y0),
                                  (int)lround(x1), (int)lround(y1), width,
                                  s->col);
        }
        int alone = ok && !prev &&
                    (i + 1 == s->n ||
                     !point_ok(p, s->x[i + 1], s->y[i + 1]));
        if (ok && (s->marker > 0 || alone) && inside(L, x, y))
            canvas_fill_circle(c, (int)lround(x), (int)lround(y),
                               s->marker > 0 ? s->marker : width, s->col);
        prev = ok;
        px = x;
        py = y;
    }
}

static void draw_refs(canvas *c, const layout *L, const plot_chart *p)
{
    int n = 0, idx[PLOT_MAX_REFS], top[PLOT_MAX_REFS];
    int th = canvas_text_height("0", L->s), t = L->s > 1 ? 2 : 1;
    int dash = 5 * L->s, gap = 3 * L->s;
    for (int k = 0; k < p->n_refs; k++) {
        const plot_ref *r = &p->refs[k];
        if (!point_ok(p, 0, r->y))
            continue;
        double yy = map_y(L, r->y);
        if (!inside(L, L->px, yy))
            continue;
        int y = (int)lround(yy);
        for (int x = L->px; x < L->px + L->pw; x += dash + gap) {
            int len = L->px + L->pw - x < dash ? L->px + L->pw - x : dash;
            canvas_fill_rect(c, x, y - t / 2, len, t, r->col);
        }
        if (!has_text(r->label))
            continue;
        /* Insertion sort by height, for the labels' spacing below. */
        int j = n++;
        for (; j > 0 && top[j - 1] > y - th / 2; j--) {
            top[j] = top[j - 1];
            idx[j] = idx[j - 1];
        }
        top[j] = y - th / 2;
        idx[j] = k;
    }
    for (int j = 1; j < n; j++) /* push overlapping labels apart */
        if (top[j] < top[j - 1] + th + 2 * L->s)
            top[j] = top[j - 1] + th + 2 * L->s;
    int lowest = L->py + L->ph - 1 + th / 2;
    for (int j = n - 1; j >= 0; j--) { /* and back up from the bottom */
        if (top[j] + th > lowest)
            top[j] = lowest - th;
        lowest = top[j] - 2 * L->s;
    }
    for (int j = 0; j < n; j++)
        canvas_text(c, L->px + L->pw + 3 * L->s, top[j],
                    p->refs[idx[j]].label, L->s, p->refs[idx[j]].col);
}

static void draw_chart(canvas *c, const layout *L, const plot_chart *p)
{
    int s = L->s, th = canvas_text_height("0", s);
    canvas_fill_rect(c, L->x, L->y, L->w, L->h, RGB_WHITE);
    for (int i = 0; i < L->ay.n; i++) /* grid */
        canvas_line(c, L->px, (int)lround(map_y(L, L->ay.t[i])),
                    L->px + L->pw - 1, (int)lround(map_y(L, L->ay.t[i])),
                    GRID_COL);
    for (int i = 0; i < L->ax.n; i++)
        canvas_line(c, (int)lround(map_x(L, L->ax.t[i])), L->py,
                    (int)lround(map_x(L, L->ax.t[i])), L->py + L->ph - 1,
                    GRID_COL);
    draw_refs(c, L, p);
    for (int k = 0; k < p->n_series; k++)
        draw_series(c, L, p, &p->series[k]);
    canvas_rect(c, L->px - 1, L->py - 1, L->pw + 2, L->ph + 2, 1, AXIS_COL);
    for (int i = 0; i < L->ay.n; i++) { /* y ticks and labels */
        int y = (int)lround(map_y(L, L->ay.t[i]));
        canvas_line(c, L->px - 1 - L->tick, y, L->px - 2, y, AXIS_COL);
        canvas_text(c, L->px - 1 - L->tick - 2 * s -
                           canvas_text_width(L->ay.lab[i], s),
                    y - th / 2, L->ay.lab[i], s, TEXT_COL);
    }
    int ly = L->py + L->ph + 1 + L->tick + 2 * s;
    for (int i = 0; i < L->ax.n; i++) { /* x ticks and labels */
        int x = (int)lround(map_x(L, L->ax.t[i]));
        canvas_line(c, x, L->py + L->ph + 1, x, L->py + L->ph + L->tick,
                    AXIS_COL);
        canvas_text(c, x - canvas_text_width(L->ax.lab[i], s) / 2, ly,
                    L->ax.lab[i], s, TEXT_COL);
    }
    if (has_text(p->x_label))
        canvas_text(c, L->px + (L->pw - canvas_text_width(p->x_label, s)) / 2,
                    ly + L->lh + s, p->x_label, s, TEXT_COL);
    if (has_text(p->y_label))
        canvas_text(c, L->x + L->pad, L->ylabel_y, p->y_label, s, TEXT_COL);
    legend(c, p, L, L->x + L->pad, L->legend_y, L->w - 2 * L->pad);
    if (has_text(p->title)) {
        int tw = canvas_text_width(p->title, s + 1);
        int tx = L->px + (L->pw - tw) / 2;
        if (tx + tw > L->x + L->w - L->pad)
            tx = L->x + L->w - L->pad - tw;
        if (tx < L->x + L->pad)
            tx = L->x + L->pad;
        canvas_text(c, tx, L->title_y, p->title, s + 1, TEXT_COL);
    }
}

/* ---- entry points ----------------------------------------------------- */

static int check_chart(const plot_chart *p, int idx, char *err, size_t errlen)
{
    if (p == NULL)
        return errbuf_fail(err, errlen, "plot: chart %d is NULL", idx);
    if (p->n_series < 0 || (p->n_series > 0 && p->series == NULL))
        return errbuf_fail(err, errlen, "plot: chart %d: bad series list", idx);
    for (int k = 0; k < p->n_series; k++) {
        const plot_series *s = &p->series[k];
        const char *name = has_text(s->label) ? s->label : "(unnamed)";
        if (s->n > 0 && (s->x == NULL || s->y == NULL))
            return errbuf_fail(err, errlen, "plot: chart %d, series %d %s: no x or "
                        "y values", idx, k, name);
        if (s->width < 0 || s->width > PLOT_MAX_WIDTH || s->marker < 0 ||
            s->marker > PLOT_MAX_WIDTH)
            return errbuf_fail(err, errlen, "plot: chart %d, series %d %s: width "
                        "and marker must be in 0..%d", idx, k, name,
                        PLOT_MAX_WIDTH);
    }
    if (p->n_refs < 0 || p->n_refs > PLOT_MAX_REFS ||
        (p->n_refs > 0 && p->refs == NULL))
        return errbuf_fail(err, errlen, "plot: chart %d: bad reference lines (at "
                    "most %d)", idx, PLOT_MAX_REFS);
    return 0;
}

static int check_scale(int scale, char *err, size_t errlen)
{
    if (scale < 1 || scale > PLOT_MAX_SCALE)
        return errbuf_fail(err, errlen, "plot: text scale %d is not in 1..%d",
                    scale, PLOT_MAX_SCALE);
    return 0;
}

int plot_draw(canvas *c, int x, int y, int w, int h, const plot_chart *chart,
              int scale, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (c == NULL)
        return errbuf_fail(err, errlen, "plot: no canvas");
    if (x < 0 || y < 0 || w < 1 || h < 1 || (int64_t)x + w > c->w ||
        (int64_t)y + h > c->h)
        return errbuf_fail(err, errlen, "plot: rectangle %dx%d at (%d, %d) is not "
                    "inside the %dx%d canvas", w, h, x, y, c->w, c->h);
    if (check_scale(scale, err, errlen) || check_chart(chart, 0, err, errlen))
        return -1;
    layout L;
    if (layout_y(&L, x, y, w, h, chart, scale, err, errlen) ||
        layout_x(&L, chart, L.left, L.right, err, errlen))
        return -1;
    draw_chart(c, &L, chart);
    return 0;
}

int plot_write_png(const char *path, const plot_chart *charts, int n, int w,
                   int panel_h, int scale, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (path == NULL || path[0] == '\0')
        return errbuf_fail(err, errlen, "plot: no output path");
    if (charts == NULL || n < 1 || n > 16)
        return errbuf_fail(err, errlen, "plot: %d charts (expected 1..16)", n);
    if (w < 1 || panel_h < 1 || w > CANVAS_MAX_SIDE ||
        (int64_t)panel_h * n > CANVAS_MAX_SIDE)
        return errbuf_fail(err, errlen, "plot: bad picture size %dx(%d x %d)", w, n,
                    panel_h);
    if (check_scale(scale, err, errlen))
        return -1;
    for (int i = 0; i < n; i++)
        if (check_chart(&charts[i], i, err, errlen))
            return -1;
    layout L[16];
    int left = 0, right = 0;
    for (int i = 0; i < n; i++) {
        if (layout_y(&L[i], 0, i * panel_h, w, panel_h, &charts[i], scale,
                     err, errlen))
            return -1;
        left = L[i].left > left ? L[i].left : left;
        right = L[i].right > right ? L[i].right : right;
    }
    for (int pass = 0; pass < 2; pass++) /* same margins for all */
        for (int i = 0; i < n; i++) {
            if (layout_x(&L[i], &charts[i], left, right, err, errlen))
                return -1;
            right = L[i].right > right ? L[i].right : right;
        }
    canvas *c = canvas_create(w, panel_h * n);
    if (c == NULL)
        return errbuf_fail(err, errlen, "%s: out of memory for a %dx%d picture",
                    path, w, panel_h * n);
    for (int i = 0; i < n; i++)
        draw_chart(c, &L[i], &charts[i]);
    int rc = canvas_write_png(c, path, err, errlen);
    canvas_free(c);
    return rc == 0 ? 0 : -1;
}
