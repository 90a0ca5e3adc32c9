/* Training and evaluation of RAM on the MNIST tasks; see mnist_train.h. */
#include "mnist_train.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "errbuf.h"
#include "progress.h"
#include "replicas.h"
#include "rng.h"
#include "rundir.h"
#include "statefile.h"
#include "tsv.h"

#define N_CLASSES 10
#define EVAL_CHUNK 256 /* images per evaluation episode */
#define STATE_FORMAT 1

/* ------------------------------------------------------------------ util */

/* A 64-bit value derived from (a, b, c), well mixed. */
static uint64_t mix3(uint64_t a, uint64_t b, uint64_t c)
{
    example_rng r;
    example_rng_seed_stream(&r, a, b);
    uint64_t x = example_rng_next(&r);
    example_rng_seed_stream(&r, x, c);
    return example_rng_next(&r);
}

/* --------------------------------------------------------------- options */

int mnist_core_from_name(const char *s)
{
    if (s && strcmp(s, "rnn") == 0)
        return RAM_CORE_RNN;
    if (s && strcmp(s, "lstm") == 0)
        return RAM_CORE_LSTM;
    return -1;
}

const char *mnist_core_name(int core)
{
    return core == RAM_CORE_LSTM ? "lstm" : core == RAM_CORE_RNN ? "rnn" : "?";
}

int mnist_optimizer_from_name(const char *s)
{
    if (s && strcmp(s, "adam") == 0)
        return RAM_OPT_ADAM;
    if (s && strcmp(s, "sgd") == 0)
        return RAM_OPT_SGD;
    return -1;
}

const char *mnist_optimizer_name(int opt)
{
    return opt == RAM_OPT_ADAM ? "adam" : opt == RAM_OPT_SGD ? "sgd" : "?";
}

int mnist_first_from_name(const char *s)
{
    if (s && strcmp(s, "learned") == 0)
        return RAM_FIRST_LEARNED;
    if (s && strcmp(s, "center") == 0)
        return RAM_FIRST_CENTER;
    if (s && strcmp(s, "uniform") == 0)
        return RAM_FIRST_UNIFORM;
    return -1;
}

const char *mnist_first_name(int first)
{
    return first == RAM_FIRST_LEARNED  ? "learned"
           : first == RAM_FIRST_CENTER ? "center"
           : first == RAM_FIRST_UNIFORM ? "uniform"
                                        : "?";
}

void mnist_opts_preset(mnist_opts *o, task_id task)
{
    memset(o, 0, sizeof *o);
    o->task = task;
    switch (task) {
    case TASK_TRANSLATED60:
    case TASK_CLUTTERED60:
    case TASK_SCALED60: /* not in the paper: as cluttered60 */
        o->glimpses = 8, o->patch = 12, o->scales = 3, o->std = 0.2;
        break;
    case TASK_CLUTTERED100:
    case TASK_SCALED100: /* not in the paper: as cluttered100 */
        o->glimpses = 8, o->patch = 12, o->scales = 4, o->std = 0.15;
        break;
    default: /* mnist28 */
        o->glimpses = 6, o->patch = 8, o->scales = 1, o->std = 0.12;
        break;
    }
    o->core = RAM_CORE_RNN;
    o->hidden = 256;
    o->what = 128;
    o->where = 128;
    o->gsize = 256;
    o->lr = 1e-3;
    o->lr_decay = 0.98;
    o->lr_min = 1e-5;
    o->clip = 5.0;
    o->optimizer = RAM_OPT_ADAM;
    o->momentum = 0.9;
    o->batch = 64;
    o->mc = 1;
    o->epochs = 200;
    o->seed = 1;
    o->threads = 2;
    o->random_glimpses = 0;
    o->loc_lr_scale = 1.0;    /* the library's defaults */
    o->loc_core_weight = 1.0;
    o->baseline_core = 0;
    o->first_location = RAM_FIRST_LEARNED;
    o->std_end = 0;           /* constant std */
    o->weight_decay = 0;      /* the library's default */
    o->glimpse_dropout = 0;   /* the library's defaults */
    o->action_dropout = 0;
    o->ema = 0;               /* no parameter average */
    o->subset = 0;
    o->val_images = 0;
    o->holdout = MNIST_HOLDOUT;
}

void mnist_opts_print(const mnist_opts *o, FILE *f)
{
    fprintf(f,
            "  task             %s (%dx%d)\n"
            "  glimpses         %d\n"
            "  retina           %dx%d, %d scale%s (largest %d px)\n"
            "  glimpse net      h_g %d, h_l %d, g %d\n"
            "  core             %s, %d units\n",
            task_name(o->task), task_width(o->task), task_width(o->task),
            o->glimpses, o->patch, o->patch, o->scales,
            o->scales == 1 ? "" : "s", o->patch << (o->scales - 1), o->what,
            o->where, o->gsize, mnist_core_name(o->core), o->hidden);
    if (o->std_end != 0)
        fprintf(f, "  location std     %g -> %g (geometric, epoch 1 to %d)%s\n",
                o->std, o->std_end, o->epochs,
                o->random_glimpses ? " (random glimpses: ablation)" : "");
    else
        fprintf(f, "  location std     %g%s\n", o->std,
                o->random_glimpses ? " (random glimpses: ablation)" : "");
    fprintf(f,
            "  location net     step scale %g, core gradient weight %g, "
            "first glimpse %s\n"
            "  baseline core    %d%s\n"
            "  optimizer        %s, lr %g, decay %g/epoch (min %g)\n",
            o->loc_lr_scale, o->loc_core_weight,
            mnist_first_name(o->first_location), o->baseline_core,
            o->baseline_core ? " (the baseline's error also trains the core)"
                             : " (the baseline does not train the core)",
            mnist_optimizer_name(o->optimizer), o->lr, o->lr_decay, o->lr_min);
    if (o->optimizer == RAM_OPT_SGD)
        fprintf(f, "  momentum         %g\n", o->momentum);
    if (o->weight_decay != 0)
        fprintf(f, "  weight decay     %g (L2, weights only)\n",
                o->weight_decay);
    if (o->glimpse_dropout != 0 || o->action_dropout != 0)
        fprintf(f, "  dropout          glimpse %g, action %g (training only)\n",
                o->glimpse_dropout, o->action_dropout);
    if (o->ema != 0)
        fprintf(f, "  parameter EMA    decay %g per update (about %.0f "
                   "updates; scored beside the trained weights)\n",
                o->ema, 1 / (1 - o->ema));
    fprintf(f,
            "  clip             %g%s\n"
            "  batch            %d\n"
            "  epochs           %d\n"
            "  seed             %" PRIu64 "\n"
            "  threads          %d\n",
            o->clip, o->clip > 0 ? " (global norm)" : " (off)", o->batch,
            o->epochs, o->seed, o->threads);
    if (o->mc != 1)
        fprintf(f, "  mc               %d rollouts per image (%d rows per "
                   "update)\n", o->mc, o->batch * o->mc);
    if (o->subset)
        fprintf(f, "  subset           first %zu training digits\n", o->subset);
    if (o->val_images)
        fprintf(f, "  validation       first %zu images of the split\n",
                o->val_images);
    if (o->holdout != MNIST_HOLDOUT)
        fprintf(f, "  holdout          %zu\n", o->holdout);
    if (o->init[0])
        fprintf(f, "  init             %s (its parameters; fresh optimiser "
                   "state)\n", o->init);
}

static int check_cfg(int key, int64_t v, const char *name, char *err,
                     size_t errlen)
{
    int64_t lo, hi;
    if (ram_config_bounds(key, &lo, &hi) != RAM_OK || v < lo || v > hi) {
        errbuf_fail(err, errlen, "%s %" PRId64 " is outside %" PRId64 "..%" PRId64,
                    name, v, lo, hi);
        return -1;
    }
    return 0;
}

static int check_param(int key, double v, const char *name, char *err,
                       size_t errlen)
{
    double lo, hi;
    if (ram_param_bounds(key, &lo, &hi) != RAM_OK || !(v >= lo && v <= hi)) {
        errbuf_fail(err, errlen, "%s %g is outside [%g, %g]", name, v, lo, hi);
        return -1;
    }
    return 0;
}

