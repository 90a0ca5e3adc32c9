/* ram-catch: the recurrent attention model learns to play Catch (Mnih et
 * al. 2014, section 4.2). Commands: train, eval, play, curve; see usage()
 * and README.md. The work is done by catch_rl.c (training, evaluation,
 * checkpoints) and catch_view.c (pictures); this file is the command line.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ram/ram.h>

#include "args.h"
#include "catch_rl.h"
#include "catch_view.h"
#include "game.h"
#include "progress.h"
#include "replicas.h"
#include "rundir.h"

static const char *prog = "ram-catch";

static void usage(FILE *f)
{
    catch_opts d;
    catch_opts_default(&d);
    fprintf(f,
        "usage: %s COMMAND [options]\n"
        "\n"
        "The recurrent attention model (Mnih et al. 2014) learns to play "
        "Catch.\n"
        "\n"
        "  train [options]            train an agent (REINFORCE, catch "
        "reward only)\n"
        "    --out DIR                run directory (default catch-run)\n"
        "    --frames N               train until N frames in total "
        "(default %" PRIu64 "; 20M, 500k ok)\n"
        "    --batch B                games per update (default %d)\n"
        "    --lr LR                  Adam learning rate (default %g)\n"
        "    --std S                  location policy std (default %g)\n"
        "    --gamma G                discount (default %g)\n"
        "    --entropy E              action entropy bonus (default %g)\n"
        "    --clip C                 gradient-norm clip, 0 = off (default "
        "%g)\n"
        "    --baseline-core 0|1      1: the baseline's error also trains "
        "the core (default %d)\n"
        "    --location-warmup N      first N frames: glimpse at the location "
        "mean,\n"
        "                             location network not trained (default "
        "%" PRIu64 ")\n"
        "    --location-lr-scale S    scale of the location network's steps, "
        "0 .. 1 (default %g)\n"
        "    --location-core-weight W share of the location gradient that "
        "trains the core\n"
        "                             and glimpse networks, 0 .. 1 (default "
        "%g)\n"
        "    --seed S                 seed of weights, sampling, games "
        "(default %" PRIu64 ")\n"
        "    --threads N              replicas/threads (default: CPUs)\n"
        "    --stretch N              frames per report/checkpoint "
        "(default %" PRIu64 ")\n"
        "    --eval-games N           greedy evaluation games per stretch "
        "(default %d)\n"
        "    --eval-seed S            their seed (default %" PRIu64 ")\n"
        "    --hidden H               LSTM units (default %d)\n"
        "    --glimpse WHAT,WHERE,OUT glimpse network sizes (default "
        "%d,%d,%d)\n"
        "    --resume                 continue the run in --out from its "
        "checkpoint\n"
        "  eval MODEL [options]       catch rate on fresh games, greedy and "
        "sampled\n"
        "    --games N (1000)  --seed S (12345)  --threads N\n"
        "  play MODEL [options]       watch it play in the terminal\n"
        "    --games N (3)  --delay MS (150 on a terminal, else 0)  "
        "--greedy | --sampled\n"
        "    --seed S (1)  --png FILE (frames of the games with the glimpse "
        "boxes)  --scale N (8)\n"
        "  curve RUN_DIR... --png FILE\n"
        "                             learning curves from each run's "
        "log.tsv: catch rate\n"
        "                             and ball-in-fovea share against "
        "training frames\n"
        "\n"
        "MODEL is a .ram file or a training directory (its best.ram).\n"
        "Set OPENBLAS_CORETYPE=SKYLAKEX on AVX-512 machines with OpenBLAS "
        "0.3.21.\n",
        prog, d.frames, d.batch, d.lr, d.std, d.gamma, d.entropy, d.clip,
        d.baseline_core, d.loc_warmup, d.loc_lr_scale,
        d.loc_core_weight, d.seed, d.stretch, d.eval_games, d.eval_seed, d.hidden,
        d.glimpse_what, d.glimpse_where, d.glimpse_size);
}

/* ---- small helpers ---- */

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The OpenBLAS 0.3.21 that Debian ships misdetects some AVX-512 CPUs and
 * then runs about 3x slower; OPENBLAS_CORETYPE is read when the library
 * loads, so the program can only suggest it. */
