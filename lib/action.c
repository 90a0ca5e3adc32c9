/* libram: the action network, p = softmax(W h + b) (see
 * include/ram/action.h, docs/networks.md). Parameters: W [A x H], b [A]. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Sampling streams are seeded from the user's seed through this constant,
 * so that they differ from the weight-initialisation stream. */
#define ACTION_SAMPLER_KEY UINT64_C(0x616374696f6e7321) /* "actions!" */

/* Smallest probability inside the log of the cross-entropy. */
#define XENT_TINY 1e-30

size_t ram__action_count(size_t in, size_t actions)
{
    return actions * in + actions;
}

void ram__action_init(struct ram_action *net, size_t in, size_t actions,
                      float *params, float *grads)
{
    net->in = in;
    net->actions = actions;
    net->count = ram__action_count(in, actions);
    net->params = params;
    net->grads = grads;
    net->owned = 0;
    ram__rng_seed(&net->rng, 0);
}

void ram__action_reset(struct ram_action *net, ram_rng *rng)
{
    float a = (float)(1.0 / sqrt((double)net->in));
    for (size_t i = 0; i < net->count; i++)
        net->params[i] = ram__rng_symmetric(rng, a);
}

void ram__action_fwd(const struct ram_action *net, size_t n, const float *h,
                     float *probs)
{
    size_t A = net->actions;
    const float *w = net->params, *b = w + A * net->in;

    ram__linear_fwd(n, net->in, A, h, net->in, w, b, probs, A, 0);
    for (size_t r = 0; r < n; r++) {
        float *p = probs + r * A;
        float mx = p[0];
        double sum = 0.0;
        for (size_t j = 1; j < A; j++)
            mx = p[j] > mx ? p[j] : mx;
        for (size_t j = 0; j < A; j++) {
            p[j] = expf(p[j] - mx);
            sum += p[j];
        }
        float inv = (float)(1.0 / sum);
        for (size_t j = 0; j < A; j++)
            p[j] *= inv;
    }
}

void ram__action_sample(size_t n, size_t actions, const float *probs,
                        ram_rng *rng, int *out)
{
    for (size_t r = 0; r < n; r++) {
        const float *p = probs + r * actions;
        double total = 0.0, u, acc = 0.0;
        size_t last = 0, k;
        for (size_t j = 0; j < actions; j++) {
            total += p[j];
            if (p[j] > 0.0f)
                last = j;
        }
        u = ram__rng_uniform(rng) * total;
        /* Rounding may leave u >= the final partial sum: the last index
         * with non-zero probability then takes it. */
        for (k = 0; k < last; k++) {
            acc += p[k];
            if (u < acc)
                break;
        }
        out[r] = (int)k;
    }
}

void ram__action_argmax(size_t n, size_t actions, const float *probs,
                        int *out)
{
    for (size_t r = 0; r < n; r++) {
        const float *p = probs + r * actions;
        size_t best = 0;
        for (size_t j = 1; j < actions; j++)
            if (p[j] > p[best])
                best = j;
        out[r] = (int)best;
    }
}

void ram__action_bwd(struct ram_action *net, size_t n, const float *h,
                     const float *dlogits, float *dh)
{
    ram__action_bwd_beta(net, n, h, dlogits, dh, 0.0f);
}

void ram__action_bwd_beta(struct ram_action *net, size_t n, const float *h,
                          const float *dlogits, float *dh, float beta)
{
    size_t A = net->actions;
    const float *w = net->params;
    float *gw = net->grads, *gb = gw + A * net->in;

    ram__linear_bwd_params(n, net->in, A, h, net->in, dlogits, A, gw, gb);
    if (dh)
        ram__linear_bwd_input(n, net->in, A, dlogits, A, w, dh, net->in,
                              ram__beta_prep(dh, n * net->in, beta));
}

double ram__action_entropy_row(const float *p, size_t actions)
{
    double e = 0.0;
    for (size_t j = 0; j < actions; j++)
        if (p[j] > 0.0f)
            e -= (double)p[j] * log((double)p[j]);
    return e;
}

/* ------------------------------------------------------------- public */

#define ROWS_CHECK(n)                                                          \
    do {                                                                       \
        if (!ram__rows_ok(n))                                                  \
            return RAM_FAIL(RAM_E_RANGE, "n = %zu is outside 1 .. %d", (n),    \
                            RAM_MAX_ROWS);                                     \
    } while (0)
