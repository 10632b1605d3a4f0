// Vectors of the width this build targets (-march decides), as GCC's vector types:
// loads and stores of a compile-time count (masked with AVX-512, so a row's last,
// partial vector touches nothing past the row).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

#if defined(__SSE2__)
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

/// Lanes [First, First + Bytes / size) of v, in a vector of Bytes (lanes past v repeat its last):
/// the low part of a register when First is 0, one shuffle otherwise.
template <std::size_t Bytes, std::size_t First = 0, class V>
inline auto lanes_at(const V& v) {
  typedef std::remove_cvref_t<decltype(v[0])> S;
  typedef S part __attribute__((vector_size(Bytes)));
  constexpr std::size_t lanes = sizeof(V) / sizeof(S);
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return part(__builtin_shufflevector(v, v, (First + I < lanes ? First + I : lanes - 1)...));
  }(std::make_index_sequence<Bytes / sizeof(S)>{});
}

/// Stores lanes [0, Count) of v at p in plain stores of the largest power-of-two runs of lanes
/// (for 10 floats: 8, then 2), none masked: on Zen 4 a masked store, and a load that meets it,
/// cost several times a plain one (softmax's backward pass over rows of 10: 2.5 times).
template <std::size_t Count, std::size_t First = 0, class V>
inline void store_lanes(void* p, const V& v) {
  constexpr std::size_t lanes = sizeof(V) / sizeof(v[0]), size = sizeof(v[0]);
  static_assert(First + Count <= lanes, "ctgraph: internal: storing lanes past the vector");
  if constexpr (Count > 0) {
    constexpr std::size_t run = std::bit_floor(Count);
    const auto part = lanes_at<run * size < 16 ? 16 : run * size, First>(v);
    std::memcpy(static_cast<char*>(p) + First * size, &part, run * size);
    store_lanes<Count - run, First + run>(p, v);
  }
}

/// Vectors of Bytes bytes (the build's width by default; 16 or 32 for a narrower tail, which costs
/// half or a quarter of a 512-bit operation on a core that runs those as two 256-bit halves).
template <class S, std::size_t Bytes = vector_bytes>
struct simd {
  static_assert(Bytes == 16 || Bytes == 32 || Bytes == 64, "ctgraph: internal: vectors of 16, 32 or 64 bytes");
  static constexpr std::size_t lanes = Bytes / sizeof(S);
  typedef S type __attribute__((vector_size(Bytes)));

  /// The first `Count` values at p (the rest zero); with AVX-512, one masked load.
  template <std::size_t Count>
  static type load(const S* p) {
    static_assert(Count >= 1 && Count <= lanes);
    type v;
    if constexpr (Count == lanes) {
      std::memcpy(&v, p, sizeof v);
#if defined(__AVX512F__)
    } else if constexpr (std::is_same_v<S, float> && Bytes == 64) {
      v = type(_mm512_maskz_loadu_ps(__mmask16((1u << Count) - 1), p));
    } else if constexpr (std::is_same_v<S, double> && Bytes == 64) {
      v = type(_mm512_maskz_loadu_pd(__mmask8((1u << Count) - 1), p));
#endif
#if defined(__AVX512VL__)
    } else if constexpr (std::is_same_v<S, float> && Bytes == 32) {
      v = type(_mm256_maskz_loadu_ps(__mmask8((1u << Count) - 1), p));
    } else if constexpr (std::is_same_v<S, float> && Bytes == 16) {
      v = type(_mm_maskz_loadu_ps(__mmask8((1u << Count) - 1), p));
    } else if constexpr (std::is_same_v<S, double> && Bytes == 32) {
      v = type(_mm256_maskz_loadu_pd(__mmask8((1u << Count) - 1), p));
    } else if constexpr (std::is_same_v<S, double> && Bytes == 16) {
      v = type(_mm_maskz_loadu_pd(__mmask8((1u << Count) - 1), p));
#endif
    } else {
      v = type{};
      std::memcpy(&v, p, Count * sizeof(S));
    }
    return v;
  }
  /// Stores the first `Count` values of v at p, and nothing past them: from a 512-bit vector in
  /// plain stores (store_lanes), from a narrower one with a mask (AVX-512) or a copy. (Plain stores
  /// of a 256- or 128-bit vector's 6 or 3 floats made digits_attention's step 3.5% slower.)
  template <std::size_t Count>
  static void store(S* p, const type& v) {
    static_assert(Count >= 1 && Count <= lanes);
    if constexpr (Count == lanes) {
      std::memcpy(p, &v, sizeof v);
    } else if constexpr (Bytes == 64) {
      store_lanes<Count>(p, v);
#if defined(__AVX512VL__)
    } else if constexpr (std::is_same_v<S, float> && Bytes == 32) {
      _mm256_mask_storeu_ps(p, __mmask8((1u << Count) - 1), __m256(v));
    } else if constexpr (std::is_same_v<S, float> && Bytes == 16) {
      _mm_mask_storeu_ps(p, __mmask8((1u << Count) - 1), __m128(v));
    } else if constexpr (std::is_same_v<S, double> && Bytes == 32) {
      _mm256_mask_storeu_pd(p, __mmask8((1u << Count) - 1), __m256d(v));
    } else if constexpr (std::is_same_v<S, double> && Bytes == 16) {
      _mm_mask_storeu_pd(p, __mmask8((1u << Count) - 1), __m128d(v));
#endif
    } else {
      std::memcpy(p, &v, Count * sizeof(S));
    }
  }

