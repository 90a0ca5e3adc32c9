/* Training and evaluation of RAM on the MNIST tasks (ram-mnist's engine).
 *
 * main.c parses the command line and calls these functions; the smoke test
 * (tests/test_mnist_smoke.c) calls them directly with synthetic digits.
 * Only libram's public API is used.
 *
 * Splits. The training pool is the first n_train - holdout training digits
 * (50,000 for MNIST), the validation split the last `holdout` (10,000) and
 * the test split the test digits. Training images are generated on the fly:
 * every epoch visits the pool in a new random order with new positions and
 * new clutter. Validation and test images are generated once from fixed
 * seeds (MNIST_VAL_SEED, MNIST_TEST_SEED), so every run and every model is
 * scored on the same images. Each split takes its clutter from its own pool.
 *
 * Data stream. Training example p of epoch e (0-based) is pool digit
 * perm_e[p], where perm_e is a Fisher-Yates shuffle drawn from
 * example_rng_seed_stream(seed ^ MNIST_PERM_SALT, e), and is rendered by
 * task_generate() with example_rng_seed_stream(s_e, p), where s_e is the
 * first output of example_rng_seed_stream(seed ^ MNIST_DATA_SALT, e). The
 * stream is thus a pure function of (seed, epoch, position), which is what
 * makes --resume exact. With mc > 1 rollouts per image, agent rows
 * i*mc .. i*mc+mc-1 of a batch are copies of its image i, each with its own
 * sampled locations. Before every batch each replica's agent is reseeded
 * from (seed, update number, replica index).
 *
 * Nothing here is global; every function reports errors as a one-line
 * message in err[0..errlen) and returns non-zero. */
#ifndef RAM_EXAMPLE_MNIST_TRAIN_H
#define RAM_EXAMPLE_MNIST_TRAIN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ram/ram.h"
#include "tasks.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fixed seeds of the validation and test sets (task_generate_set). */
#define MNIST_VAL_SEED UINT64_C(0x76616c6964617465)  /* "validate" */
#define MNIST_TEST_SEED UINT64_C(0x7465737473657431) /* "testset1" */
#define MNIST_PERM_SALT UINT64_C(0x9e3779b97f4a7c15)
#define MNIST_DATA_SALT UINT64_C(0xd1b54a32d192ed03)

/* Validation digits held out at the end of the training files. */
#define MNIST_HOLDOUT 10000

/* Most threads (replicas) accepted. */
#define MNIST_MAX_THREADS 64

/* Longest --init path (bytes, without the terminating NUL). */
#define MNIST_INIT_MAX 400

/* Most rollouts per training image (--mc), and most agent rows per update
 * (--batch times --mc). */
#define MNIST_MAX_MC 64
#define MNIST_MAX_ROWS 65536

/* Return codes of mnist_train beyond 0 (finished) and -1 (error). */
#define MNIST_TRAIN_INTERRUPTED 1

/* Every option of a run. mnist_opts_preset() fills the paper's config. */
typedef struct mnist_opts {
    task_id task;
    /* model */
    int glimpses;     /* steps per episode; the class is read at the last */
    int patch;        /* retina patch g */
    int scales;       /* retina scales k */
    int core;         /* RAM_CORE_RNN or RAM_CORE_LSTM */
    int hidden;       /* core state H */
    int what;         /* glimpse network h_g */
    int where;        /* glimpse network h_l */
    int gsize;        /* glimpse network output G */
    /* training */
    double std;       /* location policy sigma */
    double lr;        /* learning rate of epoch 0 */
    double lr_decay;  /* lr of epoch e: max(lr_min, lr * lr_decay^e) */
    double lr_min;
    double clip;      /* global gradient-norm clip (0 = off) */
    int optimizer;    /* RAM_OPT_ADAM or RAM_OPT_SGD */
    double momentum;  /* SGD momentum */
    int batch;        /* images per update (split across the threads) */
    int mc;           /* sampled rollouts per training image (1..64): an
                       * update runs batch * mc agent rows */
    int epochs;       /* epochs to train in total */
    uint64_t seed;    /* weights, data stream and sampling */
    int threads;      /* replicas (one thread each) */
    int random_glimpses; /* ablation: uniform random locations */
    double loc_lr_scale; /* RAM_PARAM_LOCATION_LR_SCALE (0..1): the
                          * optimiser's step on the location network only
                          * is scaled by this (1 = unscaled) */
    double loc_core_weight; /* RAM_PARAM_LOCATION_CORE_WEIGHT (0..1): share
                          * of the location REINFORCE gradient that flows on
                          * past h_t into the core and glimpse networks */
    int baseline_core;   /* RAM_PARAM_BASELINE_TRAINS_CORE: 1 = the
                          * baseline's squared error also trains the core */
    int first_location;  /* RAM_PARAM_FIRST_LOCATION: a ram_first_location
                          * (learned, centre or uniform) */
    double std_end;      /* 0: constant std; else the std of the last epoch,
                          * reached geometrically (mnist_std_at) */
    double weight_decay; /* RAM_PARAM_WEIGHT_DECAY: L2 decay added to every
                          * weight's gradient (0 = none) */
    double glimpse_dropout; /* RAM_PARAM_GLIMPSE_DROPOUT (0 = none) */
    double action_dropout;  /* RAM_PARAM_ACTION_DROPOUT (0 = none) */
    double ema;       /* 0: off; else the per-update decay d (0 < d < 1) of
                       * an exponential moving average of the parameters,
                       * scored on validation beside the trained weights
                       * every epoch (it never feeds back into training) */
    size_t subset;    /* train on the first N pool digits only (0 = all) */
    size_t val_images;/* validation images scored each epoch (0 = all) */
    size_t holdout;   /* training digits held out for validation */
    char init[MNIST_INIT_MAX + 1]; /* "" : fresh weights from seed; else a
                          * model file whose parameters the run starts from
                          * (fine-tuning: the optimiser state, the schedule
                          * and the data stream start afresh) */
} mnist_opts;

