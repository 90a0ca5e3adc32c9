/* ram-bench: BLAS-only replays of a step's matrix products (gemmseq.h). */
#include "gemmseq.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"

typedef struct op {
    const char *what; /* the layer and product, for --gemm-calls */
    int step;         /* the step it belongs to, or -1 (all steps) */
    int gemv; /* 0: sgemm, 1: sgemv (A is M x N, y = A x) */
    int ta, tb, M, N, K;
    const float *A, *B;
    int lda, ldb;
    float beta;
    float *C;
    int ldc;
} op;

struct gemm_seq {
    op *ops;
    int n, cap;
    float **bufs;
    int nbufs, capbufs;
    double flops;
    int step; /* the step of the products being pushed (-1: none) */
    int narrow; /* 1: heads of <= 2 units as sgemv, as lib/linalg.c does */
    int failed;
};

/* A zero-initialised-then-filled buffer of `count` floats owned by q. */
static float *buf(gemm_seq *q, size_t count)
{
    if (q->failed)
        return NULL;
    if (q->nbufs == q->capbufs) {
        int cap = q->capbufs ? 2 * q->capbufs : 32;
        float **b = realloc(q->bufs, (size_t)cap * sizeof *b);
        if (!b) {
            q->failed = 1;
            return NULL;
        }
        q->bufs = b;
        q->capbufs = cap;
    }
    size_t bytes = (count * sizeof(float) + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes ? bytes : 64);
    if (!p) {
        q->failed = 1;
        return NULL;
    }
    /* Small values, so that repeated beta = 1 accumulation stays finite
     * and far from denormals. */
    uint32_t x = 2463534242u ^ (uint32_t)q->nbufs;
    for (size_t i = 0; i < count; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (float)((int)(x % 2001) - 1000) * 1e-5f;
    }
    q->bufs[q->nbufs++] = p;
    return p;
}

static void push(gemm_seq *q, op o)
{
    if (q->failed)
        return;
    if (q->n == q->cap) {
        int cap = q->cap ? 2 * q->cap : 64;
        op *n = realloc(q->ops, (size_t)cap * sizeof *n);
        if (!n) {
            q->failed = 1;
            return;
        }
        q->ops = n;
        q->cap = cap;
    }
    q->ops[q->n++] = o;
    q->flops += 2.0 * o.M * o.N * (o.gemv ? 1 : o.K);
}

/* The three forms of lib/linalg.c, row-major. `what` names the product
 * for --gemm-calls; q->step (set by the loops) is its step. */
/* Y[n x out] (+)= X[n x in] W[out x in]^T */
static void fwd(gemm_seq *q, const char *what, int n, int in, int out,
                const float *x, int ldx, const float *w, float *y, int ldy,
                float beta)
{
    if (q->narrow && out <= 2 && n > 1) { /* y_j (+)= X w_j per unit */
        for (int j = 0; j < out; j++)
            push(q, (op){what, q->step, 1, BENCH_NO_TRANS, 0, n, in, 0, x,
                         w + (size_t)j * in, ldx, 1, beta, y + j, ldy});
        return;
    }
    push(q, (op){what, q->step, 0, BENCH_NO_TRANS, BENCH_TRANS, n, out, in, x,
                 w, ldx, in, beta, y, ldy});
}
/* dW[out x in] += dY^T X */
static void bwd_w(gemm_seq *q, const char *what, int n, int in, int out,
                  const float *x, int ldx, const float *dy, int lddy,
                  float *dw)
{
    if (q->narrow && out <= 2 && n > 1) { /* dw_j += X^T dy_j per unit */
        for (int j = 0; j < out; j++)
            push(q, (op){what, q->step, 1, BENCH_TRANS, 0, n, in, 0, x,
                         dy + j, ldx, lddy, 1.0f, dw + (size_t)j * in, 1});
        return;
    }
    push(q, (op){what, q->step, 0, BENCH_TRANS, BENCH_NO_TRANS, out, in, n,
                 dy, x, lddy, ldx, 1.0f, dw, in});
}
/* dX[n x in] (+)= dY W */
static void bwd_x(gemm_seq *q, const char *what, int n, int in, int out,
                  const float *dy, int lddy, const float *w, float *dx,
                  int lddx, float beta)
{
    push(q, (op){what, q->step, 0, BENCH_NO_TRANS, BENCH_NO_TRANS, n, in, out,
                 dy, w, lddy, in, beta, dx, lddx});
}
/* y[out] (+)= W[out x in] x */
static void gemv(gemm_seq *q, const char *what, int in, int out,
                 const float *w, const float *x, float *y, float beta)
{
    push(q, (op){what, q->step, 1, BENCH_NO_TRANS, 0, out, in, 0, w, x, in, 1,
                 beta, y, 1});
}

