/* MNIST task generators. See tasks.h. */
#include "tasks.h"

#include <string.h>

typedef struct task_def {
    const char *name;
    int width;
    int clutter;
} task_def;

static const task_def k_tasks[TASK_COUNT] = {
    {"mnist28", 28, 0},
    {"translated60", 60, 0},
    {"cluttered60", 60, 4},
    {"cluttered100", 100, 8},
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
    return "mnist28, translated60, cluttered60, cluttered100";
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
    int dx = 0, dy = 0;
    if (w > TASK_DIGIT_SIDE) {
        dx = (int)example_rng_below(rng, (uint64_t)(w - TASK_DIGIT_SIDE + 1));
        dy = (int)example_rng_below(rng, (uint64_t)(w - TASK_DIGIT_SIDE + 1));
    }
    memset(out, 0, (size_t)w * (size_t)w);
    paste_max(out, w, dx, dy, digit, TASK_DIGIT_SIDE, TASK_DIGIT_SIDE);
    if (info != NULL) {
        memset(info, 0, sizeof *info);
        info->digit_x = dx;
        info->digit_y = dy;
        info->n_clutter = n_clutter;
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
