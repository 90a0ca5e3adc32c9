/* Tests of the Catch game (examples/catch/game.c); rules in
 * examples/catch/README.md. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "game.h"

/* ---- helpers ---- */

/* Small test-side generator (splitmix64), for random actions. */
static uint64_t t_next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int t_action(uint64_t *x)
{
    return (int)(t_next(x) % 3);
}

static catch_state get(const catch_batch *b, size_t i)
{
    catch_state s;
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(catch_get_state(b, i, &s), CATCH_OK);
    return s;
}

/* Reference rule, written independently of game.c: where the ball is
 * after one move (walls at 0 and 69, reflect and negate). */
static void ref_move(int *x, int *vx)
{
    int nx = *x + *vx;
    if (nx < 0) {
        nx = -nx;
        *vx = -*vx;
    } else if (nx > 69) {
        nx = 138 - nx;
        *vx = -*vx;
    }
    *x = nx;
}

/* The "perfect tracker": moves toward the column the ball will occupy
 * after this frame's move (what an agent that has inferred the ball's
 * velocity from earlier frames can do). */
static int tracker_action(const catch_state *s)
{
    int x = s->ball_x, vx = s->ball_vx;
    ref_move(&x, &vx);
    int c = (x + 1) / 3;
    if (c < s->paddle)
        return CATCH_LEFT;
    if (c > s->paddle + 1)
        return CATCH_RIGHT;
    return CATCH_STAY;
}

/* The naive tracker: moves toward the ball's current column. */
static int naive_action(const catch_state *s)
{
    int c = (s->ball_x + 1) / 3;
    if (c < s->paddle)
        return CATCH_LEFT;
    if (c > s->paddle + 1)
        return CATCH_RIGHT;
    return CATCH_STAY;
}

/* Check that screen i shows exactly the state's ball and paddle. */
static void check_screen(const catch_batch *b, size_t i)
{
    catch_state s = get(b, i);
    const uint8_t *scr = catch_screen(b, i);
    ck_assert_ptr_nonnull(scr);
    ck_assert_ptr_eq(scr, catch_screens(b) + i * CATCH_PIXELS);
    int col = catch_ball_column(s.ball_x);
    ck_assert_int_ge(s.ball_y, 0);
    ck_assert_int_le(s.ball_y, 22);
    int set = 0;
    for (int y = 0; y < CATCH_SIZE; y++)
        for (int x = 0; x < CATCH_SIZE; x++) {
            uint8_t v = scr[y * CATCH_SIZE + x];
            int want = (y == s.ball_y && x == col) ||
                       (y == 23 && (x == s.paddle || x == s.paddle + 1));
            ck_assert_msg(v == 0 || v == 255, "pixel value %d", v);
            ck_assert_int_eq(v, want ? 255 : 0);
            set += v != 0;
        }
    ck_assert_int_eq(set, 3);
}

static int count_set(const uint8_t *scr)
{
    int n = 0;
    for (int k = 0; k < CATCH_PIXELS; k++)
        n += scr[k] != 0;
    return n;
}

/* Find the ball (rows 0..22) and the paddle (row 23) on a screen alone. */
static void read_screen(const uint8_t *scr, int *ball_col, int *ball_row,
                        int *paddle)
{
    *ball_col = *ball_row = *paddle = -1;
    for (int y = 0; y < 23; y++)
        for (int x = 0; x < 24; x++)
            if (scr[y * 24 + x]) {
                *ball_row = y;
                *ball_col = x;
            }
    for (int x = 23; x >= 0; x--)
        if (scr[23 * 24 + x])
            *paddle = x;
}

/* A tracker that sees only the screens and remembers the previous frame's
 * ball column: it moves toward c + (c - c_prev), the column the ball would
 * reach if it kept its last column step. */
static int screen_action(const uint8_t *scr, int *prev_col)
{
    int c, row, p;
    read_screen(scr, &c, &row, &p);
    ck_assert_int_ge(c, 0);
    ck_assert_int_ge(p, 0);
    int pred = row == 0 ? c : c + (c - *prev_col);
    *prev_col = c;
    if (pred < p)
        return CATCH_LEFT;
    if (pred > p + 1)
        return CATCH_RIGHT;
    return CATCH_STAY;
}

/* Catch rate of a policy over n_rounds games in each of n slots. policy:
 * 0 random, 1 perfect tracker, 2 naive tracker, 3 screen-only tracker. */
static double catch_rate(size_t n, int n_rounds, int policy, uint64_t seed)
{
    catch_batch *b = catch_create(n, seed);
    ck_assert_ptr_nonnull(b);
    int *act = malloc(n * sizeof *act);
    float *rew = malloc(n * sizeof *rew);
    uint8_t *done = malloc(n);
    ck_assert(act && rew && done);
    int *prev = calloc(n, sizeof *prev);
    ck_assert_ptr_nonnull(prev);
    uint64_t r = seed ^ 0x5555;
    double caught = 0, games = 0;
    for (int t = 0; t < n_rounds * CATCH_FRAMES_PER_GAME; t++) {
        for (size_t i = 0; i < n; i++) {
            catch_state s = get(b, i);
            act[i] = policy == 0   ? t_action(&r)
                     : policy == 1 ? tracker_action(&s)
                     : policy == 2 ? naive_action(&s)
                                   : screen_action(catch_screen(b, i), &prev[i]);
        }
        ck_assert_int_eq(catch_step(b, act, rew, done), CATCH_OK);
        for (size_t i = 0; i < n; i++) {
            caught += rew[i];
            games += done[i];
        }
    }
    ck_assert(games == (double)n * n_rounds);
    free(prev);
    free(act);
    free(rew);
    free(done);
    catch_free(b);
    return caught / games;
}