int mnist_opts_check(const mnist_opts *o, char *err, size_t errlen)
{
    if (!task_name(o->task)) {
        errbuf_fail(err, errlen, "unknown task (expected %s)", task_names());
        return -1;
    }
    if (check_cfg(RAM_CFG_MAX_STEPS, o->glimpses, "--glimpses", err, errlen) ||
        check_cfg(RAM_CFG_PATCH, o->patch, "--patch", err, errlen) ||
        check_cfg(RAM_CFG_SCALES, o->scales, "--scales", err, errlen) ||
        check_cfg(RAM_CFG_HIDDEN, o->hidden, "--hidden", err, errlen) ||
        check_cfg(RAM_CFG_GLIMPSE_WHAT, o->what, "--what", err, errlen) ||
        check_cfg(RAM_CFG_GLIMPSE_WHERE, o->where, "--where", err, errlen) ||
        check_cfg(RAM_CFG_GLIMPSE_SIZE, o->gsize, "--gsize", err, errlen) ||
        check_param(RAM_PARAM_LOCATION_STD, o->std, "--std", err, errlen) ||
        check_param(RAM_PARAM_LEARNING_RATE, o->lr, "--lr", err, errlen) ||
        check_param(RAM_PARAM_LEARNING_RATE, o->lr_min, "--lr-min", err,
                    errlen) ||
        check_param(RAM_PARAM_CLIP_NORM, o->clip, "--clip", err, errlen) ||
        check_param(RAM_PARAM_MOMENTUM, o->momentum, "--momentum", err,
                    errlen) ||
        check_param(RAM_PARAM_LOCATION_LR_SCALE, o->loc_lr_scale,
                    "--location-lr-scale", err, errlen) ||
        check_param(RAM_PARAM_LOCATION_CORE_WEIGHT, o->loc_core_weight,
                    "--location-core-weight", err, errlen) ||
        check_param(RAM_PARAM_BASELINE_TRAINS_CORE, o->baseline_core,
                    "--baseline-core", err, errlen) ||
        check_param(RAM_PARAM_FIRST_LOCATION, o->first_location,
                    "--first-location", err, errlen) ||
        check_param(RAM_PARAM_WEIGHT_DECAY, o->weight_decay,
                    "--weight-decay", err, errlen) ||
        check_param(RAM_PARAM_GLIMPSE_DROPOUT, o->glimpse_dropout,
                    "--glimpse-dropout", err, errlen) ||
        check_param(RAM_PARAM_ACTION_DROPOUT, o->action_dropout,
                    "--action-dropout", err, errlen) ||
        (o->std_end != 0 && check_param(RAM_PARAM_LOCATION_STD, o->std_end,
                                        "--std-end", err, errlen)))
        return -1;
    if (o->patch << (o->scales - 1) > 4096) {
        errbuf_fail(err, errlen, "--patch %d with --scales %d: the largest patch "
                    "(%d px) is too large", o->patch, o->scales,
                    o->patch << (o->scales - 1));
        return -1;
    }
    if (o->core != RAM_CORE_RNN && o->core != RAM_CORE_LSTM) {
        errbuf_fail(err, errlen, "--core must be rnn or lstm");
        return -1;
    }
    if (o->optimizer != RAM_OPT_ADAM && o->optimizer != RAM_OPT_SGD) {
        errbuf_fail(err, errlen, "--optimizer must be adam or sgd");
        return -1;
    }
    if (!(o->lr_decay > 0 && o->lr_decay <= 1)) {
        errbuf_fail(err, errlen, "--lr-decay %g must be in (0, 1]", o->lr_decay);
        return -1;
    }
    if (!(o->ema >= 0 && o->ema < 1)) {
        errbuf_fail(err, errlen, "--ema %g must be 0 (off) or in (0, 1)", o->ema);
        return -1;
    }
    if (o->batch < 1 || o->batch > MNIST_MAX_ROWS) {
        errbuf_fail(err, errlen, "--batch %d is outside 1..%d", o->batch,
                    MNIST_MAX_ROWS);
        return -1;
    }
    if (o->mc < 1 || o->mc > MNIST_MAX_MC) {
        errbuf_fail(err, errlen, "--mc %d is outside 1..%d", o->mc, MNIST_MAX_MC);
        return -1;
    }
    if (o->batch > MNIST_MAX_ROWS / o->mc) {
        errbuf_fail(err, errlen, "--batch %d with --mc %d: %ld rows per update, "
                    "more than %d", o->batch, o->mc, (long)o->batch * o->mc,
                    MNIST_MAX_ROWS);
        return -1;
    }
    if (o->epochs < 1 || o->epochs > 1000000) {
        errbuf_fail(err, errlen, "--epochs %d is outside 1..1000000", o->epochs);
        return -1;
    }
    if (o->threads < 1 || o->threads > MNIST_MAX_THREADS) {
        errbuf_fail(err, errlen, "--threads %d is outside 1..%d", o->threads,
                    MNIST_MAX_THREADS);
        return -1;
    }
    if (o->random_glimpses != 0 && o->random_glimpses != 1) {
        errbuf_fail(err, errlen, "random_glimpses must be 0 or 1");
        return -1;
    }
    if (o->holdout < 1) {
        errbuf_fail(err, errlen, "holdout must be at least 1");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ data sets */

void mnist_set_free(mnist_set *s)
{
    if (!s)
        return;
    free(s->images);
    free(s->labels);
    memset(s, 0, sizeof *s);
}

int mnist_set_make(const mnist_source *src, task_id task, int split,
                   size_t holdout, size_t count, mnist_set *out, char *err,
                   size_t errlen)
{
    return mnist_set_make_draw(src, task, split, holdout, count, 0, out, err,
                               errlen);
}

int mnist_set_make_draw(const mnist_source *src, task_id task, int split,
                        size_t holdout, size_t count, uint64_t draw,
                        mnist_set *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const uint8_t *pool, *labels;
    size_t n_pool;
    uint64_t seed;
    if (split == MNIST_SPLIT_VAL) {
        if (holdout >= src->n_train) {
            errbuf_fail(err, errlen, "holdout %zu >= %zu training digits", holdout,
                        src->n_train);
            return -1;
        }
        size_t first = src->n_train - holdout;
        pool = src->train_images + first * TASK_DIGIT_PIXELS;
        labels = src->train_labels + first;
        n_pool = holdout;
        seed = MNIST_VAL_SEED;
    } else if (split == MNIST_SPLIT_TEST) {
        pool = src->test_images;
        labels = src->test_labels;
        n_pool = src->n_test;
        seed = MNIST_TEST_SEED;
    } else {
        errbuf_fail(err, errlen, "unknown split");
        return -1;
    }
    if (draw != 0) /* another fixed draw: the seed mixed with its number */
        seed = mix3(seed, draw, UINT64_C(0x64726177)); /* "draw" */
    if (n_pool == 0 || !pool || !labels) {
        errbuf_fail(err, errlen, "the %s split is empty",
                    split == MNIST_SPLIT_VAL ? "validation" : "test");
        return -1;
    }
    size_t n = count && count < n_pool ? count : n_pool;
    int W = task_width(task);
    if (W <= 0) {
        errbuf_fail(err, errlen, "unknown task");
        return -1;
    }
    size_t WW = (size_t)W * (size_t)W;
    out->images = malloc(n * WW);
    out->labels = malloc(n * sizeof(int));
    if (!out->images || !out->labels) {
        mnist_set_free(out);
        errbuf_fail(err, errlen, "out of memory (%zu images of %dx%d)", n, W, W);
        return -1;
    }
    int rc = task_generate_set(task, pool, n_pool, 0, n, seed, out->images,
                               NULL);
    if (rc != TASK_OK) {
        mnist_set_free(out);
        errbuf_fail(err, errlen, "generating the %s set: %s",
                    split == MNIST_SPLIT_VAL ? "validation" : "test",
                    task_strerror(rc));
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        out->labels[i] = labels[i];
    out->task = task;
    out->width = W;
    out->n = n;
    return 0;
}

/* ------------------------------------------------------------ the agent */

int mnist_agent_create(const mnist_opts *o, ram_agent **out, char *err,
                       size_t errlen)
{
    ram_config *cfg = NULL;
    int rc = ram_config_create(&cfg);
    const int64_t set[][2] = {
        {RAM_CFG_PATCH, o->patch},
        {RAM_CFG_SCALES, o->scales},
        {RAM_CFG_CHANNELS, 1},
        {RAM_CFG_GLIMPSE_WHAT, o->what},
        {RAM_CFG_GLIMPSE_WHERE, o->where},
        {RAM_CFG_GLIMPSE_SIZE, o->gsize},
        {RAM_CFG_CORE, o->core},
        {RAM_CFG_HIDDEN, o->hidden},
        {RAM_CFG_ACTIONS, N_CLASSES},
        {RAM_CFG_ACTION_MODE, RAM_ACTION_CLASSIFY},
        {RAM_CFG_MAX_STEPS, o->glimpses},
        {RAM_CFG_SEED, (int64_t)(o->seed & INT64_MAX)},
        {RAM_CFG_TRAINABLE, 1},
    };
    for (size_t i = 0; rc == RAM_OK && i < sizeof set / sizeof set[0]; i++)
        rc = ram_config_set(cfg, (int)set[i][0], set[i][1]);
    if (rc == RAM_OK)
        rc = ram_agent_create(out, cfg);
    ram_config_free(cfg);
    if (rc != RAM_OK)
        errbuf_fail(err, errlen, "creating the agent: %s", ram_strerror(rc));
    return rc == RAM_OK ? 0 : -1;
}

int mnist_agent_init_from(ram_agent *agent, const char *path, char *err,
                          size_t errlen)
{
    static const struct {
        int key;
        const char *name;
    } shape[] = {
        {RAM_CFG_PATCH, "patch"},
        {RAM_CFG_SCALES, "scales"},
        {RAM_CFG_CHANNELS, "channels"},
        {RAM_CFG_GLIMPSE_WHAT, "what (h_g)"},
        {RAM_CFG_GLIMPSE_WHERE, "where (h_l)"},
        {RAM_CFG_GLIMPSE_SIZE, "gsize (g)"},
        {RAM_CFG_CORE, "core"},
        {RAM_CFG_HIDDEN, "hidden"},
        {RAM_CFG_ACTIONS, "actions"},
        {RAM_CFG_ACTION_MODE, "action mode"},
        {RAM_CFG_LOCATION_BOUND, "location bound"},
    };
    ram_agent *src = NULL;
    int rc = ram_agent_load_file(&src, path, RAM_LOAD_INFERENCE);
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "--init %s: %s", path, ram_strerror(rc));
        return -1;
    }
    int ret = -1;
    for (size_t i = 0; i < sizeof shape / sizeof shape[0]; i++) {
        int64_t a = 0, b = 0;
        if (ram_agent_get_config(src, shape[i].key, &a) != RAM_OK ||
            ram_agent_get_config(agent, shape[i].key, &b) != RAM_OK) {
            errbuf_fail(err, errlen, "--init %s: cannot read its %s", path,
                        shape[i].name);
            goto done;
        }
        if (a != b) {
            if (shape[i].key == RAM_CFG_CORE)
                errbuf_fail(err, errlen, "--init %s: the model has a %s core, "
                            "the run a %s core", path, mnist_core_name((int)a),
                            mnist_core_name((int)b));
            else
                errbuf_fail(err, errlen, "--init %s: the model has %s %" PRId64
                            ", the run %" PRId64, path, shape[i].name, a, b);
            goto done;
        }
    }
    float *ps = NULL, *pd = NULL;
    size_t ns = 0, nd = 0;
    if (ram_agent_params(src, &ps, NULL, &ns) != RAM_OK ||
        ram_agent_params(agent, &pd, NULL, &nd) != RAM_OK || ns != nd) {
        errbuf_fail(err, errlen, "--init %s: %zu parameters, the run has %zu",
                    path, ns, nd);
        goto done;
    }
    memcpy(pd, ps, nd * sizeof *pd);
    ret = 0;
done:
    ram_agent_free(src);
    return ret;
}

/* The tunables of a run (the learning rate, and the std when it is
 * annealed, are set again at the start of every epoch). */
static int set_tunables(ram_agent *a, const mnist_opts *o, char *err,
                        size_t errlen)
{
    const struct {
        int key;
        double v;
        const char *name;
    } p[] = {
        {RAM_PARAM_OPTIMIZER, o->optimizer, "optimizer"},
        {RAM_PARAM_MOMENTUM, o->momentum, "momentum"},
        {RAM_PARAM_CLIP_NORM, o->clip, "clip"},
        {RAM_PARAM_LOCATION_STD, o->std, "location std"},
        {RAM_PARAM_RANDOM_GLIMPSES, o->random_glimpses, "random glimpses"},
        {RAM_PARAM_LEARNING_RATE, o->lr, "learning rate"},
        {RAM_PARAM_LOCATION_LR_SCALE, o->loc_lr_scale, "location step scale"},
        {RAM_PARAM_LOCATION_CORE_WEIGHT, o->loc_core_weight,
         "location core weight"},
        {RAM_PARAM_BASELINE_TRAINS_CORE, o->baseline_core,
         "baseline-trains-core flag"},
        {RAM_PARAM_FIRST_LOCATION, o->first_location, "first location"},
        {RAM_PARAM_WEIGHT_DECAY, o->weight_decay, "weight decay"},
        {RAM_PARAM_GLIMPSE_DROPOUT, o->glimpse_dropout, "glimpse dropout"},
        {RAM_PARAM_ACTION_DROPOUT, o->action_dropout, "action dropout"},
    };
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        int rc = ram_agent_set_param(a, p[i].key, p[i].v);
        if (rc != RAM_OK) {
            errbuf_fail(err, errlen, "setting the %s to %g: %s", p[i].name, p[i].v,
                        ram_strerror(rc));
            return -1;
        }
    }
    return 0;
}

