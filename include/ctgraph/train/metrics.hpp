// Accuracy as the frameworks count it, over the first `count` rows of a batch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace ctgraph {

/// Keras' binary_accuracy: y > 0.5 agrees with the 0/1 target.
struct binary_accuracy {
  static constexpr std::string_view name = "accuracy";
  template <class S>
  static std::size_t hits(const S* y, const S* target, std::size_t count, std::size_t width, std::size_t) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < count * width; ++i) n += (y[i] > S(0.5)) == (target[i] > S(0.5));
    return n;
  }
  static std::size_t per_sample(std::size_t width) { return width; }
};

/// The largest output is the target class (the target row holds the class index).
struct categorical_accuracy {
  static constexpr std::string_view name = "accuracy";
  template <class S>
  static std::size_t hits(const S* y, const S* target, std::size_t count, std::size_t width, std::size_t target_width) {
    std::size_t n = 0;
    for (std::size_t r = 0; r < count; ++r) {
      const S* row = y + r * width;
      n += std::size_t(std::max_element(row, row + width) - row) == std::size_t(target[r * target_width]);
    }
    return n;
  }
  static std::size_t per_sample(std::size_t) { return 1; }
};

/// No metric: loss only.
struct no_metric {
  static constexpr std::string_view name = "";
  template <class S>
  static std::size_t hits(const S*, const S*, std::size_t, std::size_t, std::size_t) { return 0; }
  static std::size_t per_sample(std::size_t) { return 1; }
};

}  // namespace ctgraph
