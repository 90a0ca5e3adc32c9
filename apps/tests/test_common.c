/* Tests of the apps' shared run machinery (apps/common): rundir (mkdir -p,
 * atomic writes, paths, strbuf), args (numbers, options, commands),
 * statefile (round trips and errors), progress (bar and durations),
 * tsv_append, and example_rng_below_mod (the Catch games' stream). */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "progress.h"
#include "rng.h"
#include "rundir.h"
#include "statefile.h"
#include "tsv.h"

static void make_dir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/ram-apps-common-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(buf));
}

/* rm -r of a test directory (at most two levels: what the tests make). */
static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Number of entries in dir whose name contains part. */
static int count_names(const char *dir, const char *part)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c -- '%s'", dir, part);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    int n = -1;
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

/* stderr into a temporary file between capture_begin and capture_end,
 * which copies what was written into msg[cap]. */
typedef struct capture {
    FILE *tmp;
    int saved;
} capture;

static capture capture_begin(void)
{
    capture c;
    fflush(stderr);
    c.tmp = tmpfile();
    ck_assert_ptr_nonnull(c.tmp);
    c.saved = dup(fileno(stderr));
    dup2(fileno(c.tmp), fileno(stderr));
    return c;
}

static void capture_end(capture *c, char *msg, size_t cap)
{
    fflush(stderr);
    dup2(c->saved, fileno(stderr));
    close(c->saved);
    rewind(c->tmp);
    size_t n = fread(msg, 1, cap - 1, c->tmp);
    msg[n] = '\0';
    fclose(c->tmp);
}

/* ---- rundir ---- */

