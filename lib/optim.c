/* libram: the optimisers (SGD with momentum, Adam), weight decay and
 * global-norm clipping: one step over flat arrays (parameters, gradient
 * sums, moments). Knows nothing of the agent. */
#include <math.h>
#include <string.h>

#include "agent_internal.h" /* ram__optim */

/* Sum of squares in double, four independent accumulators (a single one is
 * a chain of dependent additions, ~4 cycles per element). A NaN or an
 * infinity makes the sum non-finite (squares are >= 0, and no finite float
 * squared overflows a double), so it doubles as the finiteness check. */
RAM_CLONES
static double sum_squares(const float *g, size_t n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += (double)g[i] * g[i];
        s1 += (double)g[i + 1] * g[i + 1];
        s2 += (double)g[i + 2] * g[i + 2];
        s3 += (double)g[i + 3] * g[i + 3];
    }
    for (; i < n; i++)
        s0 += (double)g[i] * g[i];
    return (s0 + s1) + (s2 + s3);
}

/* x, or 0 when |x| < the float whose bits are `min` (on the bits, so that
 * the loops vectorise). */
static inline float flush_below(float x, uint32_t min)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    u &= 0u - (uint32_t)((u & 0x7fffffffu) >= min);
    memcpy(&x, &u, sizeof u);
    return x;
}

/* Moments below the normal range (|x| < FLT_MIN) are stored as 0. A
 * parameter whose gradient stays 0 (a dead ReLU unit, say) has its moment
 * multiplied by beta every step; it reaches the subnormals after a few
 * hundred steps and then stays there (0.9 times the smallest subnormal
 * rounds back to it), and every arithmetic operation on a subnormal costs
 * a microcode assist on x86: an Adam step on a mnist28 RNN took 5x longer
 * once that happened. Flushing changes a step by at most lr * FLT_MIN /
 * eps. */
static inline float flush_tiny(float x)
{
    return flush_below(x, 0x00800000u); /* FLT_MIN = 2^-126 */
}

/* Parameters below 2^-100 in magnitude (about 7.9e-31) are stored as 0.
 * With weight decay, a weight whose loss gradient stays 0 (into a dead ReLU
 * unit, say) shrinks geometrically under Adam, toward and into the
 * subnormals; long before it gets there its products with small activations
 * are subnormal, and sgemm slowed down 8x in a translated60 LSTM run (17% of
 * the weights below 1e-30 after three epochs). No float32 sum of terms of
 * ordinary size can see such a weight, so storing it as 0 changes no
 * output; a zero weight with a zero gradient then stays 0. */
static inline float flush_param(float x)
{
    return flush_below(x, 27u << 23); /* 2^(27 - 127) */
}

/* The update loops work on blocks of BLOCK elements with restrict pointers,
 * so that a compiler at -O2 can vectorise them without alias checks or a
 * scalar epilogue (sqrtf also needs -fno-math-errno), then on the rest.
 * They also zero the gradient, which the pass reads anyway. */
#define BLOCK 16

RAM_CLONES
static void sgd(size_t n, float *restrict p, float *restrict g,
                float *restrict m, float scale, float lr, float mu)
{
    size_t i = 0;
    for (; i + BLOCK <= n; i += BLOCK)
        for (size_t k = i; k < i + BLOCK; k++) {
            float mk = flush_tiny(mu * m[k] + scale * g[k]);
            m[k] = mk;
            g[k] = 0.0f;
            p[k] = flush_param(p[k] - lr * mk);
        }
    for (; i < n; i++) {
        m[i] = flush_tiny(mu * m[i] + scale * g[i]);
        g[i] = 0.0f;
        p[i] = flush_param(p[i] - lr * m[i]);
    }
}

RAM_CLONES
static void adam(size_t n, float *restrict p, float *restrict g,
                 float *restrict m, float *restrict v, float scale, float b1,
                 float b2, float step, float rc2, float eps)
{
    size_t i = 0;
    for (; i + BLOCK <= n; i += BLOCK)
        for (size_t k = i; k < i + BLOCK; k++) {
            float gk = scale * g[k];
            float mk = flush_tiny(b1 * m[k] + (1.0f - b1) * gk);
            float vk = flush_tiny(b2 * v[k] + (1.0f - b2) * gk * gk);
            m[k] = mk;
            v[k] = vk;
            g[k] = 0.0f;
            p[k] = flush_param(p[k] - step * mk / (sqrtf(vk) * rc2 + eps));
        }
    for (; i < n; i++) {
        float gi = scale * g[i];
        m[i] = flush_tiny(b1 * m[i] + (1.0f - b1) * gi);
        v[i] = flush_tiny(b2 * v[i] + (1.0f - b2) * gi * gi);
        g[i] = 0.0f;
        p[i] = flush_param(p[i] - step * m[i] / (sqrtf(v[i]) * rc2 + eps));
    }
}

int ram__optim_step(const ram__optim *o, size_t n, float *p, float *g,
                    float *m, float *v, uint64_t *adam_t, double *norm_out)
{
    double sq = sum_squares(g, n);
    if (!isfinite(sq))
        return RAM_E_NONFINITE;
    /* The gradient holds sums over o->samples samples: the mean is what
     * the optimiser, the decay and the clip see. */
    if (o->samples > 1) {
        const float inv = (float)(1.0 / (double)o->samples);
        for (size_t i = 0; i < n; i++)
            g[i] *= inv;
        sq = sum_squares(g, n);
    }
    const double wd = o->weight_decay;
    if (wd > 0.0) {
        for (size_t r = 0; r < o->n_decay; r++) {
            size_t off = o->decay[r].off, len = o->decay[r].len;
            for (size_t i = off; i < off + len; i++)
                g[i] += (float)wd * p[i];
        }
        sq = sum_squares(g, n);
    }
    const double norm = sqrt(sq);
    *norm_out = norm;
    const float scale = (o->clip > 0.0 && norm > o->clip)
                            ? (float)(o->clip / norm)
                            : 1.0f;
    /* Three ranges: before the scaled range, the scaled range (its step
     * multiplied by o->scaled_lr), after it. */
    const size_t lo = o->scaled.off, hi = lo + o->scaled.len;
    const size_t off[4] = {0, lo, hi, n};
    const double lr_s[3] = {1.0, o->scaled_lr, 1.0};
    if (o->kind == RAM_OPT_SGD) {
        const float mu = (float)o->momentum;
        for (int r = 0; r < 3; r++)
            sgd(off[r + 1] - off[r], p + off[r], g + off[r], m + off[r],
                scale, (float)(o->lr * lr_s[r]), mu);
    } else {
        const double b1 = o->beta1, b2 = o->beta2;
        const float eps = (float)o->epsilon;
        ++*adam_t;
        const double c1 = 1.0 - pow(b1, (double)*adam_t);
        const double c2 = 1.0 - pow(b2, (double)*adam_t);
        const float rc2 = (float)(1.0 / sqrt(c2));
        for (int r = 0; r < 3; r++)
            adam(off[r + 1] - off[r], p + off[r], g + off[r], m + off[r],
                 v + off[r], scale, (float)b1, (float)b2,
                 (float)(o->lr * lr_s[r] / c1), rc2, eps);
    }
    return RAM_OK; /* sgd() and adam() zeroed the gradient */
}
