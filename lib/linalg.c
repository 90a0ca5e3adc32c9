/* libram: the matrix products, as CBLAS calls. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "internal.h"

/* Layers with at most this many outputs use sgemv, not sgemm. */
#define RAM_NARROW_OUT 2

void ram__linear_fwd(size_t n, size_t in, size_t out, const float *x,
                     size_t ldx, const float *w, const float *b, float *y,
                     size_t ldy, int accumulate)
{
    float beta = 0.0f;
    if (!accumulate && b) {
        for (size_t r = 0; r < n; r++)
            memcpy(y + r * ldy, b, out * sizeof(float));
        beta = 1.0f;
    } else if (accumulate) {
        beta = 1.0f;
    }
    /* One row (batch 1, a control loop): sgemv. Some OpenBLAS kernels
     * (Zen in 0.3.21) take several times longer for sgemm with M = 1. */
    if (n == 1) {
        /* y zeroed first: some sgemv versions scale y by beta = 0 as a
         * product, so a NaN left in y would survive. */
        if (beta == 0.0f)
            memset(y, 0, out * sizeof(float));
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)out, (int)in, 1.0f, w,
                    (int)in, x, 1, beta, y, 1);
    } else if (out <= RAM_NARROW_OUT) {
        /* The baseline and location heads (1 and 2 units): one sgemv per
         * unit over the n rows. OpenBLAS's sgemm with N <= 2 runs at 2 to 8
         * GFLOP/s (30 for the wide layers); sgemv takes a third to a half
         * of its time at n = 100 and 800 (measured on the EPYC). */
        if (beta == 0.0f)
            for (size_t r = 0; r < n; r++)
                memset(y + r * ldy, 0, out * sizeof(float));
        for (size_t j = 0; j < out; j++)
            cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)in, 1.0f,
                        x, (int)ldx, w + j * in, 1, beta, y + j, (int)ldy);
    } else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n,
                    (int)out, (int)in, 1.0f, x, (int)ldx, w, (int)in, beta,
                    y, (int)ldy);
}

RAM_CLONES
void ram__linear_bwd_params(size_t n, size_t in, size_t out, const float *x,
                            size_t ldx, const float *dy, size_t lddy,
                            float *dw, float *db)
{
    if (n == 1)
        cblas_sger(CblasRowMajor, (int)out, (int)in, 1.0f, dy, 1, x, 1, dw,
                   (int)in);
    else if (out <= RAM_NARROW_OUT)
        for (size_t j = 0; j < out; j++) /* dw_j += x^T dy_j */
            cblas_sgemv(CblasRowMajor, CblasTrans, (int)n, (int)in, 1.0f, x,
                        (int)ldx, dy + j, (int)lddy, 1.0f, dw + j * in, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)out,
                    (int)in, (int)n, 1.0f, dy, (int)lddy, x, (int)ldx, 1.0f,
                    dw, (int)in);
    if (db) {
        for (size_t r = 0; r < n; r++) {
            const float *d = dy + r * lddy;
            for (size_t j = 0; j < out; j++)
                db[j] += d[j];
        }
    }
}

void ram__linear_bwd_input(size_t n, size_t in, size_t out, const float *dy,
                           size_t lddy, const float *w, float *dx,
                           size_t lddx, int accumulate)
{
    const float beta = accumulate ? 1.0f : 0.0f;
    if (n == 1) {
        if (beta == 0.0f) /* as in ram__linear_fwd */
            memset(dx, 0, in * sizeof(float));
        cblas_sgemv(CblasRowMajor, CblasTrans, (int)out, (int)in, 1.0f, w,
                    (int)in, dy, 1, beta, dx, 1);
    } else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n,
                    (int)in, (int)out, 1.0f, dy, (int)lddy, w, (int)in, beta,
                    dx, (int)lddx);
}

RAM_CLONES
int ram__all_finite(const float *x, size_t n)
{
    /* Adding 1 to the exponent field carries into the top bit exactly when
     * the exponent is all ones (Inf or NaN). Eight OR-ed lanes vectorise. */
    uint32_t lane[8] = {0}, any = 0;
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (size_t t = 0; t < 8; t++) {
            uint32_t w;
            memcpy(&w, x + j + t, sizeof w);
            lane[t] |= (w & 0x7f800000u) + 0x00800000u;
        }
    for (; j < n; j++) {
        uint32_t w;
        memcpy(&w, x + j, sizeof w);
        any |= (w & 0x7f800000u) + 0x00800000u;
    }
    for (size_t t = 0; t < 8; t++)
        any |= lane[t];
    return (any & 0x80000000u) == 0;
}

RAM_CLONES
int ram__all_pixels_ok(const float *x, size_t n)
{
    /* |x| <= RAM_PIXEL_F32_MAX (2^24, bits 0x4b800000) on the bits: adding
     * 0x7fffffff - 0x4b800000 to the magnitude carries into the top bit
     * exactly when it is larger (NaN and Inf included). */
    const uint32_t k = 0x7fffffffu - 0x4b800000u;
    uint32_t lane[8] = {0}, any = 0;
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (size_t t = 0; t < 8; t++) {
            uint32_t w;
            memcpy(&w, x + j + t, sizeof w);
            lane[t] |= (w & 0x7fffffffu) + k;
        }
    for (; j < n; j++) {
        uint32_t w;
        memcpy(&w, x + j, sizeof w);
        any |= (w & 0x7fffffffu) + k;
    }
    for (size_t t = 0; t < 8; t++)
        any |= lane[t];
    return (any & 0x80000000u) == 0;
}

void ram__params_out(float *p, float *g, size_t count, float **params,
                     float **grads, size_t *cnt)
{
    if (params)
        *params = p;
    if (grads)
        *grads = g;
    if (cnt)
        *cnt = count;
}

void ram__zero(float *x, size_t n)
{
    if (x)
        memset(x, 0, n * sizeof(float));
}

int ram__rows_ok(size_t n)
{
    return n >= 1 && n <= RAM_MAX_ROWS;
}

int ram__beta_prep(float *x, size_t count, float beta)
{
    if (beta == 0.0f)
        return 0;
    if (beta != 1.0f)
        for (size_t i = 0; i < count; i++)
            x[i] *= beta;
    return 1;
}
