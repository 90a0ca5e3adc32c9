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
    ram__baseline_bwd_beta(net, n, h, db, dh, 0.0f);
}

void ram__baseline_bwd_beta(struct ram_baseline *net, size_t n,
                            const float *h, const float *db, float *dh,
                            float beta)
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
        int acc = ram__beta_prep(dh, n * H, beta);
        for (size_t r = 0; r < n; r++) {
            float d = db[r];
            float *o = dh + r * H;
            if (acc)
                for (size_t j = 0; j < H; j++)
                    o[j] += d * w[j];
            else
                for (size_t j = 0; j < H; j++)
                    o[j] = d * w[j];
        }
    }
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

int ram_baseline_create(ram_baseline **out, size_t input)
{
    struct ram_baseline *net;
    float *block;
    size_t count;

    NULL_CHECK(out);
    *out = NULL;
    if (input < 1 || input > RAM_MAX_UNITS)
        return RAM_FAIL(RAM_E_RANGE, "input = %zu is outside 1 .. %d", input,
                        RAM_MAX_UNITS);
    count = ram__baseline_count(input);

    net = malloc(sizeof *net);
    if (!net)
        return RAM_FAIL(RAM_E_NOMEM, "allocating the handle");
    block = calloc(2 * count, sizeof(float));
    if (!block) {
        free(net);
        return RAM_FAIL(RAM_E_NOMEM, "allocating %zu parameters and gradients",
                        count);
    }
    /* The baseline starts at zero (calloc): no RNG, no seed. */
    ram__baseline_init(net, input, block, block + count);
    net->owned = 1;
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
    NULL_CHECK(net);
    if (input)
        *input = net->in;
    return RAM_OK;
}

int ram_baseline_params(ram_baseline *net, float **params, float **grads,
                        size_t *count)
{
    NULL_CHECK(net);
    ram__params_out(net->params, net->grads, net->count, params, grads, count);
    return RAM_OK;
}

int ram_baseline_zero_grad(ram_baseline *net)
{
    NULL_CHECK(net);
    ram__zero(net->grads, net->count);
    return RAM_OK;
}

int ram_baseline_forward(const ram_baseline *net, size_t n, const float *h,
                         float *b)
{
    NULL_CHECK(net);
    NULL_CHECK(b);
    ROWS_CHECK(n);
    ram__baseline_fwd(net, n, h, b);
    return RAM_OK;
}

int ram_baseline_mse(const ram_baseline *net, size_t n, const float *b,
                     const float *target, double scale, float *db,
                     double *loss)
{
    double sum = 0.0;

    NULL_CHECK(net);
    NULL_CHECK(b);
    NULL_CHECK(target);
    NULL_CHECK(db);
    ROWS_CHECK(n);
    if (!isfinite(scale))
        return RAM_FAIL(RAM_E_RANGE, "scale is not finite");
    sum = ram__baseline_mse_grad(n, b, target, scale, db);
    if (loss)
        *loss = 0.5 * scale * sum;
    return RAM_OK;
}

int ram_baseline_backward(ram_baseline *net, size_t n, const float *h,
                          const float *db, float *dh, float beta)
{
    NULL_CHECK(net);
    NULL_CHECK(db);
    if (!net->grads)
        return RAM_FAIL(RAM_E_INVALID, "the handle has no gradient array");
    ROWS_CHECK(n);
    if (!isfinite(beta))
        return RAM_FAIL(RAM_E_RANGE, "beta is not finite");
    ram__baseline_bwd_beta(net, n, h, db, dh, beta);
    return RAM_OK;
}

/* ------------------------------------------------------------------------
 * The maths the agent's backward pass needs, kept with the network that
 * owns it (the public calls above use it too).
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
