/* libram: the learned baseline b = w . h + c (see include/ram/baseline.h,
 * docs/networks.md). Parameters: w [H], c [1]. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

size_t ram__baseline_count(size_t in)
{
    return in + 1;
}

void ram__baseline_init(struct ram_baseline *net, size_t in, float *params,
                        float *grads)
{
    net->in = in;
    net->count = ram__baseline_count(in);
    net->params = params;
    net->grads = grads;
    net->owned = 0;
}

void ram__baseline_reset(struct ram_baseline *net, ram_rng *rng)
{
    (void)rng; /* the baseline starts at zero */
    memset(net->params, 0, net->count * sizeof(float));
}

void ram__baseline_fwd(const struct ram_baseline *net, size_t n,
                       const float *h, float *b)
{
    const float *w = net->params, *c = w + net->in;

    if (h) {
        ram__linear_fwd(n, net->in, 1, h, net->in, w, c, b, 1, 0);
    } else {
        for (size_t r = 0; r < n; r++)
            b[r] = c[0];
    }
}

void ram__baseline_bwd(struct ram_baseline *net, size_t n, const float *h,
                       const float *db, float *dh)
{
    size_t H = net->in;
    const float *w = net->params;
    float *gw = net->grads, *gc = gw + H;

    if (h) {
        ram__linear_bwd_params(n, H, 1, h, H, db, 1, gw, gc);
    } else {
        double s = 0.0;
        for (size_t r = 0; r < n; r++)
            s += db[r];
        gc[0] += (float)s;
    }
    if (dh) {
        for (size_t r = 0; r < n; r++) {
            float d = db[r];
            float *o = dh + r * H;
            for (size_t j = 0; j < H; j++)
                o[j] = d * w[j];
        }
    }
}

/* ------------------------------------------------------------- public */

int ram_baseline_create(ram_baseline **out, size_t input, uint64_t seed)
{
    struct ram_baseline *net;
    float *block;
    size_t count;
    ram_rng rng;

    if (!out)
        return RAM_E_INVALID;
    *out = NULL;
    if (input < 1 || input > RAM_MAX_UNITS)
        return RAM_E_RANGE;
    count = ram__baseline_count(input);

    net = malloc(sizeof *net);
    if (!net)
        return RAM_E_NOMEM;
    block = calloc(2 * count, sizeof(float));
    if (!block) {
        free(net);
        return RAM_E_NOMEM;
    }
    ram__baseline_init(net, input, block, block + count);
    net->owned = 1;
    ram__rng_seed(&rng, seed);
    ram__baseline_reset(net, &rng);
    *out = net;
    return RAM_OK;
}

void ram_baseline_free(ram_baseline *net)
{
    if (!net)
        return;
    if (net->owned)
        free(net->params);
    free(net);
}

int ram_baseline_shape(const ram_baseline *net, size_t *input)
{
    if (!net)
        return RAM_E_INVALID;
    if (input)
        *input = net->in;
    return RAM_OK;
}

int ram_baseline_params(ram_baseline *net, float **params, float **grads,
                        size_t *count)
{
    if (!net)
        return RAM_E_INVALID;
    ram__params_out(net->params, net->grads, net->count, params, grads, count);
    return RAM_OK;
}

int ram_baseline_zero_grad(ram_baseline *net)
{
    if (!net)
        return RAM_E_INVALID;
    ram__zero(net->grads, net->count);
    return RAM_OK;
}

int ram_baseline_forward(const ram_baseline *net, size_t n, const float *h,
                         float *b)
{
    if (!net || !b)
        return RAM_E_INVALID;
    if (!ram__rows_ok(n))
        return RAM_E_RANGE;
    ram__baseline_fwd(net, n, h, b);
    return RAM_OK;
}

int ram_baseline_mse(const ram_baseline *net, size_t n, const float *b,
                     const float *target, double scale, float *db,
                     double *loss)
{
    double sum = 0.0;

    if (!net || !b || !target || !db)
        return RAM_E_INVALID;
    if (!ram__rows_ok(n) || !isfinite(scale))
        return RAM_E_RANGE;
    for (size_t r = 0; r < n; r++) {
        double e = (double)b[r] - (double)target[r];
        sum += e * e;
        db[r] = (float)(scale * e);
    }
    if (loss)
        *loss = 0.5 * scale * sum;
    return RAM_OK;
}

int ram_baseline_backward(ram_baseline *net, size_t n, const float *h,
                          const float *db, float *dh)
{
    if (!net || !db || !net->grads)
        return RAM_E_INVALID;
    if (!ram__rows_ok(n))
        return RAM_E_RANGE;
    ram__baseline_bwd(net, n, h, db, dh);
    return RAM_OK;
}

/* ------------------------------------------------------------------------
 * Added by the agent (api-agent, issue 21): the maths the agent's backward
 * pass needs, kept with the network that owns it. Nothing above changed.
 * ---------------------------------------------------------------------- */

size_t ram__baseline_weights(const struct ram_baseline *net, ram__range *out)
{
    out[0] = (ram__range){0, net->in}; /* w [H], then c [1] */
    return 1;
}

double ram__baseline_mse_grad(size_t n, const float *b, const float *target,
                              double scale, float *db)
{
    double sum = 0.0;
    for (size_t r = 0; r < n; r++) {
        double e = (double)b[r] - (double)target[r];
        sum += e * e;
        db[r] = (float)(scale * e);
    }
    return sum;
}
