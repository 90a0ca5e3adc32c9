/* ram-mnist: the Recurrent Attention Model on the MNIST tasks of Mnih et al.
 * 2014 (28x28, translated 60x60, cluttered 60x60 and 100x100).
 *
 *   ram-mnist train   --task T --out DIR [options]   train (checkpoints, resume)
 *   ram-mnist eval    MODEL [--task T] [options]     test or validation error
 *   ram-mnist show    MODEL --png FILE [options]     glimpse paths (Figs. 3-6)
 *   ram-mnist samples --task T --png FILE            task images (Fig. 2)
 *   ram-mnist curve   RUN_DIR_OR_TSV... --png FILE   validation error curves
 *
 * `ram-mnist COMMAND --help` lists the options; examples/mnist/README.md
 * explains them. Exit status: 0 success, 1 failure (data, files, library),
 * 2 bad arguments, 130 training interrupted (a checkpoint was written). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "idx.h"
#include "mnist_figures.h"
#include "mnist_train.h"
#include "ram/ram.h"
#include "rundir.h"
#include "tasks.h"

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

/* ------------------------------------------------------------ arguments */

#define MAX_POSITIONAL MNIST_CURVE_MAX_LOGS

/* args_parse_cmd (args.h) for `ram-mnist CMD`. want_positional: 0 none, 1
 * exactly one (MODEL), 2 one to MAX_POSITIONAL (curve's logs). Returns -1
 * (go on), 0 after --help, or EXIT_USAGE after printing a message. */
static int parse_args(const char *cmd, int argc, char **argv,
                      const arg_spec *specs, int n, int want_positional,
                      void (*help)(FILE *), args *p)
{
    int max_pos = want_positional == 2 ? MAX_POSITIONAL : want_positional;
    int rc = args_parse_cmd(p, "ram-mnist", cmd, argc, argv, specs, n,
                            max_pos, NULL, help);
    if (rc >= 0)
        return rc;
    if (want_positional && p->n_pos == 0)
        return args_usage_error(p, "%s", want_positional == 1
                                             ? "missing MODEL"
                                             : "missing RUN_DIR_OR_TSV");
    return -1;
}

/* The value of --name, or NULL. */
#define OPT(name) args_get(&p, name)

static int get_task(const char *cmd, const char *v, task_id *out)
{
    task_id t = task_from_name(v);
    if (t == TASK_INVALID) {
        fprintf(stderr, "ram-mnist %s: unknown task '%s' (expected one of %s)"
                        "\n", cmd, v, task_names());
        return -1;
    }
    *out = t;
    return 0;
}

/* ----------------------------------------------------------------- data */

/* --data, else $RAM_MNIST_DIR, else data/mnist. */
static const char *data_dir(const char *cli)
{
    return mnist_default_dir(cli);
}

