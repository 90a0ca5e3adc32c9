/* The C side of step_bench.py: the batch-1 ram_agent_step() of a control
 * loop, timed per episode of STEPS steps (begin and end untimed), for the
 * median per step. usage: step_bench MODEL|tiny EPISODES -> prints
 * "median_ns mean_ns" per step. Keep in step with step_bench.py. */
#define _POSIX_C_SOURCE 200809L
#include <ram/ram.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIZE 24

static int fail(const char *what, int rc)
{
    fprintf(stderr, "step_bench: %s: %s (%s)\n", what, ram_strerror(rc), ram_last_error());
    return 1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int episodes = atoi(argv[2]), rc;
    ram_agent *a;
    if (strcmp(argv[1], "tiny") == 0) {
        ram_config *cfg;
        if ((rc = ram_config_create(&cfg)) != RAM_OK)
            return fail("config", rc);
        static const int64_t set[][2] = {
            {RAM_CFG_PATCH, 2}, {RAM_CFG_GLIMPSE_WHAT, 4}, {RAM_CFG_GLIMPSE_WHERE, 4},
            {RAM_CFG_GLIMPSE_SIZE, 4}, {RAM_CFG_HIDDEN, 4}, {RAM_CFG_ACTIONS, 3},
            {RAM_CFG_ACTION_MODE, RAM_ACTION_CONTROL}, {RAM_CFG_MAX_STEPS, 23},
            {RAM_CFG_TRAINABLE, 0}};
        for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
            if ((rc = ram_config_set(cfg, (int)set[i][0], set[i][1])) != RAM_OK)
                return fail("config_set", rc);
        rc = ram_agent_create(&a, cfg);
        ram_config_free(cfg);
    } else {
        rc = ram_agent_load_file(&a, argv[1], RAM_LOAD_INFERENCE);
    }
    if (rc != RAM_OK)
        return fail("agent", rc);
    int64_t steps;
    ram_agent_get_config(a, RAM_CFG_MAX_STEPS, &steps);
    static float screen[SIZE * SIZE];
    for (int i = 0; i < SIZE * SIZE; i++)
        screen[i] = (i * 37) % 11 == 0 ? 64.0f : 0.0f;
    if ((rc = ram_agent_set_input(a, RAM_PIXEL_F32, SIZE, SIZE, SIZE * sizeof(float),
                                  SIZE * SIZE * sizeof(float))) != RAM_OK)
        return fail("set_input", rc);
    ram_agent_seed(a, 1);
    double *per = malloc((size_t)episodes * sizeof *per), sum = 0;
    float loc[2];
    int action;
    for (int e = 0; e < episodes; e++) {
        if ((rc = ram_agent_begin(a, 1, 0)) != RAM_OK)
            return fail("begin", rc);
        double t0 = now();
        for (int t = 0; t < steps; t++)
            if ((rc = ram_agent_step(a, screen, sizeof screen, loc, NULL, &action)) != RAM_OK)
                return fail("step", rc);
        per[e] = (now() - t0) / (double)steps;
        sum += per[e];
        ram_agent_end(a, NULL);
    }
    qsort(per, (size_t)episodes, sizeof *per, cmp);
    printf("%.0f %.0f\n", per[episodes / 2], sum / episodes);
    free(per);
    ram_agent_free(a);
    return 0;
}
