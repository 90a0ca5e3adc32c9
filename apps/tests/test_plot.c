/* Tests for examples/common/tsv.c (log files), examples/common/plot.c
 * (line charts) and the learning-curve pictures of ram-catch and ram-mnist
 * (catch_curve_png, mnist_curve_png). Files go to a fresh temporary
 * directory; PNGs are read back with libpng. */
#include <check.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catch_view.h"
#include "mnist_figures.h"
#include "plot.h"
#include "png_out.h"
#include "tsv.h"

static void make_tmpdir(char *dir, size_t n)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, n, "%s/ram-plot-test-XXXXXX", (t && *t) ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Writes text to dir/name and returns the path (static buffer). */
static const char *write_file(const char *dir, const char *name,
                              const char *text)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static void remove_tree(const char *dir, const char *const *names, int n)
{
    char p[1024];
    for (int i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
        rmdir(p);
    }
    rmdir(dir);
}

/* Reads a PNG as 8-bit RGB into a new canvas. */
static canvas *read_png(const char *path)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert_msg(png_image_begin_read_from_file(&img, path), "read %s: %s",
                  path, img.message);
    img.format = PNG_FORMAT_RGB;
    canvas *c = canvas_create((int)img.width, (int)img.height);
    ck_assert_ptr_nonnull(c);
    ck_assert_msg(png_image_finish_read(&img, NULL, c->px, 0, NULL),
                  "read %s: %s", path, img.message);
    return c;
}

/* Pixels of exactly colour col, and the mean row of those pixels. */
static int count_col(const canvas *c, rgb8 col, double *mean_y)
{
    int n = 0;
    double sy = 0;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++) {
            rgb8 p = canvas_get(c, x, y);
            if (p.r == col.r && p.g == col.g && p.b == col.b) {
                n++;
                sy += y;
            }
        }
    if (mean_y)
        *mean_y = n ? sy / n : -1;
    return n;
}

/* ---- tsv -------------------------------------------------------------- */

static const char *const k_cols[] = {"frames", "rate"};

