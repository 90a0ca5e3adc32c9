/* libram: the agent, which composes sensor, glimpse, core, location,
 * action and baseline networks, and the host-driven episode API. */
#ifndef RAM_AGENT_H
#define RAM_AGENT_H

#include "ram/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Create-time configuration: an opaque object with integer keys, so that no
 * struct layout crosses the ABI. New keys are only ever added.
 * ---------------------------------------------------------------------- */

/** Opaque create-time configuration. Since 0.1.0. */
typedef struct ram_config ram_config;

/** Configuration keys; the values are pinned. Defaults are the paper's
 *  28x28 MNIST model. ram_config_bounds() gives each key's range. */
typedef enum ram_config_key {
    RAM_CFG_PATCH = 1,           /**< retina patch width g (default 8) */
    RAM_CFG_SCALES = 2,          /**< retina scales k (default 1) */
    RAM_CFG_CHANNELS = 3,        /**< image channels C (default 1) */
    RAM_CFG_GLIMPSE_WHAT = 4,    /**< glimpse net h_g size (default 128) */
    RAM_CFG_GLIMPSE_WHERE = 5,   /**< glimpse net h_l size (default 128) */
    RAM_CFG_GLIMPSE_SIZE = 6,    /**< glimpse net output G (default 256) */
    RAM_CFG_CORE = 7,            /**< a ram_core_type (default RAM_CORE_RNN) */
    RAM_CFG_HIDDEN = 8,          /**< core state size H (default 256) */
    RAM_CFG_ACTIONS = 9,         /**< action count A (default 10) */
    RAM_CFG_ACTION_MODE = 10,    /**< a ram_action_mode (default CLASSIFY) */
    RAM_CFG_MAX_STEPS = 11,      /**< steps a training episode may record
                                      (default 6) */
    RAM_CFG_LOCATION_BOUND = 12, /**< a ram_bound (default RAM_BOUND_TANH) */
    RAM_CFG_SEED = 13,           /**< seeds the weights and the agent's RNG
                                      (default 1). Seeds are uint64_t
                                      throughout libram; this key holds the
                                      seed's 64 bits as an int64_t (two's
                                      complement): store a uint64_t seed s
                                      as (int64_t)s and read it back as
                                      (uint64_t)value. Every int64 value is
                                      valid. */
    RAM_CFG_TRAINABLE = 14,      /**< 1: gradients and optimiser state are
                                      allocated; 0: inference only, the
                                      agent holds the parameters plus O(1)
                                      state (default 1) */
    RAM_CFG_INPUT_WIDTH = 15,    /**< image width in pixels, 1 .. 65536, or
                                      0 = unset (default 0). See "Input
                                      geometry" below. Since 0.2.0. */
    RAM_CFG_INPUT_HEIGHT = 16,   /**< image height in pixels, 1 .. 65536, or
                                      0 = unset (default 0). Since 0.2.0. */
    RAM_CFG_INPUT_FORMAT = 17    /**< a ram_pixel_format, or 0 = unset
                                      (default 0). Since 0.2.0. */
} ram_config_key;

/* Input geometry. The images an agent reads are part of its model: their
 * width, height, pixel format (RAM_CFG_INPUT_*) and channel count
 * (RAM_CFG_CHANNELS) are configuration keys, saved in the model file and
 * checked by ram_agent_set_input(), which refuses any other geometry with
 * RAM_E_INVALID and a detail naming both (strides are the host's memory
 * layout, not the model's, and stay free). A key left 0 (unset) takes its
 * value from the first successful ram_agent_set_input() and is fixed from
 * then on: ram_agent_get_config() reports it and ram_agent_save() stores
 * it. Models saved by 0.1.0 (format version 1) load with the three keys
 * unset. */

/** How the action network is used. Values are pinned. */
typedef enum ram_action_mode {
    /** A classifier: trained by cross-entropy on the labels handed to
     *  ram_agent_end() at the last step (the paper's hybrid loss). Never
     *  sampled; ram_agent_step() reports the argmax as the action. */
    RAM_ACTION_CLASSIFY = 1,
    /** A control policy: an action is sampled every step and trained by
     *  REINFORCE from the rewards (the Catch game). */
    RAM_ACTION_CONTROL = 2
} ram_action_mode;

