/* ram-bench: counting allocator wrappers (see alloc.h). The pattern is
 * tests/test_alloc.c's, extended with live-byte accounting. */
#include "alloc.h"

#include <errno.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COUNTING 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
#define COUNTING 0
#endif
#endif
#if !defined(COUNTING) && defined(__GLIBC__)
#define COUNTING 1
#endif
#ifndef COUNTING
#define COUNTING 0
#endif

#if COUNTING
#include <stdlib.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
extern size_t malloc_usable_size(void *);

static long calls;
static long long live;

static void add(long n, long long bytes)
{
    __atomic_add_fetch(&calls, n, __ATOMIC_RELAXED);
    __atomic_add_fetch(&live, bytes, __ATOMIC_RELAXED);
}

static long long usable(void *p)
{
    return p ? (long long)malloc_usable_size(p) : 0;
}

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    add(1, usable(p));
    return p;
}

void *calloc(size_t n, size_t m)
{
    void *p = __libc_calloc(n, m);
    add(1, usable(p));
    return p;
}

void *realloc(void *p, size_t n)
{
    long long old = usable(p);
    void *q = __libc_realloc(p, n);
    if (q)
        add(1, usable(q) - old);
    else if (p && n == 0) /* freed */
        add(1, -old);
    else
        add(1, 0);
    return q;
}

void free(void *p)
{
    if (p)
        add(0, -usable(p));
    __libc_free(p);
}

void *memalign(size_t align, size_t n);
void *memalign(size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    add(1, usable(p));
    return p;
}

void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

int bench_alloc_counting(void)
{
    return 1;
}

long bench_alloc_calls(void)
{
    return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}

long long bench_alloc_live(void)
{
    return __atomic_load_n(&live, __ATOMIC_RELAXED);
}

#else

int bench_alloc_counting(void)
{
    return 0;
}

long bench_alloc_calls(void)
{
    return 0;
}

long long bench_alloc_live(void)
{
    return 0;
}

#endif
