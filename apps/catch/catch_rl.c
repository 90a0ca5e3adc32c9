/* The RAM agent on Catch: see catch_rl.h. */
#include "catch_rl.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rundir.h"
#include "statefile.h"
#include "tsv.h"

/* ---- small helpers ---- */

/* Writes "message: status description" into err and returns rc. */
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < errlen && rc != RAM_OK)
            snprintf(err + k, errlen - (size_t)k, ": %s", ram_strerror(rc));
    }
    return rc;
}

static uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
    return example_rng_mix(example_rng_mix(example_rng_mix(a) ^ b) ^ c);
}

#define SALT_GAMES UINT64_C(0x67616d6573)  /* "games" */
#define SALT_AGENT UINT64_C(0x6167656e74)  /* "agent" */
#define SALT_SAMPLE UINT64_C(0x73616d706c) /* "sampl" */

/* ---- options and agent ---- */

void catch_opts_default(catch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->hidden = 256;
    o->glimpse_what = 128;
    o->glimpse_where = 128;
    o->glimpse_size = 256;
    o->frames = 20000000;
    o->batch = 64;
    o->lr = 1e-3;
    o->std = 0.15;
    o->gamma = 0.97;
    o->entropy = 0.01;
    o->clip = 5.0;
    o->loc_lr_scale = 0.1;
    o->loc_core_weight = 0.0;
    o->baseline_core = 1;
    o->seed = 1;
    o->threads = 0;
    o->stretch = 500000;
    o->eval_games = 1000;
    o->eval_seed = 20140624;
}

int catch_opts_threads(const catch_opts *o)
{
    long n = o->threads;
    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n < 1)
            n = 1;
    }
    if (n > o->batch)
        n = o->batch;
    if (n < 1)
        n = 1;
    return (int)n;
}

int catch_agent_tune(ram_agent *agent, const catch_opts *o, char *err,
                     size_t errlen)
{
    const struct {
        int key;
        double value;
        const char *name;
    } set[] = {
        {RAM_PARAM_OPTIMIZER, RAM_OPT_ADAM, "optimizer"},
        {RAM_PARAM_LEARNING_RATE, o->lr, "learning rate"},
        {RAM_PARAM_LOCATION_STD, o->std, "location std"},
        {RAM_PARAM_GAMMA, o->gamma, "gamma"},
        {RAM_PARAM_ENTROPY_WEIGHT, o->entropy, "entropy weight"},
        {RAM_PARAM_CLIP_NORM, o->clip, "clip norm"},
        {RAM_PARAM_BASELINE_TRAINS_CORE, o->baseline_core ? 1.0 : 0.0,
         "baseline trains core"},
        {RAM_PARAM_LOCATION_LR_SCALE, o->loc_lr_scale, "location step scale"},
        {RAM_PARAM_LOCATION_CORE_WEIGHT, o->loc_core_weight,
         "location core weight"},
    };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
        int rc = ram_agent_set_param(agent, set[i].key, set[i].value);
        if (rc != RAM_OK) {
            double lo = 0, hi = 0;
            ram_param_bounds(set[i].key, &lo, &hi);
            return fail(err, errlen, rc, "%s %g (allowed %g .. %g)",
                        set[i].name, set[i].value, lo, hi);
        }
    }
    return RAM_OK;
}

int catch_agent_new(const catch_opts *o, ram_agent **out, char *err,
                    size_t errlen)
{
    if (!o || !out)
        return fail(err, errlen, RAM_E_INVALID, "catch_agent_new");
    *out = NULL;
    ram_config *cfg = NULL;
    int rc = ram_config_create(&cfg);
    if (rc != RAM_OK)
        return fail(err, errlen, rc, "ram_config_create");
    const struct {
        int key;
        int64_t value;
        const char *name;
    } set[] = {
        {RAM_CFG_PATCH, 6, "patch"},
        {RAM_CFG_SCALES, 3, "scales"},
        {RAM_CFG_CHANNELS, 1, "channels"},
        {RAM_CFG_GLIMPSE_WHAT, o->glimpse_what, "glimpse what units"},
        {RAM_CFG_GLIMPSE_WHERE, o->glimpse_where, "glimpse where units"},
        {RAM_CFG_GLIMPSE_SIZE, o->glimpse_size, "glimpse size"},
        {RAM_CFG_CORE, RAM_CORE_LSTM, "core"},
        {RAM_CFG_HIDDEN, o->hidden, "hidden units"},
        {RAM_CFG_ACTIONS, CATCH_ACTIONS, "actions"},
        {RAM_CFG_ACTION_MODE, RAM_ACTION_CONTROL, "action mode"},
        {RAM_CFG_MAX_STEPS, CATCH_FRAMES_PER_GAME, "max steps"},
        {RAM_CFG_LOCATION_BOUND, RAM_BOUND_TANH, "location bound"},
        /* The config seed is an int64; keep the bits of the uint64. */
        {RAM_CFG_SEED, (int64_t)(o->seed & INT64_MAX), "seed"},
    };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
        rc = ram_config_set(cfg, set[i].key, set[i].value);
        if (rc != RAM_OK) {
            int64_t lo = 0, hi = 0;
            ram_config_bounds(set[i].key, &lo, &hi);
            ram_config_free(cfg);
            return fail(err, errlen, rc, "%s %" PRId64 " (allowed %" PRId64
                        " .. %" PRId64 ")", set[i].name, set[i].value, lo,
                        hi);
        }
    }
    ram_agent *a = NULL;
    rc = ram_agent_create(&a, cfg);
    ram_config_free(cfg);
    if (rc != RAM_OK)
        return fail(err, errlen, rc, "ram_agent_create");
    rc = catch_agent_tune(a, o, err, errlen);
    if (rc != RAM_OK) {
        ram_agent_free(a);
        return rc;
    }
    /* The location network starts at zero: every first glimpse of every
     * state is at the centre, and the policy moves from there only as
     * REINFORCE moves it. With random weights, the LSTM state (large, with
     * CATCH_INPUT_GAIN) drives the tanh mean into the screen's edges before
     * the game policy has learnt anything, and the glimpse never finds the
     * ball again. Layout of ram_agent_params(): glimpse, core, location
     * (W [2 x H], b [2]), action (W [A x H], b [A]), baseline (w [H], c). */
    float *p = NULL;
    size_t count = 0;
    const size_t H = (size_t)o->hidden, A = CATCH_ACTIONS;
    const size_t tail = A * H + A + H + 1, nloc = 2 * H + 2;
    rc = ram_agent_params(a, &p, NULL, &count);
    if (rc != RAM_OK || count < tail + nloc) {
        ram_agent_free(a);
        return fail(err, errlen, rc != RAM_OK ? rc : RAM_E_INVALID,
                    "parameter layout");
    }
    memset(p + (count - tail - nloc), 0, nloc * sizeof *p);
    *out = a;
    return RAM_OK;
}

