/* ram-bench: the matrix products of one training step (or inference step),
 * replayed through cblas_sgemm / cblas_sgemv alone, as the limits that the
 * library's figures are compared with.
 *
 * The lists follow the kernels in lib/glimpse.c, lib/core.c, lib/location.c,
 * lib/action.c, lib/baseline.c and lib/agent.c (shapes, transpositions,
 * leading dimensions, beta), not the library's code: the bench measures what
 * a step needs, so it needs no change when the library gets faster. */
#ifndef RAM_BENCH_GEMMSEQ_H
#define RAM_BENCH_GEMMSEQ_H

#include <stddef.h>

/** The network's sizes. m = H (RNN) or 4H (LSTM). */
typedef struct net_shape {
    int R, Hg, Hl, G, H, A, T, lstm;
} net_shape;

typedef enum seq_kind {
    /** libram's training step: per step the glimpse what-layer, the fused
     *  out-layer [h_g|h_l] -> G, core W_x and W_h (not at t = 0, h_0 = 0),
     *  location and action heads; backward: baseline over T*B rows, action
     *  and location heads, the recurrent dh GEMM per step, then every
     *  weight-gradient and input-gradient GEMM once over the T*B rows. */
    SEQ_TRAIN_OURS,
    /** What a straightforward PyTorch RAM issues: per step separate Linear
     *  layers (what, where, two out layers summed, core input and hidden
     *  even at t = 0, location, baseline; action at the last step), and in
     *  the backward pass one grad-weight GEMM (K = B) and one grad-input
     *  GEMM per layer per step. */
    SEQ_TRAIN_PYTORCH,
    /** libram's inference episode at batch B: the forward half of
     *  SEQ_TRAIN_OURS. */
    SEQ_FORWARD,
    /** libram's inference episode at batch 1 as cblas_sgemv calls. */
    SEQ_GEMV
} seq_kind;

typedef struct gemm_seq gemm_seq;

/** Build the list for `batch` rows; NULL on allocation failure. */
gemm_seq *gemm_seq_create(seq_kind kind, const net_shape *s, int batch);
void gemm_seq_free(gemm_seq *q);
/** Issue every product once. */
void gemm_seq_run(const gemm_seq *q);
/** Multiply-adds x 2 of one run. */
double gemm_seq_flops(const gemm_seq *q);
/** Number of BLAS calls of one run. */
int gemm_seq_calls(const gemm_seq *q);

/** One call of the list, for --gemm-calls. Row-major: C[M x N] = op(A)
 *  op(B) + beta C with inner dimension K (sgemv: y[M] = A[M x N] x, K 1). */
typedef struct gemm_call {
    const char *what; /* layer and product, e.g. "core W_h" */
    int step;         /* its step, or -1 for a product over all steps */
    int gemv, ta, tb; /* ta/tb: op(A)/op(B) transposed */
    int M, N, K, lda, ldb, ldc;
    float beta;
    double flops;
} gemm_call;

/** Describe call i (0 .. gemm_seq_calls - 1). */
void gemm_seq_call_info(const gemm_seq *q, int i, gemm_call *c);
/** Issue call i alone. */
void gemm_seq_run_call(const gemm_seq *q, int i);

#endif /* RAM_BENCH_GEMMSEQ_H */