double mnist_std_at(const mnist_opts *o, int epoch)
{
    if (o->std_end == 0 || epoch <= 1 || o->epochs <= 1)
        return o->std;
    if (epoch >= o->epochs)
        return o->std_end;
    double t = (double)(epoch - 1) / (double)(o->epochs - 1);
    return o->std * pow(o->std_end / o->std, t);
}

static double lr_at(const mnist_opts *o, int epoch)
{
    double lr = o->lr * pow(o->lr_decay, epoch);
    return lr < o->lr_min ? o->lr_min : lr;
}

/* ----------------------------------------------------------- evaluation */

typedef struct eval_job {
    const mnist_set *set;
    size_t WW;
    int glimpses, rollouts, A;
    uint64_t seed;
    size_t *greedy_wrong, *avg_wrong, *single_wrong; /* per chunk */
    unsigned char *marks; /* NULL, or per image: greedy pass wrong */
    float *probs[MNIST_MAX_THREADS], *acc[MNIST_MAX_THREADS];
    int *act[MNIST_MAX_THREADS];
    int rc[MNIST_MAX_THREADS];
    const char *what[MNIST_MAX_THREADS];
} eval_job;

static int eval_fail(eval_job *j, int index, const char *what, int rc)
{
    j->rc[index] = rc;
    j->what[index] = what;
    return rc;
}

/* One episode over images [i0, i0 + m): probs (may be NULL) and actions of
 * the last step. */
static int episode(ram_agent *a, const uint8_t *images, size_t m, size_t WW,
                   unsigned flags, int glimpses, float *probs, int *act,
                   const char **what)
{
    int rc = ram_agent_begin(a, m, flags);
    if (rc != RAM_OK) {
        *what = "ram_agent_begin";
        return rc;
    }
    for (int t = 0; t < glimpses; t++) {
        int last = t == glimpses - 1;
        rc = ram_agent_step(a, images, m * WW, NULL, last ? probs : NULL,
                            last ? act : NULL);
        if (rc != RAM_OK) {
            *what = "ram_agent_step";
            return rc;
        }
    }
    rc = ram_agent_end(a, NULL);
    if (rc != RAM_OK)
        *what = "ram_agent_end";
    return rc;
}

static int eval_chunks(ram_agent *a, int index, size_t lo, size_t hi,
                       void *user)
{
    eval_job *j = user;
    const mnist_set *s = j->set;
    float *probs = j->probs[index], *acc = j->acc[index];
    int *act = j->act[index];
    const char *what = NULL;
    for (size_t c = lo; c < hi; c++) {
        size_t i0 = c * EVAL_CHUNK;
        size_t m = s->n - i0 < EVAL_CHUNK ? s->n - i0 : EVAL_CHUNK;
        const uint8_t *img = s->images + i0 * j->WW;
        const int *lab = s->labels + i0;
        /* The greedy pass draws nothing, except in a random-glimpse model
         * (the ablation): seeded per chunk, so that --seed decides its
         * locations whatever the thread count. */
        int rc = ram_agent_seed(a, mix3(j->seed, c, UINT64_MAX));
        if (rc != RAM_OK)
            return eval_fail(j, index, "ram_agent_seed", rc);
        rc = episode(a, img, m, j->WW, RAM_BEGIN_GREEDY_LOCATION, j->glimpses,
                     NULL, act, &what);
        if (rc != RAM_OK)
            return eval_fail(j, index, what, rc);
        size_t wrong = 0;
        for (size_t i = 0; i < m; i++) {
            wrong += act[i] != lab[i];
            if (j->marks)
                j->marks[i0 + i] = act[i] != lab[i];
        }
        j->greedy_wrong[c] = wrong;
        if (j->rollouts <= 0)
            continue;
        memset(acc, 0, m * (size_t)j->A * sizeof(float));
        size_t single = 0;
        for (int r = 0; r < j->rollouts; r++) {
            rc = ram_agent_seed(a, mix3(j->seed, c, (uint64_t)r));
            if (rc != RAM_OK)
                return eval_fail(j, index, "ram_agent_seed", rc);
            rc = episode(a, img, m, j->WW, 0, j->glimpses, probs, act, &what);
            if (rc != RAM_OK)
                return eval_fail(j, index, what, rc);
            for (size_t i = 0; i < m; i++)
                single += act[i] != lab[i];
            for (size_t k = 0; k < m * (size_t)j->A; k++)
                acc[k] += probs[k];
        }
        j->single_wrong[c] = single;
        wrong = 0;
        for (size_t i = 0; i < m; i++) {
            const float *p = acc + i * (size_t)j->A;
            int best = 0;
            for (int k = 1; k < j->A; k++)
                if (p[k] > p[best])
                    best = k;
            wrong += best != lab[i];
        }
        j->avg_wrong[c] = wrong;
    }
    return 0;
}

