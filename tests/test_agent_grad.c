/* The agent's gradients over a whole multi-step episode:
 *  1. composing the public handles by hand (sensor, glimpse, core, location,
 *     action, baseline) gives the same gradients as ram_agent_end();
 *  2. those gradients match central finite differences of the hybrid
 *     surrogate loss with the sampled locations and actions held fixed;
 *  3. the location weights get a non-zero REINFORCE gradient, and none at all
 *     without the REINFORCE term (no pathwise gradient through the sample).
 * Variants with dropout hold the agent's recorded masks fixed, as they hold
 * the sampled locations: the by-hand model multiplies the core's input and
 * the action network's input by them. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agent_internal.h"
#include "gradcheck.h"
#include "ram/ram.h"

enum { IMG = 12, B = 2, S = 3 };

/* ram_agent_end() adds the gradient of the loss summed over the batch
 * (ram_agent_update() divides by the sample count): the by-hand loss is a
 * sum too. NORM = B would be the mean, as in 0.1.0. */
#define NORM 1.0

typedef struct variant {
    int core, mode, trains_core;
    double gamma, entropy;
    int first; /* RAM_PARAM_FIRST_LOCATION */
    double drop_g, drop_h; /* RAM_PARAM_GLIMPSE_DROPOUT, _ACTION_DROPOUT */
} variant;

/* Everything the by-hand model needs, plus its handles. */
typedef struct hand {
    variant v;
    size_t R, Hg, Hl, G, H, A;
    ram_sensor *sensor;
    ram_glimpse *gl;
    ram_core *co;
    ram_location *lo;
    ram_action *ac;
    ram_baseline *ba;
    float *theta; /* the agent's flat parameters, perturbed by gc_check */
    size_t count;
    float images[B * IMG * IMG];
    int labels[B];
    float rewards[S * B];
    float raw[(S + 1) * B * 2], loc[(S + 1) * B * 2];
    int actions[S * B];
    double std, w_x, w_r, w_b;
    /* detached baselines, computed once at the recorded parameters */
    float bbar[S * B], bbar_init;
    float ret[S * B];
    /* activations */
    float rho[S * B * 64], gtape[S * B * 64], g[S * B * 64];
    float h[S * B * 64], c[S * B * 64], ctape[S * B * 5 * 64];
    float mean[(S + 1) * B * 2], probs[S * B * 8], base[S * B], binit;
    /* the core states at the recorded parameters: unless the baseline trains
     * the core, its squared error sees h as a constant */
    float hbar[S * B * 64];
    /* dropout masks recorded by the agent, and the dropped inputs */
    float gmask[S * B * 64], gd[S * B * 64], hmask[S * B * 64], hd[S * B * 64];
} hand;

static void load_theta(hand *m)
{
    void *nets[5] = {m->gl, m->co, m->lo, m->ac, m->ba};
    size_t off = 0;
    for (int i = 0; i < 5; i++) {
        float *p;
        size_t n;
        switch (i) {
        case 0: ck_assert_int_eq(ram_glimpse_params(nets[i], &p, NULL, &n), RAM_OK); break;
        case 1: ck_assert_int_eq(ram_core_params(nets[i], &p, NULL, &n), RAM_OK); break;
        case 2: ck_assert_int_eq(ram_location_params(nets[i], &p, NULL, &n), RAM_OK); break;
        case 3: ck_assert_int_eq(ram_action_params(nets[i], &p, NULL, &n), RAM_OK); break;
        default: ck_assert_int_eq(ram_baseline_params(nets[i], &p, NULL, &n), RAM_OK); break;
        }
        memcpy(p, m->theta + off, n * sizeof(float));
        off += n;
    }
    ck_assert_uint_eq(off, m->count);
}

static double logpi(const float *raw, const float *mean, double std)
{
    double lp = 0.0;
    for (int d = 0; d < 2; d++) {
        double z = ((double)raw[d] - mean[d]) / std;
        lp += -0.5 * z * z - log(std) - 0.5 * log(2.0 * 3.14159265358979323846);
    }
    return lp;
}

