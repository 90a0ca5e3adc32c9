/* Misuse tests generated from the API (issue 22). The list of functions
 * is lib/ram.map: every exported function must have an entry in the table
 * below, or `make check` fails (misuse_covers_every_export). Each entry is
 * a valid call on a fresh fixture and the kind of each argument; the
 * harness then calls the function once per argument with that argument
 * made bad: NULL for a pointer, 0 and RAM_MAX_ROWS + 1 (and SIZE_MAX) for
 * a row count, other sizes 0 and SIZE_MAX, -1, 0 and 1000 for a key or
 * enum, unknown bits for flags, NaN and infinities for a double, 0 for a
 * count that must not be 0. It checks the documented status class, that
 * a failing call changed nothing (a digest of every handle's observable
 * state and of every output buffer, compared bit for bit before and
 * after), and that the fixture is still usable: the valid call, made last,
 * returns RAM_OK. Argument kinds:
 *   h handle, NULL -> RAM_E_INVALID     p required pointer, NULL -> INVALID
 *   o optional pointer (NULL allowed)  n rows: 0, MAX_ROWS + 1 -> RANGE
 *   z another size (0, SIZE_MAX: any status, nothing changed on error)
 *   k key or enum: -1, 0, 1000 -> INVALID or RANGE
 *   f flags: unknown bits -> INVALID     d double: NaN, +-Inf -> not OK
 *   u count: 0 -> RANGE                  x not mutated (seeds, any value)
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ram/ram.h"

enum { N = 2, POOL = 4096, NF = 10, NI = 3 };

typedef struct fx {
    ram_config *cfg;
    ram_agent *agent;
    ram_sensor *sensor;
    ram_glimpse *glimpse;
    ram_core *core;
    ram_location *location;
    ram_action *action;
    ram_baseline *baseline;
    float f[NF][POOL];
    int i[NI][POOL];
    unsigned char img[N * 64];
    unsigned char model[1 << 16];
    size_t model_size;
    char path[64];
    /* Outputs of create-style calls and scalars. */
    void *out[4];
    size_t sz[8];
    int64_t i64[2];
    uint64_t u64;
    double dbl[4];
    int in[2];
    ptrdiff_t pd[2];
    size_t scratch; /* not in the digest: ram_agent_save's *size, which
                       RAM_E_BUFFER writes (documented) */
} fx;

/* The sizes: sensor g=4, k=2, C=1 (R = 32); glimpse 32 -> (6, 4) -> 8;
 * core RNN 8 -> 5; location, action (A = 3), baseline on 5. */
enum { R = 32, HG = 6, HL = 4, G = 8, HID = 5, A = 3 };

