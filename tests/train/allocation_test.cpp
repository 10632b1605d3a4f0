// Counts every heap allocation of the process (replacement operator new) and
// proves that a training step makes none.
#include <atomic>
#include <cstdlib>
#include <cmath>
#include <new>

#include <doctest/doctest.h>

#include "golden_feature/golden_feature.hpp"

// The replacement delete frees what the replacement new took from malloc; with the sanitizers
// (seen at -O1) g++ sees only `new` paired with free() and warns of a mismatch that is not one.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<std::size_t> allocations{0};

void* counted(std::size_t size, std::size_t alignment) {
  ++allocations;
  void* p = alignment > alignof(std::max_align_t) ? std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)
                                                  : std::malloc(size == 0 ? 1 : size);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t size) { return counted(size, 0); }
void* operator new[](std::size_t size) { return counted(size, 0); }
void* operator new(std::size_t size, std::align_val_t a) { return counted(size, std::size_t(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return counted(size, std::size_t(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

TEST_CASE("allocation: the counter sees an allocation") {
  const std::size_t before = allocations;
  auto* p = new int(1);
  delete p;
  CHECK(allocations == before + 1);
}

TEST_CASE("allocation: 200 training steps of golden_feature allocate nothing") {
  ctgraph::model<golden_feature::graph_type, golden_feature::batch> net(1);
  const auto data = golden_feature::make_data(golden_feature::batch, 2);
  std::copy(data.x.begin(), data.x.end(), net.input().begin());
  std::copy(data.y.begin(), data.y.end(), net.target().begin());
  const auto optimizer = ctgraph::keras_adam(golden_feature::learning_rate);
  net.train_step(ctgraph::binary_crossentropy{}, optimizer);  // first call: OpenBLAS sets itself up

  const std::size_t before = allocations;
  double loss = 0;
  for (int step = 0; step < 200; ++step) loss = net.train_step(ctgraph::binary_crossentropy{}, optimizer, 200);
  net.forward();
  CHECK(allocations == before);
  CHECK(loss < 0.1 * 200);  // and it did learn: the summed loss of 200 rows fell
}

namespace {
/// The allocation counter after each batch of fit(): its steps, with their checks for non-finite
/// values and for a stop signal, must allocate nothing between two batches of an epoch.
struct allocation_log {
  std::size_t* counts;
  std::size_t* size;
  void begin_epoch(std::size_t, std::size_t) {}
  void batch_done(std::size_t, double, double) { counts[(*size)++] = allocations; }
  void end_epoch(const ctgraph::epoch_stats&) {}
};

template <class Graph, std::size_t Batch>
void check_recurrent_steps_allocate_nothing() {
  ctgraph::model<Graph, Batch> net(1);
  ctgraph::random_engine rng(2);
  for (float& v : net.input()) v = float(rng.uniform(-1.0, 1.0));
  for (float& v : net.target()) v = float(rng.uniform(-0.5, 0.5));
  const auto optimizer = ctgraph::keras_adam(0.01);
  const double first = net.train_step(ctgraph::mean_squared_error{}, optimizer);

  const std::size_t before = allocations;
  double loss = 0;
  for (int step = 0; step < 100; ++step) loss = net.train_step(ctgraph::mean_squared_error{}, optimizer);
  CHECK(allocations == before);
  CHECK(loss < first);  // the steps trained
}
constexpr auto sequence = ctgraph::input<20, 3>;
}  // namespace

TEST_CASE("allocation: fit's steps, with the divergence and signal checks, allocate nothing within an epoch") {
  ctgraph::model<golden_feature::graph_type, 32> net(1);
  const auto data = golden_feature::make_data(32 * 20, 2);
  std::size_t counts[64] = {}, size = 0;
  ctgraph::stop_on_signals guard;
  for (const auto divergence : {ctgraph::on_divergence::stop, ctgraph::on_divergence::skip_batch}) {
    size = 0;
    ctgraph::fit(net, ctgraph::binary_crossentropy{}, ctgraph::keras_adam(0.003), data,
                 {.epochs = 1, .divergence = divergence}, ctgraph::binary_accuracy{}, allocation_log{counts, &size});
    REQUIRE(size == 20);
    for (std::size_t b = 1; b < size; ++b) CHECK(counts[b] == counts[0]);
  }
}

TEST_CASE("allocation: 100 training steps of a stacked GRU (T = 20, scan) allocate nothing") {
  constexpr auto g = ctgraph::dense<1>(ctgraph::gru<8>(ctgraph::gru<8>(sequence, ctgraph::return_sequences)));
  check_recurrent_steps_allocate_nothing<std::remove_const_t<decltype(g)>, 16>();
}

TEST_CASE("allocation: 100 training steps of an LSTM at batch 1 allocate nothing") {
  constexpr auto g = ctgraph::dense<1>(ctgraph::lstm<32>(sequence));
  check_recurrent_steps_allocate_nothing<std::remove_const_t<decltype(g)>, 1>();
}

TEST_CASE("allocation: training steps through embedding, conv1d, pooling, layer_norm and dropout allocate nothing") {
  using namespace ctgraph;
  constexpr auto tokens = input<16>;
  constexpr auto g = dense<3>(dropout<0.3>(layer_norm(global_max_pool1d(conv1d<8, 3>(embedding<20, 6>(tokens), activation::relu)))),
                              activation::softmax);
  model<std::remove_const_t<decltype(g)>, 32> net(1);
  random_engine rng(2);
  for (float& v : net.input()) v = float(rng.below(20));
  for (std::size_t r = 0; r < 32; ++r) net.target()[r] = float(r % 3);
  const auto optimizer = keras_adam(0.01);
  const double first = net.train_step(categorical_crossentropy{}, optimizer);
  const std::size_t before = allocations;
  double loss = 0;
  for (int step = 0; step < 100; ++step) loss = net.train_step(categorical_crossentropy{}, optimizer);
  net.forward();
  CHECK(allocations == before);
  CHECK(loss < 0.8 * first);  // it learned (dropout and all)
}

TEST_CASE("allocation: fit's steps on a multi_dataset (two named inputs, two outputs, weighted_sum) allocate nothing") {
  using namespace ctgraph;
  constexpr auto left = named_input<"left", 5, 3>;
  constexpr auto right = named_input<"right", 4>;
  constexpr auto shared = dense<8>(concat(flatten(left), right), activation::tanh);
  constexpr auto g = outputs(dense<1>(shared), dense<3>(concat(shared, right), activation::softmax));
  using loss = weighted_sum<0.7, mean_squared_error, 0.3, categorical_crossentropy>;
  model<std::remove_const_t<decltype(g)>, 16> net(1);
  constexpr std::size_t n = 16 * 20;
  random_engine rng(2);
  multi_dataset<2, 2> data;
  data.x = {named_rows<float>{"left", xt::xtensor<float, 2>({n, 15})}, named_rows<float>{"right", xt::xtensor<float, 2>({n, 4})}};
  data.y = {xt::xtensor<float, 2>({n, 1}), xt::xtensor<float, 2>({n, 1})};
  for (auto& v : data.x[0].values) v = float(rng.uniform(-1, 1));
  for (auto& v : data.x[1].values) v = float(rng.uniform(-1, 1));
  for (std::size_t s = 0; s < n; ++s) data.y[0](s, 0) = data.x[1].values(s, 0), data.y[1](s, 0) = float(s % 3);
  std::size_t counts[64] = {}, size = 0;
  const auto history = fit(net, loss{}, keras_adam(0.01), data, {.epochs = 1}, no_metric{}, allocation_log{counts, &size});
  REQUIRE(size == 20);
  for (std::size_t b = 1; b < size; ++b) CHECK(counts[b] == counts[0]);
  CHECK(std::isfinite(history.back().loss));
}

TEST_CASE("allocation: fit's steps on 2 threads allocate nothing within an epoch (the threads start with fit)") {
  ctgraph::model<golden_feature::graph_type, golden_feature::batch> net(1);
  const auto data = golden_feature::make_data(golden_feature::batch * 12, 2);
  std::size_t counts[64] = {}, size = 0;
  ctgraph::fit(net, ctgraph::binary_crossentropy{}, ctgraph::keras_adam(0.003), data, {.epochs = 1, .threads = 2},
               ctgraph::binary_accuracy{}, allocation_log{counts, &size});
  REQUIRE(size == 12);
  for (std::size_t b = 1; b < size; ++b) CHECK(counts[b] == counts[0]);
}
