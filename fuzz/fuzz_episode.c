/* Fuzz target: an episode driven by fuzzed configuration, input
 * description, tunables, pixels (raw floats: NaN, Inf, huge), rewards,
 * labels, and an optional parameter overwritten through
 * ram_agent_params(). Checks the promises: a RAM_OK call has finite
 * outputs, a refused step leaves the location where it was, a RAM_OK
 * update leaves every parameter finite, a refused one changes none. */
#include <stdint.h>

#include "fuzz.h"

typedef struct rd {
    const unsigned char *p;
    size_t n, off;
} rd;

static unsigned u8(rd *r)
{
    return r->off < r->n ? r->p[r->off++] : 0;
}

static unsigned pick(rd *r, unsigned lo, unsigned hi) /* in [lo, hi] */
{
    return lo + u8(r) % (hi - lo + 1);
}

static float f32(rd *r)
{
    uint32_t w = 0;
    for (int i = 0; i < 4; i++)
        w |= (uint32_t)u8(r) << (8 * i);
    float f;
    memcpy(&f, &w, 4);
    return f;
}

static double f64(rd *r)
{
    /* Mostly ordinary values, sometimes raw bits. */
    unsigned k = u8(r);
    if (k < 200)
        return (double)(k % 50) / 40.0 - 0.2;
    return (double)f32(r);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    rd r = {data, size, 0};
    ram_config *cfg;
    if (ram_config_create(&cfg) != RAM_OK)
        return 0;
    const int keys[][3] = {
        {RAM_CFG_PATCH, 1, 8},          {RAM_CFG_SCALES, 1, 3},
        {RAM_CFG_CHANNELS, 1, 3},       {RAM_CFG_GLIMPSE_WHAT, 1, 12},
        {RAM_CFG_GLIMPSE_WHERE, 1, 12}, {RAM_CFG_GLIMPSE_SIZE, 1, 12},
        {RAM_CFG_CORE, 1, 2},           {RAM_CFG_HIDDEN, 1, 12},
        {RAM_CFG_ACTIONS, 1, 6},        {RAM_CFG_ACTION_MODE, 1, 2},
        {RAM_CFG_MAX_STEPS, 0, 5},      {RAM_CFG_LOCATION_BOUND, 1, 2},
        {RAM_CFG_TRAINABLE, 0, 1},      {RAM_CFG_INPUT_WIDTH, 0, 40},
        {RAM_CFG_INPUT_HEIGHT, 0, 40},  {RAM_CFG_INPUT_FORMAT, 0, 3}};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        fuzz_status(ram_config_set(cfg, keys[k][0],
                                   pick(&r, (unsigned)keys[k][1],
                                        (unsigned)keys[k][2])));
    fuzz_status(ram_config_set(cfg, RAM_CFG_SEED, (int64_t)u8(&r)));
    ram_agent *a;
    int rc = ram_agent_create(&a, cfg);
    ram_config_free(cfg);
    fuzz_status(rc);
    if (rc != RAM_OK)
        return 0;
    int64_t C, A, T, trainable;
    ram_agent_get_config(a, RAM_CFG_CHANNELS, &C);
    ram_agent_get_config(a, RAM_CFG_ACTIONS, &A);
    ram_agent_get_config(a, RAM_CFG_MAX_STEPS, &T);
    ram_agent_get_config(a, RAM_CFG_TRAINABLE, &trainable);

    /* Tunables: a few fuzzed (key, value) pairs, in bounds or not. */
    for (unsigned k = pick(&r, 0, 4); k > 0; k--)
        fuzz_status(ram_agent_set_param(a, (int)pick(&r, 0, 22), f64(&r)));

    /* Input description. */
    int fmt = (int)pick(&r, 0, 3);
    size_t w = pick(&r, 1, 40), h = pick(&r, 1, 40);
    size_t elem = fmt == RAM_PIXEL_F32 ? 4 : 1;
    size_t row = (w * (size_t)C + pick(&r, 0, 3)) * elem;
    size_t batch = pick(&r, 1, 3);
    size_t img = row * h;
    rc = ram_agent_set_input(a, fmt, w, h, row, img);
    fuzz_status(rc);
    if (rc != RAM_OK) {
        ram_agent_free(a);
        return 0;
    }
    unsigned flags = pick(&r, 0, 7);
    if (!trainable)
        flags &= ~1u;
    /* One parameter overwritten with fuzzed bits, sometimes. */
    float *p;
    size_t n;
    ram_agent_params(a, &p, NULL, &n);
    if (u8(&r) < 40)
        p[pick(&r, 0, 255) % n] = f32(&r);

    /* The images: raw fuzzed bytes (floats for F32), aligned. */
    float *buf = malloc(img * batch + 4);
    float *loc = malloc(2 * batch * sizeof(float));
    float *loc2 = malloc(2 * batch * sizeof(float));
    float *probs = malloc((size_t)A * batch * sizeof(float));
    int *act = malloc(batch * sizeof(int));
    float *rw = malloc(batch * sizeof(float));
    int *labels = malloc(batch * sizeof(int));
    if (!buf || !loc || !loc2 || !probs || !act || !rw || !labels)
        goto out;
    for (size_t i = 0; i < img * batch; i++)
        ((unsigned char *)buf)[i] = (unsigned char)u8(&r);
    rc = ram_agent_begin(a, batch, flags);
    fuzz_status(rc);
    if (rc != RAM_OK)
        goto out;
    FUZZ_ASSERT(ram_agent_location(a, loc) == RAM_OK, "location");
    FUZZ_ASSERT(fuzz_finite(loc, 2 * batch), "begin: l_0");
    for (int64_t t = 0; t < T + 1; t++) {
        rc = ram_agent_step(a, buf, img * batch, loc, probs, act);
        fuzz_status(rc);
        if (rc == RAM_OK) {
            FUZZ_ASSERT(fuzz_finite(loc, 2 * batch), "step: next_loc");
            FUZZ_ASSERT(fuzz_finite(probs, (size_t)A * batch), "probs");
            for (size_t b = 0; b < batch; b++)
                FUZZ_ASSERT(act[b] >= 0 && act[b] < A, "action");
        } else {
            FUZZ_ASSERT(ram_agent_location(a, loc2) == RAM_OK, "location");
            FUZZ_ASSERT(fuzz_finite(loc2, 2 * batch), "refused: l");
        }
        for (size_t b = 0; b < batch; b++)
            rw[b] = u8(&r) < 200 ? (float)u8(&r) - 100.0f : f32(&r);
        fuzz_status(ram_agent_reward(a, rw));
        /* Fresh pixels for the next step. */
        for (size_t i = 0; i < img * batch && r.off < r.n; i += 7)
            ((unsigned char *)buf)[i] = (unsigned char)u8(&r);
    }
    for (size_t b = 0; b < batch; b++)
        labels[b] = (int)pick(&r, 0, 7);
    rc = ram_agent_end(a, u8(&r) & 1 ? labels : NULL);
    fuzz_status(rc);
    if (rc == RAM_OK && (flags & RAM_BEGIN_TRAIN)) {
        float *before = malloc(n * sizeof(float));
        if (before)
            memcpy(before, p, n * sizeof(float));
        rc = ram_agent_update(a);
        fuzz_status(rc);
        if (rc == RAM_OK)
            FUZZ_ASSERT(fuzz_finite(p, n), "update: a parameter");
        else if (before)
            FUZZ_ASSERT(memcmp(before, p, n * sizeof(float)) == 0,
                        "a refused update changed a parameter");
        free(before);
        double refused;
        FUZZ_ASSERT(ram_agent_stat(a, RAM_STAT_REFUSED_UPDATES, &refused) ==
                            RAM_OK &&
                        (refused == 0.0) == (rc != RAM_E_NONFINITE),
                    "RAM_STAT_REFUSED_UPDATES");
    }
out:
    free(buf);
    free(loc);
    free(loc2);
    free(probs);
    free(act);
    free(rw);
    free(labels);
    ram_agent_free(a);
    return 0;
}
