/* Train the paper's 28x28 MNIST model with the agent API, measure its test
 * error, and save it.
 *
 *   examples/mnist [--data DIR] [--train N] [--epochs E] [--batch B]
 *                  [--lr LR] [--seed S] [--out FILE]
 *
 * The four MNIST files (train-images-idx3-ubyte.gz, ...) are read with zlib
 * from --data DIR, else $RAM_MNIST_DIR, else data/mnist;
 * scripts/fetch-mnist.sh DIR downloads them. The defaults train on the
 * first 10,000 training images for 4 epochs, some 1,250 updates (seconds
 * on one core), to roughly 20% test error; the model gets to about 1% with
 * 50,000 images and hundreds of epochs (apps/mnist, docs/results.md). */
#define _XOPEN_SOURCE 700 /* nrand48() */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <ram/ram.h>

#define SIDE 28
#define PIXELS (SIDE * SIDE)
#define GLIMPSES 6 /* RAM_CFG_MAX_STEPS of the default configuration */

static void check(int rc)
{
    if (rc != RAM_OK) {
        fprintf(stderr, "mnist: libram: %s (%s)\n", ram_strerror(rc),
                ram_last_error());
        exit(1);
    }
}

static void die(const char *msg, const char *path)
{
    fprintf(stderr, "mnist: %s: %s\n", path, msg);
    exit(1);
}

/* Reads the first `want` items of an IDX file (big-endian header: magic
 * 0x801 for labels or 0x803 for 28x28 images, the item count, the image
 * size) and returns them, malloc'ed; *n is the number read. */
static unsigned char *read_idx(const char *dir, const char *name, int images,
                               size_t want, size_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gzFile f = gzopen(path, "rb");
    if (!f)
        die("cannot open (scripts/fetch-mnist.sh DIR downloads MNIST)", path);
    unsigned char h[16];
    unsigned hsize = images ? 16 : 8;
    if (gzread(f, h, hsize) != (int)hsize)
        die("truncated header", path);
    unsigned long magic = (unsigned long)h[2] << 8 | h[3];
    unsigned long count = (unsigned long)h[4] << 24 | (unsigned long)h[5] << 16 |
                          (unsigned long)h[6] << 8 | h[7];
    if (magic != (images ? 0x803u : 0x801u) || h[0] || h[1])
        die("not an MNIST IDX file (bad magic)", path);
    if (images && (h[11] != SIDE || h[15] != SIDE || h[8] | h[9] | h[10] |
                   h[12] | h[13] | h[14]))
        die("images are not 28x28", path);
    *n = want < count ? want : count;
    size_t bytes = *n * (images ? PIXELS : 1);
    unsigned char *data = malloc(bytes ? bytes : 1);
    if (!data)
        die("out of memory", path);
    if (gzread(f, data, (unsigned)bytes) != (int)bytes)
        die("truncated data", path);
    gzclose(f);
    if (!images)
        for (size_t i = 0; i < *n; i++)
            if (data[i] > 9)
                die("label outside 0..9", path);
    return data;
}

/* One episode over `b` images: GLIMPSES steps; the classifier's answer at
 * the last step. Training adds reward 1 for a right answer and the
 * gradient of the hybrid loss (ram_agent_end with the labels). Returns the
 * number of errors. */
static size_t episode(ram_agent *agent, const unsigned char *images,
                      const int *labels, size_t b, unsigned flags,
                      int *guess, float *reward)
{
    check(ram_agent_begin(agent, b, flags));
    for (int t = 0; t < GLIMPSES; t++) /* ask for the answer at the end only */
        check(ram_agent_step(agent, images, b * PIXELS, NULL, NULL,
                             t == GLIMPSES - 1 ? guess : NULL));
    size_t errors = 0;
    for (size_t i = 0; i < b; i++) {
        reward[i] = guess[i] == labels[i] ? 1.0f : 0.0f;
        errors += guess[i] != labels[i];
    }
    if (flags & RAM_BEGIN_TRAIN)
        check(ram_agent_reward(agent, reward));
    check(ram_agent_end(agent, labels));
    return errors;
}