int catch_agent_set_input(ram_agent *agent)
{
    const size_t row = CATCH_SIZE * sizeof(float);
    return ram_agent_set_input(agent, RAM_PIXEL_F32, CATCH_SIZE, CATCH_SIZE,
                               row, CATCH_SIZE * row);
}

void catch_observe(const catch_batch *b, size_t n, float *out)
{
    const uint8_t *px = catch_screens(b);
    for (size_t i = 0; i < n * CATCH_PIXELS; i++)
        out[i] = px[i] ? CATCH_INPUT_GAIN : 0.0f;
}

int catch_agent_check(const ram_agent *agent, char *err, size_t errlen)
{
    int64_t ch = 0, actions = 0, mode = 0, steps = 0;
    int rc = ram_agent_get_config(agent, RAM_CFG_CHANNELS, &ch);
    if (rc == RAM_OK)
        rc = ram_agent_get_config(agent, RAM_CFG_ACTIONS, &actions);
    if (rc == RAM_OK)
        rc = ram_agent_get_config(agent, RAM_CFG_ACTION_MODE, &mode);
    if (rc == RAM_OK)
        rc = ram_agent_get_config(agent, RAM_CFG_MAX_STEPS, &steps);
    if (rc != RAM_OK)
        return fail(err, errlen, rc, "ram_agent_get_config");
    if (ch != 1 || actions != CATCH_ACTIONS || mode != RAM_ACTION_CONTROL)
        return fail(err, errlen, RAM_E_INVALID,
                    "not a Catch agent (channels %" PRId64 ", actions %" PRId64
                    ", action mode %" PRId64 "; need 1, 3, control)",
                    ch, actions, mode);
    (void)steps; /* only training episodes are limited by it */
    return RAM_OK;
}

void catch_draw_starts(example_rng *rng, size_t n, catch_state *out)
{
    static const int vx[6] = {-3, -2, -1, 1, 2, 3};
    for (size_t i = 0; i < n; i++) {
        out[i].ball_x =
            (int)example_rng_below(rng, CATCH_SIZE) * CATCH_SUBPIXELS;
        out[i].ball_y = 0;
        out[i].ball_vx = vx[example_rng_below(rng, 6)];
        out[i].paddle = (int)example_rng_below(rng, CATCH_PADDLE_MAX + 1);
    }
}

/* ---- playing a batch of games with the replicas ---- */

/* What one replica owns: its games and buffers (used by one thread). */
typedef struct slot {
    catch_batch *games;
    size_t n;
    int *actions;
    float *rewards;
    float *loc;
    float *obs; /* the agent's view of the screens (catch_observe) */
    const char *what; /* the call that failed, for the message */
    uint64_t caught;
    /* evaluation figures */
    uint64_t steps, fovea, steps_late, fovea_late;
    /* the same for a glimpse held at the centre */
    uint64_t c_fovea, c_fovea_late;
} slot;

typedef struct play_ctx {
    slot *slots;
    const catch_state *starts; /* one per game of the whole batch */
    unsigned flags;            /* ram_agent_begin flags */
    const ram_sensor *sensor;  /* non-NULL: gather evaluation figures */
    double *dist;              /* with sensor: per game, the sums of the
                                  glimpse-ball and centre-ball distances
                                  (summed in game order at the end, so that
                                  the mean does not depend on the threads) */
} play_ctx;

/* Frees the slot's games and buffers; keeps its counts. */
static void slot_free_buffers(slot *s)
{
    catch_free(s->games);
    free(s->actions);
    free(s->rewards);
    free(s->loc);
    free(s->obs);
    s->games = NULL;
    s->actions = NULL;
    s->rewards = s->loc = s->obs = NULL;
    s->n = 0;
}

static void slot_clear(slot *s)
{
    slot_free_buffers(s);
    memset(s, 0, sizeof *s);
}

/* Buffers for n games (the counts are kept: a sampled evaluation plays
 * several chunks, the last one maybe smaller, on one slot). */
