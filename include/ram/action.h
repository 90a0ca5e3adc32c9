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
 *  REINFORCE (the Catch game). ram_action_log_prob and ram_action_entropy
 *  give log p and the entropy for losses of one's own. No call allocates
 *  after create.
 *
 *  Parameter layout: W [A x H], b [A]; uniform in +-1/sqrt(H).
 *  Same grammar as ram_glimpse (see glimpse.h). Since 0.1.0. */
typedef struct ram_action ram_action;

/** Largest number of actions. */
#define RAM_MAX_ACTIONS 65536

/** Create. @param out receives the handle; NULL on error.
 *  @param input H, 1 .. RAM_MAX_UNITS. @param actions A, 2 .. RAM_MAX_ACTIONS.
 *  @param seed seeds the weights and the sampling RNG.
 *  @return RAM_OK; RAM_E_INVALID (out NULL); RAM_E_RANGE (a size out of
 *          bounds); RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_action_create(ram_action **out, size_t input, size_t actions,
                              uint64_t seed);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_action_free(ram_action *net);

/** Sizes as created; outputs may be NULL.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_action_shape(const ram_action *net, size_t *input,
                             size_t *actions);

/** Flat parameters and gradients; see ram_glimpse_params.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_action_params(ram_action *net, float **params, float **grads,
                              size_t *count);

/** Set every gradient to 0.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_action_zero_grad(ram_action *net);

/** Reseed the sampling RNG.
 *  @return RAM_OK or RAM_E_INVALID (net NULL). Since 0.1.0. */
RAM_API int ram_action_seed(ram_action *net, uint64_t seed);

/** probs = softmax(W h + b) over n rows (computed stably).
 *  @param h n x H.  @param probs n x A output.
 *  @return RAM_OK; RAM_E_INVALID (net, h or probs NULL); RAM_E_RANGE (n is
 *          0 or above RAM_MAX_ROWS). Since 0.1.0. */
RAM_API int ram_action_forward(const ram_action *net, size_t n, const float *h,
                               float *probs);

/** Sample one action per row from `probs` with the handle's RNG.
 *  @param probs n x A, each row non-negative and finite; a row need not sum
 *               to 1 (it is sampled in proportion), and a zero entry is
 *               never drawn.
 *  @param actions n output.
 *  @return RAM_OK; RAM_E_INVALID (net, probs or actions NULL); RAM_E_RANGE
 *          (n is 0 or above RAM_MAX_ROWS, a negative entry or an all-zero
 *          row); RAM_E_NONFINITE (NaN/Inf in probs). On error the RNG has
 *          not moved. Since 0.1.0. */
RAM_API int ram_action_sample(ram_action *net, size_t n, const float *probs,
                              int *actions);

/** Cross-entropy: loss = -scale * sum_r log probs[r][labels[r]], and
 *  dlogits = scale * (probs - onehot(labels)). Pass scale = 1/B for the
 *  batch mean.
 *  @param labels n values in [0, A).  @param dlogits n x A output (written).
 *  @param loss   output, or NULL.
 *  @return RAM_OK; RAM_E_INVALID (net, probs, labels or dlogits NULL);
 *          RAM_E_RANGE (n is 0 or above RAM_MAX_ROWS, a label, or a
 *          non-finite scale). Since 0.1.0. */
RAM_API int ram_action_xent(const ram_action *net, size_t n,
                            const float *probs, const int *labels,
                            double scale, float *dlogits, double *loss);

/** The score function scaled per row:
 *    dlogits[r] = coef[r] * (onehot(actions[r]) - probs[r]),
 *  i.e. coef times d log p(action) / d logits. For REINFORCE with a loss
 *  -(R - b) log p averaged over B, pass coef = -(R - b) / B. Writes.
 *  @return RAM_OK; RAM_E_INVALID (a NULL pointer); RAM_E_RANGE (n is 0 or
 *          above RAM_MAX_ROWS, an action outside [0, A)). Since 0.1.0. */
RAM_API int ram_action_score(const ram_action *net, size_t n,
                             const float *probs, const int *actions,
                             const float *coef, float *dlogits);

/** Log-probability of chosen actions and its gradient with respect to the
 *  logits z (probs = softmax(z)):
 *    logp[r]    = log probs[r][actions[r]]  (a probability below 1e-30
 *                 counts as 1e-30, as in ram_action_xent)
 *    dlogits[r] = d logp[r] / d z[r] = onehot(actions[r]) - probs[r].
 *  Writes.
 *  @param net      the network (for A).
 *  @param n        rows.
 *  @param probs    n x A, as ram_action_forward gives.
 *  @param actions  n values in [0, A).
 *  @param logp     n outputs, or NULL.
 *  @param dlogits  n x A outputs, or NULL (not both NULL).
 *  @return RAM_OK; RAM_E_INVALID (net, probs or actions NULL, or both
 *          outputs NULL); RAM_E_RANGE (n is 0 or above RAM_MAX_ROWS, an
 *          action outside [0, A)). Since 0.2.0. */
RAM_API int ram_action_log_prob(const ram_action *net, size_t n,
                                const float *probs, const int *actions,
                                float *logp, float *dlogits);

/** Entropy of each row's distribution, in nats, and its gradient with
 *  respect to the logits:
 *    entropy[r]    = -sum_j p_j log p_j            (0 log 0 = 0)
 *    dlogits[r][j] = -p_j (log p_j + entropy[r])  (0 where p_j = 0).
 *  Writes. For an entropy bonus beta_H * H in a loss to be minimised, add
 *  -beta_H * dlogits to the loss gradient.
 *  @param net      the network (for A).
 *  @param n        rows.
 *  @param probs    n x A, as ram_action_forward gives.
 *  @param entropy  n outputs, or NULL.
 *  @param dlogits  n x A outputs, or NULL (not both NULL).
 *  @return RAM_OK; RAM_E_INVALID (net or probs NULL, or both outputs NULL);
 *          RAM_E_RANGE (n is 0 or above RAM_MAX_ROWS). Since 0.2.0. */
RAM_API int ram_action_entropy(const ram_action *net, size_t n,
                               const float *probs, float *entropy,
                               float *dlogits);

/** Backward through logits = W h + b: adds the parameter gradients and
 *  stores dh = beta * dh + dLoss/dh.
 *  @param h n x H.  @param dlogits n x A.  @param dh n x H output or NULL.
 *  @param beta 0 writes dh, 1 adds into it; any finite value scales its old
 *              content first.
 *  @return RAM_OK; RAM_E_INVALID (net, h or dlogits NULL); RAM_E_RANGE (n
 *          is 0 or above RAM_MAX_ROWS, beta not finite).
 *  Since 0.1.0; beta since 0.2.0. */
RAM_API int ram_action_backward(ram_action *net, size_t n, const float *h,
                                const float *dlogits, float *dh, float beta);

#ifdef __cplusplus
}
#endif

#endif /* RAM_ACTION_H */