static fx *fx_new(int stage)
{
    fx *F = calloc(1, sizeof *F);
    ck_assert_ptr_nonnull(F);
    for (int k = 0; k < NF; k++)
        for (int j = 0; j < POOL; j++)
            F->f[k][j] = 0.1f + 0.01f * (float)(j % 7);
    /* Probabilities (rows of A summing to 1) and locations in [-1, 1]. */
    for (int j = 0; j < POOL; j++)
        F->f[1][j] = 1.0f / 3.0f, F->f[8][j] = 1.5f; /* f[8]: scales */
    for (int k = 0; k < NI; k++)
        for (int j = 0; j < POOL; j++)
            F->i[k][j] = j % 2;
    for (size_t j = 0; j < sizeof F->img; j++)
        F->img[j] = (unsigned char)(j * 7);
    snprintf(F->path, sizeof F->path, "%s/ram-misuse-%d.ram",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
             (int)getpid());
    ck_assert_int_eq(ram_config_create(&F->cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(F->cfg, RAM_CFG_PATCH, 4), RAM_OK);
    ck_assert_int_eq(ram_config_set(F->cfg, RAM_CFG_GLIMPSE_WHAT, HG), RAM_OK);
    ck_assert_int_eq(ram_config_set(F->cfg, RAM_CFG_GLIMPSE_WHERE, HL), RAM_OK);
    ck_assert_int_eq(ram_config_set(F->cfg, RAM_CFG_GLIMPSE_SIZE, G), RAM_OK);
    ck_assert_int_eq(ram_config_set(F->cfg, RAM_CFG_HIDDEN, HID), RAM_OK);
    ck_assert_int_eq(ram_config_set(F->cfg, RAM_CFG_ACTIONS, A), RAM_OK);
    ck_assert_int_eq(ram_config_set(F->cfg, RAM_CFG_MAX_STEPS, 3), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&F->agent, F->cfg), RAM_OK);
    ck_assert_int_eq(ram_agent_set_input(F->agent, RAM_PIXEL_U8, 8, 8, 8, 64),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_begin(F->agent, N, RAM_BEGIN_TRAIN), RAM_OK);
    ck_assert_int_eq(ram_agent_step(F->agent, F->img, sizeof F->img, NULL,
                                    NULL, NULL),
                     RAM_OK);
    if (stage >= 1) /* the episode ended: a gradient to update with */
        ck_assert_int_eq(ram_agent_end(F->agent, F->i[0]), RAM_OK);
    ck_assert_int_eq(ram_agent_save(F->agent, RAM_SAVE_OPTIMIZER, F->model,
                                    sizeof F->model, &F->model_size),
                     RAM_OK);
    ck_assert_int_eq(ram_agent_save_file(F->agent, 0, F->path), RAM_OK);
    ck_assert_int_eq(ram_sensor_create(&F->sensor, 4, 2, 1), RAM_OK);
    ck_assert_int_eq(ram_glimpse_create(&F->glimpse, R, HG, HL, G, 1), RAM_OK);
    ck_assert_int_eq(ram_core_create(&F->core, RAM_CORE_RNN, G, HID, 2),
                     RAM_OK);
    ck_assert_int_eq(ram_location_create(&F->location, HID, RAM_BOUND_TANH, 3),
                     RAM_OK);
    ck_assert_int_eq(ram_action_create(&F->action, HID, A, 4), RAM_OK);
    ck_assert_int_eq(ram_baseline_create(&F->baseline, HID), RAM_OK);
    return F;
}

static void fx_free(fx *F)
{
    ram_config_free(F->cfg);
    ram_agent_free(F->agent);
    ram_sensor_free(F->sensor);
    ram_glimpse_free(F->glimpse);
    ram_core_free(F->core);
    ram_location_free(F->location);
    ram_action_free(F->action);
    ram_baseline_free(F->baseline);
    /* Handles a create-style call returned. */
    unlink(F->path);
    free(F);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t j = 0; j < n; j++)
        h = (h ^ c[j]) * 0x100000001b3u;
    return h;
}

static uint64_t net_digest(uint64_t h, float *p, float *g, size_t n)
{
    h = fnv(h, p, n * sizeof(float));
    return g ? fnv(h, g, n * sizeof(float)) : h;
}