static int slot_ensure(slot *s, size_t n)
{
    if (s->games && s->n == n)
        return RAM_OK;
    slot_free_buffers(s);
    s->games = catch_create(n, 0);
    s->actions = calloc(n, sizeof *s->actions);
    s->rewards = calloc(n, sizeof *s->rewards);
    s->loc = calloc(2 * n, sizeof *s->loc);
    s->obs = calloc(n * CATCH_PIXELS, sizeof *s->obs);
    if (!s->games || !s->actions || !s->rewards || !s->loc || !s->obs) {
        slot_free_buffers(s);
        return RAM_E_NOMEM;
    }
    s->n = n;
    return RAM_OK;
}

/* Is the ball (col, row) inside the finest patch at l; how far is it from
 * the glimpse centre (pixels)? */
static int ball_in_fovea(const ram_sensor *sensor, const float *l, int col,
                         int row, double *dist)
{
    ptrdiff_t x0, y0;
    size_t size;
    int in = 0;
    if (ram_sensor_patch_rect(sensor, CATCH_SIZE, CATCH_SIZE, l, 0, &x0, &y0,
                              &size) == RAM_OK)
        in = col >= x0 && col < x0 + (ptrdiff_t)size && row >= y0 &&
             row < y0 + (ptrdiff_t)size;
    double dx = (l[0] + 1.0) * CATCH_SIZE / 2.0 - (col + 0.5);
    double dy = (l[1] + 1.0) * CATCH_SIZE / 2.0 - (row + 0.5);
    *dist = sqrt(dx * dx + dy * dy);
    return in;
}

static void track(slot *s, const ram_sensor *sensor, double *dist, int t)
{
    static const float centre[2] = {0.0f, 0.0f};
    const int late = t >= CATCH_FRAMES_PER_GAME - 8;
    for (size_t j = 0; j < s->n; j++) {
        catch_state st;
        if (catch_get_state(s->games, j, &st) != CATCH_OK)
            continue;
        int col = catch_ball_column(st.ball_x), row = st.ball_y;
        double d, dc;
        int in = ball_in_fovea(sensor, s->loc + 2 * j, col, row, &d);
        int in_c = ball_in_fovea(sensor, centre, col, row, &dc);
        s->steps++;
        dist[2 * j] += d;
        s->fovea += (uint64_t)in;
        dist[2 * j + 1] += dc;
        s->c_fovea += (uint64_t)in_c;
        if (late) {
            s->steps_late++;
            s->fovea_late += (uint64_t)in;
            s->c_fovea_late += (uint64_t)in_c;
        }
    }
}

/* One episode (one game per batch row) on the slice [lo, hi). */
static int play_fn(ram_agent *a, int index, size_t lo, size_t hi, void *user)
{
    play_ctx *c = user;
    slot *s = &c->slots[index];
    size_t n = hi - lo;
    int rc;
    s->what = "allocating games";
    if ((rc = slot_ensure(s, n)) != RAM_OK)
        return rc;
    s->what = "catch_set_state";
    for (size_t j = 0; j < n; j++) {
        const catch_state *st = &c->starts[lo + j];
        rc = catch_set_state(s->games, j, st->ball_x, 0, st->ball_vx,
                             st->paddle);
        if (rc != CATCH_OK)
            return rc;
    }
    s->what = "ram_agent_set_input";
    rc = catch_agent_set_input(a);
    if (rc != RAM_OK)
        return rc;
    s->what = "ram_agent_begin";
    if ((rc = ram_agent_begin(a, n, c->flags)) != RAM_OK)
        return rc;
    const int train = (c->flags & RAM_BEGIN_TRAIN) != 0;
    for (int t = 0; t < CATCH_FRAMES_PER_GAME; t++) {
        if (c->sensor) {
            s->what = "ram_agent_location";
            if ((rc = ram_agent_location(a, s->loc)) != RAM_OK)
                return rc;
            track(s, c->sensor, c->dist + 2 * lo, t);
        }
        s->what = "ram_agent_step";
        catch_observe(s->games, n, s->obs);
        rc = ram_agent_step(a, s->obs, n * CATCH_PIXELS * sizeof *s->obs, NULL,
                            NULL, s->actions);
        if (rc != RAM_OK)
            return rc;
        s->what = "catch_step";
        rc = catch_step(s->games, s->actions, s->rewards, NULL);
        if (rc != CATCH_OK)
            return rc;
        if (train) {
            s->what = "ram_agent_reward";
            if ((rc = ram_agent_reward(a, s->rewards)) != RAM_OK)
                return rc;
        }
        if (t == CATCH_FRAMES_PER_GAME - 1)
            for (size_t j = 0; j < n; j++)
                s->caught += s->rewards[j] > 0.5f;
    }
    s->what = "ram_agent_end";
    if ((rc = ram_agent_end(a, NULL)) != RAM_OK)
        return rc;
    s->what = NULL;
    return RAM_OK;
}

/* A sampled evaluation: the chunks [lo, hi) of CATCH_EVAL_CHUNK games,
 * chunk c played by the agent reseeded from (sample_seed, c). */
typedef struct chunk_ctx {
    play_ctx play;
    size_t games;
    uint64_t sample_seed;
} chunk_ctx;

static int play_chunks_fn(ram_agent *a, int index, size_t lo, size_t hi,
                          void *user)
{
    chunk_ctx *c = user;
    for (size_t k = lo; k < hi; k++) {
        size_t g0 = k * CATCH_EVAL_CHUNK;
        size_t g1 = g0 + CATCH_EVAL_CHUNK < c->games ? g0 + CATCH_EVAL_CHUNK
                                                     : c->games;
        c->play.slots[index].what = "ram_agent_seed";
        int rc = ram_agent_seed(a, hash3(c->sample_seed ^ SALT_SAMPLE,
                                         (uint64_t)k, 1));
        if (rc != RAM_OK)
            return rc;
        if ((rc = play_fn(a, index, g0, g1, &c->play)) != RAM_OK)
            return rc;
    }
    return RAM_OK;
}

