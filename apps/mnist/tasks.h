/* Image-classification tasks of Mnih et al. 2014, Section 4.1.
 *
 *   mnist28       the 28x28 digit as is.
 *   translated60  the 28x28 digit at a uniformly random integer position,
 *                 fully inside a black 60x60 canvas.
 *   cluttered60   translated60 plus 4 pieces of clutter.
 *   cluttered100  a 100x100 canvas with 8 pieces of clutter.
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
    TASK_COUNT = 4
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

/* "mnist28", "translated60", "cluttered60", "cluttered100" -> task_id;
 * TASK_INVALID for NULL or anything else (case-sensitive). */
task_id task_from_name(const char *name);

/* The task's name as above, or NULL for an invalid task. */
const char *task_name(task_id task);

/* "mnist28, translated60, cluttered60, cluttered100" (for usage text). */
const char *task_names(void);

/* Canvas side W (images are W x W bytes): 28, 60, 60, 100; 0 if invalid. */
int task_width(task_id task);

/* Pieces of clutter: 0, 0, 4, 8; 0 if invalid. */
int task_clutter_count(task_id task);

/* One piece of clutter as placed by task_generate_info. */
typedef struct task_clutter_piece {
    size_t src_index; /* pool image it was cut from (!= the digit's) */
    int src_x, src_y; /* top-left of the 8x8 cut inside that 28x28 image */
    int x, y;         /* top-left where it was pasted in the canvas */
} task_clutter_piece;

typedef struct task_info {
    int digit_x, digit_y; /* top-left of the 28x28 digit in the canvas */
    int n_clutter;        /* task_clutter_count(task) */
    task_clutter_piece clutter[TASK_MAX_CLUTTER];
} task_info;

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

/* Short description of a TASK_E* code. */
const char *task_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_TASKS_H */