/** New configuration holding the defaults.
 *  @return RAM_OK, RAM_E_INVALID (out NULL), RAM_E_NOMEM. Since 0.1.0. */
RAM_API int ram_config_create(ram_config **out);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_config_free(ram_config *cfg);

/** Set one key. Every key's value is an int64_t, the one value type of the
 *  key interface (sizes too; functions take sizes as size_t, seeds as
 *  uint64_t: RAM_CFG_SEED stores the seed's bits).
 *  @return RAM_OK, RAM_E_INVALID (NULL, unknown key),
 *  RAM_E_RANGE (outside ram_config_bounds). Since 0.1.0. */
RAM_API int ram_config_set(ram_config *cfg, int key, int64_t value);

/** Read one key.
 *  @return RAM_OK, RAM_E_INVALID (cfg or value NULL, unknown key).
 *  Since 0.1.0. */
RAM_API int ram_config_get(const ram_config *cfg, int key, int64_t *value);

/** Inclusive bounds of a key. Either output may be NULL.
 *  @return RAM_OK or RAM_E_INVALID (unknown key). Since 0.1.0. */
RAM_API int ram_config_bounds(int key, int64_t *min, int64_t *max);

/* ------------------------------------------------------------------------
 * Tunable scalars: read and changed at any time between calls.
 * ---------------------------------------------------------------------- */

/** Tunable keys; the values are pinned. ram_param_bounds() gives each
 *  key's range; ram_param_default() its default. */
typedef enum ram_param {
    RAM_PARAM_LEARNING_RATE = 1,    /**< default 1e-3 */
    RAM_PARAM_OPTIMIZER = 2,        /**< a ram_optimizer (default ADAM) */
    RAM_PARAM_MOMENTUM = 3,         /**< SGD momentum (default 0.9) */
    RAM_PARAM_ADAM_BETA1 = 4,       /**< default 0.9 */
    RAM_PARAM_ADAM_BETA2 = 5,       /**< default 0.999 */
    RAM_PARAM_ADAM_EPSILON = 6,     /**< default 1e-8 */
    RAM_PARAM_CLIP_NORM = 7,        /**< global gradient-norm clip; 0 = off
                                         (default 0) */
    RAM_PARAM_LOCATION_STD = 8,     /**< location policy sigma (default 0.1) */
    RAM_PARAM_GAMMA = 9,            /**< discount (default 1) */
    RAM_PARAM_XENT_WEIGHT = 10,     /**< weight of the cross-entropy term
                                         (default 1) */
    RAM_PARAM_REINFORCE_WEIGHT = 11,/**< weight of the REINFORCE terms
                                         (default 1) */
    RAM_PARAM_BASELINE_WEIGHT = 12, /**< weight of the baseline's squared
                                         error (default 1) */
    RAM_PARAM_BASELINE_TRAINS_CORE = 13, /**< 1: the baseline's error also
                                         trains the core (default 0) */
    RAM_PARAM_RANDOM_GLIMPSES = 14, /**< 1: every location is uniform in
                                         [-1,1]^2 and the location network
                                         is not trained (ablation; default 0) */
    RAM_PARAM_WEIGHT_DECAY = 15,    /**< L2 decay added to the gradient of
                                         every weight (not biases) (default 0) */
    RAM_PARAM_ENTROPY_WEIGHT = 16,  /**< control mode: bonus on the action
                                         policy's entropy (default 0) */
    RAM_PARAM_LOCATION_CORE_WEIGHT = 17, /**< 0 .. 1: the share of the
                                         location REINFORCE gradient that
                                         flows on from h_t into the core and
                                         glimpse networks; the location
                                         network itself always gets all of
                                         it. 1 = the paper (default); 0 =
                                         the location policy reads features
                                         that the other terms shape. Since
                                         0.1.0. */
    RAM_PARAM_LOCATION_LR_SCALE = 18, /**< 0 .. 1: the optimiser's step on
                                         the location network's parameters
                                         is scaled by this (default 1).
                                         Since 0.1.0. */
    RAM_PARAM_FIRST_LOCATION = 19,  /**< where the first glimpse l_0 of an
                                         episode looks: a
                                         ram_first_location (default
                                         RAM_FIRST_LEARNED). Read by
                                         ram_agent_begin(). Since 0.1.0. */
    RAM_PARAM_GLIMPSE_DROPOUT = 20, /**< 0 .. 0.95: in training episodes
                                         (RAM_BEGIN_TRAIN), each element of
                                         the glimpse vector g_t entering the
                                         core is zeroed with this
                                         probability and the rest scaled by
                                         1 / (1 - p) (inverted dropout). Other
                                         episodes never drop. Read by
                                         ram_agent_begin() (default 0).
                                         Since 0.1.0. */
    RAM_PARAM_ACTION_DROPOUT = 21   /**< 0 .. 0.95: the same for the core
                                         state h_t entering the action
                                         network (the location network and
                                         the baseline read h_t undropped).
                                         Read by ram_agent_begin() (default
                                         0). Since 0.1.0. */
} ram_param;

