/* The C side of test_c_equal.py: 10 training updates of a small agent on
 * synthetic images, then the flat parameters written raw (float32) to
 * argv[1]. test_c_equal.py makes the same calls from Python and compares
 * the parameters bit for bit. Keep the two in step. */
#include <ram/ram.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define B 4
#define W 20
#define H 16
#define STEPS 3
#define UPDATES 10

static int fail(const char *what, int rc)
{
    fprintf(stderr, "c_equal: %s: %s (%s)\n", what, ram_strerror(rc), ram_last_error());
    return 1;
}

#define TRY(call)                                                             \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != RAM_OK)                                                    \
            return fail(#call, rc_);                                          \
    } while (0)

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: c_equal OUT\n");
        return 2;
    }
    ram_config *cfg;
    TRY(ram_config_create(&cfg));
    TRY(ram_config_set(cfg, RAM_CFG_PATCH, 4));
    TRY(ram_config_set(cfg, RAM_CFG_SCALES, 2));
    TRY(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 16));
    TRY(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 8));
    TRY(ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 24));
    TRY(ram_config_set(cfg, RAM_CFG_CORE, RAM_CORE_LSTM));
    TRY(ram_config_set(cfg, RAM_CFG_HIDDEN, 32));
    TRY(ram_config_set(cfg, RAM_CFG_ACTIONS, 5));
    TRY(ram_config_set(cfg, RAM_CFG_MAX_STEPS, STEPS));
    TRY(ram_config_set(cfg, RAM_CFG_SEED, 12345));
    ram_agent *a;
    TRY(ram_agent_create(&a, cfg));
    ram_config_free(cfg);
    TRY(ram_agent_set_param(a, RAM_PARAM_LEARNING_RATE, 0.01));
    TRY(ram_agent_set_param(a, RAM_PARAM_CLIP_NORM, 5.0));
    TRY(ram_agent_set_param(a, RAM_PARAM_LOCATION_STD, 0.15));

    static uint8_t img[B * H * W];
    int labels[B], actions[B];
    float rewards[B];
    TRY(ram_agent_set_input(a, RAM_PIXEL_U8, W, H, W, (size_t)W * H));
    for (int u = 0; u < UPDATES; u++) {
        for (int b = 0; b < B; b++) {
            labels[b] = (u + b) % 5;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    img[(b * H + y) * W + x] =
                        (uint8_t)((x * 7 + y * 13 + b * 29 + u * 31) % 256);
        }
        TRY(ram_agent_begin(a, B, RAM_BEGIN_TRAIN));
        for (int t = 0; t < STEPS; t++)
            TRY(ram_agent_step(a, img, sizeof img, NULL, NULL,
                               t == STEPS - 1 ? actions : NULL));
        for (int b = 0; b < B; b++)
            rewards[b] = actions[b] == labels[b] ? 1.0f : 0.0f;
        TRY(ram_agent_reward(a, rewards));
        TRY(ram_agent_end(a, labels));
        TRY(ram_agent_update(a));
    }
    float *p;
    size_t n;
    TRY(ram_agent_params(a, &p, NULL, &n));
    FILE *f = fopen(argv[1], "wb");
    if (!f || fwrite(p, sizeof *p, n, f) != n || fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    ram_agent_free(a);
    return 0;
}
