/* bench-checks: what the finite checks cost. `make bench-checks` builds
 * the library twice as shared objects, as it is and with the checks
 * compiled out (-DRAM_NO_FINITE_CHECKS), and this program loads both
 * (dlopen) and times them alternately, iteration by iteration, in the
 * same process: a training step at batch 100 (begin, 6 steps with
 * rewards, end, Adam update) and an inference step at batch 1, on the
 * paper's mnist28 RNN (the default configuration), in thread CPU time.
 * Prints the medians and the ratios (docs/reliability.md). Not a test.
 * usage: bench-checks LIB_CHECKED LIB_UNCHECKED [SECONDS] */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ram/ram.h"

typedef struct api {
    int (*config_create)(ram_config **);
    void (*config_free)(ram_config *);
    int (*create)(ram_agent **, const ram_config *);
    void (*free)(ram_agent *);
    int (*set_input)(ram_agent *, int, size_t, size_t, size_t, size_t);
    int (*begin)(ram_agent *, size_t, unsigned);
    int (*step)(ram_agent *, const void *, size_t, float *, float *, int *);
    int (*reward)(ram_agent *, const float *);
    int (*end)(ram_agent *, const int *);
    int (*update)(ram_agent *);
    ram_agent *agent;
} api;

static void *sym(void *h, const char *name)
{
    void *p = dlsym(h, name);
    if (!p) {
        fprintf(stderr, "bench-checks: %s: %s\n", name, dlerror());
        exit(1);
    }
    return p;
}

static void load(api *x, const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "bench-checks: %s\n", dlerror());
        exit(1);
    }
    *(void **)&x->config_create = sym(h, "ram_config_create");
    *(void **)&x->config_free = sym(h, "ram_config_free");
    *(void **)&x->create = sym(h, "ram_agent_create");
    *(void **)&x->free = sym(h, "ram_agent_free");
    *(void **)&x->set_input = sym(h, "ram_agent_set_input");
    *(void **)&x->begin = sym(h, "ram_agent_begin");
    *(void **)&x->step = sym(h, "ram_agent_step");
    *(void **)&x->reward = sym(h, "ram_agent_reward");
    *(void **)&x->end = sym(h, "ram_agent_end");
    *(void **)&x->update = sym(h, "ram_agent_update");
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

#define CK(call)                                                               \
    do {                                                                       \
        if ((call) != RAM_OK) {                                                \
            fprintf(stderr, "bench-checks: %s failed\n", #call);              \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

enum { B = 100, T = 6, W = 28, MAXN = 20000 };
static unsigned char img[B * W * W];
static int labels[B];
static float rewards[B], probs[10 * B];

static double train_step(api *x)
{
    double t0 = cpu();
    CK(x->begin(x->agent, B, RAM_BEGIN_TRAIN));
    for (int t = 0; t < T; t++) {
        CK(x->step(x->agent, img, sizeof img, NULL, t == T - 1 ? probs : NULL,
                   NULL));
        CK(x->reward(x->agent, rewards));
    }
    CK(x->end(x->agent, labels));
    CK(x->update(x->agent));
    return cpu() - t0;
}

static double infer_steps(api *x)
{
    CK(x->begin(x->agent, 1, 0));
    double t0 = cpu();
    for (int t = 0; t < T; t++)
        CK(x->step(x->agent, img, W * W, NULL, t == T - 1 ? probs : NULL,
                   NULL));
    double dt = (cpu() - t0) / T;
    CK(x->end(x->agent, NULL));
    return dt;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double tr[2][MAXN], st[2][MAXN];

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench-checks LIB_CHECKED LIB_UNCHECKED "
                        "[SECONDS]\n");
        return 2;
    }
    double seconds = argc > 3 ? atof(argv[3]) : 20.0;
    api x[2];
    for (int k = 0; k < 2; k++) {
        load(&x[k], argv[1 + k]);
        ram_config *cfg;
        CK(x[k].config_create(&cfg));
        CK(x[k].create(&x[k].agent, cfg)); /* the defaults: mnist28 */
        x[k].config_free(cfg);
        CK(x[k].set_input(x[k].agent, RAM_PIXEL_U8, W, W, W, W * W));
    }
    for (int i = 0; i < B * W * W; i++)
        img[i] = (unsigned char)((i * 2654435761u) >> 24);
    for (int b = 0; b < B; b++)
        labels[b] = b % 10, rewards[b] = (float)(b % 2);
    for (int k = 0; k < 2; k++) /* warm-up */
        train_step(&x[k]), infer_steps(&x[k]);
    /* Alternate, the order swapped every iteration. */
    int nt = 0, ns = 0;
    double start = cpu();
    while (cpu() - start < seconds / 2 && nt < MAXN) {
        int first = nt & 1;
        tr[first][nt] = train_step(&x[first]);
        tr[!first][nt] = train_step(&x[!first]);
        nt++;
    }
    start = cpu();
    while (cpu() - start < seconds / 2 && ns < MAXN) {
        int first = ns & 1;
        st[first][ns] = infer_steps(&x[first]);
        st[!first][ns] = infer_steps(&x[!first]);
        ns++;
    }
    double t_on = median(tr[0], nt), t_off = median(tr[1], nt);
    double s_on = median(st[0], ns), s_off = median(st[1], ns);
    printf("training step, batch 100 (%d pairs): %.3f ms checked, %.3f ms "
           "unchecked: %+.2f%% (limit +2%%)\n",
           nt, 1e3 * t_on, 1e3 * t_off, 100.0 * (t_on / t_off - 1.0));
    printf("inference step, batch 1 (%d pairs of %d steps): %.3f us checked, "
           "%.3f us unchecked: %+.2f%% (limit +5%%)\n",
           ns, T, 1e6 * s_on, 1e6 * s_off, 100.0 * (s_on / s_off - 1.0));
    for (int k = 0; k < 2; k++)
        x[k].free(x[k].agent);
    return 0;
}