static void blas_hint(void)
{
    if (getenv("OPENBLAS_CORETYPE"))
        return;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[8192];
    int avx512 = 0;
    while (!avx512 && fgets(line, sizeof line, f))
        if (strncmp(line, "flags", 5) == 0 && strstr(line, " avx512f"))
            avx512 = 1;
    fclose(f);
    if (avx512)
        fprintf(stderr,
                "%s: hint: this CPU has AVX-512 and OPENBLAS_CORETYPE is "
                "unset; OpenBLAS 0.3.21 misdetects such CPUs and runs about "
                "3x slower. Run with OPENBLAS_CORETYPE=SKYLAKEX.\n",
                prog);
}

/* MODEL may be a file or a training directory (its best.ram). */
static int load_model(const char *model, unsigned flags, ram_agent **out,
                      char *path, size_t cap)
{
    if (run_is_dir(model))
        snprintf(path, cap, "%s/%s", model, CATCH_FILE_BEST);
    else
        snprintf(path, cap, "%s", model);
    int rc = ram_agent_load_file(out, path, flags);
    if (rc != RAM_OK) {
        fprintf(stderr, "%s: cannot load %s: %s%s%s\n", prog, path,
                ram_strerror(rc), rc == RAM_E_IO ? ": " : "",
                rc == RAM_E_IO ? strerror(errno) : "");
        return rc;
    }
    char err[256];
    rc = catch_agent_check(*out, err, sizeof err);
    if (rc != RAM_OK) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, err);
        ram_agent_free(*out);
        *out = NULL;
    }
    return rc;
}

static void describe_model(const char *path, const ram_agent *a)
{
    int64_t hidden = 0, core = 0, patch = 0, scales = 0;
    double updates = 0;
    ram_agent_get_config(a, RAM_CFG_HIDDEN, &hidden);
    ram_agent_get_config(a, RAM_CFG_CORE, &core);
    ram_agent_get_config(a, RAM_CFG_PATCH, &patch);
    ram_agent_get_config(a, RAM_CFG_SCALES, &scales);
    ram_agent_stat(a, RAM_STAT_UPDATES, &updates);
    printf("model   %s: %s %" PRId64 ", retina %" PRId64 "x%" PRId64
           " at %" PRId64 " scales",
           path, core == RAM_CORE_LSTM ? "LSTM" : "RNN", hidden, patch,
           patch, scales);
    if (updates > 0)
        printf(", %.0f updates", updates);
    printf("\n");
}

/* ---- train ---- */

typedef struct train_ui {
    progress_bar bar;
    double t0;           /* session start */
    uint64_t frames0;    /* frames at session start */
} train_ui;

static void ui_progress(void *user, uint64_t frames, uint64_t target,
                        double elapsed)
{
    train_ui *ui = user;
    (void)elapsed;
    if (!progress_due(&ui->bar, frames >= target))
        return;
    double secs = ui->bar.last - ui->t0;
    double done = (double)(frames - ui->frames0);
    double fps = secs > 0 ? done / secs : 0;
    double frac = target ? (double)frames / (double)target : 1;
    if (frac > 1)
        frac = 1;
    double eta = fps > 0 ? (double)(target > frames ? target - frames : 0) /
                               fps
                         : 0;
    char a[32], b[32], c[32], d[32];
    progress_human((double)frames, a, sizeof a);
    progress_human((double)target, b, sizeof b);
    progress_human(fps, c, sizeof c);
    progress_hms(eta, d, sizeof d);
    if (ui->bar.tty) {
        char after[160];
        snprintf(after, sizeof after,
                 " %5.1f%%  %s/%s frames  %s frames/s  ETA %s", 100 * frac, a,
                 b, c, d);
        progress_draw(&ui->bar, frac, "", after);
    } else {
        printf("progress %s/%s frames (%.1f%%)  %s frames/s  ETA %s\n", a, b,
               100 * frac, c, d);
        fflush(stdout);
    }
}

