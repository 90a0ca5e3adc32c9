/* Pictures of the RAM agent playing Catch: the glimpse boxes (for
 * catch_render_ascii) and a PNG strip of a game's frames. */
#ifndef RAM_EXAMPLE_CATCH_VIEW_H
#define RAM_EXAMPLE_CATCH_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include <ram/ram.h>

#include "game.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most glimpse scales drawn. */
#define CATCH_VIEW_MAX_SCALES 8

/* The boxes of every scale of `sensor` at loc (x, y in [-1, 1]) on the
 * 24x24 screen, finest first (the order catch_render_ascii wants), each
 * with character '1' + scale. Returns the number of boxes (the sensor's
 * scales, at most max_boxes) or -status (ram_status) on error. */
int catch_glimpse_boxes(const ram_sensor *sensor, const float loc[2],
                        catch_box *boxes, int max_boxes);

/* One game as played: the screen the agent saw at each frame, where it
 * looked, what it did; and how the game ended. */
typedef struct catch_frame {
    uint8_t screen[CATCH_PIXELS];
    float loc[2];  /* glimpse location of this step */
    int action;    /* CATCH_LEFT, CATCH_STAY, CATCH_RIGHT */
} catch_frame;

typedef struct catch_record {
    catch_frame frames[CATCH_FRAMES_PER_GAME];
    catch_state final; /* ball_y 23: where the ball landed */
    float reward;      /* 1 caught, 0 missed */
} catch_record;

/* Write a PNG: one row per recorded game, each the 23 frames side by side
 * and the landing state, upscaled `scale` times (e.g. 8), the glimpse's
 * scales drawn as boxes in distinct colours (finest red, then yellow, blue,
 * ...), the ball white and the paddle grey, each frame labelled with its
 * number and action. Returns 0, or -1 with a message in err. */
int catch_png_strip(const char *path, const ram_sensor *sensor,
                    const catch_record *games, int n_games, int scale,
                    char *err, size_t errlen);

/* Most runs catch_curve_png draws. */
#define CATCH_CURVE_MAX_RUNS 16

/* Learning curves of training runs as a PNG of two panels: the catch rate
 * against training frames (the greedy evaluation as solid lines with dots,
 * the sampled training games as a lighter line of the same colour, dashed
 * lines at the 90% target and the paper's 85%), and below it the share of
 * evaluation steps with the ball inside the 6x6 fovea. runs[i] is a run
 * directory (its log.tsv is read) or a log.tsv file; its legend entry is
 * the base name. Returns 0, or -1 with a message in err naming the file
 * (and line) at fault. */
int catch_curve_png(const char *path, const char *const *runs, int n_runs,
                    char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_CATCH_VIEW_H */