/** Values of RAM_PARAM_FIRST_LOCATION. Pinned. Ignored while
 *  RAM_PARAM_RANDOM_GLIMPSES is 1 (every location is uniform then). */
typedef enum ram_first_location {
    /** l_0 = bound(b), the location network's bias (its output for the zero
     *  state): learned by REINFORCE like every later location, sampled
     *  around that mean unless RAM_BEGIN_GREEDY_LOCATION. */
    RAM_FIRST_LEARNED = 0,
    /** l_0 = (0, 0), the image centre, in every mode; not a policy action,
     *  so it adds no REINFORCE term and the bias gets no gradient from
     *  it. */
    RAM_FIRST_CENTER = 1,
    /** l_0 uniform in [-1, 1]^2 from the agent's RNG, in every mode, also
     *  with RAM_BEGIN_GREEDY_LOCATION (the paper: "the first glimpse is
     *  always random"); no REINFORCE term either. */
    RAM_FIRST_UNIFORM = 2
} ram_first_location;

/** Optimisers (values of RAM_PARAM_OPTIMIZER). Pinned. */
typedef enum ram_optimizer {
    RAM_OPT_SGD = 1, /**< v = mu v + g; p -= lr v */
    RAM_OPT_ADAM = 2 /**< Adam with bias correction */
} ram_optimizer;

/** Inclusive bounds of a tunable; either output may be NULL.
 *  @return RAM_OK or RAM_E_INVALID (unknown key). Since 0.1.0. */
RAM_API int ram_param_bounds(int key, double *min, double *max);

/** Default of a tunable.
 *  @return RAM_OK or RAM_E_INVALID (unknown key, value NULL). Since 0.1.0. */
RAM_API int ram_param_default(int key, double *value);

/* ------------------------------------------------------------------------
 * The agent.
 * ---------------------------------------------------------------------- */

/** Opaque agent. Not thread-safe: one agent, one thread at a time; two
 *  agents may be used by two threads at once. Since 0.1.0. */
typedef struct ram_agent ram_agent;

/** Create an agent from a configuration (copied; `cfg` may be freed after).
 *  Allocates everything an episode at batch 1 needs, so that at batch 1
 *  ram_agent_step() never allocates.
 *  @param out  receives the agent; set to NULL on error.
 *  @param cfg  the configuration.
 *  @return RAM_OK, RAM_E_INVALID (out or cfg NULL), RAM_E_RANGE (a key out
 *          of bounds, or RAM_CFG_PATCH x 2^(RAM_CFG_SCALES - 1) above
 *          65536), RAM_E_NOMEM. Since 0.1.0 (out first since 0.2.0). */
RAM_API int ram_agent_create(ram_agent **out, const ram_config *cfg);

/** Free. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_agent_free(ram_agent *agent);

/** Read one configuration key of the agent (the input geometry as fixed
 *  by ram_agent_set_input(), and RAM_CFG_TRAINABLE as created or loaded).
 *  @return RAM_OK, RAM_E_INVALID (agent or value NULL, unknown key).
 *  Since 0.1.0. */
