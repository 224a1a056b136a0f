#ifndef ENTROPYGUARD_MINHASH_KERNELS_H
#define ENTROPYGUARD_MINHASH_KERNELS_H

#include <stdint.h>

/// MinHash permutations, vectorised. For each permutation i and each shingle hash x (already reduced
/// modulo the Mersenne prime p = 2^61 - 1), h_i(x) = (a_i x + b_i) mod p, computed exactly; the
/// signature entry is the low 32 bits of the minimum over the shingles. The result is a mathematical
/// function of the inputs, so every implementation (these and the portable Swift one) gives the same
/// bits. SwiftPM builds for baseline x86-64; each function carries its own target attribute, so the
/// package needs no unsafe flags, and runs only when the CPU reports the feature
/// (`eg_minhash_cpu_features`).
///
/// a, b: `permutations` values each, all < p, a_i >= 1. `permutations` must be a multiple of 8
/// (callers pad). shingles: `count` >= 1 values < p. signature: `permutations` outputs.

/// Bit 0: AVX2 (with the OS saving YMM state), bit 1: AVX-512F.
int eg_minhash_cpu_features(void);

void eg_minhash_avx512(const uint64_t *shingles, int count, const uint64_t *a, const uint64_t *b,
                       int permutations, uint32_t *signature);

void eg_minhash_avx2(const uint64_t *shingles, int count, const uint64_t *a, const uint64_t *b,
                     int permutations, uint32_t *signature);

#endif