static void build_ours(gemm_seq *q, const net_shape *s, int B, int train)
{
    const int T = s->T, SB = T * B, R = s->R, Hg = s->Hg, Hl = s->Hl;
    const int hid = Hg + Hl, G = s->G, H = s->H, A = s->A;
    const int m = s->lstm ? 4 * H : H, tw = s->lstm ? 5 * H : H;
    /* Parameters and their gradients. */
    float *w_what = buf(q, (size_t)Hg * R), *w_out = buf(q, (size_t)G * hid);
    float *w_x = buf(q, (size_t)m * G), *w_h = buf(q, (size_t)m * H);
    float *w_l = buf(q, 2 * (size_t)H), *w_a = buf(q, (size_t)A * H);
    float *w_b = buf(q, (size_t)H);
    /* The recording, step-major. */
    float *rho = buf(q, (size_t)SB * R), *tape = buf(q, (size_t)SB * hid);
    float *g = buf(q, (size_t)SB * G), *h = buf(q, (size_t)SB * H);
    float *ct = buf(q, (size_t)SB * tw), *mean = buf(q, (size_t)SB * 2);
    float *probs = buf(q, (size_t)SB * A);
    if (q->failed)
        return;

    for (int t = 0; t < T; t++) {
        size_t o = (size_t)t * B;
        float *core_out = s->lstm ? ct + o * tw : h + o * H;
        int ldc = s->lstm ? tw : H;
        q->step = t;
        fwd(q, "glimpse what", B, R, Hg, rho + o * R, R, w_what,
            tape + o * hid, hid, 1.0f);
        fwd(q, "glimpse out", B, hid, G, tape + o * hid, hid, w_out,
            g + o * G, G, 1.0f);
        fwd(q, "core W_x", B, G, m, g + o * G, G, w_x, core_out, ldc, 1.0f);
        if (t > 0)
            fwd(q, "core W_h", B, H, m, h + (o - B) * H, H, w_h, core_out,
                ldc, 1.0f);
        fwd(q, "location", B, H, 2, h + o * H, H, w_l, mean + o * 2, 2, 1.0f);
        /* agent.c skips the action head at steps where the host asks for
         * neither probs nor actions (classify mode): the bench asks at the
         * last step only, as the MNIST example does. */
        if (t == T - 1)
            fwd(q, "action", B, H, A, h + o * H, H, w_a, probs + o * A, A,
                1.0f);
    }
    if (!train)
        return;

    float *g_what = buf(q, (size_t)Hg * R), *g_out = buf(q, (size_t)G * hid);
    float *g_x = buf(q, (size_t)m * G), *g_h = buf(q, (size_t)m * H);
    float *g_l = buf(q, 2 * (size_t)H), *g_a = buf(q, (size_t)A * H);
    float *g_b = buf(q, (size_t)H);
    float *base = buf(q, (size_t)SB), *db = buf(q, (size_t)SB);
    float *dlog = buf(q, (size_t)B * A), *dmean = buf(q, (size_t)SB * 2);
    float *dh = buf(q, (size_t)SB * H), *dhr = buf(q, (size_t)B * H);
    float *dg = buf(q, (size_t)SB * G), *dpre = buf(q, (size_t)SB * G);
    float *dhid = buf(q, (size_t)SB * hid);
    if (q->failed)
        return;
    size_t last = (size_t)(T - 1) * B;

    /* agent.c backward(): baselines over all rows, the action head at the
     * last step (classify mode), the location head for l_1..l_{T-1}, the
     * baseline's regression. */
    q->step = -1;
    fwd(q, "baseline", SB, H, 1, h, H, w_b, base, 1, 1.0f);
    q->step = T - 1;
    bwd_w(q, "action dW", B, H, A, h + last * H, H, dlog, A, g_a);
    bwd_x(q, "action dh", B, H, A, dlog, A, w_a, dh + last * H, H, 0.0f);
    q->step = -1;
    if (T > 1)
        bwd_w(q, "location dW", (T - 1) * B, H, 2, h, H, dmean + 2 * B, 2,
              g_l);
    bwd_w(q, "baseline dW", SB, H, 1, h, H, db, 1, g_b);
    /* core.c: the recurrent GEMM per step, then the fused ones. */
    for (int t = T - 1; t > 0; t--) {
        q->step = t;
        bwd_x(q, "core dh W_h", B, H, m, ct + (size_t)t * B * tw, tw, w_h,
              dhr, H, 0.0f);
    }
    q->step = -1;
    bwd_w(q, "core dW_x", SB, G, m, g, G, ct, tw, g_x);
    if (T > 1)
        bwd_w(q, "core dW_h", (T - 1) * B, H, m, h, H, ct + (size_t)B * tw,
              tw, g_h);
    bwd_x(q, "core dx", SB, G, m, ct, tw, w_x, dg, G, 0.0f);
    /* glimpse.c */
    bwd_w(q, "glimpse dW_out", SB, hid, G, tape, hid, dpre, G, g_out);
    bwd_x(q, "glimpse d[hg|hl]", SB, hid, G, dpre, G, w_out, dhid, hid,
          0.0f);
    bwd_w(q, "glimpse dW_what", SB, R, Hg, rho, R, dhid, hid, g_what);
}