/* ---- tests ---- */

START_TEST(test_create_invalid)
{
    ck_assert_ptr_null(catch_create(0, 1));
    ck_assert_ptr_null(catch_create(SIZE_MAX, 1));
    ck_assert_ptr_null(catch_create(((size_t)1 << 24) + 1, 1));
    catch_free(NULL);
    ck_assert_uint_eq(catch_n_games(NULL), 0);
    ck_assert_int_eq(catch_reset(NULL), CATCH_E_INVALID);
    ck_assert_ptr_null(catch_screens(NULL));
    ck_assert_ptr_null(catch_screen(NULL, 0));
    int a = 1;
    ck_assert_int_eq(catch_step(NULL, &a, NULL, NULL), CATCH_E_INVALID);
    catch_state s;
    ck_assert_int_eq(catch_get_state(NULL, 0, &s), CATCH_E_INVALID);
    ck_assert_int_eq(catch_set_state(NULL, 0, 0, 0, 1, 0), CATCH_E_INVALID);
    ck_assert_int_eq(catch_last_end(NULL, 0, &s, NULL), CATCH_E_INVALID);
    char buf[CATCH_ASCII_BUFLEN];
    ck_assert_int_eq(catch_render_ascii(NULL, 0, NULL, 0, buf, sizeof buf),
                     -CATCH_E_INVALID);
    ck_assert_int_eq(catch_draw_state(NULL, (uint8_t *)buf), CATCH_E_INVALID);

    catch_batch *b = catch_create(3, 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(catch_n_games(b), 3);
    ck_assert_ptr_null(catch_screen(b, 3));
    ck_assert_int_eq(catch_get_state(b, 3, &s), CATCH_E_RANGE);
    ck_assert_int_eq(catch_get_state(b, 0, NULL), CATCH_E_INVALID);
    ck_assert_int_eq(catch_step(b, NULL, NULL, NULL), CATCH_E_INVALID);
    ck_assert_int_eq(catch_render_ascii(b, 0, NULL, 0, NULL, 10),
                     -CATCH_E_INVALID);
    ck_assert_int_eq(catch_render_ascii(b, 0, NULL, 1, buf, sizeof buf),
                     -CATCH_E_INVALID);
    catch_free(b);
}
END_TEST

START_TEST(test_fall_one_row_per_frame)
{
    enum { N = 7 };
    catch_batch *b = catch_create(N, 7);
    ck_assert_ptr_nonnull(b);
    uint64_t r = 99;
    for (int game = 0; game < 3; game++) {
        catch_state prev[N];
        for (size_t i = 0; i < N; i++) {
            prev[i] = get(b, i);
            ck_assert_int_eq(prev[i].ball_y, 0);
            ck_assert_int_eq(prev[i].ball_x % 3, 0); /* starts on a column */
        }
        for (int t = 1; t <= CATCH_FRAMES_PER_GAME; t++) {
            int act[N];
            float rew[N];
            uint8_t done[N];
            for (size_t i = 0; i < N; i++)
                act[i] = t_action(&r);
            ck_assert_int_eq(catch_step(b, act, rew, done), CATCH_OK);
            for (size_t i = 0; i < N; i++) {
                catch_state s = get(b, i);
                if (t < CATCH_FRAMES_PER_GAME) {
                    ck_assert_int_eq(done[i], 0);
                    ck_assert_int_eq(s.ball_y, t);
                    int x = prev[i].ball_x, vx = prev[i].ball_vx;
                    ref_move(&x, &vx);
                    ck_assert_int_eq(s.ball_x, x);
                    ck_assert_int_eq(s.ball_vx, vx);
                    prev[i] = s;
                } else {
                    ck_assert_int_eq(done[i], 1);
                    ck_assert_int_eq(s.ball_y, 0); /* restarted */
                    catch_state e;
                    ck_assert_int_eq(catch_last_end(b, i, &e, NULL), CATCH_OK);
                    ck_assert_int_eq(e.ball_y, 23);
                    int x = prev[i].ball_x, vx = prev[i].ball_vx;
                    ref_move(&x, &vx);
                    ck_assert_int_eq(e.ball_x, x);
                }
            }
        }
    }
    catch_free(b);
}
END_TEST

/* Run one game slot from an exact state with "stay" and record x, vx. */
static void trajectory(int x0, int vx0, int steps, int *xs, int *vxs)
{
    catch_batch *b = catch_create(1, 3);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(catch_set_state(b, 0, x0, 0, vx0, 11), CATCH_OK);
    for (int k = 0; k < steps; k++) {
        int a = CATCH_STAY;
        ck_assert_int_eq(catch_step(b, &a, NULL, NULL), CATCH_OK);
        catch_state s = get(b, 0);
        xs[k] = s.ball_x;
        vxs[k] = s.ball_vx;
        ck_assert_int_eq(s.ball_y, k + 1);
        check_screen(b, 0);
    }
    catch_free(b);
}

START_TEST(test_bounce_left_wall)
{
    int xs[4], vxs[4];
    /* x = 4/3 px moving left 1 px/frame: 1, then -2 reflects to 2. */
    trajectory(4, -3, 4, xs, vxs);
    const int ex[4] = {1, 2, 5, 8}, ev[4] = {-3, 3, 3, 3};
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(xs[k], ex[k]);
        ck_assert_int_eq(vxs[k], ev[k]);
    }
    ck_assert_int_eq(catch_ball_column(1), 0);
    ck_assert_int_eq(catch_ball_column(2), 1);
    /* Landing exactly on the wall does not flip vx; the next move does. */
    trajectory(3, -3, 3, xs, vxs);
    const int fx[3] = {0, 3, 6}, fv[3] = {-3, 3, 3};
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(xs[k], fx[k]);
        ck_assert_int_eq(vxs[k], fv[k]);
    }
    /* A slow ball: 2 -> 1 -> 0 -> 1 (reflected) -> 2. */
    trajectory(2, -1, 4, xs, vxs);
    const int gx[4] = {1, 0, 1, 2}, gv[4] = {-1, -1, 1, 1};
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(xs[k], gx[k]);
        ck_assert_int_eq(vxs[k], gv[k]);
    }
    /* vx = -2 from x = 1: -1 reflects to 1. */
    trajectory(1, -2, 1, xs, vxs);
    ck_assert_int_eq(xs[0], 1);
    ck_assert_int_eq(vxs[0], 2);
}
END_TEST

