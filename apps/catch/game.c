/* The game of Catch: see game.h and README.md ("Rules"). */
#include "game.h"

#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* Upper bound on n_games: keeps every size computation far from overflow. */
#define CATCH_MAX_GAMES ((size_t)1 << 24)

/* The horizontal speeds a new ball draws from, uniformly (sub-pixels per
 * frame). */
static const int catch_vx_table[6] = {-3, -2, -1, 1, 2, 3};

struct catch_batch {
    size_t n;
    example_rng rng;       /* the games' generator, private to this batch */
    catch_state *state;    /* n current states */
    catch_state *last;     /* n final states of the last ended games */
    float *last_reward;    /* n rewards of those games */
    uint8_t *has_last;     /* n flags: last[i] valid */
    uint8_t *screens;      /* n * CATCH_PIXELS */
};

/* ---- game logic ---- */

static int state_valid(const catch_state *s, int max_y)
{
    return s->ball_x >= 0 && s->ball_x <= CATCH_BALL_X_MAX && s->ball_y >= 0 &&
           s->ball_y <= max_y && s->ball_vx >= -CATCH_VX_MAX &&
           s->ball_vx <= CATCH_VX_MAX && s->paddle >= 0 &&
           s->paddle <= CATCH_PADDLE_MAX;
}

int catch_ball_column(int ball_x)
{
    if (ball_x < 0 || ball_x > CATCH_BALL_X_MAX)
        return -1;
    return (ball_x + CATCH_SUBPIXELS / 2) / CATCH_SUBPIXELS;
}

/* Draw a valid state (unchecked). */
static void draw(const catch_state *s, uint8_t *screen)
{
    memset(screen, 0, CATCH_PIXELS);
    uint8_t *bottom = screen + (CATCH_SIZE - 1) * CATCH_SIZE;
    bottom[s->paddle] = 255;
    bottom[s->paddle + 1] = 255;
    screen[s->ball_y * CATCH_SIZE + catch_ball_column(s->ball_x)] = 255;
}

/* A new game: ball column, then speed, then paddle, in this order. */
static void new_game(catch_batch *b, size_t i)
{
    catch_state *s = &b->state[i];
    s->ball_x =
        (int)example_rng_below_mod(&b->rng, CATCH_SIZE) * CATCH_SUBPIXELS;
    s->ball_y = 0;
    s->ball_vx = catch_vx_table[example_rng_below_mod(&b->rng, 6)];
    s->paddle = (int)example_rng_below_mod(&b->rng, CATCH_PADDLE_MAX + 1);
    draw(s, b->screens + i * CATCH_PIXELS);
}

/* Move the ball one frame, reflecting about the walls at ball_x = 0 and
 * ball_x = CATCH_BALL_X_MAX. |vx| <= 3 < 69, so one reflection suffices. */
static void move_ball(catch_state *s)
{
    int x = s->ball_x + s->ball_vx;
    if (x < 0) {
        x = -x;
        s->ball_vx = -s->ball_vx;
    } else if (x > CATCH_BALL_X_MAX) {
        x = 2 * CATCH_BALL_X_MAX - x;
        s->ball_vx = -s->ball_vx;
    }
    s->ball_x = x;
    s->ball_y += 1;
}

catch_batch *catch_create(size_t n_games, uint64_t seed)
{
    if (n_games == 0 || n_games > CATCH_MAX_GAMES)
        return NULL;
    catch_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->n = n_games;
    b->state = calloc(n_games, sizeof *b->state);
    b->last = calloc(n_games, sizeof *b->last);
    b->last_reward = calloc(n_games, sizeof *b->last_reward);
    b->has_last = calloc(n_games, 1);
    b->screens = calloc(n_games, CATCH_PIXELS);
    if (!b->state || !b->last || !b->last_reward || !b->has_last ||
        !b->screens) {
        catch_free(b);
        return NULL;
    }
    example_rng_seed(&b->rng, seed);
    for (size_t i = 0; i < n_games; i++)
        new_game(b, i);
    return b;
}

void catch_free(catch_batch *b)
{
    if (!b)
        return;
    free(b->state);
    free(b->last);
    free(b->last_reward);
    free(b->has_last);
    free(b->screens);
    free(b);
}

size_t catch_n_games(const catch_batch *b)
{
    return b ? b->n : 0;
}

int catch_reset(catch_batch *b)
{
    if (!b)
        return CATCH_E_INVALID;
    for (size_t i = 0; i < b->n; i++) {
        new_game(b, i);
        b->has_last[i] = 0;
    }
    return CATCH_OK;
}

const uint8_t *catch_screens(const catch_batch *b)
{
    return b ? b->screens : NULL;
}

const uint8_t *catch_screen(const catch_batch *b, size_t game)
{
    if (!b || game >= b->n)
        return NULL;
    return b->screens + game * CATCH_PIXELS;
}

