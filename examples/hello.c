/* The smallest libram host: one training episode and one greedy episode on a
 * synthetic 28x28 image. README.md shows this file. */
#include <stdio.h>

#include <ram/ram.h>

int main(void)
{
    static unsigned char image[28 * 28];
    for (int i = 0; i < 28 * 28; i++)
        image[i] = (unsigned char)((i % 28 > 10 && i % 28 < 18) ? 255 : 0);

    ram_config *cfg;
    ram_agent *agent;
    int rc = ram_config_create(&cfg);
    if (rc == RAM_OK)
        rc = ram_agent_create(cfg, &agent); /* paper's 28x28 model: 6 steps */
    ram_config_free(cfg);
    if (rc != RAM_OK) {
        fprintf(stderr, "libram: %s\n", ram_strerror(rc));
        return 1;
    }
    ram_agent_set_input(agent, RAM_PIXEL_U8, 28, 28, 28, 28 * 28);

    /* Train on one episode: 6 glimpses, reward 1 if the guess is right. */
    int label = 1, guess = 0;
    ram_agent_begin(agent, 1, RAM_BEGIN_TRAIN);
    for (int t = 0; t < 6; t++)
        ram_agent_step(agent, image, NULL, NULL, &guess);
    float reward = guess == label ? 1.0f : 0.0f;
    ram_agent_reward(agent, &reward);
    ram_agent_end(agent, &label);
    rc = ram_agent_update(agent);

    /* Run it greedily and show where it looks. */
    float loc[2], probs[10];
    ram_agent_begin(agent, 1, RAM_BEGIN_GREEDY_LOCATION);
    for (int t = 0; t < 6; t++) {
        ram_agent_location(agent, loc);
        ram_agent_step(agent, image, NULL, probs, &guess);
        printf("glimpse %d at (%+.2f, %+.2f)\n", t, loc[0], loc[1]);
    }
    printf("libram %s: guess %d (p = %.3f), update: %s\n", ram_version_string(),
           guess, probs[guess], ram_strerror(rc));
    ram_agent_free(agent);
    return rc == RAM_OK ? 0 : 1;
}
