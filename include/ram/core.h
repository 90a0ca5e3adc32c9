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
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE, RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_core_create(ram_core **out, int type, size_t input,
                            size_t hidden, uint64_t seed);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_core_free(ram_core *core);

/** Type and sizes as created; any output may be NULL. Since 0.1.0. */
RAM_API int ram_core_shape(const ram_core *core, int *type, size_t *input,
                           size_t *hidden);

/** Tape floats per row per step: H for the RNN (scratch for backward; the
 *  RNN's forward does not fill it), 5H for the LSTM (the gates i, f, g, o
 *  and tanh(c_t)). 0 for NULL. Since 0.1.0. */
RAM_API size_t ram_core_tape_size(const ram_core *core);

/** Flat parameters and gradients; see ram_glimpse_params. Since 0.1.0. */
RAM_API int ram_core_params(ram_core *core, float **params, float **grads,
                            size_t *count);

/** Set every gradient to 0. Since 0.1.0. */
RAM_API int ram_core_zero_grad(ram_core *core);

/** One step over n rows.
 *  @param h_prev  n x H, or NULL for zeros (the product is skipped).
 *  @param c_prev  n x H (LSTM), or NULL for zeros; ignored by the RNN.
 *  @param x       n x I.
 *  @param h       n x H output.  @param c  n x H output (LSTM; must be
 *                 non-NULL for the LSTM, ignored by the RNN).
 *  @param tape    n x tape_size output, or NULL if no backward follows.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE, RAM_E_NOMEM (LSTM with tape
 *          NULL: scratch is allocated). Since 0.1.0. */
RAM_API int ram_core_forward(const ram_core *core, size_t n,
                             const float *h_prev, const float *c_prev,
                             const float *x, float *h, float *c, float *tape);

/** Backpropagation through time over a whole T-step sequence of n rows
 *  whose steps were computed by ram_core_forward, step t's tape at
 *  tape + t * n * tape_size. Adds the parameter gradients (each weight
 *  gradient is one matrix product over all T*n rows).
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
 *  @param dc0     n x H output (gradient w.r.t. c0), or NULL.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE. Since 0.1.0. */
RAM_API int ram_core_backward(ram_core *core, size_t steps, size_t n,
                              const float *h0, const float *c0,
                              const float *x, const float *h, const float *c,
                              float *tape, const float *dh, float *dx,
                              float *dh0, float *dc0);

#ifdef __cplusplus
}
#endif

#endif /* RAM_CORE_H */
