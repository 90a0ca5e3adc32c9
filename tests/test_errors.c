/* ram_last_error(): the detail of the calling thread's last failure. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ram/ram.h"

START_TEST(test_detail_names_function_and_reason)
{
    ram_config *cfg = NULL;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, 9999, 1), RAM_E_INVALID);
    const char *d = ram_last_error();
    ck_assert_ptr_nonnull(d);
    ck_assert_msg(strstr(d, "ram_config_set") != NULL, "detail: %s", d);
    ck_assert_msg(strstr(d, "RAM_E_INVALID") != NULL, "detail: %s", d);
    ck_assert_msg(strstr(d, "9999") != NULL, "detail: %s", d);
    /* A successful call leaves the detail as it was. */
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_PATCH, 3), RAM_OK);
    ck_assert_str_eq(ram_last_error(), d);
    ck_assert_int_eq(ram_config_set(NULL, RAM_CFG_PATCH, 3), RAM_E_INVALID);
    ck_assert_msg(strstr(ram_last_error(), "cfg is NULL") != NULL, "detail: %s",
                  ram_last_error());
    ram_config_free(cfg);
}
END_TEST

/* Two threads fail in different ways, alternately; each reads its own. */
struct thread_arg {
    int key;
    int rounds;
    int ok;
    pthread_barrier_t *barrier;
};

static void *fail_loop(void *p)
{
    struct thread_arg *a = p;
    char want[32];
    snprintf(want, sizeof want, "key %d ", a->key);
    a->ok = strcmp(ram_last_error(), "") == 0;
    ram_config *cfg = NULL;
    if (ram_config_create(&cfg) != RAM_OK)
        a->ok = 0;
    for (int i = 0; i < a->rounds && a->ok; i++) {
        pthread_barrier_wait(a->barrier);
        if (ram_config_set(cfg, a->key, 1) != RAM_E_INVALID)
            a->ok = 0;
        pthread_barrier_wait(a->barrier);
        if (strstr(ram_last_error(), want) == NULL)
            a->ok = 0;
    }
    /* Keep the barrier count right if this thread stopped early. */
    ram_config_free(cfg);
    return NULL;
}

START_TEST(test_detail_is_per_thread)
{
    pthread_barrier_t barrier;
    ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, 2), 0);
    struct thread_arg a = {7001, 200, 0, &barrier};
    struct thread_arg b = {7002, 200, 0, &barrier};
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, fail_loop, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, fail_loop, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&barrier);
    ck_assert_msg(a.ok && b.ok, "each thread must read its own detail");
}
END_TEST

Suite *suite_errors(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("last_error");
    tcase_add_test(tc, test_detail_names_function_and_reason);
    tcase_add_test(tc, test_detail_is_per_thread);
    suite_add_tcase(s, tc);
    return s;
}
