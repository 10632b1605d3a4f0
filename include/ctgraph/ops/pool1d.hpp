// Pooling over windows of a sequence, per channel (Keras' MaxPooling1D / AveragePooling1D, channels last):
//   max:     y[t, c] = max_{k < P} x[t S + k, c]     backward: dx[t S + k*, c] += g[t, c], k* the first largest
//   average: y[t, c] = mean_{k < P} x[t S + k, c]    backward: dx[t S + k, c] += g[t, c] / P
//   x: [T, C]   y: [(T - P) / S + 1, C]   (valid windows only; S = P by default)
#pragma once

#include <array>
#include <cstdint>
#include <type_traits>

#include "ctgraph/detail/simd.hpp"
#include "ctgraph/node.hpp"
#include "ctgraph/ops/reshape.hpp"

namespace ctgraph {

struct max_pool_kind {
  static constexpr std::string_view type_name = "MaxPooling1D";
};
struct average_pool_kind {
  static constexpr std::string_view type_name = "AveragePooling1D";
};

template <class Kind, std::size_t Pool, std::size_t Stride, node X>
struct pool1d_node {
  static constexpr std::size_t T = X::shape::dims[0], C = X::shape::dims[1];
  static constexpr std::size_t out = (T - Pool) / Stride + 1;
  static constexpr bool is_max = std::is_same_v<Kind, max_pool_kind>;
  using shape = ctgraph::shape<out, C>;
  using children = type_list<X>;
  static constexpr std::string_view type_name = Kind::type_name;
  static constexpr std::size_t flops = out * Pool * C;
  static constexpr std::size_t backward_flops = needs_grad<X> ? out * Pool * C : 0;
  template <class... Cs>
  using with_children = pool1d_node<Kind, Pool, Stride, Cs...>;

  template <class Ctx>
  static constexpr std::size_t rows = Ctx::template full<X>::size / (T * C);

  /// Window t's largest value of each channel (best) and its step (step), the first largest as
  /// PyTorch takes it: a vector of channels at a time, held in registers over the window's steps.
  /// (A channel at a time, with its step's index, was 37% of text_classifier's training step; the
  /// same over arrays of channels let g++ turn the selects into masked stores, 13%.)
  template <std::size_t First = 0, class S, class Step>
  static void largest(const S* x, std::size_t t, S* best, Step* step) {
    using lanes = detail::simd<S>;
    using vec = typename lanes::type;
    typedef Step steps __attribute__((vector_size(sizeof(vec))));
    constexpr std::size_t n = C - First < lanes::lanes ? C - First : lanes::lanes;
    const S* window = x + t * Stride * C + First;
    vec largest_value = lanes::template load<n>(window);
    steps largest_step = steps{} + Step(t * Stride);
    for (std::size_t k = 1; k < Pool; ++k) {
      const vec v = lanes::template load<n>(window + k * C);
      const auto larger = v > largest_value;  // NaN never is: a NaN first stays, as it did
      largest_value = larger ? v : largest_value;
      largest_step = larger ? steps{} + Step(t * Stride + k) : largest_step;
    }
    lanes::template store<n>(best + First, largest_value);
    for (std::size_t i = 0; i < n; ++i) step[First + i] = largest_step[i];
    if constexpr (First + n < C) largest<First + n>(x, t, best, step);
  }
  // An index as wide as the values, so that both run in the same lanes.
  template <class S>
  using step_index = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    for (std::size_t r = 0; r < rows<Ctx>; ++r) {
      const S* x = c.template value<X>() + r * T * C;
      S* y = c.template value<pool1d_node>() + r * out * C;
      for (std::size_t t = 0; t < out; ++t) {
        if constexpr (is_max) {
          std::array<step_index<S>, C> step;
          largest(x, t, y + t * C, step.data());
        } else {
          for (std::size_t ch = 0; ch < C; ++ch) {
            S sum = 0;
            for (std::size_t k = 0; k < Pool; ++k) sum += x[(t * Stride + k) * C + ch];
            y[t * C + ch] = sum / S(Pool);
          }
        }
      }
    }
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    for (std::size_t r = 0; r < rows<Ctx>; ++r) {
      const S* x = c.template value<X>() + r * T * C;
      const S* g = c.template grad<pool1d_node>() + r * out * C;
      S* dx = c.template grad<X>() + r * T * C;
      for (std::size_t t = 0; t < out; ++t) {
        if constexpr (is_max) {
          std::array<S, C> best;
          std::array<step_index<S>, C> step;
          largest(x, t, best.data(), step.data());
          for (std::size_t ch = 0; ch < C; ++ch) dx[step[ch] * C + ch] += g[t * C + ch];
        } else {
          for (std::size_t ch = 0; ch < C; ++ch)
            for (std::size_t k = 0; k < Pool; ++k) dx[(t * Stride + k) * C + ch] += g[t * C + ch] / S(Pool);
        }
      }
    }
  }
};

namespace detail {
template <std::size_t Pool, std::size_t Stride, class Shape>
struct check_pool {
  static_assert(Shape::rank == 2, "ctgraph: max_pool1d/average_pool1d<pool>(x): x must be a sequence [steps, channels]");
  static_assert(Shape::rank != 2 || Pool <= Shape::dims[0],
                "ctgraph: max_pool1d/average_pool1d<pool>(x): the window is longer than the sequence");
  static_assert(Pool > 0 && Stride > 0, "ctgraph: max_pool1d/average_pool1d<pool, stride>: both must be at least 1");
  static constexpr bool ok = Shape::rank == 2 && Pool <= Shape::dims[0] && Pool > 0 && Stride > 0;
};
}  // namespace detail

/// The largest value of each window of Pool steps, per channel: [T, C] -> [(T - Pool) / Stride + 1, C].
template <std::size_t Pool, std::size_t Stride = Pool, node X>
constexpr auto max_pool1d(X x) {
  if constexpr (detail::check_pool<Pool, Stride, typename X::shape>::ok)
    return pool1d_node<max_pool_kind, Pool, Stride, X>{};
  else
    return x;
}
/// The mean of each window of Pool steps, per channel.
template <std::size_t Pool, std::size_t Stride = Pool, node X>
constexpr auto average_pool1d(X x) {
  if constexpr (detail::check_pool<Pool, Stride, typename X::shape>::ok)
    return pool1d_node<average_pool_kind, Pool, Stride, X>{};
  else
    return x;
}
/// The largest value of each channel over the whole sequence: [T, C] -> [C] (Keras' GlobalMaxPooling1D).
template <node X>
constexpr auto global_max_pool1d(X x) {
  if constexpr (detail::check_pool<1, 1, typename X::shape>::ok)
    return reshape_node<shape<X::shape::dims[1]>, pool1d_node<max_pool_kind, X::shape::dims[0], 1, X>>{};
  else
    return x;
}
/// The mean of each channel over the whole sequence: [T, C] -> [C] (Keras' GlobalAveragePooling1D).
template <node X>
constexpr auto global_average_pool1d(X x) {
  if constexpr (detail::check_pool<1, 1, typename X::shape>::ok)
    return reshape_node<shape<X::shape::dims[1]>, pool1d_node<average_pool_kind, X::shape::dims[0], 1, X>>{};
  else
    return x;
}

}  // namespace ctgraph