/* The message of a failed replicas_run. */
static int run_failed(const slot *slots, int n, int rc, char *err,
                      size_t errlen)
{
    for (int i = 0; i < n; i++)
        if (slots[i].what)
            return fail(err, errlen, rc, "replica %d: %s", i,
                        slots[i].what);
    return fail(err, errlen, rc, "replicas_run");
}

static int sensor_for(ram_agent *a, ram_sensor **out, char *err,
                      size_t errlen)
{
    int64_t patch = 0, scales = 0;
    int rc = ram_agent_get_config(a, RAM_CFG_PATCH, &patch);
    if (rc == RAM_OK)
        rc = ram_agent_get_config(a, RAM_CFG_SCALES, &scales);
    if (rc == RAM_OK)
        rc = ram_sensor_create(out, (int)patch, (int)scales, 1);
    if (rc != RAM_OK)
        return fail(err, errlen, rc, "ram_sensor_create");
    return RAM_OK;
}

int catch_evaluate(replicas *r, int games, uint64_t seed, unsigned flags,
                   uint64_t sample_seed, catch_eval *out, char *err,
                   size_t errlen)
{
    if (!r || !out || games < 1 || (flags & RAM_BEGIN_TRAIN))
        return fail(err, errlen, RAM_E_INVALID, "catch_evaluate");
    int n = replicas_count(r);
    catch_state *starts = malloc((size_t)games * sizeof *starts);
    slot *slots = calloc((size_t)n, sizeof *slots);
    double *game_dist = calloc(2 * (size_t)games, sizeof *game_dist);
    if (!starts || !slots || !game_dist) {
        free(starts);
        free(slots);
        free(game_dist);
        return fail(err, errlen, RAM_E_NOMEM, "catch_evaluate");
    }
    example_rng rng;
    example_rng_seed(&rng, seed);
    catch_draw_starts(&rng, (size_t)games, starts);

    ram_sensor *sensor = NULL;
    int rc = sensor_for(replicas_agent(r, 0), &sensor, err, errlen);
    const unsigned greedy = RAM_BEGIN_GREEDY_ACTION | RAM_BEGIN_GREEDY_LOCATION;
    double t0 = run_now();
    if (rc == RAM_OK && (flags & greedy) == greedy) {
        /* Nothing is drawn: one slice of games per replica. */
        play_ctx ctx = {slots, starts, flags, sensor, game_dist};
        rc = replicas_run(r, (size_t)games, play_fn, &ctx);
        if (rc != RAM_OK)
            run_failed(slots, n, rc, err, errlen);
    } else if (rc == RAM_OK) {
        chunk_ctx ctx = {{slots, starts, flags, sensor, game_dist},
                         (size_t)games, sample_seed};
        size_t chunks = ((size_t)games + CATCH_EVAL_CHUNK - 1) /
                        CATCH_EVAL_CHUNK;
        rc = replicas_run(r, chunks, play_chunks_fn, &ctx);
        if (rc != RAM_OK)
            run_failed(slots, n, rc, err, errlen);
    }
    double t1 = run_now();
    if (rc == RAM_OK) {
        memset(out, 0, sizeof *out);
        uint64_t caught = 0, steps = 0, fovea = 0, late = 0, fl = 0;
        uint64_t c_fovea = 0, c_fl = 0;
        double dist = 0, c_dist = 0;
        for (int i = 0; i < n; i++) {
            caught += slots[i].caught;
            steps += slots[i].steps;
            fovea += slots[i].fovea;
            late += slots[i].steps_late;
            fl += slots[i].fovea_late;
            c_fovea += slots[i].c_fovea;
            c_fl += slots[i].c_fovea_late;
        }
        for (int g = 0; g < games; g++) {
            dist += game_dist[2 * g];
            c_dist += game_dist[2 * g + 1];
        }
        out->games = games;
        out->caught = (int)caught;
        out->rate = (double)caught / games;
        out->fovea = steps ? (double)fovea / (double)steps : 0.0;
        out->fovea_late = late ? (double)fl / (double)late : 0.0;
        out->dist = steps ? dist / (double)steps : 0.0;
        out->centre_fovea = steps ? (double)c_fovea / (double)steps : 0.0;
        out->centre_fovea_late = late ? (double)c_fl / (double)late : 0.0;
        out->centre_dist = steps ? c_dist / (double)steps : 0.0;
        out->seconds = t1 - t0;
        double frames = (double)games * CATCH_FRAMES_PER_GAME;
        out->fps = out->seconds > 0 ? frames / out->seconds : 0.0;
    }
    for (int i = 0; i < n; i++)
        slot_clear(&slots[i]);
    free(slots);
    free(starts);
    free(game_dist);
    ram_sensor_free(sensor);
    return rc;
}

/* ---- the sidecar ---- */