/* Every observable bit of every handle and every buffer. */
static uint64_t digest(fx *F)
{
    uint64_t h = 0xcbf29ce484222325u;
    static unsigned char buf[1 << 16];
    size_t size = 0;
    ram_agent_save(F->agent, RAM_SAVE_OPTIMIZER, buf, sizeof buf, &size);
    h = fnv(h, buf, size);
    float *p, *g;
    size_t n;
    ram_agent_params(F->agent, &p, &g, &n);
    h = net_digest(h, p, g, n);
    uint64_t u = 0;
    size_t b = 0;
    ram_agent_grad_samples(F->agent, &u);
    h = fnv(h, &u, sizeof u);
    if (ram_agent_batch(F->agent, &b) == RAM_OK) {
        float loc[2 * N];
        h = fnv(h, &b, sizeof b);
        ram_agent_location(F->agent, loc);
        h = fnv(h, loc, sizeof loc);
    }
    int fmt = 0;
    size_t geo[4] = {0};
    ram_agent_get_input(F->agent, &fmt, &geo[0], &geo[1], &geo[2], &geo[3]);
    h = fnv(h, &fmt, sizeof fmt);
    h = fnv(h, geo, sizeof geo);
    for (int k = 1; k <= 9; k++) {
        double v = 0;
        ram_agent_stat(F->agent, k, &v);
        h = fnv(h, &v, sizeof v);
    }
    for (int k = 1; k <= 17; k++) {
        int64_t v = 0;
        ram_config_get(F->cfg, k, &v);
        h = fnv(h, &v, sizeof v);
    }
    size_t s3[3];
    ram_sensor_shape(F->sensor, &s3[0], &s3[1], &s3[2]);
    h = fnv(h, s3, sizeof s3);
    ram_glimpse_params(F->glimpse, &p, &g, &n);
    h = net_digest(h, p, g, n);
    ram_core_params(F->core, &p, &g, &n);
    h = net_digest(h, p, g, n);
    ram_location_params(F->location, &p, &g, &n);
    h = net_digest(h, p, g, n);
    double sd;
    ram_location_get_std(F->location, &sd);
    h = fnv(h, &sd, sizeof sd);
    ram_action_params(F->action, &p, &g, &n);
    h = net_digest(h, p, g, n);
    ram_baseline_params(F->baseline, &p, &g, &n);
    h = net_digest(h, p, g, n);
    h = fnv(h, F->f, sizeof F->f);
    h = fnv(h, F->i, sizeof F->i);
    h = fnv(h, F->sz, sizeof F->sz);
    h = fnv(h, F->i64, sizeof F->i64);
    h = fnv(h, &F->u64, sizeof F->u64);
    h = fnv(h, F->dbl, sizeof F->dbl);
    h = fnv(h, F->in, sizeof F->in);
    h = fnv(h, F->pd, sizeof F->pd);
    h = fnv(h, F->out, sizeof F->out);
    return h;
}

/* Argument slots. */
#define PT(j) ((void *)(uintptr_t)a[j])
#define ZZ(j) ((size_t)a[j])
#define KK(j) ((int)(int64_t)a[j])
#define UU(j) ((uint64_t)a[j])
static double DD(const uint64_t *a, int j)
{
    double d;
    memcpy(&d, &a[j], sizeof d);
    return d;
}
#define D(j) DD(a, j)
static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}
#define P(x) ((uint64_t)(uintptr_t)(x))

typedef int (*call_fn)(fx *F, const uint64_t *a);
typedef void (*args_fn)(fx *F, uint64_t *a);

typedef struct entry {
    const char *name;
    const char *kinds;
    call_fn call;
    args_fn args;
    int stage; /* fixture: 0 in a training episode after one step; 1 ended */
} entry;

#define E(name, kinds, stage, call, ...)                                       \
    static int c_##name(fx *F, const uint64_t *a)                             \
    {                                                                          \
        (void)F;                                                               \
        return call;                                                           \
    }                                                                          \
    static void a_##name(fx *F, uint64_t *a)                                  \
    {                                                                          \
        (void)F;                                                               \
        const uint64_t v[] = {__VA_ARGS__};                                    \
        memcpy(a, v, sizeof v);                                                \
    }
#include "misuse_table.h"
#undef E

static const entry table[] = {
#define E(name, kinds, stage, call, ...) {#name, kinds, c_##name, a_##name, stage},
#include "misuse_table.h"
#undef E
};
enum { ENTRIES = sizeof table / sizeof table[0] };

/* Bad values for one argument kind; 0 terminates. expect: 'I' INVALID,
 * 'R' RANGE, 'X' INVALID or RANGE, 'N' not OK, '?' any. */
static int bad_values(char kind, uint64_t *v, char *expect)
{
    switch (kind) {
    case 'h':
    case 'p':
        v[0] = 0;
        expect[0] = 'I';
        return 1;
    case 'o':
        v[0] = 0;
        expect[0] = '?';
        return 1;
    case 'n':
        v[0] = 0;
        v[1] = (uint64_t)RAM_MAX_ROWS + 1;
        v[2] = SIZE_MAX;
        expect[0] = expect[1] = expect[2] = 'R';
        return 3;
    case 'z':
        v[0] = 0;
        v[1] = SIZE_MAX;
        v[2] = SIZE_MAX / 2 + 1;
        expect[0] = expect[1] = expect[2] = '?';
        return 3;
    case 'k':
        v[0] = (uint64_t)(int64_t)-1;
        v[1] = 0;
        v[2] = 1000;
        v[3] = (uint64_t)(int64_t)INT32_MIN;
        expect[0] = expect[1] = expect[2] = expect[3] = 'X';
        return 4;
    case 'f':
        v[0] = 0x80000000u;
        v[1] = 0xffffffffu;
        expect[0] = expect[1] = 'I';
        return 2;
    case 'd':
        v[0] = dbits(NAN);
        v[1] = dbits(INFINITY);
        v[2] = dbits(-INFINITY);
        expect[0] = expect[1] = expect[2] = 'N';
        return 3;
    case 'u':
        v[0] = 0;
        expect[0] = 'R';
        return 1;
    default:
        return 0;
    }
}