static void ui_report(void *user, const catch_report *r)
{
    train_ui *ui = user;
    progress_clear(&ui->bar);
    char a[32], b[32], c[32];
    printf("frames %8s  catch %.3f (train)  eval %.3f greedy%s  fovea "
           "%.2f  return %.3f  baseline-mse %.3f  entropy %.3f  |g| %.3f  "
           "%s frames/s  elapsed %s\n",
           progress_human((double)r->frames, a, sizeof a), r->catch_rate, r->eval.rate,
           r->new_best ? " (best)" : "       ", r->eval.fovea, r->mean_return,
           r->baseline_mse, r->entropy, r->grad_norm,
           progress_human(r->fps, b, sizeof b),
           progress_hms(r->elapsed, c, sizeof c));
    fflush(stdout);
    if (ui->bar.tty)
        ui->bar.last = 0; /* redraw the bar at once */
}

static void ui_note(void *user, const char *msg)
{
    train_ui *ui = user;
    progress_clear(&ui->bar);
    printf("%s\n", msg);
    fflush(stdout);
}

static const arg_spec train_specs[] = {
    {"out", 1},           {"resume", 0},          {"frames", 1},
    {"batch", 1},         {"lr", 1},              {"std", 1},
    {"gamma", 1},         {"entropy", 1},         {"clip", 1},
    {"location-lr-scale", 1},                     {"location-core-weight", 1},
    {"location-warmup", 1},                       {"baseline-core", 1},
    {"seed", 1},          {"threads", 1},         {"stretch", 1},
    {"eval-games", 1},    {"eval-seed", 1},       {"hidden", 1},
    {"glimpse", 1},
};