RAM_API int ram_agent_get_config(const ram_agent *agent, int key,
                                 int64_t *value);

/** Set a tunable. @return RAM_OK, RAM_E_INVALID (agent NULL, unknown key),
 *  RAM_E_RANGE (outside bounds, NaN, or not an integer for an integer
 *  key). Since 0.1.0. */
RAM_API int ram_agent_set_param(ram_agent *agent, int key, double value);

/** Read a tunable.
 *  @return RAM_OK, RAM_E_INVALID (agent or value NULL, unknown key).
 *  Since 0.1.0. */
RAM_API int ram_agent_get_param(const ram_agent *agent, int key,
                                double *value);

/** Reset every tunable to its default.
 *  @return RAM_OK, RAM_E_INVALID (agent NULL). Since 0.1.0. */
RAM_API int ram_agent_reset_params(ram_agent *agent);

/** The flat parameter and gradient arrays (owned by the agent) and their
 *  length. grads is NULL for an inference-only agent; it holds the SUMS
 *  over ram_agent_grad_samples() samples (see ram_agent_end()). The
 *  layout is the concatenation, in this order, of the glimpse, core,
 *  location, action and baseline layouts documented in their headers. Any
 *  output may be NULL.
 *  @return RAM_OK, RAM_E_INVALID (agent NULL). Since 0.1.0. */
RAM_API int ram_agent_params(ram_agent *agent, float **params, float **grads,
                             size_t *count);

/** Reseed the agent's RNG (location and action sampling, random glimpses,
 *  dropout). The same seed and the same calls give bit-identical results
 *  with the same BLAS library, version and thread count on the same CPU
 *  type: a different BLAS thread count (1 vs 2 OpenBLAS threads, say)
 *  sums in another order and the runs drift apart (docs/agent.md,
 *  "Determinism"). Use it to give data-parallel replicas of one agent
 *  different sampling streams.
 *  @return RAM_OK or RAM_E_INVALID (agent NULL). Since 0.1.0. */
RAM_API int ram_agent_seed(ram_agent *agent, uint64_t seed);

/** Describe the observations that ram_agent_step() will receive; see
 *  ram_sensor_glimpse() for the meaning. Channels come from the config.
 *  format, width and height must equal RAM_CFG_INPUT_FORMAT, _WIDTH and
 *  _HEIGHT where those are set; the first successful call fixes the unset
 *  ones (see "Input geometry" above).
 *  As for the sensor, image_stride is ignored at batch 1 (0 is fine
 *  there); an episode with a batch above 1 needs image_stride >= height *
 *  row_stride, a multiple of the pixel size, and ram_agent_step() checks
 *  that against the episode's batch (RAM_E_INVALID).
 *  Default: none (step fails with RAM_E_STATE until this is called).
 *  Never allocates. May be called between steps. On error the previous
 *  description stays in force.
 *  @return RAM_OK; RAM_E_INVALID (NULL agent, unknown format, row_stride
 *          below width * C * pixel size or not a multiple of it, or a
 *          format, width or height other than the agent's input geometry);
 *          RAM_E_RANGE (width or height outside 1 .. 65536, strides that
 *          overflow). Since 0.1.0. */
RAM_API int ram_agent_set_input(ram_agent *agent, int format, size_t width,
                                size_t height, size_t row_stride,
                                size_t image_stride);

/** The input description in force (the last successful
 *  ram_agent_set_input()). Every output may be NULL.
 *  @return RAM_OK, RAM_E_INVALID (agent NULL), RAM_E_STATE (no input
 *          described yet; the outputs are not written). Since 0.2.0. */
RAM_API int ram_agent_get_input(const ram_agent *agent, int *format,
                                size_t *width, size_t *height,
                                size_t *row_stride, size_t *image_stride);

/** The batch of the episode under way (as given to ram_agent_begin()): the
 *  number of images ram_agent_step() reads and of rows in its outputs.
 *  @return RAM_OK, RAM_E_INVALID (NULL argument), RAM_E_STATE (no
 *          episode; *batch is not written). Since 0.2.0. */