int catch_step(catch_batch *b, const int *actions, float *rewards,
               uint8_t *done)
{
    if (!b || !actions)
        return CATCH_E_INVALID;
    for (size_t i = 0; i < b->n; i++)
        if (actions[i] < 0 || actions[i] >= CATCH_ACTIONS)
            return CATCH_E_RANGE;

    for (size_t i = 0; i < b->n; i++) {
        catch_state *s = &b->state[i];
        int p = s->paddle + (actions[i] - 1);
        if (p < 0)
            p = 0;
        if (p > CATCH_PADDLE_MAX)
            p = CATCH_PADDLE_MAX;
        s->paddle = p;
        move_ball(s);

        float r = 0.0f;
        uint8_t d = 0;
        if (s->ball_y == CATCH_SIZE - 1) {
            int col = catch_ball_column(s->ball_x);
            r = (col == p || col == p + 1) ? 1.0f : 0.0f;
            d = 1;
            b->last[i] = *s;
            b->last_reward[i] = r;
            b->has_last[i] = 1;
            new_game(b, i);
        } else {
            draw(s, b->screens + i * CATCH_PIXELS);
        }
        if (rewards)
            rewards[i] = r;
        if (done)
            done[i] = d;
    }
    return CATCH_OK;
}

int catch_get_state(const catch_batch *b, size_t game, catch_state *out)
{
    if (!b || !out)
        return CATCH_E_INVALID;
    if (game >= b->n)
        return CATCH_E_RANGE;
    *out = b->state[game];
    return CATCH_OK;
}

int catch_set_state(catch_batch *b, size_t game, int ball_x, int ball_y,
                    int vx, int paddle)
{
    if (!b)
        return CATCH_E_INVALID;
    catch_state s = {ball_x, ball_y, vx, paddle};
    if (game >= b->n || !state_valid(&s, CATCH_SIZE - 2))
        return CATCH_E_RANGE;
    b->state[game] = s;
    draw(&s, b->screens + game * CATCH_PIXELS);
    return CATCH_OK;
}

int catch_last_end(const catch_batch *b, size_t game, catch_state *out,
                   float *reward)
{
    if (!b || !out)
        return CATCH_E_INVALID;
    if (game >= b->n || !b->has_last[game])
        return CATCH_E_RANGE;
    *out = b->last[game];
    if (reward)
        *reward = b->last_reward[game];
    return CATCH_OK;
}

int catch_draw_state(const catch_state *s, uint8_t *screen)
{
    if (!s || !screen)
        return CATCH_E_INVALID;
    if (!state_valid(s, CATCH_SIZE - 1))
        return CATCH_E_RANGE;
    draw(s, screen);
    return CATCH_OK;
}

static int imax(int a, int b) { return a > b ? a : b; }
static int imin(int a, int b) { return a < b ? a : b; }

/* Draw the on-screen part of a box's outline into a 24x24 char grid. */
static void draw_box(char grid[CATCH_SIZE][CATCH_SIZE], const catch_box *bx,
                     char ch)
{
    int x0 = imin(bx->x0, bx->x1), x1 = imax(bx->x0, bx->x1);
    int y0 = imin(bx->y0, bx->y1), y1 = imax(bx->y0, bx->y1);
    int cx0 = imax(x0, 0), cx1 = imin(x1, CATCH_SIZE - 1);
    int cy0 = imax(y0, 0), cy1 = imin(y1, CATCH_SIZE - 1);
    if (cx0 > cx1 || cy0 > cy1)
        return; /* entirely off screen */
    for (int x = cx0; x <= cx1; x++) {
        if (y0 >= 0) /* top edge on screen (y0 <= 23 since cy0 <= cy1) */
            grid[y0][x] = ch;
        if (y1 <= CATCH_SIZE - 1)
            grid[y1][x] = ch;
    }
    for (int y = cy0; y <= cy1; y++) {
        if (x0 >= 0)
            grid[y][x0] = ch;
        if (x1 <= CATCH_SIZE - 1)
            grid[y][x1] = ch;
    }
}

int catch_render_state_ascii(const catch_state *s, const catch_box *boxes,
                             size_t n_boxes, char *buf, size_t buflen)
{
    if (!s || !buf || (n_boxes > 0 && !boxes))
        return -CATCH_E_INVALID;
    if (!state_valid(s, CATCH_SIZE - 1))
        return -CATCH_E_RANGE;
    if (buflen < CATCH_ASCII_BUFLEN) {
        if (buflen >= 1)
            buf[0] = '\0';
        return -CATCH_E_BUFFER;
    }
    char grid[CATCH_SIZE][CATCH_SIZE];
    memset(grid, '.', sizeof grid);
    /* Last box first, so that earlier boxes overwrite later ones. */
    for (size_t k = n_boxes; k-- > 0;) {
        char ch = boxes[k].ch ? boxes[k].ch : (char)('1' + (int)(k % 9));
        draw_box(grid, &boxes[k], ch);
    }
    grid[CATCH_SIZE - 1][s->paddle] = '=';
    grid[CATCH_SIZE - 1][s->paddle + 1] = '=';
    grid[s->ball_y][catch_ball_column(s->ball_x)] = 'o';
    size_t k = 0;
    for (int y = 0; y < CATCH_SIZE; y++) {
        memcpy(buf + k, grid[y], CATCH_SIZE);
        k += CATCH_SIZE;
        buf[k++] = '\n';
    }
    buf[k] = '\0';
    return (int)k;
}

int catch_render_ascii(const catch_batch *b, size_t game,
                       const catch_box *boxes, size_t n_boxes, char *buf,
                       size_t buflen)
{
    if (!b || !buf)
        return -CATCH_E_INVALID;
    if (game >= b->n)
        return -CATCH_E_RANGE;
    return catch_render_state_ascii(&b->state[game], boxes, n_boxes, buf,
                                    buflen);
}
