// Plain stochastic gradient descent:  p -= lr (g + wd p)
#pragma once

#include <cstddef>
#include <cstdint>

namespace ctgraph {

struct sgd {
  double learning_rate = 0.01;
  double weight_decay = 0.0;

  template <class S>
  void update(S* p, const S* g, S* state, std::size_t n, std::uint64_t t) const {
    update_range(p, g, state, n, t, 0, n);
  }
  /// update on parameters [lo, hi) alone (each parameter's step is its own: threads share them out).
  template <class S>
  void update_range(S* p, const S* g, S*, std::size_t, std::uint64_t, std::size_t lo, std::size_t hi) const {
    const S lr = S(learning_rate), wd = S(weight_decay);
    for (std::size_t i = lo; i < hi; ++i) p[i] -= lr * (g[i] + wd * p[i]);
  }
};

}  // namespace ctgraph
