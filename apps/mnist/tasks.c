/* MNIST task generators. See tasks.h. */
#include "tasks.h"

#include <math.h>
#include <string.h>

typedef struct task_def {
    const char *name;
    int width;
    int clutter;
    int scaled; /* the digit is resized by a random factor */
} task_def;

static const task_def k_tasks[TASK_COUNT] = {
    {"mnist28", 28, 0, 0},
    {"translated60", 60, 0, 0},
    {"cluttered60", 60, 4, 0},
    {"cluttered100", 100, 8, 0},
    {"scaled60", 60, 4, 1},
    {"scaled100", 100, 8, 1},
};

static int valid(task_id t)
{
    return (int)t >= 0 && (int)t < TASK_COUNT;
}

task_id task_from_name(const char *name)
{
    if (name == NULL)
        return TASK_INVALID;
    for (int i = 0; i < TASK_COUNT; i++)
        if (strcmp(name, k_tasks[i].name) == 0)
            return (task_id)i;
    return TASK_INVALID;
}

const char *task_name(task_id task)
{
    return valid(task) ? k_tasks[task].name : NULL;
}

const char *task_names(void)
{
    return "mnist28, translated60, cluttered60, cluttered100, scaled60, "
           "scaled100";
}

int task_width(task_id task)
{
    return valid(task) ? k_tasks[task].width : 0;
}

int task_clutter_count(task_id task)
{
    return valid(task) ? k_tasks[task].clutter : 0;
}

const char *task_strerror(int status)
{
    switch (status) {
    case TASK_OK: return "success";
    case TASK_E_ARG: return "NULL argument";
    case TASK_E_TASK: return "invalid task";
    case TASK_E_INDEX: return "digit index outside the pool";
    case TASK_E_POOL: return "cluttered tasks need at least 2 pool images";
    default: return "unknown error";
    }
}

/* out[y0.., x0..] = max(out, src) over an n x n block; src has row stride
 * src_stride, out has row stride w. */
static void paste_max(uint8_t *out, int w, int x0, int y0, const uint8_t *src,
                      int src_stride, int n)
{
    for (int r = 0; r < n; r++) {
        uint8_t *o = out + (size_t)(y0 + r) * (size_t)w + (size_t)x0;
        const uint8_t *s = src + (size_t)r * (size_t)src_stride;
        for (int c = 0; c < n; c++)
            if (s[c] > o[c])
                o[c] = s[c];
    }
}

/* out[y0.., x0..] = max(out, src) over a w_src x h_src block (row stride
 * w_src), cut to the w x w canvas. */
static void paste_max_clip(uint8_t *out, int w, int x0, int y0,
                           const uint8_t *src, int w_src, int h_src)
{
    for (int r = 0; r < h_src; r++) {
        int y = y0 + r;
        if (y < 0 || y >= w)
            continue;
        for (int c = 0; c < w_src; c++) {
            int x = x0 + c;
            if (x < 0 || x >= w)
                continue;
            uint8_t v = src[(size_t)r * (size_t)w_src + (size_t)c];
            uint8_t *o = out + (size_t)y * (size_t)w + (size_t)x;
            if (v > *o)
                *o = v;
        }
    }
}

static double digit_px(const uint8_t *d, long x, long y)
{
    if (x < 0 || y < 0 || x >= TASK_DIGIT_SIDE || y >= TASK_DIGIT_SIDE)
        return 0.0;
    return (double)d[y * TASK_DIGIT_SIDE + x];
}

int task_scale_digit(const uint8_t *digit, double f, uint8_t *out,
                     int *side)
{
    if (digit == NULL || out == NULL || !(f >= TASK_SCALE_MIN) ||
        !(f <= TASK_SCALE_MAX))
        return TASK_E_ARG;
    const int n = (int)ceil(TASK_DIGIT_SIDE * f);
    for (int i = 0; i < n; i++) {
        double sy = ((double)i + 0.5) / f - 0.5;
        double fy = floor(sy), ay = sy - fy;
        long y0 = (long)fy;
        for (int j = 0; j < n; j++) {
            double sx = ((double)j + 0.5) / f - 0.5;
            double fx = floor(sx), ax = sx - fx;
            long x0 = (long)fx;
            double top = (1.0 - ax) * digit_px(digit, x0, y0) +
                         ax * digit_px(digit, x0 + 1, y0);
            double bot = (1.0 - ax) * digit_px(digit, x0, y0 + 1) +
                         ax * digit_px(digit, x0 + 1, y0 + 1);
            double v = floor((1.0 - ay) * top + ay * bot + 0.5);
            out[(size_t)i * (size_t)n + (size_t)j] =
                (uint8_t)(v > 255.0 ? 255.0 : v);
        }
    }
    if (side != NULL)
        *side = n;
    return TASK_OK;
}

