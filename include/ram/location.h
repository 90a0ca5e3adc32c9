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
 *  pathwise gradient flows through l. ram_location_log_prob and
 *  ram_location_entropy give log pi and the entropy for losses of one's own.
 *  No call allocates after create.
 *
 *  Parameter layout: W [2 x H], b [2]; uniform in +-1/sqrt(H).
 *  Same grammar as ram_glimpse (see glimpse.h). Since 0.1.0. */
typedef struct ram_location ram_location;

/** Create. @param out receives the handle; NULL on error.
 *  @param input H, 1 .. RAM_MAX_UNITS. @param bound a ram_bound.
 *  @param seed seeds the weights and the sampling RNG. The std starts at
 *         the default of RAM_PARAM_LOCATION_STD (ram_param_default()).
 *  @return RAM_OK; RAM_E_INVALID (out NULL, unknown bound); RAM_E_RANGE
 *          (input out of bounds); RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_location_create(ram_location **out, size_t input, int bound,
                                uint64_t seed);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_location_free(ram_location *net);

/** Input size and bound as created; outputs may be NULL.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_location_shape(const ram_location *net, size_t *input,
                               int *bound);

/** Flat parameters and gradients; see ram_glimpse_params.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_location_params(ram_location *net, float **params,
                                float **grads, size_t *count);

/** Set every gradient to 0.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_location_zero_grad(ram_location *net);

/** Set the standard deviation, in (0, RAM_LOCATION_MAX_STD].
 *  @return RAM_OK; RAM_E_INVALID (net NULL); RAM_E_RANGE (std out of
 *          bounds, also for NaN). Since 0.1.0. */
RAM_API int ram_location_set_std(ram_location *net, double std);

/** Read the standard deviation.
 *  @return RAM_OK or RAM_E_INVALID (net or std NULL). Since 0.1.0. */
RAM_API int ram_location_get_std(const ram_location *net, double *std);

/** Reseed the sampling RNG.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_location_seed(ram_location *net, uint64_t seed);

/** mean = bound(W h + b) over n rows. @param h n x H (NULL for zeros, which
 *  gives bound(b)). @param mean n x 2 output.
 *  @return RAM_OK; RAM_E_INVALID (net or mean NULL); RAM_E_RANGE (n is 0
 *          or above RAM_MAX_ROWS). Since 0.1.0. */
RAM_API int ram_location_forward(const ram_location *net, size_t n,
                                 const float *h, float *mean);

/** Sample n locations around `mean` with the handle's RNG.
 *  @param mean  n x 2, finite.
 *  @param raw   n x 2 output: the unclamped sample (keep it for the
 *               gradient), or NULL.
 *  @param loc   n x 2 output: the sample clamped to [-1, 1].
 *  @param logp  n output: log pi(raw | mean), or NULL.
 *  @return RAM_OK; RAM_E_INVALID (net, mean or loc NULL); RAM_E_RANGE (n
 *          is 0 or above RAM_MAX_ROWS); RAM_E_NONFINITE (NaN/Inf in mean;
 *          the RNG has not moved). Since 0.1.0. */
RAM_API int ram_location_sample(ram_location *net, size_t n, const float *mean,
                                float *raw, float *loc, float *logp);

/** The score function scaled per row:
 *    dmean[r] = coef[r] * (raw[r] - mean[r]) / sigma^2,
 *  i.e. coef times d log pi / d mean. For REINFORCE with a loss
 *  -(R - b) log pi averaged over a batch of B, pass coef = -(R - b) / B.
 *  Writes (does not add).
 *  @return RAM_OK; RAM_E_INVALID (a NULL pointer); RAM_E_RANGE (n is 0 or
 *          above RAM_MAX_ROWS). Since 0.1.0. */
RAM_API int ram_location_score(const ram_location *net, size_t n,
                               const float *mean, const float *raw,
                               const float *coef, float *dmean);

/** Log-probability of raw samples and its gradient with respect to the
 *  mean, at the handle's std sigma:
 *    logp[r]  = sum_d [ -(raw_d - mean_d)^2 / (2 sigma^2) - log(sigma)
 *                       - log(2 pi)/2 ]    (as ram_location_sample gives)
 *    dmean[r] = d logp[r] / d mean[r] = (raw[r] - mean[r]) / sigma^2.
 *  Both are of the unclamped (raw) sample. Writes.
 *  @param net    the network (for sigma).
 *  @param n      rows.
 *  @param mean   n x 2.
 *  @param raw    n x 2 raw samples.
 *  @param logp   n outputs, or NULL.
 *  @param dmean  n x 2 outputs, or NULL (not both NULL).
 *  @return RAM_OK; RAM_E_INVALID (net, mean or raw NULL, or both outputs
 *          NULL); RAM_E_RANGE (n is 0 or above RAM_MAX_ROWS).
 *  Since 0.2.0. */
RAM_API int ram_location_log_prob(const ram_location *net, size_t n,
                                  const float *mean, const float *raw,
                                  float *logp, float *dmean);

/** Entropy of the policy (of the raw sample) in nats, the same for every
 *  row: log(2 pi e) + 2 log(sigma). It does not depend on the mean, so no
 *  gradient reaches W and b (d entropy / d sigma = 2 / sigma).
 *  @param net      the network.
 *  @param entropy  output.
 *  @return RAM_OK or RAM_E_INVALID (net or entropy NULL). Since 0.2.0. */
RAM_API int ram_location_entropy(const ram_location *net, double *entropy);

/** Backward through mean = bound(W h + b): adds the parameter gradients
 *  and stores dh = beta * dh + dLoss/dh.
 *  @param h      n x H as passed to forward (NULL for zeros).
 *  @param mean   n x 2 as produced by forward.
 *  @param dmean  n x 2.   @param dh  n x H output, or NULL.
 *  @param beta   0 writes dh, 1 adds into it; any finite value scales its
 *                old content first.
 *  @return RAM_OK; RAM_E_INVALID (net, mean or dmean NULL); RAM_E_RANGE (n
 *          is 0 or above RAM_MAX_ROWS, beta not finite).
 *  Since 0.1.0; beta since 0.2.0. */
RAM_API int ram_location_backward(ram_location *net, size_t n, const float *h,
                                  const float *mean, const float *dmean,
                                  float *dh, float beta);

#ifdef __cplusplus
}
#endif

#endif /* RAM_LOCATION_H */
