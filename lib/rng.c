/* libram: the per-handle random number generator (xoshiro256**). */
#include <math.h>

#include "internal.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void ram__rng_seed(ram_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t ram__rng_next(ram_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double ram__rng_uniform(ram_rng *rng)
{
    return (double)(ram__rng_next(rng) >> 11) * 0x1.0p-53;
}

double ram__rng_normal(ram_rng *rng)
{
    /* Box-Muller with u1 in (0, 1] so that log() is finite. */
    double u1 = 1.0 - ram__rng_uniform(rng);
    double u2 = ram__rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

float ram__rng_symmetric(ram_rng *rng, float a)
{
    return (float)((2.0 * ram__rng_uniform(rng) - 1.0) * a);
}