START_TEST(test_bounce_right_wall)
{
    int xs[4], vxs[4];
    /* 65 -> 68 -> 71 reflects about 69 to 67 -> 64 -> 61. */
    trajectory(65, 3, 4, xs, vxs);
    const int ex[4] = {68, 67, 64, 61}, ev[4] = {3, -3, -3, -3};
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(xs[k], ex[k]);
        ck_assert_int_eq(vxs[k], ev[k]);
    }
    ck_assert_int_eq(catch_ball_column(68), 23);
    ck_assert_int_eq(catch_ball_column(67), 22);
    /* Touching the wall exactly. */
    trajectory(66, 3, 3, xs, vxs);
    const int fx[3] = {69, 66, 63}, fv[3] = {3, -3, -3};
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(xs[k], fx[k]);
        ck_assert_int_eq(vxs[k], fv[k]);
    }
    /* vx = 2 from 68: 70 reflects to 68. */
    trajectory(68, 2, 2, xs, vxs);
    ck_assert_int_eq(xs[0], 68);
    ck_assert_int_eq(vxs[0], -2);
    ck_assert_int_eq(xs[1], 66);
    ck_assert_int_eq(vxs[1], -2);
}
END_TEST

START_TEST(test_vx_flips_only_on_bounce)
{
    /* Across a whole game, vx changes sign exactly when x would leave
     * [0, 69], and keeps its magnitude. */
    for (int vx0 = -3; vx0 <= 3; vx0++) {
        if (vx0 == 0)
            continue;
        for (int x0 = 0; x0 <= 69; x0 += 5) {
            int xs[22], vxs[22];
            trajectory(x0, vx0, 22, xs, vxs);
            int x = x0, vx = vx0, flips = 0;
            for (int k = 0; k < 22; k++) {
                int raw = x + vx;
                int flip = raw < 0 || raw > 69;
                ck_assert_int_eq(vxs[k], flip ? -vx : vx);
                ck_assert_int_eq(abs(vxs[k]), abs(vx0));
                ck_assert_int_ge(xs[k], 0);
                ck_assert_int_le(xs[k], 69);
                flips += flip;
                x = xs[k];
                vx = vxs[k];
            }
            int end = x0 + 22 * vx0; /* where it would be without walls */
            if (end < 0 || end > 69)
                ck_assert_int_ge(flips, 1);
            else
                ck_assert_int_eq(flips, 0);
        }
    }
}
END_TEST

