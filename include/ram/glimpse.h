/* libram: the glimpse network. */
#ifndef RAM_GLIMPSE_H
#define RAM_GLIMPSE_H

#include "ram/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque glimpse network:
 *    h_g = ReLU(W_what rho + b_what)            (what: size Hg)
 *    h_l = ReLU(W_where l + b_where)            (where: size Hl)
 *    g   = ReLU(W_out [h_g ; h_l] + b_out)      (output: size G)
 *  which is the paper's g = Rect(Linear(h_g) + Linear(h_l)) with the two
 *  output layers fused into one. rho comes from a ram_sensor, l is the
 *  location (2 floats).
 *
 *  All networks share one grammar: create/free, a flat parameter array and a
 *  gradient array of the same length (ram_*_params), forward over n rows
 *  (row-major, one sample per row), and backward, which *adds* the parameter
 *  gradients into the gradient array and writes input gradients if asked.
 *  Forward and backward are explicit and stateless apart from the gradient
 *  array: what backward needs that is not an input or output is kept in a
 *  caller-owned "tape" of ram_*_tape_size() floats per row.
 *
 *  Thread safety: one handle, one thread at a time; different handles may run
 *  concurrently; forward only reads the handle.
 *
 *  Parameter layout (row-major, in this order):
 *    W_what [Hg x R], b_what [Hg], W_where [Hl x 2], b_where [Hl],
 *    W_out [G x (Hg + Hl)] (columns 0..Hg-1 act on h_g), b_out [G].
 *  Initialisation: every weight and bias uniform in +-1/sqrt(fan_in), drawn
 *  from the handle's RNG seeded with `seed`.
 *  Since 0.1.0. */
typedef struct ram_glimpse ram_glimpse;

/** Create a glimpse network.
 *  @param out     receives the handle; NULL on error.
 *  @param input   R, the size of rho (ram_sensor_output_size()).
 *  @param what    Hg (paper: 128).   @param where  Hl (paper: 128).
 *  @param output  G (paper: 256).    Each size 1 .. RAM_MAX_UNITS.
 *  @param seed    seeds the initial weights.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE, RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_glimpse_create(ram_glimpse **out, size_t input, size_t what,
                               size_t where, size_t output, uint64_t seed);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_glimpse_free(ram_glimpse *net);

/** Sizes as created; any output pointer may be NULL.
 *  @return RAM_OK or RAM_E_INVALID. Since 0.1.0. */
RAM_API int ram_glimpse_shape(const ram_glimpse *net, size_t *input,
                              size_t *what, size_t *where, size_t *output);

/** Tape floats per row: Hg + Hl. 0 for NULL. Since 0.1.0. */
RAM_API size_t ram_glimpse_tape_size(const ram_glimpse *net);

/** The flat parameter and gradient arrays (owned by the handle, valid until
 *  it is freed) and their common length. Any output may be NULL.
 *  @return RAM_OK or RAM_E_INVALID. Since 0.1.0. */
RAM_API int ram_glimpse_params(ram_glimpse *net, float **params,
                               float **grads, size_t *count);

/** Set every gradient to 0. @return RAM_OK or RAM_E_INVALID. Since 0.1.0. */
RAM_API int ram_glimpse_zero_grad(ram_glimpse *net);

/** Forward over n rows.
 *  @param rho   n x R.   @param loc  n x 2.   @param g  n x G (output).
 *  @param tape  n x tape_size (output; may be NULL if no backward follows).
 *  @return RAM_OK, RAM_E_INVALID (NULL), RAM_E_RANGE (n is 0 or above
 *          RAM_MAX_ROWS), RAM_E_NOMEM (tape NULL: scratch is allocated).
 *          Inputs are not scanned for NaN. Since 0.1.0. */
RAM_API int ram_glimpse_forward(const ram_glimpse *net, size_t n,
                                const float *rho, const float *loc, float *g,
                                float *tape);

/** Backward over n rows: adds dLoss/dparams into the gradient array.
 *  @param rho   n x R, as passed to forward.
 *  @param loc   n x 2, as passed to forward.
 *  @param g     n x G, as produced by forward.
 *  @param tape  n x tape_size, as produced by forward.
 *  @param dg    n x G, dLoss/dg.
 *  @param drho  n x R output, or NULL.  @param dloc  n x 2 output, or NULL.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE. Since 0.1.0. */
RAM_API int ram_glimpse_backward(ram_glimpse *net, size_t n, const float *rho,
                                 const float *loc, const float *g,
                                 const float *tape, const float *dg,
                                 float *drho, float *dloc);

#ifdef __cplusplus
}
#endif

#endif /* RAM_GLIMPSE_H */
