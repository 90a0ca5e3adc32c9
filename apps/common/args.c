/* The apps' option and number parsers: see args.h. */
#include "args.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ---- */

int num_long(const char *s, long lo, long hi, long *out)
{
    if (!s)
        return -1;
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno || end == s || *end || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

int num_u64(const char *s, uint64_t *out)
{
    if (!s || s[0] == '-')
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || x > UINT64_MAX)
        return -1;
    *out = (uint64_t)x;
    return 0;
}

int num_size(const char *s, size_t *out)
{
    uint64_t x;
    if (num_u64(s, &x) || x > SIZE_MAX)
        return -1;
    *out = (size_t)x;
    return 0;
}

int num_double_any(const char *s, double *out)
{
    if (!s)
        return -1;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || *end)
        return -1;
    *out = x;
    return 0;
}

int num_double(const char *s, double *out)
{
    double x;
    if (num_double_any(s, &x) || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

int num_count(const char *s, uint64_t *out)
{
    if (!s || *s == '-' || *s == '\0')
        return -1;
    char *end = NULL;
    errno = 0;
    double mult = 1;
    double v = strtod(s, &end);
    if (errno || end == s)
        return -1;
    if (*end == 'k' || *end == 'K')
        mult = 1e3, end++;
    else if (*end == 'm' || *end == 'M')
        mult = 1e6, end++;
    else if (*end == 'g' || *end == 'G')
        mult = 1e9, end++;
    if (*end != '\0' || !(v >= 0) || v * mult > 1.8e19)
        return -1;
    if (mult == 1 && !strpbrk(s, ".eE"))
        return num_u64(s, out); /* exact above 2^53 */
    *out = (uint64_t)llround(v * mult);
    return 0;
}

int num_count_int(const char *s, int lo, int hi, int *out)
{
    uint64_t v;
    if (num_count(s, &v) != 0 || lo < 0 || v < (uint64_t)lo ||
        v > (uint64_t)hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* ---- options ---- */

int args_usage_error(const args *a, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s %s: ", a->prog, a->cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s %s --help'.\n", a->prog, a->cmd);
    return ARGS_USAGE;
}

int args_parse(args *a, const char *prog, const char *cmd, int argc,
               char **argv, const arg_spec *specs, int n_specs, int max_pos,
               const char *too_many)
{
    memset(a, 0, sizeof *a);
    a->prog = prog;
    a->cmd = cmd;
    a->specs = specs;
    a->n_specs = n_specs;
    if (n_specs < 0 || n_specs > ARGS_MAX_SPECS) {
        fprintf(stderr, "%s %s: internal error: %d options\n", prog, cmd,
                n_specs);
        return ARGS_USAGE;
    }
    if (max_pos > ARGS_MAX_POS)
        max_pos = ARGS_MAX_POS;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)
            return 1;
        if (strncmp(s, "--", 2) != 0 || s[2] == '\0') {
            if (s[0] == '-' && s[1] != '\0')
                return args_usage_error(a, "unexpected argument '%s'", s);
            if (a->n_pos >= max_pos)
                return args_usage_error(
                    a, too_many ? too_many : "unexpected argument '%s'", s);
            a->pos[a->n_pos++] = s;
            continue;
        }
        const char *name = s + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int k = -1;
        for (int j = 0; j < n_specs; j++)
            if (strlen(specs[j].name) == len &&
                strncmp(specs[j].name, name, len) == 0)
                k = j;
        if (k < 0)
            return args_usage_error(a, "unknown option '%s'", s);
        if (!specs[k].has_arg) {
            if (eq)
                return args_usage_error(a, "option '%s' takes no value", s);
            a->val[k] = "";
        } else if (eq) {
            a->val[k] = eq + 1;
        } else if (i + 1 < argc) {
            a->val[k] = argv[++i];
        } else {
            return args_usage_error(a, "option '%s' needs a value", s);
        }
    }
    return 0;
}

int args_parse_cmd(args *a, const char *prog, const char *cmd, int argc,
                   char **argv, const arg_spec *specs, int n_specs,
                   int max_pos, const char *too_many, void (*help)(FILE *))
{
    int rc = args_parse(a, prog, cmd, argc, argv, specs, n_specs, max_pos,
                        too_many);
    if (rc == 1)
        help(stdout);
    return rc == 0 ? -1 : rc == 1 ? 0 : rc;
}

static int spec_index(const args *a, const char *name)
{
    for (int j = 0; j < a->n_specs; j++)
        if (strcmp(a->specs[j].name, name) == 0)
            return j;
    return -1;
}

const char *args_get(const args *a, const char *name)
{
    int k = spec_index(a, name);
    return k < 0 ? NULL : a->val[k];
}

int args_has(const args *a, const char *name)
{
    return args_get(a, name) != NULL;
}

/* "PROG CMD: --NAME 'V': WHAT" and the "Try" line. */
static int bad(const args *a, const char *name, const char *v,
               const char *what)
{
    fprintf(stderr, "%s %s: --%s '%s': %s\nTry '%s %s --help'.\n", a->prog,
            a->cmd, name, v, what, a->prog, a->cmd);
    return ARGS_USAGE;
}

int args_long(const args *a, const char *name, long lo, long hi, long *out)
{
    const char *v = args_get(a, name);
    if (!v)
        return 0;
    if (num_long(v, lo, hi, out) == 0)
        return 0;
    char what[96];
    snprintf(what, sizeof what, "expected an integer in %ld..%ld", lo, hi);
    return bad(a, name, v, what);
}

int args_int(const args *a, const char *name, int lo, int hi, int *out)
{
    long x;
    int rc = args_long(a, name, lo, hi, &x);
    if (rc == 0 && args_get(a, name))
        *out = (int)x;
    return rc;
}

int args_u64(const args *a, const char *name, uint64_t *out)
{
    const char *v = args_get(a, name);
    if (!v || num_u64(v, out) == 0)
        return 0;
    return bad(a, name, v, "expected a non-negative integer");
}

int args_double(const args *a, const char *name, double *out)
{
    const char *v = args_get(a, name);
    if (!v || num_double(v, out) == 0)
        return 0;
    return bad(a, name, v, "expected a number");
}

int args_double_in(const args *a, const char *name, double lo, double hi,
                   double *out)
{
    const char *v = args_get(a, name);
    double x;
    if (!v)
        return 0;
    if (num_double(v, &x) == 0 && x >= lo && x <= hi) {
        *out = x;
        return 0;
    }
    char what[96];
    snprintf(what, sizeof what, "expected a number in %g .. %g", lo, hi);
    return bad(a, name, v, what);
}

int args_count(const args *a, const char *name, uint64_t lo, uint64_t *out)
{
    const char *v = args_get(a, name);
    uint64_t x;
    if (!v)
        return 0;
    if (num_count(v, &x) == 0 && x >= lo) {
        *out = x;
        return 0;
    }
    char what[96];
    snprintf(what, sizeof what, "expected a count >= %" PRIu64
             " (such as 500k or 20M)", lo);
    return bad(a, name, v, what);
}

int args_count_int(const args *a, const char *name, int lo, int hi, int *out)
{
    const char *v = args_get(a, name);
    if (!v || num_count_int(v, lo, hi, out) == 0)
        return 0;
    char what[96];
    snprintf(what, sizeof what, "expected an integer in %d..%d", lo, hi);
    return bad(a, name, v, what);
}

/* ---- commands ---- */

int args_dispatch(const char *prog, const args_command *cmds, int n_cmds,
                  void (*help)(FILE *), int argc, char **argv)
{
    if (argc < 2) {
        help(stderr);
        return ARGS_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        help(stdout);
        return 0;
    }
    for (int i = 0; i < n_cmds; i++)
        if (strcmp(cmd, cmds[i].name) == 0)
            return cmds[i].run(argc - 2, argv + 2);
    fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
    help(stderr);
    return ARGS_USAGE;
}
