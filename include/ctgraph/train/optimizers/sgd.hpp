// Plain stochastic gradient descent:  p -= lr (g + wd p)
#pragma once

#include <cstddef>
#include <cstdint>

namespace ctgraph {

struct sgd {
  double learning_rate = 0.01;
  double weight_decay = 0.0;

  template <class S>
  void update(S* p, const S* g, S*, std::size_t n, std::uint64_t) const {
    const S lr = S(learning_rate), wd = S(weight_decay);
    for (std::size_t i = 0; i < n; ++i) p[i] -= lr * (g[i] + wd * p[i]);
  }
};

}  // namespace ctgraph
