// Compile-time shapes of one sample, and numpy's broadcasting rule over them.
// The batch is not part of a node's shape; an executor prepends it.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <utility>

namespace ctgraph {

template <std::size_t... Dims>
struct shape {
  static constexpr std::size_t rank = sizeof...(Dims);
  static constexpr std::size_t size = (std::size_t{1} * ... * Dims);
  static constexpr std::array<std::size_t, rank> dims{Dims...};

  static constexpr std::size_t front() requires(rank > 0) { return dims[0]; }
  static constexpr std::size_t back() requires(rank > 0) { return dims[rank - 1]; }
  /// Dimension I counted from the back: dim_from_back(0) == back().
  static constexpr std::size_t dim_from_back(std::size_t i) { return i < rank ? dims[rank - 1 - i] : 1; }
};

template <class T>
inline constexpr bool is_shape = false;
template <std::size_t... Dims>
inline constexpr bool is_shape<shape<Dims...>> = true;

namespace detail {

template <std::size_t N, class Make, std::size_t... I>
constexpr auto shape_from_array(Make make, std::index_sequence<I...>) {
  constexpr std::array<std::size_t, N> a = make();
  return shape<a[I]...>{};
}

/// The shape whose dimensions are the array returned by a constexpr lambda.
template <std::size_t N, class Make>
using shape_from = decltype(shape_from_array<N>(Make{}, std::make_index_sequence<N>{}));

template <class S, std::size_t Lead>
struct prepend;
template <std::size_t... Dims, std::size_t Lead>
struct prepend<shape<Dims...>, Lead> {
  using type = shape<Lead, Dims...>;
};

}  // namespace detail

/// S with a leading dimension: how a batch of samples is laid out.
template <class S, std::size_t Lead>
using prepend_t = typename detail::prepend<S, Lead>::type;

/// Numpy's rule: align from the right; each pair of dimensions is equal or one of them is 1.
template <class A, class B>
constexpr bool broadcastable() {
  constexpr std::size_t rank = A::rank > B::rank ? A::rank : B::rank;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t a = A::dim_from_back(i), b = B::dim_from_back(i);
    if (a != b && a != 1 && b != 1) return false;
  }
  return true;
}

namespace detail {
template <class A, class B>
struct broadcast_dims {
  static constexpr std::size_t rank = A::rank > B::rank ? A::rank : B::rank;
  constexpr std::array<std::size_t, rank> operator()() const {
    std::array<std::size_t, rank> out{};
    for (std::size_t i = 0; i < rank; ++i) {
      const std::size_t a = A::dim_from_back(i), b = B::dim_from_back(i);
      out[rank - 1 - i] = a == 1 ? b : a;
    }
    return out;
  }
};
}  // namespace detail

/// The shape of a op b under broadcasting (only meaningful when broadcastable).
template <class A, class B>
using broadcast_t = detail::shape_from<detail::broadcast_dims<A, B>::rank, detail::broadcast_dims<A, B>>;

namespace detail {

/// Where element I of an Out-shaped result reads from an In-shaped operand
/// that broadcasts to it. Both shapes are full (batch included).
template <class Out, class In>
constexpr std::size_t broadcast_index(std::size_t i) {
  if constexpr (std::is_same_v<Out, In> || Out::size == In::size) {
    return i;
  } else if constexpr (In::size == 1) {
    return 0;
  } else {
    constexpr std::size_t rank = Out::rank;
    constexpr auto strides = [] {
      std::array<std::size_t, rank> s{};
      std::size_t stride = 1;
      for (std::size_t k = 0; k < rank; ++k) {
        const std::size_t d = rank - 1 - k;
        const std::size_t in_dim = In::dim_from_back(k);
        s[d] = in_dim == 1 ? 0 : stride;
        stride *= in_dim;
      }
      return s;
    }();
    // A broadcast only over leading dimensions is a plain modulo.
    constexpr bool leading_only = [] {
      for (std::size_t k = 0; k < In::rank; ++k)
        if (In::dim_from_back(k) != Out::dim_from_back(k)) return false;
      return true;
    }();
    if constexpr (leading_only) {
      return i % In::size;
    } else {
      // Each axis' step with its sizes as constants, not a loop over them: at -O2 g++ kept the loop
      // and divided by sizes loaded from memory (20% of fib_rnn_attention's step there).
      return [i, &strides]<std::size_t... K>(std::index_sequence<K...>) mutable {
        std::size_t offset = 0;
        ((offset += (i % Out::dims[rank - 1 - K]) * strides[rank - 1 - K], i /= Out::dims[rank - 1 - K]), ...);
        return offset;
      }(std::make_index_sequence<rank>{});
    }
  }
}

}  // namespace detail

/// "(None, 20, 2)": Keras' way of printing a batched shape.
template <class S>
std::string shape_string() {
  std::string out = "(None";
  for (std::size_t d : S::dims) out += ", " + std::to_string(d);
  return out + ")";
}

}  // namespace ctgraph