START_TEST(test_mirror_symmetry)
{
    /* The rules are symmetric: mirroring x -> 69 - x, vx -> -vx,
     * p -> 22 - p and left <-> right mirrors the whole game. */
    enum { N = 24 * 6 * 2 };
    catch_batch *a = catch_create(N, 1), *m = catch_create(N, 2);
    ck_assert(a && m);
    static const int vxt[6] = {-3, -2, -1, 1, 2, 3};
    size_t i = 0;
    for (int c = 0; c < 24; c++)
        for (int v = 0; v < 6; v++)
            for (int p = 0; p < 2; p++, i++) {
                int pp = p ? 3 + c % 17 : 21 - c % 20;
                ck_assert_int_eq(
                    catch_set_state(a, i, 3 * c, 0, vxt[v], pp), CATCH_OK);
                ck_assert_int_eq(
                    catch_set_state(m, i, 69 - 3 * c, 0, -vxt[v], 22 - pp),
                    CATCH_OK);
            }
    uint64_t r = 5;
    for (int t = 1; t <= 23; t++) {
        int aa[N], am[N];
        float ra[N], rm[N];
        for (size_t k = 0; k < N; k++) {
            aa[k] = t_action(&r);
            am[k] = 2 - aa[k];
        }
        ck_assert_int_eq(catch_step(a, aa, ra, NULL), CATCH_OK);
        ck_assert_int_eq(catch_step(m, am, rm, NULL), CATCH_OK);
        for (size_t k = 0; k < N; k++) {
            catch_state sa, sm;
            if (t < 23) {
                sa = get(a, k);
                sm = get(m, k);
            } else {
                ck_assert_int_eq(catch_last_end(a, k, &sa, NULL), CATCH_OK);
                ck_assert_int_eq(catch_last_end(m, k, &sm, NULL), CATCH_OK);
            }
            ck_assert_int_eq(sm.ball_x, 69 - sa.ball_x);
            ck_assert_int_eq(catch_ball_column(sm.ball_x),
                             23 - catch_ball_column(sa.ball_x));
            ck_assert_int_eq(sm.ball_vx, -sa.ball_vx);
            ck_assert_int_eq(sm.paddle, 22 - sa.paddle);
            ck_assert(ra[k] == rm[k]);
        }
    }
    catch_free(a);
    catch_free(m);
}
END_TEST

START_TEST(test_paddle_clamped)
{
    catch_batch *b = catch_create(6, 1);
    ck_assert_ptr_nonnull(b);
    const int p0[6] = {0, 22, 0, 22, 5, 5};
    const int act[6] = {CATCH_LEFT, CATCH_RIGHT, CATCH_RIGHT,
                        CATCH_LEFT, CATCH_STAY,  CATCH_LEFT};
    const int p1[6] = {0, 22, 1, 21, 5, 4};
    for (size_t i = 0; i < 6; i++)
        ck_assert_int_eq(catch_set_state(b, i, 30, 3, 1, p0[i]), CATCH_OK);
    ck_assert_int_eq(catch_step(b, act, NULL, NULL), CATCH_OK);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq(get(b, i).paddle, p1[i]);
        check_screen(b, i);
    }
    /* Pushing into a wall for many frames keeps the paddle on screen. */
    ck_assert_int_eq(catch_set_state(b, 0, 30, 0, 1, 3), CATCH_OK);
    ck_assert_int_eq(catch_set_state(b, 1, 30, 0, 1, 19), CATCH_OK);
    for (int t = 0; t < 10; t++) {
        const int a2[6] = {0, 2, 1, 1, 1, 1};
        ck_assert_int_eq(catch_step(b, a2, NULL, NULL), CATCH_OK);
        ck_assert_int_eq(get(b, 0).paddle, t < 3 ? 2 - t : 0);
        ck_assert_int_eq(get(b, 1).paddle, t < 3 ? 20 + t : 22);
        check_screen(b, 0);
        check_screen(b, 1);
    }
    catch_free(b);
}
END_TEST

START_TEST(test_catch_detection)
{
    /* Paddle at 10 (columns 10 and 11); the ball makes its last move with
     * vx = +1 and lands at sub-pixel x_final. Column = (x + 1) / 3. */
    enum { N = 10 };
    const int x_final[N] = {30, 29, 31, 33, 34, 28, 27, 35, 36, 32};
    const int want[N] = {1, 1, 1, 1, 1, 0, 0, 0, 0, 1};
    /* cols:              10 10 11 11 11  9  9 12 12 11 */
    catch_batch *b = catch_create(N + 2, 11);
    ck_assert_ptr_nonnull(b);
    int act[N + 2];
    for (size_t i = 0; i < N; i++) {
        ck_assert_int_eq(catch_set_state(b, i, x_final[i] - 1, 22, 1, 10),
                         CATCH_OK);
        act[i] = CATCH_STAY;
    }
    /* The paddle moves before the check. Paddle 9 moving right to 10
     * catches column 11 (it would have missed staying); paddle 9 moving
     * right to 10 misses column 9 (it would have caught staying). */
    ck_assert_int_eq(catch_set_state(b, N, 33, 22, 1, 9), CATCH_OK);
    act[N] = CATCH_RIGHT; /* ball column (34+1)/3 = 11: caught */
    ck_assert_int_eq(catch_set_state(b, N + 1, 27, 22, 1, 9), CATCH_OK);
    act[N + 1] = CATCH_RIGHT; /* ball column (28+1)/3 = 9: missed */
    float rew[N + 2];
    uint8_t done[N + 2];
    ck_assert_int_eq(catch_step(b, act, rew, done), CATCH_OK);
    for (size_t i = 0; i < N + 2; i++) {
        int w = i < N ? want[i] : (i == N ? 1 : 0);
        ck_assert_msg(rew[i] == (float)w, "game %zu reward %g", i,
                      (double)rew[i]);
        ck_assert_int_eq(done[i], 1);
        catch_state e;
        float er = -1;
        ck_assert_int_eq(catch_last_end(b, i, &e, &er), CATCH_OK);
        ck_assert(er == rew[i]);
        ck_assert_int_eq(e.ball_y, 23);
        if (i < N) {
            ck_assert_int_eq(e.ball_x, x_final[i]);
            ck_assert_int_eq(e.paddle, 10);
        }
        /* The final picture: 2 pixels if caught (ball on the paddle), 3 if
         * missed. */
        uint8_t scr[CATCH_PIXELS];
        ck_assert_int_eq(catch_draw_state(&e, scr), CATCH_OK);
        ck_assert_int_eq(count_set(scr), w ? 2 : 3);
        ck_assert_int_eq(scr[23 * 24 + catch_ball_column(e.ball_x)], 255);
        /* The slot restarted: a new game on screen. */
        ck_assert_int_eq(get(b, i).ball_y, 0);
        check_screen(b, i);
    }
    catch_free(b);
}
END_TEST