RAM_API int ram_agent_batch(const ram_agent *agent, size_t *batch);

/** Flags for ram_agent_begin(). Values are pinned. */
typedef enum ram_begin_flags {
    /** Record the episode for ram_agent_end()'s gradients (at most
     *  RAM_CFG_MAX_STEPS steps). Without it the agent keeps O(1) state. */
    RAM_BEGIN_TRAIN = 1u,
    /** Use the location mean instead of a sample. */
    RAM_BEGIN_GREEDY_LOCATION = 2u,
    /** Control mode: take the most probable action instead of a sample.
     *  Refused (RAM_E_INVALID) in classify mode, which never samples. */
    RAM_BEGIN_GREEDY_ACTION = 4u
} ram_begin_flags;

/** Begin an episode for a batch of `batch` observations: h_0 = 0, and the
 *  first location l_0 as RAM_PARAM_FIRST_LOCATION says (by default
 *  RAM_FIRST_LEARNED: the location network applied to the zero state,
 *  sampled unless RAM_BEGIN_GREEDY_LOCATION; RAM_FIRST_CENTER: the centre;
 *  RAM_FIRST_UNIFORM: uniform in [-1, 1]^2; with RAM_PARAM_RANDOM_GLIMPSES
 *  every location is uniform). ram_agent_location() reads it. An episode
 *  already under way is dropped. Reads the dropout rates. Allocates only
 *  if `batch` (or, with RAM_BEGIN_TRAIN, the recording) is larger than any
 *  before.
 *  @return RAM_OK, RAM_E_INVALID (agent NULL, unknown flag, or
 *          RAM_BEGIN_GREEDY_ACTION in classify mode), RAM_E_RANGE (batch
 *          0 or above RAM_MAX_ROWS; with RAM_BEGIN_TRAIN, batch x
 *          RAM_CFG_MAX_STEPS above RAM_MAX_ROWS), RAM_E_UNSUPPORTED
 *          (RAM_BEGIN_TRAIN on an inference-only agent), RAM_E_NOMEM
 *          (every buffer is allocated before anything changes: an episode
 *          under way goes on as it was), RAM_E_NONFINITE (the learned
 *          first location is NaN or infinite: the parameters are finite
 *          but absurd, or the host wrote NaN into them).
 *          Since 0.1.0. */
RAM_API int ram_agent_begin(ram_agent *agent, size_t batch, unsigned flags);

/** The location the next step will glimpse at: batch pairs (x, y) in
 *  [-1, 1]. @return RAM_OK, RAM_E_INVALID (agent or loc NULL),
 *  RAM_E_STATE (no episode).
 *  Since 0.1.0. */
RAM_API int ram_agent_location(const ram_agent *agent, float *loc);

/** One step: glimpse every observation at the current location, update the
 *  core state, and choose the next location and an action.
 *  @param images   the batch of observations, as ram_agent_set_input()
 *                  described them.
 *  @param images_size  bytes readable at images. The step reads at most
 *                  (batch - 1) * image_stride + (height - 1) * row_stride
 *                  + width * C * pixel size bytes, and fails with
 *                  RAM_E_BUFFER, reading nothing, when images_size is
 *                  smaller (batch * image_stride always suffices when
 *                  image_stride >= height * row_stride).
 *  @param next_loc batch x 2 output: where the next step will look, or NULL.
 *  @param probs    batch x A output: the action distribution, or NULL.
 *  @param actions  batch output: the action taken (sampled or argmax, per
 *                  the mode and flags), or NULL.
 *  In classify mode a step given neither probs nor actions does not run the
 *  action network (only the last step's distribution is ever used, and
 *  ram_agent_end() computes it then if needed): ask at the last step only
 *  to save the work. Results are the same bits either way.
 *  @return RAM_OK; RAM_E_INVALID (NULL agent or images, F32 images not
 *          aligned for float, or a batch above 1 with an image_stride
 *          below height * row_stride); RAM_E_RANGE (the batch's image
 *          strides overflow the address space); RAM_E_BUFFER
 *          (images_size too small for the batch and the input
 *          description); RAM_E_STATE (no
 *          episode, no input described, or a training episode already at
 *          RAM_CFG_MAX_STEPS); RAM_E_RANGE also for an F32 pixel that
 *          the retina reads beyond +-RAM_PIXEL_F32_MAX; RAM_E_NONFINITE
 *          (NaN/Inf in a pixel that the retina reads, checked as
 *          ram_sensor_glimpse() does; or the new state, the next
 *          location or the action probabilities came out NaN or infinite,
 *          which a finite but absurd model, or NaN written into the
 *          parameters, can cause). No call returns RAM_OK with a NaN or
 *          infinite output. On error the episode is as before the call
 *          (the agent's RNG included) and no output is written.
 *  Never allocates. Since 0.1.0 (images_size since 0.2.0). */
