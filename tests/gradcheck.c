/* libram tests: the central finite-difference gradient checker. */
#include "gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

uint64_t gc_rand_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

double gc_rand_uniform(uint64_t *state, double lo, double hi)
{
    double u = (double)(gc_rand_next(state) >> 11) * 0x1.0p-53;
    return lo + (hi - lo) * u;
}

void gc_fill(float *x, size_t n, uint64_t *state, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)gc_rand_uniform(state, lo, hi);
}

void gc_report(const char *what, gc_result r, double tol)
{
    if (!getenv("GC_VERBOSE"))
        return;
    fprintf(stderr,
            "gradcheck %-28s max rel err %.3g (tol %.3g) at %zu: analytic "
            "%.6g numeric %.6g, %zu checked\n",
            what, r.max_rel_err, tol, r.worst_index, r.worst_analytic,
            r.worst_numeric, r.checked);
}

int gc_all_equal(const float *a, size_t n, float v)
{
    for (size_t i = 0; i < n; i++)
        if (!(a[i] == v))
            return 0;
    return 1;
}

static double check_one(float *x, const float *analytic, size_t i,
                        gc_loss_fn loss, void *ctx, double eps,
                        double abs_floor, double *numeric)
{
    float orig = x[i];
    float xp = (float)((double)orig + eps);
    float xm = (float)((double)orig - eps);
    double lp, lm, a, b, den, err;

    x[i] = xp;
    lp = loss(ctx);
    x[i] = xm;
    lm = loss(ctx);
    x[i] = orig;

    b = (lp - lm) / ((double)xp - (double)xm);
    a = analytic[i];
    *numeric = b;
    if (!isfinite(a) || !isfinite(b))
        return INFINITY;
    den = fabs(a) + fabs(b);
    if (den < abs_floor)
        den = abs_floor;
    err = fabs(a - b) / den;
    return err;
}

gc_result gc_check(float *x, const float *analytic, size_t n, gc_loss_fn loss,
                   void *ctx, double eps, size_t max_checks, uint64_t seed,
                   double abs_floor)
{
    gc_result res = {0.0, 0, 0.0, 0.0, 0};
    uint64_t state = seed;
    size_t m;

    if (!x || !analytic || !loss || n == 0 || max_checks == 0)
        return res;
    m = n <= max_checks ? n : max_checks;
    for (size_t k = 0; k < m; k++) {
        size_t i;
        double num, err;
        if (m == n) {
            i = k;
        } else {
            /* Stratum k covers [k*n/m, (k+1)*n/m). */
            size_t lo = (size_t)((double)k * (double)n / (double)m);
            size_t hi = (size_t)((double)(k + 1) * (double)n / (double)m);
            if (hi <= lo)
                hi = lo + 1;
            if (hi > n)
                hi = n;
            i = lo + (size_t)(gc_rand_next(&state) % (uint64_t)(hi - lo));
        }
        err = check_one(x, analytic, i, loss, ctx, eps, abs_floor, &num);
        if (err > 1e-3) {
            /* A ReLU kink inside [x - eps, x + eps] spoils that difference
             * only; a wrong gradient disagrees at every step size. */
            double num2, err2 = check_one(x, analytic, i, loss, ctx, eps / 4,
                                          abs_floor, &num2);
            if (err2 < err) {
                err = err2;
                num = num2;
            }
        }
        if (res.checked == 0 || err > res.max_rel_err || isnan(err)) {
            res.max_rel_err = isnan(err) ? INFINITY : err;
            res.worst_index = i;
            res.worst_analytic = analytic[i];
            res.worst_numeric = num;
        }
        res.checked++;
    }
    return res;
}
