// ctgraph_bench's step benchmarks of digits_attention, fib_rnn, fib_rnn_attention (step_benchmarks.hpp).
#include "step_benchmarks.hpp"

namespace {
const bool registered = bench::register_networks<2, 5>();
}  // namespace
