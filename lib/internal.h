/* libram: private declarations shared by the library's sources.
 *
 * Nothing here is part of the ABI. Every symbol is hidden (the library is
 * built with -fvisibility=hidden) and still carries the ram_ prefix (as
 * ram__name) so that the static archive defines no foreign global names.
 *
 * Conventions:
 *  - Matrices are row-major; a batch of n rows of width w is n*w floats.
 *  - Sequences are step-major: (t, r, j) at (t*n + r)*w + j.
 *  - ram__*_fwd / ram__*_bwd kernels do no argument checking: the public
 *    wrappers (and the agent) validate first.
 *  - Backward kernels ADD parameter gradients and WRITE input gradients.
 */
#ifndef RAM_INTERNAL_H
#define RAM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ram/ram.h"

/* ------------------------------------------------------------ errors */

/* The size of the thread-local buffer behind ram_last_error(). */
#define RAM__LAST_ERROR_MAX 256

/* Records "FUNC: STATUS_NAME: detail" as the calling thread's last error
 * (ram_last_error()) and returns status, so that an error path reads
 *     return RAM_FAIL(RAM_E_INVALID, "images is NULL");
 * fmt may be NULL (no detail). Every path that returns a status other than
 * RAM_OK from a public function goes through it. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int ram__fail(int status, const char *func, const char *fmt, ...);
#define RAM_FAIL(status, ...) ram__fail((status), __func__, __VA_ARGS__)

/* ------------------------------------------------------------ clones */

/* RAM_CLONES before a function with hot elementwise loops: GCC compiles it
 * three times, for x86-64-v4 (AVX-512), x86-64-v3 (AVX2) and the baseline
 * (SSE2), and the dynamic loader picks one for the CPU (target_clones, an
 * ifunc: GCC >= 11 on x86-64 with glibc). The clones compute the same bits:
 * GCC reorders no floating-point operations without -ffast-math, and the
 * library is built with -ffp-contract=off (no fused multiply-adds, which
 * only the wider targets have). Static inline helpers are inlined into each
 * clone only if GCC chooses to inline them: a hot helper may stay one
 * out-of-line SSE2 copy (the LSTM gate rows did, at 9% of a cluttered100
 * LSTM step); RAM_INLINE forces it. Measure: the sensor's helpers are
 * faster as they are. Elsewhere RAM_CLONES is empty. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && \
    defined(__x86_64__) && defined(__GLIBC__) && !defined(RAM_NO_CLONES)
#define RAM_CLONES                                                             \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3",          \
                                 "default")))
#else
#define RAM_CLONES
#endif
#if defined(__GNUC__)
#define RAM_INLINE inline __attribute__((always_inline))
#else
#define RAM_INLINE inline
#endif

/* ---------------------------------------------------------------- rng */

/** xoshiro256** state, seeded through splitmix64. */
typedef struct ram_rng {
    uint64_t s[4];
} ram_rng;

void ram__rng_seed(ram_rng *rng, uint64_t seed);
uint64_t ram__rng_next(ram_rng *rng);
/** Uniform in [0, 1) with 53 random bits. */
double ram__rng_uniform(ram_rng *rng);
/** Standard normal (Box-Muller, one value per call, no cached state). */
double ram__rng_normal(ram_rng *rng);
/** Uniform in [-a, a). */
float ram__rng_symmetric(ram_rng *rng, float a);

/* ---------------------------------------------------------------- crc */

/** CRC-32 (IEEE 802.3, the one zlib and PNG use), continued from `crc`
 *  (start with 0). */
uint32_t ram__crc32(uint32_t crc, const void *buf, size_t len);

/* ------------------------------------------------------------- linalg */

/** Y[n x out] = X[n x in] W^T + b (b may be NULL for no bias), with leading
 *  dimensions ldx, ldy. If accumulate is non-zero, Y += X W^T (no bias). */
