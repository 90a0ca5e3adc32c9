/* libram: the action network (linear softmax). */
#ifndef RAM_ACTION_H
#define RAM_ACTION_H

#include "ram/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque action network: p = softmax(W h + b) over A actions. Used two
 *  ways: as a classifier trained by cross-entropy (the paper's hybrid loss),
 *  and as a discrete control policy that is sampled and trained by
 *  REINFORCE (the Catch game).
 *
 *  Parameter layout: W [A x H], b [A]; uniform in +-1/sqrt(H).
 *  Same grammar as ram_glimpse (see glimpse.h). Since 0.1.0. */
typedef struct ram_action ram_action;

/** Largest number of actions. */
#define RAM_MAX_ACTIONS 65536

/** Create. @param input H. @param actions A, 2 .. RAM_MAX_ACTIONS.
 *  @param seed seeds the weights and the sampling RNG.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE, RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_action_create(ram_action **out, size_t input, size_t actions,
                              uint64_t seed);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_action_free(ram_action *net);

/** Sizes as created; outputs may be NULL. Since 0.1.0. */
RAM_API int ram_action_shape(const ram_action *net, size_t *input,
                             size_t *actions);

/** Flat parameters and gradients; see ram_glimpse_params. Since 0.1.0. */
RAM_API int ram_action_params(ram_action *net, float **params, float **grads,
                              size_t *count);

/** Set every gradient to 0. Since 0.1.0. */
RAM_API int ram_action_zero_grad(ram_action *net);

/** Reseed the sampling RNG. Since 0.1.0. */
RAM_API int ram_action_seed(ram_action *net, uint64_t seed);

/** probs = softmax(W h + b) over n rows (computed stably).
 *  @param h n x H.  @param probs n x A output. Since 0.1.0. */
RAM_API int ram_action_forward(const ram_action *net, size_t n, const float *h,
                               float *probs);

/** Sample one action per row from `probs` with the handle's RNG.
 *  @param probs n x A, each row non-negative and finite; a row need not sum
 *               to 1 (it is sampled in proportion), and a zero entry is
 *               never drawn.
 *  @param actions n output.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE (a negative entry or an
 *          all-zero row), RAM_E_NONFINITE. Since 0.1.0. */
RAM_API int ram_action_sample(ram_action *net, size_t n, const float *probs,
                              int *actions);

/** Cross-entropy: loss = -scale * sum_r log probs[r][labels[r]], and
 *  dlogits = scale * (probs - onehot(labels)). Pass scale = 1/B for the
 *  batch mean.
 *  @param labels n values in [0, A).  @param dlogits n x A output (written).
 *  @param loss   output, or NULL.
 *  @return RAM_OK, RAM_E_INVALID, RAM_E_RANGE (a label, or a non-finite
 *          scale). Since 0.1.0. */
RAM_API int ram_action_xent(const ram_action *net, size_t n,
                            const float *probs, const int *labels,
                            double scale, float *dlogits, double *loss);

/** The score function scaled per row:
 *    dlogits[r] = coef[r] * (onehot(actions[r]) - probs[r]),
 *  i.e. coef times d log p(action) / d logits. For REINFORCE with a loss
 *  -(R - b) log p averaged over B, pass coef = -(R - b) / B. Writes.
 *  Since 0.1.0. */
RAM_API int ram_action_score(const ram_action *net, size_t n,
                             const float *probs, const int *actions,
                             const float *coef, float *dlogits);

/** Backward through logits = W h + b: adds the parameter gradients.
 *  @param h n x H.  @param dlogits n x A.  @param dh n x H output or NULL.
 *  Since 0.1.0. */
RAM_API int ram_action_backward(ram_action *net, size_t n, const float *h,
                                const float *dlogits, float *dh);

#ifdef __cplusplus
}
#endif

#endif /* RAM_ACTION_H */
