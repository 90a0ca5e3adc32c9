/* libram: the agent's internal interfaces between agent.c (which alone
 * defines struct ram_agent), config.c, model.c and optim.c. Not part of
 * the ABI. */
#ifndef RAM_AGENT_INTERNAL_H
#define RAM_AGENT_INTERNAL_H

#include "internal.h"

#define RAM__CFG_COUNT (RAM_CFG_INPUT_FORMAT + 1)
#define RAM__PARAM_COUNT (RAM_PARAM_ACTION_DROPOUT + 1)
#define RAM__MAX_DROPOUT 0.95
#define RAM__STAT_COUNT (RAM_STAT_REFUSED_UPDATES + 1)
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

/* struct ram_agent is private to agent.c. model.c reads and writes an
 * agent through this view: pointers into the agent, valid while it lives. */
typedef struct ram__agent_view {
    int64_t *cfg;   /* RAM__CFG_COUNT values (index 0 unused) */
    double *par;    /* RAM__PARAM_COUNT values (index 0 unused) */
    size_t count;   /* parameters */
    float *params;
    float *opt_m, *opt_v; /* NULL for an inference-only agent */
    int *opt_kind;  /* the optimiser the moments belong to */
    uint64_t *adam_t, *updates;
    double *opt_bounds; /* ram__optim_step's moment bounds */
    ram_rng *rng;
    int trainable;
} ram__agent_view;

void ram__agent_view_of(const ram_agent *a, ram__agent_view *view);

/** The training recording of the episode under way (tests only). */
const ram__tape *ram__agent_recording(const ram_agent *a);


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
 *  used by Adam only) and the Adam step count *adam_t; zeroes g. fresh:
 *  the moments belong to another optimiser and start from 0 (cleared, and
 *  *adam_t reset, only on success). *norm receives the norm before
 *  clipping. Returns RAM_OK, or RAM_E_NONFINITE with nothing changed: a
 *  gradient is not finite, or the step would make a parameter or a moment
 *  NaN or infinite (a bound, or else a dry run, shows it first). bounds:
 *  upper bounds on max |m| and max v, which the step keeps up to date. */
int ram__optim_step(const ram__optim *o, size_t n, float *p, float *g,
                    float *m, float *v, int fresh, uint64_t *adam_t,
                    double *bounds, double *norm);
/** Upper bounds on max |m| and max v of n moments (their magnitudes), for
 *  ram__optim_step's bounds after a load. */
void ram__optim_bounds(size_t n, const float *m, const float *v,
                       double *bounds);

/** The parameter count a configuration implies (every key in bounds:
 *  no overflow on a 64-bit size_t; at most about 1.8e11). */
size_t ram__agent_count(const int64_t *cfg);

/** Allocate the agent and its parameters from a config vector (checked
 *  here); draws initial weights unless `init` is 0. Failures are reported
 *  (ram_last_error) in the name of `func`. */
int ram__agent_new(const int64_t *cfg, int init, ram_agent **out,
                   const char *func);

#endif /* RAM_AGENT_INTERNAL_H */