static const sf_key opt_keys[] = {
    {"hidden", SF_INT, offsetof(catch_opts, hidden)},
    {"glimpse_what", SF_INT, offsetof(catch_opts, glimpse_what)},
    {"glimpse_where", SF_INT, offsetof(catch_opts, glimpse_where)},
    {"glimpse_size", SF_INT, offsetof(catch_opts, glimpse_size)},
    {"frames", SF_U64, offsetof(catch_opts, frames)},
    {"batch", SF_INT, offsetof(catch_opts, batch)},
    {"lr", SF_DBL, offsetof(catch_opts, lr)},
    {"std", SF_DBL, offsetof(catch_opts, std)},
    {"gamma", SF_DBL, offsetof(catch_opts, gamma)},
    {"entropy", SF_DBL, offsetof(catch_opts, entropy)},
    {"clip", SF_DBL, offsetof(catch_opts, clip)},
    {"baseline_core", SF_INT, offsetof(catch_opts, baseline_core)},
    {"loc_warmup", SF_U64, offsetof(catch_opts, loc_warmup)},
    {"loc_lr_scale", SF_DBL, offsetof(catch_opts, loc_lr_scale)},
    {"loc_core_weight", SF_DBL, offsetof(catch_opts, loc_core_weight)},
    {"seed", SF_U64, offsetof(catch_opts, seed)},
    {"threads", SF_INT, offsetof(catch_opts, threads)},
    {"stretch", SF_U64, offsetof(catch_opts, stretch)},
    {"eval_games", SF_INT, offsetof(catch_opts, eval_games)},
    {"eval_seed", SF_U64, offsetof(catch_opts, eval_seed)},
};
#define N_OPT_KEYS (sizeof opt_keys / sizeof opt_keys[0])

/* The training state that the sidecar holds besides the options. */
typedef struct train_state {
    int model;          /* 0 or 1: which checkpoint file is current */
    uint64_t updates;   /* updates done */
    uint64_t frames;    /* frames done */
    double elapsed;     /* seconds of training */
    double best;        /* best greedy evaluation rate (-1: none yet) */
    /* The stretch under way (for a stop in the middle of one). */
    uint64_t st_updates, st_games, st_caught;
    double st_return, st_mse, st_entropy, st_gnorm, st_elapsed0;
} train_state;

static const sf_key state_keys[] = {
    {"updates", SF_U64, offsetof(train_state, updates)},
    {"frames", SF_U64, offsetof(train_state, frames)},
    {"elapsed", SF_DBL, offsetof(train_state, elapsed)},
    {"best", SF_DBL, offsetof(train_state, best)},
    {"stretch_updates", SF_U64, offsetof(train_state, st_updates)},
    {"stretch_games", SF_U64, offsetof(train_state, st_games)},
    {"stretch_caught", SF_U64, offsetof(train_state, st_caught)},
    {"stretch_return", SF_DBL, offsetof(train_state, st_return)},
    {"stretch_mse", SF_DBL, offsetof(train_state, st_mse)},
    {"stretch_entropy", SF_DBL, offsetof(train_state, st_entropy)},
    {"stretch_gnorm", SF_DBL, offsetof(train_state, st_gnorm)},
    {"stretch_elapsed0", SF_DBL, offsetof(train_state, st_elapsed0)},
};
#define N_STATE_KEYS (sizeof state_keys / sizeof state_keys[0])

#define SIDECAR_MAGIC "ram-catch-checkpoint 1"

static int write_sidecar(const char *dir, const catch_opts *o,
                         const train_state *s, char *err, size_t errlen)
{
    char path[4096];
    if (run_join(path, sizeof path, dir, CATCH_FILE_STATE) != 0)
        return fail(err, errlen, RAM_E_RANGE, "%s: path too long", dir);
    strbuf b = {0};
    strbuf_printf(&b,
                  "%s\n"
                  "# ram-catch training state; written after the model.\n"
                  "# The games of update k come from the generator seeded\n"
                  "# by (opt.seed, k); replica i samples from (opt.seed,\n"
                  "# k, i), so the frame count is the game RNG state.\n"
                  "model %s\n",
                  SIDECAR_MAGIC,
                  s->model ? CATCH_FILE_CKPT1 : CATCH_FILE_CKPT0);
    statefile_put(&b, ' ', "", state_keys, N_STATE_KEYS, s);
    statefile_put(&b, ' ', "opt.", opt_keys, N_OPT_KEYS, o);
    int rc = statefile_write(path, &b, err, errlen);
    free(b.s);
    return rc == 0 ? RAM_OK : RAM_E_IO;
}

typedef struct sidecar_read {
    catch_opts *o;
    train_state *s;
    int have_updates;
} sidecar_read;

static int sidecar_key(void *user, const char *key, const char *value)
{
    sidecar_read *r = user;
    if (strcmp(key, "model") == 0) {
        r->s->model = strcmp(value, CATCH_FILE_CKPT0) == 0   ? 0
                      : strcmp(value, CATCH_FILE_CKPT1) == 0 ? 1
                                                             : -1;
        return r->s->model >= 0 ? 0 : -1;
    }
    if (strncmp(key, "opt.", 4) == 0)
        return statefile_set(opt_keys, N_OPT_KEYS, r->o, key + 4, value);
    int got = statefile_set(state_keys, N_STATE_KEYS, r->s, key, value);
    if (got == 0 && strcmp(key, "updates") == 0)
        r->have_updates = 1;
    return got; /* 1: a key from a later version; ignored */
}

static int read_sidecar(const char *dir, catch_opts *o, train_state *s,
                        char *err, size_t errlen)
{
    char path[4096];
    if (run_join(path, sizeof path, dir, CATCH_FILE_STATE) != 0)
        return fail(err, errlen, RAM_E_RANGE, "%s: path too long", dir);
    if (!run_exists(path))
        return fail(err, errlen, RAM_E_IO, "%s: %s", path, strerror(ENOENT));
    catch_opts_default(o);
    memset(s, 0, sizeof *s);
    s->model = -1;
    s->best = -1;
    sidecar_read r = {o, s, 0};
    if (statefile_read(path, ' ', SIDECAR_MAGIC, sidecar_key, &r, err,
                       errlen) != 0)
        return RAM_E_FORMAT;
    if (s->model < 0 || !r.have_updates)
        return fail(err, errlen, RAM_E_FORMAT, "%s: incomplete checkpoint",
                    path);
    return RAM_OK;
}

