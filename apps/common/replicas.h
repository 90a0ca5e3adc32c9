/* Data-parallel replicas of one agent, driven by the host (example-side:
 * libram itself owns no thread).
 *
 * Replica 0 IS the master agent; the others are copies made with
 * ram_agent_save()/ram_agent_load() (parameters, configuration and tunables,
 * no optimiser state). A batch is cut into one contiguous slice per replica;
 * each replica runs its slice on its own thread (the caller's thread runs
 * replica 0), and replicas_update() combines the gradients into the master,
 * applies the optimiser there and copies the new parameters back out.
 *
 * Typical training step:
 *
 *     replicas_run(r, batch, train_slice, &job);  // begin, steps, end
 *     replicas_update(r);
 *
 * Equivalence: ram_agent_end() sums over its own batch B_i and counts B_i
 * samples (libram 0.2), so the combined gradient is sum_i grad_i with the
 * count sum_i B_i = B, and the update divides: the gradient of one agent
 * ending an episode over the whole batch B (up to float rounding and the
 * different sampling streams). Several replicas_run() calls before one
 * replicas_update() accumulate, as several ram_agent_end() calls would.
 *
 * Threads: the workers are started by replicas_create() and sleep between
 * runs. The object is not thread-safe: one host thread calls replicas_*.
 * With more than one replica the BLAS should run one thread per call
 * (replicas_blas_single_thread()), or the replicas and the BLAS threads
 * compete for the same cores. */
#ifndef RAM_EXAMPLE_REPLICAS_H
#define RAM_EXAMPLE_REPLICAS_H

#include <stddef.h>
#include <stdint.h>

#include "ram/ram.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct replicas replicas;

/* n >= 1 replicas of `master` (not owned; it must outlive the replicas).
 * Replicas 1..n-1 are reseeded with ram_agent_seed(seed_base + i) so that
 * their sampling streams differ; the master's stream is left alone (n = 1
 * behaves exactly like the master alone). Starts n - 1 worker threads
 * and runs replicas_blas_warm_up() on all n threads.
 * Returns a RAM_* status: RAM_E_INVALID (NULL, n < 1), RAM_E_NOMEM, or a
 * ram_agent_save/ram_agent_load error. The observation layout is not
 * copied: call replicas_set_input() (or ram_agent_set_input on every
 * replicas_agent()) before running steps. */
int replicas_create(ram_agent *master, int n, uint64_t seed_base,
                    replicas **out);

/* Number of replicas (0 for NULL). */
int replicas_count(const replicas *r);

/* Replica i (0 = the master), or NULL if i is out of range. */
ram_agent *replicas_agent(replicas *r, int i);

/* ram_agent_set_input() on every replica; the first error is returned. */
int replicas_set_input(replicas *r, int format, size_t width, size_t height,
                       size_t row_stride, size_t image_stride);

/* Called on each replica's thread with its slice [lo, hi) of [0, batch). */
typedef int (*replica_fn)(ram_agent *agent, int index, size_t lo, size_t hi,
                          void *user);

/* Copies the master's tunables to the replicas, then calls
 * fn(agent_i, i, lo_i, hi_i, user) for every replica with a non-empty slice,
 * in parallel (the calling thread runs replica 0), and waits for all.
 * Slices are contiguous and as equal as possible, the larger ones first, so
 * replica 0 always gets one when batch >= 1. Returns the non-zero return of
 * fn with the lowest replica index, or 0; RAM_E_INVALID for NULL r or fn or
 * batch 0. */
int replicas_run(replicas *r, size_t batch, replica_fn fn, void *user);

/* Adds every replica's gradient sums into the master's, and their sample
 * counts into the master's count (ram_agent_set_grad_samples), applies
 * ram_agent_update(master),
 * copies the master's parameters and tunables to the other replicas and
 * zeroes their gradients. Returns ram_agent_update()'s status (on failure
 * the combined gradient stays in the master, as ram_agent_update leaves it,
 * and the replicas' parameters are unchanged). */
int replicas_update(replicas *r);

/* A figure (RAM_STAT_*) of the last run: the mean over the replicas that
 * ran, weighted by slice size. RAM_STAT_UPDATES and RAM_STAT_GRAD_NORM come
 * from the master. Returns a RAM_* status. */
int replicas_stat_mean(replicas *r, int key, double *value);

/* Stops the workers and frees the copies; the master is left alone. NULL is
 * a no-op. */
void replicas_free(replicas *r);

/* Asks the BLAS for one thread per call, through whichever of
 * openblas_set_num_threads, bli_thread_set_num_threads,
 * mkl_set_num_threads and omp_set_num_threads the program is linked with.
 * Returns a short description of what it did (static storage). */
const char *replicas_blas_single_thread(void);

/* The same with any thread count (n >= 1); used by the bench to compare
 * BLAS threads with replicas. */
const char *replicas_blas_threads(int n);

/* One throw-away cblas_sgemm of [1024 x 512] x [512 x 1024] on the calling
 * thread (about 1 GFLOP, 8 MB allocated and freed), so that the BLAS has
 * written its whole packing buffer before the timed work starts.
 * replicas_create() runs it on every replica's thread at once.
 *
 * Why: OpenBLAS 0.3.21's Zen sgemm kernel prefetches ahead into parts of
 * its packing buffer that products with at most 320 output columns never
 * write. While those pages have never been touched in the process, every
 * such prefetch costs a page walk (in a VM, a nested one), and those
 * products ran at a third of their speed: 7-10 instead of 26-35 GFLOP/s
 * for [100 x 256] x [256 x 256]^T (docs/performance.md). Harmless with any
 * other provider. Returns RAM_OK, or RAM_E_NOMEM (nothing was run). */
int replicas_blas_warm_up(void);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_REPLICAS_H */
