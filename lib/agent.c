/* libram: the agent. It owns one contiguous parameter block, sliced into the
 * five networks, and drives them through the host's episode:
 * begin -> step (xT, with rewards) -> end (gradients) -> update. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agent_internal.h"

/* The checks that no call returns RAM_OK with a NaN or infinite output.
 * RAM_NO_FINITE_CHECKS compiles them out, only to measure what they cost
 * (`make bench-checks`, docs/reliability.md); never in a release build. */
#ifdef RAM_NO_FINITE_CHECKS
#define FINITE_CHECKS 0
#else
#define FINITE_CHECKS 1
#endif

/* The agent. Private to this file: config.c, model.c and optim.c see it
 * through agent_internal.h's functions only. */
struct ram_agent {
    int64_t cfg[RAM__CFG_COUNT];
    double par[RAM__PARAM_COUNT];

    /* Sizes, from cfg. */
    size_t R, Hg, Hl, G, H, A, T;
    int core_type, action_mode, bound, trainable;

    struct ram_sensor sensor;
    struct ram_glimpse glimpse;
    struct ram_core core;
    struct ram_location loc;
    struct ram_action act;
    struct ram_baseline base;

    size_t count;  /* parameters */
    float *params; /* one block: glimpse, core, location, action, baseline */
    float *grads;  /* NULL if inference-only */
    float *opt_m;  /* Adam first moment, or SGD velocity (NULL if inference) */
    float *opt_v;  /* Adam second moment */
    uint64_t adam_t;
    uint64_t updates;
    uint64_t refused; /* updates refused with RAM_E_NONFINITE */
    double opt_bounds[2]; /* >= max |opt_m|, max opt_v (optim.c) */
    int opt_kind; /* the optimiser the moments belong to */
    ram__range wranges[RAM__MAX_WEIGHT_RANGES];
    int n_wranges;

    ram_rng rng;

    /* Observation layout (ram_agent_set_input). */
    int has_input;
    int in_format;
    size_t in_w, in_h, in_row, in_img;

    /* Episode. */
    int active;
    unsigned flags;
    size_t B;     /* batch of the current episode */
    size_t t;     /* steps taken */
    int has_grad; /* gradient accumulated since the last update/zero */
    uint64_t grad_samples; /* samples (episode rows) in the gradient sums */
    /* Dropout rates of this episode, read at begin (0 unless training). */
    float drop_g, drop_h;

    /* One-step buffers (inference and the l_0 of any episode), with two
     * state slots that alternate. */
    ram__tape one;
    float *h_state[2], *c_state[2];
    int cur; /* which state slot holds h_{t-1} */
    /* Classify mode: the last step's action head was skipped because the
     * host asked for neither probs nor actions; ram_agent_end computes it
     * if it needs it (earlier steps' heads are never read). */
    int probs_skipped;
    /* Training recording and its gradient workspace. */
    ram__tape rec;
    ram__grad_ws ws;

    double stat[RAM__STAT_COUNT];
};

void ram__agent_view_of(const ram_agent *ca, ram__agent_view *v)
{
    ram_agent *a = (ram_agent *)(uintptr_t)ca; /* the caller owns it */
    v->cfg = a->cfg;
    v->par = a->par;
    v->count = a->count;
    v->params = a->params;
    v->opt_m = a->opt_m;
    v->opt_v = a->opt_v;
    v->opt_kind = &a->opt_kind;
    v->adam_t = &a->adam_t;
    v->opt_bounds = a->opt_bounds;
    v->updates = &a->updates;
    v->rng = &a->rng;
    v->trainable = a->trainable;
}

const ram__tape *ram__agent_recording(const ram_agent *a)
{
    return &a->rec;
}

/* ------------------------------------------------------------- sizing */

/* a * b, or 0 with *ok cleared on overflow. */
static size_t mul(size_t a, size_t b, int *ok)
{
    if (a != 0 && b > SIZE_MAX / a) {
        *ok = 0;
        return 0;
    }
    return a * b;
}

/* Reserve `count` elements of `elem` bytes at a 64-byte-aligned offset. */
static size_t reserve(size_t *total, size_t count, size_t elem, int *ok)
{
    size_t bytes = mul(count, elem, ok);
    size_t off = (*total + 63) & ~(size_t)63;
    if (off < *total || bytes > SIZE_MAX - off - 64) {
        *ok = 0;
        return 0;
    }
    *total = off + bytes;
    return off;
}

/* Lay out a tape of `rows` x `steps` (base NULL: compute the size only). */
static int tape_layout(const ram_agent *a, size_t rows, size_t steps,
                       int train, ram__tape *tp, char *base, size_t *total)
{
    int ok = 1;
    size_t sb = mul(rows, steps, &ok);
    size_t sb1 = mul(rows, steps + 1, &ok);
    size_t ct = ram__core_tape(a->core_type, a->H);
    size_t o_rho, o_gt, o_g, o_h, o_c, o_ct, o_p, o_a, o_r, o_l, o_raw, o_m;
    *total = 0;
    o_rho = reserve(total, mul(sb, a->R, &ok), sizeof(float), &ok);
    o_gt = reserve(total, mul(sb, a->Hg + a->Hl, &ok), sizeof(float), &ok);
    o_g = reserve(total, mul(sb, a->G, &ok), sizeof(float), &ok);
    o_h = reserve(total, mul(sb, a->H, &ok), sizeof(float), &ok);
    o_c = reserve(total,
                  a->core_type == RAM_CORE_LSTM ? mul(sb, a->H, &ok) : 0,
                  sizeof(float), &ok);
    o_ct = reserve(total, mul(sb, ct, &ok), sizeof(float), &ok);
    o_p = reserve(total, mul(sb, a->A, &ok), sizeof(float), &ok);
    o_a = reserve(total, sb, sizeof(int), &ok);
    o_r = reserve(total, sb, sizeof(float), &ok);
    o_l = reserve(total, mul(sb1, 2, &ok), sizeof(float), &ok);
    o_raw = reserve(total, mul(sb1, 2, &ok), sizeof(float), &ok);
    o_m = reserve(total, mul(sb1, 2, &ok), sizeof(float), &ok);
    size_t ng = train ? mul(sb, a->G, &ok) : 0;
    size_t nh = train ? mul(sb, a->H, &ok) : 0;
    size_t o_gm = reserve(total, ng, sizeof(float), &ok);
    size_t o_gd = reserve(total, ng, sizeof(float), &ok);
    size_t o_hm = reserve(total, nh, sizeof(float), &ok);
    size_t o_hd = reserve(total, nh, sizeof(float), &ok);
    if (!ok)
        return RAM_E_NOMEM;
    if (base) {
        tp->rows = rows;
        tp->steps = steps;
        tp->rho = (float *)(base + o_rho);
        tp->gtape = (float *)(base + o_gt);
        tp->g = (float *)(base + o_g);
        tp->h = (float *)(base + o_h);
        tp->c = a->core_type == RAM_CORE_LSTM ? (float *)(base + o_c) : NULL;
        tp->ctape = (float *)(base + o_ct);
        tp->probs = (float *)(base + o_p);
        tp->actions = (int *)(base + o_a);
        tp->rewards = (float *)(base + o_r);
        tp->loc = (float *)(base + o_l);
        tp->raw = (float *)(base + o_raw);
        tp->mean = (float *)(base + o_m);
        tp->gmask = train ? (float *)(base + o_gm) : NULL;
        tp->gd = train ? (float *)(base + o_gd) : NULL;
        tp->hmask = train ? (float *)(base + o_hm) : NULL;
        tp->hd = train ? (float *)(base + o_hd) : NULL;
        tp->block = base;
    }
    return RAM_OK;
}

