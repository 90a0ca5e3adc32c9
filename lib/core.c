/* libram: the core network, ReLU RNN or LSTM (see include/ram/core.h and
 * docs/networks.md).
 *
 * Parameters: W_x [M x I], W_h [M x H], b [M]; M = H (RNN) or 4H (LSTM,
 * gate blocks i, f, g, o).
 *
 * Tape per row per step:
 *   RNN   H floats: scratch that the backward pass fills with dpre_t (the
 *         forward pass does not write it; h_t > 0 gives the ReLU mask).
 *   LSTM  5H floats: the gate activations i, f, g, o (after their
 *         nonlinearities) then tanh(c_t). The backward pass overwrites the
 *         4H gate part with dpre_t.
 *
 * BPTT walks t = T-1 .. 0 computing dpre_t (elementwise) and the recurrent
 * gradient dpre_t W_h (one GEMM per step, unavoidable); all weight
 * gradients and dx are then single GEMMs over the T*n step-major rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static size_t core_rows(int type, size_t hidden)
{
    return type == RAM_CORE_LSTM ? 4 * hidden : hidden;
}

size_t ram__core_count(int type, size_t in, size_t hidden)
{
    return core_rows(type, hidden) * (in + hidden + 1);
}

size_t ram__core_tape(int type, size_t hidden)
{
    return type == RAM_CORE_LSTM ? 5 * hidden : hidden;
}

void ram__core_init(struct ram_core *core, int type, size_t in, size_t hidden,
                    float *params, float *grads)
{
    core->type = type;
    core->in = in;
    core->hidden = hidden;
    core->count = ram__core_count(type, in, hidden);
    core->params = params;
    core->grads = grads;
    core->owned = 0;
    core->work = NULL;
    core->work_rows = 0;
}

void ram__core_reset(struct ram_core *core, ram_rng *rng)
{
    size_t h = core->hidden, m = core_rows(core->type, h);
    float a = (float)(1.0 / sqrt((double)h));
    for (size_t i = 0; i < core->count; i++)
        core->params[i] = ram__rng_symmetric(rng, a);
    if (core->type == RAM_CORE_LSTM) {
        float *b = core->params + m * (core->in + h);
        for (size_t j = h; j < 2 * h; j++)
            b[j] = 1.0f; /* forget gate */
    }
}

/* tanh as a [13/6] rational function on [-9, 9] (tanh is +-1 in float
 * beyond), the approximation Eigen uses: at most 4e-7 from tanh, no libm
 * call, about 3 ns scalar where glibc's tanhf takes 17-20 ns (it goes
 * through expm1f), and vectorisable: the clamp works on the bits, because
 * GCC does not if-convert a float compare that is followed by float
 * arithmetic (it might trap). A NaN passes through. */
static inline float tanh_fast(float a)
{
    uint32_t u, m;
    memcpy(&u, &a, sizeof u);
    m = u & 0x7fffffffu;
    m = m > 0x41100000u && m <= 0x7f800000u ? 0x41100000u : m; /* 9.0f */
    u = (u & 0x80000000u) | m;
    float x;
    memcpy(&x, &u, sizeof x);
    float x2 = x * x;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    return x * p / q;
}

/* sigmoid(x) = (1 + tanh(x / 2)) / 2: within 2.3e-7 of the exact value. */
static inline float sigmoid_fast(float x)
{
    return 0.5f + 0.5f * tanh_fast(0.5f * x);
}

/* One row of LSTM gates (pre-activations in, activations out), c and
 * tanh(c) (into hr, then h = o tanh(c)). has_cp is a constant after
 * inlining, so that the loop has no branch and vectorises. */
static RAM_INLINE void lstm_fwd_row(size_t H, float *restrict gi,
                                float *restrict gf, float *restrict gg,
                                float *restrict go,
                                const float *restrict cp, int has_cp,
                                float *restrict cr, float *restrict hr)
{
    for (size_t j = 0; j < H; j++) {
        float i = sigmoid_fast(gi[j]), f = sigmoid_fast(gf[j]);
        float g = tanh_fast(gg[j]), o = sigmoid_fast(go[j]);
        float cv = i * g;
        if (has_cp)
            cv += f * cp[j];
        gi[j] = i;
        gf[j] = f;
        gg[j] = g;
        go[j] = o;
        cr[j] = cv;
        hr[j] = tanh_fast(cv);
    }
}