/* The smallest box holding the non-zero pixels of an n x n image, and 1;
 * the whole image and 0 when it is blank. */
static int ink_box(const uint8_t *img, int n, int *bx, int *by, int *bw,
                    int *bh)
{
    int x0 = n, y0 = n, x1 = -1, y1 = -1;
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            if (img[(size_t)y * (size_t)n + (size_t)x]) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
    if (x1 < 0) {
        *bx = *by = 0;
        *bw = *bh = n;
        return 0;
    }
    *bx = x0;
    *by = y0;
    *bw = x1 - x0 + 1;
    *bh = y1 - y0 + 1;
    return 1;
}

/* Top-left of a box of size b drawn uniformly fully inside [0, w); centred
 * (negative) when it is wider than the canvas. */
static int place(example_rng *rng, int w, int b)
{
    if (b > w)
        return (w - b) / 2;
    return (int)example_rng_below(rng, (uint64_t)(w - b + 1));
}

int task_generate_info(task_id task, const uint8_t *src_images, size_t n_src,
                       size_t digit_index, example_rng *rng, uint8_t *out,
                       task_info *info)
{
    if (!valid(task))
        return TASK_E_TASK;
    const int w = k_tasks[task].width;
    const int n_clutter = k_tasks[task].clutter;
    if (src_images == NULL || out == NULL ||
        (rng == NULL && task != TASK_MNIST28))
        return TASK_E_ARG;
    if (digit_index >= n_src)
        return TASK_E_INDEX;
    if (n_clutter > 0 && n_src < 2)
        return TASK_E_POOL;

    const uint8_t *digit = src_images + digit_index * TASK_DIGIT_PIXELS;
    int dx = 0, dy = 0, side = TASK_DIGIT_SIDE;
    int bx, by, bw, bh; /* the ink box, in the digit's frame */
    double f = 1.0;
    memset(out, 0, (size_t)w * (size_t)w);
    if (k_tasks[task].scaled) {
        uint8_t big[TASK_MAX_SCALED_SIDE * TASK_MAX_SCALED_SIDE];
        double u = example_rng_uniform_double(rng);
        f = TASK_SCALE_MIN * pow(TASK_SCALE_MAX / TASK_SCALE_MIN, u);
        if (task_scale_digit(digit, f, big, &side) != TASK_OK)
            return TASK_E_ARG; /* unreachable: f is in range */
        ink_box(big, side, &bx, &by, &bw, &bh);
        int ix = place(rng, w, bw), iy = place(rng, w, bh);
        dx = ix - bx;
        dy = iy - by;
        paste_max_clip(out, w, dx, dy, big, side, side);
    } else {
        if (w > TASK_DIGIT_SIDE) {
            dx = (int)example_rng_below(rng,
                                        (uint64_t)(w - TASK_DIGIT_SIDE + 1));
            dy = (int)example_rng_below(rng,
                                        (uint64_t)(w - TASK_DIGIT_SIDE + 1));
        }
        paste_max(out, w, dx, dy, digit, TASK_DIGIT_SIDE, TASK_DIGIT_SIDE);
        if (!ink_box(digit, TASK_DIGIT_SIDE, &bx, &by, &bw, &bh))
            bw = bh = 0; /* a blank digit has no ink */
    }
    if (info != NULL) {
        memset(info, 0, sizeof *info);
        info->digit_x = dx;
        info->digit_y = dy;
        info->n_clutter = n_clutter;
        info->scale = f;
        info->digit_side = side;
        info->ink_x = dx + bx;
        info->ink_y = dy + by;
        info->ink_w = bw;
        info->ink_h = bh;
    }

    for (int i = 0; i < n_clutter; i++) {
        size_t s = (size_t)example_rng_below(rng, (uint64_t)(n_src - 1));
        if (s >= digit_index)
            s++; /* uniform over the pool minus digit_index */
        const uint64_t cut_range = TASK_DIGIT_SIDE - TASK_CLUTTER_SIDE + 1;
        const uint64_t put_range = (uint64_t)(w - TASK_CLUTTER_SIDE + 1);
        int sx = (int)example_rng_below(rng, cut_range);
        int sy = (int)example_rng_below(rng, cut_range);
        int px = (int)example_rng_below(rng, put_range);
        int py = (int)example_rng_below(rng, put_range);
        const uint8_t *piece = src_images + s * TASK_DIGIT_PIXELS +
                               (size_t)sy * TASK_DIGIT_SIDE + (size_t)sx;
        paste_max(out, w, px, py, piece, TASK_DIGIT_SIDE, TASK_CLUTTER_SIDE);
        if (info != NULL) {
            info->clutter[i].src_index = s;
            info->clutter[i].src_x = sx;
            info->clutter[i].src_y = sy;
            info->clutter[i].x = px;
            info->clutter[i].y = py;
        }
    }
    return TASK_OK;
}