void ram__linear_fwd(size_t n, size_t in, size_t out, const float *x,
                     size_t ldx, const float *w, const float *b, float *y,
                     size_t ldy, int accumulate);
/** dW[out x in] += dY^T X ; db[out] += column sums of dY (db may be NULL). */
void ram__linear_bwd_params(size_t n, size_t in, size_t out, const float *x,
                            size_t ldx, const float *dy, size_t lddy,
                            float *dw, float *db);
/** dX[n x in] = dY W (accumulate != 0: dX += dY W). */
void ram__linear_bwd_input(size_t n, size_t in, size_t out, const float *dy,
                           size_t lddy, const float *w, float *dx,
                           size_t lddx, int accumulate);

/** Write the outputs of a ram_*_params() accessor (each may be NULL). */
void ram__params_out(float *p, float *g, size_t count, float **params,
                     float **grads, size_t *cnt);
/** Zero n floats; x may be NULL. */
void ram__zero(float *x, size_t n);

/** 1 if every one of the n floats is finite. */
int ram__all_finite(const float *x, size_t n);
/** 1 if every one of the n floats is a valid F32 pixel: finite with
 *  |x| <= RAM_PIXEL_F32_MAX. */
int ram__all_pixels_ok(const float *x, size_t n);

/* ReLU without a branch. Hidden units are active about half the time in no
 * predictable order, so `x > 0 ? x : 0` costs a mispredicted branch per
 * element (~4 ns); these are a few integer operations, which compilers also
 * vectorise. They read the IEEE-754 bits through memcpy. */

/** max(x, 0): the sign bit clears the whole float (-0 and negatives give
 *  +0; a positive NaN passes). */
static inline float ram__relu(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    u &= (u >> 31) - 1u;
    memcpy(&x, &u, sizeof u);
    return x;
}

/** y > 0 ? d : 0 (the gradient through a ReLU whose output is y). */
static inline float ram__relu_pass(float y, float d)
{
    uint32_t a, b;
    memcpy(&a, &y, sizeof a);
    memcpy(&b, &d, sizeof b);
    b &= 0u - (uint32_t)(a - 1u < 0x7fffffffu); /* 0 < a as a positive float */
    memcpy(&d, &b, sizeof b);
    return d;
}

/* ------------------------------------------------------------- sensor */

struct ram_sensor {
    int patch;    /* g */
    int scales;   /* k */
    int channels; /* C */
};

/** Validate an image description (format, sizes, strides) for `channels`.
 *  Returns RAM_OK, RAM_E_INVALID or RAM_E_RANGE. */
int ram__image_check(int format, size_t channels, size_t width, size_t height,
                     size_t row_stride, size_t image_stride, size_t batch);

/** Check the F32 pixels that the patches of `batch` images at `loc` read
 *  (finite, |x| <= RAM_PIXEL_F32_MAX): RAM_OK, RAM_E_NONFINITE or
 *  RAM_E_RANGE, recorded under the name func. The arguments are otherwise
 *  valid (ram__image_check, loc finite in [-1,1]). The one check that both
 *  ram_sensor_glimpse() and ram_agent_step() make. */
int ram__sensor_pixels_check(const char *func, const struct ram_sensor *s,
                             size_t batch, const void *images, size_t width,
                             size_t height, size_t row_stride,
                             size_t image_stride, const float *loc);

/** The glimpse without argument checks. loc must be finite and in [-1,1].
 *  Writes out even if pixels are not finite (the caller checks out). */
void ram__sensor_run(const struct ram_sensor *s, size_t batch,
                     const void *images, int format, size_t width,
                     size_t height, size_t row_stride, size_t image_stride,
                     const float *loc, float *out);

/** Exact patch geometry (see sensor.h): top-left corner of patch `scale`. */
void ram__sensor_rect(const struct ram_sensor *s, size_t width, size_t height,
                      float lx, float ly, int scale, long *x0, long *y0,
                      long *size);

/* ------------------------------------------------------------ networks */