START_TEST(test_mkdirs)
{
    char dir[64], path[256], err[256];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    ck_assert_int_eq(run_mkdirs(path, err, sizeof err), 0);
    ck_assert(run_is_dir(path));
    /* Again: it exists, fine. With a trailing slash too. */
    ck_assert_int_eq(run_mkdirs(path, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/a/b/", dir);
    ck_assert_int_eq(run_mkdirs(path, err, sizeof err), 0);
    /* A file in the way. */
    snprintf(path, sizeof path, "%s/file", dir);
    ck_assert_int_eq(run_write_atomic(path, "x\n", err, sizeof err), 0);
    ck_assert_int_eq(run_mkdirs(path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "not a directory"), "%s", err);
    snprintf(path, sizeof path, "%s/file/sub", dir);
    ck_assert_int_eq(run_mkdirs(path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "cannot create directory"), "%s", err);
    ck_assert_int_eq(run_mkdirs("", err, sizeof err), -1);
    ck_assert_str_eq(err, "empty directory name");
    remove_tree(dir);
}
END_TEST

START_TEST(test_write_atomic)
{
    char dir[64], path[256], err[256];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/state.txt", dir);
    ck_assert_int_eq(run_write_atomic(path, "one\n", err, sizeof err), 0);
    ck_assert_str_eq(slurp(path), "one\n");
    ck_assert_int_eq(run_write_atomic(path, "two\nlines\n", err, sizeof err),
                     0);
    ck_assert_str_eq(slurp(path), "two\nlines\n");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
    ck_assert_int_eq(count_names(dir, "tmp-"), 0); /* no temporary left */
    /* A directory that does not exist: a clear error, nothing written. */
    snprintf(path, sizeof path, "%s/missing/state.txt", dir);
    ck_assert_int_eq(run_write_atomic(path, "x", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "missing/state.txt: cannot write: No such file"),
                  "%s", err);
    ck_assert(!run_exists(path));
    remove_tree(dir);
}
END_TEST

START_TEST(test_paths_and_strbuf)
{
    char out[16];
    ck_assert_int_eq(run_join(out, sizeof out, "runs", "log.tsv"), 0);
    ck_assert_str_eq(out, "runs/log.tsv");
    ck_assert_int_eq(run_join(out, sizeof out, "a-long-directory", "x"), -1);
    char *p = run_path("runs/a", "state.txt");
    ck_assert_str_eq(p, "runs/a/state.txt");
    free(p);
    ck_assert(run_is_dir("/tmp"));
    ck_assert(!run_is_dir("/nonexistent-ram-dir"));
    ck_assert(!run_exists("/nonexistent-ram-dir"));

    strbuf b = {0};
    for (int i = 0; i < 1000; i++) /* grows past its first 1024 bytes */
        strbuf_printf(&b, "%d,", i);
    ck_assert(!b.oom);
    ck_assert_uint_eq(strlen(b.s), b.len);
    ck_assert(strncmp(b.s, "0,1,2,", 6) == 0);
    ck_assert(strcmp(b.s + b.len - 4, "999,") == 0);
    free(b.s);
}
END_TEST

/* ---- numbers ---- */

START_TEST(test_numbers)
{
    long l = 7;
    ck_assert_int_eq(num_long("-12", -20, 20, &l), 0);
    ck_assert_int_eq(l, -12);
    ck_assert_int_eq(num_long("21", -20, 20, &l), -1);
    ck_assert_int_eq(num_long("3x", 0, 20, &l), -1);
    ck_assert_int_eq(num_long("", 0, 20, &l), -1);
    ck_assert_int_eq(num_long(NULL, 0, 20, &l), -1);
    ck_assert_int_eq(l, -12); /* unchanged by failures */

    uint64_t u = 0;
    ck_assert_int_eq(num_u64("18446744073709551615", &u), 0);
    ck_assert(u == UINT64_MAX);
    ck_assert_int_eq(num_u64("18446744073709551616", &u), -1);
    ck_assert_int_eq(num_u64("-1", &u), -1);
    ck_assert_int_eq(num_u64("1.5", &u), -1);

    size_t z = 0;
    ck_assert_int_eq(num_size("4096", &z), 0);
    ck_assert_uint_eq(z, 4096);

    double d = 0;
    ck_assert_int_eq(num_double("1e-3", &d), 0);
    ck_assert(d == 1e-3);
    ck_assert_int_eq(num_double("nan", &d), -1);
    ck_assert_int_eq(num_double("inf", &d), -1);
    ck_assert_int_eq(num_double("0.5 ", &d), -1);
    ck_assert_int_eq(num_double_any("nan", &d), 0);
    ck_assert(isnan(d));
    ck_assert_int_eq(num_double_any("-inf", &d), 0);
    ck_assert(isinf(d) && d < 0);

    ck_assert_int_eq(num_count("20M", &u), 0);
    ck_assert(u == 20000000);
    ck_assert_int_eq(num_count("500k", &u), 0);
    ck_assert(u == 500000);
    ck_assert_int_eq(num_count("1.5e6", &u), 0);
    ck_assert(u == 1500000);
    ck_assert_int_eq(num_count("2g", &u), 0);
    ck_assert(u == 2000000000);
    ck_assert_int_eq(num_count("9007199254740993", &u), 0); /* exact */
    ck_assert(u == UINT64_C(9007199254740993));
    ck_assert_int_eq(num_count("-5", &u), -1);
    ck_assert_int_eq(num_count("5x", &u), -1);
    ck_assert_int_eq(num_count("5kk", &u), -1);
    ck_assert_int_eq(num_count("", &u), -1);
    int i = 0;
    ck_assert_int_eq(num_count_int("1k", 1, 1 << 20, &i), 0);
    ck_assert_int_eq(i, 1000);
    ck_assert_int_eq(num_count_int("0", 1, 10, &i), -1);
    ck_assert_int_eq(num_count_int("11", 1, 10, &i), -1);
    ck_assert_int_eq(i, 1000);
}
END_TEST

/* ---- options ---- */

static const arg_spec specs[] = {
    {"lr", 1}, {"resume", 0}, {"frames", 1}, {"seed", 1}, {"std", 1},
};
#define N_SPECS ((int)(sizeof specs / sizeof specs[0]))

/* Runs args_parse on a NULL-terminated list with stderr captured into
 * msg[cap]. */
static int parse(args *a, int max_pos, const char *too_many, char *msg,
                 size_t cap, const char *first, ...)
{
    char *argv[16];
    int argc = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s && argc < 16; s = va_arg(ap, const char *))
        argv[argc++] = (char *)s;
    va_end(ap);
    capture c = capture_begin();
    int rc = args_parse(a, "ram-test", "train", argc, argv, specs, N_SPECS,
                        max_pos, too_many);
    capture_end(&c, msg, cap);
    return rc;
}

START_TEST(test_args_parse)
{
    args a;
    char msg[512];
    ck_assert_int_eq(parse(&a, 1, NULL, msg, sizeof msg, "--lr", "0.1",
                           "--resume", "model.ram", "--frames=2M", NULL),
                     0);
    ck_assert_str_eq(msg, "");
    ck_assert_str_eq(args_get(&a, "lr"), "0.1");
    ck_assert_str_eq(args_get(&a, "resume"), "");
    ck_assert_str_eq(args_get(&a, "frames"), "2M");
    ck_assert_ptr_null(args_get(&a, "seed"));
    ck_assert(args_has(&a, "resume") && !args_has(&a, "seed"));
    ck_assert_ptr_null(args_get(&a, "no-such-option"));
    ck_assert_int_eq(a.n_pos, 1);
    ck_assert_str_eq(a.pos[0], "model.ram");
    /* A later repeat wins; "-" is a positional argument. */
    ck_assert_int_eq(parse(&a, 2, NULL, msg, sizeof msg, "--lr", "1",
                           "--lr=2", "-", NULL),
                     0);
    ck_assert_str_eq(args_get(&a, "lr"), "2");
    ck_assert_str_eq(a.pos[0], "-");

    double d = 0;
    uint64_t u = 0;
    ck_assert_int_eq(args_double(&a, "lr", &d), 0);
    ck_assert(d == 2.0);
    ck_assert_int_eq(args_u64(&a, "seed", &u), 0); /* absent: untouched */
    ck_assert(u == 0);

    /* --help and -h, wherever they stand (but after an earlier error). */
    ck_assert_int_eq(parse(&a, 0, NULL, msg, sizeof msg, "--lr", "1", "-h",
                           NULL),
                     1);
    ck_assert_int_eq(parse(&a, 0, NULL, msg, sizeof msg, "--help", "--bad",
                           NULL),
                     1);
}
END_TEST

START_TEST(test_args_errors)
{
    args a;
    char msg[512];
    struct {
        const char *argv[4];
        int max_pos;
        const char *too_many;
        const char *expected;
    } cases[] = {
        {{"--bogus", NULL}, 0, NULL,
         "ram-test train: unknown option '--bogus'\n"
         "Try 'ram-test train --help'.\n"},
        {{"--lr", NULL}, 0, NULL,
         "ram-test train: option '--lr' needs a value\n"
         "Try 'ram-test train --help'.\n"},
        {{"--resume=1", NULL}, 0, NULL,
         "ram-test train: option '--resume=1' takes no value\n"
         "Try 'ram-test train --help'.\n"},
        {{"-x", NULL}, 1, NULL,
         "ram-test train: unexpected argument '-x'\n"
         "Try 'ram-test train --help'.\n"},
        {{"model", NULL}, 0, NULL,
         "ram-test train: unexpected argument 'model'\n"
         "Try 'ram-test train --help'.\n"},
        {{"a", "b", NULL}, 1, "one MODEL only ('%s' is a second)",
         "ram-test train: one MODEL only ('b' is a second)\n"
         "Try 'ram-test train --help'.\n"},
        {{"--lr=", "--", NULL}, 3, NULL,
         "ram-test train: unexpected argument '--'\n"
         "Try 'ram-test train --help'.\n"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int rc = parse(&a, cases[k].max_pos, cases[k].too_many, msg,
                       sizeof msg, cases[k].argv[0], cases[k].argv[1],
                       cases[k].argv[2], NULL);
        ck_assert_int_eq(rc, ARGS_USAGE);
        ck_assert_str_eq(msg, cases[k].expected);
    }
}
END_TEST

/* A value getter's result and message (stderr captured). */
static int get_value(const char *opt, const char *value, int which,
                     char *msg, size_t cap, double *out)
{
    args a;
    char pmsg[256];
    ck_assert_int_eq(parse(&a, 0, NULL, pmsg, sizeof pmsg, opt, value, NULL),
                     0);
    capture c = capture_begin();
    const char *name = opt + 2;
    int rc;
    long l = 0;
    int i = 0;
    uint64_t u = 0;
    double d = 0;
    switch (which) {
    case 0: rc = args_long(&a, name, 1, 10, &l); d = (double)l; break;
    case 1: rc = args_int(&a, name, 1, 10, &i); d = i; break;
    case 2: rc = args_u64(&a, name, &u); d = (double)u; break;
    case 3: rc = args_double(&a, name, &d); break;
    case 6: rc = args_double_in(&a, name, 0, 1, &d); break;
    case 4: rc = args_count(&a, name, 1, &u); d = (double)u; break;
    default: rc = args_count_int(&a, name, 1, 100, &i); d = i; break;
    }
    capture_end(&c, msg, cap);
    *out = d;
    return rc;
}

START_TEST(test_args_values)
{
    char msg[512];
    double v;
    ck_assert_int_eq(get_value("--seed", "7", 0, msg, sizeof msg, &v), 0);
    ck_assert(v == 7);
    ck_assert_int_eq(get_value("--seed", "11", 0, msg, sizeof msg, &v),
                     ARGS_USAGE);
    ck_assert_str_eq(msg, "ram-test train: --seed '11': expected an integer "
                          "in 1..10\nTry 'ram-test train --help'.\n");
    ck_assert_int_eq(get_value("--seed", "3", 1, msg, sizeof msg, &v), 0);
    ck_assert(v == 3);
    ck_assert_int_eq(get_value("--seed", "-1", 2, msg, sizeof msg, &v),
                     ARGS_USAGE);
    ck_assert_str_eq(msg, "ram-test train: --seed '-1': expected a "
                          "non-negative integer\nTry 'ram-test train "
                          "--help'.\n");
    ck_assert_int_eq(get_value("--lr", "abc", 3, msg, sizeof msg, &v),
                     ARGS_USAGE);
    ck_assert_str_eq(msg, "ram-test train: --lr 'abc': expected a number\n"
                          "Try 'ram-test train --help'.\n");
    ck_assert_int_eq(get_value("--lr", "0.25", 6, msg, sizeof msg, &v), 0);
    ck_assert(v == 0.25);
    ck_assert_int_eq(get_value("--lr", "2", 6, msg, sizeof msg, &v),
                     ARGS_USAGE);
    ck_assert_str_eq(msg, "ram-test train: --lr '2': expected a number in "
                          "0 .. 1\nTry 'ram-test train --help'.\n");
    ck_assert_int_eq(get_value("--frames", "20M", 4, msg, sizeof msg, &v), 0);
    ck_assert(v == 2e7);
    ck_assert_int_eq(get_value("--frames", "0", 4, msg, sizeof msg, &v),
                     ARGS_USAGE);
    ck_assert_msg(strstr(msg, "--frames '0': expected a count >= 1"), "%s",
                  msg);
    ck_assert_int_eq(get_value("--std", "1k", 5, msg, sizeof msg, &v),
                     ARGS_USAGE);
    ck_assert_msg(strstr(msg, "--std '1k': expected an integer in 1..100"),
                  "%s", msg);
}
END_TEST

static int cmd_ran = 0, cmd_argc = -1;

static int cmd_a(int argc, char **argv)
{
    (void)argv;
    cmd_ran = 'a';
    cmd_argc = argc;
    return 7;
}

static int help_calls = 0;
static void help(FILE *f)
{
    (void)f;
    help_calls++;
}

START_TEST(test_args_parse_cmd)
{
    args a;
    char *ok[] = {"--lr", "1", "m"};
    help_calls = 0;
    ck_assert_int_eq(args_parse_cmd(&a, "p", "c", 3, ok, specs, N_SPECS, 1,
                                    NULL, help),
                     -1);
    ck_assert_str_eq(args_get(&a, "lr"), "1");
    char *h[] = {"-h"};
    ck_assert_int_eq(args_parse_cmd(&a, "p", "c", 1, h, specs, N_SPECS, 1,
                                    NULL, help),
                     0);
    ck_assert_int_eq(help_calls, 1);
    char *bad[] = {"--nope"};
    capture c = capture_begin();
    int rc = args_parse_cmd(&a, "p", "c", 1, bad, specs, N_SPECS, 1, NULL,
                            help);
    char msg[128];
    capture_end(&c, msg, sizeof msg);
    ck_assert_int_eq(rc, ARGS_USAGE);
    ck_assert_str_eq(msg, "p c: unknown option '--nope'\nTry 'p c --help'.\n");
    ck_assert_int_eq(help_calls, 1);
}
END_TEST

START_TEST(test_args_dispatch)
{
    static const args_command cmds[] = {{"alpha", cmd_a}};
    char *argv1[] = {"prog", "alpha", "x", "y"};
    ck_assert_int_eq(args_dispatch("prog", cmds, 1, help, 4, argv1), 7);
    ck_assert_int_eq(cmd_ran, 'a');
    ck_assert_int_eq(cmd_argc, 2);
    char *argv2[] = {"prog", "--help"};
    help_calls = 0;
    ck_assert_int_eq(args_dispatch("prog", cmds, 1, help, 2, argv2), 0);
    ck_assert_int_eq(help_calls, 1);
    ck_assert_int_eq(args_dispatch("prog", cmds, 1, help, 1, argv2),
                     ARGS_USAGE);
    char *argv3[] = {"prog", "beta"};
    capture c = capture_begin();
    int rc = args_dispatch("prog", cmds, 1, help, 2, argv3);
    char msg[128];
    capture_end(&c, msg, sizeof msg);
    ck_assert_int_eq(rc, ARGS_USAGE);
    ck_assert_str_eq(msg, "prog: unknown command 'beta'\n");
    ck_assert_int_eq(help_calls, 3);
}
END_TEST

/* ---- state files ---- */

typedef struct demo_state {
    int epoch;
    uint64_t updates;
    size_t n;
    double best, ret;
} demo_state;

static const sf_key demo_keys[] = {
    {"epoch", SF_INT, offsetof(demo_state, epoch)},
    {"updates", SF_U64, offsetof(demo_state, updates)},
    {"n", SF_SIZE, offsetof(demo_state, n)},
    {"best", SF_DBL, offsetof(demo_state, best)},
    {"return", SF_DBL, offsetof(demo_state, ret)},
};
#define N_DEMO (sizeof demo_keys / sizeof demo_keys[0])

typedef struct demo_read {
    demo_state s;
    int unknown;
} demo_read;

static int demo_key(void *user, const char *key, const char *value)
{
    demo_read *r = user;
    int rc = statefile_set(demo_keys, N_DEMO, &r->s, key, value);
    r->unknown += rc == 1;
    return rc;
}

static void round_trip(char sep, const char *magic)
{
    char dir[64], path[256], err[256];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/state.txt", dir);
    demo_state s = {-3, UINT64_MAX, 123456, 0.1, NAN};
    strbuf b = {0};
    if (magic)
        strbuf_printf(&b, "%s\n", magic);
    strbuf_printf(&b, "# a comment\n\nlater%cvalue\n", sep);
    statefile_put(&b, sep, "", demo_keys, N_DEMO, &s);
    ck_assert_int_eq(statefile_write(path, &b, err, sizeof err), 0);
    free(b.s);
    char expect[512];
    snprintf(expect, sizeof expect,
             "%s%s# a comment\n\nlater%cvalue\nepoch%c-3\n"
             "updates%c18446744073709551615\nn%c123456\n"
             "best%c0.10000000000000001\nreturn%cnan\n",
             magic ? magic : "", magic ? "\n" : "", sep, sep, sep, sep, sep,
             sep);
    ck_assert_str_eq(slurp(path), expect);

    demo_read r;
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(statefile_read(path, sep, magic, demo_key, &r, err,
                                    sizeof err),
                     0);
    ck_assert_int_eq(r.s.epoch, -3);
    ck_assert(r.s.updates == UINT64_MAX);
    ck_assert_uint_eq(r.s.n, 123456);
    ck_assert(r.s.best == 0.1); /* %.17g reads back exactly */
    ck_assert(isnan(r.s.ret));
    ck_assert_int_eq(r.unknown, 1); /* "later": ignored */
    remove_tree(dir);
}

START_TEST(test_statefile_round_trip)
{
    round_trip('=', NULL);             /* ram-mnist's state.txt */
    round_trip(' ', "demo-state 1");   /* ram-catch's, after its magic */
}
END_TEST

/* statefile_read's message for a file holding text. */
static int read_text(const char *text, char sep, const char *magic,
                     char *err, size_t errlen, char *path, size_t cap)
{
    static char dir[64];
    make_dir(dir, sizeof dir);
    snprintf(path, cap, "%s/state.txt", dir);
    char e2[256];
    ck_assert_int_eq(run_write_atomic(path, text, e2, sizeof e2), 0);
    demo_read r;
    memset(&r, 0, sizeof r);
    int rc = statefile_read(path, sep, magic, demo_key, &r, err, errlen);
    remove_tree(dir);
    return rc;
}

START_TEST(test_statefile_errors)
{
    char err[512], path[256], expect[512];
    ck_assert_int_eq(read_text("epoch=1\nupdates\n", '=', NULL, err,
                               sizeof err, path, sizeof path),
                     -1);
    snprintf(expect, sizeof expect, "%s:2: expected key=value", path);
    ck_assert_str_eq(err, expect);
    ck_assert_int_eq(read_text("epoch=x\n", '=', NULL, err, sizeof err, path,
                               sizeof path),
                     -1);
    snprintf(expect, sizeof expect, "%s:1: bad value for epoch: 'x'", path);
    ck_assert_str_eq(err, expect);
    ck_assert_int_eq(read_text("updates=-1\n", '=', NULL, err, sizeof err,
                               path, sizeof path),
                     -1);
    snprintf(expect, sizeof expect, "%s:1: bad value for updates: '-1'",
             path);
    ck_assert_str_eq(err, expect);
    ck_assert_int_eq(read_text("epoch=99999999999\n", '=', NULL, err,
                               sizeof err, path, sizeof path),
                     -1);
    ck_assert_int_eq(read_text("other 1\nepoch 1\n", ' ', "magic 1", err,
                               sizeof err, path, sizeof path),
                     -1);
    snprintf(expect, sizeof expect, "%s: the first line is not 'magic 1' "
             "(not this program's state file)", path);
    ck_assert_str_eq(err, expect);
    ck_assert_int_eq(read_text("", ' ', "magic 1", err, sizeof err, path,
                               sizeof path),
                     -1);
    snprintf(expect, sizeof expect, "%s: empty file", path);
    ck_assert_str_eq(err, expect);
    /* \r\n line ends are fine. */
    ck_assert_int_eq(read_text("magic 1\r\nepoch 4\r\n", ' ', "magic 1", err,
                               sizeof err, path, sizeof path),
                     0);
    demo_read r;
    ck_assert_int_eq(statefile_read("/nonexistent-ram/state.txt", '=', NULL,
                                    demo_key, &r, err, sizeof err),
                     -1);
    ck_assert_str_eq(err, "/nonexistent-ram/state.txt: cannot open: No such "
                          "file or directory");
    strbuf oom = {NULL, 0, 0, 1};
    ck_assert_int_eq(statefile_write("/tmp/x", &oom, err, sizeof err), -1);
    ck_assert_str_eq(err, "/tmp/x: cannot write: out of memory");
}
END_TEST

/* ---- log ---- */

START_TEST(test_tsv_append)
{
    char dir[64], path[256], err[256];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/log.tsv", dir);
    ck_assert_int_eq(tsv_append(path, "a\tb\n", "1\t2\n", err, sizeof err), 0);
    ck_assert_int_eq(tsv_append(path, "a\tb\n", "3\t4\n", err, sizeof err), 0);
    ck_assert_str_eq(slurp(path), "a\tb\n1\t2\n3\t4\n");
    /* What it writes, tsv_read reads. */
    tsv_table t;
    ck_assert_int_eq(tsv_read(path, NULL, 0, &t, err, sizeof err), 0);
    ck_assert_uint_eq(t.n_rows, 2);
    ck_assert(tsv_get(&t, 1, tsv_col(&t, "b")) == 4.0);
    tsv_free(&t);
    /* An empty file gets the header too. */
    FILE *f = fopen(path, "w");
    fclose(f);
    ck_assert_int_eq(tsv_append(path, "a\tb\n", "5\t6\n", err, sizeof err), 0);
    ck_assert_str_eq(slurp(path), "a\tb\n5\t6\n");
    snprintf(path, sizeof path, "%s/missing/log.tsv", dir);
    ck_assert_int_eq(tsv_append(path, "a\n", "1\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "missing/log.tsv: cannot append: No such file"),
                  "%s", err);
    remove_tree(dir);
}
END_TEST

/* ---- progress ---- */

START_TEST(test_progress)
{
    char buf[32];
    ck_assert_str_eq(progress_clock(3723.4, buf, sizeof buf), "1:02:03");
    ck_assert_str_eq(progress_clock(-1, buf, sizeof buf), "0:00:00");
    ck_assert_str_eq(progress_clock(NAN, buf, sizeof buf), "0:00:00");
    ck_assert_str_eq(progress_hms(3723, buf, sizeof buf), "1h02m03s");
    ck_assert_str_eq(progress_hms(125, buf, sizeof buf), "2m05s");
    ck_assert_str_eq(progress_hms(7.4, buf, sizeof buf), "7s");
    ck_assert_str_eq(progress_human(812, buf, sizeof buf), "812");
    ck_assert_str_eq(progress_human(500000, buf, sizeof buf), "500.0k");
    ck_assert_str_eq(progress_human(2.5e7, buf, sizeof buf), "25.00M");
    ck_assert_str_eq(progress_human(3e9, buf, sizeof buf), "3.00G");

    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    progress_bar p;
    progress_init(&p, f, 1, 1000.0);
    ck_assert_int_eq(progress_due(&p, 0), 0); /* not yet */
    ck_assert_int_eq(progress_due(&p, 1), 1); /* the last: always */
    progress_draw(&p, 0.5, "epoch 1/2 ", " 50%");
    progress_draw(&p, 2.0, "", "");
    progress_clear(&p);
    progress_clear(&p); /* nothing drawn: nothing written */
    rewind(f);
    char out[256];
    out[fread(out, 1, sizeof out - 1, f)] = '\0';
    fclose(f);
    ck_assert_str_eq(out, "\r\033[Kepoch 1/2 [###############...............]"
                          " 50%\r\033[K[##############################]"
                          "\r\033[K");
    /* Not a terminal: the bar draws nothing. */
    f = tmpfile();
    progress_init(&p, f, 0, 0.0);
    ck_assert_int_eq(progress_due(&p, 0), 1);
    progress_draw(&p, 0.5, "x", "y");
    progress_clear(&p);
    ck_assert_int_eq((int)ftell(f), 0);
    fclose(f);
}
END_TEST

/* ---- the Catch games' generator ---- */

/* The generator game.c had inside it before it used apps/common/rng.c,
 * kept here as the reference: the games (and so every recorded Catch run
 * and the committed models' figures) depend on this exact stream. */
static uint64_t ref_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t ref_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t ref_next(uint64_t s[4])
{
    uint64_t result = ref_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return result;
}

static uint64_t ref_below(uint64_t s[4], uint64_t n)
{
    uint64_t threshold = (0 - n) % n;
    uint64_t r;
    do {
        r = ref_next(s);
    } while (r < threshold);
    return r % n;
}

START_TEST(test_rng_below_mod_stream)
{
    static const uint64_t seeds[] = {0, 1, 12345, UINT64_MAX};
    static const uint64_t ns[] = {24, 6, 23, 1, 3, UINT64_C(0x8000000000000001)};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        uint64_t ref[4], x = seeds[k];
        for (int i = 0; i < 4; i++)
            ref[i] = ref_splitmix64(&x);
        example_rng r;
        example_rng_seed(&r, seeds[k]);
        for (int i = 0; i < 3000; i++) {
            uint64_t n = ns[i % 6];
            uint64_t want = ref_below(ref, n);
            ck_assert_uint_eq(example_rng_below_mod(&r, n), want);
        }
    }
    /* example_rng_mix is splitmix64's output (the Catch seeds hash3). */
    for (uint64_t z = 0; z < 100; z++) {
        uint64_t x = z * UINT64_C(0x0123456789ABCDEF);
        uint64_t y = x;
        ck_assert_uint_eq(example_rng_mix(x), ref_splitmix64(&y));
    }
    /* The two draws are different streams: the mod one is not Lemire's. */
    example_rng a, b;
    example_rng_seed(&a, 9);
    example_rng_seed(&b, 9);
    int same = 0;
    for (int i = 0; i < 64; i++)
        same += example_rng_below(&a, 24) == example_rng_below_mod(&b, 24);
    ck_assert_int_lt(same, 20);
    ck_assert_uint_eq(example_rng_below_mod(&a, 0), 0);
}
END_TEST

Suite *suite_common(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("run machinery");
    tcase_add_test(tc, test_mkdirs);
    tcase_add_test(tc, test_write_atomic);
    tcase_add_test(tc, test_paths_and_strbuf);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_args_parse);
    tcase_add_test(tc, test_args_errors);
    tcase_add_test(tc, test_args_values);
    tcase_add_test(tc, test_args_parse_cmd);
    tcase_add_test(tc, test_args_dispatch);
    tcase_add_test(tc, test_statefile_round_trip);
    tcase_add_test(tc, test_statefile_errors);
    tcase_add_test(tc, test_tsv_append);
    tcase_add_test(tc, test_progress);
    tcase_add_test(tc, test_rng_below_mod_stream);
    suite_add_tcase(s, tc);
    return s;
}
