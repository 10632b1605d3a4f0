// log sum_j e^(z_j) of rows of logits, for the cross-entropy losses: as peak + log sum_j
// e^(z_j - peak), so that no exponential overflows. A block of rows at a time, each step one flat
// loop over the block, so that for float the exponentials and logarithms vectorize across rows
// (exp_float, log_float): libm's double exp and log, a row at a time, were a quarter of
// iris_linear's epoch, and the same float functions a row at a time were slower still (each
// row's chain of latencies). For double, std::exp and std::log, so that gradient checks in double
// compare against the exact functions.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "ctgraph/detail/fast_log.hpp"

namespace ctgraph::detail {

template <std::size_t Classes, class S>
struct log_sum_exp_rows {
  /// Rows of fewer floats than a vector are held a class at a time (exps[j * block + r]), so that
  /// each step runs down a class's column of the block in whole vectors: a row of 3 classes, a
  /// step a row, was most of softmax_cross_entropy's time in iris_qkv's epoch.
  static constexpr bool by_columns = std::is_same_v<S, float> && Classes < 16;
  /// Rows a block holds: about 256 values (128 rows of a few classes by columns).
  static constexpr std::size_t block = by_columns ? 128 : Classes >= 256 ? 1 : 256 / Classes;

  std::array<S, block * Classes> exps;  // row r's e^(z_j - peak), its softmax times sums[r]: [r][j], or [j][r] by columns
  std::array<S, block> sums, peaks, logs;

  /// Rows [0, rows) of z (rows <= block).
  void compute(const S* z, std::size_t rows) {
    if constexpr (by_columns) {
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t j = 0; j < Classes; ++j) exps[j * block + r] = z[r * Classes + j];
      for (std::size_t r = 0; r < rows; ++r) peaks[r] = exps[r];
      for (std::size_t j = 1; j < Classes; ++j)
        for (std::size_t r = 0; r < rows; ++r) {
          const S v = exps[j * block + r];
          peaks[r] = v > peaks[r] ? v : peaks[r];  // the first largest, as std::max_element
        }
      for (std::size_t j = 0; j < Classes; ++j)
        for (std::size_t r = 0; r < rows; ++r) exps[j * block + r] = exp_float<true>(exps[j * block + r] - peaks[r]);
      for (std::size_t r = 0; r < rows; ++r) sums[r] = 0;
      for (std::size_t j = 0; j < Classes; ++j)  // each row's terms added in class order, as by rows
        for (std::size_t r = 0; r < rows; ++r) sums[r] += exps[j * block + r];
    } else {
      for (std::size_t r = 0; r < rows; ++r) {
        const S peak = *std::max_element(z + r * Classes, z + (r + 1) * Classes);
        peaks[r] = peak;
        std::fill_n(exps.data() + r * Classes, Classes, peak);  // spread over the row, for the flat loop
      }
      for (std::size_t i = 0; i < rows * Classes; ++i) exps[i] = detail::exp(S(z[i] - exps[i]));
      for (std::size_t r = 0; r < rows; ++r) {
        S sum = 0;
        for (std::size_t j = 0; j < Classes; ++j) sum += exps[r * Classes + j];
        sums[r] = sum;
      }
    }
    // sum >= 1 (the peak's own term): log_float's range.
    for (std::size_t r = 0; r < rows; ++r) {
      if constexpr (std::is_same_v<S, float>)
        logs[r] = log_float(sums[r]);
      else
        logs[r] = std::log(sums[r]);
    }
  }

  /// log sum_j e^(z_j) of row r of the last compute.
  double value(std::size_t r) const { return double(peaks[r]) + double(logs[r]); }
};

}  // namespace ctgraph::detail
