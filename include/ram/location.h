/* libram: the location network (Gaussian policy over glimpse locations). */
#ifndef RAM_LOCATION_H
#define RAM_LOCATION_H

#include "ram/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How the mean is bounded to [-1, 1]. Values are pinned. */
typedef enum ram_bound {
    RAM_BOUND_TANH = 1,    /**< mean = tanh(W h + b) */
    RAM_BOUND_HARDTANH = 2 /**< mean = clamp(W h + b, -1, 1) */
} ram_bound;

/** Largest location standard deviation. */
#define RAM_LOCATION_MAX_STD 4.0

/** Opaque location network: a two-dimensional Gaussian policy with a fixed,
 *  settable standard deviation sigma and a mean mu = bound(W h + b).
 *
 *  Sampling draws raw = mu + sigma * eps (eps standard normal, from the
 *  handle's own RNG) and returns the location l = clamp(raw, -1, 1). The
 *  log-probability is that of the raw sample:
 *    log pi = sum_d [ -(raw_d - mu_d)^2 / (2 sigma^2) - log(sigma) - log(2 pi)/2 ].
 *  The sample is detached: the only gradient that reaches W and b is the
 *  score function d log pi / d mu = (raw - mu) / sigma^2 (REINFORCE); no
 *  pathwise gradient flows through l.
 *
 *  Parameter layout: W [2 x H], b [2]; uniform in +-1/sqrt(H).
 *  Same grammar as ram_glimpse (see glimpse.h). Since 0.1.0. */
typedef struct ram_location ram_location;

/** Create. @param input H. @param bound a ram_bound. @param seed seeds the
 *  weights and the sampling RNG. The std starts at 0.1.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE, RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_location_create(ram_location **out, size_t input, int bound,
                                uint64_t seed);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_location_free(ram_location *net);

/** Input size and bound as created; outputs may be NULL. Since 0.1.0. */
RAM_API int ram_location_shape(const ram_location *net, size_t *input,
                               int *bound);

/** Flat parameters and gradients; see ram_glimpse_params. Since 0.1.0. */
RAM_API int ram_location_params(ram_location *net, float **params,
                                float **grads, size_t *count);

/** Set every gradient to 0. Since 0.1.0. */
RAM_API int ram_location_zero_grad(ram_location *net);

/** Set the standard deviation, in (0, RAM_LOCATION_MAX_STD].
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE (also for NaN). Since 0.1.0. */
RAM_API int ram_location_set_std(ram_location *net, double std);

/** Read the standard deviation. Since 0.1.0. */
RAM_API int ram_location_get_std(const ram_location *net, double *std);

/** Reseed the sampling RNG. Since 0.1.0. */
RAM_API int ram_location_seed(ram_location *net, uint64_t seed);

/** mean = bound(W h + b) over n rows. @param h n x H (NULL for zeros, which
 *  gives bound(b)). @param mean n x 2 output. Since 0.1.0. */
RAM_API int ram_location_forward(const ram_location *net, size_t n,
                                 const float *h, float *mean);

/** Sample n locations around `mean` with the handle's RNG.
 *  @param mean  n x 2, finite.
 *  @param raw   n x 2 output: the unclamped sample (keep it for the
 *               gradient), or NULL.
 *  @param loc   n x 2 output: the sample clamped to [-1, 1].
 *  @param logp  n output: log pi(raw | mean), or NULL.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE, RAM_E_NONFINITE. Since 0.1.0. */
RAM_API int ram_location_sample(ram_location *net, size_t n, const float *mean,
                                float *raw, float *loc, float *logp);

/** The score function scaled per row:
 *    dmean[r] = coef[r] * (raw[r] - mean[r]) / sigma^2,
 *  i.e. coef times d log pi / d mean. For REINFORCE with a loss
 *  -(R - b) log pi averaged over a batch of B, pass coef = -(R - b) / B.
 *  Writes (does not add). Since 0.1.0. */
RAM_API int ram_location_score(const ram_location *net, size_t n,
                               const float *mean, const float *raw,
                               const float *coef, float *dmean);

/** Backward through mean = bound(W h + b): adds the parameter gradients.
 *  @param h      n x H as passed to forward (NULL for zeros).
 *  @param mean   n x 2 as produced by forward.
 *  @param dmean  n x 2.   @param dh  n x H output, or NULL.
 *  Since 0.1.0. */
RAM_API int ram_location_backward(ram_location *net, size_t n, const float *h,
                                  const float *mean, const float *dmean,
                                  float *dh);

#ifdef __cplusplus
}
#endif

#endif /* RAM_LOCATION_H */
