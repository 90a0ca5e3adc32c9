/* libram: the location network, a 2-D Gaussian policy with a fixed std and
 * mean = bound(W h + b) (see include/ram/location.h, docs/networks.md).
 * Parameters: W [2 x H], b [2]. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Sampling streams are seeded from the user's seed through this constant,
 * so that they differ from the weight-initialisation stream. */
#define LOCATION_SAMPLER_KEY UINT64_C(0x6c6f636174696f6e) /* "location" */

static const double HALF_LOG_2PI = 0.91893853320467274178;

size_t ram__location_count(size_t in)
{
    return 2 * in + 2;
}

void ram__location_init(struct ram_location *net, size_t in, int bound,
                        float *params, float *grads)
{
    net->in = in;
    net->bound = bound;
    net->count = ram__location_count(in);
    net->params = params;
    net->grads = grads;
    net->owned = 0;
    net->std = RAM__LOCATION_STD_DEFAULT;
    ram__rng_seed(&net->rng, 0);
}

void ram__location_reset(struct ram_location *net, ram_rng *rng)
{
    float a = (float)(1.0 / sqrt((double)net->in));
    for (size_t i = 0; i < net->count; i++)
        net->params[i] = ram__rng_symmetric(rng, a);
}

void ram__location_fwd(const struct ram_location *net, size_t n,
                       const float *h, float *mean)
{
    const float *w = net->params, *b = w + 2 * net->in;

    if (h) {
        ram__linear_fwd(n, net->in, 2, h, net->in, w, b, mean, 2, 0);
    } else {
        for (size_t r = 0; r < n; r++) {
            mean[2 * r] = b[0];
            mean[2 * r + 1] = b[1];
        }
    }
    if (net->bound == RAM_BOUND_HARDTANH) {
        for (size_t i = 0; i < 2 * n; i++) {
            float v = mean[i];
            mean[i] = v > 1.0f ? 1.0f : (v < -1.0f ? -1.0f : v);
        }
    } else {
        for (size_t i = 0; i < 2 * n; i++)
            mean[i] = tanhf(mean[i]);
    }
}

void ram__location_sample(size_t n, const float *mean, double std,
                          ram_rng *rng, float *raw, float *loc, float *logp)
{
    double inv2var = 1.0 / (2.0 * std * std);
    double lognorm = 2.0 * (log(std) + HALF_LOG_2PI);

    for (size_t r = 0; r < n; r++) {
        double acc = 0.0;
        for (int d = 0; d < 2; d++) {
            size_t i = 2 * r + (size_t)d;
            float m = mean[i];
            float v = (float)(m + std * ram__rng_normal(rng));
            double e = (double)v - (double)m;
            if (raw)
                raw[i] = v;
            loc[i] = v > 1.0f ? 1.0f : (v < -1.0f ? -1.0f : v);
            acc += e * e;
        }
        if (logp)
            logp[r] = (float)(-acc * inv2var - lognorm);
    }
}

void ram__location_score(size_t n, const float *mean, const float *raw,
                         double std, const float *coef, float *dmean)
{
    double inv_var = 1.0 / (std * std);
    for (size_t r = 0; r < n; r++) {
        double k = (double)coef[r] * inv_var;
        for (int d = 0; d < 2; d++) {
            size_t i = 2 * r + (size_t)d;
            dmean[i] = (float)(k * ((double)raw[i] - (double)mean[i]));
        }
    }
}

/* Backward over n rows with dpre (n x 2) as scratch; acc: dh += instead
 * of dh =. */
static void location_bwd_rows(struct ram_location *net, size_t n,
                              const float *h, const float *mean,
                              const float *dmean, float *dh, int acc,
                              float *dpre)
{
    const float *w = net->params;
    float *gw = net->grads, *gb = gw + 2 * net->in;

    if (net->bound == RAM_BOUND_HARDTANH) {
        for (size_t i = 0; i < 2 * n; i++)
            dpre[i] = (mean[i] > -1.0f && mean[i] < 1.0f) ? dmean[i] : 0.0f;
    } else {
        for (size_t i = 0; i < 2 * n; i++)
            dpre[i] = dmean[i] * (1.0f - mean[i] * mean[i]);
    }
    if (h) {
        ram__linear_bwd_params(n, net->in, 2, h, net->in, dpre, 2, gw, gb);
    } else {
        for (size_t r = 0; r < n; r++) {
            gb[0] += dpre[2 * r];
            gb[1] += dpre[2 * r + 1];
        }
    }
    if (dh)
        ram__linear_bwd_input(n, net->in, 2, dpre, 2, w, dh, net->in, acc);
}

