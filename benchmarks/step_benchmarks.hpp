// The step benchmarks of ctgraph_bench, for each network: its training step at its tutorial's
// batch (samples/s, GFLOP/s from the constexpr FLOP count), the same step cut into grains on 1 and
// 2 threads and the grains' passes alone in a loop, and its forward pass at batch 1 (latency), the
// step's copy of its batch included.
// Each file of ctgraph_bench registers a few networks (register_networks<First, Last>): with all 13
// in one translation unit g++ 12 inlined less (exp_float into tanh_float, among others), and
// fib_rnn's step read 591 ns there against 531 ns in a file of its own kind.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>

#include "graphs.hpp"

namespace bench {

/// The tutorial's rows [first, first + rows) (wrapping around) into a model of N's graph: its input
/// and targets, from row 0.
template <class N, class Model, class Data>
void load_rows(Model& net, const Data& data, std::size_t first, std::size_t rows) {
  constexpr std::size_t in = Model::input_size;
  constexpr std::size_t width = ctgraph::target_width<typename N::loss, Model::output_size>();
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t row = (first + r) % data.size();
    std::copy_n(&data.x(row, 0), in, net.input().data() + r * in);
    std::copy_n(&data.y(row, 0), width, net.target().data() + r * width);
  }
}

/// Batch `next` of the tutorial's data into the model's input and targets.
template <class N, class Data>
void load_batch(typename N::model& net, const Data& data, std::size_t next) {
  load_rows<N>(net, data, next * N::batch, N::batch);
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

// The grains' own passes without the threaded step's copies, sums and barriers: each grain's
// gradient in a model of grain_rows rows, one after another, then one update. Against the step of
// the whole batch above, what cutting the batch costs the passes themselves (README, threads).
template <class N>
void grains_in_a_loop(benchmark::State& state) {
  using graph = typename N::model::graph;
  constexpr std::size_t rows = ctgraph::grain_rows<graph, N::batch>, grains = ctgraph::step_grains<typename N::model>;
  ctgraph::model<graph, rows, typename N::model::scalar> net(1);
  const auto data = N::data();
  const std::size_t batches = std::max<std::size_t>(1, data.size() / N::batch);
  std::size_t next = 0;
  for (auto _ : state) {
    for (std::size_t g = 0; g < grains; ++g) {
      load_rows<N>(net, data, next * N::batch + g * rows, rows);
      benchmark::DoNotOptimize(net.compute_gradients(typename N::loss{}));
    }
    net.update(N::optimizer);
    next = (next + 1) % batches;
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * N::batch));
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

/// Registers the benchmarks of networks [First, Last) of bench::networks.
template <std::size_t First, std::size_t Last>
bool register_networks() {
  bench::for_each_network<First, Last>([]<class N>() {
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
    if constexpr (ctgraph::step_grains<typename N::model> > 1)
      benchmark::RegisterBenchmark((std::string(N::name) + "/train_step/batch:" + std::to_string(N::batch) + "/grains:" +
                                    std::to_string(ctgraph::step_grains<typename N::model>) + "/in_a_loop")
                                       .c_str(),
                                   grains_in_a_loop<N>);
    benchmark::RegisterBenchmark((std::string(N::name) + "/forward/batch:1").c_str(), forward_batch1<N>);
  });
  return true;
}

}  // namespace bench
