/* libram: the glimpse network (see include/ram/glimpse.h, docs/networks.md).
 *
 *   h_g = ReLU(W_what rho + b_what)        [Hg]
 *   h_l = ReLU(W_where l + b_where)        [Hl]   (2 inputs: direct loop)
 *   g   = ReLU(W_out [h_g ; h_l] + b_out)  [G]    (one GEMM over the tape)
 *
 * Tape row: [h_g | h_l], Hg + Hl floats, h_g first. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Offsets of the parameter blocks. */
struct glimpse_view {
    float *w_what, *b_what, *w_where, *b_where, *w_out, *b_out;
};

static struct glimpse_view glimpse_view(const struct ram_glimpse *net,
                                        float *base)
{
    struct glimpse_view v;
    size_t in = net->in, hg = net->what, hl = net->where;
    v.w_what = base;
    v.b_what = v.w_what + hg * in;
    v.w_where = v.b_what + hg;
    v.b_where = v.w_where + hl * 2;
    v.w_out = v.b_where + hl;
    v.b_out = v.w_out + net->out * (hg + hl);
    return v;
}

size_t ram__glimpse_count(size_t in, size_t what, size_t where, size_t out)
{
    return what * in + what + where * 2 + where + out * (what + where) + out;
}

void ram__glimpse_init(struct ram_glimpse *net, size_t in, size_t what,
                       size_t where, size_t out, float *params, float *grads)
{
    net->in = in;
    net->what = what;
    net->where = where;
    net->out = out;
    net->count = ram__glimpse_count(in, what, where, out);
    net->params = params;
    net->grads = grads;
    net->owned = 0;
    net->work = NULL;
    net->work_rows = 0;
}

static void fill_uniform(float *p, size_t count, size_t fan_in, ram_rng *rng)
{
    float a = (float)(1.0 / sqrt((double)fan_in));
    for (size_t i = 0; i < count; i++)
        p[i] = ram__rng_symmetric(rng, a);
}

void ram__glimpse_reset(struct ram_glimpse *net, ram_rng *rng)
{
    struct glimpse_view v = glimpse_view(net, net->params);
    size_t hg = net->what, hl = net->where, hid = hg + hl;
    fill_uniform(v.w_what, hg * net->in, net->in, rng);
    fill_uniform(v.b_what, hg, net->in, rng);
    fill_uniform(v.w_where, hl * 2, 2, rng);
    fill_uniform(v.b_where, hl, 2, rng);
    fill_uniform(v.w_out, net->out * hid, hid, rng);
    fill_uniform(v.b_out, net->out, hid, rng);
}

static void relu_rows(float *y, size_t n, size_t w, size_t ld)
{
    for (size_t r = 0; r < n; r++) {
        float *p = y + r * ld;
        for (size_t j = 0; j < w; j++)
            p[j] = ram__relu(p[j]);
    }
}

RAM_CLONES
void ram__glimpse_fwd(const struct ram_glimpse *net, size_t n,
                      const float *rho, const float *loc, float *g,
                      float *tape)
{
    struct glimpse_view v = glimpse_view(net, net->params);
    size_t hg = net->what, hl = net->where, hid = hg + hl;

    /* h_g into the first Hg columns of the tape. */
    ram__linear_fwd(n, net->in, hg, rho, net->in, v.w_what, v.b_what, tape,
                    hid, 0);
    relu_rows(tape, n, hg, hid);

    /* h_l: two inputs, two FMAs per unit. */
    for (size_t r = 0; r < n; r++) {
        float l0 = loc[2 * r], l1 = loc[2 * r + 1];
        float *hrow = tape + r * hid + hg;
        for (size_t j = 0; j < hl; j++) {
            float s = v.b_where[j] + v.w_where[2 * j] * l0 +
                      v.w_where[2 * j + 1] * l1;
            hrow[j] = ram__relu(s);
        }
    }

    /* g = ReLU(W_out [h_g | h_l] + b_out): one GEMM. */
    ram__linear_fwd(n, hid, net->out, tape, hid, v.w_out, v.b_out, g,
                    net->out, 0);
    relu_rows(g, n, net->out, net->out);
}

