// Google Benchmark: each network's training step at its tutorial's batch size
// (samples/s, GFLOP/s from the constexpr FLOP count) and its forward pass at batch 1
// (latency). One BLAS thread, one process thread. Run: build/benchmarks/ctgraph_bench
#include <benchmark/benchmark.h>

#include "graphs.hpp"

namespace {

template <class N>
void training_step(benchmark::State& state) {
  typename N::model net(1);
  const auto data = N::data();
  constexpr std::size_t width = ctgraph::target_width<typename N::loss, N::model::output_size>();
  for (std::size_t r = 0; r < N::batch; ++r) {
    const std::size_t row = r % data.size();
    std::copy_n(&data.x(row, 0), N::model::input_size, net.input().data() + r * N::model::input_size);
    std::copy_n(&data.y(row, 0), width, net.target().data() + r * width);
  }
  for (auto _ : state) benchmark::DoNotOptimize(net.train_step(typename N::loss{}, N::optimizer));
  state.SetItemsProcessed(std::int64_t(state.iterations() * N::batch));
  state.counters["GFLOP/s"] = benchmark::Counter(double(N::model::training_flops * N::batch) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
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

const bool registered = [] {
  bench::for_each_network([]<class N>() {
    benchmark::RegisterBenchmark((std::string(N::name) + "/train_step/batch:" + std::to_string(N::batch)).c_str(),
                                 training_step<N>);
    benchmark::RegisterBenchmark((std::string(N::name) + "/forward/batch:1").c_str(), forward_batch1<N>);
  });
  return true;
}();

}  // namespace

// One OpenBLAS thread, as the programs use (the library leaves the count to its caller).
static const int one_blas_thread = (ctgraph::set_blas_threads(1), 1);

BENCHMARK_MAIN();
