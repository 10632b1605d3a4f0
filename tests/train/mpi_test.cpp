// train/mpi.hpp under `mpirun -n 2` (tests/meson.build): every rank runs every case in the same
// order, so each collective is matched. Only CHECKs: a REQUIRE that ended a case on one rank would
// leave the other waiting in an allreduce.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <mpi.h>

#include <atomic>
#include <cstdlib>
#include <ctgraph/train/mpi.hpp>
#include <new>
#include <xtensor/xadapt.hpp>

#include "golden_feature/golden_feature.hpp"

// Every heap allocation of the process through operator new, as allocation_test.cpp counts them.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<std::size_t> allocations{0};
void* counted(std::size_t size, std::size_t alignment) {
  ++allocations;
  void* p = alignment > alignof(std::max_align_t)
                ? std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)
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

using namespace ctgraph;

namespace {
constexpr std::size_t B = 8;
using net_b = model<golden_feature::graph_type, B, double>;       // one rank's batch
using net_2b = model<golden_feature::graph_type, 2 * B, double>;  // the two ranks' batches as one

int rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

dataset<double> golden_rows(std::size_t n, std::uint64_t seed) {
  const auto d = golden_feature::make_data(n, seed);
  return {xt::cast<double>(d.x), xt::cast<double>(d.y)};
}

/// The largest |value - rank 0's value| over every rank.
double spread_from_rank0(std::span<const double> values) {
  std::vector<double> first(values.begin(), values.end());
  MPI_Bcast(first.data(), int(first.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  double mine = 0, most = 0;
  for (std::size_t i = 0; i < values.size(); ++i) mine = std::max(mine, std::abs(values[i] - first[i]));
  MPI_Allreduce(&mine, &most, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return most;
}

/// Rows [first, first + count) of d into the model's input and target.
template <class Model>
void load_rows(Model& net, const dataset<double>& d, std::size_t first, std::size_t count) {
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), first);
  detail::gather<1>(net, d.x, &d.y, order.data(), count);
}
}  // namespace

TEST_CASE("shard: each rank takes every ranks-th row from its own, as many rows on every rank") {
  const auto data = golden_rows(11, 3);
  const auto mine = shard(data, std::size_t(rank()), 2);
  CHECK(mine.size() == 5);  // 11 rows over 2 ranks: 5 each, the 11th left out
  for (std::size_t i = 0; i < mine.size(); ++i)
    CHECK(mine.x(i, 7) == data.x(2 * i + std::size_t(rank()), 7));
  CHECK_THROWS_WITH_AS(shard(data, 2, 2), "ctgraph: shard: rank 2 of 2", std::invalid_argument);
  CHECK_THROWS_WITH_AS(shard(golden_rows(1, 3), 0, 2), "ctgraph: shard: 1 rows cannot give each of 2 ranks one",
                       std::invalid_argument);
}

TEST_CASE("mpi_gradient_sum: every rank gets the gradient of all ranks' rows as one batch") {
  const auto data = golden_rows(2 * B, 5);
  // Rank 0 has `first` rows of its batch, rank 1 the next `second` (0: its batch is empty).
  const std::pair<std::size_t, std::size_t> cases[] = {{3, 5}, {8, 8}, {4, 0}};
  for (const auto& [first, second] : cases) {
    CAPTURE(first);
    CAPTURE(second);
    net_b net(7);
    mpi_gradient_sum<net_b> sync(B);
    const std::size_t count = rank() == 0 ? first : second;
    load_rows(net, data, rank() == 0 ? 0 : first, count);
    const double loss = net.compute_gradients(binary_crossentropy{}, count);
    sync.after_gradients(net, loss, count);

    net_2b whole(7);  // the same initial parameters: the same seed
    load_rows(whole, data, 0, first + second);
    const double whole_loss = whole.compute_gradients(binary_crossentropy{}, first + second);
    double most = 0;
    for (std::size_t i = 0; i < net_b::parameter_count; ++i)
      most = std::max(most, std::abs(net.gradients()[i] - whole.gradients()[i]));
    CHECK(most < 1e-14);  // double: a few roundings of values near 1e-2 apart
    CHECK(sync.last_rows() == first + second);
    CHECK(sync.last_loss() == doctest::Approx(whole_loss).epsilon(1e-12));
  }
}

TEST_CASE("mpi_gradient_sum: a rank's non-finite loss makes every rank's gradient NaN") {
  net_b net(7);
  mpi_gradient_sum<net_b> sync(B);
  const auto data = golden_rows(B, 5);
  load_rows(net, data, 0, B);
  const double loss = net.compute_gradients(binary_crossentropy{}, B);
  sync.after_gradients(net, rank() == 1 ? std::numeric_limits<double>::infinity() : loss, B);
  CHECK(std::isnan(net.gradients()[0]));
  CHECK(!detail::all_finite(net.gradients()));
}

TEST_CASE("mpi_gradient_sum: 2 ranks at batch B train as one process at batch 2B on the same rows") {
  // 6 full steps and a last one of 3 rows a rank, over 2 epochs; the 2 x 51 + 1-th row is left out.
  const auto data = golden_rows(2 * (6 * B + 3) + 1, 11);
  const auto mine = shard(data, std::size_t(rank()), 2);
  net_b net(3);
  mpi_gradient_sum<net_b> sync(mine.size());
  const auto optimizer = keras_adam(0.003);
  fit(net, binary_crossentropy{}, optimizer, mine, {.epochs = 2, .shuffle = false}, no_metric{}, no_progress{}, sync);

  // One process: batch s is rank 0's rows of its step s, then rank 1's.
  const auto first = shard(data, 0, 2), second = shard(data, 1, 2);
  dataset<double> joined{xt::xtensor<double, 2>({2 * first.size(), first.x.shape()[1]}),
                         xt::xtensor<double, 2>({2 * first.size(), 1})};
  std::size_t row = 0;
  for (std::size_t step = 0; step * B < first.size(); ++step)
    for (const auto* part : {&first, &second})
      for (std::size_t i = step * B; i < std::min(first.size(), step * B + B); ++i, ++row) {
        xt::view(joined.x, row) = xt::view(part->x, i);
        xt::view(joined.y, row) = xt::view(part->y, i);
      }
  net_2b whole(3);
  fit(whole, binary_crossentropy{}, optimizer, joined, {.epochs = 2, .shuffle = false});

  CHECK(net.steps() == whole.steps());
  CHECK(spread_from_rank0(net.parameters()) == 0.0);  // the same sum, the same update: the same bits
  double most = 0;
  for (std::size_t i = 0; i < net_b::parameter_count; ++i)
    most = std::max(most, std::abs(net.parameters()[i] - whole.parameters()[i]));
  MESSAGE("largest parameter difference from one process at batch 2B after 14 Adam steps: " << most);
  // The sums are grouped differently (per rank, then across): double rounding, ~1e-16 relative per
  // gradient, which Adam's division by sqrt(v) + 1e-7 leaves far below 1e-13 in 14 steps (seen: 8e-17).
  CHECK(most < 1e-13);
}

TEST_CASE("mpi_gradient_sum: shards that take different numbers of steps are refused on every rank") {
  CHECK_THROWS_WITH_AS(mpi_gradient_sum<net_b>(rank() == 0 ? 2 * B : 2 * B + 1),
                       "ctgraph: mpi_gradient_sum: the ranks' shards take 2 to 3 batches of 8 per epoch; every rank "
                       "must take the same number of steps (shard() gives each rank as many rows)",
                       std::invalid_argument);
}

TEST_CASE("mpi_local_sgd: with K = 1 the ranks hold the same parameters after one step") {
  const auto mine = shard(golden_rows(2 * B, 13), std::size_t(rank()), 2);
  net_b net(3);
  mpi_local_sgd<net_b> sync(1, mine.size());
  fit(net, binary_crossentropy{}, keras_adam(0.003), mine, {.epochs = 1, .shuffle = false}, no_metric{},
      no_progress{}, sync);
  CHECK(spread_from_rank0(net.parameters()) > 1e-6);  // each rank stepped on its own rows
  sync.finish(net);
  CHECK(sync.syncs() == 1);
  CHECK(spread_from_rank0(net.parameters()) == 0.0);
  CHECK(spread_from_rank0(net.optimizer_state()) == 0.0);
}

TEST_CASE("mpi_local_sgd: with K = 3 the ranks differ between syncs and agree at each") {
  const auto mine = shard(golden_rows(2 * 10 * B, 17), std::size_t(rank()), 2);
  net_b net(3);
  mpi_local_sgd<net_b> sync(3, mine.size());
  const auto optimizer = keras_adam(0.003);
  for (std::size_t step = 0; step < 10; ++step) {
    CAPTURE(step);
    load_rows(net, mine, step * B, B);
    const double loss = net.compute_gradients(binary_crossentropy{}, B);
    sync.after_gradients(net, loss, B);
    // Before the update of steps 4, 7 and 10 (0-based 3, 6, 9) the ranks have just averaged.
    CHECK(sync.syncs() == step / 3);
    if (step > 0 && step % 3 == 0)
      CHECK(spread_from_rank0(net.parameters()) == 0.0);
    else if (step > 0)
      CHECK(spread_from_rank0(net.parameters()) > 1e-6);
    net.update(optimizer);
  }
}

TEST_CASE("mpi policies: a step through either allocates nothing") {
  const auto mine = shard(golden_rows(2 * B, 19), std::size_t(rank()), 2);
  net_b net(3);
  mpi_gradient_sum<net_b> sum(mine.size());
  mpi_local_sgd<net_b> local(2, mine.size());
  const auto optimizer = keras_adam(0.003);
  load_rows(net, mine, 0, B);
  const auto step = [&](auto& sync) {
    const double loss = net.compute_gradients(binary_crossentropy{}, B);
    sync.after_gradients(net, loss, B);
    net.update(optimizer);
  };
  step(sum), step(local);  // first calls: OpenBLAS and MPI set themselves up
  const std::size_t before = allocations;
  for (int i = 0; i < 20; ++i) step(sum);
  for (int i = 0; i < 20; ++i) step(local);
  CHECK(allocations == before);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  set_blas_threads(1);
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int failed = 0;
  if (size != 2) {
    std::fprintf(stderr, "mpi_test: run it under mpirun -n 2 (this is %d rank(s))\n", size);
    failed = 1;
  } else {
    doctest::Context context(argc, argv);
    failed = context.run() != 0;
  }
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any;
}