static int cmd_train(int argc, char **argv)
{
    catch_opts o;
    catch_opts_default(&o);
    args p;
    int rc = args_parse_cmd(&p, prog, "train", argc, argv, train_specs,
                            ARGS_COUNT(train_specs), 0, NULL, usage);
    if (rc >= 0)
        return rc;
    const char *dir = args_has(&p, "out") ? args_get(&p, "out") : "catch-run";
    const int resume = args_has(&p, "resume");
    if (args_count(&p, "frames", 1, &o.frames) ||
        args_count_int(&p, "batch", 1, 1 << 20, &o.batch) ||
        args_double(&p, "lr", &o.lr) || args_double(&p, "std", &o.std) ||
        args_double(&p, "gamma", &o.gamma) ||
        args_double(&p, "entropy", &o.entropy) ||
        args_double(&p, "clip", &o.clip) ||
        args_double_in(&p, "location-lr-scale", 0, 1, &o.loc_lr_scale) ||
        args_double_in(&p, "location-core-weight", 0, 1,
                       &o.loc_core_weight) ||
        args_count(&p, "location-warmup", 0, &o.loc_warmup) ||
        args_count_int(&p, "baseline-core", 0, 1, &o.baseline_core) ||
        args_count(&p, "seed", 0, &o.seed) ||
        args_count_int(&p, "threads", 1, 1024, &o.threads) ||
        args_count(&p, "stretch", 1, &o.stretch) ||
        args_count_int(&p, "eval-games", 1, 1 << 24, &o.eval_games) ||
        args_count(&p, "eval-seed", 0, &o.eval_seed) ||
        args_count_int(&p, "hidden", 1, 65536, &o.hidden))
        return ARGS_USAGE;
    const char *g = args_get(&p, "glimpse");
    if (g && sscanf(g, "%d,%d,%d", &o.glimpse_what, &o.glimpse_where,
                    &o.glimpse_size) != 3)
        return args_usage_error(&p, "--glimpse '%s': expected WHAT,WHERE,OUT "
                                "(three integers)", g);

    char err[512];
    if (resume) {
        catch_opts s;
        uint64_t done = 0;
        if (catch_checkpoint_opts(dir, &s, &done, err, sizeof err) != RAM_OK) {
            fprintf(stderr, "%s: cannot resume: %s\n", prog, err);
            return 1;
        }
        if (args_has(&p, "hidden") || args_has(&p, "glimpse"))
            fprintf(stderr, "%s: --hidden/--glimpse ignored: a resumed run "
                    "keeps its model\n", prog);
        if ((args_has(&p, "batch") && o.batch != s.batch) ||
            (args_has(&p, "seed") && o.seed != s.seed) ||
            (args_has(&p, "threads") && o.threads != s.threads))
            fprintf(stderr, "%s: note: --batch, --seed or --threads differ "
                    "from the run's; training continues, but not as the "
                    "uninterrupted run would have\n", prog);
        /* What the command line does not set comes from the run. */
#define KEEP(name, field) \
    if (!args_has(&p, name)) \
        o.field = s.field;
        KEEP("frames", frames)
        KEEP("batch", batch)
        KEEP("lr", lr)
        KEEP("std", std)
        KEEP("gamma", gamma)
        KEEP("entropy", entropy)
        KEEP("clip", clip)
        KEEP("baseline-core", baseline_core)
        KEEP("location-warmup", loc_warmup)
        KEEP("location-lr-scale", loc_lr_scale)
        KEEP("location-core-weight", loc_core_weight)
        KEEP("seed", seed)
        KEEP("threads", threads)
        KEEP("stretch", stretch)
        KEEP("eval-games", eval_games)
        KEEP("eval-seed", eval_seed)
#undef KEEP
        o.hidden = s.hidden;
        o.glimpse_what = s.glimpse_what;
        o.glimpse_where = s.glimpse_where;
        o.glimpse_size = s.glimpse_size;
        if (done >= o.frames) {
            printf("%s already has %" PRIu64 " frames (target %" PRIu64
                   "); pass a larger --frames to train on\n", dir, done,
                   o.frames);
            return 0;
        }
    }
    /* Pin the thread count, so that a resume uses the same. */
    o.threads = catch_opts_threads(&o);

    blas_hint();
    const char *blas = replicas_blas_single_thread();
    char f1[32], f2[32], f3[32];
    printf("%s %s: libram %s, run directory %s\n", prog,
           resume ? "train --resume" : "train", ram_version_string(), dir);
    printf("agent   LSTM %d, retina 6x6 at 3 scales, glimpse %d/%d/%d, 3 "
           "actions, 23 steps per game\n", o.hidden, o.glimpse_what,
           o.glimpse_where, o.glimpse_size);
    printf("train   %s frames, batch %d games (%s frames/update), Adam lr %g, "
           "std %g, gamma %g, entropy %g, clip %g, baseline-core %d, "
           "location warm-up %s frames, location step scale %g, "
           "location core weight %g, seed %" PRIu64 "\n",
           progress_human((double)o.frames, f1, sizeof f1), o.batch,
           progress_human((double)o.batch * CATCH_FRAMES_PER_GAME, f2, sizeof f2),
           o.lr, o.std, o.gamma, o.entropy, o.clip, o.baseline_core,
           progress_human((double)o.loc_warmup, f3, sizeof f3), o.loc_lr_scale,
           o.loc_core_weight, o.seed);
    printf("threads %d replicas%s%s; report, greedy evaluation on %d games "
           "and checkpoint every %s frames\n", o.threads, blas ? ", BLAS " : "",
           blas ? blas : "", o.eval_games,
           progress_human((double)o.stretch, f1, sizeof f1));
    fflush(stdout);

    train_ui ui;
    memset(&ui, 0, sizeof ui);
    const int tty = isatty(STDOUT_FILENO);
    progress_init(&ui.bar, stdout, tty, tty ? 0.25 : 60.0);
    ui.t0 = ui.bar.last;
    if (resume)
        catch_checkpoint_opts(dir, &(catch_opts){0}, &ui.frames0, err,
                              sizeof err);
    const volatile sig_atomic_t *stop = run_stop_install(NULL);

    catch_hooks hooks = {ui_progress, ui_report, ui_note, stop, &ui};
    int stopped = 0;
    rc = catch_train(dir, &o, resume, &hooks, &stopped, err, sizeof err);
    progress_clear(&ui.bar);
    if (rc != RAM_OK) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    if (stopped) {
        printf("interrupted; continue with: %s train --out %s --resume\n",
               prog, dir);
        return 130;
    }
    printf("done: %s/%s (best greedy evaluation), %s/%s, log %s/%s\n", dir,
           CATCH_FILE_BEST, dir, CATCH_FILE_FINAL, dir, CATCH_FILE_LOG);
    return 0;
}

/* ---- eval ---- */

static const arg_spec eval_specs[] = {
    {"games", 1}, {"seed", 1}, {"threads", 1},
};

