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
 *  gradients into the gradient array and stores input gradients if asked,
 *  BLAS-style: dx = beta * dx + dLoss/dx, where beta = 0 writes dx (its old
 *  content is never read, NaN included) and beta = 1 adds into it, so that
 *  several heads can add their gradients into one buffer. Forward and
 *  backward are explicit and stateless apart from the gradient array: what
 *  backward needs that is not an input or output is kept in a caller-owned
 *  "tape" of ram_*_tape_size() floats per row.
 *
 *  Allocation: create allocates; the sensor, location, action and baseline
 *  calls never allocate after it. The glimpse and core networks need scratch
 *  for backward, and the glimpse network and the LSTM for forward without a
 *  tape: after
 *  ram_glimpse_reserve() / ram_core_reserve() for up to m rows, every call
 *  over n <= m rows uses that workspace and allocates nothing; a call over
 *  more rows (or without a reservation) allocates its scratch and frees it
 *  before returning, as in 0.1.
 *
 *  Thread safety: one handle, one thread at a time; different handles may run
 *  concurrently. A forward call that is given a tape only reads the handle
 *  (several threads may run such calls on one handle at once); one without
 *  a tape may use the handle's workspace.
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
 *  @return RAM_OK; RAM_E_INVALID (out NULL); RAM_E_RANGE (a size out of
 *          bounds); RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_glimpse_create(ram_glimpse **out, size_t input, size_t what,
                               size_t where, size_t output, uint64_t seed);

/** Free (with the workspace). NULL is a no-op. Since 0.1.0. */
RAM_API void ram_glimpse_free(ram_glimpse *net);

/** Reserve a workspace for calls over up to max_rows rows: afterwards
 *  ram_glimpse_forward (with or without a tape) and ram_glimpse_backward
 *  over n <= max_rows rows allocate nothing. max_rows = 0 frees the
 *  workspace. The workspace holds max_rows * (G + Hg + Hl) floats and
 *  replaces any earlier one (shrinking too).
 *  @param net       the network.
 *  @param max_rows  0 .. RAM_MAX_ROWS.
 *  @return RAM_OK; RAM_E_INVALID (net NULL); RAM_E_RANGE (max_rows above
 *          RAM_MAX_ROWS); RAM_E_NOMEM (the old workspace is kept).
 *  Since 0.2.0. */
RAM_API int ram_glimpse_reserve(ram_glimpse *net, size_t max_rows);

/** Sizes as created; any output pointer may be NULL.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_glimpse_shape(const ram_glimpse *net, size_t *input,
                              size_t *what, size_t *where, size_t *output);

/** Tape floats per row: Hg + Hl. 0 for NULL. Since 0.1.0. */
RAM_API size_t ram_glimpse_tape_size(const ram_glimpse *net);

/** The flat parameter and gradient arrays (owned by the handle, valid until
 *  it is freed) and their common length. Any output may be NULL.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_glimpse_params(ram_glimpse *net, float **params,
                               float **grads, size_t *count);

/** Set every gradient to 0.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_glimpse_zero_grad(ram_glimpse *net);

/** Forward over n rows.
 *  @param rho   n x R.   @param loc  n x 2.   @param g  n x G (output).
 *  @param tape  n x tape_size (output; may be NULL if no backward follows:
 *               then the reserved workspace, or if n is above it an
 *               allocated scratch, takes its place).
 *  @return RAM_OK; RAM_E_INVALID (net, rho, loc or g NULL); RAM_E_RANGE
 *          (n is 0 or above RAM_MAX_ROWS); RAM_E_NOMEM (tape NULL and n
 *          above the reserved rows: the scratch allocation failed).
 *          Inputs are not scanned for NaN. Since 0.1.0. */
RAM_API int ram_glimpse_forward(const ram_glimpse *net, size_t n,
                                const float *rho, const float *loc, float *g,
                                float *tape);

/** Backward over n rows: adds dLoss/dparams into the gradient array and
 *  stores the input gradients with beta (drho = beta * drho + dLoss/drho,
 *  likewise dloc).
 *  @param rho   n x R, as passed to forward.
 *  @param loc   n x 2, as passed to forward.
 *  @param g     n x G, as produced by forward.
 *  @param tape  n x tape_size, as produced by forward.
 *  @param dg    n x G, dLoss/dg.
 *  @param drho  n x R output, or NULL.
 *  @param dloc  n x 2 output, or NULL.
 *  @param beta  0 writes drho and dloc, 1 adds into them; any finite value
 *               scales their old content first.
 *  @return RAM_OK; RAM_E_INVALID (net, rho, loc, g, tape or dg NULL);
 *          RAM_E_RANGE (n is 0 or above RAM_MAX_ROWS, beta not finite);
 *          RAM_E_NOMEM (n above the reserved rows: the scratch allocation
 *          failed; nothing was changed).
 *  Since 0.1.0; beta since 0.2.0. */
RAM_API int ram_glimpse_backward(ram_glimpse *net, size_t n, const float *rho,
                                 const float *loc, const float *g,
                                 const float *tape, const float *dg,
                                 float *drho, float *dloc, float beta);

#ifdef __cplusplus
}
#endif

#endif /* RAM_GLIMPSE_H */