/* Forward by hand; returns the surrogate loss. */
static double hand_forward(hand *m)
{
    load_theta(m);
    size_t R = m->R, G = m->G, H = m->H, A = m->A, T = ram_core_tape_size(m->co);
    int lstm = m->v.core == RAM_CORE_LSTM;
    for (int t = 0; t < S; t++) {
        ck_assert_int_eq(ram_sensor_glimpse(m->sensor, B, m->images, RAM_PIXEL_F32, IMG, IMG,
                                            IMG * sizeof(float), IMG * IMG * sizeof(float),
                                            m->loc + t * B * 2, m->rho + t * B * R),
                         RAM_OK);
        ck_assert_int_eq(ram_glimpse_forward(m->gl, B, m->rho + t * B * R, m->loc + t * B * 2,
                                             m->g + t * B * G, m->gtape + t * B * (m->Hg + m->Hl)),
                         RAM_OK);
        for (size_t i = t * B * G; i < (t + 1) * B * G; i++)
            m->gd[i] = m->v.drop_g > 0 ? m->g[i] * m->gmask[i] : m->g[i];
        const float *hp = t ? m->h + (t - 1) * B * H : NULL;
        const float *cp = (t && lstm) ? m->c + (t - 1) * B * H : NULL;
        ck_assert_int_eq(ram_core_forward(m->co, B, hp, cp, m->gd + t * B * G, m->h + t * B * H,
                                          lstm ? m->c + t * B * H : NULL, m->ctape + t * B * T),
                         RAM_OK);
    }
    ck_assert_int_eq(ram_location_forward(m->lo, B, NULL, m->mean), RAM_OK);
    ck_assert_int_eq(ram_location_forward(m->lo, S * B, m->h, m->mean + B * 2), RAM_OK);
    for (size_t i = 0; i < S * B * H; i++)
        m->hd[i] = m->v.drop_h > 0 ? m->h[i] * m->hmask[i] : m->h[i];
    ck_assert_int_eq(ram_action_forward(m->ac, S * B, m->hd, m->probs), RAM_OK);
    ck_assert_int_eq(ram_baseline_forward(m->ba, S * B, m->v.trains_core ? m->h : m->hbar, m->base),
                     RAM_OK);
    ck_assert_int_eq(ram_baseline_forward(m->ba, 1, NULL, &m->binit), RAM_OK);

    double L = 0.0;
    int control = m->v.mode == RAM_ACTION_CONTROL;
    for (int b = 0; b < B; b++) {
        if (!control) {
            double p = m->probs[((S - 1) * B + b) * A + m->labels[b]];
            L += m->w_x / NORM * -log(p);
        }
        /* l_0 is a policy action only when it is learned. */
        if (m->v.first == RAM_FIRST_LEARNED)
            L -= m->w_r / NORM * (m->ret[b] - m->bbar_init) *
                 logpi(m->raw + b * 2, m->mean + b * 2, m->std);
        for (int t = 0; t + 1 < S; t++) {
            size_t i = (size_t)t * B + b, j = (size_t)(t + 1) * B + b;
            L -= m->w_r / NORM * (m->ret[i] - m->bbar[i]) * logpi(m->raw + j * 2, m->mean + j * 2, m->std);
        }
        for (int t = 0; t < S; t++) {
            size_t i = (size_t)t * B + b;
            double e = m->base[i] - m->ret[i];
            L += m->w_b / NORM * 0.5 * e * e;
            if (control) {
                const float *p = m->probs + i * A;
                L -= m->w_r / NORM * (m->ret[i] - m->bbar[i]) * log(p[m->actions[i]]);
                double ent = 0.0;
                for (size_t k = 0; k < A; k++)
                    ent -= p[k] * log(p[k]);
                L -= m->v.entropy / NORM * ent;
            }
        }
        double e0 = m->binit - m->ret[b];
        if (m->v.first == RAM_FIRST_LEARNED)
            L += m->w_b / NORM * 0.5 * e0 * e0;
    }
    return L;
}

static double hand_loss(void *ctx)
{
    return hand_forward(ctx);
}