static int cmd_eval(int argc, char **argv)
{
    int games = 1000, threads = 0;
    uint64_t seed = 12345;
    args p;
    int rc = args_parse_cmd(&p, prog, "eval", argc, argv, eval_specs,
                            ARGS_COUNT(eval_specs), 1,
                            "one MODEL only ('%s' is a second)", usage);
    if (rc >= 0)
        return rc;
    if (args_count_int(&p, "games", 1, 1 << 24, &games) ||
        args_count(&p, "seed", 0, &seed) ||
        args_count_int(&p, "threads", 1, 1024, &threads))
        return ARGS_USAGE;
    const char *model = p.n_pos ? p.pos[0] : NULL;
    if (!model) {
        fprintf(stderr, "usage: %s eval MODEL [--games N] [--seed S] "
                "[--threads N]\n", prog);
        return 2;
    }
    blas_hint();
    replicas_blas_single_thread();
    char path[4096], err[512];
    ram_agent *agent = NULL;
    if (load_model(model, RAM_LOAD_INFERENCE, &agent, path, sizeof path) != RAM_OK)
        return 1;
    describe_model(path, agent);
    catch_opts o;
    catch_opts_default(&o);
    o.threads = threads;
    o.batch = games;
    int n = catch_opts_threads(&o);
    replicas *r = NULL;
    rc = replicas_create(agent, n, seed, &r);
    if (rc != RAM_OK) {
        fprintf(stderr, "%s: replicas_create: %s\n", prog, ram_strerror(rc));
        ram_agent_free(agent);
        return 1;
    }
    printf("games   %d fresh games from seed %" PRIu64 ", %d thread%s\n",
           games, seed, n, n == 1 ? "" : "s");
    static const struct {
        const char *name;
        unsigned flags;
    } modes[2] = {
        {"greedy  (argmax action, location mean)",
         RAM_BEGIN_GREEDY_ACTION | RAM_BEGIN_GREEDY_LOCATION},
        {"sampled (action and location sampled) ", 0},
    };
    catch_eval e;
    for (int m = 0; m < 2 && rc == RAM_OK; m++) {
        rc = catch_evaluate(r, games, seed, modes[m].flags, seed, &e, err,
                            sizeof err);
        if (rc != RAM_OK) {
            fprintf(stderr, "%s: %s\n", prog, err);
            break;
        }
        char f[32];
        printf("%s: %d/%d caught = %.3f   ball in 6x6 fovea %.2f (last 8 "
               "frames %.2f), glimpse-ball distance %.1f px   %s frames/s\n",
               modes[m].name, e.caught, e.games, e.rate, e.fovea,
               e.fovea_late, e.dist, progress_human(e.fps, f, sizeof f));
    }
    if (rc == RAM_OK) /* the ball's path is the same in both modes */
        printf("reference: a glimpse held at the centre would have the ball "
               "in its 6x6 fovea %.2f (last 8 frames %.2f), distance %.1f px\n",
               e.centre_fovea, e.centre_fovea_late, e.centre_dist);
    replicas_free(r);
    ram_agent_free(agent);
    return rc == RAM_OK ? 0 : 1;
}

/* ---- play ---- */

static const char *action_name(int a)
{
    return a == CATCH_LEFT ? "<- left" : a == CATCH_RIGHT ? "-> right"
                                                          : "   stay";
}

/* Print the ASCII screen, coloured on a terminal. */
static void print_board(const char *text, int colour)
{
    if (!colour) {
        fputs(text, stdout);
        return;
    }
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '1': fputs("\033[1;31m1\033[0m", stdout); break;
        case '2': fputs("\033[1;33m2\033[0m", stdout); break;
        case '3': fputs("\033[1;34m3\033[0m", stdout); break;
        case 'o': fputs("\033[1;97mo\033[0m", stdout); break;
        case '=': fputs("\033[1;97m=\033[0m", stdout); break;
        case '.': fputs("\033[2m.\033[0m", stdout); break;
        default: fputc(*p, stdout);
        }
    }
}

static const arg_spec play_specs[] = {
    {"games", 1}, {"delay", 1}, {"greedy", 0}, {"sampled", 0},
    {"seed", 1},  {"png", 1},   {"scale", 1},
};