static int load_data(const char *cli, mnist_data *d, mnist_source *src)
{
    const char *dir = data_dir(cli);
    char err[512];
    int rc = mnist_load(dir, d, err, sizeof err);
    if (rc != IDX_OK) {
        fprintf(stderr,
                "ram-mnist: cannot load MNIST from '%s': %s\n"
                "(the directory is --data DIR, else $RAM_MNIST_DIR, else "
                "data/mnist; scripts/fetch-mnist.sh DIR downloads it)\n",
                dir, err);
        return -1;
    }
    src->train_images = d->train_images.data;
    src->train_labels = d->train_labels.data;
    src->n_train = d->n_train;
    src->test_images = d->test_images.data;
    src->test_labels = d->test_labels.data;
    src->n_test = d->n_test;
    if (src->n_train <= MNIST_HOLDOUT) {
        fprintf(stderr, "ram-mnist: '%s' has %zu training images; at least "
                        "%d are needed (the last %d are the validation split)"
                        "\n", dir, src->n_train, MNIST_HOLDOUT + 2,
                MNIST_HOLDOUT);
        mnist_free(d);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- train */

static const arg_spec train_specs[] = {
    {"task", 1},     {"preset", 1},     {"out", 1},      {"resume", 0},
    {"data", 1},     {"glimpses", 1},   {"patch", 1},    {"scales", 1},
    {"core", 1},     {"hidden", 1},     {"what", 1},     {"where", 1},
    {"gsize", 1},    {"std", 1},        {"lr", 1},       {"lr-decay", 1},
    {"lr-min", 1},   {"batch", 1},      {"epochs", 1},   {"seed", 1},
    {"threads", 1},  {"random-glimpses", 0},             {"clip", 1},
    {"optimizer", 1}, {"momentum", 1},  {"subset", 1},   {"val-images", 1},
    {"time-limit", 1}, {"mc", 1},      {"std-end", 1},
    {"location-lr-scale", 1},           {"location-core-weight", 1},
    {"baseline-core", 1},               {"init", 1},
    {"first-location", 1},              {"weight-decay", 1},
    {"glimpse-dropout", 1},             {"action-dropout", 1},
    {"ema", 1},
};

static void train_help(FILE *f)
{
    mnist_opts o;
    mnist_opts_preset(&o, TASK_MNIST28);
    fprintf(f,
"usage: ram-mnist train --task T --out DIR [options]\n"
"       ram-mnist train --out DIR --resume [--epochs E] [--threads N] [--ema D]\n"
"\n"
"Trains RAM on a task (%s) and writes into DIR:\n"
"checkpoint.ram + state.txt (every epoch and on Ctrl-C), best.ram (lowest\n"
"validation error), log.tsv (one line per epoch), ema.ram (with --ema).\n"
"--resume continues a run exactly where it stopped (same data stream and\n"
"learning-rate schedule).\n"
"\n"
"  --task T            task (required unless --resume)\n"
"  --preset paper      the paper's configuration for the task (default; the\n"
"                      options below override it)\n"
"  --out DIR           run directory (required)\n"
"  --resume            continue the run in DIR\n"
"  --data DIR          MNIST directory (default $RAM_MNIST_DIR, else\n"
"                      data/mnist; scripts/fetch-mnist.sh DIR fetches it)\n"
"model (paper preset: mnist28 6 glimpses 8x8 1 scale; translated60,\n"
"cluttered60 and scaled60 8 glimpses 12x12 3 scales; cluttered100 and\n"
"scaled100 8 glimpses 12x12 4 scales; all h_g = h_l = 128, g = 256, RNN\n"
"core of 256):\n"
"  --glimpses N        glimpses per image\n"
"  --patch G           retina patch width\n"
"  --scales K          retina scales (each twice as wide as the previous)\n"
"  --core rnn|lstm     core network (default %s)\n"
"  --hidden H          core units (default %d)\n"
"  --what N --where N --gsize N   glimpse network sizes h_g, h_l, g\n"
"training:\n"
"  --std S             location policy std (default 0.12 for mnist28, 0.2\n"
"                      for the 60x60 tasks, 0.15 for the 100x100 ones)\n"
"  --std-end S         anneal the std geometrically, from --std at epoch 1\n"
"                      to S at the last epoch: std(e) = std *\n"
"                      (S/std)^((e-1)/(E-1)) with E = --epochs (a resumed\n"
"                      run given another --epochs follows the new E)\n"
"                      (default: none, a constant std)\n"
"  --location-lr-scale S  scale of the optimiser's step on the location\n"
"                      network only, 0..1 (default %g)\n"
"  --location-core-weight W  share of the location REINFORCE gradient that\n"
"                      flows on into the core and glimpse networks, 0..1\n"
"                      (default %g)\n"
"  --baseline-core B   1: the baseline's squared error also trains the\n"
"                      core, 0: it does not (default %d, the library's)\n"
"  --first-location F  the first glimpse: learned (the location network's\n"
"                      bias, trained by REINFORCE), center (fixed at the\n"
"                      image centre) or uniform (random, as in the paper)\n"
"                      (default %s)\n"
"  --optimizer adam|sgd  (default %s)\n"
"  --lr LR             learning rate (default %g)\n"
"  --lr-decay D        lr of epoch e = max(lr-min, lr * D^e) (default %g)\n"
"  --lr-min LR         (default %g)\n"
"  --momentum M        SGD momentum (default %g)\n"
"  --clip C            global gradient-norm clip, 0 = off (default %g)\n"
"  --weight-decay W    L2 decay added to the gradient of every weight (not\n"
"                      the biases), 0..1 (default %g)\n"
"  --glimpse-dropout P dropout on the glimpse vector entering the core, in\n"
"                      training only, 0..0.95 (default %g)\n"
"  --action-dropout P  dropout on the core state entering the classifier, in\n"
"                      training only, 0..0.95 (default %g)\n"
"  --ema D             also keep an exponential moving average of the\n"
"                      parameters, ema = D ema + (1 - D) params after every\n"
"                      update, after a short warm-up (D in (0, 1), e.g.\n"
"                      0.9995; 0 = off), score it on validation every epoch\n"
"                      beside the trained weights (log.tsv column\n"
"                      ema_val_error) and keep whichever is lower as\n"
"                      best.ram. It never feeds back into training, so it\n"
"                      may be switched on with --resume (default off)\n"
"  --batch B           images per update (default %d)\n"
"  --mc M              sampled rollouts per training image, 1..%d: each\n"
"                      update runs B x M episodes and an epoch costs M times\n"
"                      more; samples/s counts images (default %d)\n"
"  --epochs E          epochs of 50,000 images (default %d)\n"
"  --seed S            weights, data order, positions, clutter, sampling\n"
"                      (default %" PRIu64 ")\n"
"  --init MODEL        start from the parameters of MODEL (a .ram file with\n"
"                      the same patch, scales, network sizes and core; the\n"
"                      glimpse count may differ) instead of fresh weights:\n"
"                      fine-tuning, with a fresh optimiser, schedule and\n"
"                      data stream\n"
"  --threads N         data-parallel replicas (default %d)\n"
"  --random-glimpses   ablation: glimpse at uniformly random locations\n"
"  --subset N          train on the first N training digits only\n"
"  --val-images N      score only the first N validation images each epoch\n"
"                      (default all 10,000)\n"
"  --time-limit S      stop (with a checkpoint, as Ctrl-C does) after S\n"
"                      seconds of this invocation; exit status 0\n",
            task_names(), mnist_core_name(o.core), o.hidden,
            o.loc_lr_scale, o.loc_core_weight, o.baseline_core,
            mnist_first_name(o.first_location),
            mnist_optimizer_name(o.optimizer), o.lr, o.lr_decay, o.lr_min,
            o.momentum, o.clip, o.weight_decay, o.glimpse_dropout,
            o.action_dropout, o.batch, MNIST_MAX_MC, o.mc,
            o.epochs, o.seed, o.threads);
}

static int cmd_train(int argc, char **argv)
{
    const arg_spec *specs = train_specs;
    const int n_specs = ARGS_COUNT(train_specs);
    args p;
    int rc = parse_args("train", argc, argv, specs, n_specs, 0,
                        train_help, &p);
    if (rc >= 0)
        return rc;
    const char *out = OPT("out");
    int resume = OPT("resume") != NULL;
    if (!out || !*out)
        return args_usage_error(&p, "%s", "--out DIR is required");
    if (OPT("preset") && strcmp(OPT("preset"), "paper") != 0)
        return args_usage_error(&p, "unknown preset '%s' (expected paper)",
                           OPT("preset"));

    mnist_opts o;
    char err[512];
    if (resume) {
        /* Only these may change on resume. */
        static const char *const allowed[] = {"out", "resume", "data",
                                              "epochs", "threads", "task",
                                              "preset", "time-limit", "ema"};
        for (int s = 0; s < n_specs; s++) {
            int ok = 0;
            for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
                ok |= strcmp(specs[s].name, allowed[k]) == 0;
            if (p.val[s] && !ok)
                return args_usage_error(&p, "--%s cannot be changed with "
                                   "--resume (the run's options are in "
                                   "DIR/state.txt)", specs[s].name);
        }
        if (mnist_read_run_opts(out, &o, NULL, err, sizeof err)) {
            fprintf(stderr, "ram-mnist train: cannot resume: %s\n", err);
            return 1;
        }
        if (OPT("task")) {
            task_id t;
            if (get_task("train", OPT("task"), &t))
                return EXIT_USAGE;
            if (t != o.task) {
                fprintf(stderr, "ram-mnist train: %s is a %s run, not %s\n",
                        out, task_name(o.task), task_name(t));
                return EXIT_USAGE;
            }
        }
    } else {
        if (!OPT("task"))
            return args_usage_error(&p, "%s", "--task T is required");
        task_id t;
        if (get_task("train", OPT("task"), &t))
            return EXIT_USAGE;
        mnist_opts_preset(&o, t);
    }

    long x;
    double d;
    uint64_t u;
#define INT_OPT(name, lo, hi, dst)                                          \
    if (OPT(name)) {                                                        \
        if (args_long(&p, name, lo, hi, &x))                                \
            return EXIT_USAGE;                                              \
        dst = (int)x;                                                       \
    }
#define DBL_OPT(name, dst)                                                  \
    if (OPT(name)) {                                                        \
        if (args_double(&p, name, &d))                                      \
            return EXIT_USAGE;                                              \
        dst = d;                                                            \
    }
    INT_OPT("glimpses", 1, 1000000, o.glimpses)
    INT_OPT("patch", 1, 1000000, o.patch)
    INT_OPT("scales", 1, 30, o.scales)
    INT_OPT("hidden", 1, 100000000, o.hidden)
    INT_OPT("what", 1, 100000000, o.what)
    INT_OPT("where", 1, 100000000, o.where)
    INT_OPT("gsize", 1, 100000000, o.gsize)
    INT_OPT("batch", 1, 65536, o.batch)
    INT_OPT("mc", 1, MNIST_MAX_MC, o.mc)
    INT_OPT("epochs", 1, 1000000, o.epochs)
    INT_OPT("threads", 1, MNIST_MAX_THREADS, o.threads)
    DBL_OPT("std", o.std)
    DBL_OPT("lr", o.lr)
    DBL_OPT("lr-decay", o.lr_decay)
    DBL_OPT("lr-min", o.lr_min)
    DBL_OPT("clip", o.clip)
    DBL_OPT("momentum", o.momentum)
    DBL_OPT("std-end", o.std_end)
    DBL_OPT("location-lr-scale", o.loc_lr_scale)
    DBL_OPT("location-core-weight", o.loc_core_weight)
    DBL_OPT("weight-decay", o.weight_decay)
    DBL_OPT("glimpse-dropout", o.glimpse_dropout)
    DBL_OPT("action-dropout", o.action_dropout)
    DBL_OPT("ema", o.ema)
    /* Range: the library's (mnist_opts_check, RAM_PARAM_*). */
    INT_OPT("baseline-core", -1000000, 1000000, o.baseline_core)
#undef INT_OPT
#undef DBL_OPT
    if (OPT("seed")) {
        if (args_u64(&p, "seed", &u))
            return EXIT_USAGE;
        o.seed = u;
    }
    if (OPT("subset")) {
        if (args_u64(&p, "subset", &u))
            return EXIT_USAGE;
        if (u < 2)
            return args_usage_error(&p, "--subset %s: at least 2 digits",
                               OPT("subset"));
        o.subset = (size_t)u;
    }
    if (OPT("val-images")) {
        if (args_u64(&p, "val-images", &u))
            return EXIT_USAGE;
        o.val_images = (size_t)u;
    }
    if (OPT("core") && (o.core = mnist_core_from_name(OPT("core"))) < 0)
        return args_usage_error(&p, "--core '%s': expected rnn or lstm",
                           OPT("core"));
    if (OPT("first-location") &&
        (o.first_location = mnist_first_from_name(OPT("first-location"))) < 0)
        return args_usage_error(&p,
                           "--first-location '%s': expected learned, center "
                           "or uniform",
                           OPT("first-location"));
    if (OPT("optimizer") &&
        (o.optimizer = mnist_optimizer_from_name(OPT("optimizer"))) < 0)
        return args_usage_error(&p, "--optimizer '%s': expected adam or sgd",
                           OPT("optimizer"));
    if (OPT("random-glimpses"))
        o.random_glimpses = 1;
    if (OPT("init")) {
        size_t n = strlen(OPT("init"));
        if (n == 0 || n > MNIST_INIT_MAX || strchr(OPT("init"), '\n')) {
            snprintf(err, sizeof err, "--init: expected a model path of 1 "
                     "to %d bytes", MNIST_INIT_MAX);
            return args_usage_error(&p, "%s", err);
        }
        memcpy(o.init, OPT("init"), n + 1);
    }
    double time_limit = 0;
    if (OPT("time-limit")) {
        if (args_double(&p, "time-limit", &time_limit))
            return EXIT_USAGE;
        if (time_limit < 0)
            return args_usage_error(&p, "--time-limit '%s': expected seconds "
                               ">= 0", OPT("time-limit"));
    }
    if (OPT("std-end") && o.std_end == 0) {
        /* 0 means "no schedule" inside mnist_opts; on the command line it
         * is a std outside the library's bounds. */
        double lo = 0, hi = 0;
        ram_param_bounds(RAM_PARAM_LOCATION_STD, &lo, &hi);
        snprintf(err, sizeof err, "--std-end %s is outside [%g, %g] (leave "
                 "--std-end out for a constant std)", OPT("std-end"), lo, hi);
        return args_usage_error(&p, "%s", err);
    }
    if (mnist_opts_check(&o, err, sizeof err))
        return args_usage_error(&p, "%s", err);

    mnist_data data;
    mnist_source src;
    if (load_data(OPT("data"), &data, &src))
        return 1;
    printf("ram-mnist train: libram %s, data %s (%zu training, %zu test "
           "digits)\n",
           ram_version_string(), data_dir(OPT("data")), src.n_train,
           src.n_test);

    const volatile sig_atomic_t *stop = run_stop_install(
        "\nram-mnist: interrupt: finishing this batch, then writing a "
        "checkpoint (Ctrl-C again to quit at once)\n");
    mnist_train_io io = {stdout, stderr, isatty(STDERR_FILENO), stop, 0,
                         time_limit};
    mnist_train_result res;
    rc = mnist_train(&src, &o, out, resume, &io, &res, err, sizeof err);
    mnist_free(&data);
    if (rc < 0) {
        fprintf(stderr, "ram-mnist train: %s\n", err);
        return 1;
    }
    if (rc == MNIST_TRAIN_INTERRUPTED && !res.time_limited)
        return EXIT_INTERRUPTED;
    return 0;
}

/* ------------------------------------------------------- eval and show */

/* The task of a model: --task, else the task= of state.txt beside it. */
static int model_task(const char *cmd, const char *opt, const char *model,
                      task_id *out)
{
    if (opt)
        return get_task(cmd, opt, out);
    size_t n = strlen(model);
    char *dir = malloc(n + 2);
    if (!dir)
        return -1;
    strcpy(dir, model);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    mnist_opts o;
    char err[256];
    int rc = mnist_read_run_opts(dir, &o, NULL, err, sizeof err);
    free(dir);
    if (rc) {
        fprintf(stderr, "ram-mnist %s: --task T is required (no run state "
                        "beside %s)\nTry 'ram-mnist %s --help'.\n",
                cmd, model, cmd);
        return -1;
    }
    *out = o.task;
    return 0;
}

static int load_model(const char *cmd, const char *path, ram_agent **out)
{
    int rc = ram_agent_load_file(out, path, RAM_LOAD_INFERENCE);
    if (rc != RAM_OK) {
        fprintf(stderr, "ram-mnist %s: cannot load model '%s': %s%s%s\n", cmd,
                path, ram_strerror(rc), rc == RAM_E_IO ? ": " : "",
                rc == RAM_E_IO ? strerror(errno) : "");
        return -1;
    }
    return 0;
}

static int get_split(const char *cmd, const char *v, int *split)
{
    if (!v || strcmp(v, "test") == 0)
        *split = MNIST_SPLIT_TEST;
    else if (strcmp(v, "val") == 0)
        *split = MNIST_SPLIT_VAL;
    else {
        fprintf(stderr, "ram-mnist %s: --split '%s': expected test or val\n",
                cmd, v);
        return -1;
    }
    return 0;
}

static void describe_model(ram_agent *a, FILE *f)
{
    int64_t g = 0, k = 0, core = 0, h = 0, steps = 0;
    ram_agent_get_config(a, RAM_CFG_PATCH, &g);
    ram_agent_get_config(a, RAM_CFG_SCALES, &k);
    ram_agent_get_config(a, RAM_CFG_CORE, &core);
    ram_agent_get_config(a, RAM_CFG_HIDDEN, &h);
    ram_agent_get_config(a, RAM_CFG_MAX_STEPS, &steps);
    fprintf(f, "%d glimpses of %dx%d at %d scale%s, %s core of %d",
            (int)steps, (int)g, (int)g, (int)k, k == 1 ? "" : "s",
            mnist_core_name((int)core), (int)h);
}

static const arg_spec eval_specs[] = {
    {"task", 1},     {"split", 1}, {"rollouts", 1}, {"threads", 1},
    {"glimpses", 1}, {"data", 1},  {"seed", 1},     {"draw", 1},
};

static void eval_help(FILE *f)
{
    fprintf(f,
"usage: ram-mnist eval MODEL [--task T] [--split test|val] [--rollouts M]\n"
"                      [--threads N] [--glimpses N] [--data DIR] [--seed S]\n"
"                      [--draw D]\n"
"\n"
"Scores MODEL on the full test split (10,000 images; or the validation\n"
"split, the last 10,000 training digits), generated from a fixed seed.\n"
"The headline is the deterministic error: greedy locations (the location\n"
"network's mean), one rollout. With --rollouts M it also reports the\n"
"error of the class probabilities averaged over M sampled rollouts, and the\n"
"mean error of a single sampled rollout.\n"
"\n"
"  --task T       %s (default: task= in the state.txt beside MODEL)\n"
"  --split S      test (default) or val\n"
"  --rollouts M   sampled rollouts per image (default 0: none)\n"
"  --threads N    threads (default 2); the result does not depend on it\n"
"  --glimpses N   glimpses per image (default: the model's)\n"
"  --data DIR     MNIST directory\n"
"  --seed S       seed of the sampled rollouts (default 1)\n"
"  --draw D       another fixed draw of the digits' positions and clutter\n"
"                 (default 0: the draw of every reported figure)\n",
            task_names());
}

static int cmd_eval(int argc, char **argv)
{
    const arg_spec *specs = eval_specs;
    const int n_specs = ARGS_COUNT(eval_specs);
    args p;
    int rc = parse_args("eval", argc, argv, specs, n_specs, 1,
                        eval_help, &p);
    if (rc >= 0)
        return rc;
    long rollouts = 0, threads = 2, glimpses = 0;
    uint64_t seed = 1, draw = 0;
    int split;
    task_id task;
    if (args_long(&p, "rollouts", 0, 100000, &rollouts) ||
        args_u64(&p, "draw", &draw) ||
        args_long(&p, "threads", 1, MNIST_MAX_THREADS, &threads) ||
        args_long(&p, "glimpses", 1, 1000000, &glimpses) ||
        args_u64(&p, "seed", &seed) ||
        get_split("eval", OPT("split"), &split) ||
        model_task("eval", OPT("task"), p.pos[0], &task))
        return EXIT_USAGE;

    ram_agent *model = NULL;
    if (load_model("eval", p.pos[0], &model))
        return 1;
    mnist_data data;
    mnist_source src;
    if (load_data(OPT("data"), &data, &src)) {
        ram_agent_free(model);
        return 1;
    }
    char err[512];
    mnist_set set;
    rc = mnist_set_make_draw(&src, task, split, MNIST_HOLDOUT, 0, draw, &set,
                             err, sizeof err);
    mnist_free(&data);
    if (rc) {
        fprintf(stderr, "ram-mnist eval: %s\n", err);
        ram_agent_free(model);
        return 1;
    }
    mnist_eval_result r;
    rc = mnist_evaluate(model, &set, (int)glimpses, (int)rollouts,
                        (int)threads, seed, &r, err, sizeof err);
    if (rc) {
        fprintf(stderr, "ram-mnist eval: %s\n", err);
    } else {
        int64_t steps = 0;
        ram_agent_get_config(model, RAM_CFG_MAX_STEPS, &steps);
        printf("model     %s: ", p.pos[0]);
        describe_model(model, stdout);
        printf("\n");
        printf("data      %s split of %s: %zu images, %d glimpses each",
               split == MNIST_SPLIT_TEST ? "test" : "validation",
               task_name(task), r.n, glimpses ? (int)glimpses : (int)steps);
        if (draw != 0)
            printf(", draw %" PRIu64, draw);
        printf("\n");
        double random_g = 0.0;
        ram_agent_get_param(model, RAM_PARAM_RANDOM_GLIMPSES, &random_g);
        if (random_g != 0.0) /* the ablation: no location policy to follow */
            printf("error     %.2f%% (%zu errors): one rollout at uniformly "
                   "random locations (random-glimpse model, --seed %" PRIu64
                   ")\n",
                   100 * r.error, r.errors, seed);
        else
            printf("error     %.2f%% (%zu errors): deterministic (greedy "
                   "locations, one rollout)\n",
                   100 * r.error, r.errors);
        if (r.rollouts > 0) {
            printf("error     %.2f%% (%zu errors): class probabilities "
                   "averaged over %d sampled rollout%s\n",
                   100 * r.avg_error, r.avg_errors, r.rollouts,
                   r.rollouts == 1 ? "" : "s");
            printf("error     %.2f%%: mean of one sampled rollout\n",
                   100 * r.single_error);
        }
        printf("time      %.1f s (%.0f images/s, %ld thread%s)\n", r.seconds,
               r.seconds > 0
                   ? (double)r.n * (1 + r.rollouts) / r.seconds
                   : 0.0,
               threads, threads == 1 ? "" : "s");
    }
    mnist_set_free(&set);
    ram_agent_free(model);
    return rc ? 1 : 0;
}

static const arg_spec show_specs[] = {
    {"task", 1},  {"png", 1},      {"count", 1}, {"first", 1},
    {"split", 1}, {"glimpses", 1}, {"boxes", 0}, {"data", 1},
    {"errors", 0},
};

static void show_help(FILE *f)
{
    fprintf(f,
"usage: ram-mnist show MODEL --png FILE [--task T] [--count N] [--first K]\n"
"                      [--split test|val] [--glimpses N] [--boxes]\n"
"                      [--errors] [--data DIR]\n"
"\n"
"Draws, like Figures 3-6 of the paper, one row per image: the image with\n"
"the model's glimpse path (filled circle: first glimpse, open circle: last;\n"
"green when the digit is classified correctly, red when not) and the\n"
"retina view of every glimpse (the k scales composited, the centre at full\n"
"resolution). Locations are greedy (the location network's mean).\n"
"\n"
"  --png FILE     output picture (required)\n"
"  --task T       %s (default: task= in the state.txt beside MODEL)\n"
"  --count N      images (default 8)\n"
"  --first K      start at image K of the split (default 0)\n"
"  --split S      test (default) or val\n"
"  --glimpses N   glimpses (default: the model's)\n"
"  --boxes        outline each glimpse's full-resolution patch faintly\n"
"  --errors       draw only images the model gets wrong (deterministic, as\n"
"                 eval counts them): the first N from image K on; their\n"
"                 numbers in the split are printed\n"
"  --data DIR     MNIST directory\n",
            task_names());
}

static int cmd_show(int argc, char **argv)
{
    const arg_spec *specs = show_specs;
    const int n_specs = ARGS_COUNT(show_specs);
    args p;
    int rc = parse_args("show", argc, argv, specs, n_specs, 1,
                        show_help, &p);
    if (rc >= 0)
        return rc;
    if (!OPT("png") || !*OPT("png"))
        return args_usage_error(&p, "%s", "--png FILE is required");
    long count = 8, first = 0, glimpses = 0;
    int split;
    task_id task;
    if (args_long(&p, "count", 1, 1000, &count) ||
        args_long(&p, "first", 0, 100000000, &first) ||
        args_long(&p, "glimpses", 1, 64, &glimpses) ||
        get_split("show", OPT("split"), &split) ||
        model_task("show", OPT("task"), p.pos[0], &task))
        return EXIT_USAGE;
    ram_agent *model = NULL;
    if (load_model("show", p.pos[0], &model))
        return 1;
    mnist_data data;
    mnist_source src;
    if (load_data(OPT("data"), &data, &src)) {
        ram_agent_free(model);
        return 1;
    }
    char err[512];
    mnist_set set;
    const int errors = OPT("errors") != NULL;
    size_t idx[1000], n_wrong = 0;
    rc = mnist_set_make(&src, task, split, MNIST_HOLDOUT,
                        errors ? 0 : (size_t)(first + count), &set, err,
                        sizeof err);
    mnist_free(&data);
    if (rc == 0 && errors) {
        size_t n_all = set.n;
        rc = mnist_set_keep_errors(model, &set, (size_t)first,
                                   (size_t)count, (int)glimpses, idx,
                                   &n_wrong, err, sizeof err);
        if (rc == 0 && n_wrong == 0) {
            printf("no picture: the model classifies every %s image from #%ld "
                   "to #%zu correctly\n",
                   task_name(task), first, n_all - 1);
            mnist_set_free(&set);
            ram_agent_free(model);
            return 0;
        }
        first = 0;
    }
    if (rc == 0) {
        mnist_show_result r;
        rc = mnist_show_png(model, &set, (size_t)first, (size_t)count,
                            (int)glimpses, OPT("boxes") != NULL, OPT("png"),
                            &r, err, sizeof err);
        if (rc == 0 && errors) {
            printf("wrote %s: %zu misclassified %s images, #", OPT("png"),
                   r.rows, task_name(task));
            for (size_t i = 0; i < n_wrong; i++)
                printf(i ? ", %zu" : "%zu", idx[i]);
            printf("\n");
        } else if (rc == 0) {
            printf("wrote %s: %zu %s images (from #%ld), %zu classified "
                   "correctly\n",
                   OPT("png"), r.rows, task_name(task), first, r.correct);
        }
    }
    if (rc)
        fprintf(stderr, "ram-mnist show: %s\n", err);
    mnist_set_free(&set);
    ram_agent_free(model);
    return rc ? 1 : 0;
}

static const arg_spec samples_specs[] = {
    {"task", 1}, {"png", 1}, {"split", 1}, {"count", 1}, {"data", 1},
};

static void samples_help(FILE *f)
{
    fprintf(f,
"usage: ram-mnist samples --task T --png FILE [--split test|val]\n"
"                         [--count N] [--data DIR]\n"
"\n"
"Writes a grid of task images (4 per row), like Figure 2 of the paper: the\n"
"first N images (default 16) of the fixed test (or validation) set.\n"
"\n"
"  --task T     %s\n"
"  --png FILE   output picture (required)\n",
            task_names());
}

static int cmd_samples(int argc, char **argv)
{
    const arg_spec *specs = samples_specs;
    const int n_specs = ARGS_COUNT(samples_specs);
    args p;
    int rc = parse_args("samples", argc, argv, specs, n_specs, 0,
                        samples_help, &p);
    if (rc >= 0)
        return rc;
    if (!OPT("task"))
        return args_usage_error(&p, "%s", "--task T is required");
    if (!OPT("png") || !*OPT("png"))
        return args_usage_error(&p, "%s", "--png FILE is required");
    long count = 16;
    int split;
    task_id task;
    if (get_task("samples", OPT("task"), &task) ||
        args_long(&p, "count", 1, 1024, &count) ||
        get_split("samples", OPT("split"), &split))
        return EXIT_USAGE;
    mnist_data data;
    mnist_source src;
    if (load_data(OPT("data"), &data, &src))
        return 1;
    char err[512];
    mnist_set set;
    rc = mnist_set_make(&src, task, split, MNIST_HOLDOUT, (size_t)count, &set,
                        err, sizeof err);
    mnist_free(&data);
    if (rc == 0) {
        rc = mnist_samples_png(&set, (size_t)count, 4, OPT("png"), err,
                               sizeof err);
        if (rc == 0)
            printf("wrote %s: %zu %s images\n", OPT("png"), set.n,
                   task_name(task));
    }
    if (rc)
        fprintf(stderr, "ram-mnist samples: %s\n", err);
    mnist_set_free(&set);
    return rc ? 1 : 0;
}

/* ---------------------------------------------------------------- curve */

static const arg_spec curve_specs[] = {
    {"png", 1},
    {"target", 1},
};

static void curve_help(FILE *f)
{
    fprintf(f,
"usage: ram-mnist curve RUN_DIR_OR_TSV... --png FILE [--target PCT]\n"
"\n"
"Draws the validation error (val_error of log.tsv, in percent, on a log\n"
"axis) against the epoch, one line per run (up to %d). A directory means\n"
"DIR/log.tsv; any other argument is read as a log.tsv file itself, e.g.\n"
"models/mnist28.log.tsv. The legend shows each run's base name.\n"
"\n"
"  --png FILE     output picture (required)\n"
"  --target PCT   a dashed reference line at PCT percent, e.g. 1.5\n",
            MAX_POSITIONAL);
}

static int cmd_curve(int argc, char **argv)
{
    const arg_spec *specs = curve_specs;
    const int n_specs = ARGS_COUNT(curve_specs);
    args p;
    int rc = parse_args("curve", argc, argv, specs, n_specs, 2,
                        curve_help, &p);
    if (rc >= 0)
        return rc;
    if (!OPT("png") || !*OPT("png"))
        return args_usage_error(&p, "%s", "--png FILE is required");
    double target = 0;
    if (OPT("target")) {
        if (args_double(&p, "target", &target))
            return EXIT_USAGE;
        if (!(target > 0 && target <= 100))
            return args_usage_error(&p, "--target '%s': expected a "
                               "percentage in (0, 100]", OPT("target"));
    }
    char err[4200];
    if (mnist_curve_png(OPT("png"), p.pos, p.n_pos, target, err,
                        sizeof err)) {
        fprintf(stderr, "ram-mnist curve: %s\n", err);
        return 1;
    }
    printf("wrote %s: validation error of %d run%s\n", OPT("png"), p.n_pos,
           p.n_pos == 1 ? "" : "s");
    return 0;
}

/* ----------------------------------------------------------------- main */

static void main_help(FILE *f)
{
    fprintf(f,
"usage: ram-mnist COMMAND [options]    (ram-mnist COMMAND --help for more)\n"
"\n"
"The Recurrent Attention Model (Mnih et al. 2014) on MNIST tasks: %s.\n"
"\n"
"  train    --task T --out DIR [options]   train, with checkpoints (--resume)\n"
"  eval     MODEL [--task T]               test error (deterministic; with\n"
"                                          --rollouts M also sampled)\n"
"  show     MODEL --png FILE [--task T]    glimpse paths and retina views\n"
"  samples  --task T --png FILE            a 4x4 grid of task images\n"
"  curve    RUN_DIR_OR_TSV... --png FILE   validation error against epoch\n"
"                                          (learning curves from log.tsv)\n"
"\n"
"MNIST is read from --data DIR, else $RAM_MNIST_DIR, else data/mnist\n"
"(scripts/fetch-mnist.sh DIR downloads and md5-checks it).\n",
            task_names());
}

int main(int argc, char **argv)
{
    static const args_command cmds[] = {
        {"train", cmd_train}, {"eval", cmd_eval},   {"show", cmd_show},
        {"samples", cmd_samples}, {"curve", cmd_curve},
    };
    return args_dispatch("ram-mnist", cmds, ARGS_COUNT(cmds), main_help, argc,
                         argv);
}
