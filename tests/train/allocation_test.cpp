// Counts every heap allocation of the process (replacement operator new) and
// proves that a training step makes none.
#include <atomic>
#include <cstdlib>
#include <new>

#include <doctest/doctest.h>

#include "golden_feature/golden_feature.hpp"

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