static int ws_layout(const ram_agent *a, size_t rows, size_t steps,
                     ram__grad_ws *ws, char *base, size_t *total)
{
    int ok = 1;
    size_t sb = mul(rows, steps, &ok);
    size_t sb1 = mul(rows, steps + 1, &ok);
    size_t work = mul(2 * rows, a->H, &ok);
    size_t gw = mul(sb, a->G + a->Hg + a->Hl, &ok);
    size_t lw = mul(sb1, 2, &ok);
    if (gw > work)
        work = gw;
    if (lw > work)
        work = lw;
    *total = 0;
    size_t o_ret = reserve(total, sb, sizeof(float), &ok);
    size_t o_base = reserve(total, sb, sizeof(float), &ok);
    size_t o_coef = reserve(total, sb1, sizeof(float), &ok);
    size_t o_dm = reserve(total, mul(sb1, 2, &ok), sizeof(float), &ok);
    size_t o_dl = reserve(total, mul(sb, a->A, &ok), sizeof(float), &ok);
    size_t o_db = reserve(total, sb1, sizeof(float), &ok);
    size_t o_dh = reserve(total, mul(sb, a->H, &ok), sizeof(float), &ok);
    size_t o_dg = reserve(total, mul(sb, a->G, &ok), sizeof(float), &ok);
    size_t o_dt = reserve(total, mul(sb, a->H, &ok), sizeof(float), &ok);
    size_t o_w = reserve(total, work, sizeof(float), &ok);
    if (!ok)
        return RAM_E_NOMEM;
    if (base) {
        ws->ret = (float *)(base + o_ret);
        ws->base = (float *)(base + o_base);
        ws->coef = (float *)(base + o_coef);
        ws->dmean = (float *)(base + o_dm);
        ws->dlogits = (float *)(base + o_dl);
        ws->db = (float *)(base + o_db);
        ws->dh = (float *)(base + o_dh);
        ws->dg = (float *)(base + o_dg);
        ws->dtmp = (float *)(base + o_dt);
        ws->work = (float *)(base + o_w);
        ws->block = base;
    }
    return RAM_OK;
}

/* New blocks for ensure_buffers, allocated before anything changes. */
typedef struct buffers {
    char *one, *rec, *ws;
    size_t one_state_off;
} buffers;

/* Make the one-step buffers (and the two state slots) hold `one_rows`, and,
 * if rec_rows is not 0, the training recording and gradient workspace hold
 * `rec_rows`. Everything is allocated first: on failure nothing changes
 * (an episode under way keeps its buffers). */
static int ensure_buffers(ram_agent *a, size_t one_rows, size_t rec_rows)
{
    buffers nb = {NULL, NULL, NULL, 0};
    size_t t_one = 0, t_rec = 0, t_ws = 0;
    int ok = 1;
    const int need_one = !a->one.block || a->one.rows < one_rows;
    const int need_rec = rec_rows && (!a->rec.block || a->rec.rows < rec_rows);
    if (need_one) {
        size_t state;
        if (tape_layout(a, one_rows, 1, 0, NULL, NULL, &t_one) != RAM_OK)
            return RAM_E_NOMEM;
        state = mul(mul(one_rows, a->H, &ok), 4 * sizeof(float), &ok);
        if (!ok || t_one > SIZE_MAX - 64 - state)
            return RAM_E_NOMEM;
        nb.one_state_off = (t_one + 63) & ~(size_t)63;
        if (!(nb.one = calloc(1, nb.one_state_off + state)))
            return RAM_E_NOMEM;
    }
    if (need_rec) {
        if (tape_layout(a, rec_rows, a->T, 1, NULL, NULL, &t_rec) != RAM_OK ||
            ws_layout(a, rec_rows, a->T, NULL, NULL, &t_ws) != RAM_OK ||
            !(nb.rec = calloc(1, t_rec)) || !(nb.ws = calloc(1, t_ws))) {
            free(nb.one);
            free(nb.rec);
            return RAM_E_NOMEM;
        }
    }
    if (need_one) {
        free(a->one.block);
        tape_layout(a, one_rows, 1, 0, &a->one, nb.one, &t_one);
        float *st = (float *)(nb.one + nb.one_state_off);
        size_t rh = one_rows * a->H;
        a->h_state[0] = st;
        a->h_state[1] = st + rh;
        a->c_state[0] = st + 2 * rh;
        a->c_state[1] = st + 3 * rh;
    }
    if (need_rec) {
        free(a->rec.block);
        free(a->ws.block);
        tape_layout(a, rec_rows, a->T, 1, &a->rec, nb.rec, &t_rec);
        ws_layout(a, rec_rows, a->T, &a->ws, nb.ws, &t_ws);
    }
    return RAM_OK;
}

/* ---------------------------------------------------------- lifecycle */

size_t ram__agent_count(const int64_t *cfg)
{
    size_t R = (size_t)(cfg[RAM_CFG_SCALES] * cfg[RAM_CFG_CHANNELS] *
                        cfg[RAM_CFG_PATCH] * cfg[RAM_CFG_PATCH]);
    size_t Hg = (size_t)cfg[RAM_CFG_GLIMPSE_WHAT];
    size_t Hl = (size_t)cfg[RAM_CFG_GLIMPSE_WHERE];
    size_t G = (size_t)cfg[RAM_CFG_GLIMPSE_SIZE];
    size_t H = (size_t)cfg[RAM_CFG_HIDDEN];
    size_t A = (size_t)cfg[RAM_CFG_ACTIONS];
    return ram__glimpse_count(R, Hg, Hl, G) +
           ram__core_count((int)cfg[RAM_CFG_CORE], G, H) +
           ram__location_count(H) + ram__action_count(H, A) +
           ram__baseline_count(H);
}

