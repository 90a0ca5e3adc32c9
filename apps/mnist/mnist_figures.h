/* Pictures of ram-mnist: the glimpse paths and retina views of a trained
 * model (like Figures 3-6 of Mnih et al. 2014) and a grid of task images
 * (like Figure 2), and learning curves from log.tsv files. Only libram's
 * public API is used. */
#ifndef RAM_EXAMPLE_MNIST_FIGURES_H
#define RAM_EXAMPLE_MNIST_FIGURES_H

#include <stddef.h>

#include "mnist_train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What mnist_show_png drew. */
typedef struct mnist_show_result {
    size_t rows;    /* images drawn */
    size_t correct; /* of which classified correctly */
} mnist_show_result;

/* Writes a PNG with one row per image of set[first .. first + count):
 *
 *   column 1: the image, upscaled, with the greedy glimpse path drawn over
 *             it (filled circle: first glimpse, open circle: last glimpse,
 *             straight lines in between), green if the model classifies it
 *             correctly, red if not, and "pred X / true Y" under it;
 *   columns 2..N+1: the retina view of each glimpse: the k scales
 *             composited, each upscaled back to its size in image pixels
 *             (the centre is the full-resolution patch), as the model's
 *             sensor sees it (ram_sensor_glimpse on the same image and
 *             location).
 *
 * The locations are the location network's means (ram_agent_location()
 * before each step of a RAM_BEGIN_GREEDY_LOCATION episode). `glimpses` <= 0
 * means the model's RAM_CFG_MAX_STEPS. With `boxes`, the full-resolution
 * patch of every glimpse is outlined faintly on the image. */
int mnist_show_png(ram_agent *model, const mnist_set *set, size_t first,
                   size_t count, int glimpses, int boxes, const char *path,
                   mnist_show_result *res, char *err, size_t errlen);

/* Keeps in *set only its images from #first on that the model misclassifies
 * (the deterministic pass of mnist_evaluate, one thread), at most `count`,
 * in order, from index 0 on; their indices in the original set go to idx
 * (room for `count`) and their number to *n_wrong (0 is possible). Returns
 * 0, or -1 with a message in err (set unchanged). */
int mnist_set_keep_errors(ram_agent *model, mnist_set *set, size_t first,
                          size_t count, int glimpses, size_t *idx,
                          size_t *n_wrong, char *err, size_t errlen);

/* Writes the first `count` images of a set as a grid of `cols` columns. */
int mnist_samples_png(const mnist_set *set, size_t count, int cols,
                      const char *path, char *err, size_t errlen);

/* Most logs mnist_curve_png draws. */
#define MNIST_CURVE_MAX_LOGS 16

/* Writes a PNG of the validation error (val_error, in percent, on a log
 * axis) against the epoch, one line per log. logs[i] is a run directory
 * (its log.tsv is read) or a .tsv file; its legend entry is the base name
 * ("models/mnist28.log.tsv" -> "mnist28"). target_pct > 0 adds a dashed
 * reference line "target X%". Returns 0, or -1 with a message in err
 * naming the file (and line) at fault. */
int mnist_curve_png(const char *path, const char *const *logs, int n_logs,
                    double target_pct, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_MNIST_FIGURES_H */