int catch_checkpoint_opts(const char *dir, catch_opts *o,
                          uint64_t *frames_done, char *err, size_t errlen)
{
    train_state s;
    catch_opts tmp;
    int rc = read_sidecar(dir, &tmp, &s, err, errlen);
    if (rc != RAM_OK)
        return rc;
    *o = tmp;
    if (frames_done)
        *frames_done = s.frames;
    return RAM_OK;
}

int catch_checkpoint_model(const char *dir, char *path, size_t cap,
                           char *err, size_t errlen)
{
    train_state s;
    catch_opts tmp;
    int rc = read_sidecar(dir, &tmp, &s, err, errlen);
    if (rc != RAM_OK)
        return rc;
    if (run_join(path, cap, dir,
                 s.model ? CATCH_FILE_CKPT1 : CATCH_FILE_CKPT0) != 0)
        return fail(err, errlen, RAM_E_RANGE, "%s: path too long", dir);
    return RAM_OK;
}

/* ---- training ---- */

typedef struct trainer {
    const char *dir;
    catch_opts o;
    const catch_hooks *h;
    ram_agent *master;
    replicas *r;
    int n;                 /* replicas */
    slot *slots;
    catch_state *starts;   /* batch */
    train_state s;
    double t_session;      /* run_now() when this session started */
    double elapsed0;       /* s.elapsed when this session started */
} trainer;

static void note(const trainer *t, const char *fmt, ...)
{
    if (!t->h || !t->h->note)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    t->h->note(t->h->user, msg);
}

static double elapsed(const trainer *t)
{
    return t->elapsed0 + (run_now() - t->t_session);
}

static int train_update(trainer *t, char *err, size_t errlen)
{
    const uint64_t k = t->s.updates;
    const size_t B = (size_t)t->o.batch;
    example_rng rng;
    example_rng_seed(&rng, hash3(t->o.seed ^ SALT_GAMES, k, 0));
    catch_draw_starts(&rng, B, t->starts);
    for (int i = 0; i < t->n; i++) {
        int rc = ram_agent_seed(replicas_agent(t->r, i),
                                hash3(t->o.seed ^ SALT_AGENT, k, (uint64_t)i));
        if (rc != RAM_OK)
            return fail(err, errlen, rc, "ram_agent_seed");
    }
    uint64_t caught0 = 0;
    for (int i = 0; i < t->n; i++)
        caught0 += t->slots[i].caught;
    /* During the warm-up the glimpse goes to the location mean, and
     * ram_agent_end() then gives the location network no gradient. */
    unsigned flags = RAM_BEGIN_TRAIN;
    if (t->s.frames < t->o.loc_warmup)
        flags |= RAM_BEGIN_GREEDY_LOCATION;
    play_ctx ctx = {t->slots, t->starts, flags, NULL, NULL};
    int rc = replicas_run(t->r, B, play_fn, &ctx);
    if (rc != RAM_OK)
        return run_failed(t->slots, t->n, rc, err, errlen);
    rc = replicas_update(t->r);
    if (rc != RAM_OK)
        return fail(err, errlen, rc, "replicas_update (update %" PRIu64 ")",
                    k + 1);
    uint64_t caught1 = 0;
    for (int i = 0; i < t->n; i++)
        caught1 += t->slots[i].caught;
    double ret = 0, mse = 0, ent = 0, gn = 0;
    rc = replicas_stat_mean(t->r, RAM_STAT_RETURN, &ret);
    if (rc == RAM_OK)
        rc = replicas_stat_mean(t->r, RAM_STAT_BASELINE_MSE, &mse);
    if (rc == RAM_OK)
        rc = replicas_stat_mean(t->r, RAM_STAT_ENTROPY, &ent);
    if (rc == RAM_OK)
        rc = ram_agent_stat(t->master, RAM_STAT_GRAD_NORM, &gn);
    if (rc != RAM_OK)
        return fail(err, errlen, rc, "reading statistics");
    t->s.updates++;
    t->s.frames += (uint64_t)B * CATCH_FRAMES_PER_GAME;
    t->s.st_updates++;
    t->s.st_games += B;
    t->s.st_caught += caught1 - caught0;
    t->s.st_return += ret;
    t->s.st_mse += mse;
    t->s.st_entropy += ent;
    t->s.st_gnorm += gn;
    return RAM_OK;
}

static int checkpoint(trainer *t, char *err, size_t errlen)
{
    char path[4096];
    train_state next = t->s;
    next.model = t->s.model == 0 ? 1 : 0;
    next.elapsed = elapsed(t);
    if (run_join(path, sizeof path, t->dir,
                 next.model ? CATCH_FILE_CKPT1 : CATCH_FILE_CKPT0) != 0)
        return fail(err, errlen, RAM_E_RANGE, "%s: path too long", t->dir);
    int rc = ram_agent_save_file(t->master, RAM_SAVE_OPTIMIZER, path);
    if (rc != RAM_OK)
        return fail(err, errlen, rc, "saving %s", path);
    if ((rc = write_sidecar(t->dir, &t->o, &next, err, errlen)) != RAM_OK)
        return rc;
    t->s.model = next.model;
    return RAM_OK;
}