/* A create or load call that succeeded left a handle in out[0]. */
static void free_created(const char *name, fx *F)
{
    void *h = F->out[0];
    int made = strstr(name, "_create") || !strcmp(name, "ram_agent_load") ||
               !strcmp(name, "ram_agent_load_file");
    if (made && h) {
        if (!strncmp(name, "ram_config_", 11))
            ram_config_free(h);
        else if (!strncmp(name, "ram_agent_", 10))
            ram_agent_free(h);
        else if (!strncmp(name, "ram_sensor_", 11))
            ram_sensor_free(h);
        else if (!strncmp(name, "ram_glimpse_", 12))
            ram_glimpse_free(h);
        else if (!strncmp(name, "ram_core_", 9))
            ram_core_free(h);
        else if (!strncmp(name, "ram_location_", 13))
            ram_location_free(h);
        else if (!strncmp(name, "ram_action_", 11))
            ram_action_free(h);
        else if (!strncmp(name, "ram_baseline_", 13))
            ram_baseline_free(h);
    }
    for (int k = 0; k < 4; k++)
        F->out[k] = NULL;
}

static int calls_total;

static void run_entry(const entry *e, int *calls)
{
    size_t nargs = strlen(e->kinds);
    uint64_t good[16], a[16];
    for (size_t j = 0; j < nargs; j++) {
        uint64_t v[4];
        char expect[4];
        int nv = bad_values(e->kinds[j], v, expect);
        for (int q = 0; q < nv; q++) {
            fx *F = fx_new(e->stage);
            e->args(F, good);
            memcpy(a, good, sizeof a);
            a[j] = v[q];
            uint64_t before = digest(F);
            int rc = e->call(F, a);
            (*calls)++;
            ck_assert_msg(rc >= RAM_OK && rc <= RAM_E_UNSUPPORTED,
                          "%s arg %zu: status %d", e->name, j, rc);
            int ok = expect[q] == '?' ||
                     (expect[q] == 'I' && rc == RAM_E_INVALID) ||
                     (expect[q] == 'R' && rc == RAM_E_RANGE) ||
                     (expect[q] == 'X' &&
                      (rc == RAM_E_INVALID || rc == RAM_E_RANGE)) ||
                     (expect[q] == 'N' && rc != RAM_OK);
            ck_assert_msg(ok, "%s: argument %zu (%c) = 0x%llx: %s, expected %c",
                          e->name, j, e->kinds[j], (unsigned long long)v[q],
                          ram_status_name(rc), expect[q]);
            if (rc != RAM_OK) {
                ck_assert_msg(ram_last_error()[0] != '\0', "%s: no detail",
                              e->name);
                ck_assert_msg(digest(F) == before,
                              "%s: argument %zu = 0x%llx: %s changed the state",
                              e->name, j, (unsigned long long)v[q],
                              ram_status_name(rc));
            }
            free_created(e->name, F);
            fx_free(F);
        }
    }
    /* The valid call on a fresh fixture succeeds, and still does after a
     * bad call (the handle stays usable). */
    fx *F = fx_new(e->stage);
    e->args(F, good);
    memcpy(a, good, sizeof a);
    if (nargs > 0) {
        uint64_t v[4];
        char expect[4];
        int nv = bad_values(e->kinds[0], v, expect);
        if (nv > 0 && e->kinds[0] != 'o') {
            a[0] = v[0];
            e->call(F, a);
            (*calls)++;
            memcpy(a, good, sizeof a);
        }
    }
    int rc = e->call(F, a);
    (*calls)++;
    ck_assert_msg(rc == RAM_OK, "%s: the valid call: %s (%s)", e->name,
                  ram_status_name(rc), ram_last_error());
    free_created(e->name, F);
    fx_free(F);
}