RAM_API int ram_agent_step(ram_agent *agent, const void *images,
                           size_t images_size, float *next_loc, float *probs,
                           int *actions);

/** Largest magnitude of one step's reward (the sum of its
 *  ram_agent_reward() calls): 10^6. With at most 4096 steps (the bound of
 *  RAM_CFG_MAX_STEPS), no discounted return exceeds 4.1e9, and no return,
 *  baseline error or gradient term derived from it overflows a float.
 *  Since 0.2.0. */
#define RAM_AGENT_MAX_REWARD 1000000.0

/** Hand over the rewards that followed the last step (batch floats,
 *  finite). Steps without a call get 0; a second call for the same step
 *  adds. @return RAM_OK, RAM_E_INVALID (agent or rewards NULL),
 *  RAM_E_STATE (no episode, or no step yet), RAM_E_NONFINITE (a reward is
 *  NaN or infinite), RAM_E_RANGE (a reward, or the step's sum with it,
 *  beyond +-RAM_AGENT_MAX_REWARD). On error nothing is added. Since
 *  0.1.0 (RAM_E_RANGE since 0.2.0). */
RAM_API int ram_agent_reward(ram_agent *agent, const float *rewards);

/** End the episode. For a training episode, computes and *adds* into the
 *  gradient array the gradient of the episode's loss SUMMED over its batch
 *  (backpropagation through time), and adds the batch to the sample count
 *  (ram_agent_grad_samples()); ram_agent_update() divides by that count.
 *  So episodes of any batch sizes between two updates (micro-batches,
 *  replicas, ranks) add up to the mean over all their samples, with no
 *  arithmetic on the host's side. The loss of one sample:
 *    xent_weight      * cross-entropy of the last step's action
 *                       distribution against its label (classify mode),
 *  + reinforce_weight * REINFORCE for every sampled location (and, in
 *                       control mode, every sampled action) with the
 *                       discounted return R_t and the detached baseline b_t,
 *  + baseline_weight  * sum_t (b_t - R_t)^2 / 2,
 *  - entropy_weight   * sum_t action entropy (control mode).
 *  docs/design.md gives the exact terms and which gradient reaches which
 *  network. The figures (ram_agent_stat) are means over the batch. Other
 *  episodes just end.
 *  @param labels  batch labels in [0, A), or NULL (no cross-entropy).
 *  @return RAM_OK, RAM_E_INVALID (agent NULL), RAM_E_RANGE (a label),
 *          RAM_E_STATE (no episode, or a training episode with no step),
 *          RAM_E_NONFINITE (the last step's action probabilities, which
 *          a classify-mode step given neither probs nor actions leaves to
 *          this call, are NaN or infinite; the episode goes on). A
 *          finite but absurd model can still make the gradient sums NaN
 *          or infinite: ram_agent_update() then refuses them.
 *          Since 0.1.0 (sums and the count since 0.2.0). */
RAM_API int ram_agent_end(ram_agent *agent, const int *labels);