static void add(float *dst, const float *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

/* The action network's input gradient back through its dropout mask:
 * x holds n values of step-major rows starting at element `at`. */
static void drop_back(const hand *m, float *x, size_t at, size_t n)
{
    if (m->v.drop_h > 0)
        for (size_t i = 0; i < n; i++)
            x[i] *= m->hmask[at + i];
}

/* Backward by hand with the public calls; writes the concatenated gradient. */
static void hand_backward(hand *m, float *grad)
{
    hand_forward(m);
    ck_assert_int_eq(ram_glimpse_zero_grad(m->gl), RAM_OK);
    ck_assert_int_eq(ram_core_zero_grad(m->co), RAM_OK);
    ck_assert_int_eq(ram_location_zero_grad(m->lo), RAM_OK);
    ck_assert_int_eq(ram_action_zero_grad(m->ac), RAM_OK);
    ck_assert_int_eq(ram_baseline_zero_grad(m->ba), RAM_OK);
    size_t G = m->G, H = m->H, A = m->A;
    int control = m->v.mode == RAM_ACTION_CONTROL;
    static float dh[S * B * 64], tmp[S * B * 64], dg[S * B * 64];
    static float dlog[S * B * 8], dmean[(S + 1) * B * 2], coef[(S + 1) * B], db[S * B];
    memset(dh, 0, sizeof dh);

    if (!control) {
        ck_assert_int_eq(ram_action_xent(m->ac, B, m->probs + (S - 1) * B * A, m->labels,
                                         m->w_x / NORM, dlog, NULL),
                         RAM_OK);
        ck_assert_int_eq(ram_action_backward(m->ac, B, m->hd + (S - 1) * B * H, dlog, tmp, 0.0f), RAM_OK);
        drop_back(m, tmp, (S - 1) * B * H, B * H);
        add(dh + (S - 1) * B * H, tmp, B * H);
    } else {
        float c[S * B];
        for (size_t i = 0; i < S * B; i++)
            c[i] = (float)(-m->w_r * (m->ret[i] - m->bbar[i]) / NORM);
        ck_assert_int_eq(ram_action_score(m->ac, S * B, m->probs, m->actions, c, dlog), RAM_OK);
        for (size_t i = 0; i < S * B; i++) { /* entropy bonus, by hand */
            const float *p = m->probs + i * A;
            double ent = 0.0;
            for (size_t k = 0; k < A; k++)
                ent -= p[k] * log(p[k]);
            for (size_t k = 0; k < A; k++)
                dlog[i * A + k] += (float)(m->v.entropy / NORM * p[k] * (log(p[k]) + ent));
        }
        ck_assert_int_eq(ram_action_backward(m->ac, S * B, m->hd, dlog, tmp, 0.0f), RAM_OK);
        drop_back(m, tmp, 0, S * B * H);
        add(dh, tmp, S * B * H);
    }

    for (int b = 0; b < B; b++)
        coef[b] = m->v.first == RAM_FIRST_LEARNED
                      ? (float)(-m->w_r * (m->ret[b] - m->bbar_init) / NORM)
                      : 0.0f;
    for (size_t i = 0; i < (S - 1) * B; i++)
        coef[B + i] = (float)(-m->w_r * (m->ret[i] - m->bbar[i]) / NORM);
    ck_assert_int_eq(ram_location_score(m->lo, S * B, m->mean, m->raw, coef, dmean), RAM_OK);
    ck_assert_int_eq(ram_location_backward(m->lo, B, NULL, m->mean, dmean, NULL, 0.0f), RAM_OK);
    ck_assert_int_eq(ram_location_backward(m->lo, (S - 1) * B, m->h, m->mean + 2 * B,
                                           dmean + 2 * B, tmp, 0.0f),
                     RAM_OK);
    add(dh, tmp, (S - 1) * B * H);

    ck_assert_int_eq(ram_baseline_mse(m->ba, S * B, m->base, m->ret, m->w_b / NORM, db, NULL), RAM_OK);
    ck_assert_int_eq(ram_baseline_backward(m->ba, S * B, m->h, db, tmp, 0.0f), RAM_OK);
    if (m->v.trains_core)
        add(dh, tmp, S * B * H);
    float binit_t[B], dbi[B];
    for (int b = 0; b < B; b++)
        binit_t[b] = m->binit;
    if (m->v.first == RAM_FIRST_LEARNED) {
        ck_assert_int_eq(ram_baseline_mse(m->ba, B, binit_t, m->ret, m->w_b / NORM, dbi, NULL),
                         RAM_OK);
        ck_assert_int_eq(ram_baseline_backward(m->ba, B, NULL, dbi, NULL, 0.0f), RAM_OK);
    }

    ck_assert_int_eq(ram_core_backward(m->co, S, B, NULL, NULL, m->gd, m->h,
                                       m->v.core == RAM_CORE_LSTM ? m->c : NULL, m->ctape, dh, dg,
                                       NULL, NULL, 0.0f),
                     RAM_OK);
    if (m->v.drop_g > 0)
        for (size_t i = 0; i < S * B * G; i++)
            dg[i] *= m->gmask[i];
    ck_assert_int_eq(ram_glimpse_backward(m->gl, S * B, m->rho, m->loc, m->g, m->gtape, dg, NULL,
                                          NULL, 0.0f),
                     RAM_OK);

    size_t off = 0, n;
    float *gr;
    ram_glimpse_params(m->gl, NULL, &gr, &n);
    memcpy(grad + off, gr, n * 4), off += n;
    ram_core_params(m->co, NULL, &gr, &n);
    memcpy(grad + off, gr, n * 4), off += n;
    ram_location_params(m->lo, NULL, &gr, &n);
    memcpy(grad + off, gr, n * 4), off += n;
    ram_action_params(m->ac, NULL, &gr, &n);
    memcpy(grad + off, gr, n * 4), off += n;
    ram_baseline_params(m->ba, NULL, &gr, &n);
    memcpy(grad + off, gr, n * 4), off += n;
    ck_assert_uint_eq(off, m->count);
}

/* Run one recorded training episode with the agent; fill `m` with what the
 * by-hand model needs and return the agent (its gradients accumulated). */
static ram_agent *run_agent(hand *m, variant v, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    m->v = v;
    ram_config *cfg;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    int64_t set[][2] = {{RAM_CFG_PATCH, 3},        {RAM_CFG_SCALES, 2},
                        {RAM_CFG_GLIMPSE_WHAT, 6}, {RAM_CFG_GLIMPSE_WHERE, 5},
                        {RAM_CFG_GLIMPSE_SIZE, 7}, {RAM_CFG_HIDDEN, 8},
                        {RAM_CFG_ACTIONS, 3},      {RAM_CFG_MAX_STEPS, S},
                        {RAM_CFG_CORE, v.core},    {RAM_CFG_ACTION_MODE, v.mode},
                        {RAM_CFG_SEED, (int64_t)seed}};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        ck_assert_int_eq(ram_config_set(cfg, (int)set[i][0], set[i][1]), RAM_OK);
    ram_agent *a;
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    m->R = 18, m->Hg = 6, m->Hl = 5, m->G = 7, m->H = 8, m->A = 3;
    m->std = 0.3, m->w_x = 1.0, m->w_r = 0.7, m->w_b = 0.9;
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_LOCATION_STD, m->std), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_REINFORCE_WEIGHT, m->w_r), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_BASELINE_WEIGHT, m->w_b), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_GAMMA, v.gamma), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_ENTROPY_WEIGHT, v.entropy), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_BASELINE_TRAINS_CORE, v.trains_core), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_FIRST_LOCATION, v.first), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_GLIMPSE_DROPOUT, v.drop_g), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_ACTION_DROPOUT, v.drop_h), RAM_OK);

    /* Give the baseline non-zero weights so that its path is exercised. */
    float *p;
    size_t n;
    ram_agent_params(a, &p, NULL, &n);
    ram_rng r;
    ram__rng_seed(&r, seed + 99);
    for (size_t i = n - m->H - 1; i < n; i++)
        p[i] = ram__rng_symmetric(&r, 0.5f);
    for (size_t i = 0; i < B * IMG * IMG; i++)
        m->images[i] = (float)ram__rng_uniform(&r);
    for (int b = 0; b < B; b++)
        m->labels[b] = (int)(ram__rng_next(&r) % 3);

    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_F32, IMG, IMG, IMG * sizeof(float),
                                         IMG * IMG * sizeof(float)),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, B, RAM_BEGIN_TRAIN), RAM_OK);
    for (int t = 0; t < S; t++) {
        ck_assert_int_eq(ram_agent_step(a, m->images, sizeof m->images, NULL, NULL, NULL), RAM_OK);
        float rw[B];
        for (int b = 0; b < B; b++)
            rw[b] = m->rewards[t * B + b] = (float)ram__rng_uniform(&r);
        ck_assert_int_eq(ram_agent_reward(a, rw), RAM_OK);
    }
    /* What the agent sampled (internal view, test only). */
    const ram__tape *rec = ram__agent_recording(a);
    memcpy(m->raw, rec->raw, sizeof m->raw);
    memcpy(m->loc, rec->loc, sizeof m->loc);
    memcpy(m->actions, rec->actions, sizeof m->actions);
    if (v.drop_g > 0)
        memcpy(m->gmask, rec->gmask, S * B * (size_t)7 * sizeof(float));
    if (v.drop_h > 0)
        memcpy(m->hmask, rec->hmask, S * B * (size_t)8 * sizeof(float));
    ck_assert_int_eq(ram_agent_end(a, v.mode == RAM_ACTION_CLASSIFY ? m->labels : NULL), RAM_OK);

    for (int b = 0; b < B; b++) {
        double run = 0.0;
        for (int t = S - 1; t >= 0; t--) {
            run = m->rewards[t * B + b] + v.gamma * run;
            m->ret[t * B + b] = (float)run;
        }
    }
    m->count = n;
    m->theta = malloc(n * sizeof(float));
    memcpy(m->theta, p, n * sizeof(float));
    ck_assert_int_eq(ram_sensor_create(&m->sensor, 3, 2, 1), RAM_OK);
    ck_assert_int_eq(ram_glimpse_create(&m->gl, m->R, m->Hg, m->Hl, m->G, 1), RAM_OK);
    ck_assert_int_eq(ram_core_create(&m->co, v.core, m->G, m->H, 1), RAM_OK);
    ck_assert_int_eq(ram_location_create(&m->lo, m->H, RAM_BOUND_TANH, 1), RAM_OK);
    ck_assert_int_eq(ram_location_set_std(m->lo, m->std), RAM_OK);
    ck_assert_int_eq(ram_action_create(&m->ac, m->H, m->A, 1), RAM_OK);
    ck_assert_int_eq(ram_baseline_create(&m->ba, m->H), RAM_OK);
    m->v.trains_core = 1; /* hbar is not set yet */
    hand_forward(m);
    m->v.trains_core = v.trains_core;
    memcpy(m->hbar, m->h, sizeof m->hbar);
    memcpy(m->bbar, m->base, sizeof m->bbar);
    m->bbar_init = m->binit;
    return a;
}

