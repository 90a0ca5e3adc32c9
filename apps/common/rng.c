/* Example-side RNG: xoshiro256** seeded by splitmix64. See rng.h. */
#include "rng.h"

#include <math.h>

uint64_t example_rng_mix(uint64_t z)
{
    z += UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = example_rng_mix(*x);
    *x += UINT64_C(0x9E3779B97F4A7C15);
    return z;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void example_rng_seed(example_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
    /* splitmix64 outputs are a bijection of distinct inputs, so the four
     * words cannot all be zero; keep the guard anyway. */
    if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
        rng->s[0] = 1;
}

void example_rng_seed_stream(example_rng *rng, uint64_t seed, uint64_t stream)
{
    /* Hash the seed, then hash (hash ^ stream): distinct streams of one seed
     * get unrelated starting points. */
    uint64_t x = seed;
    uint64_t h = splitmix64(&x);
    uint64_t y = h ^ stream;
    uint64_t h2 = splitmix64(&y);
    example_rng_seed(rng, h2 ^ rotl(h, 17));
}

uint64_t example_rng_next(example_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* 64x64 -> 128-bit multiply, portable. */
static void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
#if defined(__SIZEOF_INT128__)
    __extension__ unsigned __int128 p = (unsigned __int128)a * b;
    *hi = (uint64_t)(p >> 64);
    *lo = (uint64_t)p;
#else
    uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi;
    uint64_t p2 = a_hi * b_lo, p3 = a_hi * b_hi;
    uint64_t mid = (p0 >> 32) + (p1 & 0xFFFFFFFFu) + (p2 & 0xFFFFFFFFu);
    *lo = (mid << 32) | (p0 & 0xFFFFFFFFu);
    *hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
#endif
}

uint64_t example_rng_below(example_rng *rng, uint64_t n)
{
    if (n == 0)
        return 0;
    uint64_t hi, lo;
    mul64(example_rng_next(rng), n, &hi, &lo);
    if (lo < n) {
        /* threshold = 2^64 mod n; reject the low products below it. */
        const uint64_t threshold = (0 - n) % n;
        while (lo < threshold)
            mul64(example_rng_next(rng), n, &hi, &lo);
    }
    return hi;
}

uint64_t example_rng_below_mod(example_rng *rng, uint64_t n)
{
    if (n == 0)
        return 0;
    const uint64_t threshold = (0 - n) % n; /* 2^64 mod n */
    uint64_t r;
    do {
        r = example_rng_next(rng);
    } while (r < threshold);
    return r % n;
}

int example_rng_int_range(example_rng *rng, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)((int64_t)hi - (int64_t)lo) + 1;
    return (int)((int64_t)lo + (int64_t)example_rng_below(rng, span));
}

float example_rng_uniform(example_rng *rng)
{
    return (float)(example_rng_next(rng) >> 40) * (1.0f / 16777216.0f);
}

double example_rng_uniform_double(example_rng *rng)
{
    return (double)(example_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

float example_rng_normal(example_rng *rng)
{
    /* u1 in (0, 1] so log(u1) is finite. */
    double u1 = 1.0 - example_rng_uniform_double(rng);
    double u2 = example_rng_uniform_double(rng);
    const double two_pi = 6.28318530717958647692;
    return (float)(sqrt(-2.0 * log(u1)) * cos(two_pi * u2));
}
