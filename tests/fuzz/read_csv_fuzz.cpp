// libFuzzer harness: any bytes as a CSV file, in two layouts (Iris' class names, and plain
// numbers). parse_csv must return a data set of the layout's width or throw data_error;
// anything else (a crash, a sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ctgraph/io/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const ctgraph::csv_format iris{.inputs = 4, .targets = 1, .class_names = {"setosa", "versicolor", "virginica"}};
  static const ctgraph::csv_format plain{.inputs = 3, .targets = 2};
  for (const auto* format : {&iris, &plain}) {
    try {
      const auto d = ctgraph::parse_csv<float>(text, "fuzz.csv", *format);
      if (d.x.shape()[1] != format->inputs || d.y.shape()[0] != d.x.shape()[0]) __builtin_trap();
    } catch (const ctgraph::data_error&) {
    }
  }
  return 0;
}