static void hand_free(hand *m)
{
    ram_sensor_free(m->sensor);
    ram_glimpse_free(m->gl);
    ram_core_free(m->co);
    ram_location_free(m->lo);
    ram_action_free(m->ac);
    ram_baseline_free(m->ba);
    free(m->theta);
}

static const variant VARIANTS[] = {
    {RAM_CORE_RNN, RAM_ACTION_CLASSIFY, 0, 1.0, 0.0, RAM_FIRST_LEARNED, 0, 0},
    {RAM_CORE_LSTM, RAM_ACTION_CLASSIFY, 1, 1.0, 0.0, RAM_FIRST_LEARNED, 0, 0},
    {RAM_CORE_LSTM, RAM_ACTION_CONTROL, 0, 0.9, 0.05, RAM_FIRST_LEARNED, 0, 0},
    {RAM_CORE_RNN, RAM_ACTION_CONTROL, 1, 0.8, 0.0, RAM_FIRST_LEARNED, 0, 0},
    {RAM_CORE_LSTM, RAM_ACTION_CLASSIFY, 0, 1.0, 0.0, RAM_FIRST_CENTER, 0, 0},
    {RAM_CORE_RNN, RAM_ACTION_CONTROL, 0, 0.9, 0.0, RAM_FIRST_UNIFORM, 0, 0},
    {RAM_CORE_LSTM, RAM_ACTION_CLASSIFY, 0, 1.0, 0.0, RAM_FIRST_LEARNED, 0.3, 0.4},
    {RAM_CORE_RNN, RAM_ACTION_CLASSIFY, 1, 1.0, 0.0, RAM_FIRST_CENTER, 0.5, 0.0},
    {RAM_CORE_LSTM, RAM_ACTION_CONTROL, 1, 0.9, 0.05, RAM_FIRST_LEARNED, 0.25, 0.5},
};