/* Every network is a header with its sizes plus views of its parameters and
 * gradients. A standalone handle (ram_*_create) owns its arrays (owned = 1);
 * inside an agent the arrays are slices of the agent's contiguous block.
 * grads may be NULL for an inference-only agent. */

struct ram_glimpse {
    size_t in, what, where, out; /* R, Hg, Hl, G */
    size_t count;                /* parameter count */
    float *params, *grads;
    int owned;
    /* ram_glimpse_reserve()'s workspace (standalone handle only;
     * ram__glimpse_init sets it empty). */
    float *work;
    size_t work_rows;
};

/** Parameter count for these sizes. */
size_t ram__glimpse_count(size_t in, size_t what, size_t where, size_t out);
/** Fill the header (no allocation). */
void ram__glimpse_init(struct ram_glimpse *net, size_t in, size_t what,
                       size_t where, size_t out, float *params, float *grads);
/** Draw initial parameters from rng. */
void ram__glimpse_reset(struct ram_glimpse *net, ram_rng *rng);
void ram__glimpse_fwd(const struct ram_glimpse *net, size_t n,
                      const float *rho, const float *loc, float *g,
                      float *tape);
/** dg is read-only; drho/dloc may be NULL; uses `work` (n * (out + what +
 *  where) floats: dpre_g, then d[h_g | h_l]) as scratch. */
void ram__glimpse_bwd(struct ram_glimpse *net, size_t n, const float *rho,
                      const float *loc, const float *g, const float *tape,
                      const float *dg, float *drho, float *dloc, float *work);

struct ram_core {
    int type;         /* RAM_CORE_RNN or RAM_CORE_LSTM */
    size_t in, hidden;
    size_t count;
    float *params, *grads;
    int owned;
    /* ram_core_reserve()'s workspace (standalone handle only;
     * ram__core_init sets it empty). */
    float *work;
    size_t work_rows;
};

size_t ram__core_count(int type, size_t in, size_t hidden);
size_t ram__core_tape(int type, size_t hidden); /* floats per row per step */
void ram__core_init(struct ram_core *core, int type, size_t in, size_t hidden,
                    float *params, float *grads);
void ram__core_reset(struct ram_core *core, ram_rng *rng);
/** h_prev/c_prev NULL = zeros. tape may be NULL (inference); then `work`
 *  (n * 4H floats for the LSTM, unused by the RNN) holds the gates. */
void ram__core_fwd(const struct ram_core *core, size_t n, const float *h_prev,
                   const float *c_prev, const float *x, float *h, float *c,
                   float *tape, float *work);
/** BPTT over `steps` steps (see ram_core_backward). `work` is
 *  2 * n * H floats of scratch. */
void ram__core_bwd(struct ram_core *core, size_t steps, size_t n,
                   const float *h0, const float *c0, const float *x,
                   const float *h, const float *c, float *tape,
                   const float *dh, float *dx, float *dh0, float *dc0,
                   float *work);

struct ram_location {
    size_t in;
    int bound; /* RAM_BOUND_TANH or RAM_BOUND_HARDTANH */
    size_t count;
    float *params, *grads;
    int owned;
    double std;  /* standalone handle only; the agent keeps its own */
    ram_rng rng; /* standalone handle only */
};

size_t ram__location_count(size_t in);
void ram__location_init(struct ram_location *net, size_t in, int bound,
                        float *params, float *grads);
void ram__location_reset(struct ram_location *net, ram_rng *rng);
/** h NULL = zeros. */
void ram__location_fwd(const struct ram_location *net, size_t n,
                       const float *h, float *mean);
/** raw = mean + std * N(0,1); loc = clamp(raw); logp optional. */
void ram__location_sample(size_t n, const float *mean, double std,
                          ram_rng *rng, float *raw, float *loc, float *logp);
void ram__location_score(size_t n, const float *mean, const float *raw,
                         double std, const float *coef, float *dmean);