/* One row of the LSTM backward step: the gate parts of the tape become
 * dpre, dcrow carries dc to the previous step. */
static RAM_INLINE void lstm_bwd_row(size_t H, float *restrict gi,
                                float *restrict gf, float *restrict gg,
                                float *restrict go, const float *restrict tc,
                                const float *restrict er,
                                const float *restrict rr,
                                const float *restrict cp, int has_cp,
                                float *restrict dcrow)
{
    for (size_t j = 0; j < H; j++) {
        float dhv = er[j] + rr[j];
        float i = gi[j], f = gf[j], g = gg[j], o = go[j];
        float tv = tc[j];
        float dc = dcrow[j] + dhv * o * (1.0f - tv * tv);
        float cpv = has_cp ? cp[j] : 0.0f;
        gi[j] = dc * g * i * (1.0f - i);
        gf[j] = dc * cpv * f * (1.0f - f);
        gg[j] = dc * i * (1.0f - g * g);
        go[j] = dhv * tv * o * (1.0f - o);
        dcrow[j] = dc * f;
    }
}

RAM_CLONES
void ram__core_fwd(const struct ram_core *core, size_t n, const float *h_prev,
                   const float *c_prev, const float *x, float *h, float *c,
                   float *tape, float *work)
{
    size_t in = core->in, H = core->hidden, m = core_rows(core->type, H);
    const float *wx = core->params;
    const float *wh = wx + m * in;
    const float *b = wh + m * H;

    if (core->type != RAM_CORE_LSTM) {
        ram__linear_fwd(n, in, H, x, in, wx, b, h, H, 0);
        if (h_prev)
            ram__linear_fwd(n, H, H, h_prev, H, wh, NULL, h, H, 1);
        for (size_t i = 0; i < n * H; i++)
            h[i] = ram__relu(h[i]);
        return;
    }

    /* LSTM: pre-activations into the tape's gate part (or work). */
    float *pre = tape ? tape : work;
    size_t ld = tape ? 5 * H : 4 * H;
    ram__linear_fwd(n, in, m, x, in, wx, b, pre, ld, 0);
    if (h_prev)
        ram__linear_fwd(n, H, m, h_prev, H, wh, NULL, pre, ld, 1);
    for (size_t r = 0; r < n; r++) {
        float *gi = pre + r * ld, *gf = gi + H, *gg = gf + H, *go = gg + H;
        float *hr = h + r * H, *cr = c + r * H;
        if (c_prev)
            lstm_fwd_row(H, gi, gf, gg, go, c_prev + r * H, 1, cr, hr);
        else
            lstm_fwd_row(H, gi, gf, gg, go, NULL, 0, cr, hr);
        if (tape)
            memcpy(go + H, hr, H * sizeof(float)); /* tanh(c_t) */
        for (size_t j = 0; j < H; j++)
            hr[j] *= go[j];
    }
}

void ram__core_bwd(struct ram_core *core, size_t steps, size_t n,
                   const float *h0, const float *c0, const float *x,
                   const float *h, const float *c, float *tape,
                   const float *dh, float *dx, float *dh0, float *dc0,
                   float *work)
{
    ram__core_bwd_beta(core, steps, n, h0, c0, x, h, c, tape, dh, dx, dh0,
                       dc0, 0.0f, work);
}

