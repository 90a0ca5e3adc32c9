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

/* sum_squares of g[i] * inv (rounded to float first, as the in-place
 * scaling makes it), in the same order. */
RAM_CLONES
static double sum_squares_scaled(const float *g, size_t n, float inv)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float a = g[i] * inv, b = g[i + 1] * inv, c = g[i + 2] * inv,
              d = g[i + 3] * inv;
        s0 += (double)a * a;
        s1 += (double)b * b;
        s2 += (double)c * c;
        s3 += (double)d * d;
    }
    for (; i < n; i++) {
        float a = g[i] * inv;
        s0 += (double)a * a;
    }
    return (s0 + s1) + (s2 + s3);
}

/* The largest magnitude among n floats, as bits (a NaN's bits are above
 * every finite float's and infinity's). */
RAM_CLONES
static uint32_t max_abs_bits(const float *x, size_t n)
{
    uint32_t lane[8] = {0}, mx = 0;
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (size_t t = 0; t < 8; t++) {
            uint32_t w;
            memcpy(&w, x + j + t, sizeof w);
            w &= 0x7fffffffu;
            lane[t] = lane[t] > w ? lane[t] : w;
        }
    for (; j < n; j++) {
        uint32_t w;
        memcpy(&w, x + j, sizeof w);
        w &= 0x7fffffffu;
        mx = mx > w ? mx : w;
    }
    for (size_t t = 0; t < 8; t++)
        mx = mx > lane[t] ? mx : lane[t];
    return mx;
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

/* The bits of a float whose exponent is all ones (NaN or Inf) put the top
 * bit of (w & 0x7f800000) + 0x00800000. */
static inline uint32_t nonfinite_bit(float x)
{
    uint32_t w;
    memcpy(&w, &x, sizeof w);
    return (w & 0x7f800000u) + 0x00800000u;
}

#ifndef RAM_NO_FINITE_CHECKS
/* The dry runs: what sgd() and adam() would write, element for element the
 * same arithmetic (gi as the in-place mean and decay make it), without
 * writing; 0 if any new parameter or moment would be NaN or infinite.
 * zero_moments: the moments read as 0 (a fresh optimiser). */
RAM_CLONES
static int sgd_dry(size_t n, const float *restrict p, const float *restrict g,
                   const float *restrict m, int zero_moments, float inv,
                   int use_inv, float wd, float scale, float lr, float mu)
{
    uint32_t any = 0;
    for (size_t k = 0; k < n; k++) {
        float gi = g[k];
        if (use_inv)
            gi *= inv;
        if (wd != 0.0f)
            gi += wd * p[k];
        float m0 = zero_moments ? 0.0f : m[k];
        float mk = flush_tiny(mu * m0 + scale * gi);
        any |= nonfinite_bit(mk) | nonfinite_bit(flush_param(p[k] - lr * mk));
    }
    return (any & 0x80000000u) == 0;
}

RAM_CLONES
static int adam_dry(size_t n, const float *restrict p, const float *restrict g,
                    const float *restrict m, const float *restrict v,
                    int zero_moments, float inv, int use_inv, float wd,
                    float scale, float b1, float b2, float step, float rc2,
                    float eps)
{
    uint32_t any = 0;
    for (size_t k = 0; k < n; k++) {
        float gi = g[k];
        if (use_inv)
            gi *= inv;
        if (wd != 0.0f)
            gi += wd * p[k];
        float gk = scale * gi;
        float m0 = zero_moments ? 0.0f : m[k];
        float v0 = zero_moments ? 0.0f : v[k];
        float mk = flush_tiny(b1 * m0 + (1.0f - b1) * gk);
        float vk = flush_tiny(b2 * v0 + (1.0f - b2) * gk * gk);
        float pk = flush_param(p[k] - step * mk / (sqrtf(vk) * rc2 + eps));
        any |= nonfinite_bit(mk) | nonfinite_bit(vk) | nonfinite_bit(pk);
    }
    return (any & 0x80000000u) == 0;
}

#endif

/* Segments of [0, n) on which the weight decay and the learning-rate scale
 * are constant: the boundaries of every decay range and of the scaled
 * range, sorted. Returns the number of boundaries written to b (at most
 * 2 * n_decay + 4), b[0] = 0 and the last = n. */
static size_t segments(const ram__optim *o, size_t n, size_t *b)
{
    size_t k = 0;
    b[k++] = 0;
    b[k++] = n;
    b[k++] = o->scaled.off;
    b[k++] = o->scaled.off + o->scaled.len;
    for (size_t r = 0; r < o->n_decay; r++) {
        b[k++] = o->decay[r].off;
        b[k++] = o->decay[r].off + o->decay[r].len;
    }
    for (size_t i = 1; i < k; i++) /* insertion sort: a few dozen */
        for (size_t j = i; j > 0 && b[j - 1] > b[j]; j--) {
            size_t t = b[j];
            b[j] = b[j - 1];
            b[j - 1] = t;
        }
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if ((u == 0 || b[i] != b[u - 1]) && b[i] <= n)
            b[u++] = b[i];
    return u;
}

static int in_decay(const ram__optim *o, size_t i)
{
    for (size_t r = 0; r < o->n_decay; r++)
        if (i >= o->decay[r].off && i < o->decay[r].off + o->decay[r].len)
            return 1;
    return 0;
}

int ram__optim_step(const ram__optim *o, size_t n, float *p, float *g,
                    float *m, float *v, int fresh, uint64_t *adam_t,
                    double *bounds, double *norm_out)
{
    double sq = sum_squares(g, n);
    if (!isfinite(sq))
        return RAM_E_NONFINITE;
    const int use_inv = o->samples > 1;
    const float inv = use_inv ? (float)(1.0 / (double)o->samples) : 1.0f;
    const double wd = o->weight_decay;
    size_t bnd[2 * RAM__MAX_WEIGHT_RANGES + 4];
    size_t nb = segments(o, n, bnd);
    /* The mean gradient (plus decay), as the in-place loops below make it,
     * and its squared norm in the order sum_squares() adds (element i into
     * accumulator i % 4, the tail into the first). */
    if (use_inv && !(wd > 0.0)) {
        sq = sum_squares_scaled(g, n, inv);
        if (!isfinite(sq))
            return RAM_E_NONFINITE;
    } else if (wd > 0.0) {
        double acc[4] = {0.0, 0.0, 0.0, 0.0};
        const size_t n4 = n - n % 4;
        for (size_t sgi = 0; sgi + 1 < nb; sgi++) {
            size_t lo = bnd[sgi], hi = bnd[sgi + 1];
            const float wdf = wd > 0.0 && in_decay(o, lo) ? (float)wd : 0.0f;
            for (size_t i = lo; i < hi; i++) {
                float gi = g[i];
                if (use_inv)
                    gi *= inv;
                if (wdf != 0.0f)
                    gi += wdf * p[i];
                acc[i < n4 ? (i & 3) : 0] += (double)gi * gi;
            }
        }
        sq = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        if (!isfinite(sq))
            return RAM_E_NONFINITE;
    }
    const double norm = sqrt(sq);
    const float scale = (o->clip > 0.0 && norm > o->clip)
                            ? (float)(o->clip / norm)
                            : 1.0f;
    const size_t lo = o->scaled.off, hi = lo + o->scaled.len;
    const uint64_t t = (fresh ? 0 : *adam_t) + 1;
    if (o->kind == RAM_OPT_ADAM && t == 0)
        return RAM_E_NONFINITE; /* the step count would wrap */
    const double c1 = 1.0 - pow(o->beta1, (double)t);
    const double c2 = 1.0 - pow(o->beta2, (double)t);
    const float rc2 = (float)(1.0 / sqrt(c2));

    /* Nothing is written unless every new value is finite. First a bound:
     * every |g_i| <= the norm, the moments are below bounds[0] (|m|) and
     * bounds[1] (v), which the library alone writes; the parameters, which
     * the host may write, are scanned. When the bound shows that no new
     * value can reach 1e37 (FLT_MAX is 3.4e38), the step is safe; else a
     * dry run computes every new value. (RAM_NO_FINITE_CHECKS: only for
     * measuring what the checks cost, `make bench-checks`; never in a
     * release build.) */
    const double mb = fresh ? 0.0 : bounds[0], vb = fresh ? 0.0 : bounds[1];
    const double gb = (double)scale * norm * (1.0 + 1e-5) + 1e-30;
    double lr_max = o->lr * (o->scaled_lr > 1.0 ? o->scaled_lr : 1.0);
    double m_new, v_new, p_step;
    if (o->kind == RAM_OPT_SGD) {
        m_new = (o->momentum * mb + gb) * (1.0 + 1e-5);
        v_new = vb;
        p_step = lr_max * m_new;
    } else {
        m_new = (o->beta1 * mb + (1.0 - o->beta1) * gb) * (1.0 + 1e-5);
        v_new = (o->beta2 * vb + (1.0 - o->beta2) * gb * gb) * (1.0 + 1e-5);
        p_step = lr_max / c1 * m_new / o->epsilon * (1.0 + 1e-5);
    }
    const uint32_t pbits = max_abs_bits(p, n);
    if (pbits > 0x7f7fffffu)
        return RAM_E_NONFINITE; /* a parameter is NaN or infinite */
    float pmax;
    memcpy(&pmax, &pbits, sizeof pmax);
    const int safe = m_new < 1e37 && v_new < 1e37 &&
                     (double)pmax + p_step < 1e37;
#ifndef RAM_NO_FINITE_CHECKS
    for (size_t sgi = 0; !safe && sgi + 1 < nb; sgi++) {
        size_t a = bnd[sgi], e = bnd[sgi + 1];
        const float wdf = wd > 0.0 && in_decay(o, a) ? (float)wd : 0.0f;
        const double lr = o->lr * (a >= lo && a < hi ? o->scaled_lr : 1.0);
        int ok;
        if (o->kind == RAM_OPT_SGD)
            ok = sgd_dry(e - a, p + a, g + a, m + a, fresh, inv, use_inv, wdf,
                         scale, (float)lr, (float)o->momentum);
        else
            ok = adam_dry(e - a, p + a, g + a, m + a, v + a, fresh, inv,
                          use_inv, wdf, scale, (float)o->beta1,
                          (float)o->beta2, (float)(lr / c1), rc2,
                          (float)o->epsilon);
        if (!ok)
            return RAM_E_NONFINITE;
    }

#else
    (void)safe;
#endif

    /* Apply. The new bounds: the ones above when they held, else the
     * magnitudes after the step. */
    if (fresh) {
        memset(m, 0, n * sizeof(float));
        if (v)
            memset(v, 0, n * sizeof(float));
        *adam_t = 0;
    }
    if (use_inv)
        for (size_t i = 0; i < n; i++)
            g[i] *= inv;
    if (wd > 0.0)
        for (size_t r = 0; r < o->n_decay; r++) {
            size_t off = o->decay[r].off, len = o->decay[r].len;
            for (size_t i = off; i < off + len; i++)
                g[i] += (float)wd * p[i];
        }
    *norm_out = norm;
    /* Three ranges: before the scaled range, the scaled range (its step
     * multiplied by o->scaled_lr), after it. */
    const size_t off[4] = {0, lo, hi, n};
    const double lr_s[3] = {1.0, o->scaled_lr, 1.0};
    if (o->kind == RAM_OPT_SGD) {
        const float mu = (float)o->momentum;
        for (int r = 0; r < 3; r++)
            sgd(off[r + 1] - off[r], p + off[r], g + off[r], m + off[r],
                scale, (float)(o->lr * lr_s[r]), mu);
    } else {
        const float eps = (float)o->epsilon;
        *adam_t = t;
        for (int r = 0; r < 3; r++)
            adam(off[r + 1] - off[r], p + off[r], g + off[r], m + off[r],
                 v + off[r], scale, (float)o->beta1, (float)o->beta2,
                 (float)(o->lr * lr_s[r] / c1), rc2, eps);
    }
    if (safe) {
        bounds[0] = m_new;
        bounds[1] = v_new;
    } else {
        uint32_t b = max_abs_bits(m, n);
        float f;
        memcpy(&f, &b, sizeof f);
        bounds[0] = f;
        b = o->kind == RAM_OPT_ADAM ? max_abs_bits(v, n) : 0;
        memcpy(&f, &b, sizeof f);
        bounds[1] = f;
    }
    return RAM_OK; /* sgd() and adam() zeroed the gradient */
}

void ram__optim_bounds(size_t n, const float *m, const float *v,
                       double *bounds)
{
    uint32_t b = max_abs_bits(m, n);
    float f;
    memcpy(&f, &b, sizeof f);
    bounds[0] = f;
    b = max_abs_bits(v, n);
    memcpy(&f, &b, sizeof f);
    bounds[1] = f;
}
