/* The RAM agent on Catch: agent set-up, training loop, evaluation and
 * checkpoints. This is the module behind `ram-catch` (main.c is only the
 * command line); tests/test_catch_smoke.c links it. It uses only the public
 * libram API, the game (game.h) and the data-parallel replicas
 * (examples/common/replicas.h).
 *
 * One game is one episode of exactly CATCH_FRAMES_PER_GAME (23) steps:
 *   begin(TRAIN) -> 23 x { step(screens) -> action (sampled);
 *                          catch_step(actions) -> rewards; reward(rewards) }
 *   -> end(NULL)
 * One update plays `batch` games side by side as one batch, split across
 * the replicas (one per thread), then replicas_update() sums the gradients
 * and applies the optimiser: batch * 23 frames per update.
 *
 * Determinism. Update k draws its games from a generator seeded by
 * (seed, k), and reseeds replica i's sampling RNG from (seed, k, i) before
 * it plays. So a run is a function of (options, threads) alone, and a run
 * resumed from a checkpoint continues bit for bit as if it had never
 * stopped (same --threads and --batch).
 *
 * Functions that return int return a libram status (RAM_OK = 0 or a
 * RAM_E_* code; ram_strerror() describes it) and, where they take
 * `err`/`errlen`, write a one-line message there on error. */
#ifndef RAM_EXAMPLE_CATCH_RL_H
#define RAM_EXAMPLE_CATCH_RL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <ram/ram.h>

#include "game.h"
#include "replicas.h"
#include "rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Files a training run keeps in its directory. */
#define CATCH_FILE_STATE "checkpoint.txt" /* sidecar: frames, RNG, options */
#define CATCH_FILE_CKPT0 "checkpoint-0.ram" /* the checkpoint alternates */
#define CATCH_FILE_CKPT1 "checkpoint-1.ram" /* between these two files */
#define CATCH_FILE_BEST "best.ram"        /* best greedy evaluation so far */
#define CATCH_FILE_FINAL "final.ram"      /* written when training ends */
#define CATCH_FILE_LOG "log.tsv"          /* one line per stretch */

/* Options of a training run. catch_opts_default() fills the defaults. */
typedef struct catch_opts {
    /* The model (used when a run starts; a resumed run keeps its model). */
    int hidden;          /* LSTM units (256) */
    int glimpse_what;    /* glimpse network h_g units (128) */
    int glimpse_where;   /* glimpse network h_l units (128) */
    int glimpse_size;    /* glimpse network output (256) */
    /* Training. */
    uint64_t frames;     /* train until this many frames in total (20M) */
    int batch;           /* games per update (64) */
    double lr;           /* Adam learning rate */
    double std;          /* location policy standard deviation */
    double gamma;        /* discount */
    double entropy;      /* action entropy bonus */
    double clip;         /* global gradient-norm clip (0 = off) */
    int baseline_core;   /* 1: the baseline's error also trains the core */
    uint64_t loc_warmup; /* frames at the start during which the glimpse
                            goes to the location mean and the location
                            network is not trained (0 = none) */
    double loc_lr_scale; /* RAM_PARAM_LOCATION_LR_SCALE: the location
                            network's optimiser steps are scaled by this
                            (0.1) */
    double loc_core_weight; /* RAM_PARAM_LOCATION_CORE_WEIGHT: share of
                            the location REINFORCE gradient that reaches
                            the core and glimpse networks (0) */
    uint64_t seed;       /* weights, sampling and training games */
    int threads;         /* replicas (0: the online CPUs, at most batch) */
    uint64_t stretch;    /* frames between reports and checkpoints */
    int eval_games;      /* greedy evaluation games at every stretch */
    uint64_t eval_seed;  /* seed of those games (a fixed set) */
} catch_opts;

void catch_opts_default(catch_opts *o);

/* Threads actually used for o: o->threads, or the online CPUs when 0,
 * clamped to 1 .. o->batch. */
int catch_opts_threads(const catch_opts *o);

/* A new agent for Catch: 6x6 retina at 3 scales on the 24x24 screen, an
 * LSTM core of o->hidden units, a Gaussian location policy and a 3-way
 * softmax action policy (RAM_ACTION_CONTROL), at most 23 steps, with the
 * tunables of catch_agent_tune(). */
int catch_agent_new(const catch_opts *o, ram_agent **out, char *err,
                    size_t errlen);

/* Set the tunables from o: Adam, learning rate, location std, gamma,
 * entropy weight, clip norm, baseline-trains-core. */
int catch_agent_tune(ram_agent *agent, const catch_opts *o, char *err,
                     size_t errlen);

/* Check that an agent can play Catch (1 channel, 3 actions, control mode,
 * at least 23 steps). */
int catch_agent_check(const ram_agent *agent, char *err, size_t errlen);

/* What the agent sees. The screen reaches the agent as float32 pixels,
 * 0 where the screen is off and CATCH_INPUT_GAIN where it is on (not the
 * 0/1 that an 8-bit screen of 0/255 gives). The sensor averages each
 * patch down to 6x6: at the coarsest scale (24x24 -> 6x6) the 1-pixel ball
 * is 1/16 of a cell and at the middle one 1/4, so that with 0/1 pixels its
 * trace in the retina is too faint for the glimpse network to pick up,
 * and training stays at the random policy's 8% for millions of frames.
 * The gain is input normalisation on the host side; the library's sensor
 * is unchanged. Models trained with one gain expect that gain. */
