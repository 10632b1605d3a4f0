// A target row's class, for the losses over integer labels: a whole number from 0 to
// classes - 1, or a std::out_of_range naming the loss, the label and its row (reading
// the scores at any other index would be out of bounds).
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ctgraph::detail {

/// Whether label is a class from 0 to classes - 1 (NaN is not): in float or double, so that a loop
/// of it over a block of float labels vectorizes.
template <class T>
inline bool is_class(T label, std::size_t classes) {
  return label >= T(0) && label < T(classes) && label == std::floor(label);
}

inline std::size_t class_label(double label, std::size_t classes, std::size_t row, std::string_view loss) {
  if (!is_class(label, classes))
    throw std::out_of_range("ctgraph: " + std::string(loss) + ": label " + std::to_string(label) + " of row " +
                            std::to_string(row) + " is not a class from 0 to " + std::to_string(classes - 1));
  return std::size_t(label);
}

}  // namespace ctgraph::detail