START_TEST(test_tsv_good)
{
    char dir[512], err[512];
    make_tmpdir(dir, sizeof dir);
    const char *p = write_file(dir, "log.tsv",
                               "frames\trate\tnote\r\n"
                               "500000\t0.25\t1e-3\r\n"
                               "\n"
                               "1000000\t0.5\tnan\n"
                               "1500000\t.75\t-2"); /* no final newline */
    tsv_table t;
    ck_assert_msg(tsv_read(p, k_cols, 2, &t, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_int_eq(t.n_cols, 3);
    ck_assert_uint_eq(t.n_rows, 3);
    ck_assert_str_eq(t.names[2], "note");
    ck_assert_int_eq(tsv_col(&t, "rate"), 1);
    ck_assert_int_eq(tsv_col(&t, "nope"), -1);
    ck_assert(tsv_get(&t, 0, 0) == 500000);
    ck_assert(tsv_get(&t, 2, 1) == 0.75);
    ck_assert(tsv_get(&t, 0, 2) == 1e-3);
    ck_assert(isnan(tsv_get(&t, 1, 2)));
    ck_assert(tsv_get(&t, 2, 2) == -2);
    ck_assert(isnan(tsv_get(&t, 3, 0))); /* outside */
    ck_assert(isnan(tsv_get(&t, 0, 3)));
    tsv_free(&t);
    ck_assert_ptr_null(t.names);
    tsv_free(&t); /* twice is fine */
    tsv_free(NULL);

    /* Only a header: no rows, no error. */
    p = write_file(dir, "empty.tsv", "frames\trate\n");
    ck_assert_int_eq(tsv_read(p, k_cols, 2, &t, err, sizeof err), 0);
    ck_assert_uint_eq(t.n_rows, 0);
    tsv_free(&t);

    /* Many rows (the arrays grow). */
    char *big = malloc(20000);
    ck_assert_ptr_nonnull(big);
    size_t len = (size_t)sprintf(big, "frames\trate\n");
    for (int i = 0; i < 1000; i++)
        len += (size_t)sprintf(big + len, "%d\t%d\n", i, 2 * i);
    p = write_file(dir, "big.tsv", big);
    free(big);
    ck_assert_int_eq(tsv_read(p, NULL, 0, &t, err, sizeof err), 0);
    ck_assert_uint_eq(t.n_rows, 1000);
    ck_assert(tsv_get(&t, 999, 1) == 1998);
    tsv_free(&t);
    static const char *const names[] = {"log.tsv", "empty.tsv", "big.tsv"};
    remove_tree(dir, names, 3);
}
END_TEST

/* tsv_read must fail with a message containing want. */
static void expect_tsv_error(const char *dir, const char *text,
                             const char *want)
{
    char err[512];
    const char *p = write_file(dir, "bad.tsv", text);
    tsv_table t;
    memset(&t, 0x55, sizeof t);
    ck_assert_int_eq(tsv_read(p, k_cols, 2, &t, err, sizeof err), -1);
    ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err,
                  want);
    ck_assert_msg(strstr(err, "bad.tsv") != NULL, "error '%s' lacks the file",
                  err);
    ck_assert_ptr_null(t.names); /* left empty */
    ck_assert_ptr_null(t.v);
    ck_assert_uint_eq(t.n_rows, 0);
}

START_TEST(test_tsv_errors)
{
    char dir[512], err[512];
    make_tmpdir(dir, sizeof dir);
    expect_tsv_error(dir, "frames\tother\n1\t2\n",
                     "bad.tsv:1: no column 'rate'");
    expect_tsv_error(dir, "frames\trate\n1\t2\n3\n",
                     "bad.tsv:3: 1 field, expected 2");
    expect_tsv_error(dir, "frames\trate\n1\t2\n3\t4\t5\n",
                     "bad.tsv:3: 3 fields, expected 2");
    expect_tsv_error(dir, "frames\trate\n1\t2\n\n4\t0.5x\n",
                     "bad.tsv:4: column 2 (rate) is not a number: '0.5x'");
    expect_tsv_error(dir, "frames\trate\n1\t\n", "bad.tsv:2: column 2");
    expect_tsv_error(dir, "frames\trate\n<html>garbage</html>\n",
                     "bad.tsv:2:");
    expect_tsv_error(dir, "frames\trate\n1\t1e999\n", "bad.tsv:2:");
    expect_tsv_error(dir, "", "bad.tsv:1: empty file");
    expect_tsv_error(dir, "\n\n", "empty file");
    expect_tsv_error(dir, "frames\trate\trate\n", "appears twice");

    char p[1024];
    snprintf(p, sizeof p, "%s/missing.tsv", dir);
    tsv_table t;
    ck_assert_int_eq(tsv_read(p, k_cols, 2, &t, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "missing.tsv: cannot open: No such file") !=
                      NULL, "%s", err);
    ck_assert_int_eq(tsv_read(NULL, NULL, 0, &t, err, sizeof err), -1);
    ck_assert_int_eq(tsv_read(p, NULL, 1, &t, err, sizeof err), -1);
    ck_assert_int_eq(tsv_read(p, k_cols, 2, NULL, err, sizeof err), -1);
    ck_assert_int_eq(tsv_read(p, k_cols, 2, &t, NULL, 0), -1);
    static const char *const names[] = {"bad.tsv"};
    remove_tree(dir, names, 1);
}
END_TEST

START_TEST(test_tsv_log_path)
{
    char dir[512], path[1024], name[64], arg[1024];
    make_tmpdir(dir, sizeof dir);
    snprintf(arg, sizeof arg, "%s/catch-s1", dir);
    ck_assert_int_eq(mkdir(arg, 0700), 0);
    strcat(arg, "//");
    ck_assert_int_eq(tsv_log_path(arg, "log.tsv", path, sizeof path, name,
                                  sizeof name),
                     0);
    ck_assert_str_eq(name, "catch-s1");
    ck_assert_msg(strlen(path) > 17 &&
                      strcmp(path + strlen(path) - 17, "/catch-s1/log.tsv") ==
                          0, "%s", path);
    ck_assert_int_eq(tsv_log_path("models/mnist28.log.tsv", "log.tsv", path,
                                  sizeof path, name, sizeof name),
                     0);
    ck_assert_str_eq(path, "models/mnist28.log.tsv");
    ck_assert_str_eq(name, "mnist28");
    ck_assert_int_eq(tsv_log_path("a.tsv", "log.tsv", path, sizeof path,
                                  name, sizeof name),
                     0);
    ck_assert_str_eq(name, "a");
    ck_assert_int_eq(tsv_log_path("a.tsv", "log.tsv", path, 3, name,
                                  sizeof name),
                     -1);
    ck_assert_int_eq(tsv_log_path("", "log.tsv", path, sizeof path, name,
                                  sizeof name),
                     -1);
    static const char *const names[] = {"catch-s1"};
    remove_tree(dir, names, 1);
}
END_TEST

/* ---- ticks and labels ------------------------------------------------- */

static void label_is(double v, double prec, double max_abs, const char *want)
{
    char buf[32];
    plot_tick_label(v, prec, max_abs, buf, sizeof buf);
    ck_assert_msg(strcmp(buf, want) == 0, "label(%g, %g, %g) = '%s', want "
                  "'%s'", v, prec, max_abs, buf, want);
}

START_TEST(test_ticks)
{
    double t[PLOT_MAX_TICKS];
    double lo = 500480, hi = 7503936;
    int n = plot_ticks(&lo, &hi, 0, 1, 9, t, PLOT_MAX_TICKS);
    ck_assert_int_eq(n, 9); /* 0, 1M, ..., 8M */
    ck_assert(lo == 0 && hi == 8e6);
    for (int i = 0; i < n; i++)
        ck_assert(t[i] == i * 1e6);
    /* A fixed range keeps its ends; ticks inside it only. */
    lo = 0.3;
    hi = 97;
    n = plot_ticks(&lo, &hi, 0, 0, 6, t, PLOT_MAX_TICKS);
    ck_assert(lo == 0.3 && hi == 97);
    ck_assert_int_eq(n, 4); /* 20, 40, 60, 80 */
    ck_assert(t[0] == 20 && t[3] == 80);
    /* 2.5 steps. */
    lo = 0;
    hi = 10;
    n = plot_ticks(&lo, &hi, 0, 1, 5, t, PLOT_MAX_TICKS);
    ck_assert_int_eq(n, 5);
    ck_assert(t[1] == 2.5 && t[4] == 10);
    /* Log: 1-2-5 values, widened to them. */
    lo = 1.26;
    hi = 43;
    n = plot_ticks(&lo, &hi, 1, 1, 8, t, PLOT_MAX_TICKS);
    ck_assert(lo == 1 && hi == 50);
    ck_assert_int_eq(n, 6);
    const double want[6] = {1, 2, 5, 10, 20, 50};
    for (int i = 0; i < 6; i++)
        ck_assert_msg(fabs(t[i] - want[i]) < 1e-12, "t[%d] = %g", i, t[i]);
    /* Too many: powers of ten only. */
    lo = 0.5;
    hi = 50;
    n = plot_ticks(&lo, &hi, 1, 1, 4, t, PLOT_MAX_TICKS);
    ck_assert_int_eq(n, 2);
    ck_assert(fabs(t[0] - 1) < 1e-12 && fabs(t[1] - 10) < 1e-12);
    /* Invalid. */
    lo = 1;
    hi = 1;
    ck_assert_int_eq(plot_ticks(&lo, &hi, 0, 1, 5, t, 64), -1);
    lo = 0;
    hi = 1;
    ck_assert_int_eq(plot_ticks(&lo, &hi, 1, 1, 5, t, 64), -1);
    ck_assert_int_eq(plot_ticks(&lo, &hi, 0, 1, 1, t, 64), -1);
    ck_assert_int_eq(plot_ticks(&lo, &hi, 0, 1, 5, NULL, 64), -1);
    lo = NAN;
    ck_assert_int_eq(plot_ticks(&lo, &hi, 0, 1, 5, t, 64), -1);

    label_is(0, 1e6, 8e6, "0");
    label_is(5e6, 1e6, 8e6, "5M");
    label_is(2.5e6, 2.5e6, 1e7, "2.5M");
    label_is(5e5, 5e5, 1e7, "0.5M");
    label_is(5e5, 1e5, 9e5, "500k");
    label_is(12000, 2000, 12000, "12k");
    label_is(1500, 500, 2000, "1500");
    label_is(0.5, 0.5, 50, "0.5");
    label_is(0.02, 0.02, 50, "0.02");
    label_is(3e9, 1e9, 3e9, "3G");
    label_is(-2.5, 2.5, 10, "-2.5");
    label_is(1e-17, 0.1, 1, "0");
}
END_TEST

START_TEST(test_colours)
{
    /* PLOT_PALETTE_SIZE colours, all distinct, then the palette repeats. */
    for (int i = 0; i < PLOT_PALETTE_SIZE; i++)
        for (int j = 0; j < i; j++) {
            rgb8 p = plot_palette(i), q = plot_palette(j);
            ck_assert_msg(p.r != q.r || p.g != q.g || p.b != q.b,
                          "colours %d and %d are the same", j, i);
        }
    rgb8 a = plot_palette(0);
    rgb8 c = plot_palette(PLOT_PALETTE_SIZE);
    ck_assert(c.r == a.r && c.g == a.g && c.b == a.b);
    c = plot_palette(-1);
    rgb8 d = plot_palette(PLOT_PALETTE_SIZE - 1);
    ck_assert(c.r == d.r && c.g == d.g && c.b == d.b);
    rgb8 m = plot_mix(RGB8(0, 100, 200), RGB_WHITE, 0.5);
    ck_assert_int_eq(m.r, 128);
    ck_assert_int_eq(m.g, 178);
    ck_assert_int_eq(m.b, 228);
    m = plot_mix(RGB8(0, 100, 200), RGB_WHITE, 7);
    ck_assert_int_eq(m.r, 255);
}
END_TEST

/* ---- charts ----------------------------------------------------------- */

#define COL_A RGB8(200, 20, 20)
#define COL_B RGB8(20, 20, 200)
#define COL_REF RGB8(20, 160, 20)
#define COL_LOG RGB8(150, 60, 150)

START_TEST(test_plot_png)
{
    char dir[512], p[1024], err[512];
    make_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/chart.png", dir);
    /* Unlabelled series (no legend): A high, B low, a reference between. */
    const double x[4] = {0, 1e6, 2e6, 3e6};
    const double ya[4] = {80, 85, NAN, 90}, yb[4] = {10, 15, 12, 20};
    plot_series s[2] = {
        {NULL, x, ya, 4, COL_A, 3, 0},
        {NULL, x, yb, 4, COL_B, 1, 2},
    };
    plot_ref ref = {50, "half", COL_REF};
    plot_chart ch;
    memset(&ch, 0, sizeof ch);
    ch.title = "Test chart";
    ch.x_label = "frames";
    ch.y_label = "rate";
    ch.series = s;
    ch.n_series = 2;
    ch.refs = &ref;
    ch.n_refs = 1;
    ch.y_min = 0;
    ch.y_max = 100;
    ch.y_unit = "%";
    ck_assert_msg(plot_write_png(p, &ch, 1, 640, 400, 1, err, sizeof err) ==
                      0, "%s", err);
    canvas *c = read_png(p);
    ck_assert_int_eq(c->w, 640);
    ck_assert_int_eq(c->h, 400);
    double ay, by, ry;
    int na = count_col(c, COL_A, &ay), nb = count_col(c, COL_B, &by);
    int nr = count_col(c, COL_REF, &ry);
    ck_assert_msg(na > 300, "%d pixels of A", na);
    ck_assert_msg(nb > 200, "%d pixels of B", nb);
    ck_assert_msg(nr > 100, "%d pixels of the reference line", nr);
    /* Up is up: A (80..90) above the line at 50, above B (10..20). */
    ck_assert_msg(ay < ry && ry < by, "mean rows A %g, ref %g, B %g", ay, ry,
                  by);
    ck_assert(count_col(c, RGB_WHITE, NULL) > c->w * c->h / 2);
    canvas_free(c);

    /* A log axis with a legend, two stacked panels. */
    const double e[3] = {1, 2, 3}, err_pct[3] = {40, 4, 0.8};
    plot_series ls = {"run", e, err_pct, 3, COL_LOG, 2, 0};
    plot_chart two[2];
    memset(two, 0, sizeof two);
    two[0] = ch;
    two[1].series = &ls;
    two[1].n_series = 1;
    two[1].y_log = 1;
    ck_assert_msg(plot_write_png(p, two, 2, 500, 300, 2, err, sizeof err) ==
                      0, "%s", err);
    c = read_png(p);
    ck_assert_int_eq(c->w, 500);
    ck_assert_int_eq(c->h, 600);
    ck_assert(count_col(c, COL_LOG, &by) > 100);
    ck_assert_msg(by > 300, "the log panel is the lower one (row %g)", by);
    ck_assert(count_col(c, COL_A, &ay) > 100);
    ck_assert_msg(ay < 300, "the linear panel is the upper one (row %g)", ay);
    canvas_free(c);
    unlink(p);
    rmdir(dir);
}
END_TEST

START_TEST(test_plot_errors)
{
    char err[512];
    canvas *c = canvas_create(300, 200);
    ck_assert_ptr_nonnull(c);
    plot_chart ch;
    memset(&ch, 0, sizeof ch);
    /* An empty chart is fine. */
    ck_assert_msg(plot_draw(c, 0, 0, 300, 200, &ch, 1, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(plot_draw(NULL, 0, 0, 300, 200, &ch, 1, err, sizeof err),
                     -1);
    ck_assert_int_eq(plot_draw(c, 0, 0, 300, 200, NULL, 1, err, sizeof err),
                     -1);
    ck_assert_int_eq(plot_draw(c, 10, 0, 300, 200, &ch, 1, err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "not inside") != NULL, "%s", err);
    ck_assert_int_eq(plot_draw(c, 0, 0, 300, 200, &ch, 0, err, sizeof err),
                     -1);
    ck_assert_int_eq(plot_draw(c, 0, 0, 300, 200, &ch, 9, NULL, 0), -1);
    ck_assert_int_eq(plot_draw(c, 0, 0, 60, 40, &ch, 2, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "too few") != NULL, "%s", err);
    plot_series s = {"x", NULL, NULL, 3, RGB_RED, 1, 0};
    ch.series = &s;
    ch.n_series = 1;
    ck_assert_int_eq(plot_draw(c, 0, 0, 300, 200, &ch, 1, err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "no x or y") != NULL, "%s", err);
    const double v[1] = {1};
    s.x = s.y = v;
    s.n = 1;
    s.width = 99;
    ck_assert_int_eq(plot_draw(c, 0, 0, 300, 200, &ch, 1, err, sizeof err),
                     -1);
    s.width = 1;
    ch.n_refs = 1; /* refs NULL */
    ck_assert_int_eq(plot_draw(c, 0, 0, 300, 200, &ch, 1, err, sizeof err),
                     -1);
    ch.n_refs = 0;
    ch.n_series = -1;
    ck_assert_int_eq(plot_draw(c, 0, 0, 300, 200, &ch, 1, err, sizeof err),
                     -1);
    ch.n_series = 1;
    /* One point, non-positive values on a log axis: drawn, no error. */
    ch.y_log = 1;
    ck_assert_msg(plot_draw(c, 0, 0, 300, 200, &ch, 1, err, sizeof err) == 0,
                  "%s", err);
    const double neg[2] = {-1, 0};
    s.y = neg;
    s.n = 2;
    s.x = neg;
    ck_assert_msg(plot_draw(c, 0, 0, 300, 200, &ch, 1, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(plot_write_png(NULL, &ch, 1, 300, 200, 1, err,
                                    sizeof err),
                     -1);
    ck_assert_int_eq(plot_write_png("/tmp/x.png", &ch, 0, 300, 200, 1, err,
                                    sizeof err),
                     -1);
    ck_assert_int_eq(plot_write_png("/nonexistent-dir/x.png", &ch, 1, 300,
                                    200, 1, err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "cannot write PNG") != NULL, "%s", err);
    canvas_free(c);
}
END_TEST

/* ---- the examples' learning curves ------------------------------------ */

#define CATCH_HEADER                                                        \
    "frames\tupdates\telapsed_s\ttrain_catch\tmean_return\tbaseline_mse\t"  \
    "entropy\tgrad_norm\tframes_per_s\teval_greedy\teval_fovea\t"           \
    "eval_fovea_late\teval_dist\tbest\n"

START_TEST(test_catch_curve)
{
    char dir[512], run[1024], png[1024], err[4200];
    make_tmpdir(dir, sizeof dir);
    snprintf(run, sizeof run, "%s/run-a", dir);
    ck_assert_int_eq(mkdir(run, 0700), 0);
    snprintf(png, sizeof png, "%s/curve.png", dir);
    write_file(run, "log.tsv",
               CATCH_HEADER
               "500480\t340\t71.8\t0.0872\t0.0446\t0.0444\t1.0860\t1.8949\t"
               "7108\t0.1240\t0.0751\t0.0000\t8.719\t0.1240\n"
               "1000960\t680\t174.1\t0.1037\t0.0530\t0.0511\t1.0707\t2.0638\t"
               "4950\t0.5240\t0.0751\t0.0000\t8.726\t0.5240\n");
    const char *runs[1] = {run};
    ck_assert_msg(catch_curve_png(png, runs, 1, err, sizeof err) == 0, "%s",
                  err);
    canvas *c = read_png(png);
    ck_assert_int_eq(c->w, 1000);
    ck_assert_int_eq(c->h, 960);
    ck_assert(count_col(c, plot_palette(0), NULL) > 100);
    ck_assert(count_col(c, plot_mix(plot_palette(0), RGB_WHITE, 0.55),
                        NULL) > 50);
    canvas_free(c);

    /* A cut line: the message names the file and the line. */
    write_file(run, "log.tsv", CATCH_HEADER "500480\t340\t71.8\t0.08\n");
    ck_assert_int_eq(catch_curve_png(png, runs, 1, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "run-a/log.tsv:2: 4 fields, expected 14") !=
                      NULL, "%s", err);
    /* A log without the fovea column. */
    write_file(run, "log.tsv", "frames\ttrain_catch\teval_greedy\n1\t0\t0\n");
    ck_assert_int_eq(catch_curve_png(png, runs, 1, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "log.tsv:1: no column 'eval_fovea'") != NULL,
                  "%s", err);
    /* Only a header, and a directory without a log. */
    write_file(run, "log.tsv", CATCH_HEADER);
    ck_assert_int_eq(catch_curve_png(png, runs, 1, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "no data lines") != NULL, "%s", err);
    unlink(png);
    const char *none[1] = {dir};
    ck_assert_int_eq(catch_curve_png(png, none, 1, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "log.tsv: cannot open") != NULL, "%s", err);
    ck_assert_int_eq(catch_curve_png(png, runs, 0, err, sizeof err), -1);
    ck_assert_int_eq(access(png, F_OK), -1);
    static const char *const names[] = {"run-a/log.tsv", "run-a"};
    remove_tree(dir, names, 2);
}
END_TEST

START_TEST(test_mnist_curve)
{
    char dir[512], png[1024], err[4200];
    make_tmpdir(dir, sizeof dir);
    snprintf(png, sizeof png, "%s/m.png", dir);
    const char *log = write_file(
        dir, "a.log.tsv",
        "epoch\tloss\treward\tbaseline_mse\tval_error\tlr\tsamples_per_s\t"
        "elapsed_s\tbest\n"
        "1\t1.9\t0.28\t0.16\t0.43\t0.001\t6952.8\t7.4\t1\n"
        "2\t0.9\t0.69\t0.19\t0.186\t0.00098\t4468.6\t18.8\t1\n"
        "3\t0.5\t0.81\t0.14\t0.0154\t0.00096\t4524.8\t30.0\t1\n");
    char file[1024];
    snprintf(file, sizeof file, "%s", log);
    const char *logs[2] = {file, file};
    ck_assert_msg(mnist_curve_png(png, logs, 2, 1.5, err, sizeof err) == 0,
                  "%s", err);
    canvas *c = read_png(png);
    ck_assert_int_eq(c->w, 1000);
    ck_assert_int_eq(c->h, 560);
    ck_assert(count_col(c, plot_palette(1), NULL) > 100);
    canvas_free(c);
    write_file(dir, "a.log.tsv", "epoch\tloss\n1\t2\n");
    ck_assert_int_eq(mnist_curve_png(png, logs, 1, 0, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "a.log.tsv:1: no column 'val_error'") != NULL,
                  "%s", err);
    static const char *const names[] = {"a.log.tsv", "m.png"};
    remove_tree(dir, names, 2);
}
END_TEST

Suite *suite_plot(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("tsv");
    tcase_add_test(tc, test_tsv_good);
    tcase_add_test(tc, test_tsv_errors);
    tcase_add_test(tc, test_tsv_log_path);
    suite_add_tcase(s, tc);
    tc = tcase_create("chart");
    tcase_add_test(tc, test_ticks);
    tcase_add_test(tc, test_colours);
    tcase_add_test(tc, test_plot_png);
    tcase_add_test(tc, test_plot_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("curves");
    tcase_add_test(tc, test_catch_curve);
    tcase_add_test(tc, test_mnist_curve);
    suite_add_tcase(s, tc);
    return s;
}