START_TEST(agent_equals_hand_composition)
{
    static hand m;
    ram_agent *a = run_agent(&m, VARIANTS[_i], 7 + (uint64_t)_i);
    float *ga;
    size_t n;
    ram_agent_params(a, NULL, &ga, &n);
    float *gh = malloc(n * sizeof(float));
    hand_backward(&m, gh);
    double worst = 0.0, gmax = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)ga[i] - gh[i]);
        if (d > worst)
            worst = d;
        if (fabs(gh[i]) > gmax)
            gmax = fabs(gh[i]);
    }
    ck_assert_msg(gmax > 1e-3, "gradients are all ~0 (%g)", gmax);
    ck_assert_msg(worst <= 1e-5 * (1.0 + gmax), "agent vs by-hand: max |diff| %g (max |g| %g)",
                  worst, gmax);
    free(gh);
    hand_free(&m);
    ram_agent_free(a);
}
END_TEST

START_TEST(agent_matches_finite_differences)
{
    static hand m;
    ram_agent *a = run_agent(&m, VARIANTS[_i], 21 + (uint64_t)_i);
    float *ga;
    size_t n;
    ram_agent_params(a, NULL, &ga, &n);
    /* The floor scales with the loss (B / NORM times 0.1.0's mean loss), so
     * that the relative errors are those of the mean loss. */
    gc_result r = gc_check(m.theta, ga, n, hand_loss, &m, 2e-3, 400, 5, 5e-3 * B / NORM);
    ck_assert_msg(r.max_rel_err < 3e-2,
                  "variant %d: worst rel err %g at %zu (analytic %g, numeric %g), %zu checked", _i,
                  r.max_rel_err, r.worst_index, r.worst_analytic, r.worst_numeric, r.checked);
    hand_free(&m);
    ram_agent_free(a);
}
END_TEST