/* Evaluates the replicas' (common) model on a set. */
static int eval_replicas(replicas *r, const mnist_set *s, int glimpses,
                         int rollouts, uint64_t seed, unsigned char *marks,
                         mnist_eval_result *res, char *err, size_t errlen)
{
    double t0 = run_now();
    eval_job j;
    memset(&j, 0, sizeof j);
    memset(res, 0, sizeof *res);
    int n_rep = replicas_count(r);
    int64_t A = 0;
    int rc = ram_agent_get_config(replicas_agent(r, 0), RAM_CFG_ACTIONS, &A);
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "ram_agent_get_config: %s", ram_strerror(rc));
        return -1;
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->labels[i] < 0 || s->labels[i] >= A) {
            errbuf_fail(err, errlen, "label %d but the model has %d classes",
                        s->labels[i], (int)A);
            return -1;
        }
    rc = replicas_set_input(r, RAM_PIXEL_U8, (size_t)s->width,
                            (size_t)s->width, (size_t)s->width,
                            (size_t)s->width * (size_t)s->width);
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "ram_agent_set_input (%dx%d): %s", s->width,
                    s->width, ram_strerror(rc));
        return -1;
    }
    size_t chunks = (s->n + EVAL_CHUNK - 1) / EVAL_CHUNK;
    j.set = s;
    j.WW = (size_t)s->width * (size_t)s->width;
    j.glimpses = glimpses;
    j.rollouts = rollouts;
    j.A = (int)A;
    j.seed = seed;
    j.marks = marks;
    j.greedy_wrong = calloc(chunks, sizeof(size_t));
    j.avg_wrong = calloc(chunks, sizeof(size_t));
    j.single_wrong = calloc(chunks, sizeof(size_t));
    int ok = j.greedy_wrong && j.avg_wrong && j.single_wrong;
    for (int i = 0; ok && i < n_rep; i++) {
        j.probs[i] = malloc(EVAL_CHUNK * (size_t)A * sizeof(float));
        j.acc[i] = malloc(EVAL_CHUNK * (size_t)A * sizeof(float));
        j.act[i] = malloc(EVAL_CHUNK * sizeof(int));
        ok = j.probs[i] && j.acc[i] && j.act[i];
    }
    int ret = 0;
    if (!ok) {
        errbuf_fail(err, errlen, "out of memory");
        ret = -1;
    } else if (chunks > 0 && replicas_run(r, chunks, eval_chunks, &j) != 0) {
        for (int i = 0; i < n_rep; i++)
            if (j.rc[i]) {
                errbuf_fail(err, errlen, "evaluation: %s: %s", j.what[i],
                            ram_strerror(j.rc[i]));
                break;
            }
        ret = -1;
    } else {
        res->n = s->n;
        size_t single = 0;
        for (size_t c = 0; c < chunks; c++) {
            res->errors += j.greedy_wrong[c];
            res->avg_errors += j.avg_wrong[c];
            single += j.single_wrong[c];
        }
        res->error = s->n ? (double)res->errors / (double)s->n : 0;
        if (rollouts > 0) {
            res->rollouts = rollouts;
            res->avg_error = (double)res->avg_errors / (double)s->n;
            res->single_error =
                (double)single / ((double)s->n * (double)rollouts);
        } else {
            res->avg_errors = 0;
        }
    }
    free(j.greedy_wrong);
    free(j.avg_wrong);
    free(j.single_wrong);
    for (int i = 0; i < n_rep; i++) {
        free(j.probs[i]);
        free(j.acc[i]);
        free(j.act[i]);
    }
    res->seconds = run_now() - t0;
    return ret;
}

int mnist_evaluate_marks(ram_agent *model, const mnist_set *set,
                         int glimpses, int rollouts, int threads,
                         uint64_t seed, unsigned char *marks,
                         mnist_eval_result *res, char *err, size_t errlen)
{
    if (!model || !set || !res) {
        errbuf_fail(err, errlen, "mnist_evaluate: NULL argument");
        return -1;
    }
    if (threads < 1 || threads > MNIST_MAX_THREADS) {
        errbuf_fail(err, errlen, "threads %d is outside 1..%d", threads,
                    MNIST_MAX_THREADS);
        return -1;
    }
    if (glimpses <= 0) {
        int64_t steps = 0;
        int rc = ram_agent_get_config(model, RAM_CFG_MAX_STEPS, &steps);
        if (rc != RAM_OK) {
            errbuf_fail(err, errlen, "ram_agent_get_config: %s", ram_strerror(rc));
            return -1;
        }
        glimpses = (int)steps;
    }
    /* One BLAS thread per replica, also for one replica: --threads N means
     * N busy threads. A multi-threaded BLAS under a single replica gains
     * little at these sizes and collapses when the cores are shared (its
     * threads wait on each other: ~50x slower seen with other jobs). */
    (void)replicas_blas_single_thread();
    replicas *r = NULL;
    int rc = replicas_create(model, threads, seed, &r);
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "replicas_create: %s", ram_strerror(rc));
        return -1;
    }
    int ret = eval_replicas(r, set, glimpses, rollouts, seed, marks, res, err,
                            errlen);
    replicas_free(r);
    return ret;
}

int mnist_evaluate(ram_agent *model, const mnist_set *set, int glimpses,
                   int rollouts, int threads, uint64_t seed,
                   mnist_eval_result *res, char *err, size_t errlen)
{
    return mnist_evaluate_marks(model, set, glimpses, rollouts, threads, seed,
                                NULL, res, err, errlen);
}

/* ------------------------------------------------------------ run state */

/* Everything state.txt holds besides the options. */
typedef struct run_state {
    int epoch;           /* epochs finished */
    size_t batch;        /* batches done in the epoch in progress */
    uint64_t updates;    /* optimiser updates so far (checks the checkpoint) */
    size_t n_pool;       /* training digits per epoch (checked on resume) */
    double best_val, last_val;
    int best_epoch;
    double elapsed;      /* wall seconds, all invocations */
    /* sums over the batches done in the epoch in progress */
    double ep_loss, ep_reward, ep_bmse, ep_seconds;
    size_t ep_samples;
    uint64_t ema_updates; /* updates averaged into ema.ram (0: none yet) */
    uint64_t ema_hash;   /* params_hash() of the average in ema.ram */
    int best_is_ema;     /* best.ram holds the average, not the weights */
} run_state;

static void state_text(const mnist_opts *o, const run_state *st, strbuf *b)
{
    strbuf_printf(b, "# ram-mnist training state (written after every epoch and "
                  "on interrupt); do not edit\n");
    strbuf_printf(b, "format=%d\n", STATE_FORMAT);
    strbuf_printf(b, "epoch=%d\nbatch=%zu\nupdates=%" PRIu64 "\nn_pool=%zu\n",
              st->epoch, st->batch, st->updates, st->n_pool);
    strbuf_printf(b, "data_stream=pure function of (seed, epoch, position): "
                  "position = batch * batch_size\n");
    strbuf_printf(b, "best_val_error=%.17g\nbest_epoch=%d\nlast_val_error=%.17g\n",
              st->best_val, st->best_epoch, st->last_val);
    strbuf_printf(b, "elapsed=%.17g\n", st->elapsed);
    strbuf_printf(b, "ep_loss=%.17g\nep_reward=%.17g\nep_bmse=%.17g\n"
                  "ep_seconds=%.17g\nep_samples=%zu\n",
              st->ep_loss, st->ep_reward, st->ep_bmse, st->ep_seconds,
              st->ep_samples);
    strbuf_printf(b, "task=%s\nglimpses=%d\npatch=%d\nscales=%d\ncore=%s\n"
                  "hidden=%d\nwhat=%d\nwhere=%d\ngsize=%d\n",
              task_name(o->task), o->glimpses, o->patch, o->scales,
              mnist_core_name(o->core), o->hidden, o->what, o->where, o->gsize);
    strbuf_printf(b, "std=%.17g\nlr=%.17g\nlr_decay=%.17g\nlr_min=%.17g\n"
                  "clip=%.17g\noptimizer=%s\nmomentum=%.17g\n",
              o->std, o->lr, o->lr_decay, o->lr_min, o->clip,
              mnist_optimizer_name(o->optimizer), o->momentum);
    strbuf_printf(b, "batch_size=%d\nmc=%d\nepochs=%d\nseed=%" PRIu64 "\n"
                  "threads=%d\nrandom_glimpses=%d\nsubset=%zu\n"
                  "val_images=%zu\nholdout=%zu\n",
              o->batch, o->mc, o->epochs, o->seed, o->threads,
              o->random_glimpses, o->subset, o->val_images, o->holdout);
    strbuf_printf(b, "loc_lr_scale=%.17g\nloc_core_weight=%.17g\n"
                  "baseline_core=%d\nstd_end=%.17g\nfirst_location=%s\n",
              o->loc_lr_scale, o->loc_core_weight, o->baseline_core,
              o->std_end, mnist_first_name(o->first_location));
    strbuf_printf(b, "weight_decay=%.17g\n", o->weight_decay);
    strbuf_printf(b, "glimpse_dropout=%.17g\naction_dropout=%.17g\n",
              o->glimpse_dropout, o->action_dropout);
    strbuf_printf(b, "ema=%.17g\nema_updates=%" PRIu64 "\nema_hash=%" PRIu64
                  "\nbest_model=%s\n",
              o->ema, st->ema_updates, st->ema_hash,
              st->best_is_ema ? "ema" : "trained");
    if (o->init[0])
        strbuf_printf(b, "init=%s\n", o->init);
}

/* One key=value of state.txt into o / st. Returns 0, 1 (unknown key: ignored)
 * or -1 (bad value). */
