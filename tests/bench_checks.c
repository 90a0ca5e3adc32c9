/* bench-checks: the time of a training step (batch 100) and of an
 * inference step at batch 1, on the paper's mnist28 RNN, for `make
 * bench-checks`, which links this program twice, with the library as
 * built and with the finite checks compiled out (-DRAM_NO_FINITE_CHECKS),
 * and runs the two alternately (docs/reliability.md). Not a test.
 * usage: bench-checks [SECONDS per figure] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ram/ram.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

#define CK(call)                                                               \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ != RAM_OK) {                                                   \
            fprintf(stderr, "%s: %s\n", #call, ram_last_error());             \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    enum { B = 100, T = 6, W = 28 };
    static unsigned char img[B * W * W];
    for (int i = 0; i < B * W * W; i++)
        img[i] = (unsigned char)((i * 2654435761u) >> 24);
    ram_config *cfg;
    ram_agent *a;
    CK(ram_config_create(&cfg));
    CK(ram_agent_create(&a, cfg)); /* the defaults: the paper's mnist28 */
    ram_config_free(cfg);
    CK(ram_agent_set_input(a, RAM_PIXEL_U8, W, W, W, W * W));
    int labels[B];
    float rewards[B], probs[10 * B];
    for (int b = 0; b < B; b++)
        labels[b] = b % 10, rewards[b] = (float)(b % 2);
    /* Training steps: begin, T steps with rewards, end, update. */
    double times[4096];
    int n = 0;
    double t_end = now() + seconds;
    while ((now() < t_end || n < 5) && n < 4096) {
        double t0 = now();
        CK(ram_agent_begin(a, B, RAM_BEGIN_TRAIN));
        for (int t = 0; t < T; t++) {
            CK(ram_agent_step(a, img, sizeof img, NULL,
                              t == T - 1 ? probs : NULL, NULL));
            CK(ram_agent_reward(a, rewards));
        }
        CK(ram_agent_end(a, labels));
        CK(ram_agent_update(a));
        times[n++] = now() - t0;
    }
    qsort(times, (size_t)n, sizeof *times, cmp);
    double train = times[n / 2];
    /* Inference steps at batch 1. */
    n = 0;
    t_end = now() + seconds;
    while ((now() < t_end || n < 5) && n < 4096) {
        CK(ram_agent_begin(a, 1, 0));
        double t0 = now();
        for (int t = 0; t < T; t++)
            CK(ram_agent_step(a, img, W * W, NULL,
                              t == T - 1 ? probs : NULL, NULL));
        times[n++] = (now() - t0) / T;
        CK(ram_agent_end(a, NULL));
    }
    qsort(times, (size_t)n, sizeof *times, cmp);
    printf("train_ms %.4f step_us %.3f\n", 1e3 * train, 1e6 * times[n / 2]);
    ram_agent_free(a);
    return 0;
}