START_TEST(misuse_every_function)
{
    int calls = 0;
    const entry *e = &table[_i];
    run_entry(e, &calls);
    calls_total += calls;
    if (getenv("RAM_TEST_VERBOSE"))
        fprintf(stderr, "misuse: %-28s %3d calls\n", e->name, calls);
}
END_TEST

/* The functions that return no status: NULL is harmless. */
START_TEST(misuse_no_status_functions)
{
    ram_action_free(NULL);
    ram_agent_free(NULL);
    ram_baseline_free(NULL);
    ram_config_free(NULL);
    ram_core_free(NULL);
    ram_glimpse_free(NULL);
    ram_location_free(NULL);
    ram_sensor_free(NULL);
    ck_assert_uint_eq(ram_sensor_output_size(NULL), 0);
    ck_assert_uint_eq(ram_core_tape_size(NULL), 0);
    ck_assert_uint_eq(ram_glimpse_tape_size(NULL), 0);
    const int st[] = {-1, 13, 1000, INT32_MIN, INT32_MAX};
    for (int k = 0; k < 5; k++) {
        ck_assert_ptr_nonnull(ram_strerror(st[k]));
        ck_assert_str_eq(ram_status_name(st[k]), "RAM_E_UNKNOWN");
    }
    ck_assert_ptr_nonnull(ram_last_error());
    ck_assert_uint_ne(ram_version_number(), 0);
    ck_assert_ptr_nonnull(ram_version_string());
}
END_TEST

/* Agent calls out of order: RAM_E_STATE (or RAM_E_UNSUPPORTED), nothing
 * changed. */
static void expect_state(fx *F, int rc, int want, const char *what)
{
    (void)F;
    ck_assert_msg(rc == want, "%s: %s, expected %s", what,
                  ram_status_name(rc), ram_status_name(want));
}

START_TEST(misuse_out_of_order)
{
    fx *F = fx_new(1); /* the training episode ended */
    ram_agent *a;
    ck_assert_int_eq(ram_agent_create(&a, F->cfg), RAM_OK);
    ram_agent *keep = F->agent;
    F->agent = a;
    float loc[2 * N];
    size_t b;
    int fmt;
    uint64_t d0 = digest(F);
    /* A fresh agent: no input, no episode, no gradient. */
    expect_state(F, ram_agent_get_input(a, &fmt, NULL, NULL, NULL, NULL),
                 RAM_E_STATE, "get_input before set_input");
    expect_state(F, ram_agent_batch(a, &b), RAM_E_STATE, "batch");
    expect_state(F, ram_agent_location(a, loc), RAM_E_STATE, "location");
    expect_state(F, ram_agent_step(a, F->img, sizeof F->img, NULL, NULL, NULL),
                 RAM_E_STATE, "step without begin");
    expect_state(F, ram_agent_reward(a, F->f[0]), RAM_E_STATE,
                 "reward without begin");
    expect_state(F, ram_agent_end(a, NULL), RAM_E_STATE, "end without begin");
    expect_state(F, ram_agent_update(a), RAM_E_STATE, "update without grad");
    ck_assert(digest(F) == d0);
    /* An episode, but no input described. */
    ck_assert_int_eq(ram_agent_begin(a, N, RAM_BEGIN_TRAIN), RAM_OK);
    d0 = digest(F);
    expect_state(F, ram_agent_step(a, F->img, sizeof F->img, NULL, NULL, NULL),
                 RAM_E_STATE, "step before set_input");
    expect_state(F, ram_agent_reward(a, F->f[0]), RAM_E_STATE,
                 "reward before a step");
    expect_state(F, ram_agent_end(a, NULL), RAM_E_STATE,
                 "end of a training episode with no step");
    ck_assert(digest(F) == d0);
    /* Past RAM_CFG_MAX_STEPS (3). */
    ck_assert_int_eq(ram_agent_set_input(a, RAM_PIXEL_U8, 8, 8, 8, 64), RAM_OK);
    for (int t = 0; t < 3; t++)
        ck_assert_int_eq(
            ram_agent_step(a, F->img, sizeof F->img, NULL, NULL, NULL), RAM_OK);
    d0 = digest(F);
    expect_state(F, ram_agent_step(a, F->img, sizeof F->img, NULL, NULL, NULL),
                 RAM_E_STATE, "a fourth step");
    ck_assert(digest(F) == d0);
    ck_assert_int_eq(ram_agent_end(a, NULL), RAM_OK);
    expect_state(F, ram_agent_end(a, NULL), RAM_E_STATE, "end twice");
    ck_assert_int_eq(ram_agent_update(a), RAM_OK);
    expect_state(F, ram_agent_update(a), RAM_E_STATE, "update twice");
    /* Inference-only: training calls are unsupported. */
    ram_agent *inf;
    ck_assert_int_eq(ram_agent_load(&inf, F->model, F->model_size,
                                    RAM_LOAD_INFERENCE),
                     RAM_OK);
    F->agent = inf;
    d0 = digest(F);
    expect_state(F, ram_agent_begin(inf, 1, RAM_BEGIN_TRAIN),
                 RAM_E_UNSUPPORTED, "train an inference agent");
    expect_state(F, ram_agent_update(inf), RAM_E_UNSUPPORTED, "update");
    expect_state(F, ram_agent_zero_grad(inf), RAM_E_UNSUPPORTED, "zero_grad");
    expect_state(F, ram_agent_set_grad_samples(inf, 1), RAM_E_UNSUPPORTED,
                 "set_grad_samples");
    size_t sz;
    expect_state(F, ram_agent_save(inf, RAM_SAVE_OPTIMIZER, NULL, 0, &sz),
                 RAM_E_UNSUPPORTED, "save the optimiser");
    ck_assert(digest(F) == d0);
    ram_agent_free(inf);
    ram_agent_free(a);
    F->agent = keep;
    fx_free(F);
}
END_TEST