START_TEST(test_reward_only_on_last_frame)
{
    enum { N = 32 };
    catch_batch *b = catch_create(N, 21);
    ck_assert_ptr_nonnull(b);
    uint64_t r = 4;
    double total = 0;
    for (int t = 1; t <= 10 * CATCH_FRAMES_PER_GAME; t++) {
        int act[N];
        float rew[N];
        uint8_t done[N];
        for (size_t i = 0; i < N; i++) {
            catch_state s = get(b, i);
            /* Half the slots play perfectly, half at random. */
            act[i] = i % 2 ? tracker_action(&s) : t_action(&r);
            rew[i] = -1.0f;
            done[i] = 9;
        }
        ck_assert_int_eq(catch_step(b, act, rew, done), CATCH_OK);
        int last = t % CATCH_FRAMES_PER_GAME == 0;
        for (size_t i = 0; i < N; i++) {
            ck_assert_int_eq(done[i], last);
            if (!last)
                ck_assert(rew[i] == 0.0f);
            else if (i % 2)
                ck_assert(rew[i] == 1.0f); /* the tracker always catches */
            else
                ck_assert(rew[i] == 0.0f || rew[i] == 1.0f);
            total += rew[i];
        }
    }
    ck_assert(total >= 10 * N / 2);
    catch_free(b);
}
END_TEST

START_TEST(test_screen_contents)
{
    enum { N = 16 };
    catch_batch *b = catch_create(N, 8);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < N; i++)
        check_screen(b, i);
    uint64_t r = 17;
    for (int t = 0; t < 200; t++) {
        int act[N];
        for (size_t i = 0; i < N; i++)
            act[i] = t_action(&r);
        ck_assert_int_eq(catch_step(b, act, NULL, NULL), CATCH_OK);
        for (size_t i = 0; i < N; i++)
            check_screen(b, i);
    }
    ck_assert_int_eq(catch_reset(b), CATCH_OK);
    for (size_t i = 0; i < N; i++) {
        check_screen(b, i);
        ck_assert_int_eq(get(b, i).ball_y, 0);
    }
    /* set_state redraws the screen. */
    ck_assert_int_eq(catch_set_state(b, 3, 69, 22, -2, 22), CATCH_OK);
    check_screen(b, 3);
    ck_assert_int_eq(catch_screen(b, 3)[22 * 24 + 23], 255);
    ck_assert_int_eq(catch_screen(b, 3)[23 * 24 + 22], 255);
    ck_assert_int_eq(catch_screen(b, 3)[23 * 24 + 23], 255);
    catch_free(b);
}
END_TEST

START_TEST(test_seed_determinism)
{
    enum { N = 8 };
    catch_batch *a = catch_create(N, 42), *b = catch_create(N, 42),
                *c = catch_create(N, 43);
    ck_assert(a && b && c);
    int differ = 0;
    uint64_t r = 1;
    for (int t = 0; t < 100; t++) {
        ck_assert_mem_eq(catch_screens(a), catch_screens(b), N * CATCH_PIXELS);
        for (size_t i = 0; i < N; i++) {
            catch_state sa = get(a, i), sb = get(b, i), sc = get(c, i);
            ck_assert(memcmp(&sa, &sb, sizeof sa) == 0);
            differ += memcmp(&sa, &sc, sizeof sa) != 0;
        }
        int act[N];
        float ra[N], rb[N], rc[N];
        for (size_t i = 0; i < N; i++)
            act[i] = t_action(&r);
        ck_assert_int_eq(catch_step(a, act, ra, NULL), CATCH_OK);
        ck_assert_int_eq(catch_step(b, act, rb, NULL), CATCH_OK);
        ck_assert_int_eq(catch_step(c, act, rc, NULL), CATCH_OK);
        ck_assert_mem_eq(ra, rb, sizeof ra);
    }
    ck_assert_int_gt(differ, 0);
    /* The very first games already differ. */
    catch_batch *d = catch_create(N, 43), *e = catch_create(N, 42);
    ck_assert(d && e);
    ck_assert(memcmp(catch_screens(d), catch_screens(e), N * CATCH_PIXELS) !=
              0);
    /* reset draws new games, not the same ones again. */
    ck_assert_int_eq(catch_reset(e), CATCH_OK);
    catch_batch *f = catch_create(N, 42);
    ck_assert(memcmp(catch_screens(e), catch_screens(f), N * CATCH_PIXELS) !=
              0);
    catch_free(a);
    catch_free(b);
    catch_free(c);
    catch_free(d);
    catch_free(e);
    catch_free(f);
}
END_TEST

