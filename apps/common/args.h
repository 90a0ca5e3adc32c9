/* The apps' command lines and numbers: one option parser and one set of
 * number parsers for ram-mnist, ram-catch and their state files.
 *
 * Options are "--name value" or "--name=value"; flags take no value;
 * "--help" or "-h" anywhere asks for the help text. Other arguments are
 * positional (a lone "-" is positional too). Error messages have the form
 *
 *     PROG CMD: unknown option '--x'
 *     Try 'PROG CMD --help'.
 *
 * on stderr, and the functions return ARGS_USAGE (the apps' exit status for
 * bad arguments). Nothing is global. */
#ifndef RAM_APPS_ARGS_H
#define RAM_APPS_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- numbers (0 on success, -1 on a bad value; *out unchanged then) ---- */

/* A decimal integer in lo..hi (strtol; no trailing characters). */
int num_long(const char *s, long lo, long hi, long *out);

/* A non-negative decimal integer (a leading '-' is refused). */
int num_u64(const char *s, uint64_t *out);

/* num_u64 that fits a size_t. */
int num_size(const char *s, size_t *out);

/* A finite number (strtod). */
int num_double(const char *s, double *out);

/* A number as strtod reads it, "nan" and "inf" included (state files that
 * record a diverged run). */
int num_double_any(const char *s, double *out);

/* A count: a non-negative integer, or a number with a k/M/G suffix (either
 * case) such as "500k", "20M" or "1.5e6", rounded to the nearest integer. */
int num_count(const char *s, uint64_t *out);

/* num_count in lo..hi (lo >= 0). */
int num_count_int(const char *s, int lo, int hi, int *out);

/* ---- the option parser ---- */

#define ARGS_USAGE 2      /* exit status for bad arguments */
#define ARGS_MAX_SPECS 64 /* options per command */
#define ARGS_MAX_POS 64   /* positional arguments kept */

/* The number of elements of an array (of specs, of commands). */
#define ARGS_COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))

typedef struct arg_spec {
    const char *name; /* without the leading "--" */
    int has_arg;      /* 1: takes a value; 0: a flag */
} arg_spec;

typedef struct args {
    const char *prog, *cmd;       /* for messages: "ram-mnist", "train" */
    const arg_spec *specs;
    int n_specs;
    const char *val[ARGS_MAX_SPECS]; /* per spec: its value, "" for a flag
                                      * given, NULL if absent */
    const char *pos[ARGS_MAX_POS];   /* positional arguments, in order */
    int n_pos;
} args;

/* Parses argv[0..argc) against specs[0..n_specs) (n_specs <=
 * ARGS_MAX_SPECS; a later repeat of an option wins), from left to right:
 * the first of a bad argument and --help decides. At most max_pos
 * positional arguments are accepted; one more is refused with too_many
 * as the message ("unexpected argument '%s'" if too_many is NULL; it may
 * contain one %s, the argument). Returns 0, 1 if --help or -h was given,
 * or ARGS_USAGE after printing the message. */
int args_parse(args *a, const char *prog, const char *cmd, int argc,
               char **argv, const arg_spec *specs, int n_specs, int max_pos,
               const char *too_many);

/* args_parse for a command with a help text: --help or -h prints
 * help(stdout) and gives 0, a bad argument ARGS_USAGE (after the message);
 * otherwise -1: go on, as in
 *     if ((rc = args_parse_cmd(...)) >= 0)
 *         return rc; */
int args_parse_cmd(args *a, const char *prog, const char *cmd, int argc,
                   char **argv, const arg_spec *specs, int n_specs,
                   int max_pos, const char *too_many, void (*help)(FILE *));

/* The value of --name (NULL if absent). name must be one of the specs. */
const char *args_get(const args *a, const char *name);

/* 1 if --name was given. */
int args_has(const args *a, const char *name);

/* Prints "PROG CMD: " fmt (with one %s: arg) and the "Try" line; returns
 * ARGS_USAGE. */
int args_usage_error(const args *a, const char *fmt, const char *arg);

/* --name, if given, into *out: 0 (absent or parsed) or ARGS_USAGE after a
 * message such as "--lr 'x': expected a number". */
int args_long(const args *a, const char *name, long lo, long hi, long *out);
int args_int(const args *a, const char *name, int lo, int hi, int *out);
int args_u64(const args *a, const char *name, uint64_t *out);
int args_double(const args *a, const char *name, double *out);
/* args_double in lo..hi ("--x '2': expected a number in 0 .. 1"). */
int args_double_in(const args *a, const char *name, double lo, double hi,
                   double *out);
/* num_count / num_count_int ("20M"). */
int args_count(const args *a, const char *name, uint64_t lo, uint64_t *out);
int args_count_int(const args *a, const char *name, int lo, int hi,
                   int *out);

/* ---- commands: PROG COMMAND [arguments] ---- */

typedef struct args_command {
    const char *name;
    int (*run)(int argc, char **argv); /* the arguments after COMMAND */
} args_command;

/* Runs the command that argv[1] names and returns its exit status. "help",
 * "--help" or "-h": help(stdout), 0. No command: help(stderr), ARGS_USAGE.
 * An unknown one: "PROG: unknown command 'X'", help(stderr), ARGS_USAGE. */
int args_dispatch(const char *prog, const args_command *cmds, int n_cmds,
                  void (*help)(FILE *), int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* RAM_APPS_ARGS_H */
