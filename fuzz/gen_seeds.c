/* Writes seed models for the load fuzz targets into the directory argv[1]:
 * small agents of both cores and modes, with and without the optimiser
 * state, after a few updates (the committed models/NAME.ram are added by the
 * Makefile). Not a fuzz target. */
#include <stdio.h>
#include <stdlib.h>

#include "ram/ram.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_seeds DIR\n");
        return 2;
    }
    int k = 0;
    for (int core = 1; core <= 2; core++)
        for (int mode = 1; mode <= 2; mode++)
            for (int opt = 0; opt < 2; opt++) {
                ram_config *cfg;
                ram_agent *a;
                if (ram_config_create(&cfg) != RAM_OK)
                    return 1;
                ram_config_set(cfg, RAM_CFG_PATCH, 4);
                ram_config_set(cfg, RAM_CFG_SCALES, 2);
                ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 6);
                ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 4);
                ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 8);
                ram_config_set(cfg, RAM_CFG_HIDDEN, 8);
                ram_config_set(cfg, RAM_CFG_ACTIONS, 3);
                ram_config_set(cfg, RAM_CFG_MAX_STEPS, 3);
                ram_config_set(cfg, RAM_CFG_CORE, core);
                ram_config_set(cfg, RAM_CFG_ACTION_MODE, mode);
                ram_config_set(cfg, RAM_CFG_INPUT_WIDTH, 12);
                ram_config_set(cfg, RAM_CFG_INPUT_HEIGHT, 12);
                ram_config_set(cfg, RAM_CFG_INPUT_FORMAT, RAM_PIXEL_U8);
                if (ram_agent_create(&a, cfg) != RAM_OK)
                    return 1;
                ram_config_free(cfg);
                unsigned char img[144];
                for (int i = 0; i < 144; i++)
                    img[i] = (unsigned char)(i * 37);
                ram_agent_set_input(a, RAM_PIXEL_U8, 12, 12, 12, 144);
                for (int u = 0; u < 2; u++) {
                    int label = u;
                    float r = 1.0f;
                    ram_agent_begin(a, 1, RAM_BEGIN_TRAIN);
                    ram_agent_step(a, img, sizeof img, NULL, NULL, NULL);
                    ram_agent_reward(a, &r);
                    ram_agent_end(a, &label);
                    ram_agent_update(a);
                }
                char path[4096];
                snprintf(path, sizeof path, "%s/seed-%d.ram", argv[1], k++);
                if (ram_agent_save_file(a, opt ? RAM_SAVE_OPTIMIZER : 0,
                                        path) != RAM_OK) {
                    fprintf(stderr, "%s: %s\n", path, ram_last_error());
                    return 1;
                }
                ram_agent_free(a);
            }
    return 0;
}
