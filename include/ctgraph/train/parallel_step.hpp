// A training step on several threads. The batch is cut into a fixed number of grains, of
// grain_rows rows each; each grain's forward and backward passes run in a model of grain_rows rows
// of its own (a replica: its own values and gradients, reading the whole model's parameters in
// place), and the grains' gradients, each weighted by its share of the batch's rows, are summed in
// grain order, every thread summing a range of the parameters. The optimizer's update, where it
// takes each parameter's step from its own gradient and state alone (update_range: Adam, SGD), is
// shared out by the same ranges.
//
// The grains do not depend on the thread count, and neither does the order of the sum: a step
// gives the same bits on 2, 3 or 8 threads, and the same as one thread within float rounding (one
// thread computes the batch as one product, not as grains). Threads are started once, when fit
// starts, and parked on a barrier between steps: a step starts none and allocates nothing.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ctgraph/detail/denormals.hpp"
#include "ctgraph/detail/spin_barrier.hpp"
#include "ctgraph/ops/outputs.hpp"
#include "ctgraph/train/model.hpp"

namespace ctgraph {

namespace detail {
/// Up to 8 grains of at least 32 rows: fewer rows than that and a grain's products are too short
/// to keep a core's vector units busy, so that more threads would not make a step faster.
constexpr std::size_t default_grain_rows(std::size_t batch) {
  for (std::size_t grains : {8, 4, 2})
    if ((batch + grains - 1) / grains >= 32) return (batch + grains - 1) / grains;
  return batch;
}
}  // namespace detail

/// The rows of one grain of a threaded step of a model<Graph, Batch>: Batch / grain_rows grains
/// (rounded up) can run at once. Specialise it for a graph whose best cut differs, for the graph's
/// type without const (model::graph): decltype of a constexpr graph is const, and is not looked up.
template <class Graph, std::size_t Batch>
inline constexpr std::size_t grain_rows = detail::default_grain_rows(Batch);

/// How many grains a step of Model is cut into: the most threads fit can use for it.
template <class Model>
inline constexpr std::size_t step_grains =
    (Model::batch_size + grain_rows<typename Model::graph, Model::batch_size> - 1) /
    grain_rows<typename Model::graph, Model::batch_size>;

/// The threads fit trains Model on when asked for `requested`: at most one per grain.
template <class Model>
constexpr std::size_t training_threads(std::size_t requested) {
  return std::clamp<std::size_t>(requested, 1, step_grains<Model>);
}

namespace detail {

/// The loss summed over a step's rows, and the metric's hits among them.
struct step_result {
  double loss = 0;
  std::size_t hits = 0;
};

/// Whether an optimizer updates a range of the parameters on its own (update_range), so that
/// threads can share out its update; else one thread updates them all.
template <class Optimizer, class S>
concept updates_by_range = requires(const Optimizer& o, S* p, const S* g, std::size_t n) {
  o.update_range(p, g, p, n, std::uint64_t{1}, n, n);
};

template <class Model, class Loss, class Optimizer, class Metric, std::size_t TargetWidth>
class parallel_step {
  using scalar = typename Model::scalar;
  using plan = typename Model::plan;
  static constexpr std::size_t batch = Model::batch_size;
  static constexpr std::size_t rows = grain_rows<typename Model::graph, batch>;
  static constexpr std::size_t grains = step_grains<Model>;
  static constexpr std::size_t parameters = Model::parameter_count;
  using replica = model<typename Model::graph, rows, scalar>;