  /// The first `count` values at p, count < lanes known only at run time, the rest zero: one
  /// masked load with AVX-512, else a copy lane by lane (memcpy of a run-time size is a call).
  static type load_first(const S* p, std::size_t count) {
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<S, float> && Bytes == 64)
      return type(_mm512_maskz_loadu_ps(__mmask16((1u << count) - 1), p));
    else if constexpr (std::is_same_v<S, double> && Bytes == 64)
      return type(_mm512_maskz_loadu_pd(__mmask8((1u << count) - 1), p));
#endif
    type v{};
    for (std::size_t i = 0; i < count; ++i) v[i] = p[i];
    return v;
  }
  /// Stores the first `count` lanes of v at p (count < lanes, at run time), and nothing past them.
  static void store_first(S* p, const type& v, std::size_t count) {
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<S, float> && Bytes == 64)
      return _mm512_mask_storeu_ps(p, __mmask16((1u << count) - 1), __m512(v));
    else if constexpr (std::is_same_v<S, double> && Bytes == 64)
      return _mm512_mask_storeu_pd(p, __mmask8((1u << count) - 1), __m512d(v));
#endif
    for (std::size_t i = 0; i < count; ++i) p[i] = v[i];
  }
};

/// The narrowest vector (16, 32 or the build's bytes) that holds Count values of S.
template <class S, std::size_t Count>
inline constexpr std::size_t bytes_for = [] {
  std::size_t bytes = vector_bytes;
  while (bytes > 16 && Count * sizeof(S) <= bytes / 2) bytes /= 2;
  return bytes;
}();

/// The square root of every lane of a vector (one instruction on x86), or of a scalar. A loop of
/// std::sqrt vectorizes only where the build sets -fno-math-errno (sqrt of a negative number sets
/// errno, so the compiler keeps each one scalar with a branch to libm), which a user's build seldom
/// does: Adam's update ran 8 times slower in one (attention_column's 3,233 parameters: 7.6 against
/// 0.97 us; its training step took 2.08 s for 100,000 steps against 1.29 s).
template <class V>
inline V sqrt_lanes(V x) {
  if constexpr (std::is_arithmetic_v<V>) {
    return std::sqrt(x);
  } else {
    using S = std::remove_cvref_t<decltype(x[0])>;
    constexpr bool is_float = std::is_same_v<S, float>;
    static_assert(is_float || std::is_same_v<S, double>, "ctgraph: internal: sqrt_lanes of float or double");
#if defined(__AVX512F__)
    if constexpr (sizeof(V) == 64) {
      // The masked forms with every lane set: GCC 12 warns of the plain ones' undefined source.
      if constexpr (is_float) return V(_mm512_mask_sqrt_ps(__m512(x), __mmask16(0xffff), __m512(x)));
      else return V(_mm512_mask_sqrt_pd(__m512d(x), __mmask8(0xff), __m512d(x)));
    }
#endif
#if defined(__AVX__)
    if constexpr (sizeof(V) == 32) {
      if constexpr (is_float) return V(_mm256_sqrt_ps(__m256(x)));
      else return V(_mm256_sqrt_pd(__m256d(x)));
    }
#endif
#if defined(__SSE2__)
    if constexpr (sizeof(V) == 16) {
      if constexpr (is_float) return V(_mm_sqrt_ps(__m128(x)));
      else return V(_mm_sqrt_pd(__m128d(x)));
    }
#endif
    for (std::size_t i = 0; i < sizeof(V) / sizeof(S); ++i) x[i] = std::sqrt(x[i]);
    return x;
  }
}

}  // namespace ctgraph::detail
