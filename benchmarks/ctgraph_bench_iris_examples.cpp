// ctgraph_bench's step benchmarks of iris_attention, iris_linear, text_classifier, normalized_regression (step_benchmarks.hpp).
#include "step_benchmarks.hpp"

namespace {
const bool registered = bench::register_networks<5, 9>();
}  // namespace