int ram__agent_new(const int64_t *cfg, int init, ram_agent **out,
                    const char *func)
{
    *out = NULL;
    for (int k = 1; k < RAM__CFG_COUNT; k++) {
        int rc = ram__config_check(k, cfg[k]);
        if (rc != RAM_OK) {
            int64_t lo, hi;
            ram_config_bounds(k, &lo, &hi);
            return ram__fail(rc, func,
                             "configuration key %d: value %lld is outside "
                             "[%lld, %lld]",
                             k, (long long)cfg[k], (long long)lo,
                             (long long)hi);
        }
    }
    int64_t g = cfg[RAM_CFG_PATCH], k = cfg[RAM_CFG_SCALES];
    if (g * ((int64_t)1 << (k - 1)) > RAM_SENSOR_MAX_IMAGE)
        return ram__fail(RAM_E_RANGE, func,
                         "RAM_CFG_PATCH %lld x 2^(RAM_CFG_SCALES %lld - 1) "
                         "is above %d",
                         (long long)g, (long long)k, RAM_SENSOR_MAX_IMAGE);

    ram_agent *a = calloc(1, sizeof *a);
    if (!a)
        return ram__fail(RAM_E_NOMEM, func, "the agent");
    memcpy(a->cfg, cfg, sizeof a->cfg);
    ram__param_defaults(a->par);
    a->sensor.patch = (int)g;
    a->sensor.scales = (int)k;
    a->sensor.channels = (int)cfg[RAM_CFG_CHANNELS];
    a->R = (size_t)(k * cfg[RAM_CFG_CHANNELS] * g * g);
    a->Hg = (size_t)cfg[RAM_CFG_GLIMPSE_WHAT];
    a->Hl = (size_t)cfg[RAM_CFG_GLIMPSE_WHERE];
    a->G = (size_t)cfg[RAM_CFG_GLIMPSE_SIZE];
    a->H = (size_t)cfg[RAM_CFG_HIDDEN];
    a->A = (size_t)cfg[RAM_CFG_ACTIONS];
    a->T = (size_t)cfg[RAM_CFG_MAX_STEPS];
    a->core_type = (int)cfg[RAM_CFG_CORE];
    a->action_mode = (int)cfg[RAM_CFG_ACTION_MODE];
    a->bound = (int)cfg[RAM_CFG_LOCATION_BOUND];
    a->trainable = (int)cfg[RAM_CFG_TRAINABLE];
    a->opt_kind = (int)a->par[RAM_PARAM_OPTIMIZER];

    size_t cg = ram__glimpse_count(a->R, a->Hg, a->Hl, a->G);
    size_t cc = ram__core_count(a->core_type, a->G, a->H);
    size_t cl = ram__location_count(a->H);
    size_t ca = ram__action_count(a->H, a->A);
    size_t cb = ram__baseline_count(a->H);
    a->count = cg + cc + cl + ca + cb;
    const size_t a_count = a->count;

    int rc = RAM_E_NOMEM;
    a->params = calloc(a->count, sizeof(float));
    if (!a->params)
        goto fail;
    if (a->trainable) {
        a->grads = calloc(a->count, sizeof(float));
        a->opt_m = calloc(a->count, sizeof(float));
        a->opt_v = calloc(a->count, sizeof(float));
        if (!a->grads || !a->opt_m || !a->opt_v)
            goto fail;
    }
    float *p = a->params, *d = a->grads;
#define NEXT(n) (p += (n), d = d ? d + (n) : NULL)
    ram__glimpse_init(&a->glimpse, a->R, a->Hg, a->Hl, a->G, p, d);
    NEXT(cg);
    ram__core_init(&a->core, a->core_type, a->G, a->H, p, d);
    NEXT(cc);
    ram__location_init(&a->loc, a->H, a->bound, p, d);
    NEXT(cl);
    ram__action_init(&a->act, a->H, a->A, p, d);
    NEXT(ca);
    ram__baseline_init(&a->base, a->H, p, d);
#undef NEXT

    /* Weight (not bias) ranges for weight decay, as each network lays out
     * its parameters, shifted to the agent's block. */
    {
        size_t off[5] = {0, cg, cg + cc, cg + cc + cl, cg + cc + cl + ca};
        ram__range r[5][3];
        size_t nr[5] = {ram__glimpse_weights(&a->glimpse, r[0]),
                        ram__core_weights(&a->core, r[1]),
                        ram__location_weights(&a->loc, r[2]),
                        ram__action_weights(&a->act, r[3]),
                        ram__baseline_weights(&a->base, r[4])};
        a->n_wranges = 0;
        for (int k = 0; k < 5; k++)
            for (size_t q = 0; q < nr[k]; q++)
                a->wranges[a->n_wranges++] =
                    (ram__range){off[k] + r[k][q].off, r[k][q].len};
    }

    ram__rng_seed(&a->rng, (uint64_t)cfg[RAM_CFG_SEED]);
    if (init) {
        ram__glimpse_reset(&a->glimpse, &a->rng);
        ram__core_reset(&a->core, &a->rng);
        ram__location_reset(&a->loc, &a->rng);
        ram__action_reset(&a->act, &a->rng);
        ram__baseline_reset(&a->base, &a->rng);
    }
    if ((rc = ensure_buffers(a, 1, a->trainable ? 1 : 0)) != RAM_OK)
        goto fail;
    *out = a;
    return RAM_OK;
fail:
    ram_agent_free(a);
    return ram__fail(rc, func, "%zu parameters and their buffers", a_count);
}

int ram_agent_create(ram_agent **out, const ram_config *cfg)
{
    if (!out)
        return RAM_FAIL(RAM_E_INVALID, "out is NULL");
    *out = NULL;
    if (!cfg)
        return RAM_FAIL(RAM_E_INVALID, "cfg is NULL");
    return ram__agent_new(cfg->v, 1, out, __func__);
}

void ram_agent_free(ram_agent *a)
{
    if (!a)
        return;
    free(a->params);
    free(a->grads);
    free(a->opt_m);
    free(a->opt_v);
    free(a->one.block);
    free(a->rec.block);
    free(a->ws.block);
    free(a);
}

int ram_agent_get_config(const ram_agent *a, int key, int64_t *value)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!value)
        return RAM_FAIL(RAM_E_INVALID, "value is NULL");
    if (key < 1 || key >= RAM__CFG_COUNT)
        return RAM_FAIL(RAM_E_INVALID, "key %d is not a configuration key",
                        key);
    *value = a->cfg[key];
    return RAM_OK;
}

int ram_agent_set_param(ram_agent *a, int key, double value)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    int rc = ram__param_check(key, value);
    if (rc == RAM_E_INVALID)
        return RAM_FAIL(rc, "key %d is not a tunable (ram_param)", key);
    if (rc != RAM_OK) {
        double lo, hi;
        ram_param_bounds(key, &lo, &hi);
        return RAM_FAIL(rc,
                        "key %d: value %g is outside [%g, %g], NaN, or not "
                        "an integer for an integer key",
                        key, value, lo, hi);
    }
    a->par[key] = value;
    return RAM_OK;
}

