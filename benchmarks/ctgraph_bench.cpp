// Google Benchmark: each network's training step at its tutorial's batch size
// (samples/s, GFLOP/s from the constexpr FLOP count) and its forward pass at batch 1
// (latency), the step's copy of its batch included. One BLAS thread, one process thread. Run: build/benchmarks/ctgraph_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>

#include "graphs.hpp"
#include "simple_chains.hpp"

namespace {

/// Batch `next` of the tutorial's data (wrapping around) into the model's input and targets.
template <class N, class Data>
void load_batch(typename N::model& net, const Data& data, std::size_t next) {
  constexpr std::size_t in = N::model::input_size;
  constexpr std::size_t width = ctgraph::target_width<typename N::loss, N::model::output_size>();
  for (std::size_t r = 0; r < N::batch; ++r) {
    const std::size_t row = (next * N::batch + r) % data.size();
    std::copy_n(&data.x(row, 0), in, net.input().data() + r * in);
    std::copy_n(&data.y(row, 0), width, net.target().data() + r * width);
  }
}

// Each step trains on the next batch of the tutorial's data, as an epoch does: on one batch repeated
// a net fits it exactly, its gradients and Adam's moments decay towards float's subnormal range, and
// the step measures that instead.
template <class N>
void training_step(benchmark::State& state) {
  typename N::model net(1);
  const auto data = N::data();
  const std::size_t batches = std::max<std::size_t>(1, data.size() / N::batch);
  std::size_t next = 0;
  for (auto _ : state) {
    load_batch<N>(net, data, next);
    next = (next + 1) % batches;
    benchmark::DoNotOptimize(net.train_step(typename N::loss{}, N::optimizer));
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * N::batch));
  state.counters["GFLOP/s"] = benchmark::Counter(double(N::model::training_flops * N::batch) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// The same step cut into grains (train/parallel_step.hpp) on state.range(0) threads: on 1 it shows
// what the grains cost against the whole batch's step above; on 2, what a second core gains.
template <class N>
void training_step_on_threads(benchmark::State& state) {
  typename N::model net(1);
  const auto data = N::data();
  constexpr std::size_t width = ctgraph::target_width<typename N::loss, N::model::output_size>();
  const std::size_t batches = std::max<std::size_t>(1, data.size() / N::batch);
  ctgraph::detail::parallel_step<typename N::model, typename N::loss, std::remove_const_t<decltype(N::optimizer)>,
                                 ctgraph::no_metric, width>
      step(net, typename N::loss{}, N::optimizer, std::size_t(state.range(0)));
  std::size_t next = 0;
  for (auto _ : state) {
    load_batch<N>(net, data, next);
    next = (next + 1) % batches;
    benchmark::DoNotOptimize(step(N::batch).loss);
    step.update();
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * N::batch));
  state.counters["threads_used"] = double(step.threads());
}

template <class N>
void forward_batch1(benchmark::State& state) {
  typename N::model trained(1);
  ctgraph::model<typename N::graph, 1> net(trained);
  const auto data = N::data();
  std::copy_n(&data.x(0, 0), net.input_size, net.input().data());
  for (auto _ : state) {
    net.forward();
    benchmark::DoNotOptimize(net.output().data());
  }
}

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
  bench::for_each_network([]<class N>() {
    benchmark::RegisterBenchmark((std::string(N::name) + "/train_step/batch:" + std::to_string(N::batch)).c_str(),
                                 training_step<N>);
    if constexpr (ctgraph::step_grains<typename N::model> > 1)
      benchmark::RegisterBenchmark((std::string(N::name) + "/train_step/batch:" + std::to_string(N::batch) + "/grains:" +
                                    std::to_string(ctgraph::step_grains<typename N::model>))
                                       .c_str(),
                                   training_step_on_threads<N>)
          ->ArgName("threads")
          ->Arg(1)
          ->Arg(2)
          ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(N::name) + "/forward/batch:1").c_str(), forward_batch1<N>);
  });
  return true;
}();

}  // namespace

// One OpenBLAS thread, as the programs use (the library leaves the count to its caller).
static const int one_blas_thread = (ctgraph::set_blas_threads(1), 1);

BENCHMARK_MAIN();