#define CATCH_INPUT_GAIN 64.0f

/* ram_agent_set_input() for CATCH_PIXELS-float screens, packed. */
int catch_agent_set_input(ram_agent *agent);

/* The agent's observations of the n games of b: n * CATCH_PIXELS floats
 * (game j's screen at out + j * CATCH_PIXELS), 0 or CATCH_INPUT_GAIN. */
void catch_observe(const catch_batch *b, size_t n, float *out);

/* n fresh game starts drawn from rng exactly as the game draws them: ball
 * column uniform in 0..23, velocity uniform over the six speeds, paddle
 * uniform in 0..22 (ball_y = 0). */
void catch_draw_starts(example_rng *rng, size_t n, catch_state *out);

/* ---- evaluation ---- */

/* Games per episode of a sampled evaluation (see catch_evaluate). */
#define CATCH_EVAL_CHUNK 32

typedef struct catch_eval {
    int games;          /* games played */
    int caught;         /* games won */
    double rate;        /* caught / games */
    double fovea;       /* fraction of steps with the ball inside the
                           finest (6x6) patch of the glimpse */
    double fovea_late;  /* the same over the last 8 steps of each game */
    double dist;        /* mean distance, pixels, from the glimpse centre
                           to the ball's centre */
    /* The same three figures for a glimpse held at the screen's centre,
     * on the same frames: what an agent that does not move its eyes gets. */
    double centre_fovea, centre_fovea_late, centre_dist;
    double seconds;     /* wall time */
    double fps;         /* frames (agent steps) per second */
} catch_eval;

/* Play `games` games (starts drawn from a generator seeded with `seed`,
 * so the same seed gives the same games) with the replicas' agents, split
 * across them. flags: RAM_BEGIN_GREEDY_ACTION and/or
 * RAM_BEGIN_GREEDY_LOCATION (never RAM_BEGIN_TRAIN). With sampling the
 * games are played in chunks of CATCH_EVAL_CHUNK (games c * CATCH_EVAL_CHUNK
 * onwards), each by an agent reseeded from (sample_seed, c) first, so every
 * game's randomness follows from its index and the figures do not depend
 * on the number of replicas (threads). Parameters are not changed. */
int catch_evaluate(replicas *r, int games, uint64_t seed, unsigned flags,
                   uint64_t sample_seed, catch_eval *out, char *err,
                   size_t errlen);

/* ---- training ---- */

/* One stretch: the figures since the previous report. */
typedef struct catch_report {
    uint64_t frames;       /* frames trained in total */
    uint64_t updates;      /* updates in total */
    double elapsed;        /* seconds of training in total (all sessions) */
    uint64_t games;        /* training games in this stretch */
    uint64_t caught;       /* of which caught (sampled policy) */
    double catch_rate;     /* caught / games */
    double mean_return;    /* mean over the stretch's updates */
    double baseline_mse;   /* mean of (b_t - R_t)^2 */
    double entropy;        /* mean action entropy, nats */
    double grad_norm;      /* mean gradient norm before clipping */
    double fps;            /* training frames per second in this stretch */
    catch_eval eval;       /* greedy evaluation on the fixed games */
    double best;           /* best greedy evaluation rate so far */
    int new_best;          /* 1 if this stretch wrote best.ram */
} catch_report;

/* Callbacks; any may be NULL. */
typedef struct catch_hooks {
    /* After every update. */
    void (*progress)(void *user, uint64_t frames, uint64_t target,
                     double elapsed);
    /* After every stretch (and at the end of training). */
    void (*report)(void *user, const catch_report *r);
    /* Informative messages (start, resume, checkpoint on stop, ...). */
    void (*note)(void *user, const char *msg);
    /* When non-NULL and *stop becomes non-zero, training checkpoints and
     * returns after the current update (*stopped = 1). */
    const volatile sig_atomic_t *stop;
    void *user;
} catch_hooks;

/* Train in directory `dir` (created if missing) until o->frames frames.
 * A new run (resume = 0) refuses a directory that already holds a run.
 * With resume = 1 the run continues from dir's checkpoint with options o
 * (start from catch_checkpoint_opts() to keep the stored ones). Every
 * stretch (o->stretch frames) it evaluates greedily on o->eval_games fixed
 * games, keeps best.ram, checkpoints (model with the optimiser state, then
 * the sidecar, both atomic) and appends a line to log.tsv. At the end it
 * writes final.ram. *stopped (may be NULL) is set to 1 if hooks->stop
 * ended the run early (after a checkpoint), else 0. */
int catch_train(const char *dir, const catch_opts *o, int resume,
                const catch_hooks *hooks, int *stopped, char *err,
                size_t errlen);

/* The options stored in dir's checkpoint sidecar; *frames_done (may be
 * NULL) gets the frames trained so far. */
int catch_checkpoint_opts(const char *dir, catch_opts *o,
                          uint64_t *frames_done, char *err, size_t errlen);

/* Path of dir's current checkpoint model (what the sidecar names). */
int catch_checkpoint_model(const char *dir, char *path, size_t cap,
                           char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_CATCH_RL_H */