static void build_pytorch(gemm_seq *q, const net_shape *s, int B)
{
    const int T = s->T, SB = T * B, R = s->R, Hg = s->Hg, Hl = s->Hl;
    const int G = s->G, H = s->H, A = s->A, m = s->lstm ? 4 * H : H;
    float *w_what = buf(q, (size_t)Hg * R), *w_where = buf(q, 2 * (size_t)Hl);
    float *w_og = buf(q, (size_t)G * Hg), *w_ol = buf(q, (size_t)G * Hl);
    float *w_ih = buf(q, (size_t)m * G), *w_hh = buf(q, (size_t)m * H);
    float *w_l = buf(q, 2 * (size_t)H), *w_a = buf(q, (size_t)A * H);
    float *w_b = buf(q, (size_t)H);
    float *g_what = buf(q, (size_t)Hg * R), *g_where = buf(q, 2 * (size_t)Hl);
    float *g_og = buf(q, (size_t)G * Hg), *g_ol = buf(q, (size_t)G * Hl);
    float *g_ih = buf(q, (size_t)m * G), *g_hh = buf(q, (size_t)m * H);
    float *g_l = buf(q, 2 * (size_t)H), *g_a = buf(q, (size_t)A * H);
    float *g_b = buf(q, (size_t)H);
    /* Per-step activations and their gradients. */
    float *rho = buf(q, (size_t)SB * R), *loc = buf(q, (size_t)SB * 2);
    float *hg = buf(q, (size_t)SB * Hg), *hl = buf(q, (size_t)SB * Hl);
    float *g = buf(q, (size_t)SB * G), *gates = buf(q, (size_t)SB * m);
    float *h = buf(q, (size_t)(SB + B) * H); /* h_0 = zeros, then h_1.. */
    float *mean = buf(q, (size_t)SB * 2), *base = buf(q, (size_t)SB);
    float *probs = buf(q, (size_t)B * A);
    float *dgates = buf(q, (size_t)SB * m), *dg = buf(q, (size_t)SB * G);
    float *dhg = buf(q, (size_t)SB * Hg), *dhl = buf(q, (size_t)SB * Hl);
    float *dh = buf(q, (size_t)SB * H), *dmean = buf(q, (size_t)SB * 2);
    float *dbase = buf(q, (size_t)SB), *dlog = buf(q, (size_t)B * A);
    if (q->failed)
        return;

    for (int t = 0; t < T; t++) {
        size_t o = (size_t)t * B;
        float *ht = h + o * H, *hn = h + (o + B) * H; /* h_{t}, h_{t+1} */
        q->step = t;
        fwd(q, "what", B, R, Hg, rho + o * R, R, w_what, hg + o * Hg, Hg,
            1.0f);
        fwd(q, "where", B, 2, Hl, loc + o * 2, 2, w_where, hl + o * Hl, Hl,
            1.0f);
        fwd(q, "out_g", B, Hg, G, hg + o * Hg, Hg, w_og, g + o * G, G, 1.0f);
        fwd(q, "out_l", B, Hl, G, hl + o * Hl, Hl, w_ol, g + o * G, G, 1.0f);
        fwd(q, "core ih", B, G, m, g + o * G, G, w_ih, gates + o * m, m,
            1.0f);
        fwd(q, "core hh", B, H, m, ht, H, w_hh, gates + o * m, m, 1.0f);
        fwd(q, "location", B, H, 2, hn, H, w_l, mean + o * 2, 2, 1.0f);
        fwd(q, "baseline", B, H, 1, hn, H, w_b, base + o, 1, 1.0f);
        if (t == T - 1)
            fwd(q, "action", B, H, A, hn, H, w_a, probs, A, 1.0f);
    }
    for (int t = T - 1; t >= 0; t--) {
        size_t o = (size_t)t * B;
        float *ht = h + o * H, *hn = h + (o + B) * H;
        float *dht = dh + o * H;
        q->step = t;
        if (t == T - 1) {
            bwd_w(q, "action dW", B, H, A, hn, H, dlog, A, g_a);
            bwd_x(q, "action dh", B, H, A, dlog, A, w_a, dht, H, 0.0f);
        }
        /* detached input */
        bwd_w(q, "baseline dW", B, H, 1, hn, H, dbase + o, 1, g_b);
        if (t < T - 1) { /* the last location is never used */
            bwd_w(q, "location dW", B, H, 2, hn, H, dmean + o * 2, 2, g_l);
            bwd_x(q, "location dh", B, H, 2, dmean + o * 2, 2, w_l, dht, H,
                  1.0f);
        }
        bwd_w(q, "core dW_hh", B, H, m, ht, H, dgates + o * m, m, g_hh);
        if (t > 0)
            bwd_x(q, "core dh", B, H, m, dgates + o * m, m, w_hh,
                  dht - (size_t)B * H, H, 1.0f);
        bwd_w(q, "core dW_ih", B, G, m, g + o * G, G, dgates + o * m, m,
              g_ih);
        bwd_x(q, "core dx", B, G, m, dgates + o * m, m, w_ih, dg + o * G, G,
              0.0f);
        bwd_w(q, "out_g dW", B, Hg, G, hg + o * Hg, Hg, dg + o * G, G, g_og);
        bwd_x(q, "out_g dx", B, Hg, G, dg + o * G, G, w_og, dhg + o * Hg, Hg,
              0.0f);
        bwd_w(q, "out_l dW", B, Hl, G, hl + o * Hl, Hl, dg + o * G, G, g_ol);
        bwd_x(q, "out_l dx", B, Hl, G, dg + o * G, G, w_ol, dhl + o * Hl, Hl,
              0.0f);
        bwd_w(q, "what dW", B, R, Hg, rho + o * R, R, dhg + o * Hg, Hg,
              g_what);
        bwd_w(q, "where dW", B, 2, Hl, loc + o * 2, 2, dhl + o * Hl, Hl,
              g_where);
    }
}

