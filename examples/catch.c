/* The game of Catch (Mnih et al. 2014, section 4.2) played by a ram_agent
 * in control mode, one game at a time (batch 1), as a control loop would:
 * each frame the agent glimpses at the screen and picks an action; the only
 * reward is 1 at the end of a game if the paddle caught the ball.
 *
 *   examples/catch [--train GAMES] [--eval GAMES] [--seed S] [MODEL.ram]
 *
 * Without MODEL it trains a small agent for --train games (80,000: 1.8M
 * frames, about 12 s of one core); it then catches about 20% of the balls,
 * random actions 9%. MODEL, e.g. models/catch.ram (apps/catch, 20M frames),
 * catches 98%. It plays --eval fresh games with the agent (sampled, then
 * greedy) and with random actions: the same games for all three.
 *
 * The rules are those of apps/catch (its README.md), which models/catch.ram
 * was trained on: a 24x24 screen; the ball starts on row 0 at a random
 * column and falls a row per frame, moving sideways by +-1/3, +-2/3 or +-1
 * pixel per frame (held exactly in thirds of a pixel), bouncing off the
 * walls; the 2-pixel paddle on the bottom row moves left, stays or moves
 * right (actions 0, 1, 2) before the ball moves. A game is 23 frames. */
#define _XOPEN_SOURCE 700 /* nrand48() */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ram/ram.h>

/* OpenBLAS's thread control, if the program is linked with OpenBLAS (a weak
 * symbol: NULL otherwise). */
extern void openblas_set_num_threads(int) __attribute__((weak));

#define SIZE 24
#define FRAMES 23 /* the ball reaches row 23 after 23 moves */
#define XMAX 69   /* ball x in thirds of a pixel: 0 .. 69 (columns 0 .. 23) */
/* The agent sees the screen as floats, 0 or GAIN: with 0/1 pixels the
 * one-pixel ball is too faint in the retina's coarse, averaged scales to
 * learn from (docs/catch.md). models/catch.ram expects this gain. */
#define GAIN 64.0f
#define HIDDEN 64 /* LSTM units of a new agent (models/catch.ram has 256) */

typedef struct game {
    int x, y, vx; /* ball: x in thirds of a pixel, row y, speed in thirds */
    int paddle;   /* covers columns paddle and paddle + 1 */
} game;

static void check(int rc)
{
    if (rc != RAM_OK) {
        fprintf(stderr, "catch: libram: %s (%s)\n", ram_strerror(rc),
                ram_last_error());
        exit(1);
    }
}

static void new_game(game *g, unsigned short rng[3])
{
    static const int vx[6] = {-3, -2, -1, 1, 2, 3};
    g->x = 3 * (int)(nrand48(rng) % SIZE);
    g->y = 0;
    g->vx = vx[nrand48(rng) % 6];
    g->paddle = (int)(nrand48(rng) % (SIZE - 1));
}

static void draw(const game *g, float *screen)
{
    memset(screen, 0, SIZE * SIZE * sizeof *screen);
    screen[g->y * SIZE + (g->x + 1) / 3] = GAIN;
    screen[(SIZE - 1) * SIZE + g->paddle] = GAIN;
    screen[(SIZE - 1) * SIZE + g->paddle + 1] = GAIN;
}

/* One frame: the paddle moves, then the ball. Returns the reward: 1 if
 * the ball has just reached the bottom row above the paddle, else 0. */
static float move(game *g, int action)
{
    g->paddle += action - 1;
    g->paddle = g->paddle < 0 ? 0 : g->paddle > SIZE - 2 ? SIZE - 2 : g->paddle;
    g->x += g->vx;
    if (g->x < 0 || g->x > XMAX) { /* bounce: reflect about the wall */
        g->x = g->x < 0 ? -g->x : 2 * XMAX - g->x;
        g->vx = -g->vx;
    }
    g->y++;
    int col = (g->x + 1) / 3;
    return g->y == SIZE - 1 && (col == g->paddle || col == g->paddle + 1);
}

