/*
 * rng.c - splitmix64: tiny, full-period, and defined only with 64-bit
 * integer arithmetic, so every machine draws the same numbers.
 */
#include "gen.h"

void rng_seed(gen_rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t rng_next(gen_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double rng_uniform(gen_rng *r)
{
    /* top 53 bits: exactly representable, so no rounding differences */
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double rng_range(gen_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_uniform(r);
}

uint64_t rng_below(gen_rng *r, uint64_t n)
{
    /* rejection sampling removes the modulo bias */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = rng_next(r);
    while (x >= limit);
    return x % n;
}