/* The names a test covers: the table, plus the no-status functions. */
static const char *const no_status[] = {
    "ram_action_free",   "ram_agent_free",         "ram_baseline_free",
    "ram_config_free",   "ram_core_free",          "ram_glimpse_free",
    "ram_location_free", "ram_sensor_free",        "ram_sensor_output_size",
    "ram_core_tape_size", "ram_glimpse_tape_size", "ram_strerror",
    "ram_status_name",   "ram_last_error",         "ram_version_number",
    "ram_version_string"};

/* Every function of lib/ram.map has a misuse test. */
START_TEST(misuse_covers_every_export)
{
    FILE *f = fopen("lib/ram.map", "r");
    ck_assert_msg(f != NULL, "lib/ram.map (run from the source tree)");
    char line[256];
    int exports = 0, missing = 0;
    char missing_names[2048] = "";
    while (fgets(line, sizeof line, f)) {
        char name[128];
        if (sscanf(line, " %127[a-z0-9_];", name) != 1 ||
            strncmp(name, "ram_", 4) != 0)
            continue;
        exports++;
        int found = 0;
        for (int k = 0; k < ENTRIES && !found; k++)
            found = strcmp(table[k].name, name) == 0;
        for (size_t k = 0; k < sizeof no_status / sizeof *no_status && !found;
             k++)
            found = strcmp(no_status[k], name) == 0;
        if (!found) {
            missing++;
            strncat(missing_names, name,
                    sizeof missing_names - strlen(missing_names) - 2);
            strcat(missing_names, " ");
        }
    }
    fclose(f);
    ck_assert_int_gt(exports, 90);
    ck_assert_msg(missing == 0,
                  "%d exported function(s) without a misuse test in "
                  "tests/misuse_table.h: %s",
                  missing, missing_names);
}
END_TEST

Suite *suite_misuse(void)
{
    Suite *s = suite_create("misuse");
    TCase *tc = tcase_create("misuse");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, misuse_covers_every_export);
    tcase_add_test(tc, misuse_no_status_functions);
    tcase_add_test(tc, misuse_out_of_order);
    tcase_add_loop_test(tc, misuse_every_function, 0, ENTRIES);
    suite_add_tcase(s, tc);
    return s;
}