static int cmd_play(int argc, char **argv)
{
    int games = 3, greedy = 1, scale = 8, d = -1;
    uint64_t seed = 1;
    args p;
    int rc = args_parse_cmd(&p, prog, "play", argc, argv, play_specs,
                            ARGS_COUNT(play_specs), 1,
                            "one MODEL only ('%s' is a second)", usage);
    if (rc >= 0)
        return rc;
    if (args_count_int(&p, "games", 1, 1000000, &games) ||
        args_count_int(&p, "delay", 0, 600000, &d) ||
        args_count(&p, "seed", 0, &seed) ||
        args_count_int(&p, "scale", 1, 32, &scale))
        return ARGS_USAGE;
    long delay = d;
    for (int i = 0; i < argc; i++) /* the last of --greedy, --sampled */
        if (strcmp(argv[i], "--greedy") == 0 ||
            strcmp(argv[i], "--sampled") == 0)
            greedy = argv[i][2] == 'g';
    const char *png = args_get(&p, "png");
    const char *model = p.n_pos ? p.pos[0] : NULL;
    if (!model) {
        fprintf(stderr, "usage: %s play MODEL [--games N] [--delay MS] "
                "[--greedy|--sampled] [--seed S] [--png FILE] [--scale N]\n",
                prog);
        return 2;
    }
    if (png && games > 64) {
        fprintf(stderr, "%s play: --png draws at most 64 games\n", prog);
        return 2;
    }
    const int tty = isatty(STDOUT_FILENO);
    const int colour = tty && !getenv("NO_COLOR");
    if (delay < 0)
        delay = tty ? 150 : 0;

    char path[4096];
    ram_agent *agent = NULL;
    if (load_model(model, RAM_LOAD_INFERENCE, &agent, path, sizeof path))
        return 1;
    int64_t patch = 0, scales = 0;
    ram_sensor *sensor = NULL;
    rc = ram_agent_get_config(agent, RAM_CFG_PATCH, &patch);
    if (rc == RAM_OK)
        rc = ram_agent_get_config(agent, RAM_CFG_SCALES, &scales);
    if (rc == RAM_OK)
        rc = ram_sensor_create(&sensor, (int)patch, (int)scales, 1);
    if (rc == RAM_OK)
        rc = catch_agent_set_input(agent);
    if (rc == RAM_OK && !greedy)
        rc = ram_agent_seed(agent, seed);
    catch_batch *g = catch_create(1, seed);
    catch_record *rec = png ? calloc((size_t)games, sizeof *rec) : NULL;
    if (rc != RAM_OK || !g || (png && !rec)) {
        fprintf(stderr, "%s: setting up: %s\n", prog,
                ram_strerror(rc != RAM_OK ? rc : RAM_E_NOMEM));
        rc = rc != RAM_OK ? rc : RAM_E_NOMEM;
        goto out;
    }
    const unsigned flags =
        greedy ? RAM_BEGIN_GREEDY_ACTION | RAM_BEGIN_GREEDY_LOCATION : 0;
    int caught = 0;
    for (int k = 0; k < games && rc == RAM_OK; k++) {
        if ((rc = ram_agent_begin(agent, 1, flags)) != RAM_OK) {
            fprintf(stderr, "%s: ram_agent_begin: %s\n", prog,
                    ram_strerror(rc));
            break;
        }
        float reward = 0;
        for (int t = 0; t < CATCH_FRAMES_PER_GAME; t++) {
            float loc[2];
            catch_box boxes[CATCH_VIEW_MAX_SCALES];
            char board[CATCH_ASCII_BUFLEN];
            int action = CATCH_STAY;
            const char *what = "ram_agent_location";
            rc = ram_agent_location(agent, loc);
            int nb = 0;
            if (rc == RAM_OK) {
                what = "ram_sensor_patch_rect";
                nb = catch_glimpse_boxes(sensor, loc, boxes,
                                         CATCH_VIEW_MAX_SCALES);
                rc = nb < 0 ? -nb : RAM_OK;
            }
            if (rc == RAM_OK) {
                what = "catch_render_ascii";
                int w = catch_render_ascii(g, 0, boxes, (size_t)nb, board,
                                           sizeof board);
                rc = w < 0 ? -w : RAM_OK;
            }
            if (rc == RAM_OK && rec) {
                memcpy(rec[k].frames[t].screen, catch_screen(g, 0),
                       CATCH_PIXELS);
                memcpy(rec[k].frames[t].loc, loc, sizeof loc);
            }
            if (rc == RAM_OK) {
                what = "ram_agent_step";
                float obs[CATCH_PIXELS];
                catch_observe(g, 1, obs);
                rc = ram_agent_step(agent, obs, sizeof obs, NULL, NULL, &action);
            }
            if (rc == RAM_OK) {
                what = "catch_step";
                rc = catch_step(g, &action, &reward, NULL);
            }
            if (rc != RAM_OK) {
                fprintf(stderr, "%s: %s: %s\n", prog, what,
                        ram_strerror(rc));
                break;
            }
            if (rec)
                rec[k].frames[t].action = action;
            if (tty)
                fputs("\033[H\033[2J", stdout);
            printf("game %d/%d  frame %2d/%d  (%s)   caught %d/%d\n", k + 1,
                   games, t + 1, CATCH_FRAMES_PER_GAME,
                   greedy ? "greedy" : "sampled", caught, k);
            printf("glimpse at (%+.2f, %+.2f): boxes 1 = 6x6, 2 = 12x12, "
                   "3 = 24x24\n", loc[0], loc[1]);
            print_board(board, colour);
            printf("action %s   reward %g\n\n", action_name(action), reward);
            fflush(stdout);
            sleep_ms(delay);
        }
        if (rc != RAM_OK)
            break;
        ram_agent_end(agent, NULL);
        catch_state fin;
        char board[CATCH_ASCII_BUFLEN];
        if (catch_last_end(g, 0, &fin, &reward) == CATCH_OK &&
            catch_render_state_ascii(&fin, NULL, 0, board, sizeof board) > 0) {
            caught += reward > 0.5f;
            if (rec) {
                rec[k].final = fin;
                rec[k].reward = reward;
            }
            if (tty)
                fputs("\033[H\033[2J", stdout);
            printf("game %d/%d  end: %s   caught %d/%d\n\n", k + 1, games,
                   reward > 0.5f ? "CAUGHT" : "missed", caught, k + 1);
            print_board(board, colour);
            printf("\n");
            fflush(stdout);
            sleep_ms(delay * 6);
        }
    }
    if (rc == RAM_OK) {
        printf("%s: caught %d of %d games (%s)\n", path, caught, games,
               greedy ? "greedy" : "sampled");
        if (png) {
            char err[512];
            if (catch_png_strip(png, sensor, rec, games, scale, err,
                                sizeof err) != 0) {
                fprintf(stderr, "%s: %s\n", prog, err);
                rc = RAM_E_IO;
            } else {
                printf("wrote %s\n", png);
            }
        }
    }
out:
    free(rec);
    catch_free(g);
    ram_sensor_free(sensor);
    ram_agent_free(agent);
    return rc == RAM_OK ? 0 : 1;
}