static void build_gemv(gemm_seq *q, const net_shape *s)
{
    const int R = s->R, Hg = s->Hg, Hl = s->Hl, hid = Hg + Hl, G = s->G;
    const int H = s->H, A = s->A, m = s->lstm ? 4 * H : H;
    float *w_what = buf(q, (size_t)Hg * R), *w_out = buf(q, (size_t)G * hid);
    float *w_x = buf(q, (size_t)m * G), *w_h = buf(q, (size_t)m * H);
    float *w_l = buf(q, 2 * (size_t)H), *w_a = buf(q, (size_t)A * H);
    float *rho = buf(q, (size_t)R), *tape = buf(q, (size_t)hid);
    float *g = buf(q, (size_t)G), *pre = buf(q, (size_t)m);
    float *h = buf(q, 2 * (size_t)H), *mean = buf(q, 2), *probs = buf(q, A);
    if (q->failed)
        return;
    for (int t = 0; t < s->T; t++) {
        float *hp = h + (size_t)(t & 1) * H, *hn = h + (size_t)(~t & 1) * H;
        q->step = t;
        gemv(q, "glimpse what", R, Hg, w_what, rho, tape, 1.0f);
        gemv(q, "glimpse out", hid, G, w_out, tape, g, 1.0f);
        gemv(q, "core W_x", G, m, w_x, g, pre, 1.0f);
        if (t > 0)
            gemv(q, "core W_h", H, m, w_h, hp, pre, 1.0f);
        gemv(q, "location", H, 2, w_l, hn, mean, 1.0f);
        gemv(q, "action", H, A, w_a, hn, probs, 1.0f);
    }
}

