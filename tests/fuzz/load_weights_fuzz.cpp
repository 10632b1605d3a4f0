// libFuzzer harness: any bytes as a weights file for golden_feature's parameters, through what
// load_weights does once the file is read (the archive, its .npy members, the match against the
// graph's parameters). It must give every parameter or throw weights_error; anything else (a crash,
// a sanitizer report, another exception) is a bug. The model is a stand-in with golden_feature's
// parameter table: clang 14, which libFuzzer needs, does not take the graph's double template
// arguments (nn/init.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ctgraph/io/weights.hpp"

namespace {
struct parameter {
  std::string name;
  std::vector<std::size_t> shape;
  std::size_t offset, size;
};

struct golden_parameters {
  using scalar = float;
  static constexpr std::size_t parameter_count = 4'561;
  static std::vector<parameter> parameter_table() {
    return {{"attention_vec.kernel", {20, 20}, 0, 400}, {"attention_vec.bias", {20}, 400, 20},
            {"dense_1.kernel", {20, 100}, 420, 2000},    {"dense_1.bias", {100}, 2420, 100},
            {"dense_2.kernel", {100, 20}, 2520, 2000},   {"dense_2.bias", {20}, 4520, 20},
            {"dense_3.kernel", {20, 1}, 4540, 20},       {"dense_3.bias", {1}, 4560, 1}};
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto arrays = ctgraph::detail::npz_parse(bytes, "fuzz.npz");
    const auto loaded = ctgraph::detail::parameters_from<golden_parameters>(arrays, "fuzz.npz",
                                                                             [](const std::string&) { return false; });
    if (loaded.size() != golden_parameters::parameter_count) __builtin_trap();
  } catch (const ctgraph::weights_error&) {
  }
  return 0;
}
