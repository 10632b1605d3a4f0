// Initialisers: how a parameter's first values are drawn. Each fills a flat
// buffer given the parameter's shape; fan-in and fan-out follow Keras
// (a kernel is [in, out]).
#pragma once

#include <cmath>
#include <cstddef>

#include "ctgraph/detail/random.hpp"

namespace ctgraph {

/// All zeros (Keras' bias default).
struct zeros {
  static constexpr std::string_view name = "zeros";
  template <class Shape, class S>
  static void fill(S* p, random_engine&) {
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(0);
  }
};

/// U(-l, l), l = sqrt(6 / (fan_in + fan_out)) (Keras' kernel default).
struct glorot_uniform {
  static constexpr std::string_view name = "glorot_uniform";
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