RAM_CLONES
void ram__core_bwd_beta(struct ram_core *core, size_t steps, size_t n,
                        const float *h0, const float *c0, const float *x,
                        const float *h, const float *c, float *tape,
                        const float *dh, float *dx, float *dh0, float *dc0,
                        float beta, float *work)
{
    size_t in = core->in, H = core->hidden, m = core_rows(core->type, H);
    size_t tw = ram__core_tape(core->type, H);
    size_t nh = n * H;
    const float *wx = core->params;
    const float *wh = wx + m * in;
    float *gwx = core->grads;
    float *gwh = gwx + m * in;
    float *gb = gwh + m * H;
    float *dhr = work;      /* running dh from step t+1 through W_h */
    float *dcr = work + nh; /* running dc from step t+1 (LSTM) */
    int lstm = core->type == RAM_CORE_LSTM;

    memset(dhr, 0, nh * sizeof(float));
    if (lstm)
        memset(dcr, 0, nh * sizeof(float));

    for (size_t t = steps; t-- > 0;) {
        float *tp = tape + t * n * tw;
        const float *ht = h + t * nh;
        const float *dht = dh + t * nh;

        if (!lstm) {
            for (size_t r = 0; r < n; r++) {
                float *dp = tp + r * tw;
                const float *hr = ht + r * H, *er = dht + r * H;
                const float *rr = dhr + r * H;
                for (size_t j = 0; j < H; j++)
                    dp[j] = ram__relu_pass(hr[j], er[j] + rr[j]);
            }
        } else {
            const float *cprev =
                t > 0 ? c + (t - 1) * nh : c0; /* NULL = zeros */
            for (size_t r = 0; r < n; r++) {
                float *gi = tp + r * tw, *gf = gi + H, *gg = gf + H,
                      *go = gg + H;
                const float *tc = go + H;
                const float *er = dht + r * H, *rr = dhr + r * H;
                float *dcrow = dcr + r * H;
                if (cprev)
                    lstm_bwd_row(H, gi, gf, gg, go, tc, er, rr,
                                 cprev + r * H, 1, dcrow);
                else
                    lstm_bwd_row(H, gi, gf, gg, go, tc, er, rr, NULL, 0,
                                 dcrow);
            }
        }

        /* Recurrent gradient dh_{t-1} = dpre_t W_h. */
        if (t > 0)
            ram__linear_bwd_input(n, H, m, tp, tw, wh, dhr, H, 0);
        else if (dh0)
            ram__linear_bwd_input(n, H, m, tp, tw, wh, dh0, H,
                                  ram__beta_prep(dh0, nh, beta));
    }
    if (lstm && dc0) {
        if (ram__beta_prep(dc0, nh, beta))
            for (size_t i = 0; i < nh; i++)
                dc0[i] += dcr[i];
        else
            memcpy(dc0, dcr, nh * sizeof(float));
    }

    /* Weight gradients: single GEMMs over the step-major rows. */
    ram__linear_bwd_params(steps * n, in, m, x, in, tape, tw, gwx, gb);
    if (steps > 1)
        ram__linear_bwd_params((steps - 1) * n, H, m, h, H, tape + n * tw,
                               tw, gwh, NULL);
    if (h0)
        ram__linear_bwd_params(n, H, m, h0, H, tape, tw, gwh, NULL);
    if (dx)
        ram__linear_bwd_input(steps * n, in, m, tape, tw, wx, dx, in,
                              ram__beta_prep(dx, steps * n * in, beta));
}

/* ------------------------------------------------------------- public */

static int units_ok(size_t x)
{
    return x >= 1 && x <= RAM_MAX_UNITS;
}

static int type_ok(int type)
{
    return type == RAM_CORE_RNN || type == RAM_CORE_LSTM;
}

/* Workspace floats per row: the LSTM forward without a tape needs 4H (the
 * gates), the backward 2H (running dh and dc). */
static size_t work_per_row(const struct ram_core *core)
{
    return (core->type == RAM_CORE_LSTM ? 4 : 2) * core->hidden;
}

