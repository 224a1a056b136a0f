#include "search_kernels.h"

#include <string.h>

// The plain loop: one sum per (query, kept row), components in order, each widened exactly.
void eg_search_scores_portable(const float *queries, int queryStride, int m, const uint32_t *keys, int blocks, int pairs,
                               float *scores, int ld) {
    const long blockWords = (long)pairs * 16;
    for (int b = 0; b < blocks; b++) {
        const uint32_t *block = keys + b * blockWords;
        for (int i = 0; i < m; i++) {
            const float *q = queries + (long)i * queryStride;
            for (int r = 0; r < 16; r++) {
                float acc = 0;
                for (int p = 0; p < pairs; p++) {
                    uint32_t w = block[p * 16 + r], lo = w << 16, hi = w & 0xFFFF0000u;
                    float even, odd;
                    memcpy(&even, &lo, 4);
                    memcpy(&odd, &hi, 4);
                    acc += q[2 * p] * even;
                    acc += q[2 * p + 1] * odd;
                }
                scores[(long)i * ld + b * 16 + r] = acc;
            }
        }
    }
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#define AMX __attribute__((target("amx-tile,amx-bf16")))
#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

// Linux (5.16+) hands out AMX's 8 KB tile state only to processes that ask for it.
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

int eg_search_cpu_features(void) {
    __builtin_cpu_init();
    int features = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) features |= 1;
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) d = 0;   // leaf 7 EDX: bit 22 AMX-BF16, bit 24 AMX-TILE
    int amxBF16 = (d >> 22) & 1, amxTile = (d >> 24) & 1;
#if defined(__linux__) && defined(SYS_arch_prctl)
    if (amxBF16 && amxTile && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0) features |= 2;
#else
    (void)amxBF16; (void)amxTile;   // other systems: no way to ask for the tile state here, AVX2 is used
#endif
    return features;
}

// Palette 1, every tile 16 rows of 64 bytes: C tiles 16 queries x 16 kept rows (float32), A tiles 16
// queries x 16 pairs, B tiles 16 pairs x 16 kept rows (a 1 KB slice of a block, rows 64 bytes apart).
struct TileConfig {
    uint8_t palette, startRow, reserved[14];
    uint16_t bytesPerRow[16];
    uint8_t rows[16];
};

// Per 32 components: 2 A loads, 2 B loads, 4 TDPBF16PS into 4 accumulating C tiles (32 queries x 32
// kept rows); tails use the same tiles, fewer of them. Tile numbers must be immediates, hence macros.
#define STEP2x2(QA, QB, KA, KB)                                                              \
    for (int p = 0; p < pairs; p += 16) {                                                    \
        _tile_loadd(4, (QA) + p, pairs * 4);                                                 \
        _tile_loadd(5, (QB) + p, pairs * 4);                                                 \
        _tile_loadd(6, (KA) + p * 16, 64);                                                   \
        _tile_loadd(7, (KB) + p * 16, 64);                                                   \
        _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7);                                    \
        _tile_dpbf16ps(2, 5, 6); _tile_dpbf16ps(3, 5, 7);                                    \
    }

AMX void eg_search_scores_amx(const uint32_t *queries, int m, const uint32_t *keys, int blocks, int pairs,
                              float *scores, int ld) {
    struct TileConfig config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) { config.rows[t] = 16; config.bytesPerRow[t] = 64; }
    _tile_loadconfig(&config);
    const long blockWords = (long)pairs * 16, stride = (long)ld * 4;
    const int groups = m / 16;
    for (int b = 0; b < blocks; b += 2) {
        const uint32_t *ka = keys + b * blockWords;
        const int two = b + 1 < blocks;
        const uint32_t *kb = two ? ka + blockWords : ka;   // one block left: its tile twice, stored once
        for (int g = 0; g < groups; g += 2) {
            const uint32_t *qa = queries + (long)g * 16 * pairs;
            const uint32_t *qb = g + 1 < groups ? qa + 16 * pairs : qa;
            float *s = scores + (long)g * 16 * ld + b * 16;
            _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
            STEP2x2(qa, qb, ka, kb)
            _tile_stored(0, s, stride);
            if (two) _tile_stored(1, s + 16, stride);
            if (g + 1 < groups) {
                _tile_stored(2, s + 16 * ld, stride);
                if (two) _tile_stored(3, s + 16 * ld + 16, stride);
            }
        }
    }
    _tile_release();
}