/* Offsets of the location parameters in the flat layout (glimpse, core,
 * location [2H + 2], action [A H + A], baseline [H + 1]). */
static void location_range(ram_agent *a, size_t *off, size_t *len)
{
    int64_t h, na;
    size_t n;
    ck_assert_int_eq(ram_agent_get_config(a, RAM_CFG_HIDDEN, &h), RAM_OK);
    ck_assert_int_eq(ram_agent_get_config(a, RAM_CFG_ACTIONS, &na), RAM_OK);
    ck_assert_int_eq(ram_agent_params(a, NULL, NULL, &n), RAM_OK);
    size_t H = (size_t)h, A = (size_t)na;
    *len = 2 * H + 2;
    *off = n - (A * H + A) - (H + 1) - *len;
}

START_TEST(location_gets_reinforce_gradient_only)
{
    static hand m;
    ram_agent *a = run_agent(&m, VARIANTS[0], 3);
    float *g;
    size_t n, off, len;
    ram_agent_params(a, NULL, &g, &n);
    location_range(a, &off, &len);
    double sum = 0.0;
    for (size_t i = 0; i < len; i++)
        sum += fabs(g[off + i]);
    ck_assert_msg(sum > 1e-6, "location weights got no REINFORCE gradient");
    hand_free(&m);
    ram_agent_free(a);

    /* Without the REINFORCE term nothing reaches the location network: no
     * pathwise gradient flows from the loss through the sampled location. */
    ram_config *cfg;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_MAX_STEPS, 4), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_REINFORCE_WEIGHT, 0.0), RAM_OK);
    static unsigned char img[4][28 * 28];
    for (int i = 0; i < 4 * 28 * 28; i++)
        img[i / 784][i % 784] = (unsigned char)(i * 37 % 256);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, 28, 28, 28, 784), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, 4, RAM_BEGIN_TRAIN), RAM_OK);
    for (int t = 0; t < 4; t++)
        ck_assert_int_eq(ram_agent_step(a, img, sizeof img, NULL, NULL, NULL), RAM_OK);
    float rw[4] = {1, 0, 1, 0};
    ck_assert_int_eq(ram_agent_reward(a, rw), RAM_OK);
    int labels[4] = {1, 2, 3, 4};
    ck_assert_int_eq(ram_agent_end(a, labels), RAM_OK);
    ram_agent_params(a, NULL, &g, &n);
    location_range(a, &off, &len);
    for (size_t i = 0; i < len; i++)
        ck_assert_float_eq(g[off + i], 0.0f);
    double other = 0.0;
    for (size_t i = 0; i < off; i++)
        other += fabs(g[i]);
    ck_assert_msg(other > 1e-6, "cross-entropy did not reach the glimpse and core networks");
    ram_agent_free(a);
}
END_TEST