int ram_core_create(ram_core **out, int type, size_t input, size_t hidden,
                    uint64_t seed)
{
    struct ram_core *core;
    float *block;
    size_t count;
    ram_rng rng;

    if (!out)
        return RAM_FAIL(RAM_E_INVALID, "out is NULL");
    *out = NULL;
    if (!type_ok(type))
        return RAM_FAIL(RAM_E_INVALID,
                        "type = %d is neither RAM_CORE_RNN nor RAM_CORE_LSTM",
                        type);
    if (!units_ok(input))
        return RAM_FAIL(RAM_E_RANGE, "input = %zu is outside 1 .. %d", input,
                        RAM_MAX_UNITS);
    if (!units_ok(hidden))
        return RAM_FAIL(RAM_E_RANGE, "hidden = %zu is outside 1 .. %d",
                        hidden, RAM_MAX_UNITS);
    if (4.0 * hidden * ((double)input + hidden + 1) >
        (double)(SIZE_MAX / (2 * sizeof(float))))
        return RAM_FAIL(RAM_E_NOMEM,
                        "the parameters of these sizes do not fit in memory");
    count = ram__core_count(type, input, hidden);

    core = malloc(sizeof *core);
    if (!core)
        return RAM_FAIL(RAM_E_NOMEM, "allocating the handle");
    block = calloc(2 * count, sizeof(float));
    if (!block) {
        free(core);
        return RAM_FAIL(RAM_E_NOMEM, "allocating %zu parameters and gradients",
                        count);
    }
    ram__core_init(core, type, input, hidden, block, block + count);
    core->owned = 1;
    ram__rng_seed(&rng, seed);
    ram__core_reset(core, &rng);
    *out = core;
    return RAM_OK;
}

void ram_core_free(ram_core *core)
{
    if (!core)
        return;
    if (core->owned)
        free(core->params);
    free(core->work);
    free(core);
}

int ram_core_reserve(ram_core *core, size_t max_rows)
{
    if (!core)
        return RAM_FAIL(RAM_E_INVALID, "core is NULL");
    if (max_rows > RAM_MAX_ROWS)
        return RAM_FAIL(RAM_E_RANGE, "max_rows = %zu is above %d", max_rows,
                        RAM_MAX_ROWS);
    if (max_rows == 0) {
        free(core->work);
        core->work = NULL;
        core->work_rows = 0;
        return RAM_OK;
    }
    size_t per = work_per_row(core);
    if ((double)max_rows * (double)per > (double)(SIZE_MAX / sizeof(float)))
        return RAM_FAIL(RAM_E_NOMEM,
                        "max_rows = %zu: the workspace does not fit in memory",
                        max_rows);
    float *w = malloc(max_rows * per * sizeof(float));
    if (!w)
        return RAM_FAIL(RAM_E_NOMEM, "allocating a workspace of %zu floats",
                        max_rows * per);
    free(core->work);
    core->work = w;
    core->work_rows = max_rows;
    return RAM_OK;
}

int ram_core_shape(const ram_core *core, int *type, size_t *input,
                   size_t *hidden)
{
    if (!core)
        return RAM_FAIL(RAM_E_INVALID, "core is NULL");
    if (type)
        *type = core->type;
    if (input)
        *input = core->in;
    if (hidden)
        *hidden = core->hidden;
    return RAM_OK;
}

size_t ram_core_tape_size(const ram_core *core)
{
    return core ? ram__core_tape(core->type, core->hidden) : 0;
}

int ram_core_params(ram_core *core, float **params, float **grads,
                    size_t *count)
{
    if (!core)
        return RAM_FAIL(RAM_E_INVALID, "core is NULL");
    ram__params_out(core->params, core->grads, core->count, params, grads, count);
    return RAM_OK;
}

int ram_core_zero_grad(ram_core *core)
{
    if (!core)
        return RAM_FAIL(RAM_E_INVALID, "core is NULL");
    ram__zero(core->grads, core->count);
    return RAM_OK;
}

