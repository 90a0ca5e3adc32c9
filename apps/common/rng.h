/* Example-side random number generator (NOT the library's RNG).
 *
 * xoshiro256** (Blackman & Vigna, 2018), seeded through splitmix64. All
 * state lives in the example_rng struct: there is no global state, so any
 * number of generators can run in parallel, one per thread.
 *
 * Determinism: for a given seed (and stream) the sequence of values is the
 * same on every platform; the float/double helpers use only exact integer to
 * floating-point conversions, and example_rng_normal uses libm (log, sqrt,
 * cos), which is deterministic for a given libm but may differ in the last
 * bit between C libraries. */
#ifndef RAM_EXAMPLE_RNG_H
#define RAM_EXAMPLE_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct example_rng {
    uint64_t s[4];
} example_rng;

/* Seed from a 64-bit value (any value, including 0, is fine). */
void example_rng_seed(example_rng *rng, uint64_t seed);

/* Seed an independent stream: (seed, stream) pairs give unrelated
 * sequences. Used to give example i of a fixed set its own generator, so the
 * set does not depend on the order (or the threads) in which it is made. */
void example_rng_seed_stream(example_rng *rng, uint64_t seed, uint64_t stream);

/* splitmix64's output for state z (z + golden gamma, then its mixer): a
 * well-mixed 64-bit hash of z, for deriving seeds from numbers. */
uint64_t example_rng_mix(uint64_t z);

/* Next raw 64-bit output. */
uint64_t example_rng_next(example_rng *rng);

/* Uniform integer in [0, n), without modulo bias (Lemire's
 * multiply-and-reject method). Returns 0 when n == 0. */
uint64_t example_rng_below(example_rng *rng, uint64_t n);

/* Uniform integer in [0, n), n >= 1, by rejection and a remainder: draws
 * raw values until one is at least 2^64 mod n, returns it mod n (exactly
 * uniform; one draw nearly always). A different stream from
 * example_rng_below for the same state: the Catch games (game.c) draw with
 * this one, and their recorded runs and models depend on it. Returns 0 when
 * n == 0. */
uint64_t example_rng_below_mod(example_rng *rng, uint64_t n);

/* Uniform integer in [lo, hi] (inclusive). Returns lo when hi <= lo. */
int example_rng_int_range(example_rng *rng, int lo, int hi);

/* Uniform float in [0, 1), 24 random bits. */
float example_rng_uniform(example_rng *rng);

/* Uniform double in [0, 1), 53 random bits. */
double example_rng_uniform_double(example_rng *rng);

/* Standard normal N(0, 1) (Box-Muller; one value per call, none cached). */
float example_rng_normal(example_rng *rng);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_RNG_H */
