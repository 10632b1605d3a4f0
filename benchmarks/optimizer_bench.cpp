// The optimizers' update of a flat parameter buffer, at the graphs' parameter counts (golden_feature
// 4,561, attention_column 3,233) and one larger. Built twice: optimizer_bench with the project's
// flags, optimizer_bench_errno with -fmath-errno, as a user's build compiles it unless told
// otherwise: the two read the same where the update's vector code does not depend on the flag
// (detail::sqrt_lanes; Adam's loop of std::sqrt ran 8 times slower under -fmath-errno).
// Run: build/benchmarks/optimizer_bench; build/benchmarks/optimizer_bench_errno
#include <benchmark/benchmark.h>

#include <vector>

#include "ctgraph/detail/denormals.hpp"
#include "ctgraph/train/optimizers/adam.hpp"
#include "ctgraph/train/optimizers/sgd.hpp"

namespace {

// Gradients that keep the moments away from zero, so that no value goes subnormal over the run.
template <class Optimizer>
void update(benchmark::State& s, Optimizer optimizer) {
  const std::size_t n = std::size_t(s.range(0));
  std::vector<float> params(n, 0.1f), grads(n), state(2 * n, 0.0f);
  for (std::size_t i = 0; i < n; ++i) grads[i] = 1e-3f * float(1 + i % 37);
  const ctgraph::detail::denormals_flushed flushed;
  std::uint64_t step = 0;
  for (auto _ : s) {
    optimizer.update(params.data(), grads.data(), state.data(), n, ++step);
    benchmark::ClobberMemory();
  }
  s.SetItemsProcessed(std::int64_t(s.iterations()) * std::int64_t(n));  // parameters a second
}

void keras_adam(benchmark::State& s) { update(s, ctgraph::keras_adam(0.001)); }
void torch_adam(benchmark::State& s) { update(s, ctgraph::torch_adam(0.001)); }
void sgd(benchmark::State& s) { update(s, ctgraph::sgd{.learning_rate = 0.01}); }

}  // namespace

BENCHMARK(keras_adam)->Arg(3233)->Arg(4561)->Arg(100'000);
BENCHMARK(torch_adam)->Arg(3233)->Arg(4561);
BENCHMARK(sgd)->Arg(3233)->Arg(4561);
BENCHMARK_MAIN();
