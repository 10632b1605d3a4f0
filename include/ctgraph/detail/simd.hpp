// Vectors of the width this build targets (-march decides), as GCC's vector types:
// loads and stores of a compile-time count (masked with AVX-512, so a row's last,
// partial vector touches nothing past the row).
#pragma once

#include <cstddef>
#include <cstring>
#include <type_traits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace ctgraph::detail {

/// The vector width this build targets, in bytes (-march decides).
#if defined(__AVX512F__)
inline constexpr std::size_t vector_bytes = 64;
#elif defined(__AVX__)
inline constexpr std::size_t vector_bytes = 32;
#else
inline constexpr std::size_t vector_bytes = 16;
#endif

template <class S>
struct simd {
  static constexpr std::size_t lanes = vector_bytes / sizeof(S);
  typedef S type __attribute__((vector_size(vector_bytes)));

  /// The first `Count` values at p (the rest zero); with AVX-512, one masked load.
  template <std::size_t Count>
  static type load(const S* p) {
    type v;
    if constexpr (Count == lanes) {
      std::memcpy(&v, p, sizeof v);
#if defined(__AVX512F__)
    } else if constexpr (std::is_same_v<S, float>) {
      v = type(_mm512_maskz_loadu_ps(__mmask16((1u << Count) - 1), p));
    } else if constexpr (std::is_same_v<S, double>) {
      v = type(_mm512_maskz_loadu_pd(__mmask8((1u << Count) - 1), p));
#endif
    } else {
      v = type{};
      std::memcpy(&v, p, Count * sizeof(S));
    }
    return v;
  }
  /// Stores the first `Count` values of v at p, and nothing past them.
  template <std::size_t Count>
  static void store(S* p, const type& v) {
    if constexpr (Count == lanes) {
      std::memcpy(p, &v, sizeof v);
#if defined(__AVX512F__)
    } else if constexpr (std::is_same_v<S, float>) {
      _mm512_mask_storeu_ps(p, __mmask16((1u << Count) - 1), __m512(v));
    } else if constexpr (std::is_same_v<S, double>) {
      _mm512_mask_storeu_pd(p, __mmask8((1u << Count) - 1), __m512d(v));
#endif
    } else {
      std::memcpy(p, &v, Count * sizeof(S));
    }
  }
};

}  // namespace ctgraph::detail