// A tile of MQ queries x one block: the block's pair words widened exactly (a bfloat16 is the top half
// of its float32: a shift or a mask), then one FMA per component and 8 rows. 8 accumulators, 4
// widened halves, 2 broadcasts: 14 of the 16 YMM.
INLINE AVX2 void tile_avx2(const float *q, int queryStride, const uint32_t *k, int pairs, float *s, int ld, const int MQ) {
    const __m256i high = _mm256_set1_epi32((int)0xFFFF0000u);
    __m256 acc[4][2];
    for (int i = 0; i < MQ; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int p = 0; p < pairs; p++) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(k + p * 16));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(k + p * 16 + 8));
        __m256 e0 = _mm256_castsi256_ps(_mm256_slli_epi32(x0, 16)), o0 = _mm256_castsi256_ps(_mm256_and_si256(x0, high));
        __m256 e1 = _mm256_castsi256_ps(_mm256_slli_epi32(x1, 16)), o1 = _mm256_castsi256_ps(_mm256_and_si256(x1, high));
        for (int i = 0; i < MQ; i++) {
            __m256 a = _mm256_broadcast_ss(q + (long)i * queryStride + 2 * p);
            __m256 c = _mm256_broadcast_ss(q + (long)i * queryStride + 2 * p + 1);
            acc[i][0] = _mm256_fmadd_ps(e0, a, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(e1, a, acc[i][1]);
            acc[i][0] = _mm256_fmadd_ps(o0, c, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(o1, c, acc[i][1]);
        }
    }
    for (int i = 0; i < MQ; i++) {
        _mm256_storeu_ps(s + (long)i * ld, acc[i][0]);
        _mm256_storeu_ps(s + (long)i * ld + 8, acc[i][1]);
    }
}

AVX2 void eg_search_scores_avx2(const float *queries, int queryStride, int m, const uint32_t *keys, int blocks, int pairs,
                                float *scores, int ld) {
    const long blockWords = (long)pairs * 16;
    for (int b = 0; b < blocks; b++) {
        const uint32_t *k = keys + b * blockWords;
        float *s = scores + b * 16;
        int i = 0;
        for (; i + 4 <= m; i += 4) tile_avx2(queries + (long)i * queryStride, queryStride, k, pairs, s + (long)i * ld, ld, 4);
        switch (m - i) {
        case 3: tile_avx2(queries + (long)i * queryStride, queryStride, k, pairs, s + (long)i * ld, ld, 3); break;
        case 2: tile_avx2(queries + (long)i * queryStride, queryStride, k, pairs, s + (long)i * ld, ld, 2); break;
        case 1: tile_avx2(queries + (long)i * queryStride, queryStride, k, pairs, s + (long)i * ld, ld, 1); break;
        default: break;
        }
    }
}

#else
// Not x86-64: no vector kernels, and the portable loop is used.
int eg_search_cpu_features(void) { return 0; }
void eg_search_scores_amx(const uint32_t *queries, int m, const uint32_t *keys, int blocks, int pairs, float *scores, int ld) {
    (void)queries; (void)m; (void)keys; (void)blocks; (void)pairs; (void)scores; (void)ld;
}
void eg_search_scores_avx2(const float *queries, int queryStride, int m, const uint32_t *keys, int blocks, int pairs,
                           float *scores, int ld) {
    eg_search_scores_portable(queries, queryStride, m, keys, blocks, pairs, scores, ld);
}
#endif