START_TEST(test_new_game_distribution)
{
    enum { N = 4096, ROUNDS = 4 };
    catch_batch *b = catch_create(N, 1234);
    ck_assert_ptr_nonnull(b);
    int cols[24] = {0}, vxs[7] = {0}, pads[23] = {0};
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = 0; i < N; i++) {
            catch_state s = get(b, i);
            ck_assert_int_eq(s.ball_y, 0);
            ck_assert_int_eq(s.ball_x % 3, 0);
            ck_assert(s.ball_vx >= -3 && s.ball_vx <= 3 && s.ball_vx != 0);
            ck_assert(s.paddle >= 0 && s.paddle <= 22);
            cols[s.ball_x / 3]++;
            vxs[s.ball_vx + 3]++;
            pads[s.paddle]++;
        }
        ck_assert_int_eq(catch_reset(b), CATCH_OK);
    }
    const double total = (double)N * ROUNDS;
    for (int k = 0; k < 24; k++) /* expected 683, sd 26 */
        ck_assert_msg(cols[k] > total / 24 * 0.85 && cols[k] < total / 24 * 1.15,
                      "column %d count %d", k, cols[k]);
    for (int k = 0; k < 7; k++) /* expected 2731, sd 48 */
        if (k != 3)
            ck_assert_msg(vxs[k] > total / 6 * 0.9 && vxs[k] < total / 6 * 1.1,
                          "vx %d count %d", k - 3, vxs[k]);
    for (int k = 0; k < 23; k++) /* expected 712, sd 26 */
        ck_assert_msg(pads[k] > total / 23 * 0.85 && pads[k] < total / 23 * 1.15,
                      "paddle %d count %d", k, pads[k]);
    catch_free(b);
}
END_TEST

START_TEST(test_invalid_actions_change_nothing)
{
    enum { N = 4 };
    catch_batch *b = catch_create(N, 5);
    ck_assert_ptr_nonnull(b);
    int a0[N] = {1, 1, 1, 1};
    ck_assert_int_eq(catch_step(b, a0, NULL, NULL), CATCH_OK);
    uint8_t scr[N * CATCH_PIXELS];
    catch_state st[N];
    memcpy(scr, catch_screens(b), sizeof scr);
    for (size_t i = 0; i < N; i++)
        st[i] = get(b, i);
    const int bad[4][N] = {
        {1, 3, 1, 1}, {-1, 0, 2, 1}, {0, 2, 1, 100}, {2, 2, 2, -2147483647 - 1}};
    for (int k = 0; k < 4; k++) {
        float rew[N] = {7, 7, 7, 7};
        uint8_t done[N] = {7, 7, 7, 7};
        ck_assert_int_eq(catch_step(b, bad[k], rew, done), CATCH_E_RANGE);
        for (size_t i = 0; i < N; i++) {
            ck_assert(rew[i] == 7.0f);
            ck_assert_int_eq(done[i], 7);
            catch_state s = get(b, i);
            ck_assert(memcmp(&s, &st[i], sizeof s) == 0);
        }
        ck_assert_mem_eq(scr, catch_screens(b), sizeof scr);
    }
    float rew[N] = {7, 7, 7, 7};
    ck_assert_int_eq(catch_step(b, NULL, rew, NULL), CATCH_E_INVALID);
    ck_assert(rew[0] == 7.0f);
    ck_assert_mem_eq(scr, catch_screens(b), sizeof scr);
    /* A valid step still works afterwards. */
    ck_assert_int_eq(catch_step(b, a0, rew, NULL), CATCH_OK);
    ck_assert_int_eq(get(b, 0).ball_y, st[0].ball_y + 1);
    catch_free(b);
}
END_TEST