#define NULL_CHECK(p)                                                          \
    do {                                                                       \
        if (!(p))                                                              \
            return RAM_FAIL(RAM_E_INVALID, "%s is NULL", #p);                  \
    } while (0)

/* RAM_OK, or RAM_E_RANGE naming the first index of idx[0..n-1] (called
 * `what`) outside [0, A). */
static int index_check(const char *func, const char *what, const int *idx,
                       size_t n, size_t A)
{
    for (size_t r = 0; r < n; r++)
        if (idx[r] < 0 || (size_t)idx[r] >= A)
            return ram__fail(RAM_E_RANGE, func,
                             "%s[%zu] = %d is outside [0, %zu)", what, r,
                             idx[r], A);
    return RAM_OK;
}

int ram_action_create(ram_action **out, size_t input, size_t actions,
                      uint64_t seed)
{
    struct ram_action *net;
    float *block;
    size_t count;
    ram_rng rng;

    NULL_CHECK(out);
    *out = NULL;
    if (input < 1 || input > RAM_MAX_UNITS)
        return RAM_FAIL(RAM_E_RANGE, "input = %zu is outside 1 .. %d", input,
                        RAM_MAX_UNITS);
    if (actions < 2 || actions > RAM_MAX_ACTIONS)
        return RAM_FAIL(RAM_E_RANGE, "actions = %zu is outside 2 .. %d",
                        actions, RAM_MAX_ACTIONS);
    if ((double)actions * (input + 1) >
        (double)(SIZE_MAX / (2 * sizeof(float))))
        return RAM_FAIL(RAM_E_NOMEM,
                        "the parameters of these sizes do not fit in memory");
    count = ram__action_count(input, actions);

    net = malloc(sizeof *net);
    if (!net)
        return RAM_FAIL(RAM_E_NOMEM, "allocating the handle");
    block = calloc(2 * count, sizeof(float));
    if (!block) {
        free(net);
        return RAM_FAIL(RAM_E_NOMEM, "allocating %zu parameters and gradients",
                        count);
    }
    ram__action_init(net, input, actions, block, block + count);
    net->owned = 1;
    ram__rng_seed(&rng, seed);
    ram__action_reset(net, &rng);
    ram__rng_seed(&net->rng, seed ^ ACTION_SAMPLER_KEY);
    *out = net;
    return RAM_OK;
}

void ram_action_free(ram_action *net)
{
    if (!net)
        return;
    if (net->owned)
        free(net->params);
    free(net);
}

int ram_action_shape(const ram_action *net, size_t *input, size_t *actions)
{
    NULL_CHECK(net);
    if (input)
        *input = net->in;
    if (actions)
        *actions = net->actions;
    return RAM_OK;
}

int ram_action_params(ram_action *net, float **params, float **grads,
                      size_t *count)
{
    NULL_CHECK(net);
    ram__params_out(net->params, net->grads, net->count, params, grads, count);
    return RAM_OK;
}

int ram_action_zero_grad(ram_action *net)
{
    NULL_CHECK(net);
    ram__zero(net->grads, net->count);
    return RAM_OK;
}

int ram_action_seed(ram_action *net, uint64_t seed)
{
    NULL_CHECK(net);
    ram__rng_seed(&net->rng, seed ^ ACTION_SAMPLER_KEY);
    return RAM_OK;
}

int ram_action_forward(const ram_action *net, size_t n, const float *h,
                       float *probs)
{
    NULL_CHECK(net);
    NULL_CHECK(h);
    NULL_CHECK(probs);
    ROWS_CHECK(n);
    ram__action_fwd(net, n, h, probs);
    return RAM_OK;
}

int ram_action_sample(ram_action *net, size_t n, const float *probs,
                      int *actions)
{
    size_t A;

    NULL_CHECK(net);
    NULL_CHECK(probs);
    NULL_CHECK(actions);
    ROWS_CHECK(n);
    A = net->actions;
    if (!ram__all_finite(probs, n * A))
        return RAM_FAIL(RAM_E_NONFINITE, "probs holds a NaN or infinity");
    for (size_t r = 0; r < n; r++) {
        const float *p = probs + r * A;
        int any = 0;
        for (size_t j = 0; j < A; j++) {
            if (p[j] < 0.0f)
                return RAM_FAIL(RAM_E_RANGE, "probs[%zu][%zu] = %g is negative",
                                r, j, (double)p[j]);
            any |= p[j] > 0.0f;
        }
        if (!any) /* an all-zero row is no distribution */
            return RAM_FAIL(RAM_E_RANGE, "probs row %zu is all zero", r);
    }
    ram__action_sample(n, A, probs, &net->rng, actions);
    return RAM_OK;
}

int ram_action_xent(const ram_action *net, size_t n, const float *probs,
                    const int *labels, double scale, float *dlogits,
                    double *loss)
{
    size_t A;
    double sum = 0.0;

    NULL_CHECK(net);
    NULL_CHECK(probs);
    NULL_CHECK(labels);
    NULL_CHECK(dlogits);
    ROWS_CHECK(n);
    if (!isfinite(scale))
        return RAM_FAIL(RAM_E_RANGE, "scale is not finite");
    A = net->actions;
    int rc = index_check(__func__, "labels", labels, n, A);
    if (rc != RAM_OK)
        return rc;
    sum = ram__action_xent_grad(n, A, probs, labels, scale, dlogits, 0, NULL);
    if (loss)
        *loss = scale * sum;
    return RAM_OK;
}

int ram_action_score(const ram_action *net, size_t n, const float *probs,
                     const int *actions, const float *coef, float *dlogits)
{
    size_t A;

    NULL_CHECK(net);
    NULL_CHECK(probs);
    NULL_CHECK(actions);
    NULL_CHECK(coef);
    NULL_CHECK(dlogits);
    ROWS_CHECK(n);
    A = net->actions;
    int rc = index_check(__func__, "actions", actions, n, A);
    if (rc != RAM_OK)
        return rc;
    ram__action_policy_grad(n, A, probs, actions, coef, 0.0, dlogits);
    return RAM_OK;
}

int ram_action_log_prob(const ram_action *net, size_t n, const float *probs,
                        const int *actions, float *logp, float *dlogits)
{
    size_t A;

    NULL_CHECK(net);
    NULL_CHECK(probs);
    NULL_CHECK(actions);
    if (!logp && !dlogits)
        return RAM_FAIL(RAM_E_INVALID, "logp and dlogits are both NULL");
    ROWS_CHECK(n);
    A = net->actions;
    int rc = index_check(__func__, "actions", actions, n, A);
    if (rc != RAM_OK)
        return rc;
    for (size_t r = 0; r < n; r++) {
        const float *p = probs + r * A;
        size_t a = (size_t)actions[r];
        if (logp) {
            double pa = p[a] > XENT_TINY ? (double)p[a] : XENT_TINY;
            logp[r] = (float)log(pa);
        }
        if (dlogits) {
            float *d = dlogits + r * A;
            for (size_t j = 0; j < A; j++)
                d[j] = (float)((j == a ? 1.0 : 0.0) - (double)p[j]);
        }
    }
    return RAM_OK;
}

int ram_action_entropy(const ram_action *net, size_t n, const float *probs,
                       float *entropy, float *dlogits)
{
    size_t A;

    NULL_CHECK(net);
    NULL_CHECK(probs);
    if (!entropy && !dlogits)
        return RAM_FAIL(RAM_E_INVALID, "entropy and dlogits are both NULL");
    ROWS_CHECK(n);
    A = net->actions;
    for (size_t r = 0; r < n; r++) {
        const float *p = probs + r * A;
        double e = ram__action_entropy_row(p, A);
        if (entropy)
            entropy[r] = (float)e;
        if (dlogits) {
            /* dH/dz_j = -p_j (log p_j + H); a zero p_j gives 0. */
            float *d = dlogits + r * A;
            for (size_t j = 0; j < A; j++)
                d[j] = p[j] > 0.0f
                           ? (float)(-(double)p[j] * (log((double)p[j]) + e))
                           : 0.0f;
        }
    }
    return RAM_OK;
}

int ram_action_backward(ram_action *net, size_t n, const float *h,
                        const float *dlogits, float *dh, float beta)
{
    NULL_CHECK(net);
    NULL_CHECK(h);
    NULL_CHECK(dlogits);
    if (!net->grads)
        return RAM_FAIL(RAM_E_INVALID, "the handle has no gradient array");
    ROWS_CHECK(n);
    if (!isfinite(beta))
        return RAM_FAIL(RAM_E_RANGE, "beta is not finite");
    ram__action_bwd_beta(net, n, h, dlogits, dh, beta);
    return RAM_OK;
}

/* ------------------------------------------------------------------------
 * The maths the agent's backward pass needs, kept with the network that
 * owns it (the public calls above use it too).
 * ---------------------------------------------------------------------- */

size_t ram__action_weights(const struct ram_action *net, ram__range *out)
{
    out[0] = (ram__range){0, net->actions * net->in}; /* W [A x H], b [A] */
    return 1;
}

double ram__action_xent_grad(size_t n, size_t A, const float *probs,
                             const int *labels, double scale, float *dlogits,
                             int accumulate, size_t *correct)
{
    double sum = 0.0;
    size_t right = 0;
    for (size_t r = 0; r < n; r++) {
        const float *p = probs + r * A;
        size_t y = (size_t)labels[r], best = 0;
        for (size_t j = 1; j < A; j++)
            if (p[j] > p[best])
                best = j;
        right += best == y;
        double py = p[y] > XENT_TINY ? (double)p[y] : XENT_TINY;
        sum -= log(py);
        if (dlogits) {
            float *d = dlogits + r * A;
            for (size_t j = 0; j < A; j++) {
                float v = (float)(scale * ((double)p[j] - (j == y ? 1.0 : 0.0)));
                d[j] = accumulate ? d[j] + v : v;
            }
        }
    }
    if (correct)
        *correct = right;
    return sum;
}

double ram__action_policy_grad(size_t n, size_t A, const float *probs,
                               const int *actions, const float *coef,
                               double entropy_weight, float *dlogits)
{
    double total = 0.0;
    for (size_t r = 0; r < n; r++) {
        const float *p = probs + r * A;
        float *d = dlogits + r * A;
        double ent = 0.0;
        for (size_t j = 0; j < A; j++)
            if (p[j] > 0.0f)
                ent -= p[j] * log(p[j]);
        total += ent;
        size_t a = (size_t)actions[r];
        double k = coef[r];
        for (size_t j = 0; j < A; j++) {
            double lp = p[j] > 0.0f ? log(p[j]) : 0.0;
            d[j] = (float)(k * ((j == a ? 1.0 : 0.0) - (double)p[j]) +
                           entropy_weight * p[j] * (lp + ent));
        }
    }
    return total;
}