int ram_agent_get_param(const ram_agent *a, int key, double *value)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!value)
        return RAM_FAIL(RAM_E_INVALID, "value is NULL");
    if (key < 1 || key >= RAM__PARAM_COUNT)
        return RAM_FAIL(RAM_E_INVALID, "key %d is not a tunable (ram_param)",
                        key);
    *value = a->par[key];
    return RAM_OK;
}

int ram_agent_reset_params(ram_agent *a)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    ram__param_defaults(a->par);
    return RAM_OK;
}

int ram_agent_params(ram_agent *a, float **params, float **grads,
                     size_t *count)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    ram__params_out(a->params, a->grads, a->count, params, grads, count);
    return RAM_OK;
}

int ram_agent_seed(ram_agent *a, uint64_t seed)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    ram__rng_seed(&a->rng, seed);
    return RAM_OK;
}

int ram_agent_set_input(ram_agent *a, int format, size_t width,
                        size_t height, size_t row_stride, size_t image_stride)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    /* Checked for one image: image_stride matters only at a batch above 1,
     * and ram_agent_step checks it against the episode's batch (as the
     * sensor ignores it at batch 1). */
    int rc = ram__image_check(format, (size_t)a->sensor.channels, width,
                              height, row_stride, image_stride, 1);
    if (rc != RAM_OK) {
        if (format != RAM_PIXEL_U8 && format != RAM_PIXEL_F32)
            return RAM_FAIL(rc, "format %d is not a ram_pixel_format",
                            format);
        if (rc == RAM_E_RANGE && (width < 1 || height < 1 ||
                                  width > RAM_SENSOR_MAX_IMAGE ||
                                  height > RAM_SENSOR_MAX_IMAGE))
            return RAM_FAIL(rc, "width %zu or height %zu is outside [1, %d]",
                            width, height, RAM_SENSOR_MAX_IMAGE);
        if (rc == RAM_E_RANGE)
            return RAM_FAIL(rc,
                            "row_stride %zu x height %zu overflows the "
                            "address space",
                            row_stride, height);
        return RAM_FAIL(rc,
                        "row_stride %zu is below width x channels x pixel "
                        "size (%zu x %d) or not a multiple of the pixel size",
                        row_stride, width, a->sensor.channels);
    }
    int64_t *cw = &a->cfg[RAM_CFG_INPUT_WIDTH];
    int64_t *ch = &a->cfg[RAM_CFG_INPUT_HEIGHT];
    int64_t *cf = &a->cfg[RAM_CFG_INPUT_FORMAT];
    if ((*cw && (size_t)*cw != width) || (*ch && (size_t)*ch != height) ||
        (*cf && *cf != format))
        return RAM_FAIL(RAM_E_INVALID,
                        "the input is %zux%zu pixels of format %d, the "
                        "agent's input geometry (RAM_CFG_INPUT_WIDTH, "
                        "_HEIGHT, _FORMAT; 0 = unset) is %lldx%lld of "
                        "format %lld",
                        width, height, format, (long long)*cw,
                        (long long)*ch, (long long)*cf);
    /* The first description fixes what the configuration left unset. */
    *cw = (int64_t)width;
    *ch = (int64_t)height;
    *cf = format;
    a->has_input = 1;
    a->in_format = format;
    a->in_w = width;
    a->in_h = height;
    a->in_row = row_stride;
    a->in_img = image_stride;
    return RAM_OK;
}

int ram_agent_get_input(const ram_agent *a, int *format, size_t *width,
                        size_t *height, size_t *row_stride,
                        size_t *image_stride)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!a->has_input)
        return RAM_FAIL(RAM_E_STATE,
                        "no input described: call ram_agent_set_input");
    if (format)
        *format = a->in_format;
    if (width)
        *width = a->in_w;
    if (height)
        *height = a->in_h;
    if (row_stride)
        *row_stride = a->in_row;
    if (image_stride)
        *image_stride = a->in_img;
    return RAM_OK;
}

int ram_agent_batch(const ram_agent *a, size_t *batch)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!batch)
        return RAM_FAIL(RAM_E_INVALID, "batch is NULL");
    if (!a->active)
        return RAM_FAIL(RAM_E_STATE, "no episode under way");
    *batch = a->B;
    return RAM_OK;
}

/* ------------------------------------------------------------ episode */

static int training(const ram_agent *a)
{
    return (a->flags & RAM_BEGIN_TRAIN) != 0;
}

/* Inverted dropout: mask[i] = 0 with probability p, else 1 / (1 - p);
 * out = x * mask. */
static void dropout(ram_rng *rng, float p, size_t n, const float *x,
                    float *mask, float *out)
{
    const float keep = 1.0f / (1.0f - p);
    for (size_t i = 0; i < n; i++) {
        mask[i] = ram__rng_uniform(rng) < (double)p ? 0.0f : keep;
        out[i] = x[i] * mask[i];
    }
}

/* x[i] *= m[i]: a gradient back through a dropout mask. */
static void mul_mask(float *x, const float *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] *= m[i];
}

/* The input the action network reads at recorded step s: h_s, or its
 * dropped copy. */
static const float *action_input(const ram_agent *a, size_t s)
{
    const ram__tape *tp = &a->rec;
    return a->drop_h > 0.0f ? tp->hd + s * a->B * a->H
                            : tp->h + s * a->B * a->H;
}

/* Choose n locations from the state h (NULL = zeros). */
static void choose_locations(ram_agent *a, size_t n, const float *h,
                             float *mean, float *raw, float *loc)
{
    if (a->par[RAM_PARAM_RANDOM_GLIMPSES] != 0.0) {
        for (size_t i = 0; i < 2 * n; i++) {
            loc[i] = ram__rng_symmetric(&a->rng, 1.0f);
            raw[i] = mean[i] = loc[i];
        }
        return;
    }
    ram__location_fwd(&a->loc, n, h, mean);
    if (a->flags & RAM_BEGIN_GREEDY_LOCATION) {
        memcpy(raw, mean, 2 * n * sizeof(float));
        memcpy(loc, mean, 2 * n * sizeof(float));
    } else {
        ram__location_sample(n, mean, a->par[RAM_PARAM_LOCATION_STD],
                             &a->rng, raw, loc, NULL);
    }
}

/* Choose the n first locations l_0, as RAM_PARAM_FIRST_LOCATION says. */
static void first_locations(ram_agent *a, size_t n, float *mean, float *raw,
                            float *loc)
{
    const double mode = a->par[RAM_PARAM_FIRST_LOCATION];
    if (mode == RAM_FIRST_LEARNED || a->par[RAM_PARAM_RANDOM_GLIMPSES] != 0.0) {
        choose_locations(a, n, NULL, mean, raw, loc);
        return;
    }
    for (size_t i = 0; i < 2 * n; i++) {
        float v = mode == RAM_FIRST_CENTER ? 0.0f
                                           : ram__rng_symmetric(&a->rng, 1.0f);
        loc[i] = raw[i] = mean[i] = v;
    }
}

