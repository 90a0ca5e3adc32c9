/* libram fuzz targets: shared checks. A broken promise aborts, which
 * libFuzzer reports as a crash (with the input that caused it). */
#ifndef RAM_FUZZ_H
#define RAM_FUZZ_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ram/ram.h"

#define FUZZ_ASSERT(cond, ...)                                                 \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                      \
            fprintf(stderr, " (last error: %s)\n", ram_last_error());         \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* Every status is one of the pinned codes, and a failure has a detail. */
static inline void fuzz_status(int rc)
{
    FUZZ_ASSERT(rc >= RAM_OK && rc <= RAM_E_UNSUPPORTED, "status %d", rc);
    if (rc != RAM_OK)
        FUZZ_ASSERT(ram_last_error()[0] != '\0', "no detail for %d", rc);
}

static inline int fuzz_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* A short episode on a loaded or created agent, checking the promises: a
 * RAM_OK step has finite outputs, a RAM_OK update leaves every parameter
 * finite, a refused update changes no parameter. pix: bytes for the
 * pixels (cycled). */
static inline void fuzz_episode(ram_agent *a, const unsigned char *pix,
                                size_t npix, int train, size_t batch,
                                const float *rewards)
{
    int64_t w = 0, h = 0, fmt = 0, C = 1, A = 2, T = 1;
    ram_agent_get_config(a, RAM_CFG_INPUT_WIDTH, &w);
    ram_agent_get_config(a, RAM_CFG_INPUT_HEIGHT, &h);
    ram_agent_get_config(a, RAM_CFG_INPUT_FORMAT, &fmt);
    ram_agent_get_config(a, RAM_CFG_CHANNELS, &C);
    ram_agent_get_config(a, RAM_CFG_ACTIONS, &A);
    ram_agent_get_config(a, RAM_CFG_MAX_STEPS, &T);
    if (w == 0 || w > 64)
        w = w == 0 ? 28 : w;
    if (h == 0)
        h = 28;
    if (fmt == 0)
        fmt = RAM_PIXEL_U8;
    if ((size_t)(w * h * C) > (1u << 16) || T > 8)
        return; /* keep each run fast */
    size_t elem = fmt == RAM_PIXEL_F32 ? 4 : 1;
    size_t img = (size_t)(w * h * C) * elem;
    int rc = ram_agent_set_input(a, (int)fmt, (size_t)w, (size_t)h,
                                 (size_t)(w * C) * elem, img);
    fuzz_status(rc);
    if (rc != RAM_OK)
        return;
    unsigned char *images = malloc(img * batch);
    float *loc = malloc(2 * batch * sizeof(float));
    float *probs = malloc((size_t)A * batch * sizeof(float));
    int *act = malloc(batch * sizeof(int));
    if (!images || !loc || !probs || !act)
        goto out;
    for (size_t i = 0; i < img * batch; i++)
        images[i] = npix ? pix[i % npix] : (unsigned char)i;
    rc = ram_agent_begin(a, batch, train ? RAM_BEGIN_TRAIN : 0);
    fuzz_status(rc);
    if (rc != RAM_OK)
        goto out;
    FUZZ_ASSERT(ram_agent_location(a, loc) == RAM_OK, "location");
    FUZZ_ASSERT(fuzz_finite(loc, 2 * batch), "begin: non-finite l_0");
    for (int64_t t = 0; t < T; t++) {
        rc = ram_agent_step(a, images, img * batch, loc, probs, act);
        fuzz_status(rc);
        if (rc == RAM_OK) {
            FUZZ_ASSERT(fuzz_finite(loc, 2 * batch), "step: next_loc");
            FUZZ_ASSERT(fuzz_finite(probs, (size_t)A * batch), "step: probs");
            for (size_t b = 0; b < batch; b++)
                FUZZ_ASSERT(act[b] >= 0 && act[b] < A, "action %d", act[b]);
        }
        if (rewards)
            fuzz_status(ram_agent_reward(a, rewards));
    }
    int *labels = calloc(batch, sizeof(int));
    rc = ram_agent_end(a, labels);
    free(labels);
    fuzz_status(rc);
    if (rc == RAM_OK && train) {
        float *p;
        size_t n;
        ram_agent_params(a, &p, NULL, &n);
        float *before = malloc(n * sizeof(float));
        if (before)
            memcpy(before, p, n * sizeof(float));
        rc = ram_agent_update(a);
        fuzz_status(rc);
        if (rc == RAM_OK)
            FUZZ_ASSERT(fuzz_finite(p, n), "update: a parameter");
        else if (before)
            FUZZ_ASSERT(memcmp(before, p, n * sizeof(float)) == 0,
                        "refused update changed the parameters");
        free(before);
        /* A save after it loads again. */
        size_t size;
        if (ram_agent_save(a, RAM_SAVE_OPTIMIZER, NULL, 0, &size) == RAM_OK) {
            unsigned char *buf = malloc(size);
            if (buf && ram_agent_save(a, RAM_SAVE_OPTIMIZER, buf, size,
                                      &size) == RAM_OK) {
                ram_agent *b;
                rc = ram_agent_load(&b, buf, size, 0);
                FUZZ_ASSERT(rc == RAM_OK, "a saved model does not load: %d",
                            rc);
                ram_agent_free(b);
            }
            free(buf);
        }
    }
out:
    free(images);
    free(loc);
    free(probs);
    free(act);
}

#endif