 public:
  parallel_step(Model& net, const Loss& loss, const Optimizer& optimizer, std::size_t threads)
      : net_(net), loss_(loss), optimizer_(optimizer), threads_(training_threads<Model>(threads)), start_(threads_), computed_(threads_),
        summed_(threads_) {
    if constexpr (is_outputs<typename Model::output_node>)
      throw std::invalid_argument("ctgraph: fit: threads = " + std::to_string(threads) +
                                  ": a graph of several outputs trains on one thread (its targets are one block "
                                  "per output, which a grain of rows does not cut)");
    replicas_.reserve(grains);
    for (std::size_t g = 0; g < grains; ++g) {
      replicas_.push_back(std::make_unique<replica>(net.seed_));
      replicas_.back()->shared_params_ = net.params();
      replicas_.back()->first_row_ = g * rows;
    }
    workers_.reserve(threads_ - 1);
    try {
      for (std::size_t t = 1; t < threads_; ++t) workers_.emplace_back([this, t] { work_until_stopped(t); });
    } catch (...) {
      // The barriers count every thread: the ones started are told to leave before they wait.
      go_.store(abandoned, std::memory_order_release);
      go_.notify_all();
      for (auto& w : workers_) w.join();
      throw;
    }
    go_.store(running, std::memory_order_release);
    go_.notify_all();
  }

  parallel_step(const parallel_step&) = delete;
  parallel_step& operator=(const parallel_step&) = delete;

  ~parallel_step() {
    stop_.store(true, std::memory_order_relaxed);  // published by the barrier
    start_.arrive_and_wait();
    for (auto& w : workers_) w.join();
  }

  std::size_t threads() const { return threads_; }

  /// compute_gradients of the model's input() and target() rows [0, count): the model's
  /// gradients() then hold the gradient of the mean loss over them, as one thread's would.
  step_result operator()(std::size_t count) {
    count_ = count;
    phase_ = phase::gradients;  // published by the barrier
    start_.arrive_and_wait();
    {
      const denormals_flushed flushed;
      work(0);
    }
    step_result out;
    for (std::size_t g = 0; g < grains; ++g) out.loss += loss_of_[g], out.hits += hits_of_[g];
    return out;
  }

  /// The optimizer's update of every parameter from gradients() (model::update), each thread
  /// updating its range of them where the optimizer allows it.
  void update() {
    if constexpr (updates_by_range<Optimizer, scalar>) {
      ++net_.step_;
      phase_ = phase::update;
      start_.arrive_and_wait();
      {
        const denormals_flushed flushed;
        update_part(0);
      }
      summed_.arrive_and_wait();  // every range updated before anything reads the parameters
    } else {
      net_.update(optimizer_);
    }
  }

 private:
  static constexpr int waiting = 0, running = 1, abandoned = 2;

  void work_until_stopped(std::size_t t) {
    go_.wait(waiting, std::memory_order_acquire);
    if (go_.load(std::memory_order_acquire) == abandoned) return;
    const denormals_flushed flushed;  // the mode is each thread's own
    for (;;) {
      start_.arrive_and_wait();
      if (stop_.load(std::memory_order_relaxed)) return;
      if (phase_ == phase::update) {
        update_part(t);
        summed_.arrive_and_wait();
      } else {
        work(t);
      }
    }
  }

  // Thread t's range of the parameters, in the sum of the grains' gradients and in the update.
  std::size_t range_begin(std::size_t t) const { return t * parameters / threads_; }

  void update_part(std::size_t t) {
    if constexpr (updates_by_range<Optimizer, scalar>)
      optimizer_.update_range(net_.params(), net_.param_grads(), net_.state(), parameters, net_.step_,
                              range_begin(t), range_begin(t + 1));
  }

  // Thread t's part of a step: grains t, t + threads, ...; then its range of the sum.
  void work(std::size_t t) {
    for (std::size_t g = t; g < grains; g += threads_) {
      replica& r = *replicas_[g];
      const std::size_t first = g * rows;
      count_of_[g] = first < count_ ? std::min(rows, count_ - first) : 0;
      loss_of_[g] = 0, hits_of_[g] = 0;
      if (count_of_[g] == 0) continue;
      copy_rows(r, first);
      r.seed_ = net_.seed_, r.step_ = net_.step_;  // the whole model's dropout masks
      loss_of_[g] = r.compute_gradients(loss_, count_of_[g]);
      hits_of_[g] = Metric::hits(r.output().data(), r.target().data(), count_of_[g], Model::output_size, TargetWidth);
    }
    computed_.arrive_and_wait();
    // A grain's gradient is of its rows' mean loss; the batch's is the mean over all its rows.
    const std::size_t lo = range_begin(t), hi = range_begin(t + 1);
    scalar* sum = net_.param_grads();
    const scalar first_share = share(0);
    const scalar* part = replicas_[0]->param_grads();  // grain 0 always has rows
    for (std::size_t i = lo; i < hi; ++i) sum[i] = first_share * part[i];
    for (std::size_t g = 1; g < grains; ++g) {
      if (count_of_[g] == 0) continue;
      const scalar w = share(g);
      part = replicas_[g]->param_grads();
      for (std::size_t i = lo; i < hi; ++i) sum[i] += w * part[i];
    }
    summed_.arrive_and_wait();
  }