void ram__glimpse_bwd(struct ram_glimpse *net, size_t n, const float *rho,
                      const float *loc, const float *g, const float *tape,
                      const float *dg, float *drho, float *dloc, float *work)
{
    ram__glimpse_bwd_beta(net, n, rho, loc, g, tape, dg, drho, dloc, 0.0f,
                          work);
}

RAM_CLONES
void ram__glimpse_bwd_beta(struct ram_glimpse *net, size_t n,
                           const float *rho, const float *loc, const float *g,
                           const float *tape, const float *dg, float *drho,
                           float *dloc, float beta, float *work)
{
    struct glimpse_view v = glimpse_view(net, net->params);
    struct glimpse_view d = glimpse_view(net, net->grads);
    size_t hg = net->what, hl = net->where, hid = hg + hl, out = net->out;
    float *dpre = work;             /* n x G */
    float *dhid = work + n * out;   /* n x (Hg + Hl) */

    /* dpre_g = dg * (g > 0). */
    for (size_t i = 0; i < n * out; i++)
        dpre[i] = ram__relu_pass(g[i], dg[i]);

    /* dW_out, db_out: one GEMM over the n rows. */
    ram__linear_bwd_params(n, hid, out, tape, hid, dpre, out, d.w_out,
                           d.b_out);
    /* d[h_g | h_l] = dpre_g W_out, then through both ReLUs. */
    ram__linear_bwd_input(n, hid, out, dpre, out, v.w_out, dhid, hid, 0);
    for (size_t i = 0; i < n * hid; i++)
        dhid[i] = ram__relu_pass(tape[i], dhid[i]);

    /* What pathway: dW_what, db_what, drho. */
    ram__linear_bwd_params(n, net->in, hg, rho, net->in, dhid, hid, d.w_what,
                           d.b_what);
    if (drho)
        ram__linear_bwd_input(n, net->in, hg, dhid, hid, v.w_what, drho,
                              net->in, ram__beta_prep(drho, n * net->in, beta));

    /* Where pathway: 2 inputs, direct loops. The weight loop has no
     * reduction, so it vectorises; dloc (rarely wanted: the agent detaches
     * the location) is a separate pass. */
    for (size_t r = 0; r < n; r++) {
        const float *dp = dhid + r * hid + hg;
        const float l0 = loc[2 * r], l1 = loc[2 * r + 1];
        for (size_t j = 0; j < hl; j++) {
            const float s = dp[j];
            d.w_where[2 * j] += s * l0;
            d.w_where[2 * j + 1] += s * l1;
            d.b_where[j] += s;
        }
    }
    if (dloc) {
        int acc = ram__beta_prep(dloc, 2 * n, beta);
        for (size_t r = 0; r < n; r++) {
            const float *dp = dhid + r * hid + hg;
            float a0 = 0.0f, a1 = 0.0f;
            for (size_t j = 0; j < hl; j++) {
                a0 += dp[j] * v.w_where[2 * j];
                a1 += dp[j] * v.w_where[2 * j + 1];
            }
            dloc[2 * r] = acc ? dloc[2 * r] + a0 : a0;
            dloc[2 * r + 1] = acc ? dloc[2 * r + 1] + a1 : a1;
        }
    }
}

/* ------------------------------------------------------------- public */

static int units_ok(size_t x)
{
    return x >= 1 && x <= RAM_MAX_UNITS;
}

/* Workspace floats per row: the forward without a tape needs Hg + Hl, the
 * backward G + Hg + Hl. */
static size_t work_per_row(const struct ram_glimpse *net)
{
    return net->out + net->what + net->where;
}