/* Plays one game drawn from `games`. With an agent, it chooses every
 * action (begin, 23 steps, the reward after the last, end); without, the
 * actions are uniformly random from `actions`. Returns 1 for a catch. */
static int play(ram_agent *agent, unsigned flags, unsigned short games[3],
                unsigned short actions[3])
{
    static float screen[SIZE * SIZE];
    game g;
    new_game(&g, games);
    if (agent)
        check(ram_agent_begin(agent, 1, flags));
    float reward = 0.0f;
    for (int t = 0; t < FRAMES; t++) {
        int action = (int)(nrand48(actions) % 3);
        if (agent) {
            draw(&g, screen);
            check(ram_agent_step(agent, screen, SIZE * SIZE * sizeof *screen, NULL,
                                 NULL, &action));
        }
        reward = move(&g, action);
    }
    if (agent) {
        if (flags & RAM_BEGIN_TRAIN)
            check(ram_agent_reward(agent, &reward));
        check(ram_agent_end(agent, NULL));
    }
    return reward > 0.5f;
}

/* A new agent for Catch: 6x6 retina at 3 scales, an LSTM core, 3 actions
 * sampled by the action policy, 23 steps per training episode; smaller
 * networks than the paper's, so that it learns in seconds. */
static ram_agent *new_agent(long seed)
{
    static const int64_t set[][2] = {
        {RAM_CFG_PATCH, 6}, {RAM_CFG_SCALES, 3}, {RAM_CFG_CORE, RAM_CORE_LSTM},
        {RAM_CFG_HIDDEN, HIDDEN}, {RAM_CFG_GLIMPSE_WHAT, 32},
        {RAM_CFG_GLIMPSE_WHERE, 32}, {RAM_CFG_GLIMPSE_SIZE, 64},
        {RAM_CFG_ACTIONS, 3}, {RAM_CFG_ACTION_MODE, RAM_ACTION_CONTROL},
        {RAM_CFG_MAX_STEPS, FRAMES}};
    ram_config *cfg;
    ram_agent *agent;
    check(ram_config_create(&cfg));
    int rc = ram_config_set(cfg, RAM_CFG_SEED, seed);
    for (size_t i = 0; i < sizeof set / sizeof set[0] && rc == RAM_OK; i++)
        rc = ram_config_set(cfg, (int)set[i][0], set[i][1]);
    if (rc == RAM_OK)
        rc = ram_agent_create(&agent, cfg);
    ram_config_free(cfg);
    check(rc);
    /* The tunables of apps/catch, with a larger learning rate. */
    check(ram_agent_set_param(agent, RAM_PARAM_LEARNING_RATE, 3e-3));
    check(ram_agent_set_param(agent, RAM_PARAM_LOCATION_STD, 0.15));
    check(ram_agent_set_param(agent, RAM_PARAM_GAMMA, 0.97));
    check(ram_agent_set_param(agent, RAM_PARAM_ENTROPY_WEIGHT, 0.01));
    check(ram_agent_set_param(agent, RAM_PARAM_CLIP_NORM, 5.0));
    check(ram_agent_set_param(agent, RAM_PARAM_BASELINE_TRAINS_CORE, 1));
    check(ram_agent_set_param(agent, RAM_PARAM_LOCATION_CORE_WEIGHT, 0.0));
    check(ram_agent_set_param(agent, RAM_PARAM_LOCATION_LR_SCALE, 0.1));
    /* Zero the location network, so that every glimpse starts at the
     * centre, where the coarsest scale sees the whole screen (as apps/catch
     * does). ram_agent_params() holds the glimpse, core, location (W [2 x H],
     * b [2]), action (W [3 x H], b [3]) and baseline (w [H], c) networks. */
    float *p;
    size_t n;
    check(ram_agent_params(agent, &p, NULL, &n));
    memset(p + n - (4 * HIDDEN + 4) - (2 * HIDDEN + 2), 0,
           (2 * HIDDEN + 2) * sizeof *p);
    return agent;
}