int ram_agent_begin(ram_agent *a, size_t batch, unsigned flags)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    const unsigned known = RAM_BEGIN_TRAIN | RAM_BEGIN_GREEDY_LOCATION |
                           RAM_BEGIN_GREEDY_ACTION;
    if (flags & ~known)
        return RAM_FAIL(RAM_E_INVALID, "flags 0x%x has unknown bits 0x%x",
                        flags, flags & ~known);
    if ((flags & RAM_BEGIN_GREEDY_ACTION) &&
        a->action_mode != RAM_ACTION_CONTROL)
        return RAM_FAIL(RAM_E_INVALID,
                        "flags: RAM_BEGIN_GREEDY_ACTION is for control mode; "
                        "in classify mode the action is always the argmax");
    if (!ram__rows_ok(batch))
        return RAM_FAIL(RAM_E_RANGE, "batch %zu is outside [1, %d]", batch,
                        RAM_MAX_ROWS);
    int train = (flags & RAM_BEGIN_TRAIN) != 0;
    if (train && !a->trainable)
        return RAM_FAIL(RAM_E_UNSUPPORTED,
                        "flags: RAM_BEGIN_TRAIN on an inference-only agent");
    if (train && batch > RAM_MAX_ROWS / a->T)
        return RAM_FAIL(RAM_E_RANGE,
                        "batch %zu x RAM_CFG_MAX_STEPS %zu is above %d rows",
                        batch, a->T, RAM_MAX_ROWS);
    /* l_0 of the learned policy is the location network's output for the
     * zero state, the same for every row: refuse a model that makes it NaN
     * before anything changes (no float reaches the sensor's integer
     * conversions unchecked). */
    if (FINITE_CHECKS &&
        a->par[RAM_PARAM_FIRST_LOCATION] == RAM_FIRST_LEARNED &&
        a->par[RAM_PARAM_RANDOM_GLIMPSES] == 0.0) {
        float m0[2];
        ram__location_fwd(&a->loc, 1, NULL, m0);
        if (!ram__all_finite(m0, 2))
            return RAM_FAIL(RAM_E_NONFINITE,
                            "the first location (the location network's "
                            "output for the zero state) is NaN or infinite; "
                            "nothing changed");
    }
    int rc = ensure_buffers(a, batch, train ? batch : 0);
    if (rc != RAM_OK)
        return RAM_FAIL(rc, "the buffers for batch %zu (nothing changed)",
                        batch);
    a->B = batch;
    a->flags = flags;
    a->t = 0;
    a->cur = 0;
    a->probs_skipped = 0;
    a->active = 1;
    a->drop_g = train ? (float)a->par[RAM_PARAM_GLIMPSE_DROPOUT] : 0.0f;
    a->drop_h = train ? (float)a->par[RAM_PARAM_ACTION_DROPOUT] : 0.0f;
    ram__tape *tp = train ? &a->rec : &a->one;
    first_locations(a, batch, tp->mean, tp->raw, tp->loc);
    if (train)
        memset(tp->rewards, 0, a->T * batch * sizeof(float));
    return RAM_OK;
}

int ram_agent_location(const ram_agent *a, float *loc)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!loc)
        return RAM_FAIL(RAM_E_INVALID, "loc is NULL");
    if (!a->active)
        return RAM_FAIL(RAM_E_STATE, "no episode: call ram_agent_begin");
    const float *src = training(a) ? a->rec.loc + a->t * a->B * 2
                                   : a->one.loc;
    memcpy(loc, src, a->B * 2 * sizeof(float));
    return RAM_OK;
}

/* The bytes a batch of `batch` images described by set_input spans: the
 * last image's last row ends at (batch - 1) * image_stride + (height - 1) *
 * row_stride + width * C * element. The caller checked the strides with
 * ram__image_check for this batch, so nothing overflows. */
static size_t input_bytes(const ram_agent *a, size_t batch)
{
    size_t elem = a->in_format == RAM_PIXEL_F32 ? sizeof(float) : 1;
    size_t last = (a->in_h - 1) * a->in_row +
                  a->in_w * (size_t)a->sensor.channels * elem;
    return (batch - 1) * a->in_img + last;
}