int ram_glimpse_create(ram_glimpse **out, size_t input, size_t what,
                       size_t where, size_t output, uint64_t seed)
{
    struct ram_glimpse *net;
    float *block;
    size_t count;
    ram_rng rng;

    if (!out)
        return RAM_FAIL(RAM_E_INVALID, "out is NULL");
    *out = NULL;
    if (!units_ok(input))
        return RAM_FAIL(RAM_E_RANGE, "input = %zu is outside 1 .. %d", input,
                        RAM_MAX_UNITS);
    if (!units_ok(what))
        return RAM_FAIL(RAM_E_RANGE, "what = %zu is outside 1 .. %d", what,
                        RAM_MAX_UNITS);
    if (!units_ok(where))
        return RAM_FAIL(RAM_E_RANGE, "where = %zu is outside 1 .. %d", where,
                        RAM_MAX_UNITS);
    if (!units_ok(output))
        return RAM_FAIL(RAM_E_RANGE, "output = %zu is outside 1 .. %d",
                        output, RAM_MAX_UNITS);
    /* Guard size_t overflow on narrow platforms. */
    if ((double)input * what + (double)output * (what + where) + 4.0 * 65536 >
        (double)(SIZE_MAX / (2 * sizeof(float))))
        return RAM_FAIL(RAM_E_NOMEM,
                        "the parameters of these sizes do not fit in memory");
    count = ram__glimpse_count(input, what, where, output);

    net = malloc(sizeof *net);
    if (!net)
        return RAM_FAIL(RAM_E_NOMEM, "allocating the handle");
    block = calloc(2 * count, sizeof(float));
    if (!block) {
        free(net);
        return RAM_FAIL(RAM_E_NOMEM, "allocating %zu parameters and gradients",
                        count);
    }
    ram__glimpse_init(net, input, what, where, output, block, block + count);
    net->owned = 1;
    ram__rng_seed(&rng, seed);
    ram__glimpse_reset(net, &rng);
    *out = net;
    return RAM_OK;
}

void ram_glimpse_free(ram_glimpse *net)
{
    if (!net)
        return;
    if (net->owned)
        free(net->params); /* params and grads are one block */
    free(net->work);
    free(net);
}

int ram_glimpse_reserve(ram_glimpse *net, size_t max_rows)
{
    if (!net)
        return RAM_FAIL(RAM_E_INVALID, "net is NULL");
    if (max_rows > RAM_MAX_ROWS)
        return RAM_FAIL(RAM_E_RANGE, "max_rows = %zu is above %d", max_rows,
                        RAM_MAX_ROWS);
    if (max_rows == 0) {
        free(net->work);
        net->work = NULL;
        net->work_rows = 0;
        return RAM_OK;
    }
    size_t per = work_per_row(net);
    if ((double)max_rows * (double)per >
        (double)(SIZE_MAX / sizeof(float)))
        return RAM_FAIL(RAM_E_NOMEM,
                        "max_rows = %zu: the workspace does not fit in memory",
                        max_rows);
    float *w = malloc(max_rows * per * sizeof(float));
    if (!w)
        return RAM_FAIL(RAM_E_NOMEM, "allocating a workspace of %zu floats",
                        max_rows * per);
    free(net->work);
    net->work = w;
    net->work_rows = max_rows;
    return RAM_OK;
}

int ram_glimpse_shape(const ram_glimpse *net, size_t *input, size_t *what,
                      size_t *where, size_t *output)
{
    if (!net)
        return RAM_FAIL(RAM_E_INVALID, "net is NULL");
    if (input)
        *input = net->in;
    if (what)
        *what = net->what;
    if (where)
        *where = net->where;
    if (output)
        *output = net->out;
    return RAM_OK;
}

size_t ram_glimpse_tape_size(const ram_glimpse *net)
{
    return net ? net->what + net->where : 0;
}

int ram_glimpse_params(ram_glimpse *net, float **params, float **grads,
                       size_t *count)
{
    if (!net)
        return RAM_FAIL(RAM_E_INVALID, "net is NULL");
    ram__params_out(net->params, net->grads, net->count, params, grads, count);
    return RAM_OK;
}

