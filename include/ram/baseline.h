/* libram: the learned baseline. */
#ifndef RAM_BASELINE_H
#define RAM_BASELINE_H

#include "ram/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque baseline network: b = w . h + c, one scalar per row, fitted by
 *  squared error to the return and used, detached, inside the REINFORCE
 *  term. Parameter layout: w [H], c [1]; w starts at 0, c at 0.
 *  Same grammar as ram_glimpse (see glimpse.h). No call allocates after
 *  create. Since 0.1.0. */
typedef struct ram_baseline ram_baseline;

/** Create (all parameters 0: no seed).
 *  @param out    receives the handle; NULL on error.
 *  @param input  H, 1 .. RAM_MAX_UNITS.
 *  @return RAM_OK; RAM_E_INVALID (out NULL); RAM_E_RANGE (input out of
 *          bounds); RAM_E_NOMEM. Since 0.1.0; no seed since 0.2.0. */
RAM_API int ram_baseline_create(ram_baseline **out, size_t input);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_baseline_free(ram_baseline *net);

/** Input size as created (input may be NULL).
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_baseline_shape(const ram_baseline *net, size_t *input);

/** Flat parameters and gradients; see ram_glimpse_params.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_baseline_params(ram_baseline *net, float **params,
                                float **grads, size_t *count);

/** Set every gradient to 0.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_baseline_zero_grad(ram_baseline *net);

/** b = w . h + c over n rows. @param h n x H (NULL for zeros).
 *  @param b n output.
 *  @return RAM_OK; RAM_E_INVALID (net or b NULL); RAM_E_RANGE (n is 0 or
 *          above RAM_MAX_ROWS). Since 0.1.0. */
RAM_API int ram_baseline_forward(const ram_baseline *net, size_t n,
                                 const float *h, float *b);

/** Squared error: loss = scale * sum_r (b[r] - target[r])^2 / 2 and
 *  db = scale * (b - target). Writes db. loss may be NULL.
 *  @return RAM_OK; RAM_E_INVALID (net, b, target or db NULL); RAM_E_RANGE
 *          (n is 0 or above RAM_MAX_ROWS, or a non-finite scale).
 *  Since 0.1.0. */
RAM_API int ram_baseline_mse(const ram_baseline *net, size_t n,
                             const float *b, const float *target,
                             double scale, float *db, double *loss);

/** Backward: adds the parameter gradients and stores
 *  dh = beta * dh + dLoss/dh. @param h n x H (NULL for zeros).
 *  @param db n.  @param dh n x H output or NULL.
 *  @param beta 0 writes dh, 1 adds into it; any finite value scales its old
 *              content first.
 *  @return RAM_OK; RAM_E_INVALID (net or db NULL); RAM_E_RANGE (n is 0 or
 *          above RAM_MAX_ROWS, beta not finite).
 *  Since 0.1.0; beta since 0.2.0. */
RAM_API int ram_baseline_backward(ram_baseline *net, size_t n, const float *h,
                                  const float *db, float *dh, float beta);

#ifdef __cplusplus
}
#endif

#endif /* RAM_BASELINE_H */
