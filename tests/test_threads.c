/* Threads (issue 22): several agents in several threads at once, training
 * and inferring, sharing one sensor and one read-only image batch; each
 * thread's results equal a single-threaded run with the same seed, bit
 * for bit. `make check-tsan` runs this under ThreadSanitizer. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ram/ram.h"

enum { THREADS = 4, W = 28, H = 28, B = 4, ROUNDS = 3 };

static unsigned char images[B * W * H];
static ram_sensor *shared_sensor;

typedef struct job {
    int64_t seed;
    int mode; /* ram_action_mode */
    uint64_t hash;  /* of the parameters after training, the inference
                       outputs and the shared sensor's glimpses */
    int status;
} job;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 0x100000001b3u;
    return h;
}

static void *run(void *arg)
{
    job *j = arg;
    ram_config *cfg;
    ram_agent *a = NULL;
    uint64_t h = 0xcbf29ce484222325u;
    int rc = ram_config_create(&cfg);
    if (rc == RAM_OK) {
        ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 32);
        ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 16);
        ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 48);
        ram_config_set(cfg, RAM_CFG_HIDDEN, 40);
        ram_config_set(cfg, RAM_CFG_SCALES, 2);
        ram_config_set(cfg, RAM_CFG_CORE,
                       j->mode == RAM_ACTION_CONTROL ? RAM_CORE_LSTM
                                                     : RAM_CORE_RNN);
        ram_config_set(cfg, RAM_CFG_ACTION_MODE, j->mode);
        ram_config_set(cfg, RAM_CFG_SEED, j->seed);
        rc = ram_agent_create(&a, cfg);
        ram_config_free(cfg);
    }
    if (rc == RAM_OK)
        rc = ram_agent_set_input(a, RAM_PIXEL_U8, W, H, W, W * H);
    int labels[B] = {1, 2, 3, 4};
    float rewards[B] = {1.0f, 0.0f, -1.0f, 0.5f};
    float loc[2 * B], probs[10 * B];
    int act[B];
    for (int r = 0; r < ROUNDS && rc == RAM_OK; r++) {
        rc = ram_agent_begin(a, B, RAM_BEGIN_TRAIN);
        for (int t = 0; t < 6 && rc == RAM_OK; t++) {
            rc = ram_agent_step(a, images, sizeof images, loc, probs, act);
            if (rc == RAM_OK)
                rc = ram_agent_reward(a, rewards);
            /* The shared sensor, at this thread's locations. */
            float g[2 * 64 * B];
            if (rc == RAM_OK)
                rc = ram_sensor_glimpse(shared_sensor, B, images,
                                        RAM_PIXEL_U8, W, H, W, W * H, loc, g);
            h = fnv(h, g, sizeof g);
        }
        if (rc == RAM_OK)
            rc = ram_agent_end(a, labels);
        if (rc == RAM_OK)
            rc = ram_agent_update(a);
    }
    /* Inference. */
    if (rc == RAM_OK)
        rc = ram_agent_begin(a, B, 0);
    for (int t = 0; t < 6 && rc == RAM_OK; t++) {
        rc = ram_agent_step(a, images, sizeof images, loc, probs, act);
        h = fnv(h, loc, sizeof loc);
        h = fnv(h, probs, sizeof probs);
        h = fnv(h, act, sizeof act);
    }
    if (rc == RAM_OK)
        rc = ram_agent_end(a, NULL);
    if (rc == RAM_OK) {
        float *p;
        size_t n;
        ram_agent_params(a, &p, NULL, &n);
        h = fnv(h, p, n * sizeof(float));
    }
    ram_agent_free(a);
    j->hash = h;
    j->status = rc;
    return NULL;
}

START_TEST(threads_equal_single_threaded)
{
    for (int i = 0; i < B * W * H; i++)
        images[i] = (unsigned char)((i * 2654435761u) >> 24);
    ck_assert_int_eq(ram_sensor_create(&shared_sensor, 8, 2, 1), RAM_OK);
    job single[THREADS], multi[THREADS];
    for (int k = 0; k < THREADS; k++) {
        single[k] = (job){100 + k,
                          k & 1 ? RAM_ACTION_CONTROL : RAM_ACTION_CLASSIFY, 0,
                          -1};
        multi[k] = single[k];
        run(&single[k]);
        ck_assert_int_eq(single[k].status, RAM_OK);
    }
    pthread_t th[THREADS];
    for (int k = 0; k < THREADS; k++)
        ck_assert_int_eq(pthread_create(&th[k], NULL, run, &multi[k]), 0);
    for (int k = 0; k < THREADS; k++)
        ck_assert_int_eq(pthread_join(th[k], NULL), 0);
    for (int k = 0; k < THREADS; k++) {
        ck_assert_int_eq(multi[k].status, RAM_OK);
        ck_assert_msg(multi[k].hash == single[k].hash,
                      "thread %d differs from its single-threaded run", k);
    }
    /* Different seeds give different runs (the hash sees them). */
    ck_assert(single[0].hash != single[2].hash);
    ram_sensor_free(shared_sensor);
}
END_TEST

Suite *suite_threads(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, threads_equal_single_threaded);
    suite_add_tcase(s, tc);
    return s;
}