static int state_set(mnist_opts *o, run_state *st, const char *k,
                     const char *v, int *format)
{
    long x;
    size_t z;
    double d;
#define INT_KEY(name, lo, hi, dst)                                          \
    if (strcmp(k, name) == 0) {                                             \
        if (num_long(v, lo, hi, &x))                                       \
            return -1;                                                      \
        dst = (int)x;                                                       \
        return 0;                                                           \
    }
#define SIZE_KEY(name, dst)                                                 \
    if (strcmp(k, name) == 0) {                                             \
        if (num_size(v, &z))                                              \
            return -1;                                                      \
        dst = z;                                                            \
        return 0;                                                           \
    }
#define DBL_KEY(name, dst)                                                  \
    if (strcmp(k, name) == 0) {                                             \
        if (num_double(v, &d))                                            \
            return -1;                                                      \
        dst = d;                                                            \
        return 0;                                                           \
    }
    INT_KEY("format", 0, 1000, *format)
    INT_KEY("epoch", 0, 1000000, st->epoch)
    SIZE_KEY("batch", st->batch)
    SIZE_KEY("n_pool", st->n_pool)
    DBL_KEY("best_val_error", st->best_val)
    INT_KEY("best_epoch", 0, 1000000, st->best_epoch)
    DBL_KEY("last_val_error", st->last_val)
    DBL_KEY("elapsed", st->elapsed)
    DBL_KEY("ep_loss", st->ep_loss)
    DBL_KEY("ep_reward", st->ep_reward)
    DBL_KEY("ep_bmse", st->ep_bmse)
    DBL_KEY("ep_seconds", st->ep_seconds)
    SIZE_KEY("ep_samples", st->ep_samples)
    INT_KEY("glimpses", 1, 1000000, o->glimpses)
    INT_KEY("patch", 1, 1000000, o->patch)
    INT_KEY("scales", 1, 64, o->scales)
    INT_KEY("hidden", 1, 100000000, o->hidden)
    INT_KEY("what", 1, 100000000, o->what)
    INT_KEY("where", 1, 100000000, o->where)
    INT_KEY("gsize", 1, 100000000, o->gsize)
    DBL_KEY("std", o->std)
    DBL_KEY("lr", o->lr)
    DBL_KEY("lr_decay", o->lr_decay)
    DBL_KEY("lr_min", o->lr_min)
    DBL_KEY("clip", o->clip)
    DBL_KEY("momentum", o->momentum)
    INT_KEY("batch_size", 1, 100000000, o->batch)
    INT_KEY("mc", 1, 1000000, o->mc) /* absent (older runs): 1, the preset */
    INT_KEY("epochs", 1, 100000000, o->epochs)
    INT_KEY("threads", 1, 1000000, o->threads)
    INT_KEY("random_glimpses", 0, 1, o->random_glimpses)
    SIZE_KEY("subset", o->subset)
    SIZE_KEY("val_images", o->val_images)
    SIZE_KEY("holdout", o->holdout)
    /* Absent (older runs): the preset's 1, 1, 0 and 0 (constant std). */
    DBL_KEY("loc_lr_scale", o->loc_lr_scale)
    DBL_KEY("loc_core_weight", o->loc_core_weight)
    INT_KEY("baseline_core", 0, 1, o->baseline_core)
    DBL_KEY("std_end", o->std_end)
    DBL_KEY("weight_decay", o->weight_decay) /* absent (older runs): 0 */
    DBL_KEY("glimpse_dropout", o->glimpse_dropout) /* absent: 0 */
    DBL_KEY("action_dropout", o->action_dropout)   /* absent: 0 */
    DBL_KEY("ema", o->ema)                         /* absent: 0 */
#undef INT_KEY
#undef SIZE_KEY
#undef DBL_KEY
    if (strcmp(k, "updates") == 0 || strcmp(k, "seed") == 0 ||
        strcmp(k, "ema_updates") == 0 || strcmp(k, "ema_hash") == 0) {
        uint64_t u;
        if (num_u64(v, &u))
            return -1;
        if (k[0] == 'u')
            st->updates = u;
        else if (strcmp(k, "ema_hash") == 0)
            st->ema_hash = u;
        else if (k[0] == 'e')
            st->ema_updates = u;
        else
            o->seed = u;
        return 0;
    }
    if (strcmp(k, "best_model") == 0) { /* absent (older runs): trained */
        if (strcmp(v, "trained") && strcmp(v, "ema"))
            return -1;
        st->best_is_ema = v[0] == 'e';
        return 0;
    }
    if (strcmp(k, "init") == 0) { /* a record: the checkpoint has the weights */
        size_t n = strlen(v);
        if (n == 0 || n > MNIST_INIT_MAX)
            return -1;
        memcpy(o->init, v, n + 1);
        return 0;
    }
    if (strcmp(k, "task") == 0) {
        o->task = task_from_name(v);
        return o->task == TASK_INVALID ? -1 : 0;
    }
    if (strcmp(k, "core") == 0) {
        o->core = mnist_core_from_name(v);
        return o->core < 0 ? -1 : 0;
    }
    if (strcmp(k, "optimizer") == 0) {
        o->optimizer = mnist_optimizer_from_name(v);
        return o->optimizer < 0 ? -1 : 0;
    }
    if (strcmp(k, "first_location") == 0) { /* absent (older runs): learned */
        o->first_location = mnist_first_from_name(v);
        return o->first_location < 0 ? -1 : 0;
    }
    return 1;
}

typedef struct state_read {
    mnist_opts *o;
    run_state *st;
    int format;
} state_read;

static int state_key(void *user, const char *key, const char *value)
{
    state_read *r = user;
    return state_set(r->o, r->st, key, value, &r->format);
}

static int read_state(const char *dir, mnist_opts *o, run_state *st,
                      char *err, size_t errlen)
{
    char *path = run_path(dir, "state.txt");
    if (!path) {
        errbuf_fail(err, errlen, "out of memory");
        return -1;
    }
    mnist_opts_preset(o, TASK_MNIST28);
    o->task = TASK_INVALID;
    memset(st, 0, sizeof *st);
    state_read r = {o, st, -1};
    int ret = statefile_read(path, '=', NULL, state_key, &r, err, errlen);
    if (ret == 0 && r.format != STATE_FORMAT) {
        errbuf_fail(err, errlen, "%s: unsupported format %d (expected %d)",
                        path, r.format, STATE_FORMAT);
        ret = -1;
    }
    if (ret == 0 && o->task == TASK_INVALID) {
        errbuf_fail(err, errlen, "%s: no task", path);
        ret = -1;
    }
    free(path);
    return ret;
}

int mnist_read_run_opts(const char *dir, mnist_opts *o, int *epochs_done,
                        char *err, size_t errlen)
{
    run_state st;
    if (read_state(dir, o, &st, err, errlen))
        return -1;
    if (epochs_done)
        *epochs_done = st.epoch;
    return 0;
}

static int write_state(const char *dir, const mnist_opts *o,
                       const run_state *st, char *err, size_t errlen)
{
    strbuf b = {0};
    state_text(o, st, &b);
    char *path = run_path(dir, "state.txt");
    int ret = -1;
    if (!path)
        errbuf_fail(err, errlen, "out of memory");
    else
        ret = statefile_write(path, &b, err, errlen);
    free(b.s);
    free(path);
    return ret;
}

/* log.tsv's columns; runs with a parameter average (--ema) add
 * LOG_EMA_COLUMN at the end ("nan" in epochs scored
 * without it, which tsv_read and the curve command accept). */
#define LOG_HEADER                                                          \
    "epoch\tloss\treward\tbaseline_mse\tval_error\tlr\tsamples_per_s\t"     \
    "elapsed_s\tbest"
#define LOG_EMA_COLUMN "ema_val_error"

static int count_tabs(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\t';
    return n;
}

/* On resume: keeps log.tsv's header and the lines of epochs <= `epochs`
 * (a line written after the last state.txt is dropped). *with_ema: in, 1 if
 * the run now scores a parameter average; out, 1 if the log has (now) the
 * LOG_EMA_COLUMN, which lines written without it get as "nan". */
static int trim_log(const char *path, int epochs, int *with_ema, char *err,
                    size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0; /* no log yet: nothing to trim */
    char line[1024];
    if (fgets(line, sizeof line, f) && strstr(line, "\t" LOG_EMA_COLUMN))
        *with_ema = 1;
    rewind(f);
    strbuf b = {0};
    strbuf_printf(&b, "%s%s\n", LOG_HEADER, *with_ema ? "\t" LOG_EMA_COLUMN : "");
    while (fgets(line, sizeof line, f)) {
        char *end;
        long e = strtol(line, &end, 10);
        if (end == line || *end != '\t' || e < 1 || e > epochs)
            continue;
        size_t n = strcspn(line, "\r\n");
        strbuf_printf(&b, "%.*s%s\n", (int)n, line,
                  *with_ema && count_tabs(line) == count_tabs(LOG_HEADER)
                      ? "\tnan" : "");
    }
    fclose(f);
    int ret = -1;
    if (b.oom)
        errbuf_fail(err, errlen, "out of memory");
    else
        ret = run_write_atomic(path, b.s, err, errlen);
    free(b.s);
    return ret;
}

static int append_log(const char *path, const char *line, int with_ema,
                      char *err, size_t errlen)
{
    return tsv_append(path,
                      with_ema ? LOG_HEADER "\t" LOG_EMA_COLUMN "\n"
                               : LOG_HEADER "\n",
                      line, err, errlen);
}

/* ------------------------------------------------------------- training */

typedef struct train_job {
    task_id task;
    size_t WW;
    int glimpses;
    const uint8_t *pool, *pool_labels;
    size_t n_pool;
    const size_t *perm;
    size_t mc;           /* rows per image: row r shows image r / mc */
    size_t pos0;         /* epoch position of the batch's first image */
    uint64_t epoch_seed; /* data stream seed of this epoch */
    uint64_t seed;       /* run seed */
    uint64_t step;       /* update number (sampling seeds) */
    uint8_t *images;
    int *labels, *actions;
    float *rewards;
    int rc[MNIST_MAX_THREADS];
    const char *what[MNIST_MAX_THREADS];
} train_job;

static int train_fail(train_job *j, int index, const char *what, int rc)
{
    j->rc[index] = rc;
    j->what[index] = what;
    return rc ? rc : -1;
}

/* One training episode on the rows [lo, hi) of the batch: generates the
 * images (row i shows the batch's image i / mc; a copy within the slice is
 * copied, not rendered again, which gives the same bytes), then
 * begin(TRAIN), the glimpses, the reward (1 if correct at the last step),
 * end(labels). */
