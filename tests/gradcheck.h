/* libram tests: the one central finite-difference gradient checker.
 *
 * Every gradient test (the networks' and the agent's) goes through
 * gc_check(). Typical use:
 *
 *     gc_result r = gc_check(params, grads, count, my_loss, &ctx,
 *                            1e-3, 400, 7, 1e-2);
 *     ck_assert_msg(r.max_rel_err < 1e-2, ...);
 *
 * where my_loss() recomputes the scalar loss (in double) at the current
 * values of params (or of an input array) and the analytic gradient was
 * produced by the library's backward pass before the call. */
#ifndef RAM_TESTS_GRADCHECK_H
#define RAM_TESTS_GRADCHECK_H

#include <stddef.h>
#include <stdint.h>

/** Loss at the current parameter/input values. */
typedef double (*gc_loss_fn)(void *ctx);

typedef struct gc_result {
    double max_rel_err;    /* largest relative error over the checked set */
    size_t worst_index;    /* index of that element in x */
    double worst_analytic; /* analytic[worst_index] */
    double worst_numeric;  /* its central-difference estimate */
    size_t checked;        /* number of elements checked */
} gc_result;

/** Central differences on x[0..n-1] (parameters or inputs), perturbing each
 *  checked element by +-eps (restored after), comparing with analytic[i].
 *  Checks all elements if n <= max_checks, else max_checks elements chosen
 *  by a seeded RNG (one per stratum of n/max_checks consecutive elements,
 *  so every region of x is visited). Relative error
 *  |a-b| / max(|a|+|b|, abs_floor). A non-finite loss counts as an
 *  infinite error. The step actually taken is the float-rounded one, so the
 *  difference quotient uses (x+eps) - (x-eps) as represented. An element
 *  whose error exceeds 1e-3 is measured again with eps/4 and keeps the
 *  better of the two: a ReLU kink inside the step spoils one step size, a
 *  wrong gradient disagrees at both. */
gc_result gc_check(float *x, const float *analytic, size_t n, gc_loss_fn loss,
                   void *ctx, double eps, size_t max_checks, uint64_t seed,
                   double abs_floor);

/** Small deterministic generator for test data (splitmix64). */
uint64_t gc_rand_next(uint64_t *state);
/** Uniform in [lo, hi). */
double gc_rand_uniform(uint64_t *state, double lo, double hi);
/** Fill x[0..n-1] uniformly in [lo, hi). */
void gc_fill(float *x, size_t n, uint64_t *state, double lo, double hi);

/** Fail the current Check test unless r.max_rel_err < tol (needs
 *  <check.h>); reports the worst element. */
#define GC_EXPECT(r, tol, what)                                              \
    gc_report((what), (r), (tol));                                           \
    ck_assert_msg((r).checked > 0 && (r).max_rel_err < (tol),                \
                  "%s: max rel err %g >= %g at index %zu (analytic %.9g, "   \
                  "numeric %.9g, %zu checked)",                              \
                  (what), (r).max_rel_err, (double)(tol), (r).worst_index,   \
                  (r).worst_analytic, (r).worst_numeric, (r).checked)

/** With GC_VERBOSE set in the environment, print one line about r to
 *  stderr (to see how much headroom a check has). */
void gc_report(const char *what, gc_result r, double tol);

/** 1 if the n floats at a all equal v (bitwise-equal comparison of
 *  values, for sentinel checks). */
int gc_all_equal(const float *a, size_t n, float v);

#endif /* RAM_TESTS_GRADCHECK_H */
