// Initialisers: how a parameter's first values are drawn. Each fills a flat
// buffer given the parameter's shape; fan-in and fan-out follow Keras
// (a kernel is [in, out]).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "ctgraph/detail/random.hpp"
#include "ctgraph/real.hpp"

namespace ctgraph {

/// All zeros (Keras' bias default).
struct zeros {
  static constexpr std::string_view name = "zeros";
  template <class Shape, class S>
  static void fill(S* p, random_engine&) {
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(0);
  }
};

/// All ones (Keras' gamma default for a normalisation).
struct ones {
  static constexpr std::string_view name = "ones";
  template <class Shape, class S>
  static void fill(S* p, random_engine&) {
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(1);
  }
};

/// U(Low, High) (Keras' RandomUniform, default +-0.05: an Embedding's default).
template <real Low = -0.05, real High = 0.05>
struct random_uniform {
  static constexpr std::string_view name = "random_uniform";
  template <class Shape, class S>
  static void fill(S* p, random_engine& rng) {
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(rng.uniform(Low, High));
  }
};

/// U(-l, l), l = sqrt(6 / (fan_in + fan_out)) (Keras' kernel default).
struct glorot_uniform {
  static constexpr std::string_view name = "glorot_uniform";
  /// param() asks this of the shape it is given, so that the mistake is reported where it is made.
  template <class Shape>
  static constexpr bool accepts() {
    static_assert(Shape::rank == 2, "ctgraph: glorot_uniform initialises a kernel [in, out]");
    return Shape::rank == 2;
  }
  template <class Shape, class S>
  static void fill(S* p, random_engine& rng) {
    static_assert(Shape::rank == 2, "ctgraph: glorot_uniform initialises a kernel [in, out]");
    const double limit = std::sqrt(6.0 / double(Shape::dims[0] + Shape::dims[1]));
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(rng.uniform(-limit, limit));
  }
};

/// U(-1/sqrt(FanIn), 1/sqrt(FanIn)): PyTorch's nn.Linear default, for its weight and its bias.
template <std::size_t FanIn>
struct uniform_fan_in {
  static constexpr std::string_view name = "uniform_fan_in";
  template <class Shape, class S>
  static void fill(S* p, random_engine& rng) {
    const double limit = 1.0 / std::sqrt(double(FanIn));
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(rng.uniform(-limit, limit));
  }
};

/// N(Mean, Stddev^2) (Keras' RandomNormal; its default stddev is 0.05).
template <real Stddev = 0.05, real Mean = 0.0>
struct random_normal {
  static constexpr std::string_view name = "random_normal";
  template <class Shape, class S>
  static void fill(S* p, random_engine& rng) {
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(Mean + Stddev * rng.normal());
  }
};

/// A random orthogonal matrix (Keras' Orthogonal, the SimpleRNN recurrent kernel's
/// default): Q of the QR decomposition of a normal matrix, signs fixed so that R's
/// diagonal is positive. The last dimension is the columns; the rest are the rows.
struct orthogonal {
  static constexpr std::string_view name = "orthogonal";
  template <class Shape, class S>
  static void fill(S* p, random_engine& rng) {
    constexpr std::size_t cols = Shape::dim_from_back(0), rows = Shape::size / cols;
    // Orthonormalise the longer side's vectors: with rows < cols, transpose, as Keras does.
    constexpr std::size_t n = rows < cols ? cols : rows, k = rows < cols ? rows : cols;
    std::array<double, n * k> q{};  // k vectors of length n, as columns q[i * k + j]
    for (double& v : q) v = rng.normal();
    // Modified Gram-Schmidt: the same Q as Householder QR with sign(diag R) = +1.
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t prev = 0; prev < j; ++prev) {
        double dot = 0;
        for (std::size_t i = 0; i < n; ++i) dot += q[i * k + j] * q[i * k + prev];
        for (std::size_t i = 0; i < n; ++i) q[i * k + j] -= dot * q[i * k + prev];
      }
      double norm = 0;
      for (std::size_t i = 0; i < n; ++i) norm += q[i * k + j] * q[i * k + j];
      norm = std::sqrt(norm);
      for (std::size_t i = 0; i < n; ++i) q[i * k + j] /= norm;
    }
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) p[r * cols + c] = S(rows < cols ? q[c * k + r] : q[r * k + c]);
  }
};

/// How a dense layer initialises its kernel and bias, in the style of a framework.
struct keras_init {
  template <std::size_t In, std::size_t Out>
  using kernel = glorot_uniform;
  template <std::size_t In, std::size_t Out>
  using bias = zeros;
};
struct torch_init {
  template <std::size_t In, std::size_t Out>
  using kernel = uniform_fan_in<In>;
  template <std::size_t In, std::size_t Out>
  using bias = uniform_fan_in<In>;
};

}  // namespace ctgraph