/** Apply the optimiser to the mean gradient: the accumulated sums divided
 *  by the sample count (ram_agent_grad_samples()), plus weight decay, then
 *  global-norm clipping when set. Then zero the gradients and the count.
 *  Every new parameter and moment is computed before any is written (a
 *  dry run): the update is applied whole or not at all.
 *  @return RAM_OK, RAM_E_INVALID (agent NULL), RAM_E_STATE (no gradient
 *          accumulated
 *          since the last update or zero_grad), RAM_E_UNSUPPORTED
 *          (inference-only agent), RAM_E_NONFINITE (a gradient is not
 *          finite, or the step would make a parameter or a moment NaN or
 *          infinite; nothing is applied, the gradients are kept, and
 *          RAM_STAT_REFUSED_UPDATES counts it). A training loop must
 *          handle it: every later update is refused the same way until
 *          ram_agent_zero_grad() discards the gradients, e.g.
 *              rc = ram_agent_update(agent);
 *              if (rc == RAM_E_NONFINITE)
 *                  ram_agent_zero_grad(agent); (log it, skip the batch)
 *  Since 0.1.0. */
RAM_API int ram_agent_update(ram_agent *agent);

/** The number of samples (rows of training episodes) whose loss
 *  gradients the gradient array sums: ram_agent_end() adds its batch;
 *  ram_agent_update() and ram_agent_zero_grad() reset it to 0. A
 *  data-parallel host all-reduces (sums) the gradient arrays and these
 *  counts over its replicas or ranks, stores the total with
 *  ram_agent_set_grad_samples(), and updates: every replica then takes the
 *  step of the mean over all samples.
 *  @return RAM_OK, RAM_E_INVALID (agent or samples NULL). Since 0.2.0. */
RAM_API int ram_agent_grad_samples(const ram_agent *agent, uint64_t *samples);

/** Set the sample count that ram_agent_update() divides the gradient sums
 *  by (after an all-reduce, or after writing the gradient array by hand).
 *  Marks the gradient as present, so that the next update applies it.
 *  @return RAM_OK, RAM_E_INVALID (agent NULL), RAM_E_RANGE (samples 0),
 *          RAM_E_UNSUPPORTED (inference-only agent). Since 0.2.0. */
RAM_API int ram_agent_set_grad_samples(ram_agent *agent, uint64_t samples);

/** Discard the accumulated gradients and the sample count.
 *  @return RAM_OK, RAM_E_INVALID (agent NULL), RAM_E_UNSUPPORTED
 *          (inference-only agent). Since 0.1.0. */
RAM_API int ram_agent_zero_grad(ram_agent *agent);

/** Figures about the last ended episode and the last update. Pinned. */
typedef enum ram_stat {
    RAM_STAT_XENT = 1,          /**< mean cross-entropy (classify mode) */
    RAM_STAT_ACCURACY = 2,      /**< fraction of argmax == label */
    RAM_STAT_RETURN = 3,        /**< mean discounted return from step 0 */
    RAM_STAT_BASELINE_MSE = 4,  /**< mean of (b_t - R_t)^2 */
    RAM_STAT_GRAD_NORM = 5,     /**< global norm of the mean gradient
                                     (weight decay included) before
                                     clipping, at the last update */
    RAM_STAT_STEPS = 6,         /**< steps in the last ended episode */
    RAM_STAT_UPDATES = 7,       /**< updates applied since creation */
    RAM_STAT_ENTROPY = 8,       /**< mean action entropy, all steps */
    RAM_STAT_REFUSED_UPDATES = 9 /**< updates refused with
                                     RAM_E_NONFINITE since creation (or
                                     load): the one count a failing
                                     ram_agent_update() changes, so that a
                                     loop that only logs statuses can still
                                     see it. Since 0.2.0. */
} ram_stat;

/** Read a figure. @return RAM_OK, RAM_E_INVALID (agent or value NULL,
 *  unknown key). Since 0.1.0. */
RAM_API int ram_agent_stat(const ram_agent *agent, int key, double *value);

/* ------------------------------------------------------------------------
 * Save and load (docs/model-format.md specifies the format).
 * ---------------------------------------------------------------------- */