static int append_log(trainer *t, const catch_report *r, char *err,
                      size_t errlen)
{
    char path[4096], line[512];
    if (run_join(path, sizeof path, t->dir, CATCH_FILE_LOG) != 0)
        return fail(err, errlen, RAM_E_RANGE, "%s: path too long", t->dir);
    snprintf(line, sizeof line,
             "%" PRIu64 "\t%" PRIu64 "\t%.1f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t"
             "%.0f\t%.4f\t%.4f\t%.4f\t%.3f\t%.4f\n",
             r->frames, r->updates, r->elapsed, r->catch_rate,
             r->mean_return, r->baseline_mse, r->entropy, r->grad_norm,
             r->fps, r->eval.rate, r->eval.fovea, r->eval.fovea_late,
             r->eval.dist, r->best);
    if (tsv_append(path,
                   "frames\tupdates\telapsed_s\ttrain_catch\tmean_return\t"
                   "baseline_mse\tentropy\tgrad_norm\tframes_per_s\t"
                   "eval_greedy\teval_fovea\teval_fovea_late\t"
                   "eval_dist\tbest\n",
                   line, err, errlen) != 0)
        return RAM_E_IO;
    return RAM_OK;
}

static int end_stretch(trainer *t, char *err, size_t errlen)
{
    catch_report r;
    memset(&r, 0, sizeof r);
    const train_state *s = &t->s;
    r.frames = s->frames;
    r.updates = s->updates;
    r.elapsed = elapsed(t);
    r.games = s->st_games;
    r.caught = s->st_caught;
    double nu = s->st_updates ? (double)s->st_updates : 1.0;
    r.catch_rate = s->st_games ? (double)s->st_caught / (double)s->st_games
                               : 0.0;
    r.mean_return = s->st_return / nu;
    r.baseline_mse = s->st_mse / nu;
    r.entropy = s->st_entropy / nu;
    r.grad_norm = s->st_gnorm / nu;
    double secs = r.elapsed - s->st_elapsed0;
    r.fps = secs > 0 ? (double)s->st_games * CATCH_FRAMES_PER_GAME / secs
                     : 0.0;
    int rc = catch_evaluate(t->r, t->o.eval_games, t->o.eval_seed,
                            RAM_BEGIN_GREEDY_ACTION |
                                RAM_BEGIN_GREEDY_LOCATION,
                            0, &r.eval, err, errlen);
    if (rc != RAM_OK)
        return rc;
    if (r.eval.rate > t->s.best) {
        char path[4096];
        if (run_join(path, sizeof path, t->dir, CATCH_FILE_BEST) != 0)
            return fail(err, errlen, RAM_E_RANGE, "path too long");
        rc = ram_agent_save_file(t->master, 0, path);
        if (rc != RAM_OK)
            return fail(err, errlen, rc, "saving %s", path);
        t->s.best = r.eval.rate;
        r.new_best = 1;
    }
    r.best = t->s.best;
    /* The next stretch starts now. */
    t->s.st_updates = t->s.st_games = t->s.st_caught = 0;
    t->s.st_return = t->s.st_mse = t->s.st_entropy = t->s.st_gnorm = 0;
    t->s.st_elapsed0 = elapsed(t);
    if ((rc = checkpoint(t, err, errlen)) != RAM_OK)
        return rc;
    if ((rc = append_log(t, &r, err, errlen)) != RAM_OK)
        return rc;
    if (t->h && t->h->report)
        t->h->report(t->h->user, &r);
    return RAM_OK;
}

static int check_opts(const catch_opts *o, char *err, size_t errlen)
{
    if (o->batch < 1 || o->batch > (1 << 20))
        return fail(err, errlen, RAM_E_RANGE, "batch %d (1 .. 1048576)",
                    o->batch);
    if (o->eval_games < 1 || o->eval_games > (1 << 24))
        return fail(err, errlen, RAM_E_RANGE, "eval games %d",
                    o->eval_games);
    if (o->stretch < 1)
        return fail(err, errlen, RAM_E_RANGE, "stretch must be >= 1 frame");
    if (o->threads < 0 || o->threads > 1024)
        return fail(err, errlen, RAM_E_RANGE, "threads %d", o->threads);
    if (!(o->loc_lr_scale >= 0.0 && o->loc_lr_scale <= 1.0))
        return fail(err, errlen, RAM_E_RANGE,
                    "location step scale %g (0 .. 1)", o->loc_lr_scale);
    if (!(o->loc_core_weight >= 0.0 && o->loc_core_weight <= 1.0))
        return fail(err, errlen, RAM_E_RANGE,
                    "location core weight %g (0 .. 1)", o->loc_core_weight);
    return RAM_OK;
}