/* ---- curve ---- */

static const arg_spec curve_specs[] = {
    {"png", 1},
};

static int cmd_curve(int argc, char **argv)
{
    char too_many[64];
    snprintf(too_many, sizeof too_many, "at most %d runs ('%%s' is one more)",
             CATCH_CURVE_MAX_RUNS);
    args p;
    int rc = args_parse_cmd(&p, prog, "curve", argc, argv, curve_specs, 1,
                            CATCH_CURVE_MAX_RUNS, too_many, usage);
    if (rc >= 0)
        return rc;
    const char *png = args_get(&p, "png");
    const char *const *runs = p.pos;
    const int n_runs = p.n_pos;
    if (n_runs == 0 || !png || !*png) {
        fprintf(stderr, "usage: %s curve RUN_DIR... --png FILE\n", prog);
        return 2;
    }
    char err[4200];
    if (catch_curve_png(png, runs, n_runs, err, sizeof err) != 0) {
        fprintf(stderr, "%s curve: %s\n", prog, err);
        return 1;
    }
    printf("wrote %s: learning curves of %d run%s\n", png, n_runs,
           n_runs == 1 ? "" : "s");
    return 0;
}

int main(int argc, char **argv)
{
    static const args_command cmds[] = {
        {"train", cmd_train}, {"eval", cmd_eval},
        {"play", cmd_play},   {"curve", cmd_curve},
    };
    return args_dispatch(prog, cmds, ARGS_COUNT(cmds), usage, argc, argv);
}
