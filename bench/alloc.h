/* ram-bench: counting replacements of the C allocator (glibc only).
 *
 * malloc, calloc, realloc, free and the aligned variants are replaced in the
 * bench binary by wrappers around glibc's __libc_* functions. They count
 * calls (all threads) and the live heap bytes (usable sizes), so that the
 * bench can show that ram_agent_step() never allocates and how much memory an
 * agent holds. Elsewhere (another C library, a sanitizer) nothing is counted
 * and bench_alloc_counting() returns 0. */
#ifndef RAM_BENCH_ALLOC_H
#define RAM_BENCH_ALLOC_H

#include <stddef.h>

/** 1 if the wrappers are active. */
int bench_alloc_counting(void);
/** Allocation calls so far (malloc, calloc, realloc, memalign, ...). */
long bench_alloc_calls(void);
/** Live heap bytes (usable sizes of the blocks not yet freed). */
long long bench_alloc_live(void);

#endif /* RAM_BENCH_ALLOC_H */