int ram_agent_step(ram_agent *a, const void *images, size_t images_size,
                   float *next_loc, float *probs, int *actions)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!images)
        return RAM_FAIL(RAM_E_INVALID, "images is NULL");
    if (!a->active)
        return RAM_FAIL(RAM_E_STATE, "no episode: call ram_agent_begin");
    if (!a->has_input)
        return RAM_FAIL(RAM_E_STATE,
                        "no input described: call ram_agent_set_input");
    int train = training(a);
    if (train && a->t >= a->T)
        return RAM_FAIL(RAM_E_STATE,
                        "the training episode already has RAM_CFG_MAX_STEPS "
                        "= %zu steps",
                        a->T);
    /* The strides were checked at set_input for at most two images; the
     * batch may be larger, and (B - 1) * image_stride must fit too. */
    int rc = ram__image_check(a->in_format, (size_t)a->sensor.channels,
                              a->in_w, a->in_h, a->in_row, a->in_img, a->B);
    if (rc == RAM_E_INVALID)
        return RAM_FAIL(rc,
                        "image_stride %zu (set_input) is below height * "
                        "row_stride = %zu or not a multiple of the pixel "
                        "size, and the batch is %zu",
                        a->in_img, a->in_h * a->in_row, a->B);
    if (rc != RAM_OK)
        return RAM_FAIL(rc,
                        "batch %zu x image_stride %zu overflows the "
                        "address space",
                        a->B, a->in_img);
    size_t need = input_bytes(a, a->B);
    if (images_size < need)
        return RAM_FAIL(RAM_E_BUFFER,
                        "images_size is %zu bytes, the input (batch %zu, "
                        "%zux%zu, as set_input described it) needs %zu",
                        images_size, a->B, a->in_w, a->in_h, need);
    if (a->in_format == RAM_PIXEL_F32 &&
        (uintptr_t)images % _Alignof(float) != 0)
        return RAM_FAIL(RAM_E_INVALID, "F32 images are not aligned for float");
    size_t B = a->B, t = a->t, s = train ? t : 0;
    ram__tape *tp = train ? &a->rec : &a->one;
    int lstm = a->core_type == RAM_CORE_LSTM;
    size_t ct = ram__core_tape(a->core_type, a->H);

    const float *lcur = tp->loc + s * B * 2;
    /* 8-bit pixels are always valid: only float images need the scan, the
     * same as ram_sensor_glimpse's (finite, |x| <= RAM_PIXEL_F32_MAX). */
    if (a->in_format == RAM_PIXEL_F32 &&
        (rc = ram__sensor_pixels_check(__func__, &a->sensor, B, images,
                                       a->in_w, a->in_h, a->in_row,
                                       a->in_img, lcur)) != RAM_OK)
        return rc;
    /* What a refused step must put back: the RNG (dropout and sampling
     * draw from it) and whether the last probabilities are to be
     * recomputed. Everything else it writes is beyond the episode's
     * recorded steps, or the spare state slot. */
    const ram_rng rng_before = a->rng;
    const int skipped_before = a->probs_skipped;
    float *rho = tp->rho + s * B * a->R;
    ram__sensor_run(&a->sensor, B, images, a->in_format, a->in_w, a->in_h,
                    a->in_row, a->in_img, lcur, rho);

    float *g = tp->g + s * B * a->G;
    ram__glimpse_fwd(&a->glimpse, B, rho, lcur, g,
                     tp->gtape + s * B * (a->Hg + a->Hl));

    const float *core_in = g;
    if (a->drop_g > 0.0f) {
        core_in = tp->gd + s * B * a->G;
        dropout(&a->rng, a->drop_g, B * a->G, g, tp->gmask + s * B * a->G,
                tp->gd + s * B * a->G);
    }

    const float *hp = NULL, *cp = NULL;
    float *h, *c;
    if (train) {
        if (t > 0) {
            hp = tp->h + (t - 1) * B * a->H;
            cp = lstm ? tp->c + (t - 1) * B * a->H : NULL;
        }
        h = tp->h + t * B * a->H;
        c = lstm ? tp->c + t * B * a->H : NULL;
    } else {
        if (t > 0) {
            hp = a->h_state[a->cur];
            cp = lstm ? a->c_state[a->cur] : NULL;
        }
        h = a->h_state[1 - a->cur];
        c = lstm ? a->c_state[1 - a->cur] : NULL;
    }
    ram__core_fwd(&a->core, B, hp, cp, core_in, h, c, tp->ctape + s * B * ct,
                  NULL);
    const float *act_in = h;
    if (a->drop_h > 0.0f) {
        act_in = tp->hd + s * B * a->H;
        dropout(&a->rng, a->drop_h, B * a->H, h, tp->hmask + s * B * a->H,
                tp->hd + s * B * a->H);
    }

    float *mn = tp->mean + (s + 1) * B * 2;
    float *rn = tp->raw + (s + 1) * B * 2;
    float *ln = tp->loc + (s + 1) * B * 2;
    choose_locations(a, B, h, mn, rn, ln);

    float *pr = tp->probs + s * B * a->A;
    int *ac = tp->actions + s * B;
    /* In classify mode only the last step's head is ever read, and the
     * host does not know yet which step is the last: skip the head when
     * nobody asks for it, and let ram_agent_end fill it in. */
    a->probs_skipped = a->action_mode != RAM_ACTION_CONTROL && !probs &&
                       !actions;
    if (!a->probs_skipped) {
        ram__action_fwd(&a->act, B, act_in, pr);
        if (a->action_mode == RAM_ACTION_CONTROL &&
            !(a->flags & RAM_BEGIN_GREEDY_ACTION))
            ram__action_sample(B, a->A, pr, &a->rng, ac);
        else
            ram__action_argmax(B, a->A, pr, ac);
    }

    /* No output and no state that a later call reads may be NaN or
     * infinite (a finite but absurd model, or parameters the host wrote):
     * the new state h (and c), the next locations, the probabilities.
     * Outputs are written only after the check. */
    if (FINITE_CHECKS &&
        (!ram__all_finite(h, B * a->H) ||
         (c && !ram__all_finite(c, B * a->H)) || !ram__all_finite(ln, B * 2) ||
         (!a->probs_skipped && !ram__all_finite(pr, B * a->A)))) {
        a->rng = rng_before;
        /* Inference: the one-step tape's probabilities may now hold this
         * step's; have ram_agent_end recompute the last step's from the
         * state slot, which is unchanged (the same bits). Training: the
         * slots of step t are not part of the recording yet. */
        a->probs_skipped = train ? skipped_before : (skipped_before || t > 0);
        return RAM_FAIL(RAM_E_NONFINITE,
                        "step %zu: the model's state, next location or "
                        "action probabilities are NaN or infinite (finite "
                        "but absurd parameters?); the episode is as before",
                        t);
    }
    if (next_loc)
        memcpy(next_loc, ln, B * 2 * sizeof(float));
    if (probs)
        memcpy(probs, pr, B * a->A * sizeof(float));
    if (actions)
        memcpy(actions, ac, B * sizeof(int));
    if (!train) {
        memcpy(tp->loc, ln, B * 2 * sizeof(float));
        a->cur = 1 - a->cur;
    }
    a->t++;
    return RAM_OK;
}

int ram_agent_reward(ram_agent *a, const float *rewards)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!rewards)
        return RAM_FAIL(RAM_E_INVALID, "rewards is NULL");
    if (!a->active)
        return RAM_FAIL(RAM_E_STATE, "no episode: call ram_agent_begin");
    if (a->t == 0)
        return RAM_FAIL(RAM_E_STATE, "no step yet in this episode");
    if (!ram__all_finite(rewards, a->B))
        return RAM_FAIL(RAM_E_NONFINITE, "rewards: a value is NaN or infinite");
    /* A step's reward (the sum of its calls) stays within
     * +-RAM_AGENT_MAX_REWARD, so that no return, baseline error or
     * gradient term derived from it overflows. All checked before any is
     * added. */
    for (size_t b = 0; b < a->B; b++) {
        double sum = (double)rewards[b];
        if (training(a))
            sum += (double)a->rec.rewards[(a->t - 1) * a->B + b];
        if (!(fabs((double)rewards[b]) <= RAM_AGENT_MAX_REWARD) ||
            !(fabs(sum) <= RAM_AGENT_MAX_REWARD))
            return RAM_FAIL(RAM_E_RANGE,
                            "rewards[%zu] = %g: the step's reward would be "
                            "%g, outside +-RAM_AGENT_MAX_REWARD (%g); "
                            "nothing is added",
                            b, (double)rewards[b], sum,
                            (double)RAM_AGENT_MAX_REWARD);
    }
    if (training(a)) {
        float *r = a->rec.rewards + (a->t - 1) * a->B;
        for (size_t b = 0; b < a->B; b++)
            r[b] += rewards[b];
    }
    return RAM_OK;
}

/* Cross-entropy and accuracy of the last step against labels (the figures,
 * means over the batch); writes the gradient scale * (p - onehot) into
 * dlogits when it is non-NULL. */
static void xent_last(ram_agent *a, const float *probs, const int *labels,
                      double scale, float *dlogits)
{
    size_t correct;
    double loss = ram__action_xent_grad(a->B, a->A, probs, labels, scale,
                                        dlogits, 0, &correct);
    a->stat[RAM_STAT_XENT] = loss / (double)a->B;
    a->stat[RAM_STAT_ACCURACY] = (double)correct / (double)a->B;
}

/* y[i] += s * x[i]. */
static void add_scaled(float *y, const float *x, float s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += s * x[i];
}

