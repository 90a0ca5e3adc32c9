/* The game of Catch (Mnih et al. 2014, section 4.2), a batch of independent
 * games stepping in lock-step. The exact rules are in README.md, "Rules".
 *
 * Summary: 24x24 binary screen, row 0 at the top. A one-pixel ball falls
 * one row per frame from row 0 to row 23, moving sideways at a constant
 * speed and bouncing off the side walls; a two-pixel paddle on row 23 moves
 * one column per frame (left, stay, right). A game is exactly 23 frames; the
 * 23rd frame gives reward 1 if the paddle is under the ball, else 0, and the
 * slot restarts with a new game at once.
 *
 * Fixed point: the ball's horizontal position and speed are integers in
 * thirds of a pixel ("sub-pixels"). ball_x in 0..69 is x = ball_x / 3
 * pixels; its column is (ball_x + 1) / 3 (integer division), i.e. x rounded
 * to the nearest integer (never a tie). ball_vx is one of -3,-2,-1,1,2,3
 * (-1 .. +1 pixel per frame).
 *
 * No global state: every batch owns its own random number generator, so
 * batches may be used from different threads. One batch must not be used by
 * two threads at once. Functions that return int return CATCH_OK or an
 * error code; on error they changed nothing. Nothing asserts on input and
 * nothing crashes on NULL. */
#ifndef RAM_EXAMPLE_CATCH_GAME_H
#define RAM_EXAMPLE_CATCH_GAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CATCH_SIZE 24             /* screen width and height, pixels */
#define CATCH_PIXELS 576          /* CATCH_SIZE * CATCH_SIZE: one screen's bytes */
#define CATCH_FRAMES_PER_GAME 23  /* agent decisions per game */
#define CATCH_ACTIONS 3           /* 0 left, 1 stay, 2 right */

#define CATCH_SUBPIXELS 3         /* ball_x / ball_vx units per pixel */
#define CATCH_BALL_X_MAX 69       /* (CATCH_SIZE - 1) * CATCH_SUBPIXELS */
#define CATCH_VX_MAX 3            /* |ball_vx| <= 3 sub-pixels = 1 pixel */
#define CATCH_PADDLE_MAX 22       /* paddle covers columns p and p + 1 */

/* Bytes catch_render_ascii needs: 24 lines of 24 characters and '\n',
 * then the terminating NUL. */
#define CATCH_ASCII_BUFLEN (CATCH_SIZE * (CATCH_SIZE + 1) + 1)

/* Actions. */
enum { CATCH_LEFT = 0, CATCH_STAY = 1, CATCH_RIGHT = 2 };

/* Status codes. The values equal the matching ram_status codes of libram
 * (include/ram/status.h), so ram_strerror() describes them too. */
enum {
    CATCH_OK = 0,
    CATCH_E_INVALID = 1, /* a required pointer is NULL */
    CATCH_E_RANGE = 2,   /* game index, action or state value out of range */
    CATCH_E_NOMEM = 3,   /* allocation failed */
    CATCH_E_BUFFER = 11  /* output buffer too small */
};

typedef struct catch_batch catch_batch;

/* The complete state of one game. */
typedef struct catch_state {
    int ball_x;  /* sub-pixels, 0 .. CATCH_BALL_X_MAX; column (ball_x+1)/3 */
    int ball_y;  /* row, 0 .. 22 while a game runs (23 only in the final
                    state returned by catch_last_end); also the number of
                    frames already played in this game */
    int ball_vx; /* sub-pixels per frame: -3,-2,-1,1,2,3 when drawn by the
                    game; catch_set_state also accepts 0 */
    int paddle;  /* left paddle column p, 0 .. 22 (covers p and p + 1) */
} catch_state;

/* A rectangle to overlay on the ASCII rendering: columns x0..x1 and rows
 * y0..y1, inclusive pixel coordinates (x0 > x1 or y0 > y1 are swapped). It
 * may extend beyond the screen; only its outline pixels that fall on the
 * screen are drawn, with character ch (0 means '1' + the box's index mod 9,
 * i.e. '1'..'9'). */
typedef struct catch_box {
    int x0, y0, x1, y1;
    char ch;
} catch_box;

/* Create n_games games (1 .. 2^24) and start a new game in each, drawing
 * from a generator seeded with `seed`. Returns NULL if n_games is 0 or too
 * large, or if memory runs out. */
catch_batch *catch_create(size_t n_games, uint64_t seed);

/* Free a batch. NULL is a no-op. */
void catch_free(catch_batch *b);