/** dmean is read-only; `work` is n*2 floats. h NULL = zeros. */
void ram__location_bwd(struct ram_location *net, size_t n, const float *h,
                       const float *mean, const float *dmean, float *dh,
                       float *work);

struct ram_action {
    size_t in, actions;
    size_t count;
    float *params, *grads;
    int owned;
    ram_rng rng; /* standalone handle only */
};

size_t ram__action_count(size_t in, size_t actions);
void ram__action_init(struct ram_action *net, size_t in, size_t actions,
                      float *params, float *grads);
void ram__action_reset(struct ram_action *net, ram_rng *rng);
void ram__action_fwd(const struct ram_action *net, size_t n, const float *h,
                     float *probs);
/** Inverse-CDF sampling, one uniform per row. */
void ram__action_sample(size_t n, size_t actions, const float *probs,
                        ram_rng *rng, int *out);
/** Index of the largest probability per row (first on ties). */
void ram__action_argmax(size_t n, size_t actions, const float *probs,
                        int *out);
void ram__action_bwd(struct ram_action *net, size_t n, const float *h,
                     const float *dlogits, float *dh);

struct ram_baseline {
    size_t in;
    size_t count;
    float *params, *grads;
    int owned;
};

size_t ram__baseline_count(size_t in);
void ram__baseline_init(struct ram_baseline *net, size_t in, float *params,
                        float *grads);
void ram__baseline_reset(struct ram_baseline *net, ram_rng *rng);
/** h NULL = zeros. */
void ram__baseline_fwd(const struct ram_baseline *net, size_t n,
                       const float *h, float *b);
void ram__baseline_bwd(struct ram_baseline *net, size_t n, const float *h,
                       const float *db, float *dh);

/* ------------------------------------------- the agent's backward maths */

/** A contiguous run of floats in a flat parameter array. */
typedef struct ram__range {
    size_t off, len;
} ram__range;

/** The weight (not bias) ranges of a network's parameters, relative to its
 *  params, for weight decay: writes at most 3 ranges and returns their
 *  count. */
size_t ram__glimpse_weights(const struct ram_glimpse *net, ram__range *out);
size_t ram__core_weights(const struct ram_core *core, ram__range *out);
size_t ram__location_weights(const struct ram_location *net, ram__range *out);
size_t ram__action_weights(const struct ram_action *net, ram__range *out);
size_t ram__baseline_weights(const struct ram_baseline *net, ram__range *out);

/** Cross-entropy of n rows of A probabilities against labels (in range,
 *  unchecked): returns sum_r -log max(p[label], tiny). With dlogits, writes
 *  (accumulate: adds) scale * (p - onehot(label)), the gradient at the
 *  logits. With correct, counts the rows whose argmax is the label. The
 *  maths of ram_action_xent(). */
double ram__action_xent_grad(size_t n, size_t A, const float *probs,
                             const int *labels, double scale, float *dlogits,
                             int accumulate, size_t *correct);

/** The action policy's gradient at the logits, written: per row r,
 *  coef[r] * d log p[actions[r]] / d logits (the score, as
 *  ram_action_score()) plus entropy_weight * d(-H(p)) / d logits. Returns
 *  the sum of the rows' entropies H(p). */
double ram__action_policy_grad(size_t n, size_t A, const float *probs,
                               const int *actions, const float *coef,
                               double entropy_weight, float *dlogits);

/** db[r] = scale * (b[r] - target[r]) (db may alias b); returns
 *  sum_r (b[r] - target[r])^2. The maths of ram_baseline_mse(). */
double ram__baseline_mse_grad(size_t n, const float *b, const float *target,
                              double scale, float *db);

/** The location policy's default standard deviation, written here only:
 *  the default of RAM_PARAM_LOCATION_STD (config.c) and the std a
 *  standalone ram_location starts with. */
#define RAM__LOCATION_STD_DEFAULT 0.1

/* ------------------------------------------------------------- checks */

