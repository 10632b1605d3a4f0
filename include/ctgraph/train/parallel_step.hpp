// A training step on several threads. The batch is cut into a fixed number of grains, of
// grain_rows rows each; each grain's forward and backward passes run in a model of grain_rows rows
// of its own (a replica: its own values and gradients, reading its thread's parameters in place),
// and the grains' gradients, each weighted by its share of the batch's rows, are summed in grain
// order.
//
// Each thread keeps a copy of the model (its parameters, summed gradient and optimizer state) and
// updates it itself: every thread sums every grain's gradient, in the same order, and takes the
// same optimizer step, so the copies stay the same bits as the model, with no cache line written
// by one core and read by another between steps except the grains' gradients. Sharing the update
// out by parameter ranges instead cost a 2-core Zen 4 guest 2-3.4 us a step against 1-1.4 us for
// the whole update on one thread (each range's parameters were shared with the other core's reads)
// and two more barriers. Where a copy could not follow the model (a sync between the gradients and
// the update that changes the model, as MPI's do), the model's thread sums and updates alone and
// the other threads' grains read its parameters.
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
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "ctgraph/detail/all_finite.hpp"
#include "ctgraph/detail/buffer.hpp"
#include "ctgraph/detail/denormals.hpp"
#include "ctgraph/detail/spin_barrier.hpp"
#include "ctgraph/ops/outputs.hpp"
#include "ctgraph/train/model.hpp"

