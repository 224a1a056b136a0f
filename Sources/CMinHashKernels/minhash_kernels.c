#include "minhash_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2")))

#define MERSENNE_61 ((1ULL << 61) - 1)

int eg_minhash_cpu_features(void) {
    __builtin_cpu_init();
    int features = 0;
    if (__builtin_cpu_supports("avx2")) features |= 1;
    if (__builtin_cpu_supports("avx512f")) features |= 2;
    return features;
}

// (a x + b) mod p for 61-bit a and x held in 64-bit lanes, with 32 x 32 -> 64-bit products (AVX has
// no 64 x 64 -> 128): a = ah 2^32 + al, x = xh 2^32 + xl (ah, xh < 2^29), so
//   a x = ah xh 2^64 + (ah xl + al xh) 2^32 + al xl,
// and modulo p = 2^61 - 1, 2^64 = 8 and t 2^32 = (t >> 29) + ((t mod 2^29) << 32). Every partial sum
// stays below 2^64 (four terms < 2^61, one < 2^33, one < 8); two folds and one conditional subtraction
// give the exact residue. `mul_epu32` reads the low 32 bits of each lane, so al and xl are a and x.

AVX512 static inline __m512i permute512(__m512i a, __m512i ah, __m512i b, __m512i x, __m512i xh) {
    const __m512i p = _mm512_set1_epi64((long long)MERSENNE_61);
    __m512i t0 = _mm512_mul_epu32(a, x);
    __m512i t1 = _mm512_add_epi64(_mm512_mul_epu32(ah, x), _mm512_mul_epu32(a, xh));
    __m512i t2 = _mm512_mul_epu32(ah, xh);
    __m512i s = _mm512_add_epi64(_mm512_and_si512(t0, p), _mm512_srli_epi64(t0, 61));
    s = _mm512_add_epi64(s, _mm512_srli_epi64(t1, 29));
    s = _mm512_add_epi64(s, _mm512_srli_epi64(_mm512_slli_epi64(t1, 35), 3));
    s = _mm512_add_epi64(s, _mm512_slli_epi64(t2, 3));
    s = _mm512_add_epi64(s, b);
    s = _mm512_add_epi64(_mm512_and_si512(s, p), _mm512_srli_epi64(s, 61));
    return _mm512_min_epu64(s, _mm512_sub_epi64(s, p));   // s - p wraps above 2^63 when s < p
}

AVX512 void eg_minhash_avx512(const uint64_t *shingles, int count, const uint64_t *a, const uint64_t *b,
                              int permutations, uint32_t *signature) {
    const __m512i initial = _mm512_set1_epi64((long long)MERSENNE_61);
    int i = 0;
    // 32 permutations per pass over the shingles: 12 registers of parameters, 4 accumulators.
    for (; i + 32 <= permutations; i += 32) {
        __m512i a0 = _mm512_loadu_si512(a + i), a1 = _mm512_loadu_si512(a + i + 8);
        __m512i a2 = _mm512_loadu_si512(a + i + 16), a3 = _mm512_loadu_si512(a + i + 24);
        __m512i h0 = _mm512_srli_epi64(a0, 32), h1 = _mm512_srli_epi64(a1, 32);
        __m512i h2 = _mm512_srli_epi64(a2, 32), h3 = _mm512_srli_epi64(a3, 32);
        __m512i b0 = _mm512_loadu_si512(b + i), b1 = _mm512_loadu_si512(b + i + 8);
        __m512i b2 = _mm512_loadu_si512(b + i + 16), b3 = _mm512_loadu_si512(b + i + 24);
        __m512i m0 = initial, m1 = initial, m2 = initial, m3 = initial;
        for (int s = 0; s < count; s++) {
            __m512i x = _mm512_set1_epi64((long long)shingles[s]);
            __m512i xh = _mm512_srli_epi64(x, 32);
            m0 = _mm512_min_epu64(m0, permute512(a0, h0, b0, x, xh));
            m1 = _mm512_min_epu64(m1, permute512(a1, h1, b1, x, xh));
            m2 = _mm512_min_epu64(m2, permute512(a2, h2, b2, x, xh));
            m3 = _mm512_min_epu64(m3, permute512(a3, h3, b3, x, xh));
        }
        _mm256_storeu_si256((__m256i *)(signature + i), _mm512_cvtepi64_epi32(m0));
        _mm256_storeu_si256((__m256i *)(signature + i + 8), _mm512_cvtepi64_epi32(m1));
        _mm256_storeu_si256((__m256i *)(signature + i + 16), _mm512_cvtepi64_epi32(m2));
        _mm256_storeu_si256((__m256i *)(signature + i + 24), _mm512_cvtepi64_epi32(m3));
    }
    for (; i < permutations; i += 8) {
        __m512i a0 = _mm512_loadu_si512(a + i), h0 = _mm512_srli_epi64(a0, 32), b0 = _mm512_loadu_si512(b + i);
        __m512i m0 = initial;
        for (int s = 0; s < count; s++) {
            __m512i x = _mm512_set1_epi64((long long)shingles[s]);
            m0 = _mm512_min_epu64(m0, permute512(a0, h0, b0, x, _mm512_srli_epi64(x, 32)));
        }
        _mm256_storeu_si256((__m256i *)(signature + i), _mm512_cvtepi64_epi32(m0));
    }
}

