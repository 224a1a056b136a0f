#include "minilm_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))

int eg_minilm_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
}

static inline __mmask16 tail_mask(int remaining) {
    return remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1u);
}

/// exp(x) to about 1 ulp: Cephes' reduction by ln 2 (split in two constants) and degree-6 polynomial,
/// the same as the Swift fastExp, with fused multiply-adds and 2^n applied by scalef.
AVX512 static inline __m512 exp16(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.7f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    x = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    x = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), x);
    __m512 z = _mm512_mul_ps(x, x);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_fmadd_ps(y, z, _mm512_add_ps(x, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(y, n);
}

AVX512 float eg_minilm_exp_row_avx512(float *row, int count) {
    __m512 maxima = _mm512_set1_ps(-__builtin_inff());
    for (int i = 0; i < count; i += 16) {
        __mmask16 m = tail_mask(count - i);
        maxima = _mm512_mask_max_ps(maxima, m, maxima, _mm512_maskz_loadu_ps(m, row + i));
    }
    __m512 maximum = _mm512_set1_ps(_mm512_reduce_max_ps(maxima));
    __m512 sums = _mm512_setzero_ps();
    for (int i = 0; i < count; i += 16) {
        __mmask16 m = tail_mask(count - i);
        __m512 e = exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + i), maximum));
        _mm512_mask_storeu_ps(row + i, m, e);
        sums = _mm512_mask_add_ps(sums, m, sums, e);
    }
    return 1.0f / _mm512_reduce_add_ps(sums);
}

AVX512 void eg_minilm_bias_gelu_avx512(float *row, const float *bias, int count) {
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    for (int i = 0; i < count; i += 16) {
        __mmask16 m = tail_mask(count - i);
        __m512 x = _mm512_add_ps(_mm512_maskz_loadu_ps(m, row + i), _mm512_maskz_loadu_ps(m, bias + i));
        // erf(x / sqrt 2), Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7), as PyTorch's vectorized erf.
        __m512 v = _mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752440f));
        __m512 a = _mm512_abs_ps(v);
        __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(a, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f)));
        __m512 r = _mm512_set1_ps(1.061405429f);
        r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(-1.453152027f));
        r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(1.421413741f));
        r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(-0.284496736f));
        r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(0.254829592f));
        __m512 e = exp16(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(a, a)));
        __m512 y = _mm512_fnmadd_ps(_mm512_mul_ps(r, t), e, _mm512_set1_ps(1.0f));
        __m512 erf = _mm512_castsi512_ps(_mm512_or_epi32(_mm512_castps_si512(y),
                                                         _mm512_and_epi32(_mm512_castps_si512(v), sign)));
        __m512 g = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), _mm512_add_ps(erf, _mm512_set1_ps(1.0f)));
        _mm512_mask_storeu_ps(row + i, m, g);
    }
}

AVX512 void eg_minilm_layer_norm_avx512(float *row, int count, const float *weight, const float *bias, float epsilon) {
    __m512 sums = _mm512_setzero_ps();
    for (int i = 0; i < count; i += 16) {
        __mmask16 m = tail_mask(count - i);
        sums = _mm512_add_ps(sums, _mm512_maskz_loadu_ps(m, row + i));
    }
    float mean = _mm512_reduce_add_ps(sums) / (float)count;
    __m512 meanVector = _mm512_set1_ps(mean);
    __m512 squares = _mm512_setzero_ps();
    for (int i = 0; i < count; i += 16) {
        __mmask16 m = tail_mask(count - i);
        __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, row + i), meanVector);
        squares = _mm512_fmadd_ps(d, d, squares);
    }
    float variance = _mm512_reduce_add_ps(squares) / (float)count;
    __m512 inverse = _mm512_set1_ps(1.0f / __builtin_sqrtf(variance + epsilon));
    for (int i = 0; i < count; i += 16) {
        __mmask16 m = tail_mask(count - i);
        __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + i), meanVector), inverse);
        __m512 y = _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(m, weight + i), _mm512_maskz_loadu_ps(m, bias + i));
        _mm512_mask_storeu_ps(row + i, m, y);
    }
}

#else
// Not x86-64: never available, and the Swift kernels are used.
int eg_minilm_avx512_available(void) { return 0; }
float eg_minilm_exp_row_avx512(float *row, int count) { (void)row; (void)count; return 0; }
void eg_minilm_bias_gelu_avx512(float *row, const float *bias, int count) { (void)row; (void)bias; (void)count; }
void eg_minilm_layer_norm_avx512(float *row, int count, const float *weight, const float *bias, float epsilon) {
    (void)row; (void)count; (void)weight; (void)bias; (void)epsilon;
}
#endif