int ram_core_forward(const ram_core *core, size_t n, const float *h_prev,
                     const float *c_prev, const float *x, float *h, float *c,
                     float *tape)
{
    float *work = NULL, *scratch = NULL;
    int lstm;

    if (!core)
        return RAM_FAIL(RAM_E_INVALID, "core is NULL");
    if (!x)
        return RAM_FAIL(RAM_E_INVALID, "x is NULL");
    if (!h)
        return RAM_FAIL(RAM_E_INVALID, "h is NULL");
    lstm = core->type == RAM_CORE_LSTM;
    if (lstm && !c)
        return RAM_FAIL(RAM_E_INVALID, "c is NULL (required by the LSTM)");
    if (!ram__rows_ok(n))
        return RAM_FAIL(RAM_E_RANGE, "n = %zu is outside 1 .. %d", n,
                        RAM_MAX_ROWS);
    if (lstm && !tape) {
        if (n <= core->work_rows) {
            work = core->work;
        } else {
            scratch = malloc(n * 4 * core->hidden * sizeof(float));
            if (!scratch)
                return RAM_FAIL(RAM_E_NOMEM,
                                "tape is NULL and n = %zu is above the "
                                "reserved %zu rows: allocating scratch",
                                n, core->work_rows);
            work = scratch;
        }
    }
    ram__core_fwd(core, n, h_prev, lstm ? c_prev : NULL, x, h, lstm ? c : NULL,
                  tape, work);
    free(scratch);
    return RAM_OK;
}

int ram_core_backward(ram_core *core, size_t steps, size_t n, const float *h0,
                      const float *c0, const float *x, const float *h,
                      const float *c, float *tape, const float *dh, float *dx,
                      float *dh0, float *dc0, float beta)
{
    float *work, *scratch = NULL;
    int lstm;

    if (!core)
        return RAM_FAIL(RAM_E_INVALID, "core is NULL");
    if (!x)
        return RAM_FAIL(RAM_E_INVALID, "x is NULL");
    if (!h)
        return RAM_FAIL(RAM_E_INVALID, "h is NULL");
    if (!tape)
        return RAM_FAIL(RAM_E_INVALID, "tape is NULL");
    if (!dh)
        return RAM_FAIL(RAM_E_INVALID, "dh is NULL");
    if (!core->grads)
        return RAM_FAIL(RAM_E_INVALID, "the handle has no gradient array");
    lstm = core->type == RAM_CORE_LSTM;
    if (lstm && !c)
        return RAM_FAIL(RAM_E_INVALID, "c is NULL (required by the LSTM)");
    if (!ram__rows_ok(n))
        return RAM_FAIL(RAM_E_RANGE, "n = %zu is outside 1 .. %d", n,
                        RAM_MAX_ROWS);
    if (steps < 1 || steps > RAM_MAX_ROWS || steps * n > RAM_MAX_ROWS)
        return RAM_FAIL(RAM_E_RANGE,
                        "steps = %zu: steps must be >= 1 and steps * n "
                        "(n = %zu) at most %d", steps, n, RAM_MAX_ROWS);
    if (!isfinite(beta))
        return RAM_FAIL(RAM_E_RANGE, "beta is not finite");
    if (n <= core->work_rows) {
        work = core->work;
    } else {
        scratch = malloc(2 * n * core->hidden * sizeof(float));
        if (!scratch)
            return RAM_FAIL(RAM_E_NOMEM,
                            "n = %zu is above the reserved %zu rows: "
                            "allocating scratch", n, core->work_rows);
        work = scratch;
    }
    ram__core_bwd_beta(core, steps, n, h0, lstm ? c0 : NULL, x, h,
                       lstm ? c : NULL, tape, dh, dx, dh0, lstm ? dc0 : NULL,
                       beta, work);
    free(scratch);
    return RAM_OK;
}

/* ------------------------------------------------------------------------
 * The maths the agent's backward pass needs, kept with the network that
 * owns it (the public calls above use it too).
 * ---------------------------------------------------------------------- */

size_t ram__core_weights(const struct ram_core *core, ram__range *out)
{
    /* the weights [M x (in + H)] come first, then the biases [M];
     * M = 4H for the LSTM, H for the RNN (core.h) */
    size_t M = core->type == RAM_CORE_LSTM ? 4 * core->hidden : core->hidden;
    out[0] = (ram__range){0, M * (core->in + core->hidden)};
    return 1;
}
