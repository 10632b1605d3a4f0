// Pooling over windows of a sequence, per channel (Keras' MaxPooling1D / AveragePooling1D, channels last):
//   max:     y[t, c] = max_{k < P} x[t S + k, c]     backward: dx[t S + k*, c] += g[t, c], k* the first largest
//   average: y[t, c] = mean_{k < P} x[t S + k, c]    backward: dx[t S + k, c] += g[t, c] / P
//   x: [T, C]   y: [(T - P) / S + 1, C]   (valid windows only; S = P by default)
#pragma once

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

  /// The step of window t that a max pool takes: the first largest, as PyTorch.
  template <class S>
  static std::size_t largest(const S* x, std::size_t t, std::size_t ch) {
    std::size_t best = t * Stride;
    for (std::size_t k = 1; k < Pool; ++k)
      if (x[(t * Stride + k) * C + ch] > x[best * C + ch]) best = t * Stride + k;
    return best;
  }

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    for (std::size_t r = 0; r < rows<Ctx>; ++r) {
      const S* x = c.template value<X>() + r * T * C;
      S* y = c.template value<pool1d_node>() + r * out * C;
      for (std::size_t t = 0; t < out; ++t)
        for (std::size_t ch = 0; ch < C; ++ch) {
          if constexpr (is_max) {
            y[t * C + ch] = x[largest(x, t, ch) * C + ch];
          } else {
            S sum = 0;
            for (std::size_t k = 0; k < Pool; ++k) sum += x[(t * Stride + k) * C + ch];
            y[t * C + ch] = sum / S(Pool);
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
      for (std::size_t t = 0; t < out; ++t)
        for (std::size_t ch = 0; ch < C; ++ch) {
          if constexpr (is_max) {
            dx[largest(x, t, ch) * C + ch] += g[t * C + ch];
          } else {
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
