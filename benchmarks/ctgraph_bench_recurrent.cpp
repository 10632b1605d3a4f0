// ctgraph_bench's step benchmarks of gru_16_t20, lstm_16_t20, gru_32_t50, lstm_32_t50 (step_benchmarks.hpp).
#include "step_benchmarks.hpp"

namespace {
const bool registered = bench::register_networks<9, 13>();
}  // namespace
