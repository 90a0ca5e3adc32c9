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
 *  Same grammar as ram_glimpse (see glimpse.h). Since 0.1.0. */
typedef struct ram_baseline ram_baseline;

/** Create. @param input H. @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE,
 *  RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_baseline_create(ram_baseline **out, size_t input,
                                uint64_t seed);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_baseline_free(ram_baseline *net);

/** Input size as created. Since 0.1.0. */
RAM_API int ram_baseline_shape(const ram_baseline *net, size_t *input);

/** Flat parameters and gradients; see ram_glimpse_params. Since 0.1.0. */
RAM_API int ram_baseline_params(ram_baseline *net, float **params,
                                float **grads, size_t *count);

/** Set every gradient to 0. Since 0.1.0. */
RAM_API int ram_baseline_zero_grad(ram_baseline *net);

/** b = w . h + c over n rows. @param h n x H (NULL for zeros).
 *  @param b n output. Since 0.1.0. */
RAM_API int ram_baseline_forward(const ram_baseline *net, size_t n,
                                 const float *h, float *b);

/** Squared error: loss = scale * sum_r (b[r] - target[r])^2 / 2 and
 *  db = scale * (b - target). Writes db. loss may be NULL.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE (n, or a non-finite scale).
 *  Since 0.1.0. */
RAM_API int ram_baseline_mse(const ram_baseline *net, size_t n,
                             const float *b, const float *target,
                             double scale, float *db, double *loss);

/** Backward: adds the parameter gradients. @param h n x H (NULL for zeros).
 *  @param db n.  @param dh n x H output or NULL. Since 0.1.0. */
RAM_API int ram_baseline_backward(ram_baseline *net, size_t n, const float *h,
                                  const float *db, float *dh);

#ifdef __cplusplus
}
#endif

#endif /* RAM_BASELINE_H */