  scalar share(std::size_t g) const { return scalar(double(count_of_[g]) / double(count_)); }

  // Rows [first, first + rows) of every input and of the targets into the replica; past the
  // batch's end (its last grain may be short), zeros, as fit pads a batch.
  void copy_rows(replica& r, std::size_t first) {
    const std::size_t real = std::min(rows, batch - first);
    const auto from = net_.context();
    const auto to = r.context();
    for_each_type<typename plan::inputs>([&]<class In>() {
      constexpr std::size_t width = In::shape::size;
      std::copy_n(from.template value<In>() + first * width, real * width, to.template value<In>());
      std::fill(to.template value<In>() + real * width, to.template value<In>() + rows * width, scalar(0));
    });
    std::copy_n(net_.targets() + first * TargetWidth, real * TargetWidth, r.targets());
    std::fill(r.targets() + real * TargetWidth, r.targets() + rows * TargetWidth, scalar(0));
  }

  enum class phase { gradients, update };

  Model& net_;
  const Loss& loss_;
  const Optimizer& optimizer_;
  const std::size_t threads_;
  std::vector<std::unique_ptr<replica>> replicas_;  // one per grain
  std::vector<std::thread> workers_;                // threads 1, 2, ...; the caller is thread 0
  spin_barrier start_, computed_, summed_;
  std::atomic<int> go_{waiting};
  std::atomic<bool> stop_{false};
  phase phase_ = phase::gradients;
  std::size_t count_ = 0;
  std::array<std::size_t, grains> count_of_{};
  std::array<double, grains> loss_of_{};
  std::array<std::size_t, grains> hits_of_{};
};

/// A step of fit: on the model itself with one thread, else on a parallel_step.
template <class Model, class Loss, class Optimizer, class Metric, std::size_t TargetWidth>
class training_step {
 public:
  training_step(Model& net, const Loss& loss, const Optimizer& optimizer, std::size_t threads)
      : net_(net), loss_(loss), optimizer_(optimizer) {
    if constexpr (step_grains<Model> > 1)
      if (training_threads<Model>(threads) > 1) parallel_ = std::make_unique<parallel>(net, loss, optimizer, threads);
  }
  std::size_t threads() const {
    if constexpr (step_grains<Model> > 1)
      if (parallel_) return parallel_->threads();
    return 1;
  }
  // Not inlined: fit's loop is compiled once per sync policy (none, and train/mpi.hpp's two), and a
  // copy of the whole step's passes in each cost compile time for no speed (one call per step).
  [[gnu::noinline]] step_result operator()(std::size_t count) {
    if constexpr (step_grains<Model> > 1)
      if (parallel_) return (*parallel_)(count);
    const double loss = net_.compute_gradients(loss_, count);
    return {loss, Metric::hits(net_.output().data(), net_.target().data(), count, Model::output_size, TargetWidth)};
  }
  /// The update of the step just computed (after any sync of its gradients).
  [[gnu::noinline]] void update() {
    if constexpr (step_grains<Model> > 1)
      if (parallel_) return parallel_->update();
    net_.update(optimizer_);
  }

 private:
  // Its step (the replica's passes) is compiled only where the model has grains to share out.
  using parallel = parallel_step<Model, Loss, Optimizer, Metric, TargetWidth>;
  Model& net_;
  const Loss& loss_;
  const Optimizer& optimizer_;
  std::unique_ptr<parallel> parallel_;
};

}  // namespace detail
}  // namespace ctgraph
