/* Image-classification tasks of Mnih et al. 2014, Section 4.1.
 *
 *   mnist28       the 28x28 digit as is.
 *   translated60  the 28x28 digit at a uniformly random integer position,
 *                 fully inside a black 60x60 canvas.
 *   cluttered60   translated60 plus 4 pieces of clutter.
 *   cluttered100  a 100x100 canvas with 8 pieces of clutter.
 *   scaled60      the digit resized by a random factor f in [0.5, 2.5]
 *                 (bilinear), placed at a random position with its ink
 *                 fully inside a 60x60 canvas, plus 4 pieces of clutter.
 *   scaled100     the same on 100x100 with 8 pieces of clutter.
 *   (scaled60/100 are not in the paper: they are the task for its proposed
 *   learned retina scale, issue 25.)
 *
 * Clutter: each piece is an 8x8 sub-patch cut at a uniformly random position
 * (top-left in 0..20) from another digit of the pool, drawn uniformly among
 * the pool's other indices (never the digit itself, though two pieces may
 * share a source), and pasted at a uniformly random position fully inside
 * the canvas. Pieces may overlap each other and the digit.
 *
 * Pasting rule: PIXEL-WISE MAX. out = max(out, piece) for clutter and digit
 * alike, so clutter never erases the digit's ink (and the order of pasting
 * does not matter). Note: DeepMind's reference generator (mnist-cluttered)
 * adds the pieces and clips to 1 instead; the two differ only where ink
 * overlaps, where max keeps the brighter stroke and add saturates.
 *
 * Pools: the digit and its clutter come from the same pool, src_images
 * (n_src images of 28x28 = 784 bytes, row-major). The caller picks the pool:
 * e.g. training: the training images (or the first 50000, keeping the last
 * 10000 for validation); test: the test images, so that no training pixels
 * appear in test images. The pool is only read.
 *
 * Random draws, in this order, all from the caller's example_rng:
 *   digit x, digit y          uniform in [0, W-28]
 *   then for each piece:      source index (uniform over the other n_src-1),
 *                             cut x, cut y (uniform in [0, 20]),
 *                             paste x, paste y (uniform in [0, W-8]).
 * mnist28 draws nothing. Positions are top-left corners, x = column,
 * y = row.
 *
 * The scaled tasks, in this order, from the same example_rng:
 *   u                         example_rng_uniform_double, in [0, 1);
 *                             f = 0.5 * 5^u: log-uniform in [0.5, 2.5)
 *   (the digit is resized by f: task_scale_digit; its ink box, the
 *    smallest rectangle holding its non-zero pixels, is bw x bh)
 *   ink x, ink y              uniform in [0, W-bw] and [0, H-bh]: the
 *                             ink box's top-left in the canvas
 *   then the clutter exactly as above (pieces of 8x8, unscaled).
 * The resized frame (side n = ceil(28 f)) is pasted so that its ink box
 * lands there; its black margin may hang over the canvas edge and is cut.
 * (A digit whose ink is wider than the canvas -- impossible for MNIST,
 * whose ink fits 20x20, so at most 51x51 here -- is centred and cut; a
 * blank digit counts its whole frame as the ink box.)
 *
 * All functions return TASK_OK (0) or a negative TASK_E* code; nothing is
 * global, and the functions are thread-safe given distinct rngs/outputs. */
#ifndef RAM_EXAMPLE_TASKS_H
#define RAM_EXAMPLE_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum task_id {
    TASK_INVALID = -1,
    TASK_MNIST28 = 0,
    TASK_TRANSLATED60 = 1,
    TASK_CLUTTERED60 = 2,
    TASK_CLUTTERED100 = 3,
    TASK_SCALED60 = 4,
    TASK_SCALED100 = 5,
    TASK_COUNT = 6
} task_id;

enum {
    TASK_OK = 0,
    TASK_E_ARG = -1,   /* NULL pointer (rng may be NULL only for mnist28) */
    TASK_E_TASK = -2,  /* not a valid task_id */
    TASK_E_INDEX = -3, /* digit index >= n_src, or first + count > n_src */
    TASK_E_POOL = -4   /* cluttered task with fewer than 2 pool images */
};

#define TASK_DIGIT_SIDE 28   /* side of a source digit */
#define TASK_DIGIT_PIXELS (TASK_DIGIT_SIDE * TASK_DIGIT_SIDE)
#define TASK_CLUTTER_SIDE 8  /* side of a clutter piece */
#define TASK_MAX_CLUTTER 8   /* most pieces of any task */
#define TASK_MAX_WIDTH 100   /* widest task canvas */
#define TASK_SCALE_MIN 0.5   /* the scaled tasks' factor range [MIN, MAX) */
#define TASK_SCALE_MAX 2.5
#define TASK_MAX_SCALED_SIDE 70 /* ceil(28 * TASK_SCALE_MAX) */