int ram_glimpse_zero_grad(ram_glimpse *net)
{
    if (!net)
        return RAM_FAIL(RAM_E_INVALID, "net is NULL");
    ram__zero(net->grads, net->count);
    return RAM_OK;
}

int ram_glimpse_forward(const ram_glimpse *net, size_t n, const float *rho,
                        const float *loc, float *g, float *tape)
{
    float *scratch = NULL;

    if (!net)
        return RAM_FAIL(RAM_E_INVALID, "net is NULL");
    if (!rho)
        return RAM_FAIL(RAM_E_INVALID, "rho is NULL");
    if (!loc)
        return RAM_FAIL(RAM_E_INVALID, "loc is NULL");
    if (!g)
        return RAM_FAIL(RAM_E_INVALID, "g is NULL");
    if (!ram__rows_ok(n))
        return RAM_FAIL(RAM_E_RANGE, "n = %zu is outside 1 .. %d", n,
                        RAM_MAX_ROWS);
    if (!tape) {
        if (n <= net->work_rows) {
            tape = net->work;
        } else {
            scratch = malloc(n * (net->what + net->where) * sizeof(float));
            if (!scratch)
                return RAM_FAIL(RAM_E_NOMEM,
                                "tape is NULL and n = %zu is above the "
                                "reserved %zu rows: allocating scratch",
                                n, net->work_rows);
            tape = scratch;
        }
    }
    ram__glimpse_fwd(net, n, rho, loc, g, tape);
    free(scratch);
    return RAM_OK;
}

int ram_glimpse_backward(ram_glimpse *net, size_t n, const float *rho,
                         const float *loc, const float *g, const float *tape,
                         const float *dg, float *drho, float *dloc,
                         float beta)
{
    float *work = NULL, *scratch = NULL;

    if (!net)
        return RAM_FAIL(RAM_E_INVALID, "net is NULL");
    if (!rho)
        return RAM_FAIL(RAM_E_INVALID, "rho is NULL");
    if (!loc)
        return RAM_FAIL(RAM_E_INVALID, "loc is NULL");
    if (!g)
        return RAM_FAIL(RAM_E_INVALID, "g is NULL");
    if (!tape)
        return RAM_FAIL(RAM_E_INVALID, "tape is NULL");
    if (!dg)
        return RAM_FAIL(RAM_E_INVALID, "dg is NULL");
    if (!net->grads)
        return RAM_FAIL(RAM_E_INVALID, "the handle has no gradient array");
    if (!ram__rows_ok(n))
        return RAM_FAIL(RAM_E_RANGE, "n = %zu is outside 1 .. %d", n,
                        RAM_MAX_ROWS);
    if (!isfinite(beta))
        return RAM_FAIL(RAM_E_RANGE, "beta is not finite");
    if (n <= net->work_rows) {
        work = net->work;
    } else {
        scratch = malloc(n * work_per_row(net) * sizeof(float));
        if (!scratch)
            return RAM_FAIL(RAM_E_NOMEM,
                            "n = %zu is above the reserved %zu rows: "
                            "allocating scratch", n, net->work_rows);
        work = scratch;
    }
    ram__glimpse_bwd_beta(net, n, rho, loc, g, tape, dg, drho, dloc, beta,
                          work);
    free(scratch);
    return RAM_OK;
}

/* ------------------------------------------------------------------------
 * The maths the agent's backward pass needs, kept with the network that
 * owns it (the public calls above use it too).
 * ---------------------------------------------------------------------- */

size_t ram__glimpse_weights(const struct ram_glimpse *net, ram__range *out)
{
    /* W_g [Hg x R], b_g [Hg], W_l [Hl x 2], b_l [Hl], W [G x (Hg + Hl)],
     * b [G] (glimpse.h) */
    size_t o = 0;
    out[0] = (ram__range){o, net->what * net->in};
    o += net->what * net->in + net->what;
    out[1] = (ram__range){o, net->where * 2};
    o += net->where * 2 + net->where;
    out[2] = (ram__range){o, net->out * (net->what + net->where)};
    return 3;
}