/* Number of games in the batch; 0 for NULL. */
size_t catch_n_games(const catch_batch *b);

/* Start a new game in every slot (the generator continues; it is not
 * reseeded). Returns CATCH_OK or CATCH_E_INVALID (b NULL). */
int catch_reset(catch_batch *b);

/* The n_games screens, contiguous: game i's pixel (column x, row y) is
 * screens[i * CATCH_PIXELS + y * CATCH_SIZE + x], 0 or 255. Always shows
 * the state awaiting the next decision (exactly 3 pixels set: the ball on
 * rows 0..22 and the two paddle pixels on row 23). The pointer stays valid
 * until catch_free. NULL for NULL. */
const uint8_t *catch_screens(const catch_batch *b);

/* Game i's screen (CATCH_PIXELS bytes), or NULL if b is NULL or i is out of
 * range. */
const uint8_t *catch_screen(const catch_batch *b, size_t game);

/* Advance every game one frame: paddle i moves by actions[i] (0 left,
 * 1 stay, 2 right, clamped to 0..22), then ball i moves down one row and
 * ball_vx sideways. rewards[i] is 1.0f if game i ended with a catch on this
 * frame and 0.0f otherwise; done[i] is 1 if game i ended on this frame (its
 * 23rd) and 0 otherwise. An ended game's slot is restarted at once, so the
 * screen shows the new game's first frame. rewards and done may each be
 * NULL if not wanted.
 * Returns CATCH_OK, CATCH_E_INVALID (b or actions NULL) or CATCH_E_RANGE
 * (some action not 0, 1 or 2); on error nothing changed, rewards and done
 * included. */
int catch_step(catch_batch *b, const int *actions, float *rewards,
               uint8_t *done);

/* Read game i's state. Returns CATCH_OK, CATCH_E_INVALID or CATCH_E_RANGE
 * (i out of range). */
int catch_get_state(const catch_batch *b, size_t game, catch_state *out);

/* Column of a ball_x value: (ball_x + 1) / 3, or -1 if ball_x is outside
 * 0 .. CATCH_BALL_X_MAX. */
int catch_ball_column(int ball_x);

/* Set game i's state exactly (for tests and demos). Valid: ball_x 0..69,
 * ball_y 0..22, vx -3..3, paddle 0..22. Returns CATCH_OK, CATCH_E_INVALID
 * (b NULL) or CATCH_E_RANGE (game index or a value out of range; nothing
 * changed). */
int catch_set_state(catch_batch *b, size_t game, int ball_x, int ball_y,
                    int vx, int paddle);

/* The final state of the last game that ended in slot i: ball_y 23, the
 * ball's last position and velocity, the paddle where it caught or missed;
 * *reward (may be NULL) gets that game's reward. Returns CATCH_OK,
 * CATCH_E_INVALID, CATCH_E_RANGE (i out of range or no game has ended in
 * slot i since catch_create / catch_reset). */
int catch_last_end(const catch_batch *b, size_t game, catch_state *out,
                   float *reward);

/* Draw a state into a CATCH_PIXELS-byte screen (0 background, 255 ball and
 * paddle). ball_y may be 23 here: a caught ball then overlaps a paddle pixel
 * (2 pixels set), a missed one does not (3 pixels set). Returns CATCH_OK,
 * CATCH_E_INVALID or CATCH_E_RANGE (state out of range: ball_x 0..69,
 * ball_y 0..23, vx -3..3, paddle 0..22). */
int catch_draw_state(const catch_state *s, uint8_t *screen);

/* Render game i's current screen as text: 24 lines of 24 characters, each
 * followed by '\n', then a NUL (CATCH_ASCII_BUFLEN bytes). '.' background,
 * 'o' ball, '=' paddle, box outlines underneath the ball and paddle. Boxes
 * listed first win where outlines overlap, so list the innermost glimpse
 * scale first. boxes may be NULL if n_boxes is 0.
 * Returns the number of characters written (CATCH_ASCII_BUFLEN - 1) or
 * -CATCH_E_INVALID, -CATCH_E_RANGE, -CATCH_E_BUFFER (buflen too small; an
 * empty string is written if buflen >= 1). */
int catch_render_ascii(const catch_batch *b, size_t game,
                       const catch_box *boxes, size_t n_boxes, char *buf,
                       size_t buflen);

/* The same for any state (ball_y may be 23, see catch_draw_state). */
int catch_render_state_ascii(const catch_state *s, const catch_box *boxes,
                             size_t n_boxes, char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_CATCH_GAME_H */