/* The paper's configuration for `task` (README.md lists it). */
void mnist_opts_preset(mnist_opts *o, task_id task);

/* Prints every option, one "  name  value" per line. */
void mnist_opts_print(const mnist_opts *o, FILE *f);

/* Checks the options against each other and libram's bounds. */
int mnist_opts_check(const mnist_opts *o, char *err, size_t errlen);

/* A new trainable agent with the model of o (patch, scales, network sizes,
 * core, glimpses) seeded with o->seed: the one mnist_train() starts from.
 * 0, or -1 with a message in err. */
int mnist_agent_create(const mnist_opts *o, ram_agent **out, char *err,
                       size_t errlen);

/* Copies the parameters of the model file `path` into `agent` (mnist_train's
 * --init). The model must have the same shapes: patch, scales, channels,
 * glimpse network sizes, core type and size, and action count; the glimpse
 * count may differ. Nothing else of the agent changes (tunables, optimiser
 * state, RNG). 0, or -1 with a message in err naming the first difference;
 * on error the agent is unchanged. */
int mnist_agent_init_from(ram_agent *agent, const char *path, char *err,
                          size_t errlen);

/* The location std of epoch `epoch` (1-based, clamped to 1..o->epochs):
 * o->std when o->std_end is 0 (no schedule); otherwise the geometric
 * schedule std * (std_end / std)^((epoch - 1) / (epochs - 1)), which is
 * exactly o->std at epoch 1 and exactly o->std_end at epoch o->epochs (with
 * epochs = 1, o->std). It reads o->epochs, so a run resumed with another
 * --epochs continues on the schedule of the new count. */
double mnist_std_at(const mnist_opts *o, int epoch);

/* "rnn"/"lstm" <-> RAM_CORE_*, "adam"/"sgd" <-> RAM_OPT_*; -1 if unknown. */
int mnist_core_from_name(const char *s);
const char *mnist_core_name(int core);
int mnist_optimizer_from_name(const char *s);
const char *mnist_optimizer_name(int opt);
/* "learned"/"center"/"uniform" <-> RAM_FIRST_*; -1 if unknown. */
int mnist_first_from_name(const char *s);
const char *mnist_first_name(int first);

/* The digits a run reads: MNIST files or synthetic ones. Only read. */
typedef struct mnist_source {
    const uint8_t *train_images; /* n_train x 784 */
    const uint8_t *train_labels; /* n_train, 0..9 */
    size_t n_train;
    const uint8_t *test_images;  /* n_test x 784 (may be NULL if n_test 0) */
    const uint8_t *test_labels;
    size_t n_test;
} mnist_source;

enum { MNIST_SPLIT_VAL = 1, MNIST_SPLIT_TEST = 2 };

/* A fixed set of task images: n images of width x width bytes. */
typedef struct mnist_set {
    task_id task;
    int width;
    size_t n;
    uint8_t *images; /* n * width * width */
    int *labels;     /* n */
} mnist_set;