int catch_train(const char *dir, const catch_opts *o, int resume,
                const catch_hooks *hooks, int *stopped, char *err,
                size_t errlen)
{
    if (stopped)
        *stopped = 0;
    if (!dir || !o)
        return fail(err, errlen, RAM_E_INVALID, "catch_train");
    int rc = check_opts(o, err, errlen);
    if (rc != RAM_OK)
        return rc;
    trainer t;
    memset(&t, 0, sizeof t);
    t.dir = dir;
    t.o = *o;
    t.h = hooks;
    t.s.model = -1;
    t.s.best = -1;

    char path[4096];
    if (run_join(path, sizeof path, dir, CATCH_FILE_STATE) != 0)
        return fail(err, errlen, RAM_E_RANGE, "%s: path too long", dir);
    if (resume) {
        catch_opts stored;
        if ((rc = read_sidecar(dir, &stored, &t.s, err, errlen)) != RAM_OK)
            return rc;
        char mpath[4096];
        if (run_join(mpath, sizeof mpath, dir,
                     t.s.model ? CATCH_FILE_CKPT1 : CATCH_FILE_CKPT0) != 0)
            return fail(err, errlen, RAM_E_RANGE, "path too long");
        rc = ram_agent_load_file(&t.master, mpath, 0);
        if (rc != RAM_OK)
            return fail(err, errlen, rc, "loading %s", mpath);
        double upd = -1;
        ram_agent_stat(t.master, RAM_STAT_UPDATES, &upd);
        if (upd != (double)t.s.updates) {
            ram_agent_free(t.master);
            return fail(err, errlen, RAM_E_FORMAT,
                        "%s has %.0f updates but %s says %" PRIu64, mpath,
                        upd, CATCH_FILE_STATE, t.s.updates);
        }
        if ((rc = catch_agent_check(t.master, err, errlen)) != RAM_OK ||
            (rc = catch_agent_tune(t.master, &t.o, err, errlen)) != RAM_OK) {
            ram_agent_free(t.master);
            return rc;
        }
        /* The model's shape wins over the options. */
        int64_t v;
        if (ram_agent_get_config(t.master, RAM_CFG_HIDDEN, &v) == RAM_OK)
            t.o.hidden = (int)v;
        if (ram_agent_get_config(t.master, RAM_CFG_GLIMPSE_WHAT, &v) == RAM_OK)
            t.o.glimpse_what = (int)v;
        if (ram_agent_get_config(t.master, RAM_CFG_GLIMPSE_WHERE, &v) ==
            RAM_OK)
            t.o.glimpse_where = (int)v;
        if (ram_agent_get_config(t.master, RAM_CFG_GLIMPSE_SIZE, &v) == RAM_OK)
            t.o.glimpse_size = (int)v;
        note(&t, "resuming %s at %" PRIu64 " frames (%" PRIu64
                 " updates), best greedy evaluation %.3f",
             dir, t.s.frames, t.s.updates, t.s.best < 0 ? 0.0 : t.s.best);
    } else {
        if (access(path, F_OK) == 0)
            return fail(err, errlen, RAM_E_STATE,
                        "%s already holds a training run (use --resume, or "
                        "another directory)", dir);
        if (run_mkdirs(dir, err, errlen) != 0)
            return RAM_E_IO;
        if ((rc = catch_agent_new(&t.o, &t.master, err, errlen)) != RAM_OK)
            return rc;
    }

    t.n = catch_opts_threads(&t.o);
    t.o.threads = t.n; /* stored as resolved, so a resume uses the same */
    t.t_session = run_now();
    t.elapsed0 = t.s.elapsed;
    t.slots = calloc((size_t)t.n, sizeof *t.slots);
    t.starts = calloc((size_t)t.o.batch, sizeof *t.starts);
    if (!t.slots || !t.starts) {
        rc = fail(err, errlen, RAM_E_NOMEM, "catch_train");
        goto done;
    }
    rc = replicas_create(t.master, t.n, t.o.seed, &t.r);
    if (rc != RAM_OK) {
        fail(err, errlen, rc, "replicas_create (%d)", t.n);
        t.r = NULL;
        goto done;
    }
    if (!resume) {
        catch_eval e;
        rc = catch_evaluate(t.r, t.o.eval_games, t.o.eval_seed,
                            RAM_BEGIN_GREEDY_ACTION |
                                RAM_BEGIN_GREEDY_LOCATION,
                            0, &e, err, errlen);
        if (rc != RAM_OK)
            goto done;
        note(&t, "untrained agent: greedy evaluation %d/%d caught (%.3f)",
             e.caught, e.games, e.rate);
        /* A first checkpoint, so that --resume works from the start. */
        if ((rc = checkpoint(&t, err, errlen)) != RAM_OK)
            goto done;
    }

    if (!resume)
        t.s.st_elapsed0 = elapsed(&t);
    while (t.s.frames < t.o.frames) {
        if (hooks && hooks->stop && *hooks->stop) {
            if ((rc = checkpoint(&t, err, errlen)) != RAM_OK)
                goto done;
            note(&t, "stopped: checkpoint at %" PRIu64 " frames in %s",
                 t.s.frames, dir);
            if (stopped)
                *stopped = 1;
            goto done;
        }
        uint64_t before = t.s.frames;
        if ((rc = train_update(&t, err, errlen)) != RAM_OK)
            goto done;
        if (hooks && hooks->progress)
            hooks->progress(hooks->user, t.s.frames, t.o.frames, elapsed(&t));
        if (t.s.frames / t.o.stretch != before / t.o.stretch ||
            t.s.frames >= t.o.frames) {
            if ((rc = end_stretch(&t, err, errlen)) != RAM_OK)
                goto done;
        }
    }
    if (run_join(path, sizeof path, dir, CATCH_FILE_FINAL) != 0) {
        rc = fail(err, errlen, RAM_E_RANGE, "path too long");
        goto done;
    }
    rc = ram_agent_save_file(t.master, 0, path);
    if (rc != RAM_OK)
        fail(err, errlen, rc, "saving %s", path);

done:
    for (int i = 0; t.slots && i < t.n; i++)
        slot_clear(&t.slots[i]);
    free(t.slots);
    free(t.starts);
    replicas_free(t.r);
    ram_agent_free(t.master);
    return rc;
}