int main(int argc, char **argv)
{
    long n_train = 80000, n_eval = 1000, seed = 1, batch = 16;
    const char *model = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            model = a;
            continue;
        }
        if (v && !strcmp(a, "--train"))
            n_train = atol(v);
        else if (v && !strcmp(a, "--eval"))
            n_eval = atol(v);
        else if (v && !strcmp(a, "--seed"))
            seed = atol(v);
        else {
            fprintf(stderr, "usage: catch [--train GAMES] [--eval GAMES] "
                    "[--seed S] [MODEL.ram]\n");
            return 2;
        }
        i++;
    }
    if (n_train < 0 || n_eval < 1) {
        fprintf(stderr, "catch: need --train >= 0 and --eval >= 1\n");
        return 2;
    }
    /* One BLAS thread: at batch 1, OpenBLAS's own threads cost more than
     * they bring (several times more on a busy machine). */
    if (openblas_set_num_threads)
        openblas_set_num_threads(1);

    ram_agent *agent;
    if (model) {
        int rc = ram_agent_load_file(&agent, model, RAM_LOAD_INFERENCE);
        if (rc != RAM_OK) {
            fprintf(stderr, "catch: %s: %s (%s)\n", model, ram_strerror(rc),
                    ram_last_error());
            return 1;
        }
        int64_t actions, mode, channels;
        check(ram_agent_get_config(agent, RAM_CFG_ACTIONS, &actions));
        check(ram_agent_get_config(agent, RAM_CFG_ACTION_MODE, &mode));
        check(ram_agent_get_config(agent, RAM_CFG_CHANNELS, &channels));
        if (actions != 3 || mode != RAM_ACTION_CONTROL || channels != 1) {
            fprintf(stderr, "catch: %s is not a Catch agent (needs 3 actions, "
                    "control mode, 1 channel)\n", model);
            return 1;
        }
        printf("loaded %s\n", model);
    } else {
        agent = new_agent(seed);
    }
    check(ram_agent_set_input(agent, RAM_PIXEL_F32, SIZE, SIZE,
                              SIZE * sizeof(float), SIZE * SIZE * sizeof(float)));

    unsigned short games[3] = {0x330E, (unsigned short)seed, 1};
    unsigned short actions[3] = {0x330E, (unsigned short)seed, 2};
    if (!model && n_train > 0) {
        printf("training on %ld games (%ld frames), an update every %ld games\n",
               n_train, n_train * FRAMES, batch);
        long report = n_train < 5 ? 1 : n_train / 5, caught = 0;
        for (long k = 1; k <= n_train; k++) {
            caught += play(agent, RAM_BEGIN_TRAIN, games, actions);
            if (k % batch == 0) /* the gradients of `batch` games add up */
                check(ram_agent_update(agent));
            if (k % report == 0) {
                printf("  %6ld games: %4.1f%% caught (sampled actions)\n", k,
                       100.0 * (double)caught / (double)report);
                caught = 0;
            }
        }
    }

    /* The same --eval games (same seed) for each policy. */
    const char *name[3] = {"random actions", "agent, sampled", "agent, greedy"};
    const unsigned flag[3] = {0, 0, RAM_BEGIN_GREEDY_ACTION | RAM_BEGIN_GREEDY_LOCATION};
    for (int p = 0; p < 3; p++) {
        unsigned short g[3] = {0x330E, (unsigned short)seed, 3};
        unsigned short a[3] = {0x330E, (unsigned short)seed, 4};
        check(ram_agent_seed(agent, (uint64_t)seed));
        long caught = 0;
        for (long k = 0; k < n_eval; k++)
            caught += play(p ? agent : NULL, flag[p], g, a);
        printf("%-15s %5.1f%% caught of %ld games\n", name[p],
               100.0 * (double)caught / (double)n_eval, n_eval);
    }
    ram_agent_free(agent);
    return 0;
}
