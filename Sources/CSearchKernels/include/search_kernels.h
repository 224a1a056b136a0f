#ifndef ENTROPYGUARD_SEARCH_KERNELS_H
#define ENTROPYGUARD_SEARCH_KERNELS_H

#include <stdint.h>

/// Scores of query rows against the IVF's kept rows, which are held as bfloat16 in blocks of 16 rows,
/// interleaved by pairs of components: in a block, the 32-bit word (p * 16 + r) holds components 2p
/// (low half) and 2p + 1 (high half) of the block's row r. A block is `pairs * 16` words (`pairs` a
/// multiple of 16, zero-padded); rows past a list's end are zero. This is the layout AMX's TDPBF16PS
/// reads as its second operand (16 pairs x 16 rows per 1 KB tile), and the AVX2 kernel widens a pair
/// of 8 rows with one shift and one mask, so no kept row is ever widened or repacked in memory.
///
/// scores[i * ld + b * 16 + r] = the dot product of query i with row r of block b, for i < m, b < blocks.
/// The summation order and rounding differ by kernel; the search bounds their error
/// (Search/CompactVector.swift). SwiftPM builds for baseline x86-64; each kernel carries its own
/// target attribute, so the package needs no unsafe flags, and runs only when the CPU (and, for AMX,
/// the kernel) allows it (`eg_search_cpu_features`).

/// Bit 0: AVX2 and FMA; bit 1: AMX-BF16 usable (the CPU has AMX-TILE and AMX-BF16 and Linux granted
/// this process the tile data state, arch_prctl ARCH_REQ_XCOMP_PERM).
int eg_search_cpu_features(void);

/// AMX-BF16. Queries as bfloat16 pairs (the same packing as a row of a block: word p holds components
/// 2p and 2p + 1), row stride `pairs` words, `m` a multiple of 16 (callers pad with zero rows).
/// Products of bfloat16 are exact in float32; sums are rounded to nearest even in an order the
/// hardware chooses; denormal inputs are read as zero and denormal results flushed to zero (the
/// caller's rounding to bfloat16 flushes denormal inputs itself).
void eg_search_scores_amx(const uint32_t *queries, int m, const uint32_t *keys, int blocks, int pairs,
                          float *scores, int ld);

/// AVX2 + FMA. Queries as float32, row stride `queryStride` floats (>= 2 * pairs, zero-padded). Each
/// kept component is widened exactly, then fused multiply-adds, components in order.
void eg_search_scores_avx2(const float *queries, int queryStride, int m, const uint32_t *keys, int blocks, int pairs,
                           float *scores, int ld);

/// The same in plain C (any CPU).
void eg_search_scores_portable(const float *queries, int queryStride, int m, const uint32_t *keys, int blocks, int pairs,
                               float *scores, int ld);

#endif