static int train_slice(ram_agent *a, int index, size_t lo, size_t hi,
                       void *user)
{
    train_job *j = user;
    for (size_t i = lo; i < hi; i++) {
        size_t pos = j->pos0 + i / j->mc;
        size_t digit = j->perm[pos];
        j->labels[i] = j->pool_labels[digit];
        if (i > lo && i % j->mc != 0) {
            memcpy(j->images + i * j->WW, j->images + (i - 1) * j->WW, j->WW);
            continue;
        }
        example_rng rng;
        example_rng_seed_stream(&rng, j->epoch_seed, pos);
        int rc = task_generate(j->task, j->pool, j->n_pool, digit, &rng,
                               j->images + i * j->WW, NULL, NULL);
        if (rc != TASK_OK)
            return train_fail(j, index, task_strerror(rc), 0);
    }
    size_t n = hi - lo;
    int rc = ram_agent_seed(a, mix3(j->seed, j->step, (uint64_t)index));
    if (rc != RAM_OK)
        return train_fail(j, index, "ram_agent_seed", rc);
    rc = ram_agent_begin(a, n, RAM_BEGIN_TRAIN);
    if (rc != RAM_OK)
        return train_fail(j, index, "ram_agent_begin", rc);
    const uint8_t *img = j->images + lo * j->WW;
    for (int t = 0; t < j->glimpses; t++) {
        rc = ram_agent_step(a, img, n * j->WW, NULL, NULL,
                            t == j->glimpses - 1 ? j->actions + lo : NULL);
        if (rc != RAM_OK)
            return train_fail(j, index, "ram_agent_step", rc);
    }
    for (size_t i = lo; i < hi; i++)
        j->rewards[i] = j->actions[i] == j->labels[i] ? 1.0f : 0.0f;
    rc = ram_agent_reward(a, j->rewards + lo);
    if (rc != RAM_OK)
        return train_fail(j, index, "ram_agent_reward", rc);
    rc = ram_agent_end(a, j->labels + lo);
    if (rc != RAM_OK)
        return train_fail(j, index, "ram_agent_end", rc);
    return 0;
}

static void make_perm(size_t *perm, size_t n, uint64_t seed, int epoch)
{
    example_rng r;
    example_rng_seed_stream(&r, seed ^ MNIST_PERM_SALT, (uint64_t)epoch);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t k = (size_t)example_rng_below(&r, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[k];
        perm[k] = t;
    }
}

static uint64_t epoch_data_seed(uint64_t seed, int epoch)
{
    example_rng r;
    example_rng_seed_stream(&r, seed ^ MNIST_DATA_SALT, (uint64_t)epoch);
    return example_rng_next(&r);
}

/* Progress within an epoch. */
typedef struct epoch_progress {
    progress_bar bar;
    int epoch, epochs;
    size_t total, next_mark; /* samples in the epoch; next 10% mark */
    double t0;               /* start of this invocation's part */
    size_t done0;            /* samples done before it */
} epoch_progress;

static void progress_show(epoch_progress *p, size_t done,
                          const run_state *st)
{
    if (!p->bar.f || p->total == 0)
        return;
    /* A terminal's bar at most every 0.2 s; a log's line per 10%. */
    if (!progress_due(&p->bar, !p->bar.tty || done >= p->total))
        return;
    double dt = p->bar.last - p->t0;
    double rate = done > p->done0 && dt > 0 ? (double)(done - p->done0) / dt : 0;
    double eta = rate > 0 ? (double)(p->total - done) / rate : 0;
    char eta_s[32];
    progress_clock(eta, eta_s, sizeof eta_s);
    double frac = (double)done / (double)p->total;
    double loss = st->ep_samples ? st->ep_loss / (double)st->ep_samples : 0;
    double rew = st->ep_samples ? st->ep_reward / (double)st->ep_samples : 0;
    if (p->bar.tty) {
        char before[64], after[256];
        snprintf(before, sizeof before, "epoch %d/%d ", p->epoch, p->epochs);
        snprintf(after, sizeof after, " %3.0f%% %zu/%zu  loss %.4f  "
                 "reward %.3f  %.0f/s  ETA %s",
                 100 * frac, done, p->total, loss, rew, rate, eta_s);
        progress_draw(&p->bar, frac, before, after);
    } else if (done >= p->next_mark || done == p->total) {
        fprintf(p->bar.f, "  epoch %d: %3.0f%% (%zu/%zu)  loss %.4f  "
                          "reward %.3f  %.0f samples/s  ETA %s\n",
                p->epoch, 100 * frac, done, p->total, loss, rew, rate, eta_s);
        fflush(p->bar.f);
        while (p->next_mark <= done)
            p->next_mark += (p->total + 9) / 10;
    }
}

/* ----------------------------------------- parameter average (--ema) */

/* ema += (1 - d_k) (params - ema) for the k-th update averaged (k = 0 the
 * first), with d_k = min(d, (1 + k) / (10 + k)): early on the average
 * follows the weights closely (as TensorFlow's ExponentialMovingAverage
 * with num_updates) instead of holding on to its starting point for about
 * 1 / (1 - d) updates. */
static void ema_step(float *ema, const float *params, size_t n, double d,
                     uint64_t k)
{
    double warm = (1.0 + (double)k) / (10.0 + (double)k);
    const float a = (float)(1.0 - (d < warm ? d : warm));
    for (size_t i = 0; i < n; i++)
        ema[i] += a * (params[i] - ema[i]);
}

/* FNV-1a over the bytes of n floats: state.txt records the average's, so
 * that a resumed run knows ema.ram is the one saved with checkpoint.ram. */
static uint64_t params_hash(const float *x, size_t n)
{
    const unsigned char *b = (const unsigned char *)x;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n * sizeof *x; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* Copies src (n floats) into the parameters of every replica, the master
 * included (they all hold the same parameters between updates). */
static void params_put(replicas *r, const float *src, size_t n)
{
    for (int i = 0; i < replicas_count(r); i++) {
        float *p = NULL;
        size_t m = 0;
        if (ram_agent_params(replicas_agent(r, i), &p, NULL, &m) == RAM_OK &&
            m == n)
            memcpy(p, src, n * sizeof *p);
    }
}

/* Saves the master with `ema` in place of its parameters (no optimiser
 * state) to path; `keep` (n floats) holds the master's own meanwhile. */
static int save_with_params(ram_agent *master, const float *ema, float *keep,
                            size_t n, const char *path, char *err,
                            size_t errlen)
{
    float *p = NULL;
    size_t m = 0;
    int rc = ram_agent_params(master, &p, NULL, &m);
    if (rc == RAM_OK && m != n)
        rc = RAM_E_INVALID;
    if (rc == RAM_OK) {
        memcpy(keep, p, n * sizeof *p);
        memcpy(p, ema, n * sizeof *p);
        rc = ram_agent_save_file(master, 0, path);
        memcpy(p, keep, n * sizeof *p);
    }
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "%s: ram_agent_save_file: %s", path,
                    ram_strerror(rc));
        return -1;
    }
    return 0;
}

/* Saves ema.ram (with --ema), checkpoint.ram, then state.txt: state.txt
 * last, so that a run stopped while saving is caught on resume by the
 * update count of checkpoint.ram and the checksum of ema.ram. */
static int save_checkpoint(ram_agent *master, const char *dir,
                           const mnist_opts *o, run_state *st,
                           const float *ema, float *keep, size_t n_params,
                           char *err, size_t errlen)
{
    char *path = run_path(dir, "checkpoint.ram");
    char *p_ema = run_path(dir, "ema.ram");
    if (!path || !p_ema) {
        free(path);
        free(p_ema);
        errbuf_fail(err, errlen, "out of memory");
        return -1;
    }
    st->ema_hash = ema ? params_hash(ema, n_params) : 0;
    if (ema && save_with_params(master, ema, keep, n_params, p_ema, err,
                                errlen)) {
        free(path);
        free(p_ema);
        return -1;
    }
    free(p_ema);
    int rc = ram_agent_save_file(master, RAM_SAVE_OPTIMIZER, path);
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "%s: ram_agent_save_file: %s", path,
                    ram_strerror(rc));
        free(path);
        return -1;
    }
    free(path);
    return write_state(dir, o, st, err, errlen);
}

/* Reads dir/ema.ram, the average of a resumed run, into ema (n floats); it
 * must be the one state.txt was written with (st->ema_hash). */
static int load_ema(const char *dir, const run_state *st, float *ema,
                    size_t n, char *err, size_t errlen)
{
    char *path = run_path(dir, "ema.ram");
    if (!path) {
        errbuf_fail(err, errlen, "out of memory");
        return -1;
    }
    ram_agent *a = NULL;
    int rc = ram_agent_load_file(&a, path, 0);
    int ret = -1;
    float *p = NULL;
    size_t m = 0;
    if (rc != RAM_OK)
        errbuf_fail(err, errlen, "%s: ram_agent_load_file: %s (state.txt says "
                    "the run averages its parameters)", path, ram_strerror(rc));
    else if (ram_agent_params(a, &p, NULL, &m) != RAM_OK || m != n)
        errbuf_fail(err, errlen, "%s does not match checkpoint.ram", path);
    else if (params_hash(p, n) != st->ema_hash)
        errbuf_fail(err, errlen, "%s is not the average state.txt was saved "
                    "with (the run was stopped while saving?): cannot resume "
                    "the average exactly", path);
    else {
        memcpy(ema, p, n * sizeof *p);
        ret = 0;
    }
    ram_agent_free(a);
    free(path);
    return ret;
}