void ram__location_bwd(struct ram_location *net, size_t n, const float *h,
                       const float *mean, const float *dmean, float *dh,
                       float *work)
{
    location_bwd_rows(net, n, h, mean, dmean, dh, 0, work);
}

/* Rows per chunk of ram__location_bwd_beta: dpre on the stack (4 KiB). */
#define LOCATION_CHUNK 512

void ram__location_bwd_beta(struct ram_location *net, size_t n,
                            const float *h, const float *mean,
                            const float *dmean, float *dh, float beta)
{
    float dpre[2 * LOCATION_CHUNK];
    int acc = dh ? ram__beta_prep(dh, n * net->in, beta) : 0;
    for (size_t r0 = 0; r0 < n; r0 += LOCATION_CHUNK) {
        size_t m = n - r0 < LOCATION_CHUNK ? n - r0 : LOCATION_CHUNK;
        location_bwd_rows(net, m, h ? h + r0 * net->in : NULL,
                          mean + 2 * r0, dmean + 2 * r0,
                          dh ? dh + r0 * net->in : NULL, acc, dpre);
    }
}

double ram__location_logp_row(const float *mean, const float *raw,
                              double std)
{
    double e0 = (double)raw[0] - (double)mean[0];
    double e1 = (double)raw[1] - (double)mean[1];
    return -(e0 * e0 + e1 * e1) / (2.0 * std * std) -
           2.0 * (log(std) + HALF_LOG_2PI);
}

double ram__location_entropy(double std)
{
    /* Two independent normals: 2 * (1/2) log(2 pi e std^2). */
    return 2.0 * (HALF_LOG_2PI + 0.5 + log(std));
}

/* ------------------------------------------------------------- public */

static int std_ok(double std)
{
    return std > 0.0 && std <= RAM_LOCATION_MAX_STD; /* false for NaN */
}

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

int ram_location_create(ram_location **out, size_t input, int bound,
                        uint64_t seed)
{
    struct ram_location *net;
    float *block;
    size_t count;
    ram_rng rng;

    NULL_CHECK(out);
    *out = NULL;
    if (bound != RAM_BOUND_TANH && bound != RAM_BOUND_HARDTANH)
        return RAM_FAIL(RAM_E_INVALID,
                        "bound = %d is neither RAM_BOUND_TANH nor "
                        "RAM_BOUND_HARDTANH", bound);
    if (input < 1 || input > RAM_MAX_UNITS)
        return RAM_FAIL(RAM_E_RANGE, "input = %zu is outside 1 .. %d", input,
                        RAM_MAX_UNITS);
    count = ram__location_count(input);

    net = malloc(sizeof *net);
    if (!net)
        return RAM_FAIL(RAM_E_NOMEM, "allocating the handle");
    block = calloc(2 * count, sizeof(float));
    if (!block) {
        free(net);
        return RAM_FAIL(RAM_E_NOMEM, "allocating %zu parameters and gradients",
                        count);
    }
    ram__location_init(net, input, bound, block, block + count);
    net->owned = 1;
    ram__rng_seed(&rng, seed);
    ram__location_reset(net, &rng);
    ram__rng_seed(&net->rng, seed ^ LOCATION_SAMPLER_KEY);
    *out = net;
    return RAM_OK;
}

void ram_location_free(ram_location *net)
{
    if (!net)
        return;
    if (net->owned)
        free(net->params);
    free(net);
}

int ram_location_shape(const ram_location *net, size_t *input, int *bound)
{
    NULL_CHECK(net);
    if (input)
        *input = net->in;
    if (bound)
        *bound = net->bound;
    return RAM_OK;
}

int ram_location_params(ram_location *net, float **params, float **grads,
                        size_t *count)
{
    NULL_CHECK(net);
    ram__params_out(net->params, net->grads, net->count, params, grads, count);
    return RAM_OK;
}

