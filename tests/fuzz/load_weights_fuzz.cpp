// libFuzzer harness: any bytes as a weights file for golden_feature's parameters, through what
// load_weights does once the file is read (the archive, its .npy members, the match against the
// graph's parameters). It must give every parameter or throw weights_error; anything else (a crash,
// a sanitizer report, another exception) is a bug. The model is golden_feature's own (its
// parameter table, as load_weights matches it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ctgraph/ctgraph.hpp"
#include "golden_feature/golden_feature.hpp"

namespace {
// The graph's own model type: its parameter table is the one load_weights matches against.
using golden_model = ctgraph::model<golden_feature::graph_type, 1>;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto arrays = ctgraph::detail::npz_parse(bytes, "fuzz.npz");
    const auto loaded = ctgraph::detail::parameters_from<golden_model::scalar>(
        arrays, "fuzz.npz", golden_model::parameter_table(), ctgraph::detail::beside_parameters::nothing);
    if (loaded.size() != golden_model::parameter_count) __builtin_trap();
  } catch (const ctgraph::weights_error&) {
  }
  return 0;
}