// AVX2 has no unsigned 64-bit min: every value here is below 2^62, so signed comparisons order them.
AVX2 static inline __m256i select_if_negative(__m256i mask, __m256i whenNegative, __m256i otherwise) {
    return _mm256_castpd_si256(_mm256_blendv_pd(_mm256_castsi256_pd(otherwise), _mm256_castsi256_pd(whenNegative),
                                                _mm256_castsi256_pd(mask)));
}

AVX2 static inline __m256i permute256(__m256i a, __m256i ah, __m256i b, __m256i x, __m256i xh) {
    const __m256i p = _mm256_set1_epi64x((long long)MERSENNE_61);
    __m256i t0 = _mm256_mul_epu32(a, x);
    __m256i t1 = _mm256_add_epi64(_mm256_mul_epu32(ah, x), _mm256_mul_epu32(a, xh));
    __m256i t2 = _mm256_mul_epu32(ah, xh);
    __m256i s = _mm256_add_epi64(_mm256_and_si256(t0, p), _mm256_srli_epi64(t0, 61));
    s = _mm256_add_epi64(s, _mm256_srli_epi64(t1, 29));
    s = _mm256_add_epi64(s, _mm256_srli_epi64(_mm256_slli_epi64(t1, 35), 3));
    s = _mm256_add_epi64(s, _mm256_slli_epi64(t2, 3));
    s = _mm256_add_epi64(s, b);
    s = _mm256_add_epi64(_mm256_and_si256(s, p), _mm256_srli_epi64(s, 61));
    __m256i reduced = _mm256_sub_epi64(s, p);
    return select_if_negative(reduced, s, reduced);
}

AVX2 static inline __m256i min256(__m256i x, __m256i y) {
    return _mm256_blendv_epi8(x, y, _mm256_cmpgt_epi64(x, y));
}

AVX2 static inline void store_low_halves(uint32_t *out, __m256i v) {
    const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    _mm_storeu_si128((__m128i *)out, _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(v, even)));
}

AVX2 void eg_minhash_avx2(const uint64_t *shingles, int count, const uint64_t *a, const uint64_t *b,
                          int permutations, uint32_t *signature) {
    const __m256i initial = _mm256_set1_epi64x((long long)MERSENNE_61);
    // 8 permutations per pass (16 registers: parameters, accumulators and temporaries).
    for (int i = 0; i < permutations; i += 8) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(a + i)), a1 = _mm256_loadu_si256((const __m256i *)(a + i + 4));
        __m256i h0 = _mm256_srli_epi64(a0, 32), h1 = _mm256_srli_epi64(a1, 32);
        __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + i)), b1 = _mm256_loadu_si256((const __m256i *)(b + i + 4));
        __m256i m0 = initial, m1 = initial;
        for (int s = 0; s < count; s++) {
            __m256i x = _mm256_set1_epi64x((long long)shingles[s]);
            __m256i xh = _mm256_srli_epi64(x, 32);
            m0 = min256(m0, permute256(a0, h0, b0, x, xh));
            m1 = min256(m1, permute256(a1, h1, b1, x, xh));
        }
        store_low_halves(signature + i, m0);
        store_low_halves(signature + i + 4, m1);
    }
}

#else
// Not x86-64: no vector kernels, and the Swift loop is used.
int eg_minhash_cpu_features(void) { return 0; }
void eg_minhash_avx512(const uint64_t *shingles, int count, const uint64_t *a, const uint64_t *b,
                       int permutations, uint32_t *signature) {
    (void)shingles; (void)count; (void)a; (void)b; (void)permutations; (void)signature;
}
void eg_minhash_avx2(const uint64_t *shingles, int count, const uint64_t *a, const uint64_t *b,
                     int permutations, uint32_t *signature) {
    (void)shingles; (void)count; (void)a; (void)b; (void)permutations; (void)signature;
}
#endif
