/* ram-bench: the CBLAS provider at run time (see blas.h). */
#define _GNU_SOURCE /* dladdr */
#include "blas.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* OpenBLAS */
extern char *openblas_get_config(void) __attribute__((weak));
extern char *openblas_get_corename(void) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));
extern int openblas_get_parallel(void) __attribute__((weak));
extern void openblas_set_num_threads(int) __attribute__((weak));
/* BLIS */
extern const char *bli_info_get_version_str(void) __attribute__((weak));
extern int bli_arch_query_id(void) __attribute__((weak));
extern const char *bli_arch_string(int) __attribute__((weak));
extern long bli_thread_get_num_threads(void) __attribute__((weak));
extern void bli_thread_set_num_threads(long) __attribute__((weak));
extern long bli_info_get_enable_openmp(void) __attribute__((weak));
extern long bli_info_get_enable_pthreads(void) __attribute__((weak));
/* MKL */
extern int mkl_get_max_threads(void) __attribute__((weak));
extern void mkl_set_num_threads(int) __attribute__((weak));

#define REEXEC_MARK "RAM_BENCH_REEXEC_FROM"

static int has_avx512(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
#else
    return 0;
#endif
}

static int avx512_kernel(const char *core)
{
    static const char *const names[] = {"skylakex", "cooperlake",
                                        "sapphirerapids"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(core, names[i]) == 0)
            return 1;
    return 0;
}

void bench_blas_maybe_reexec(char **argv)
{
    if (!openblas_get_corename || getenv("OPENBLAS_CORETYPE"))
        return;
    const char *core = openblas_get_corename();
    if (!core || avx512_kernel(core) || !has_avx512())
        return;
    setenv(REEXEC_MARK, core, 1);
    setenv("OPENBLAS_CORETYPE", "SKYLAKEX", 1);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    /* Could not: carry on with the default kernel. */
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv(REEXEC_MARK);
}

const char *bench_blas_reexec_note(void)
{
    static char note[256];
    const char *from = getenv(REEXEC_MARK);
    if (!from)
        return NULL;
    snprintf(note, sizeof note,
             "OpenBLAS chose kernel '%s' on this AVX-512 CPU; re-executed with "
             "OPENBLAS_CORETYPE=SKYLAKEX (--no-reexec keeps the default)",
             from);
    return note;
}

const char *bench_blas_name(void)
{
    if (openblas_get_config)
        return "OpenBLAS";
    if (bli_info_get_version_str)
        return "BLIS";
    if (mkl_get_max_threads)
        return "MKL";
    Dl_info info;
    if (dladdr((void *)cblas_sgemm, &info) && info.dli_fname &&
        strstr(info.dli_fname, "/blas/libblas"))
        return "reference BLAS (netlib)";
    return "unknown";
}

const char *bench_blas_describe(void)
{
    static char d[512];
    char lib[256] = "?";
    Dl_info info;
    if (dladdr((void *)cblas_sgemm, &info) && info.dli_fname)
        snprintf(lib, sizeof lib, "%s", info.dli_fname);
    if (openblas_get_config) {
        const char *par = "?";
        if (openblas_get_parallel)
            par = openblas_get_parallel() == 0   ? "sequential"
                  : openblas_get_parallel() == 1 ? "pthreads"
                                                 : "OpenMP";
        snprintf(d, sizeof d, "%s | kernel %s | %s | %s",
                 openblas_get_config(),
                 openblas_get_corename ? openblas_get_corename() : "?", par,
                 lib);
    } else if (bli_info_get_version_str) {
        const char *arch = bli_arch_string && bli_arch_query_id
                               ? bli_arch_string(bli_arch_query_id())
                               : "?";
        const char *par = "?";
        if (bli_info_get_enable_openmp && bli_info_get_enable_openmp())
            par = "OpenMP";
        else if (bli_info_get_enable_pthreads &&
                 bli_info_get_enable_pthreads())
            par = "pthreads";
        else if (bli_info_get_enable_openmp)
            par = "sequential";
        snprintf(d, sizeof d, "BLIS %s | kernel %s | %s | %s",
                 bli_info_get_version_str(), arch, par, lib);
    } else {
        snprintf(d, sizeof d, "%s | %s", bench_blas_name(), lib);
    }
    return d;
}

const char *bench_blas_threads_describe(void)
{
    static char d[256];
    static const char *const vars[] = {"OPENBLAS_NUM_THREADS",
                                       "BLIS_NUM_THREADS", "OMP_NUM_THREADS",
                                       "OPENBLAS_CORETYPE"};
    size_t o = 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && o < sizeof d)
            o += (size_t)snprintf(d + o, sizeof d - o, "%s=%s ", vars[i], v);
    }
    if (o == 0)
        o += (size_t)snprintf(d, sizeof d, "no thread variables set; ");
    if (o < sizeof d) {
        if (openblas_get_num_threads)
            snprintf(d + o, sizeof d - o, "OpenBLAS default threads %d",
                     openblas_get_num_threads());
        else if (bli_thread_get_num_threads && bli_thread_get_num_threads() > 0)
            snprintf(d + o, sizeof d - o, "BLIS default threads %ld",
                     bli_thread_get_num_threads());
        else if (bli_thread_get_num_threads)
            snprintf(d + o, sizeof d - o, "BLIS threads unset (1)");
        else if (mkl_get_max_threads)
            snprintf(d + o, sizeof d - o, "MKL default threads %d",
                     mkl_get_max_threads());
        else
            snprintf(d + o, sizeof d - o, "no thread control");
    }
    return d;
}

int bench_blas_set_threads(int n)
{
    if (openblas_set_num_threads) {
        openblas_set_num_threads(n);
        return 1;
    }
    if (bli_thread_set_num_threads) {
        bli_thread_set_num_threads(n);
        return 1;
    }
    if (mkl_set_num_threads) {
        mkl_set_num_threads(n);
        return 1;
    }
    return 0;
}
