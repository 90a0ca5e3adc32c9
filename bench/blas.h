/* ram-bench: the CBLAS provider, found at run time through weak symbols so
 * that the bench links with any provider (OpenBLAS, BLIS, MKL, netlib). */
#ifndef RAM_BENCH_BLAS_H
#define RAM_BENCH_BLAS_H

/* The two CBLAS routines the limits are measured with. Declared here rather
 * than through <cblas.h>, whose location depends on the provider. Row-major
 * and transposition constants are the standard CBLAS values. */
enum { BENCH_ROW_MAJOR = 101, BENCH_NO_TRANS = 111, BENCH_TRANS = 112 };
void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha,
                 const float *a, int lda, const float *b, int ldb, float beta,
                 float *c, int ldc);
void cblas_sgemv(int order, int ta, int m, int n, float alpha, const float *a,
                 int lda, const float *x, int incx, float beta, float *y,
                 int incy);

/** If OpenBLAS chose a kernel without AVX-512 on a CPU that has it and
 *  OPENBLAS_CORETYPE is unset, re-executes the program with
 *  OPENBLAS_CORETYPE=SKYLAKEX (returns only if it did not). */
void bench_blas_maybe_reexec(char **argv);
/** A note about the re-execution, or NULL if there was none. */
const char *bench_blas_reexec_note(void);

/** Provider, version and kernel in one line, e.g.
 *  "OpenBLAS 0.3.21 ... | kernel SkylakeX | pthreads". */
const char *bench_blas_describe(void);
/** Short provider name: "OpenBLAS", "BLIS", "MKL" or "unknown". */
const char *bench_blas_name(void);
/** Thread settings (environment and the provider's count). */
const char *bench_blas_threads_describe(void);
/** Set the provider's thread count; returns 0 if it has no control. */
int bench_blas_set_threads(int n);

#endif /* RAM_BENCH_BLAS_H */