int ram_location_zero_grad(ram_location *net)
{
    NULL_CHECK(net);
    ram__zero(net->grads, net->count);
    return RAM_OK;
}

int ram_location_set_std(ram_location *net, double std)
{
    NULL_CHECK(net);
    if (!std_ok(std))
        return RAM_FAIL(RAM_E_RANGE, "std = %g is outside (0, %g]", std,
                        RAM_LOCATION_MAX_STD);
    net->std = std;
    return RAM_OK;
}

int ram_location_get_std(const ram_location *net, double *std)
{
    NULL_CHECK(net);
    NULL_CHECK(std);
    *std = net->std;
    return RAM_OK;
}

int ram_location_seed(ram_location *net, uint64_t seed)
{
    NULL_CHECK(net);
    ram__rng_seed(&net->rng, seed ^ LOCATION_SAMPLER_KEY);
    return RAM_OK;
}

int ram_location_forward(const ram_location *net, size_t n, const float *h,
                         float *mean)
{
    NULL_CHECK(net);
    NULL_CHECK(mean);
    ROWS_CHECK(n);
    ram__location_fwd(net, n, h, mean);
    return RAM_OK;
}

int ram_location_sample(ram_location *net, size_t n, const float *mean,
                        float *raw, float *loc, float *logp)
{
    NULL_CHECK(net);
    NULL_CHECK(mean);
    NULL_CHECK(loc);
    ROWS_CHECK(n);
    if (!ram__all_finite(mean, 2 * n))
        return RAM_FAIL(RAM_E_NONFINITE, "mean holds a NaN or infinity");
    ram__location_sample(n, mean, net->std, &net->rng, raw, loc, logp);
    return RAM_OK;
}

int ram_location_score(const ram_location *net, size_t n, const float *mean,
                       const float *raw, const float *coef, float *dmean)
{
    NULL_CHECK(net);
    NULL_CHECK(mean);
    NULL_CHECK(raw);
    NULL_CHECK(coef);
    NULL_CHECK(dmean);
    ROWS_CHECK(n);
    ram__location_score(n, mean, raw, net->std, coef, dmean);
    return RAM_OK;
}

int ram_location_log_prob(const ram_location *net, size_t n,
                          const float *mean, const float *raw, float *logp,
                          float *dmean)
{
    NULL_CHECK(net);
    NULL_CHECK(mean);
    NULL_CHECK(raw);
    if (!logp && !dmean)
        return RAM_FAIL(RAM_E_INVALID, "logp and dmean are both NULL");
    ROWS_CHECK(n);
    double inv_var = 1.0 / (net->std * net->std);
    for (size_t r = 0; r < n; r++) {
        const float *m = mean + 2 * r, *x = raw + 2 * r;
        if (logp)
            logp[r] = (float)ram__location_logp_row(m, x, net->std);
        if (dmean) {
            dmean[2 * r] = (float)(((double)x[0] - (double)m[0]) * inv_var);
            dmean[2 * r + 1] = (float)(((double)x[1] - (double)m[1]) * inv_var);
        }
    }
    return RAM_OK;
}

int ram_location_entropy(const ram_location *net, double *entropy)
{
    NULL_CHECK(net);
    NULL_CHECK(entropy);
    *entropy = ram__location_entropy(net->std);
    return RAM_OK;
}

int ram_location_backward(ram_location *net, size_t n, const float *h,
                          const float *mean, const float *dmean, float *dh,
                          float beta)
{
    NULL_CHECK(net);
    NULL_CHECK(mean);
    NULL_CHECK(dmean);
    if (!net->grads)
        return RAM_FAIL(RAM_E_INVALID, "the handle has no gradient array");
    ROWS_CHECK(n);
    if (!isfinite(beta))
        return RAM_FAIL(RAM_E_RANGE, "beta is not finite");
    ram__location_bwd_beta(net, n, h, mean, dmean, dh, beta);
    return RAM_OK;
}

/* ------------------------------------------------------------------------
 * The maths the agent's backward pass needs, kept with the network that
 * owns it (the public calls above use it too).
 * ---------------------------------------------------------------------- */

size_t ram__location_weights(const struct ram_location *net, ram__range *out)
{
    out[0] = (ram__range){0, 2 * net->in}; /* W [2 x H], then b [2] */
    return 1;
}
