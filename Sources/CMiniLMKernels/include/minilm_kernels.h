#ifndef ENTROPYGUARD_MINILM_KERNELS_H
#define ENTROPYGUARD_MINILM_KERNELS_H

/// AVX-512 versions of the encoder's element-wise steps. SwiftPM builds for baseline x86-64, where
/// Swift's vectors lower to 4-wide SSE; these functions carry their own target attribute, so the
/// package needs no unsafe compiler flags, and run only when the CPU reports AVX-512F
/// (`eg_minilm_avx512_available`). Each row is processed the same way wherever it sits in a batch
/// (masked tails, fixed reduction order), so results do not depend on batch size or thread count.

/// 1 when this CPU (and the OS) can run the functions below.
int eg_minilm_avx512_available(void);

/// In place: row[i] = exp(row[i] - max(row)); returns 1 / sum of the new values.
float eg_minilm_exp_row_avx512(float *row, int count);

/// In place: row[i] = gelu(row[i] + bias[i]) in BERT's erf form, 0.5 x (1 + erf(x / sqrt 2)).
void eg_minilm_bias_gelu_avx512(float *row, const float *bias, int count);

/// In place LayerNorm: (x - mean) / sqrt(var + eps) * weight + bias, biased variance.
void eg_minilm_layer_norm_avx512(float *row, int count, const float *weight, const float *bias, float epsilon);

/* Asks for `bytes` bytes at `address` to be brought into the cache (one prefetch per 64-byte line),
   without waiting. A static model's text reads ~56 random 1 KB rows of a 31 MB table: the row loads
   were 63% of StaticEmbedder.embed's own time (perf annotate), so rows are fetched a few ahead. */
static inline void eg_minilm_prefetch(const void *address, int bytes) {
    const char *p = (const char *)address;
    for (int offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset, 0, 3);
}

#endif