/* The gradient of the summed loss (docs/design.md), added into the
 * networks' gradients. Every piece of maths is the owning network's:
 * the cross-entropy and the policy score in action.c, the score function in
 * location.c, the squared error in baseline.c, the layers' backward passes
 * in each network; here are only the episode's bookkeeping (returns,
 * advantages, which step feeds which head) and the sums of the heads'
 * gradients at h_t. */
static void backward(ram_agent *a, const int *labels)
{
    const size_t B = a->B, S = a->t, H = a->H, A = a->A, SB = S * B;
    const ram__tape *tp = &a->rec;
    const ram__grad_ws *ws = &a->ws;
    const double w_x = a->par[RAM_PARAM_XENT_WEIGHT];
    const double w_r = a->par[RAM_PARAM_REINFORCE_WEIGHT];
    const double w_b = a->par[RAM_PARAM_BASELINE_WEIGHT];
    const double w_e = a->par[RAM_PARAM_ENTROPY_WEIGHT];
    const double gamma = a->par[RAM_PARAM_GAMMA];
    const double std = a->par[RAM_PARAM_LOCATION_STD];
    const int random_g = a->par[RAM_PARAM_RANDOM_GLIMPSES] != 0.0;
    /* l_0 is a policy action (with a REINFORCE term and the baseline b_init)
     * only when the location network chose it. */
    const int first_learned =
        random_g || a->par[RAM_PARAM_FIRST_LOCATION] == RAM_FIRST_LEARNED;
    const int greedy_l = (a->flags & RAM_BEGIN_GREEDY_LOCATION) != 0;
    const int greedy_a = (a->flags & RAM_BEGIN_GREEDY_ACTION) != 0;
    const int control = a->action_mode == RAM_ACTION_CONTROL;

    /* Discounted returns R_t = r_t + gamma R_{t+1}. */
    for (size_t b = 0; b < B; b++) {
        double run = 0.0;
        for (size_t t = S; t-- > 0;) {
            run = tp->rewards[t * B + b] + gamma * run;
            ws->ret[t * B + b] = (float)run;
        }
    }
    /* Baselines b_t = Linear(h_t), and b_init = Linear(0) for l_0; the
     * squared error's gradient db = w_b (b - R) (rows SB .. SB + B - 1:
     * b_init against R_0). */
    float b_init;
    ram__baseline_fwd(&a->base, SB, tp->h, ws->base);
    ram__baseline_fwd(&a->base, 1, NULL, &b_init);
    {
        double r0 = 0.0;
        for (size_t b = 0; b < B; b++)
            r0 += ws->ret[b];
        a->stat[RAM_STAT_RETURN] = r0 / (double)B;
        double sq = ram__baseline_mse_grad(SB, ws->base, ws->ret, w_b, ws->db);
        a->stat[RAM_STAT_BASELINE_MSE] = sq / (double)SB;
        for (size_t b = 0; b < B; b++)
            ws->db[SB + b] = b_init;
        ram__baseline_mse_grad(B, ws->db + SB, ws->ret, w_b, ws->db + SB);
    }

    /* Gradient at each h_t from the heads. The action head writes first. */
    memset(ws->dh, 0, SB * H * sizeof(float));
    a->stat[RAM_STAT_XENT] = 0.0;
    a->stat[RAM_STAT_ACCURACY] = 0.0;
    const float *p_last = tp->probs + (S - 1) * B * A;
    if (labels) {
        int grad = w_x > 0.0 && !control;
        xent_last(a, p_last, labels, w_x, grad ? ws->dlogits : NULL);
        if (grad) {
            ram__action_bwd(&a->act, B, action_input(a, S - 1), ws->dlogits,
                            ws->dh + (S - 1) * B * H);
            if (a->drop_h > 0.0f) /* dh is the action head's alone so far */
                mul_mask(ws->dh + (S - 1) * B * H, tp->hmask + (S - 1) * B * H,
                         B * H);
        }
    }
    if (control) {
        /* REINFORCE on every sampled action with the advantage R_t - b_t,
         * and the entropy bonus; plus, with labels, the supervised term on
         * the last step. */
        for (size_t i = 0; i < SB; i++) /* the loss is -w_r (R - b) log p */
            ws->coef[i] = greedy_a ? 0.0f
                                   : (float)(-w_r * (ws->ret[i] - ws->base[i]));
        double ent = ram__action_policy_grad(SB, A, tp->probs, tp->actions,
                                             ws->coef, w_e, ws->dlogits);
        a->stat[RAM_STAT_ENTROPY] = ent / (double)SB;
        if (labels && w_x > 0.0)
            ram__action_xent_grad(B, A, p_last, labels, w_x,
                                  ws->dlogits + (S - 1) * B * A, 1, NULL);
        ram__action_bwd(&a->act, SB, action_input(a, 0), ws->dlogits,
                        ws->dh);
        if (a->drop_h > 0.0f)
            mul_mask(ws->dh, tp->hmask, SB * H);
    }

    /* REINFORCE on the locations. l_0 came from the zero state: advantage
     * R_0 - b_init. l_{t+1} came from h_t: advantage R_t - b_t, the same as
     * the action a_t, so that one baseline per step serves both (R_t holds
     * r_t, which l_{t+1} cannot affect: no bias, and b_t removes its mean). */
    if (!random_g && !greedy_l && w_r > 0.0) {
        for (size_t b = 0; b < B; b++)
            ws->coef[b] = first_learned
                              ? (float)(-w_r * (ws->ret[b] - b_init))
                              : 0.0f;
        for (size_t i = 0; i < (S - 1) * B; i++)
            ws->coef[B + i] = (float)(-w_r * (ws->ret[i] - ws->base[i]));
        ram__location_score(SB, tp->mean, tp->raw, std, ws->coef, ws->dmean);
        ram__location_bwd(&a->loc, B, NULL, tp->mean, ws->dmean, NULL,
                          ws->work);
        if (S > 1) {
            size_t n = (S - 1) * B;
            const float w_c = (float)a->par[RAM_PARAM_LOCATION_CORE_WEIGHT];
            ram__location_bwd(&a->loc, n, tp->h, tp->mean + 2 * B,
                              ws->dmean + 2 * B, w_c > 0.0f ? ws->dtmp : NULL,
                              ws->work);
            if (w_c > 0.0f)
                add_scaled(ws->dh, ws->dtmp, w_c, n * H);
        }
    }

    /* Baseline regression: w_b * sum over the batch of
     * sum_t (b_t - R_t)^2 / 2, plus the same for b_init against R_0. */
    if (w_b > 0.0) {
        const int to_core = a->par[RAM_PARAM_BASELINE_TRAINS_CORE] != 0.0;
        ram__baseline_bwd(&a->base, SB, tp->h, ws->db,
                          to_core ? ws->dtmp : NULL);
        if (to_core)
            add_scaled(ws->dh, ws->dtmp, 1.0f, SB * H);
        if (first_learned)
            ram__baseline_bwd(&a->base, B, NULL, ws->db + SB, NULL);
    }

    /* Through time, then through the glimpse network. The sampled locations
     * are inputs: no gradient flows into them. */
    const int drop_g = a->drop_g > 0.0f;
    ram__core_bwd(&a->core, S, B, NULL, NULL, drop_g ? tp->gd : tp->g, tp->h,
                  tp->c, tp->ctape, ws->dh, ws->dg, NULL, NULL, ws->work);
    if (drop_g)
        mul_mask(ws->dg, tp->gmask, SB * a->G);
    ram__glimpse_bwd(&a->glimpse, SB, tp->rho, tp->loc, tp->g, tp->gtape,
                     ws->dg, NULL, NULL, ws->work);
}