gemm_seq *gemm_seq_create(seq_kind kind, const net_shape *s, int batch)
{
    gemm_seq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->step = -1;
    q->narrow = kind == SEQ_TRAIN_OURS || kind == SEQ_FORWARD;
    switch (kind) {
    case SEQ_TRAIN_OURS:
        build_ours(q, s, batch, 1);
        break;
    case SEQ_TRAIN_PYTORCH:
        build_pytorch(q, s, batch);
        break;
    case SEQ_FORWARD:
        build_ours(q, s, batch, 0);
        break;
    case SEQ_GEMV:
        build_gemv(q, s);
        break;
    }
    if (q->failed) {
        gemm_seq_free(q);
        return NULL;
    }
    return q;
}

void gemm_seq_free(gemm_seq *q)
{
    if (!q)
        return;
    for (int i = 0; i < q->nbufs; i++)
        free(q->bufs[i]);
    free(q->bufs);
    free(q->ops);
    free(q);
}

void gemm_seq_run_call(const gemm_seq *q, int i)
{
    const op *o = &q->ops[i];
    if (o->gemv)
        cblas_sgemv(BENCH_ROW_MAJOR, o->ta, o->M, o->N, 1.0f, o->A, o->lda,
                    o->B, o->ldb, o->beta, o->C, o->ldc);
    else
        cblas_sgemm(BENCH_ROW_MAJOR, o->ta, o->tb, o->M, o->N, o->K, 1.0f,
                    o->A, o->lda, o->B, o->ldb, o->beta, o->C, o->ldc);
}

void gemm_seq_run(const gemm_seq *q)
{
    for (int i = 0; i < q->n; i++)
        gemm_seq_run_call(q, i);
}

void gemm_seq_call_info(const gemm_seq *q, int i, gemm_call *c)
{
    const op *o = &q->ops[i];
    *c = (gemm_call){o->what, o->step, o->gemv, o->ta == BENCH_TRANS,
                     o->tb == BENCH_TRANS, o->M, o->N, o->gemv ? 1 : o->K,
                     o->lda, o->ldb, o->ldc, o->beta,
                     2.0 * o->M * o->N * (o->gemv ? 1 : o->K)};
}

double gemm_seq_flops(const gemm_seq *q)
{
    return q->flops;
}

int gemm_seq_calls(const gemm_seq *q)
{
    return q->n;
}
