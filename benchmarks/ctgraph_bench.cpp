// Google Benchmark: each network's training step at its tutorial's batch size
// (samples/s, GFLOP/s from the constexpr FLOP count) and its forward pass at batch 1
// (latency), the step's copy of its batch included (step_benchmarks.hpp; this file has
// golden_feature's and attention_column's, the ctgraph_bench_*.cpp files the others), and
// SimpleChains.jl's two networks. One BLAS thread, one process thread. Run: build/benchmarks/ctgraph_bench
#include <benchmark/benchmark.h>

#include <memory>

#include "simple_chains.hpp"
#include "step_benchmarks.hpp"

namespace {

/// A random batch for a model (inputs and regression targets uniform in [-1, 1)).
template <class Model>
void fill_random(Model& net) {
  ctgraph::random_engine rng(7);
  for (auto& v : net.input()) v = typename Model::scalar(rng.uniform(-1, 1));
  for (auto& v : net.target()) v = typename Model::scalar(rng.uniform(-1, 1));
}

/// SimpleChains' first benchmark: the gradient of a batch (their valgrad!), double precision.
void simple_chains_gradient(benchmark::State& state) {
  using model = ctgraph::model<decltype(simple_chains::mlp_24_8_2), simple_chains::mlp_24_8_2_batch, double>;
  model net(1);
  fill_random(net);
  for (auto _ : state) benchmark::DoNotOptimize(net.compute_gradients(ctgraph::mean_squared_error{}));
  state.counters["GFLOP/s"] = benchmark::Counter(double(model::training_flops * model::batch_size) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["published_us"] = simple_chains::mlp_24_8_2_published_us;
}

/// SimpleChains' second: one Adam step over all 10,000 samples, single precision.
void simple_chains_adam_step(benchmark::State& state) {
  using model = ctgraph::model<decltype(simple_chains::mlp_4_32_16_4), simple_chains::mlp_4_32_16_4_batch>;
  auto net = std::make_unique<model>(1);
  fill_random(*net);
  for (auto _ : state) benchmark::DoNotOptimize(net->train_step(ctgraph::mean_squared_error{}, ctgraph::keras_adam()));
  state.counters["GFLOP/s"] = benchmark::Counter(double(model::training_flops * model::batch_size) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["published_us"] = simple_chains::mlp_4_32_16_4_published_us;
}

const bool registered = [] {
  benchmark::RegisterBenchmark("simple_chains/mlp_24_8_2/gradient/batch:200/double", simple_chains_gradient);
  benchmark::RegisterBenchmark("simple_chains/mlp_4_32_16_4/adam_step/batch:10000", simple_chains_adam_step);
  return bench::register_networks<0, 2>();  // golden_feature, attention_column
}();

}  // namespace

// One OpenBLAS thread, as the programs use (the library leaves the count to its caller).
static const int one_blas_thread = (ctgraph::set_blas_threads(1), 1);

BENCHMARK_MAIN();