START_TEST(test_set_state_validation)
{
    catch_batch *b = catch_create(2, 5);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(catch_set_state(b, 0, 30, 5, 2, 7), CATCH_OK);
    catch_state s0 = get(b, 0);
    uint8_t scr[2 * CATCH_PIXELS];
    memcpy(scr, catch_screens(b), sizeof scr);
    const int bad[][4] = {{-1, 5, 2, 7}, {70, 5, 2, 7},  {30, -1, 2, 7},
                          {30, 23, 2, 7}, {30, 5, -4, 7}, {30, 5, 4, 7},
                          {30, 5, 2, -1}, {30, 5, 2, 23}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_int_eq(catch_set_state(b, 0, bad[k][0], bad[k][1],
                                         bad[k][2], bad[k][3]),
                         CATCH_E_RANGE);
        catch_state s = get(b, 0);
        ck_assert(memcmp(&s, &s0, sizeof s) == 0);
        ck_assert_mem_eq(scr, catch_screens(b), sizeof scr);
    }
    ck_assert_int_eq(catch_set_state(b, 2, 30, 5, 2, 7), CATCH_E_RANGE);
    ck_assert_int_eq(catch_set_state(b, SIZE_MAX, 30, 5, 2, 7),
                     CATCH_E_RANGE);
    /* The extremes are accepted. */
    ck_assert_int_eq(catch_set_state(b, 1, 0, 0, -3, 0), CATCH_OK);
    ck_assert_int_eq(catch_set_state(b, 1, 69, 22, 3, 22), CATCH_OK);
    ck_assert_int_eq(catch_set_state(b, 1, 35, 10, 0, 11), CATCH_OK);
    catch_state s = get(b, 1);
    ck_assert_int_eq(s.ball_x, 35);
    ck_assert_int_eq(s.ball_y, 10);
    ck_assert_int_eq(s.ball_vx, 0);
    ck_assert_int_eq(s.paddle, 11);
    check_screen(b, 1);
    /* draw_state validation. */
    uint8_t one[CATCH_PIXELS];
    catch_state bad_s = {30, 24, 1, 5};
    ck_assert_int_eq(catch_draw_state(&bad_s, one), CATCH_E_RANGE);
    ck_assert_int_eq(catch_draw_state(&s, NULL), CATCH_E_INVALID);
    ck_assert_int_eq(catch_ball_column(-1), -1);
    ck_assert_int_eq(catch_ball_column(70), -1);
    catch_free(b);
}
END_TEST

START_TEST(test_last_end)
{
    catch_batch *b = catch_create(2, 9);
    ck_assert_ptr_nonnull(b);
    catch_state e;
    ck_assert_int_eq(catch_last_end(b, 0, &e, NULL), CATCH_E_RANGE);
    ck_assert_int_eq(catch_set_state(b, 0, 30, 21, 3, 12), CATCH_OK);
    int a[2] = {1, 1};
    ck_assert_int_eq(catch_step(b, a, NULL, NULL), CATCH_OK);
    ck_assert_int_eq(catch_last_end(b, 0, &e, NULL), CATCH_E_RANGE);
    float r = -1;
    ck_assert_int_eq(catch_step(b, a, NULL, NULL), CATCH_OK);
    ck_assert_int_eq(catch_last_end(b, 0, &e, &r), CATCH_OK);
    ck_assert_int_eq(e.ball_x, 36);
    ck_assert_int_eq(e.ball_y, 23);
    ck_assert_int_eq(e.ball_vx, 3);
    ck_assert_int_eq(e.paddle, 12);
    ck_assert(r == 1.0f);
    ck_assert_int_eq(catch_last_end(b, 1, &e, NULL), CATCH_E_RANGE);
    ck_assert_int_eq(catch_last_end(b, 2, &e, NULL), CATCH_E_RANGE);
    ck_assert_int_eq(catch_last_end(b, 0, NULL, NULL), CATCH_E_INVALID);
    ck_assert_int_eq(catch_reset(b), CATCH_OK);
    ck_assert_int_eq(catch_last_end(b, 0, &e, NULL), CATCH_E_RANGE);
    catch_free(b);
}
END_TEST

START_TEST(test_tracker_always_catches_exhaustive)
{
    /* Every possible start (24 columns x 6 speeds x 23 paddle positions)
     * is caught by the perfect tracker: the game is always winnable at
     * paddle speed 1 px/frame with |vx| <= 1 px/frame. */
    enum { N = 24 * 6 * 23 };
    static const int vxt[6] = {-3, -2, -1, 1, 2, 3};
    catch_batch *b = catch_create(N, 77);
    ck_assert_ptr_nonnull(b);
    size_t i = 0;
    for (int c = 0; c < 24; c++)
        for (int v = 0; v < 6; v++)
            for (int p = 0; p < 23; p++)
                ck_assert_int_eq(catch_set_state(b, i++, 3 * c, 0, vxt[v], p),
                                 CATCH_OK);
    int *act = malloc(N * sizeof *act);
    float *rew = malloc(N * sizeof *rew);
    uint8_t *done = malloc(N);
    ck_assert(act && rew && done);
    for (int t = 1; t <= 23; t++) {
        for (size_t k = 0; k < N; k++) {
            catch_state s = get(b, k);
            act[k] = tracker_action(&s);
        }
        ck_assert_int_eq(catch_step(b, act, rew, done), CATCH_OK);
    }
    int caught = 0;
    for (size_t k = 0; k < N; k++) {
        ck_assert_int_eq(done[k], 1);
        caught += rew[k] == 1.0f;
    }
    ck_assert_int_eq(caught, N);
    free(act);
    free(rew);
    free(done);
    catch_free(b);
}
END_TEST