/* The last step's action head, if ram_agent_step skipped it: 1, or 0 if
 * the probabilities are not finite (then it stays skipped). */
static int fill_last_probs(ram_agent *a)
{
    if (!a->probs_skipped || a->t == 0)
        return 1;
    size_t B = a->B;
    float *pr = training(a) ? a->rec.probs + (a->t - 1) * B * a->A
                            : a->one.probs;
    if (training(a))
        ram__action_fwd(&a->act, B, action_input(a, a->t - 1), pr);
    else /* step() flipped cur: the slot it names holds the newest h */
        ram__action_fwd(&a->act, B, a->h_state[a->cur], pr);
    if (!ram__all_finite(pr, B * a->A))
        return 0;
    a->probs_skipped = 0;
    return 1;
}

int ram_agent_end(ram_agent *a, const int *labels)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!a->active)
        return RAM_FAIL(RAM_E_STATE, "no episode: call ram_agent_begin");
    if (labels)
        for (size_t b = 0; b < a->B; b++)
            if (labels[b] < 0 || (size_t)labels[b] >= a->A)
                return RAM_FAIL(RAM_E_RANGE,
                                "labels[%zu] = %d is outside [0, %zu)", b,
                                labels[b], a->A);
    if (training(a) && a->t == 0)
        return RAM_FAIL(RAM_E_STATE, "a training episode with no step");
    if (!fill_last_probs(a))
        return RAM_FAIL(RAM_E_NONFINITE,
                        "the last step's action probabilities are NaN or "
                        "infinite (finite but absurd parameters?); the "
                        "episode goes on");
    if (!training(a)) {
        if (labels && a->t > 0)
            xent_last(a, a->one.probs, labels, 0.0, NULL);
        a->stat[RAM_STAT_STEPS] = (double)a->t;
        a->active = 0;
        return RAM_OK;
    }
    backward(a, labels);
    a->stat[RAM_STAT_STEPS] = (double)a->t;
    a->active = 0;
    a->has_grad = 1;
    a->grad_samples += a->B;
    return RAM_OK;
}

int ram_agent_update(ram_agent *a)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!a->trainable)
        return RAM_FAIL(RAM_E_UNSUPPORTED, "an inference-only agent");
    if (!a->has_grad)
        return RAM_FAIL(RAM_E_STATE, "no gradient accumulated since the "
                                     "last update or zero_grad");
    const int kind = (int)a->par[RAM_PARAM_OPTIMIZER];
    ram__optim o = {
        .kind = kind,
        .lr = a->par[RAM_PARAM_LEARNING_RATE],
        .momentum = a->par[RAM_PARAM_MOMENTUM],
        .beta1 = a->par[RAM_PARAM_ADAM_BETA1],
        .beta2 = a->par[RAM_PARAM_ADAM_BETA2],
        .epsilon = a->par[RAM_PARAM_ADAM_EPSILON],
        .clip = a->par[RAM_PARAM_CLIP_NORM],
        .weight_decay = a->par[RAM_PARAM_WEIGHT_DECAY],
        .decay = a->wranges,
        .n_decay = (size_t)a->n_wranges,
        .samples = a->grad_samples ? a->grad_samples : 1,
        .scaled = {(size_t)(a->loc.params - a->params), a->loc.count},
        .scaled_lr = a->par[RAM_PARAM_LOCATION_LR_SCALE],
    };
    /* Moments of another optimiser are dropped, on success only. */
    const int fresh = kind != a->opt_kind;
    uint64_t t = a->adam_t;
    double norm;
    if (ram__optim_step(&o, a->count, a->params, a->grads, a->opt_m,
                        a->opt_v, fresh, &t, a->opt_bounds, &norm) != RAM_OK) {
        /* Nothing is applied; the refusal is counted so that a loop that
         * only logs cannot miss it. */
        a->refused++;
        return RAM_FAIL(RAM_E_NONFINITE,
                        "a gradient is NaN or infinite, or the step would "
                        "make a parameter or moment NaN or infinite; "
                        "nothing applied, the gradients are kept "
                        "(RAM_STAT_REFUSED_UPDATES = %llu; "
                        "ram_agent_zero_grad() discards them)",
                        (unsigned long long)a->refused);
    }
    a->opt_kind = kind;
    a->adam_t = t;
    a->stat[RAM_STAT_GRAD_NORM] = norm;
    a->has_grad = 0;
    a->grad_samples = 0;
    a->updates++;
    return RAM_OK;
}

int ram_agent_zero_grad(ram_agent *a)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!a->trainable)
        return RAM_FAIL(RAM_E_UNSUPPORTED, "an inference-only agent");
    memset(a->grads, 0, a->count * sizeof(float));
    a->has_grad = 0;
    a->grad_samples = 0;
    return RAM_OK;
}

int ram_agent_grad_samples(const ram_agent *a, uint64_t *samples)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!samples)
        return RAM_FAIL(RAM_E_INVALID, "samples is NULL");
    *samples = a->grad_samples;
    return RAM_OK;
}

int ram_agent_set_grad_samples(ram_agent *a, uint64_t samples)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!a->trainable)
        return RAM_FAIL(RAM_E_UNSUPPORTED, "an inference-only agent");
    if (samples == 0)
        return RAM_FAIL(RAM_E_RANGE,
                        "samples is 0 (ram_agent_zero_grad discards the "
                        "gradient)");
    a->grad_samples = samples;
    a->has_grad = 1;
    return RAM_OK;
}

int ram_agent_stat(const ram_agent *a, int key, double *value)
{
    if (!a)
        return RAM_FAIL(RAM_E_INVALID, "agent is NULL");
    if (!value)
        return RAM_FAIL(RAM_E_INVALID, "value is NULL");
    if (key < 1 || key >= RAM__STAT_COUNT)
        return RAM_FAIL(RAM_E_INVALID, "key %d is not a ram_stat", key);
    if (key == RAM_STAT_UPDATES)
        *value = (double)a->updates;
    else if (key == RAM_STAT_REFUSED_UPDATES)
        *value = (double)a->refused;
    else
        *value = a->stat[key];
    return RAM_OK;
}