/* Generates the first `count` images (0 = all) of a split once, from its
 * fixed seed: validation = the last `holdout` training digits (their clutter
 * from those digits too), test = the test digits (clutter from the test
 * digits). On failure *out is zeroed. mnist_set_make_draw() is the same
 * with another draw of the positions and clutter: draw 0 is the fixed draw
 * of mnist_set_make(), draw d > 0 a different, equally fixed one (the digits
 * and their order stay; 28x28 has no positions to draw). */
int mnist_set_make_draw(const mnist_source *src, task_id task, int split,
                        size_t holdout, size_t count, uint64_t draw,
                        mnist_set *out, char *err, size_t errlen);
int mnist_set_make(const mnist_source *src, task_id task, int split,
                   size_t holdout, size_t count, mnist_set *out, char *err,
                   size_t errlen);
void mnist_set_free(mnist_set *s);

/* How a run reports progress. */
typedef struct mnist_train_io {
    FILE *out;      /* epoch lines and messages (NULL: silent) */
    FILE *progress; /* progress bar (NULL: none) */
    int progress_tty; /* 1: redraw one line with '\r'; 0: a line per ~10% */
    /* Set asynchronously (SIGINT): the current batch finishes, a checkpoint
     * is written and mnist_train returns MNIST_TRAIN_INTERRUPTED. */
    const volatile sig_atomic_t *stop;
    /* Tests: behave as if `stop` was set after this many batches of this
     * invocation (0 = never). */
    long stop_after_batches;
    /* Stop the same way (checkpoint, resumable) once this invocation has
     * run for this many seconds (0 = no limit). */
    double time_limit;
} mnist_train_io;

/* The outcome of a run. */
typedef struct mnist_train_result {
    int epochs_done;
    double last_val_error;  /* of the last finished epoch (fraction) */
    double best_val_error;
    int best_epoch;         /* 1-based; 0 if none */
    double samples_per_s;   /* training images/s of this invocation (an
                             * image counts once whatever its mc) */
    int time_limited;       /* stopped by mnist_train_io.time_limit */
} mnist_train_result;

/* Trains into `dir` (created if needed): checkpoint.ram (with the optimiser
 * state) and state.txt after every epoch (and on interrupt), best.ram,
 * log.tsv, and with opts->ema the averaged parameters in ema.ram. best.ram
 * is the model with the lowest validation error so far, the trained weights
 * or (with ema) their average, whichever scored lower. With `resume`,
 * continues the run in dir exactly where it stopped; then `opts` only
 * supplies `epochs`, `threads` and `ema` (opts may be NULL to keep the saved
 * ones). The average does not change the training, so it may be switched
 * on when resuming: it then starts from the parameters of that moment.
 * Without `resume`, dir must not already hold a run.
 * Returns 0 when all epochs are done, MNIST_TRAIN_INTERRUPTED, or -1 with a
 * message in err. `res` may be NULL. */
int mnist_train(const mnist_source *src, const mnist_opts *opts,
                const char *dir, int resume, const mnist_train_io *io,
                mnist_train_result *res, char *err, size_t errlen);

/* Reads the options saved in dir/state.txt (resume, eval defaults). */
int mnist_read_run_opts(const char *dir, mnist_opts *o, int *epochs_done,
                        char *err, size_t errlen);

/* Evaluation figures. Errors are fractions. */
typedef struct mnist_eval_result {
    size_t n;              /* images */
    size_t errors;         /* deterministic: greedy locations, one rollout */
    double error;
    int rollouts;          /* M (0: the two figures below are not set) */
    size_t avg_errors;     /* class probabilities averaged over M samples */
    double avg_error;
    double single_error;   /* mean error of one sampled rollout */
    double seconds;
} mnist_eval_result;

/* Evaluates `model` (not changed except its episode and RNG state) on a
 * set, with `glimpses` steps (0: the model's RAM_CFG_MAX_STEPS), on
 * `threads` threads (the model is copied into each; results do not depend on
 * the thread count). rollouts > 0 adds the sampled-rollout figures, drawn
 * from `seed`. */
int mnist_evaluate(ram_agent *model, const mnist_set *set, int glimpses,
                   int rollouts, int threads, uint64_t seed,
                   mnist_eval_result *res, char *err, size_t errlen);

/* mnist_evaluate, and also marks[i] = 1 (else 0) for every image i of the
 * set that the deterministic pass misclassifies; marks has set->n bytes. */
int mnist_evaluate_marks(ram_agent *model, const mnist_set *set,
                         int glimpses, int rollouts, int threads,
                         uint64_t seed, unsigned char *marks,
                         mnist_eval_result *res, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_MNIST_TRAIN_H */
