/* ram_agent_step() does not allocate at batch 1 after create.
 *
 * The test binary replaces malloc and friends with counting wrappers around
 * glibc's __libc_* functions. Sanitizer builds bring their own allocator, so
 * there the count is not available and the test is skipped (it still runs in
 * the plain `make check`). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ram/ram.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COUNTING 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
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
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static _Thread_local long allocations; /* per thread: tests may fork */
static _Thread_local unsigned long long bytes; /* requested, in total */

void *malloc(size_t n)
{
    allocations++;
    bytes += n;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    allocations++;
    bytes += (unsigned long long)n * m;
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    allocations++;
    bytes += n;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}
#endif

/* The calling thread's allocation count, for the other test files
 * (tests/test_alloc_handles.c); -1 when the allocator is not counted. */
long ram_test_allocations(void);
long ram_test_allocations(void)
{
#if COUNTING
    return allocations;
#else
    return -1;
#endif
}

/* [hardening] The bytes the calling thread requested from malloc, calloc
 * and realloc (a realloc counts its new size), for the load limits test
 * (tests/test_model_limits.c); -1 when the allocator is not counted. */
long long ram_test_bytes(void);
long long ram_test_bytes(void)
{
#if COUNTING
    return (long long)bytes;
#else
    return -1;
#endif
}

START_TEST(step_does_not_allocate_at_batch_1)
{
#if !COUNTING
    return; /* allocator replaced by the sanitizer */
#else
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_CORE, _i ? RAM_CORE_LSTM : RAM_CORE_RNN),
                     RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_ACTION_MODE,
                                    _i ? RAM_ACTION_CONTROL : RAM_ACTION_CLASSIFY),
                     RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_SCALES, 3), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    static unsigned char img[60 * 60];
    for (int i = 0; i < 60 * 60; i++)
        img[i] = (unsigned char)(i * 13);
    float loc[2], probs[10];
    int act;
    /* No Check assertion inside the counted region: Check itself allocates
     * when it records an assertion. Failures are collected instead. */
    int bad = 0;
    long used = 0;
    bad |= ram_agent_set_input(a, RAM_PIXEL_U8, 60, 60, 60, 3600);
    for (int ep = 0; ep < 3; ep++) {
        unsigned flags = ep == 1 ? RAM_BEGIN_TRAIN : 0;
        long before = allocations;
        bad |= ram_agent_begin(a, 1, flags);
        for (int t = 0; t < 6; t++)
            bad |= ram_agent_step(a, img, sizeof img, loc, probs, &act);
        bad |= ram_agent_location(a, loc);
        used += allocations - before;
        /* end() and update() run larger matrix products; a threaded BLAS
         * may allocate inside them, which is outside libram's control. */
        bad |= ram_agent_end(a, NULL);
    }
    bad |= ram_agent_update(a);
    ck_assert_int_eq(bad, RAM_OK);
    ck_assert_msg(used == 0, "%ld allocations in begin/step at batch 1", used);
    /* The counter itself works. */
    long mark = allocations;
    void *volatile p = malloc(16);
    /* GCC assumes that malloc changes no variable of the program and may
     * reuse the value read before the call: a compiler barrier. */
    __asm__ volatile("" ::: "memory");
    long one = allocations - mark;
    free(p);
    ck_assert_int_eq(one, 1);
    ram_agent_free(a);
#endif
}
END_TEST

Suite *suite_alloc(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("batch1");
    tcase_add_loop_test(tc, step_does_not_allocate_at_batch_1, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