/** Common argument checks for the public wrappers. */
int ram__rows_ok(size_t n); /* 1 .. RAM_MAX_ROWS */

/* ------------------------------------------------------------------------
 * Added for API 0.2 (network handles): accumulating input gradients
 * (beta), the policies' log-probabilities and entropies, detailed image
 * checks. The kernels above keep their signatures and meaning (beta = 0).
 */

/** Prepare x[0..count-1] to receive a gradient with BLAS-style beta:
 *  beta == 0: nothing (x is overwritten, never read), returns 0 (write);
 *  beta == 1: nothing, returns 1 (add); otherwise x *= beta, returns 1. */
int ram__beta_prep(float *x, size_t count, float beta);

/** ram__glimpse_bwd with drho = beta*drho + ..., dloc = beta*dloc + ... */
void ram__glimpse_bwd_beta(struct ram_glimpse *net, size_t n,
                           const float *rho, const float *loc, const float *g,
                           const float *tape, const float *dg, float *drho,
                           float *dloc, float beta, float *work);
/** ram__core_bwd with dx, dh0, dc0 = beta * (themselves) + gradient. */
void ram__core_bwd_beta(struct ram_core *core, size_t steps, size_t n,
                        const float *h0, const float *c0, const float *x,
                        const float *h, const float *c, float *tape,
                        const float *dh, float *dx, float *dh0, float *dc0,
                        float beta, float *work);
/** ram__location_bwd with dh = beta * dh + ...; needs no work buffer (it
 *  goes through a stack buffer in chunks of rows). */
void ram__location_bwd_beta(struct ram_location *net, size_t n,
                            const float *h, const float *mean,
                            const float *dmean, float *dh, float beta);
/** ram__action_bwd with dh = beta * dh + ... */
void ram__action_bwd_beta(struct ram_action *net, size_t n, const float *h,
                          const float *dlogits, float *dh, float beta);
/** ram__baseline_bwd with dh = beta * dh + ... */
void ram__baseline_bwd_beta(struct ram_baseline *net, size_t n,
                            const float *h, const float *db, float *dh,
                            float beta);

/** log N(raw | mean, std^2 I) per row (2 dimensions), in double. */
double ram__location_logp_row(const float *mean, const float *raw,
                              double std);
/** Entropy of the two-dimensional Gaussian with this std:
 *  log(2 pi e) + 2 log(std). */
double ram__location_entropy(double std);
/** Entropy -sum p log p of one row of A probabilities (0 log 0 = 0). */
double ram__action_entropy_row(const float *p, size_t actions);

/** ram__image_check that also records which argument is wrong and why
 *  (ram_last_error(), under the name `func`). Same statuses. */
int ram__image_check_in(const char *func, int format, size_t channels,
                        size_t width, size_t height, size_t row_stride,
                        size_t image_stride, size_t batch);

/* ------------------------------------------------------------------------
 * Scaled retina (lib/sensor_scale.c; issue 25, learned scale).
 */

/** Patch `i` of ram_sensor_glimpse_scaled() for one location and scale:
 *  left and top edges and side, in pixel units (no checks). */
void ram__sensor_box_scaled(const struct ram_sensor *s, size_t width,
                            size_t height, float lx, float ly, float scale,
                            unsigned flags, int i, double *x0, double *y0,
                            double *side);

/** ram_sensor_glimpse_scaled() without argument checks: loc finite and in
 *  [-1,1], scale finite and in bounds, flags valid. Writes out even if
 *  pixels are not finite (the caller checks out). Allocates nothing. */
void ram__sensor_run_scaled(const struct ram_sensor *s, size_t batch,
                            const void *images, int format, size_t width,
                            size_t height, size_t row_stride,
                            size_t image_stride, const float *loc,
                            const float *scale, unsigned flags, float *out);
/* ---------------------------------------------- end of the scaled retina */
#endif /* RAM_INTERNAL_H */