int task_generate(task_id task, const uint8_t *src_images, size_t n_src,
                  size_t digit_index, example_rng *rng, uint8_t *out,
                  int *digit_x, int *digit_y)
{
    task_info info;
    int st = task_generate_info(task, src_images, n_src, digit_index, rng,
                                out, &info);
    if (st != TASK_OK)
        return st;
    if (digit_x != NULL)
        *digit_x = info.digit_x;
    if (digit_y != NULL)
        *digit_y = info.digit_y;
    return TASK_OK;
}

int task_generate_set(task_id task, const uint8_t *src_images, size_t n_src,
                      size_t first, size_t count, uint64_t seed, uint8_t *out,
                      int *digit_xy)
{
    if (digit_xy == NULL)
        return task_generate_set_info(task, src_images, n_src, first, count,
                                      seed, out, NULL);
    if (!valid(task))
        return TASK_E_TASK;
    if (src_images == NULL || (out == NULL && count > 0))
        return TASK_E_ARG;
    if (first > n_src || count > n_src - first)
        return TASK_E_INDEX;
    if (k_tasks[task].clutter > 0 && count > 0 && n_src < 2)
        return TASK_E_POOL;
    const size_t wsq = (size_t)k_tasks[task].width *
                       (size_t)k_tasks[task].width;
    for (size_t i = 0; i < count; i++) {
        size_t k = first + i;
        example_rng rng;
        example_rng_seed_stream(&rng, seed, (uint64_t)k);
        int x = 0, y = 0;
        int st = task_generate(task, src_images, n_src, k, &rng,
                               out + i * wsq, &x, &y);
        if (st != TASK_OK)
            return st;
        if (digit_xy != NULL) {
            digit_xy[2 * i] = x;
            digit_xy[2 * i + 1] = y;
        }
    }
    return TASK_OK;
}

int task_generate_set_info(task_id task, const uint8_t *src_images,
                           size_t n_src, size_t first, size_t count,
                           uint64_t seed, uint8_t *out, task_info *info)
{
    if (!valid(task))
        return TASK_E_TASK;
    if (src_images == NULL || (out == NULL && count > 0))
        return TASK_E_ARG;
    if (first > n_src || count > n_src - first)
        return TASK_E_INDEX;
    if (k_tasks[task].clutter > 0 && count > 0 && n_src < 2)
        return TASK_E_POOL;
    const size_t wsq = (size_t)k_tasks[task].width *
                       (size_t)k_tasks[task].width;
    for (size_t i = 0; i < count; i++) {
        size_t k = first + i;
        example_rng rng;
        example_rng_seed_stream(&rng, seed, (uint64_t)k);
        int st = task_generate_info(task, src_images, n_src, k, &rng,
                                    out + i * wsq, info ? info + i : NULL);
        if (st != TASK_OK)
            return st;
    }
    return TASK_OK;
}
