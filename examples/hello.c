/* The smallest libram host: one training episode and one greedy episode on a
 * synthetic 28x28 image. README.md shows this file. */
#include <stdio.h>
#include <stdlib.h>

#include <ram/ram.h>

/* Every libram call that can fail returns a status; stop on any but RAM_OK.
 * ram_last_error() names the function, the argument and the reason. */
static void check(int rc)
{
    if (rc != RAM_OK) {
        fprintf(stderr, "libram: %s (%s)\n", ram_strerror(rc), ram_last_error());
        exit(1);
    }
}

int main(void)
{
    static unsigned char image[28 * 28]; /* a vertical bar */
    for (int i = 0; i < 28 * 28; i++)
        image[i] = (unsigned char)((i % 28 > 10 && i % 28 < 18) ? 255 : 0);

    ram_config *cfg;
    ram_agent *agent;
    check(ram_config_create(&cfg)); /* the paper's 28x28 model: 6 glimpses */
    int rc = ram_agent_create(&agent, cfg);
    ram_config_free(cfg);
    check(rc);
    check(ram_agent_set_input(agent, RAM_PIXEL_U8, 28, 28, 28, 28 * 28));

    /* Train on one episode: 6 glimpses, reward 1 if the guess is right. */
    int label = 1, guess = 0;
    check(ram_agent_begin(agent, 1, RAM_BEGIN_TRAIN));
    for (int t = 0; t < 6; t++)
        check(ram_agent_step(agent, image, sizeof image, NULL, NULL, &guess));
    float reward = guess == label ? 1.0f : 0.0f;
    check(ram_agent_reward(agent, &reward));
    check(ram_agent_end(agent, &label));
    check(ram_agent_update(agent));

    /* Run it greedily and show where it looks. */
    float loc[2], probs[10];
    check(ram_agent_begin(agent, 1, RAM_BEGIN_GREEDY_LOCATION));
    for (int t = 0; t < 6; t++) {
        check(ram_agent_location(agent, loc));
        check(ram_agent_step(agent, image, sizeof image, NULL, probs, &guess));
        printf("glimpse %d at (%+.2f, %+.2f)\n", t, loc[0], loc[1]);
    }
    check(ram_agent_end(agent, NULL));
    printf("libram %s: guess %d (p = %.3f)\n", ram_version_string(), guess,
           probs[guess]);
    ram_agent_free(agent);
    return 0;
}