START_TEST(test_catch_rates)
{
    double track = catch_rate(64, 40, 1, 2024);
    double rnd = catch_rate(64, 40, 0, 2024);
    double naive = catch_rate(64, 40, 2, 2024);
    double screen = catch_rate(64, 40, 3, 2024);
    ck_assert_msg(track > 0.9, "tracker catch rate %f", track);
    /* Winnable from the screens alone with one frame of memory (~0.93). */
    ck_assert_msg(screen > 0.88, "screen-only tracker rate %f", screen);
    /* 2560 random games: expected ~0.085 (about 2/24), sd ~0.006. */
    ck_assert_msg(rnd > 2.0 / 24 * 0.6 && rnd < 0.3, "random rate %f", rnd);
    /* Tracking the current column lags a frame: clearly worse than the
     * perfect tracker, clearly better than random. */
    ck_assert_msg(naive > rnd + 0.1 && naive < track - 0.1,
                  "naive tracker rate %f", naive);
}
END_TEST

START_TEST(test_render_ascii)
{
    catch_batch *b = catch_create(2, 3);
    ck_assert_ptr_nonnull(b);
    /* Ball at column 2 (x = 6), row 3; paddle at 10, 11. */
    ck_assert_int_eq(catch_set_state(b, 1, 6, 3, 1, 10), CATCH_OK);
    const catch_box boxes[3] = {
        {2, 1, 7, 6, '1'},   /* inner: fully on screen */
        {7, 9, -1, -2, '2'}, /* outer: corners given swapped; left and top
                                edges off screen */
        {20, 20, 30, 30, 0}, /* default char '3'; right/bottom clipped */
    };
    char buf[CATCH_ASCII_BUFLEN];
    int n = catch_render_ascii(b, 1, boxes, 3, buf, sizeof buf);
    ck_assert_int_eq(n, 600);
    ck_assert_int_eq((int)strlen(buf), 600);
    char want[24][25];
    for (int y = 0; y < 24; y++) {
        memset(want[y], '.', 24);
        want[y][24] = '\0';
    }
    for (int y = 0; y <= 9; y++)
        want[y][7] = '2';
    for (int x = 0; x <= 7; x++)
        want[9][x] = '2';
    for (int x = 2; x <= 7; x++)
        want[1][x] = want[6][x] = '1';
    for (int y = 1; y <= 6; y++)
        want[y][2] = want[y][7] = '1';
    for (int k = 20; k <= 23; k++)
        want[20][k] = want[k][20] = '3';
    want[3][2] = 'o';
    want[23][10] = want[23][11] = '=';
    for (int y = 0; y < 24; y++) {
        ck_assert_msg(memcmp(buf + 25 * y, want[y], 24) == 0,
                      "row %d: got %.24s want %s", y, buf + 25 * y, want[y]);
        ck_assert_int_eq(buf[25 * y + 24], '\n');
    }
    /* No boxes. */
    n = catch_render_ascii(b, 1, NULL, 0, buf, sizeof buf);
    ck_assert_int_eq(n, 600);
    int dots = 0;
    for (int k = 0; k < 600; k++)
        dots += buf[k] == '.';
    ck_assert_int_eq(dots, 576 - 3);
    ck_assert_int_eq(buf[25 * 3 + 2], 'o');
    /* Errors. */
    ck_assert_int_eq(catch_render_ascii(b, 1, NULL, 0, buf, 600),
                     -CATCH_E_BUFFER);
    ck_assert_int_eq(buf[0], '\0');
    ck_assert_int_eq(catch_render_ascii(b, 2, NULL, 0, buf, sizeof buf),
                     -CATCH_E_RANGE);
    /* A final state: the caught ball sits on the paddle. */
    catch_state fin = {31, 23, 1, 10};
    n = catch_render_state_ascii(&fin, NULL, 0, buf, sizeof buf);
    ck_assert_int_eq(n, 600);
    ck_assert(memcmp(buf + 25 * 23, "..........o=............", 24) == 0);
    catch_state bad = {31, 24, 1, 10};
    ck_assert_int_eq(catch_render_state_ascii(&bad, NULL, 0, buf, sizeof buf),
                     -CATCH_E_RANGE);
    catch_free(b);
}
END_TEST

Suite *suite_catch_game(void)
{
    Suite *s = suite_create("catch_game");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_create_invalid);
    tcase_add_test(tc, test_fall_one_row_per_frame);
    tcase_add_test(tc, test_bounce_left_wall);
    tcase_add_test(tc, test_bounce_right_wall);
    tcase_add_test(tc, test_vx_flips_only_on_bounce);
    tcase_add_test(tc, test_mirror_symmetry);
    tcase_add_test(tc, test_paddle_clamped);
    tcase_add_test(tc, test_catch_detection);
    tcase_add_test(tc, test_reward_only_on_last_frame);
    tcase_add_test(tc, test_screen_contents);
    tcase_add_test(tc, test_seed_determinism);
    tcase_add_test(tc, test_new_game_distribution);
    tcase_add_test(tc, test_invalid_actions_change_nothing);
    tcase_add_test(tc, test_set_state_validation);
    tcase_add_test(tc, test_last_end);
    tcase_add_test(tc, test_render_ascii);
    suite_add_tcase(s, tc);

    TCase *tp = tcase_create("play");
    tcase_set_timeout(tp, 120);
    tcase_add_test(tp, test_tracker_always_catches_exhaustive);
    tcase_add_test(tp, test_catch_rates);
    suite_add_tcase(s, tp);
    return s;
}