typedef struct train_ctx {
    ram_agent *master;
    replicas *rep;
    mnist_set val;
    size_t *perm;
    uint8_t *images;
    int *labels, *actions;
    float *rewards;
    char *p_best, *p_log;
    float *ema, *keep; /* --ema: the average, and room for the weights */
    size_t n_params;
} train_ctx;

static void ctx_free(train_ctx *c)
{
    replicas_free(c->rep);
    ram_agent_free(c->master);
    mnist_set_free(&c->val);
    free(c->perm);
    free(c->images);
    free(c->labels);
    free(c->actions);
    free(c->rewards);
    free(c->p_best);
    free(c->p_log);
    free(c->ema);
    free(c->keep);
}

int mnist_train(const mnist_source *src, const mnist_opts *opts,
                const char *dir, int resume, const mnist_train_io *io,
                mnist_train_result *res, char *err, size_t errlen)
{
    static const mnist_train_io quiet = {0};
    if (!io)
        io = &quiet;
    FILE *out = io->out;
    mnist_opts o;
    run_state st;
    train_ctx c;
    memset(&c, 0, sizeof c);
    memset(&st, 0, sizeof st);
    if (res)
        memset(res, 0, sizeof *res);
    if (!src || !dir || (!opts && !resume)) {
        errbuf_fail(err, errlen, "mnist_train: NULL argument");
        return -1;
    }
    char *p_ckpt = run_path(dir, "checkpoint.ram");
    char *p_state = run_path(dir, "state.txt");
    if (!p_ckpt || !p_state) {
        free(p_ckpt);
        free(p_state);
        errbuf_fail(err, errlen, "out of memory");
        return -1;
    }
    int have_state = run_exists(p_state), have_ckpt = run_exists(p_ckpt);
    int ret = -1;

    if (resume) {
        if (!have_state || !have_ckpt) {
            errbuf_fail(err, errlen, "%s: nothing to resume (no %s)", dir,
                        have_state ? "checkpoint.ram" : "state.txt");
            goto done;
        }
        if (read_state(dir, &o, &st, err, errlen))
            goto done;
        if (opts) {
            o.epochs = opts->epochs;
            o.threads = opts->threads;
            o.ema = opts->ema;
        }
        if (o.ema == 0)
            st.ema_updates = 0; /* an average switched on later starts anew */
    } else {
        if (have_state || have_ckpt) {
            errbuf_fail(err, errlen, "%s already holds a run (state.txt, "
                        "checkpoint.ram): continue it with --resume, or choose "
                        "another directory", dir);
            goto done;
        }
        o = *opts;
        st.best_val = 1.0;
        st.last_val = -1;
    }
    if (mnist_opts_check(&o, err, errlen))
        goto done;
    if (run_mkdirs(dir, err, errlen))
        goto done;

    /* The training pool. */
    if (o.holdout >= src->n_train) {
        errbuf_fail(err, errlen, "%zu training digits: none left after holding "
                    "out %zu for validation", src->n_train, o.holdout);
        goto done;
    }
    size_t n_pool = src->n_train - o.holdout;
    if (o.subset && o.subset < n_pool)
        n_pool = o.subset;
    if (n_pool < 2) {
        errbuf_fail(err, errlen, "the training pool needs at least 2 digits");
        goto done;
    }
    if (resume && st.n_pool != n_pool) {
        errbuf_fail(err, errlen, "%s: the run trained on %zu digits per epoch, "
                    "the data now gives %zu: not the same data", dir, st.n_pool,
                    n_pool);
        goto done;
    }
    st.n_pool = n_pool;
    const size_t B = (size_t)o.batch;
    const size_t nb = (n_pool + B - 1) / B;
    if (st.batch > nb) {
        errbuf_fail(err, errlen, "%s: state.txt is at batch %zu of an epoch of "
                    "%zu", dir, st.batch, nb);
        goto done;
    }
    const int W = task_width(o.task);
    const size_t WW = (size_t)W * (size_t)W;

    if (mnist_set_make(src, o.task, MNIST_SPLIT_VAL, o.holdout, o.val_images,
                       &c.val, err, errlen))
        goto done;

    /* The agent. */
    if (resume) {
        int rc = ram_agent_load_file(&c.master, p_ckpt, 0);
        if (rc != RAM_OK) {
            errbuf_fail(err, errlen, "%s: ram_agent_load_file: %s", p_ckpt,
                        ram_strerror(rc));
            goto done;
        }
        double upd = -1;
        rc = ram_agent_stat(c.master, RAM_STAT_UPDATES, &upd);
        if (rc != RAM_OK || upd != (double)st.updates) {
            errbuf_fail(err, errlen, "%s: the checkpoint has %.0f updates but "
                        "state.txt says %" PRIu64 " (the run was stopped while "
                        "saving?): cannot resume exactly", dir, upd, st.updates);
            goto done;
        }
        int64_t v;
        if (ram_agent_get_config(c.master, RAM_CFG_HIDDEN, &v) != RAM_OK ||
            v != o.hidden ||
            ram_agent_get_config(c.master, RAM_CFG_MAX_STEPS, &v) != RAM_OK ||
            v != o.glimpses) {
            errbuf_fail(err, errlen, "%s: checkpoint.ram does not match state.txt",
                        dir);
            goto done;
        }
    } else if (mnist_agent_create(&o, &c.master, err, errlen) ||
               (o.init[0] &&
                mnist_agent_init_from(c.master, o.init, err, errlen))) {
        goto done;
    }
    if (set_tunables(c.master, &o, err, errlen))
        goto done;
    {
        const char *what = replicas_blas_single_thread();
        if (out)
            fprintf(out, "threads: %d replica%s; BLAS: %s\n", o.threads,
                    o.threads == 1 ? "" : "s", what);
    }
    int rc = replicas_create(c.master, o.threads, o.seed, &c.rep);
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "replicas_create: %s", ram_strerror(rc));
        goto done;
    }
    rc = replicas_set_input(c.rep, RAM_PIXEL_U8, (size_t)W, (size_t)W,
                            (size_t)W, WW);
    if (rc != RAM_OK) {
        errbuf_fail(err, errlen, "ram_agent_set_input: %s", ram_strerror(rc));
        goto done;
    }
    c.perm = malloc(n_pool * sizeof(size_t));
    const size_t M = (size_t)o.mc, rows = B * M; /* agent rows per update */
    c.images = malloc(rows * WW);
    c.labels = malloc(rows * sizeof(int));
    c.actions = malloc(rows * sizeof(int));
    c.rewards = malloc(rows * sizeof(float));
    c.p_best = run_path(dir, "best.ram");
    c.p_log = run_path(dir, "log.tsv");
    if (!c.perm || !c.images || !c.labels || !c.actions || !c.rewards ||
        !c.p_best || !c.p_log) {
        errbuf_fail(err, errlen, "out of memory");
        goto done;
    }
    int log_ema = o.ema > 0;
    if (resume && trim_log(c.p_log, st.epoch, &log_ema, err, errlen))
        goto done;
    if (o.ema > 0) {
        float *p = NULL;
        ram_agent_params(c.master, &p, NULL, &c.n_params);
        c.ema = malloc(c.n_params * sizeof(float));
        c.keep = malloc(c.n_params * sizeof(float));
        if (!c.ema || !c.keep) {
            errbuf_fail(err, errlen, "out of memory");
            goto done;
        }
        if (st.ema_updates == 0) { /* a new average: from the weights now */
            memcpy(c.ema, p, c.n_params * sizeof(float));
        } else if (load_ema(dir, &st, c.ema, c.n_params, err, errlen)) {
            goto done;
        }
    }

    if (out) {
        if (resume)
            fprintf(out, "resuming %s at epoch %d, batch %zu/%zu (%" PRIu64
                         " updates, best validation error %.2f%% at epoch %d)\n",
                    dir, st.epoch + 1, st.batch, nb, st.updates,
                    100 * st.best_val, st.best_epoch);
        fprintf(out, "training %s into %s\n", task_name(o.task), dir);
        mnist_opts_print(&o, out);
        fprintf(out, "  data             %zu training digits per epoch "
                     "(%zu batches), %zu validation images\n",
                n_pool, nb, c.val.n);
        fflush(out);
    }

    train_job job;
    memset(&job, 0, sizeof job);
    job.task = o.task;
    job.WW = WW;
    job.glimpses = o.glimpses;
    job.pool = src->train_images;
    job.pool_labels = src->train_labels;
    job.n_pool = n_pool;
    job.perm = c.perm;
    job.mc = M;
    job.seed = o.seed;
    job.images = c.images;
    job.labels = c.labels;
    job.actions = c.actions;
    job.rewards = c.rewards;

    double run_train_s = 0, run_t0 = run_now();
    int time_limited = 0;
    size_t run_samples = 0;
    long run_batches = 0;
    int interrupted = 0;
    while (st.epoch < o.epochs && !interrupted) {
        const int e = st.epoch;
        double lr = lr_at(&o, e);
        rc = ram_agent_set_param(c.master, RAM_PARAM_LEARNING_RATE, lr);
        if (rc != RAM_OK) {
            errbuf_fail(err, errlen, "setting the learning rate %g: %s", lr,
                        ram_strerror(rc));
            goto done;
        }
        /* The std of the epoch, on every replica: each samples its own
         * locations (replicas_run would also copy the master's tunables
         * out, but the std is set here on all of them explicitly). */
        const double std_e = mnist_std_at(&o, e + 1);
        for (int i = 0; i < replicas_count(c.rep); i++) {
            rc = ram_agent_set_param(replicas_agent(c.rep, i),
                                     RAM_PARAM_LOCATION_STD, std_e);
            if (rc != RAM_OK) {
                errbuf_fail(err, errlen, "setting the location std %g (epoch "
                            "%d): %s", std_e, e + 1, ram_strerror(rc));
                goto done;
            }
        }
        make_perm(c.perm, n_pool, o.seed, e);
        job.epoch_seed = epoch_data_seed(o.seed, e);
        epoch_progress pr = {{0}, e + 1, o.epochs, n_pool, 0, run_now(), 0};
        progress_init(&pr.bar, io->progress, io->progress_tty, 0.2);
        pr.bar.last = 0; /* the first bar at once */
        pr.done0 = st.batch * B < n_pool ? st.batch * B : n_pool;
        pr.next_mark = pr.done0 + (n_pool + 9) / 10;
        double seg_t0 = run_now(), seg_last = seg_t0;
        while (st.batch < nb) {
            size_t pos0 = st.batch * B;
            size_t n = n_pool - pos0 < B ? n_pool - pos0 : B;
            job.pos0 = pos0;
            job.step = st.updates;
            memset(job.rc, 0, sizeof job.rc);
            rc = replicas_run(c.rep, n * M, train_slice, &job);
            if (rc != 0) {
                progress_clear(&pr.bar);
                for (int i = 0; i < o.threads; i++)
                    if (job.what[i]) {
                        if (job.rc[i])
                            errbuf_fail(err, errlen, "%s: %s", job.what[i],
                                        ram_strerror(job.rc[i]));
                        else
                            errbuf_fail(err, errlen, "task_generate: %s",
                                        job.what[i]);
                        break;
                    }
                goto done;
            }
            rc = replicas_update(c.rep);
            if (rc != RAM_OK) {
                progress_clear(&pr.bar);
                errbuf_fail(err, errlen, "ram_agent_update (epoch %d, batch %zu): "
                            "%s", e + 1, st.batch + 1, ram_strerror(rc));
                goto done;
            }
            double xent = 0, acc = 0, bmse = 0;
            if ((rc = replicas_stat_mean(c.rep, RAM_STAT_XENT, &xent)) ||
                (rc = replicas_stat_mean(c.rep, RAM_STAT_ACCURACY, &acc)) ||
                (rc = replicas_stat_mean(c.rep, RAM_STAT_BASELINE_MSE,
                                         &bmse))) {
                progress_clear(&pr.bar);
                errbuf_fail(err, errlen, "replicas_stat_mean: %s",
                            ram_strerror(rc));
                goto done;
            }
            if (c.ema) {
                float *p = NULL;
                size_t m = 0;
                ram_agent_params(c.master, &p, NULL, &m);
                ema_step(c.ema, p, c.n_params, o.ema, st.ema_updates++);
            }
            st.updates++;
            st.batch++;
            /* Per image (the stats are means over its mc rows): samples/s,
             * the progress and the ETA count images, not rows. */
            st.ep_loss += xent * (double)n;
            st.ep_reward += acc * (double)n;
            st.ep_bmse += bmse * (double)n;
            st.ep_samples += n;
            double t = run_now();
            st.ep_seconds += t - seg_last;
            st.elapsed += t - seg_last;
            run_train_s += t - seg_last;
            seg_last = t;
            run_samples += n;
            run_batches++;
            progress_show(&pr, pos0 + n, &st);
            if (io->time_limit > 0 && t - run_t0 >= io->time_limit)
                time_limited = 1;
            if ((io->stop && *io->stop) || time_limited ||
                (io->stop_after_batches > 0 &&
                 run_batches >= io->stop_after_batches)) {
                interrupted = 1;
                break;
            }
        }
        progress_clear(&pr.bar);
        if (interrupted) {
            if (save_checkpoint(c.master, dir, &o, &st, c.ema, c.keep,
                                c.n_params, err, errlen))
                goto done;
            if (out) {
                fprintf(out, "%s: checkpoint written at epoch %d, batch "
                             "%zu/%zu; continue with --resume\n",
                        time_limited ? "time limit reached" : "interrupted",
                        e + 1, st.batch, nb);
                fflush(out);
            }
            break;
        }

        /* End of the epoch: validation, best model, checkpoint, log. */
        mnist_eval_result ev;
        if (eval_replicas(c.rep, &c.val, o.glimpses, 0, 0, NULL, &ev, err,
                          errlen))
            goto done;
        double t = run_now();
        st.elapsed += t - seg_last;
        seg_last = t;
        /* The average: scored on the same images by every replica holding
         * it in place of the weights, which are put back bit for bit. */
        mnist_eval_result ev_ema;
        memset(&ev_ema, 0, sizeof ev_ema);
        if (c.ema) {
            float *p = NULL;
            size_t m = 0;
            ram_agent_params(c.master, &p, NULL, &m);
            memcpy(c.keep, p, c.n_params * sizeof(float));
            params_put(c.rep, c.ema, c.n_params);
            int erc = eval_replicas(c.rep, &c.val, o.glimpses, 0, 0, NULL,
                                    &ev_ema, err, errlen);
            params_put(c.rep, c.keep, c.n_params);
            if (erc)
                goto done;
            t = run_now();
            st.elapsed += t - seg_last;
            seg_last = t;
        }
        int use_ema = c.ema && ev_ema.error < ev.error;
        double score = use_ema ? ev_ema.error : ev.error;
        int best = st.best_epoch == 0 || score < st.best_val;
        if (best) {
            st.best_val = score;
            st.best_epoch = e + 1;
            st.best_is_ema = use_ema;
            if (use_ema) {
                if (save_with_params(c.master, c.ema, c.keep, c.n_params,
                                     c.p_best, err, errlen))
                    goto done;
            } else if ((rc = ram_agent_save_file(c.master, 0, c.p_best)) !=
                       RAM_OK) {
                errbuf_fail(err, errlen, "%s: ram_agent_save_file: %s", c.p_best,
                            ram_strerror(rc));
                goto done;
            }
        }
        st.last_val = ev.error;
        double ns = (double)(st.ep_samples ? st.ep_samples : 1);
        double loss = st.ep_loss / ns, rew = st.ep_reward / ns,
               bm = st.ep_bmse / ns;
        double sps = st.ep_seconds > 0 ? (double)st.ep_samples / st.ep_seconds
                                       : 0;
        char el[32];
        progress_clock(st.elapsed, el, sizeof el);
        char line[256], ema_col[32] = "";
        if (log_ema && c.ema)
            snprintf(ema_col, sizeof ema_col, "\t%.6f", ev_ema.error);
        else if (log_ema)
            snprintf(ema_col, sizeof ema_col, "\tnan");
        snprintf(line, sizeof line, "%d\t%.6f\t%.6f\t%.6f\t%.6f\t%.6g\t%.1f\t"
                                    "%.1f\t%d%s\n",
                 e + 1, loss, rew, bm, ev.error, lr, sps, st.elapsed, best,
                 ema_col);
        st.epoch = e + 1;
        st.batch = 0;
        st.ep_loss = st.ep_reward = st.ep_bmse = st.ep_seconds = 0;
        st.ep_samples = 0;
        if (save_checkpoint(c.master, dir, &o, &st, c.ema, c.keep,
                                c.n_params, err, errlen))
            goto done;
        if (append_log(c.p_log, line, log_ema, err, errlen))
            goto done;
        if (out) {
            char std_s[32] = "";
            if (o.std_end != 0)
                snprintf(std_s, sizeof std_s, "  std %.4g", std_e);
            char ema_s[32] = "";
            if (c.ema)
                snprintf(ema_s, sizeof ema_s, "  ema %6.2f%%",
                         100 * ev_ema.error);
            fprintf(out, "epoch %3d/%d  loss %.4f  reward %.4f  baseline_mse "
                         "%.4f  val_error %6.2f%%%s  lr %.2e%s  %5.0f "
                         "samples/s  elapsed %s%s\n",
                    e + 1, o.epochs, loss, rew, bm, 100 * ev.error, ema_s, lr,
                    std_s, sps, el,
                    best ? (st.best_is_ema ? "  *best (ema)" : "  *best")
                         : "");
            fflush(out);
        }
        if (io->stop && *io->stop) {
            interrupted = 1;
            if (out) {
                fprintf(out, "interrupted: checkpoint written at the end of "
                             "epoch %d; continue with --resume\n", e + 1);
                fflush(out);
            }
        }
    }
    if (res) {
        res->epochs_done = st.epoch;
        res->last_val_error = st.last_val;
        res->best_val_error = st.best_val;
        res->best_epoch = st.best_epoch;
        res->samples_per_s =
            run_train_s > 0 ? (double)run_samples / run_train_s : 0;
        res->time_limited = time_limited;
    }
    if (out && !interrupted)
        fprintf(out, "done: %d epochs, best validation error %.2f%% at epoch "
                     "%d%s (%s/best.ram)\n",
                st.epoch, 100 * st.best_val, st.best_epoch,
                st.best_is_ema ? ", the parameter average" : "", dir);
    ret = interrupted ? MNIST_TRAIN_INTERRUPTED : 0;
done:
    ctx_free(&c);
    free(p_ckpt);
    free(p_state);
    return ret;
}
