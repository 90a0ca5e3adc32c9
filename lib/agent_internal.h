/* libram: the agent's private structure, shared by agent.c, optim.c and
 * model.c. Not part of the ABI. */
#ifndef RAM_AGENT_INTERNAL_H
#define RAM_AGENT_INTERNAL_H

#include "internal.h"

#define RAM__CFG_COUNT (RAM_CFG_INPUT_FORMAT + 1)
#define RAM__PARAM_COUNT (RAM_PARAM_ACTION_DROPOUT + 1)
#define RAM__MAX_DROPOUT 0.95
#define RAM__STAT_COUNT (RAM_STAT_ENTROPY + 1)
#define RAM__MAX_STEPS 4096

struct ram_config {
    int64_t v[RAM__CFG_COUNT];
};

void ram__config_defaults(int64_t *v);
int ram__config_check(int key, int64_t value);
void ram__param_defaults(double *v);
int ram__param_check(int key, double value);

#define RAM__MAX_WEIGHT_RANGES 8

/* Per-step buffers of a batch: either one step (inference) or the whole
 * recording of a training episode (T steps, step-major). */
typedef struct ram__tape {
    size_t rows;  /* batch capacity this tape was sized for */
    size_t steps; /* steps it holds */
    float *rho;   /* steps x B x R */
    float *gtape; /* steps x B x (Hg + Hl) */
    float *g;     /* steps x B x G */
    float *h;     /* steps x B x H */
    float *c;     /* steps x B x H (LSTM) */
    float *ctape; /* steps x B x core tape */
    float *probs; /* steps x B x A */
    int *actions; /* steps x B */
    float *rewards; /* steps x B */
    float *loc;   /* (steps + 1) x B x 2: l_0 .. l_steps, clamped */
    float *raw;   /* (steps + 1) x B x 2: unclamped samples */
    float *mean;  /* (steps + 1) x B x 2 */
    /* Dropout (training tape only, NULL in the one-step tape): the masks
     * hold 0 or 1 / (1 - p); gd = g * gmask is what the core read, and
     * hd = h * hmask what the action network read. */
    float *gmask, *gd; /* steps x B x G */
    float *hmask, *hd; /* steps x B x H */
    void *block;  /* the single allocation behind the above */
} ram__tape;

/* Workspace for ram_agent_end(): sized for a training tape. */
typedef struct ram__grad_ws {
    float *ret;     /* steps x B: discounted returns */
    float *base;    /* steps x B: baseline values */
    float *coef;    /* (steps + 1) x B */
    float *dmean;   /* (steps + 1) x B x 2 */
    float *dlogits; /* steps x B x A */
    float *db;      /* steps x B */
    float *dh;      /* steps x B x H */
    float *dg;      /* steps x B x G */
    float *dtmp;    /* steps x B x H: one head's gradient at h, to add */
    float *work;    /* max of the kernels' scratch needs */
    void *block;
} ram__grad_ws;

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

/** One optimiser step (optim.c), a pure function of flat arrays. */
typedef struct ram__optim {
    int kind; /* RAM_OPT_SGD or RAM_OPT_ADAM */
    double lr, momentum, beta1, beta2, epsilon;
    double clip;         /* global-norm clip; 0 = off */
    double weight_decay; /* added, times p, to the gradient over `decay` */
    const ram__range *decay;
    size_t n_decay;
    uint64_t samples;    /* the gradient holds sums over this many (>= 1) */
    ram__range scaled;   /* a range whose step is multiplied by scaled_lr */
    double scaled_lr;
} ram__optim;

/** Step p (n floats) along the mean gradient g / samples (plus weight
 *  decay, clipped to the global norm `clip`) with the moments m, v (v is
 *  used by Adam only) and the Adam step count *adam_t; zeroes g. *norm
 *  receives the norm before clipping. Returns RAM_OK, or RAM_E_NONFINITE
 *  (a gradient is not finite) with nothing changed. */
int ram__optim_step(const ram__optim *o, size_t n, float *p, float *g,
                    float *m, float *v, uint64_t *adam_t, double *norm);

/** Allocate the agent and its parameters from a config vector (checked
 *  here); draws initial weights unless `init` is 0. Failures are reported
 *  (ram_last_error) in the name of `func`. */
int ram__agent_new(const int64_t *cfg, int init, ram_agent **out,
                   const char *func);

#endif /* RAM_AGENT_INTERNAL_H */
