// L = mean over samples of logsumexp(s) - s_t, s the graph's output, t the class index
//   (PyTorch's CrossEntropyLoss; the target row holds the class as a number)
// dL/ds_j = (softmax(s)_j - [j == t]) / count
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ctgraph/detail/fast_log.hpp"
#include "ctgraph/detail/row_columns.hpp"
#include "ctgraph/train/losses/class_label.hpp"
#include "ctgraph/train/losses/log_sum_exp.hpp"

namespace ctgraph {

namespace detail {

/// A vector of floats' lanes as doubles, in two vectors of doubles (one of a vector's width each).
struct double_halves {
  simd<double>::type v[2];
};

/// totals += (a + b) - c, lane by lane in double.
inline void add_in_double(double_halves& totals, float_vector a, float_vector b, float_vector c) {
  using D = simd<double>::type;
  constexpr std::size_t half = vector_bytes / 2, H = simd<float>::lanes / 2;
  const auto widen = [](const auto& part) { return __builtin_convertvector(part, D); };
  totals.v[0] += (widen(lanes_at<half, 0>(a)) + widen(lanes_at<half, 0>(b))) - widen(lanes_at<half, 0>(c));
  totals.v[1] += (widen(lanes_at<half, H>(a)) + widen(lanes_at<half, H>(b))) - widen(lanes_at<half, H>(c));
}

/// softmax_cross_entropy over float rows of fewer classes than a vector holds (iris' 3): a block of
/// a vector's rows at a time in registers, each class's column a vector (row_columns.hpp), the
/// labels checked and picked in vectors. The same operations per value as log_sum_exp_rows' columns
/// and the loss's gradient, so the same gradient bits; the loss's rows are added in a double per
/// lane, then the lanes in order. (The row-at-a-time label check, pick and double sum were 4.5% of
/// iris' epoch, most of the loss' time.) Returns the sum over rows of log sum_j e^(z_j) - z_t.
template <std::size_t C>
double softmax_cross_entropy_columns(const float* z, const float* target, std::size_t count, float* grad,
                                     std::string_view loss) {
  using V = simd<float>;
  constexpr std::size_t L = V::lanes;
  const float share = 1.0f / float(count);
  double_halves totals{};
  for (std::size_t first = 0; first < count; first += L) {
    const std::size_t rows = std::min(L, count - first), values = rows * C;
    const float* block = z + first * C;
    // How many of the block's values vector k holds (the last block's last vectors may hold fewer, or none).
    const auto held = [=](std::size_t k) { return values > k * L ? std::min(L, values - k * L) : 0; };
    float_vector row_major[C], column[C];
    for (std::size_t k = 0; k < C; ++k) {
      const std::size_t n = held(k);
      row_major[k] = n == L ? V::load<L>(block + k * L) : n > 0 ? V::load_first(block + k * L, n) : float_vector{};
    }
    rows_to_columns<C>(row_major, column);

    // A class: a whole number in [0, C) (NaN is not); converted only once in range.
    const float_vector t = rows == L ? V::load<L>(target + first) : V::load_first(target + first, rows);
    const auto in_range = (t >= 0.0f) & (t < float(C));
    const float_vector in_range_t = in_range ? t : float_vector{};
    const int_vector label = __builtin_convertvector(in_range_t, int_vector);
    const int_vector bad = ~(in_range & (__builtin_convertvector(label, float_vector) == in_range_t));
    if (any_lane(bad))  // named from the first bad row (the lanes past `rows` hold 0, a class)
      for (std::size_t r = first; r < first + rows; ++r) class_label(double(target[r]), C, r, loss);

    float_vector peak = column[0];
    for (std::size_t j = 1; j < C; ++j) peak = column[j] > peak ? column[j] : peak;  // the first largest
    float_vector exps[C], sum{}, picked{};
    for (std::size_t j = 0; j < C; ++j) {
      exps[j] = exp_vector<true>(column[j] - peak);
      sum += exps[j];
      picked = label == std::int32_t(j) ? column[j] : picked;
    }
    // sum >= 1 (the peak's own term): log_float's range. A loop of a vector's length vectorizes.
    std::array<float, L> logs;
    for (std::size_t l = 0; l < L; ++l) logs[l] = log_float(sum[l]);
    float_vector log_sum;
    std::memcpy(&log_sum, logs.data(), sizeof log_sum);
    const auto live = lane_index() < std::int32_t(rows);
    add_in_double(totals, live ? peak : float_vector{}, live ? log_sum : float_vector{},
                  live ? picked : float_vector{});

    if (grad) {  // (softmax_j - [j == t]) / count
      const float_vector scale = share / sum;
      for (std::size_t j = 0; j < C; ++j) {
        const float_vector g = exps[j] * scale;
        exps[j] = label == std::int32_t(j) ? g - share : g;
      }
      columns_to_rows<C>(exps, row_major);
      float* d = grad + first * C;
      for (std::size_t k = 0; k < C; ++k) {
        const std::size_t n = held(k);
        if (n == L)
          V::store<L>(d + k * L, row_major[k]);
        else if (n > 0)
          V::store_first(d + k * L, row_major[k], n);
      }
    }
  }
  double total = 0;
  for (const auto& half : totals.v)
    for (std::size_t l = 0; l < sizeof half / sizeof(double); ++l) total += half[l];
  return total;
}

}  // namespace detail

struct softmax_cross_entropy {
  static constexpr std::string_view name = "cross_entropy";
  template <class Plan>
  static constexpr bool folds_output = false;
  /// One number per sample: the class.
  template <std::size_t OutputSize>
  static constexpr std::size_t target_width = 1;

  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    using S = typename Ctx::scalar;
    using out = typename Ctx::plan::graph;
    constexpr std::size_t classes = out::shape::size;
    const S* s = c.template value<out>();
    // Rows of fewer floats than a vector: a class's column at a time (softmax_cross_entropy_columns).
    if constexpr (std::is_same_v<S, float> && classes < detail::simd<float>::lanes) {
      return detail::softmax_cross_entropy_columns<classes>(
          s, target, count, with_gradient ? c.template grad<out>() : nullptr, "softmax_cross_entropy");
    } else {
      double total = 0;
      detail::log_sum_exp_rows<classes, S> lse;
      const S share = S(1) / S(count);
      S* const grad = c.template grad<out>();
      std::array<std::size_t, lse.block> label;
      std::array<S, lse.block> scale;
      for (std::size_t first = 0; first < count; first += lse.block) {
        const std::size_t rows = std::min(lse.block, count - first);
        lse.compute(s + first * classes, rows);
        // The labels checked in a pass that vectorizes; a bad one is then looked for and named.
        bool whole_classes = true;
        for (std::size_t r = 0; r < rows; ++r) whole_classes &= detail::is_class(target[first + r], classes);
        for (std::size_t r = 0; r < rows; ++r)
          label[r] = whole_classes ? std::size_t(std::uint32_t(target[first + r]))
                                   : detail::class_label(double(target[first + r]), classes, first + r, "softmax_cross_entropy");
        for (std::size_t r = 0; r < rows; ++r) total += lse.value(r) - double(s[(first + r) * classes + label[r]]);
        if (with_gradient) {  // (softmax_j - [j == t]) / count
          for (std::size_t r = 0; r < rows; ++r) scale[r] = share / lse.sums[r];
          S* d = grad + first * classes;
          if constexpr (lse.by_columns) {  // a class's column at a time, products first, then each row's own class
            for (std::size_t j = 0; j < classes; ++j)
              for (std::size_t r = 0; r < rows; ++r) lse.exps[j * lse.block + r] *= scale[r];
            for (std::size_t j = 0; j < classes; ++j)  // x - 0 is x: only the row's class changes
              for (std::size_t r = 0; r < rows; ++r) lse.exps[j * lse.block + r] -= label[r] == j ? share : S(0);
            for (std::size_t r = 0; r < rows; ++r)
              for (std::size_t j = 0; j < classes; ++j) d[r * classes + j] = lse.exps[j * lse.block + r];
          } else {
            for (std::size_t r = 0; r < rows; ++r) {
              const S* e = lse.exps.data() + r * classes;
              for (std::size_t j = 0; j < classes; ++j) d[r * classes + j] = e[j] * scale[r];
              d[r * classes + label[r]] -= share;
            }
          }
        }
      }
      return total;
    }
  }
};

}  // namespace ctgraph