/* "mnist28", "translated60", "cluttered60", "cluttered100", "scaled60",
 * "scaled100" -> task_id;
 * TASK_INVALID for NULL or anything else (case-sensitive). */
task_id task_from_name(const char *name);

/* The task's name as above, or NULL for an invalid task. */
const char *task_name(task_id task);

/* "mnist28, translated60, cluttered60, cluttered100, scaled60, scaled100"
 * (for usage text). */
const char *task_names(void);

/* Canvas side W (images are W x W bytes): 28, 60, 60, 100, 60, 100; 0 if
 * invalid. */
int task_width(task_id task);

/* Pieces of clutter: 0, 0, 4, 8, 4, 8; 0 if invalid. */
int task_clutter_count(task_id task);

/* One piece of clutter as placed by task_generate_info. */
typedef struct task_clutter_piece {
    size_t src_index; /* pool image it was cut from (!= the digit's) */
    int src_x, src_y; /* top-left of the 8x8 cut inside that 28x28 image */
    int x, y;         /* top-left where it was pasted in the canvas */
} task_clutter_piece;

typedef struct task_info {
    int digit_x, digit_y; /* top-left of the digit's frame (28x28, or n x n
                             for the scaled tasks) in the canvas; for the
                             scaled tasks it may be negative or the frame
                             may extend past the canvas (cut) */
    int n_clutter;        /* task_clutter_count(task) */
    task_clutter_piece clutter[TASK_MAX_CLUTTER];
    /* The digit's size, for every task (1, 28 for the unscaled ones). */
    double scale;         /* the factor f the digit was resized by */
    int digit_side;       /* n: side of the digit's frame, ceil(28 f) */
    int ink_x, ink_y;     /* the digit's ink box in the canvas: top-left */
    int ink_w, ink_h;     /* and size (0 x 0 for a blank unscaled digit) */
} task_info;

/* Resizes a 28x28 digit by the factor f (TASK_SCALE_MIN <= f <=
 * TASK_SCALE_MAX, else TASK_E_ARG) into out[0 .. n*n), n = ceil(28 f)
 * (returned in *side, may be NULL): bilinear filtering with pixel centres
 * aligned, out(j, i) = the bilinear interpolation of the digit at
 * ((j + 0.5) / f - 0.5, (i + 0.5) / f - 0.5), pixels outside the 28x28
 * reading as 0, rounded to the nearest integer (halves up). out needs
 * TASK_MAX_SCALED_SIDE^2 bytes at most. */
int task_scale_digit(const uint8_t *digit, double f, uint8_t *out,
                     int *side);

/* Renders pool image digit_index as one example of `task` into
 * out[0 .. W*W) (row-major, 0 = black, 255 = ink), drawing from rng.
 * digit_x/digit_y (may be NULL) get the digit's top-left corner. */
int task_generate(task_id task, const uint8_t *src_images, size_t n_src,
                  size_t digit_index, example_rng *rng, uint8_t *out,
                  int *digit_x, int *digit_y);

/* Same as task_generate (same draws, same image) and also reports where
 * everything went in *info (may be NULL). */
int task_generate_info(task_id task, const uint8_t *src_images, size_t n_src,
                       size_t digit_index, example_rng *rng, uint8_t *out,
                       task_info *info);

/* A fixed, reproducible set: example i (0 <= i < count) renders pool image
 * k = first + i into out + i*W*W, with its own generator
 * example_rng_seed_stream(seed, k). So the images depend only on (task,
 * pool, seed, k): the same seed gives bit-identical images however the set
 * is split into calls (or threads), e.g. [0,5000) + [5000,10000) equals
 * [0,10000). digit_xy (may be NULL) gets 2*count ints: x, y of each. */
int task_generate_set(task_id task, const uint8_t *src_images, size_t n_src,
                      size_t first, size_t count, uint64_t seed, uint8_t *out,
                      int *digit_xy);

/* task_generate_set that also writes each example's task_info into
 * info[0 .. count) (may be NULL): for the scaled tasks, info[i].scale is
 * the true factor of example i, for a plot of the scale an agent chose
 * against the digit's size. Same images as task_generate_set. */
int task_generate_set_info(task_id task, const uint8_t *src_images,
                           size_t n_src, size_t first, size_t count,
                           uint64_t seed, uint8_t *out, task_info *info);

/* Short description of a TASK_E* code. */
const char *task_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_TASKS_H */
