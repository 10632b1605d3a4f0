// Google Benchmark: recurrent training steps. SimpleRNN's dedicated kernel against the same
// cell on the generic scan (fib_rnn's shape: T = 20, 1 feature, 2 units, batch 1), and GRU
// and LSTM at the two shapes of issue 9 (T = 20, hidden 16, batch 1; T = 50, hidden 32,
// batch 32), each with a Dense 1 head, MSE, Keras Adam. Run: build/benchmarks/recurrent_bench
// Each step trains on the next of 64 random batches, as an epoch would: on one batch repeated
// the loss reaches exactly 0 within a few thousand steps, and Adam's second moments then decay
// through float's subnormal range, each of them a microcode assist (GRU at batch 1: 3x slower).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include <ctgraph/ctgraph.hpp>

namespace {
using namespace ctgraph;

template <std::size_t Units, fixed_string Name, class X>
constexpr auto generic_simple_rnn(X x) {
  constexpr std::size_t F = X::shape::dims[1];
  using owner = named_owner<Name>;
  using kernel = param_node<owner, "kernel", shape<F, Units>, glorot_uniform>;
  using recurrent = param_node<owner, "recurrent_kernel", shape<Units, Units>, orthogonal>;
  using bias = param_node<owner, "bias", shape<Units>, zeros>;
  return scan<shape<Units>>(matmul(x, kernel{}) + bias{},
                            [](auto a, auto h) { return ctgraph::tanh(a + matmul(h, recurrent{})); });
}

constexpr auto fib_x = input<20, 1>;
using fib_dedicated = std::remove_const_t<decltype(dense<1, "dense">(simple_rnn<2, "rnn">(fib_x), activation::tanh))>;
using fib_generic = std::remove_const_t<decltype(dense<1, "dense">(generic_simple_rnn<2, "rnn">(fib_x), activation::tanh))>;
constexpr auto small_x = input<20, 1>;
using gru_small = std::remove_const_t<decltype(dense<1>(gru<16>(small_x)))>;
using lstm_small = std::remove_const_t<decltype(dense<1>(lstm<16>(small_x)))>;
constexpr auto long_x = input<50, 1>;
using gru_large = std::remove_const_t<decltype(dense<1>(gru<32>(long_x)))>;
using lstm_large = std::remove_const_t<decltype(dense<1>(lstm<32>(long_x)))>;

template <class Graph, std::size_t Batch>
void training_step(benchmark::State& state) {
  model<Graph, Batch> net(1);
  random_engine rng(2);
  constexpr std::size_t batches = 64;
  const std::size_t in = net.input().size(), out = net.target().size();
  std::vector<float> inputs(batches * in), targets(batches * out);
  for (float& v : inputs) v = float(rng.uniform(0.0, 1.0));
  for (float& v : targets) v = float(rng.uniform(0.0, 1.0));
  const auto adam = keras_adam();
  std::size_t next = 0;
  for (auto _ : state) {
    std::copy_n(inputs.begin() + std::ptrdiff_t(next * in), in, net.input().begin());
    std::copy_n(targets.begin() + std::ptrdiff_t(next * out), out, net.target().begin());
    next = (next + 1) % batches;
    benchmark::DoNotOptimize(net.train_step(mean_squared_error{}, adam));
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * Batch));
  state.counters["GFLOP/s"] = benchmark::Counter(double(model<Graph, Batch>::training_flops * Batch) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(training_step<fib_dedicated, 1>)->Name("simple_rnn_dedicated/T:20/units:2/batch:1");
BENCHMARK(training_step<fib_generic, 1>)->Name("simple_rnn_scan/T:20/units:2/batch:1");
BENCHMARK(training_step<gru_small, 1>)->Name("gru/T:20/units:16/batch:1");
BENCHMARK(training_step<lstm_small, 1>)->Name("lstm/T:20/units:16/batch:1");
BENCHMARK(training_step<gru_large, 32>)->Name("gru/T:50/units:32/batch:32");
BENCHMARK(training_step<lstm_large, 32>)->Name("lstm/T:50/units:32/batch:32");
}  // namespace

BENCHMARK_MAIN();