/* The recorded masks: 0 with probability p, else exactly 1 / (1 - p); the
 * dropped inputs are the products. */
START_TEST(dropout_masks)
{
    const double p[2] = {0.3, 0.6};
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_MAX_STEPS, 4), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_CORE, RAM_CORE_LSTM), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_GLIMPSE_DROPOUT, p[0]), RAM_OK);
    ck_assert_int_eq(ram_agent_set_param(a, RAM_PARAM_ACTION_DROPOUT, p[1]), RAM_OK);
    enum { NI = 8 };
    static unsigned char img[NI][28 * 28];
    for (int i = 0; i < NI * 28 * 28; i++)
        img[i / 784][i % 784] = (unsigned char)(i * 37 % 256);
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, 28, 28, 28, 784), RAM_OK);
    ck_assert_int_eq(ram_agent_begin(a, NI, RAM_BEGIN_TRAIN), RAM_OK);
    for (int t = 0; t < 4; t++)
        ck_assert_int_eq(ram_agent_step(a, img, sizeof img, NULL, NULL, NULL), RAM_OK);
    const ram__tape *rec = ram__agent_recording(a);
    int64_t hid, gsz;
    ck_assert_int_eq(ram_agent_get_config(a, RAM_CFG_HIDDEN, &hid), RAM_OK);
    ck_assert_int_eq(ram_agent_get_config(a, RAM_CFG_GLIMPSE_SIZE, &gsz), RAM_OK);
    for (int k = 0; k < 2; k++) {
        size_t n = 4 * NI * (size_t)(k ? hid : gsz), zeros = 0, live = 0;
        const float *mask = k ? rec->hmask : rec->gmask;
        const float *x = k ? rec->h : rec->g, *xd = k ? rec->hd : rec->gd;
        const float keep = 1.0f / (1.0f - (float)p[k]);
        for (size_t i = 0; i < n; i++) {
            ck_assert(mask[i] == 0.0f || mask[i] == keep);
            ck_assert(xd[i] == x[i] * mask[i]);
            zeros += mask[i] == 0.0f;
            live += x[i] != 0.0f;
        }
        double frac = (double)zeros / (double)n; /* n = 8192: sd 0.005 */
        ck_assert_msg(fabs(frac - p[k]) < 0.03, "mask %d: %g dropped, p %g", k, frac, p[k]);
        ck_assert_msg(live > n / 4, "mask %d: the inputs are mostly zero", k);
    }
    ram_agent_free(a);
}
END_TEST

Suite *suite_agent_grad(void)
{
    Suite *s = suite_create("agent_grad");
    TCase *tc = tcase_create("gradients");
    tcase_set_timeout(tc, 60);
    int nv = (int)(sizeof VARIANTS / sizeof VARIANTS[0]);
    tcase_add_loop_test(tc, agent_equals_hand_composition, 0, nv);
    tcase_add_loop_test(tc, agent_matches_finite_differences, 0, nv);
    tcase_add_test(tc, location_gets_reinforce_gradient_only);
    tcase_add_test(tc, dropout_masks);
    suite_add_tcase(s, tc);
    return s;
}