int main(int argc, char **argv)
{
    const char *dir = getenv("RAM_MNIST_DIR"), *out = "mnist.ram";
    long n_train = 10000, epochs = 4, batch = 32, seed = 1;
    double lr = 1e-3;
    if (!dir || !*dir)
        dir = "data/mnist";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "usage: mnist [--data DIR] [--train N] [--epochs E]"
                    " [--batch B] [--lr LR] [--seed S] [--out FILE]\n");
            return 2;
        }
        if (!strcmp(a, "--data")) dir = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--train")) n_train = atol(v);
        else if (!strcmp(a, "--epochs")) epochs = atol(v);
        else if (!strcmp(a, "--batch")) batch = atol(v);
        else if (!strcmp(a, "--seed")) seed = atol(v);
        else if (!strcmp(a, "--lr")) lr = atof(v);
        else {
            fprintf(stderr, "mnist: unknown option %s\n", a);
            return 2;
        }
        i++;
    }
    if (n_train < 1 || epochs < 0 || batch < 1 || batch > n_train) {
        fprintf(stderr, "mnist: need --train >= 1, --epochs >= 0 and "
                "1 <= --batch <= --train\n");
        return 2;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        die("MNIST directory not found (scripts/fetch-mnist.sh DIR downloads "
            "it; then --data DIR or RAM_MNIST_DIR=DIR)", dir);

    size_t ntr, ntrl, nte, ntel;
    unsigned char *train = read_idx(dir, "train-images-idx3-ubyte.gz", 1,
                                    (size_t)n_train, &ntr);
    unsigned char *train_lab = read_idx(dir, "train-labels-idx1-ubyte.gz", 0,
                                        (size_t)n_train, &ntrl);
    unsigned char *test = read_idx(dir, "t10k-images-idx3-ubyte.gz", 1,
                                   (size_t)-1, &nte);
    unsigned char *test_lab = read_idx(dir, "t10k-labels-idx1-ubyte.gz", 0,
                                       nte, &ntel);
    if (ntr != ntrl || nte != ntel || ntr < (size_t)batch)
        die("image and label counts differ, or too few images", dir);

    /* The default configuration is the paper's 28x28 model: 6 glimpses of
     * 8x8 pixels, a 256-unit RNN core. The tunables are those of apps/mnist,
     * except that the location policy's REINFORCE gradient stops at the
     * location network (core weight 0): the core then learns from the
     * classification loss alone, several times faster at first. */
    ram_config *cfg;
    ram_agent *agent;
    check(ram_config_create(&cfg));
    int rc = ram_config_set(cfg, RAM_CFG_SEED, seed);
    if (rc == RAM_OK)
        rc = ram_agent_create(&agent, cfg);
    ram_config_free(cfg);
    check(rc);
    check(ram_agent_set_param(agent, RAM_PARAM_LEARNING_RATE, lr));
    check(ram_agent_set_param(agent, RAM_PARAM_LOCATION_STD, 0.12));
    check(ram_agent_set_param(agent, RAM_PARAM_CLIP_NORM, 5.0));
    check(ram_agent_set_param(agent, RAM_PARAM_LOCATION_CORE_WEIGHT, 0.0));
    check(ram_agent_set_input(agent, RAM_PIXEL_U8, SIDE, SIDE, SIDE, PIXELS));

    /* Buffers for one batch (the test set goes in batches of 1,000). */
    size_t cap = (size_t)batch > 1000 ? (size_t)batch : 1000;
    unsigned char *images = malloc(cap * PIXELS);
    int *labels = malloc(cap * sizeof *labels), *guess = malloc(cap * sizeof *guess);
    float *reward = malloc(cap * sizeof *reward);
    size_t *order = malloc(ntr * sizeof *order);
    if (!images || !labels || !guess || !reward || !order)
        die("out of memory", "buffers");
    for (size_t i = 0; i < ntr; i++)
        order[i] = i;
    unsigned short rng[3] = {0x330E, (unsigned short)seed,
                             (unsigned short)(seed >> 16)};

    printf("training on %zu images, %ld epochs, batch %ld\n", ntr, epochs, batch);
    for (long e = 1; e <= epochs; e++) {
        for (size_t i = ntr - 1; i > 0; i--) { /* shuffle (Fisher-Yates) */
            size_t j = (size_t)nrand48(rng) % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        size_t errors = 0, seen = 0;
        for (size_t k = 0; k + (size_t)batch <= ntr; k += (size_t)batch) {
            for (size_t i = 0; i < (size_t)batch; i++) {
                memcpy(images + i * PIXELS, train + order[k + i] * PIXELS, PIXELS);
                labels[i] = train_lab[order[k + i]];
            }
            errors += episode(agent, images, labels, (size_t)batch,
                              RAM_BEGIN_TRAIN, guess, reward);
            check(ram_agent_update(agent));
            seen += (size_t)batch;
        }
        printf("epoch %ld: training error %.2f%% (sampled glimpses)\n", e,
               100.0 * (double)errors / (double)seen);
    }

    /* Test: the location means (no sampling), in batches of 1,000. */
    size_t errors = 0;
    for (size_t k = 0; k < nte; k += 1000) {
        size_t b = nte - k < 1000 ? nte - k : 1000;
        for (size_t i = 0; i < b; i++)
            labels[i] = test_lab[k + i];
        errors += episode(agent, test + k * PIXELS, labels, b,
                          RAM_BEGIN_GREEDY_LOCATION, guess, reward);
    }
    printf("test error: %.2f%% on %zu images (chance: 90%%)\n",
           100.0 * (double)errors / (double)nte, nte);
    rc = ram_agent_save_file(agent, 0, out); /* no optimiser state */
    if (rc != RAM_OK) {
        fprintf(stderr, "mnist: %s: %s (%s)\n", out, ram_strerror(rc),
                ram_last_error());
        return 1;
    }
    printf("saved %s\n", out);

    ram_agent_free(agent);
    free(train), free(train_lab), free(test), free(test_lab);
    free(images), free(labels), free(guess), free(reward), free(order);
    return 0;
}
