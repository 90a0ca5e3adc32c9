/* libram: the core network (ReLU RNN or LSTM). */
#ifndef RAM_CORE_H
#define RAM_CORE_H

#include "ram/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Core types. Values are pinned. */
typedef enum ram_core_type {
    RAM_CORE_RNN = 1, /**< h_t = ReLU(W_x x_t + W_h h_{t-1} + b) (paper). */
    RAM_CORE_LSTM = 2 /**< LSTM without peepholes; gates i, f, g, o. */
} ram_core_type;

/** Opaque core network. Same grammar as ram_glimpse (see glimpse.h).
 *
 *  The LSTM: [i f g o] = W_x x_t + W_h h_{t-1} + b; i, f, o sigmoid, g tanh;
 *  c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t).
 *
 *  Parameter layout: W_x [M x I], W_h [M x H], b [M], with M = H for the RNN
 *  and M = 4H for the LSTM (rows in gate order i, f, g, o). Weights and
 *  biases uniform in +-1/sqrt(H); the LSTM forget-gate biases start at 1.
 *
 *  Sequences are step-major: element (t, r, j) of a T-step, n-row sequence of
 *  width w is at index (t * n + r) * w + j, so that all T steps form one
 *  contiguous (T*n) x w matrix.
 *  Since 0.1.0. */
typedef struct ram_core ram_core;

/** Create a core.
 *  @param type    a ram_core_type.
 *  @param input   I, the size of x (the glimpse network's output G).
 *  @param hidden  H (paper: 256). Sizes 1 .. RAM_MAX_UNITS.
 *  @param seed    seeds the initial weights.
 *  @param out     receives the handle; NULL on error.
 *  @return RAM_OK; RAM_E_INVALID (out NULL, unknown type); RAM_E_RANGE (a
 *          size out of bounds); RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_core_create(ram_core **out, int type, size_t input,
                            size_t hidden, uint64_t seed);

/** Free (with the workspace). NULL is a no-op. Since 0.1.0. */
RAM_API void ram_core_free(ram_core *core);

/** Reserve a workspace for calls over up to max_rows rows per step:
 *  afterwards ram_core_forward (with or without a tape) and
 *  ram_core_backward over n <= max_rows rows (any number of steps) allocate
 *  nothing. max_rows = 0 frees it. The workspace holds max_rows * 4H floats
 *  for the LSTM, max_rows * 2H for the RNN, and replaces any earlier one.
 *  @param core      the core.
 *  @param max_rows  0 .. RAM_MAX_ROWS.
 *  @return RAM_OK; RAM_E_INVALID (core NULL); RAM_E_RANGE (max_rows above
 *          RAM_MAX_ROWS); RAM_E_NOMEM (the old workspace is kept).
 *  Since 0.2.0. */
RAM_API int ram_core_reserve(ram_core *core, size_t max_rows);

/** Type and sizes as created; any output may be NULL.
 *  @return RAM_OK or RAM_E_INVALID (core NULL). Since 0.1.0. */
RAM_API int ram_core_shape(const ram_core *core, int *type, size_t *input,
                           size_t *hidden);

/** Tape floats per row per step: H for the RNN (scratch for backward; the
 *  RNN's forward does not fill it), 5H for the LSTM (the gates i, f, g, o
 *  and tanh(c_t)). 0 for NULL. Since 0.1.0. */
RAM_API size_t ram_core_tape_size(const ram_core *core);

/** Flat parameters and gradients; see ram_glimpse_params.
 *  @return RAM_OK or RAM_E_INVALID (core NULL). Since 0.1.0. */
RAM_API int ram_core_params(ram_core *core, float **params, float **grads,
                            size_t *count);

/** Set every gradient to 0.
 *  @return RAM_OK or RAM_E_INVALID (core NULL). Since 0.1.0. */
RAM_API int ram_core_zero_grad(ram_core *core);

/** One step over n rows.
 *  @param h_prev  n x H, or NULL for zeros (the product is skipped).
 *  @param c_prev  n x H (LSTM), or NULL for zeros; ignored by the RNN.
 *  @param x       n x I.
 *  @param h       n x H output.  @param c  n x H output (LSTM; must be
 *                 non-NULL for the LSTM, ignored by the RNN).
 *  @param tape    n x tape_size output, or NULL if no backward follows
 *                 (the LSTM then uses the reserved workspace, or if n is
 *                 above it an allocated scratch).
 *  @return RAM_OK; RAM_E_INVALID (core, x or h NULL, c NULL for the LSTM);
 *          RAM_E_RANGE (n is 0 or above RAM_MAX_ROWS); RAM_E_NOMEM (LSTM,
 *          tape NULL and n above the reserved rows: the scratch allocation
 *          failed). Since 0.1.0. */
RAM_API int ram_core_forward(const ram_core *core, size_t n,
                             const float *h_prev, const float *c_prev,
                             const float *x, float *h, float *c, float *tape);

/** Backpropagation through time over a whole T-step sequence of n rows
 *  whose steps were computed by ram_core_forward, step t's tape at
 *  tape + t * n * tape_size. Adds the parameter gradients (each weight
 *  gradient is one matrix product over all T*n rows) and stores the input
 *  gradients with beta: dx = beta * dx + dLoss/dx, likewise dh0 and dc0.
 *  @param steps   T, >= 1, with T * n <= RAM_MAX_ROWS.
 *  @param n       rows per step.
 *  @param h0      n x H, the initial state h passed to step 0 (NULL for
 *                 zeros).
 *  @param c0      n x H, the initial cell c (LSTM; NULL for zeros).
 *  @param x       T x n x I, the inputs, step-major.
 *  @param h       T x n x H, the outputs h_t.
 *  @param c       T x n x H, the cells c_t (ignored by the RNN).
 *  @param tape    T x n x tape_size. Overwritten: run the forward again
 *                 before another backward.
 *  @param dh      T x n x H: the loss gradient arriving at each h_t from
 *                 outside the core (heads), not through the recurrence.
 *  @param dx      T x n x I output, or NULL.
 *  @param dh0     n x H output (gradient w.r.t. h0), or NULL.
 *  @param dc0     n x H output (gradient w.r.t. c0; LSTM), or NULL.
 *  @param beta    0 writes dx, dh0 and dc0; 1 adds into them; any finite
 *                 value scales their old content first.
 *  @return RAM_OK; RAM_E_INVALID (core, x, h, tape or dh NULL, c NULL for
 *          the LSTM); RAM_E_RANGE (n or steps 0, T * n above RAM_MAX_ROWS,
 *          beta not finite); RAM_E_NOMEM (n above the reserved rows: the
 *          scratch allocation failed; nothing was changed).
 *  Since 0.1.0; beta since 0.2.0. */
RAM_API int ram_core_backward(ram_core *core, size_t steps, size_t n,
                              const float *h0, const float *c0,
                              const float *x, const float *h, const float *c,
                              float *tape, const float *dh, float *dx,
                              float *dh0, float *dc0, float beta);

#ifdef __cplusplus
}
#endif

#endif /* RAM_CORE_H */
