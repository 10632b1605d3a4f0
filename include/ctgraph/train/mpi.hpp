// Data-parallel training over MPI ranks, as fit's `sync` policy (fit.hpp): each rank trains on
// its own shard of the rows (shard), and
//   mpi_gradient_sum  every step, one MPI_Allreduce of one flat buffer (count_r g_r, then count_r
//                     and loss_r) gives every rank the gradient of the step's global batch,
//                     g = sum_r count_r g_r / sum_r count_r: the ranks' rows as one batch, so all
//                     ranks take the same update and keep the same parameters;
//   mpi_local_sgd     every K steps, one MPI_Allreduce averages the parameters and Adam's moments
//                     over the ranks (local SGD); in between each rank steps on its own gradients.
// Only a program that includes this header needs MPI; it calls MPI_Init and MPI_Finalize itself.
// Each policy's buffer is allocated when it is built: a step allocates nothing.
// Only MPI's C API is used: compiling with -DOMPI_SKIP_MPICXX=1 (as graphs/meson.build does) leaves
// Open MPI's deprecated C++ bindings out of mpi.h, about half a second less per file.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "ctgraph/train/fit.hpp"

namespace ctgraph {

namespace detail {
template <class S>
MPI_Datatype mpi_scalar() {
  return std::is_same_v<S, float> ? MPI_FLOAT : MPI_DOUBLE;
}

inline void check_mpi(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string("ctgraph: ") + what + ": " + std::string(text, std::size_t(length)));
}

struct mpi_ranks {
  int rank = 0, size = 1;
};

inline mpi_ranks ranks_of(MPI_Comm comm, const char* who) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) throw std::logic_error(std::string("ctgraph: ") + who + ": MPI_Init has not been called");
  mpi_ranks r;
  check_mpi(MPI_Comm_rank(comm, &r.rank), who);
  check_mpi(MPI_Comm_size(comm, &r.size), who);
  return r;
}

/// Every rank must run as many steps per epoch, or one waits in an allreduce the others never
/// reach: checked once, when a policy is built (all ranks get the same answer, so all throw).
inline void check_same_steps(MPI_Comm comm, std::size_t rows, std::size_t batch, const char* who) {
  const unsigned long long steps = (rows + batch - 1) / batch;
  unsigned long long least = 0, most = 0;
  check_mpi(MPI_Allreduce(&steps, &least, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, comm), who);
  check_mpi(MPI_Allreduce(&steps, &most, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm), who);
  if (least != most)
    throw std::invalid_argument(std::string("ctgraph: ") + who + ": the ranks' shards take " + std::to_string(least) +
                                " to " + std::to_string(most) + " batches of " + std::to_string(batch) +
                                " per epoch; every rank must take the same number of steps (shard() gives each rank "
                                "as many rows)");
}
}  // namespace detail

/// Rank `rank` of `ranks`' share of `data`: rows rank, rank + ranks, rank + 2 ranks, ..., floor(n / ranks)
/// of them on every rank, so that every rank runs the same number of steps per epoch. The last n mod ranks
/// rows (fewer than ranks) are left out. Step s of the ranks then trains rows s B .. s B + B - 1 of each
/// shard: the global batch is ranks x B rows.
template <class S>
dataset<S> shard(const dataset<S>& data, std::size_t rank, std::size_t ranks) {
  if (ranks == 0 || rank >= ranks)
    throw std::invalid_argument("ctgraph: shard: rank " + std::to_string(rank) + " of " + std::to_string(ranks));
  const std::size_t each = data.size() / ranks;
  if (each == 0)
    throw std::invalid_argument("ctgraph: shard: " + std::to_string(data.size()) + " rows cannot give each of " +
                                std::to_string(ranks) + " ranks one");
  const std::size_t x_width = data.x.shape()[1], y_width = data.y.shape()[1];
  dataset<S> out{xt::xtensor<S, 2>({each, x_width}), xt::xtensor<S, 2>({each, y_width})};
  for (std::size_t i = 0; i < each; ++i) {
    std::copy_n(&data.x(i * ranks + rank, 0), x_width, &out.x(i, 0));
    std::copy_n(&data.y(i * ranks + rank, 0), y_width, &out.y(i, 0));
  }
  return out;
}

/// fit's sync: every step, the gradient of the ranks' batches taken as one (one MPI_Allreduce).
/// A rank whose batch has no rows (count 0) contributes nothing. When any rank's loss is not finite,
/// every rank's gradient is made NaN, so that all stop (or skip that step) together.
template <class Model>
class mpi_gradient_sum {
 public:
  using scalar = typename Model::scalar;