namespace ctgraph {

namespace detail {
/// Up to 4 grains of at least 32 rows: fewer rows than that and a grain's products are too short
/// to keep a core's vector units busy, so that more threads would not make a step faster; and
/// every thread sums every grain's gradient, so that more grains cost each thread more. (8 grains
/// of 32 rows made golden_feature's 2-thread step 12% slower than 4 of 64.)
constexpr std::size_t default_grain_rows(std::size_t batch) {
  for (std::size_t grains : {4, 2})
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

/// A step's source of rows, or a tag (char) where the model holds its batch already (Source void).
template <class Source>
using source_of = std::conditional_t<std::is_void_v<Source>, char, Source>;

/// The loss summed over a step's rows, and the metric's hits among them.
struct step_result {
  double loss = 0;
  std::size_t hits = 0;
};

/// Where a threaded step's rows come from. void: the model's input() and target() hold the batch,
/// and each grain copies its rows from there. Else fit's source of samples (row_source,
/// multi_source): each thread gathers its grains' rows from the data set itself, in parallel and
/// into its own cache, and asks for the same grains of the next batch (its prefetch).
template <class Model, class Loss, class Optimizer, class Metric, std::size_t TargetWidth, class Source>
class parallel_step {
  using scalar = typename Model::scalar;
  using plan = typename Model::plan;
  static constexpr std::size_t batch = Model::batch_size;
  static constexpr std::size_t rows = grain_rows<typename Model::graph, batch>;
  static constexpr std::size_t grains = step_grains<Model>;
  static constexpr std::size_t parameters = Model::parameter_count;
  using replica = model<typename Model::graph, rows, scalar>;

 public:
  /// `mirrored`: each thread updates a copy of the model itself; false where something other than
  /// update() changes the model between steps (fit's sync), so that only the model's thread may.
  parallel_step(Model& net, const Loss& loss, const Optimizer& optimizer, std::size_t threads, bool mirrored = true,
                const source_of<Source>* source = nullptr)
      : net_(net), loss_(loss), optimizer_(optimizer), threads_(training_threads<Model>(threads)), mirrored_(mirrored),
        source_(source), start_(threads_), computed_(threads_) {
    if constexpr (is_outputs<typename Model::output_node>)
      throw std::invalid_argument("ctgraph: fit: threads = " + std::to_string(threads) +
                                  ": a graph of several outputs trains on one thread (its targets are one block "
                                  "per output, which a grain of rows does not cut)");
    if (mirrored_) {
      copies_.reserve(threads_ - 1);
      for (std::size_t t = 1; t < threads_; ++t) {
        copies_.emplace_back(copy_size);
        std::copy_n(net.params(), parameters, copies_.back().data());
        std::copy_n(net.state(), 2 * parameters, copies_.back().data() + state_at);
      }
    }
    replicas_.reserve(grains);
    for (std::size_t g = 0; g < grains; ++g) {
      replicas_.push_back(std::make_unique<replica>(net.seed_));
      replicas_.back()->shared_params_ = mirrored_ ? params_of(g % threads_) : net.params();
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

  /// compute_gradients of the batch's rows [0, count): the model's gradients() then hold the
  /// gradient of the mean loss over them, as one thread's would. The batch is the model's input()
  /// and target() rows (Source void), or the source's rows order[0, count) (the model's input()
  /// is then not written); `next` and `next_count`, the next batch's, to prefetch (or null).
  step_result operator()(std::size_t count, const std::size_t* order = nullptr, const std::size_t* next = nullptr,
                         std::size_t next_count = 0) {
    count_ = count;  // published by the barrier
    order_ = order, next_ = next, next_count_ = next_count;
    ++steps_;
    start_.arrive_and_wait();
    const denormals_flushed flushed;
    work(0);
    return {total_loss(), total_hits()};
  }

  /// The optimizer's update of the model from gradients() (model::update). The other threads
  /// update their copies themselves, where the step's loss and gradient are finite (fit's rule).
  void update() { net_.update(optimizer_); }

  /// Whether every thread's copy of the model is the model's parameters and optimizer state, bit
  /// for bit, once the threads have finished the last step (for tests: a step and its update must
  /// leave it so).
  bool copies_match() const {
    for (std::size_t t = 1; t < copies_.size() + 1; ++t) {
      while (finished_[t].load(std::memory_order_acquire) != steps_) cpu_relax();
      const scalar* copy = copies_[t - 1].data();
      if (!std::equal(copy, copy + parameters, net_.params()) ||
          !std::equal(copy + state_at, copy + state_at + 2 * parameters, net_.state()))
        return false;
    }
    return true;
  }

 private:
  static constexpr int waiting = 0, running = 1, abandoned = 2;
  // A thread's copy: its parameters, its summed gradient, then the optimizer's state (2 per
  // parameter), laid out as in the model, so that each loop over them is cut into vectors at the
  // same places as the model's thread cuts its own (the same bits even where a compiler's vector
  // code rounds differently from its scalar code).
  static constexpr std::size_t grads_at = parameters;
  static constexpr std::size_t state_at = 2 * parameters;
  static constexpr std::size_t copy_size = 4 * parameters;

  scalar* params_of(std::size_t t) const { return t == 0 ? net_.params() : const_cast<scalar*>(copies_[t - 1].data()); }
  scalar* grads_of(std::size_t t) const { return t == 0 ? net_.param_grads() : params_of(t) + grads_at; }

  void work_until_stopped(std::size_t t) {
    go_.wait(waiting, std::memory_order_acquire);
    if (go_.load(std::memory_order_acquire) == abandoned) return;
    const denormals_flushed flushed;  // the mode is each thread's own
    for (std::uint64_t steps = 1;; ++steps) {
      start_.arrive_and_wait();
      if (stop_.load(std::memory_order_relaxed)) return;
      // The model's step count, which its thread changes only in update(), after this step's
      // computed barrier: the count this thread's update takes too.
      const std::uint64_t step = net_.step_;
      work(t);
      // The update the model's thread makes when fit finds the step finite: the same sum, the
      // same test, the same optimizer step on the same bits.
      if (mirrored_ && step_is_finite(total_loss(), std::span<const scalar>(grads_of(t), parameters))) {
        scalar* copy = params_of(t);
        optimizer_.update(copy, copy + grads_at, copy + state_at, parameters, step + 1);
      }
      finished_[t].store(steps, std::memory_order_release);
    }
  }

  // Thread t's part of a step: grains t, t + threads, ...; then, where it keeps a copy of the
  // model, every grain's gradient summed into the copy's.
  void work(std::size_t t) {
    const std::size_t count = count_;  // the model's thread sets the next step's before this thread's sum ends
    for (std::size_t g = t; g < grains; g += threads_) {
      replica& r = *replicas_[g];
      const std::size_t first = g * rows;
      count_of_[g] = first < count ? std::min(rows, count - first) : 0;
      loss_of_[g] = 0, hits_of_[g] = 0;
      if (count_of_[g] == 0) continue;
      fill_rows(r, g, count_of_[g]);
      r.seed_ = net_.seed_, r.step_ = net_.step_;  // the whole model's dropout masks
      loss_of_[g] = r.compute_gradients(loss_, count_of_[g]);
      hits_of_[g] = Metric::hits(r.output().data(), r.target().data(), count_of_[g], Model::output_size, TargetWidth);
    }
    // The grains' gradients are read by every thread that sums them; the next step's passes
    // overwrite them only after every thread has passed the next start (its sum done).
    computed_.arrive_and_wait();
    if (t == 0 || mirrored_) sum_gradients(grads_of(t), count);
  }

  // A grain's gradient is of its rows' mean loss; the batch's is the mean over all its rows.
  void sum_gradients(scalar* sum, std::size_t count) const {
    const scalar first_share = share(0, count);
    const scalar* part = replicas_[0]->param_grads();  // grain 0 always has rows
    for (std::size_t i = 0; i < parameters; ++i) sum[i] = first_share * part[i];
    for (std::size_t g = 1; g < grains; ++g) {
      if (count_of_[g] == 0) continue;
      const scalar w = share(g, count);
      part = replicas_[g]->param_grads();
      for (std::size_t i = 0; i < parameters; ++i) sum[i] += w * part[i];
    }
  }

  double total_loss() const {
    double loss = 0;
    for (std::size_t g = 0; g < grains; ++g) loss += loss_of_[g];
    return loss;
  }
  std::size_t total_hits() const {
    std::size_t hits = 0;
    for (std::size_t g = 0; g < grains; ++g) hits += hits_of_[g];
    return hits;
  }

  scalar share(std::size_t g, std::size_t count) const { return scalar(double(count_of_[g]) / double(count)); }

  // Grain g's rows into its replica, zeros past the batch's `count` rows, as fit pads a batch.
  void fill_rows(replica& r, std::size_t g, std::size_t count) {
    const std::size_t first = g * rows;
    if constexpr (std::is_void_v<Source>) {
      copy_rows(r, first);
    } else {
      source_->gather(r, order_ + first, count);
      if (next_ != nullptr && first < next_count_) source_->prefetch(next_ + first, std::min(rows, next_count_ - first));
    }
  }

  // Rows [first, first + rows) of every input and of the targets into the replica; past the
  // batch's end (its last grain may be short), zeros, as fit pads a batch.
  void copy_rows(replica& r, std::size_t first) {
    const std::size_t real = std::min(rows, batch - first);
    const auto from = net_.context();
    const auto to = r.context();
    for_each_type<typename plan::inputs>([&]<class In>() {
      constexpr std::size_t width = In::shape::size;
      std::copy_n(from.template value<In>() + first * width, real * width, to.template value<In>());
      if (real < rows) std::fill(to.template value<In>() + real * width, to.template value<In>() + rows * width, scalar(0));
    });
    std::copy_n(net_.targets() + first * TargetWidth, real * TargetWidth, r.targets());
    if (real < rows) std::fill(r.targets() + real * TargetWidth, r.targets() + rows * TargetWidth, scalar(0));
  }

  Model& net_;
  const Loss& loss_;
  const Optimizer& optimizer_;
  const std::size_t threads_;
  const bool mirrored_;
  const source_of<Source>* source_;
  std::vector<aligned_buffer<scalar>> copies_;      // threads 1, 2, ...: their copies of the model
  std::vector<std::unique_ptr<replica>> replicas_;  // one per grain
  std::vector<std::thread> workers_;                // threads 1, 2, ...; the caller is thread 0
  spin_barrier start_, computed_;
  std::atomic<int> go_{waiting};
  std::atomic<bool> stop_{false};
  std::size_t count_ = 0;
  const std::size_t* order_ = nullptr;  // the batch's rows in the source, and the next batch's
  const std::size_t* next_ = nullptr;
  std::size_t next_count_ = 0;
  std::uint64_t steps_ = 0;                                        // steps begun, counted by the model's thread
  std::array<std::atomic<std::uint64_t>, grains> finished_{};  // steps each thread has finished
  std::array<std::size_t, grains> count_of_{};
  std::array<double, grains> loss_of_{};
  std::array<std::size_t, grains> hits_of_{};
};

/// A step of fit: on the model itself with one thread, else on a parallel_step.
template <class Model, class Loss, class Optimizer, class Metric, std::size_t TargetWidth, class Source = void>
class training_step {
 public:
  /// `mirrored` and `source`: parallel_step's; mirrored false where fit's sync changes the model
  /// between gradients and update.
  training_step(Model& net, const Loss& loss, const Optimizer& optimizer, std::size_t threads, bool mirrored = true,
                const source_of<Source>* source = nullptr)
      : net_(net), loss_(loss), optimizer_(optimizer), source_(source) {
    if constexpr (step_grains<Model> > 1)
      if (training_threads<Model>(threads) > 1)
        parallel_ = std::make_unique<parallel>(net, loss, optimizer, threads, mirrored, source);
  }
  std::size_t threads() const {
    if constexpr (step_grains<Model> > 1)
      if (parallel_) return parallel_->threads();
    return 1;
  }
  // Not inlined: fit's loop is compiled once per sync policy (none, and train/mpi.hpp's two), and a
  // copy of the whole step's passes in each cost compile time for no speed (one call per step).
  // order, next and next_count: parallel_step's.
  [[gnu::noinline]] step_result operator()(std::size_t count, const std::size_t* order = nullptr,
                                           const std::size_t* next = nullptr, std::size_t next_count = 0) {
    if constexpr (step_grains<Model> > 1)
      if (parallel_) return (*parallel_)(count, order, next, next_count);
    if constexpr (!std::is_void_v<Source>) {
      source_->gather(net_, order, count);
      if (next != nullptr) source_->prefetch(next, next_count);
    }
    const double loss = net_.compute_gradients(loss_, count);
    return {loss, Metric::hits(net_.output().data(), net_.target().data(), count, Model::output_size, TargetWidth)};
  }
  /// The update of the step just computed (after any sync of its gradients), made only when the
  /// step's loss and gradient are finite (detail::step_is_finite).
  [[gnu::noinline]] void update() { net_.update(optimizer_); }
  /// For tests: parallel_step::copies_match, or true on one thread.
  bool copies_match() const {
    if constexpr (step_grains<Model> > 1)
      if (parallel_) return parallel_->copies_match();
    return true;
  }

 private:
  // Its step (the replica's passes) is compiled only where the model has grains to share out.
  using parallel = parallel_step<Model, Loss, Optimizer, Metric, TargetWidth, Source>;
  Model& net_;
  const Loss& loss_;
  const Optimizer& optimizer_;
  const source_of<Source>* source_;
  std::unique_ptr<parallel> parallel_;
};

}  // namespace detail
}  // namespace ctgraph