/** Flags for ram_agent_save(). Pinned. */
typedef enum ram_save_flags {
    /** Also store the optimiser state, the update count and the agent's RNG
     *  state, so that training resumes exactly. */
    RAM_SAVE_OPTIMIZER = 1u
} ram_save_flags;

/** Flags for ram_agent_load(). Pinned. */
typedef enum ram_load_flags {
    /** Create an inference-only agent (RAM_CFG_TRAINABLE = 0). */
    RAM_LOAD_INFERENCE = 1u
} ram_load_flags;

/** Serialise the agent (configuration, tunables, parameters and, with
 *  RAM_SAVE_OPTIMIZER, the optimiser and RNG state) into `buf`.
 *  @param buf   destination, or NULL to ask for the size only.
 *  @param cap   bytes available at buf.
 *  @param size  receives the bytes needed (always, also on RAM_E_BUFFER).
 *  @return RAM_OK, RAM_E_INVALID (agent or size NULL, unknown flag),
 *          RAM_E_BUFFER (cap too small; buf is not
 *          written), RAM_E_UNSUPPORTED (RAM_SAVE_OPTIMIZER on an
 *          inference-only agent). Since 0.1.0. */
RAM_API int ram_agent_save(const ram_agent *agent, unsigned flags, void *buf,
                           size_t cap, size_t *size);

/** Create an agent from a buffer written by ram_agent_save(). Every field is
 *  checked; no input can make it crash. Format 1 files (libram 0.1.0)
 *  load with the input geometry unset (docs/model-format.md).
 *  @param out    receives the agent; set to NULL on error.
 *  @param buf    the model.  @param size  its bytes.
 *  @param flags  ram_load_flags.
 *  @return RAM_OK, RAM_E_INVALID (out or buf NULL, unknown flag),
 *          RAM_E_FORMAT (not a libram model, or
 *          inconsistent), RAM_E_VERSION (written by a newer format),
 *          RAM_E_CHECKSUM, RAM_E_TRUNCATED, RAM_E_NONFINITE (a parameter is
 *          NaN/Inf), RAM_E_RANGE (a configuration value out of bounds),
 *          RAM_E_NOMEM. Since 0.1.0 (out first since 0.2.0). */
RAM_API int ram_agent_load(ram_agent **out, const void *buf, size_t size,
                           unsigned flags);

/** ram_agent_save() to a file, atomically and kill-safe: written to the
 *  temporary file `path`.ram-tmp in the same directory (one fixed name per
 *  target: a save killed half-way leaves at most that file, which the next
 *  save to `path` reuses; saves to one path from several processes take
 *  turns on an flock() of it), flushed (fsync), renamed over `path`, then
 *  the directory is flushed, so that the new file survives a power loss.
 *  At every moment `path` holds either the previous file or the new one,
 *  whole.
 *  File mode: a new file gets the mode that open(path, O_CREAT, 0666)
 *  gives under the process's umask (0644 under umask 022; a default ACL
 *  of the directory applies too); a regular file being replaced keeps its
 *  permission bits (not its owner or group: the file is a new one).
 *  @return RAM_OK; as ram_agent_save() (RAM_E_INVALID also for a NULL or
 *          empty path); RAM_E_NOMEM; RAM_E_IO (`path` exists and is not a
 *          regular file, e.g. /dev/full: it is left alone; or the
 *          temporary file cannot be created, written (a full disk),
 *          flushed or renamed: it is removed and `path` is untouched; or
 *          the directory cannot be flushed after the rename: the new file
 *          is in place). Since 0.1.0 (fixed temporary name, directory
 *          fsync, non-regular targets refused since 0.2.0). */
RAM_API int ram_agent_save_file(const ram_agent *agent, unsigned flags,
                                const char *path);

/** ram_agent_load() from a file.
 *  @return as ram_agent_load() (RAM_E_INVALID also for a NULL path), or
 *          RAM_E_IO (cannot open or read). Since 0.1.0 (out first since
 *          0.2.0). */
RAM_API int ram_agent_load_file(ram_agent **out, const char *path,
                                unsigned flags);

#ifdef __cplusplus
}
#endif

#endif /* RAM_AGENT_H */