  /// `rows`: this rank's shard size, checked to give every rank as many steps per epoch.
  explicit mpi_gradient_sum(std::size_t rows, MPI_Comm comm = MPI_COMM_WORLD)
      : comm_(comm), ranks_(detail::ranks_of(comm, "mpi_gradient_sum")), buffer_(Model::parameter_count + 2) {
    detail::check_same_steps(comm, rows, Model::batch_size, "mpi_gradient_sum");
  }

  void after_gradients(Model& net, double loss, std::size_t count) {
    constexpr std::size_t n = Model::parameter_count;
    const auto g = net.writable_gradients();
    const scalar weight = scalar(count);
    if (count == 0)
      std::fill_n(buffer_.data(), n, scalar(0));  // its gradient is of an empty mean: not a number to add
    else
      for (std::size_t i = 0; i < n; ++i) buffer_[i] = weight * g[i];
    buffer_[n] = weight;
    buffer_[n + 1] = scalar(count == 0 ? 0.0 : loss);
    detail::check_mpi(MPI_Allreduce(MPI_IN_PLACE, buffer_.data(), int(buffer_.size()), detail::mpi_scalar<scalar>(),
                                    MPI_SUM, comm_),
                      "mpi_gradient_sum");
    const scalar total = buffer_[n];
    rows_ = std::size_t(total);
    loss_ = double(buffer_[n + 1]);
    const scalar scale = std::isfinite(loss_) ? (total > 0 ? scalar(1) / total : scalar(0))
                                              : std::numeric_limits<scalar>::quiet_NaN();
    for (std::size_t i = 0; i < n; ++i) g[i] = buffer_[i] * scale;
  }

  /// The last step's rows over all ranks, and their loss summed.
  std::size_t last_rows() const { return rows_; }
  double last_loss() const { return loss_; }
  int rank() const { return ranks_.rank; }
  int ranks() const { return ranks_.size; }

 private:
  MPI_Comm comm_;
  detail::mpi_ranks ranks_;
  std::vector<scalar> buffer_;
  std::size_t rows_ = 0;
  double loss_ = 0;
};

/// fit's sync for local SGD: each rank steps on its own gradients, and every `every` steps (before
/// the update of steps every + 1, 2 every + 1, ...) one MPI_Allreduce averages the parameters and
/// the optimizer's moments over the ranks. After fit, finish() averages the steps since the last
/// sync, so that every rank ends with the same model.
template <class Model>
class mpi_local_sgd {
 public:
  using scalar = typename Model::scalar;

  mpi_local_sgd(std::size_t every, std::size_t rows, MPI_Comm comm = MPI_COMM_WORLD)
      : comm_(comm), ranks_(detail::ranks_of(comm, "mpi_local_sgd")), every_(every),
        buffer_(3 * Model::parameter_count) {
    if (every == 0) throw std::invalid_argument("ctgraph: mpi_local_sgd: sync every 0 steps: use 1 or more");
    detail::check_same_steps(comm, rows, Model::batch_size, "mpi_local_sgd");
  }

  void after_gradients(Model& net, double, std::size_t) {
    if (unsynced_ == every_) average(net);
    ++unsynced_;
  }

  /// Averages the updates since the last sync, if any: the ranks then hold the same model.
  void finish(Model& net) {
    if (unsynced_ > 0) average(net);
  }

  /// Averages parameters and optimizer state over the ranks now (a collective: every rank calls it).
  void average(Model& net) {
    constexpr std::size_t n = Model::parameter_count;
    const auto p = net.parameters();
    const auto state = net.optimizer_state();
    std::copy(p.begin(), p.end(), buffer_.begin());
    std::copy(state.begin(), state.end(), buffer_.begin() + n);
    detail::check_mpi(MPI_Allreduce(MPI_IN_PLACE, buffer_.data(), int(buffer_.size()), detail::mpi_scalar<scalar>(),
                                    MPI_SUM, comm_),
                      "mpi_local_sgd");
    const scalar share = scalar(1) / scalar(ranks_.size);
    for (std::size_t i = 0; i < n; ++i) p[i] = buffer_[i] * share;
    for (std::size_t i = 0; i < 2 * n; ++i) state[i] = buffer_[n + i] * share;
    unsynced_ = 0;
    ++syncs_;
  }

  std::size_t syncs() const { return syncs_; }
  int rank() const { return ranks_.rank; }
  int ranks() const { return ranks_.size; }

 private:
  MPI_Comm comm_;
  detail::mpi_ranks ranks_;
  std::size_t every_;
  std::vector<scalar> buffer_;
  std::size_t unsynced_ = 0;  // updates since the last average (the step in hand is not yet one)
  std::size_t syncs_ = 0;
};

}  // namespace ctgraph
