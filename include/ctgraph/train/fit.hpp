// The loop around train_step: shuffle, gather a batch, step, report. Keras'
// conventions: a new shuffle every epoch, the last partial batch trained too
// (its loss the mean over its real samples), the epoch's loss and accuracy the
// running means over the samples seen.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <span>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "ctgraph/detail/all_finite.hpp"
#include "ctgraph/detail/call_site_check.hpp"
#include "ctgraph/detail/denormals.hpp"
#include "ctgraph/detail/random.hpp"
#include "ctgraph/fixed_string.hpp"
#include "ctgraph/train/checkpoint.hpp"
#include "ctgraph/train/interrupt.hpp"
#include "ctgraph/ops/outputs.hpp"
#include "ctgraph/train/metrics.hpp"
#include "ctgraph/train/parallel_step.hpp"

namespace ctgraph {

/// Samples as rows: x holds each sample's input flattened, y its target.
template <class S = float>
struct dataset {
  xt::xtensor<S, 2> x;
  xt::xtensor<S, 2> y;
  std::size_t size() const { return x.shape()[0]; }
};

/// Rows [first, last) of a data set, as a new one (e.g. a train/test split).
template <class S>
dataset<S> rows(const dataset<S>& d, std::size_t first, std::size_t last) {
  if (first > last || last > d.size())
    throw std::out_of_range("ctgraph: rows(" + std::to_string(first) + ", " + std::to_string(last) + ") of a data set of " +
                            std::to_string(d.size()));
  return {xt::view(d.x, xt::range(first, last), xt::all()), xt::view(d.y, xt::range(first, last), xt::all())};
}

namespace detail {
/// Fisher-Yates with the library's own generator, so that a seed gives the same order everywhere.
/// The draws are made a block ahead of the swaps: interleaved, each swap's read of a far element
/// (a cache miss past a few hundred thousand rows) held up the next draw, 5.5 ns an element on a
/// Zen 4; apart, the swaps' misses overlap, 2.1 ns. The same draws in the same order, so the same order.
inline void shuffle(std::vector<std::size_t>& order, random_engine& rng) {
  constexpr std::size_t block = 256;
  std::array<std::size_t, block> target;
  for (std::size_t top = order.size(); top > 1;) {
    const std::size_t count = std::min(block, top - 1);  // i = top - 1 - k for k < count
    // The generator's raw words first (its state is a chain), then below()'s arithmetic on them
    // all at once, in vectors: the same operations, so the same targets.
    for (std::size_t k = 0; k < count; ++k) target[k] = rng.next();
    for (std::size_t k = 0; k < count; ++k) target[k] = random_engine::below(target[k], top - k);
    constexpr std::size_t ahead = 16;  // the far elements' lines asked for this many swaps ahead
    for (std::size_t k = 0; k < std::min(ahead, count); ++k) __builtin_prefetch(&order[target[k]], 1);
    for (std::size_t k = 0; k < count; ++k) {
      if (k + ahead < count) __builtin_prefetch(&order[target[k + ahead]], 1);
      std::swap(order[top - 1 - k], order[target[k]]);
    }
    top -= count;
  }
}
}  // namespace detail

/// The rows of a data set in an order drawn from `seed` (e.g. before a train/test split).
template <class S>
dataset<S> shuffled(const dataset<S>& d, std::uint64_t seed) {
  std::vector<std::size_t> order(d.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  random_engine rng(seed);
  detail::shuffle(order, rng);
  dataset<S> out{xt::xtensor<S, 2>(d.x.shape()), xt::xtensor<S, 2>(d.y.shape())};
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::copy_n(&d.x(order[i], 0), d.x.shape()[1], &out.x(i, 0));
    std::copy_n(&d.y(order[i], 0), d.y.shape()[1], &out.y(i, 0));
  }
  return out;
}

/// What fit() does when a batch's loss or a gradient is not finite (NaN or infinity).
enum class on_divergence {
  stop,        // throw fit_diverged before the update: the parameters stay the last finite ones
  skip_batch,  // leave that batch out (no update) and go on; epoch_stats::skipped counts them
};

struct fit_options {
  std::size_t epochs = 1;
  bool shuffle = true;
  std::uint64_t seed = 0;
  std::filesystem::path checkpoint{};  // a folder: checkpoint.npz written there after every epoch, atomically
  std::filesystem::path resume{};      // a folder holding a checkpoint: go on from it to `epochs`
  on_divergence divergence = on_divergence::stop;
  // Threads a step runs on: its batch cut into grains (train/parallel_step.hpp), at most one thread a
  // grain (training_threads<Model>). Bit-identical for every count above one, and within float
  // rounding of one thread.
  std::size_t threads = 1;
};

/// Thrown by fit() when a loss or gradient is not finite (with on_divergence::stop); the model keeps the
/// parameters and optimizer state from before that batch.
struct fit_diverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Runs between each step's gradients and its update, on every step; the default does nothing.
/// train/mpi.hpp's policies sum the gradients over MPI ranks there, or average the ranks' models.
struct no_sync {
  template <class Model>
  void after_gradients(Model&, double, std::size_t) {}
};

/// Reports nothing; the default observer of fit().
struct no_progress {
  void begin_epoch(std::size_t, std::size_t) {}
  void batch_done(std::size_t, double, double) {}
  void end_epoch(const epoch_stats&) {}
};

template <class Loss, std::size_t OutputSize>
constexpr std::size_t target_width() {
  if constexpr (requires { Loss::template target_width<OutputSize>; })
    return Loss::template target_width<OutputSize>;
  else
    return OutputSize;
}

namespace detail {

// fit and evaluate on a dataset: their checks of the graph, made as the data is passed
// (detail/call_site_check.hpp). A dataset holds one array of inputs and one of targets.
template <bool OneInput>
struct graph_of_one_input {
  static constexpr bool holds = OneInput;
  constexpr graph_of_one_input() {
    static_assert(OneInput, "ctgraph: fit, evaluate, predict: a graph of several inputs takes a multi_dataset "
                            "(one array of rows per named input), not a dataset");
  }
};
template <bool OneOutput>
struct graph_of_one_output {
  static constexpr bool holds = OneOutput;
  constexpr graph_of_one_output() {
    static_assert(OneOutput, "ctgraph: fit, evaluate: a graph of several outputs takes a multi_dataset (one array "
                             "of targets per output), not a dataset");
  }
};
template <class Model>
inline constexpr bool has_one_input = Model::plan::inputs::size == 1;
template <class Model>
inline constexpr bool has_one_output = !is_outputs<typename Model::output_node>;
template <class Model>
inline constexpr bool takes_a_dataset = has_one_input<Model> && has_one_output<Model>;
/// fit and evaluate's data: a dataset, checked as it is passed; the loss's check last.
template <class Model, class Loss>
using checked_dataset = checked_argument<dataset<typename Model::scalar>,
                                         first_failing_t<graph_of_one_input<has_one_input<Model>>,
                                                         graph_of_one_output<has_one_output<Model>>,
                                                         loss_check<Loss, typename Model::plan>>>;

template <class Model, class Loss, class S>
void check_dataset(const dataset<S>& data, const char* what) {
  constexpr std::size_t targets = target_width<Loss, Model::output_size>();
  if (data.x.shape()[1] != Model::input_size)
    throw std::invalid_argument(std::string("ctgraph: ") + what + ": each sample has " +
                                std::to_string(data.x.shape()[1]) + " input values, the graph takes " +
                                std::to_string(Model::input_size));
  if (data.y.shape()[1] != targets || data.y.shape()[0] != data.x.shape()[0])
    throw std::invalid_argument(std::string("ctgraph: ") + what + ": targets are " + std::to_string(data.y.shape()[0]) +
                                " x " + std::to_string(data.y.shape()[1]) + ", expected " +
                                std::to_string(data.x.shape()[0]) + " x " + std::to_string(targets));
  // A NaN or infinity would poison every parameter within a step: refuse it before training.
  const auto check_finite = [&](const xt::xtensor<S, 2>& m, const char* part) {
    for (std::size_t r = 0; r < m.shape()[0]; ++r)
      for (std::size_t c = 0; c < m.shape()[1]; ++c)
        if (!std::isfinite(m(r, c)))
          throw std::invalid_argument(std::string("ctgraph: ") + what + ": sample " + std::to_string(r) + ", " + part +
                                      " " + std::to_string(c) + " is " + (std::isnan(m(r, c)) ? "NaN" : "infinite"));
  };
  check_finite(data.x, "input value");
  check_finite(data.y, "target value");
}

/// Copies rows order[first, first + count) into the model's input (and target) buffers, zero-padding
/// the rest. Row widths are compile-time constants, so each row is a fixed-length copy, not a call
/// into memmove (which cost a third of an epoch of digits_attention, 6 values a row).
template <std::size_t TargetWidth, class Model, class S>
void gather(Model& net, const xt::xtensor<S, 2>& x, const xt::xtensor<S, 2>* y, const std::size_t* order,
            std::size_t count) {
  // The checks of checked_dataset, for predict on a dataset (fit and evaluate make them at the call
  // and do not come here when one fails). weighted_sum's targets are blocks (a's rows, then b's),
  // not rows of a data set; predict reads no targets.
  [[maybe_unused]] constexpr graph_of_one_input<has_one_input<Model>> one_input;
  [[maybe_unused]] constexpr graph_of_one_output<TargetWidth == 0 || has_one_output<Model>> one_output;
  constexpr std::size_t width = Model::input_size;
  S* in = net.input().data();
  const S* xs = x.data();
  for (std::size_t b = 0; b < count; ++b)
    for (std::size_t j = 0; j < width; ++j) in[b * width + j] = xs[order[b] * width + j];
  // A partial batch's padding: tested first, for a call into memset with nothing to fill took 3% of
  // digits_attention's epoch.
  if (count < Model::batch_size) std::fill(in + count * width, in + Model::batch_size * width, S(0));
  if constexpr (TargetWidth > 0) {
    S* t = net.target().data();
    const S* ys = y->data();
    for (std::size_t b = 0; b < count; ++b)
      for (std::size_t j = 0; j < TargetWidth; ++j) t[b * TargetWidth + j] = ys[order[b] * TargetWidth + j];
    if (count < Model::batch_size) std::fill(t + count * TargetWidth, t + Model::batch_size * TargetWidth, S(0));
  }
}

/// Asks for the rows order[0, count) to be brought into cache: called for the next batch before
/// the current step, so that a shuffled epoch's reads of scattered rows overlap with computing.
/// Into L2 (locality 1, prefetcht2), not L1: digits_attention trained at 39.0M samples/s so, 34.6M
/// with L1 prefetches (a batch's 64 lines overfill the L1's miss buffers) and 29.5M with none.
template <std::size_t Width, class S>
void prefetch_rows(const xt::xtensor<S, 2>& x, const std::size_t* order, std::size_t count) {
  constexpr std::size_t line = 64 / sizeof(S);
  // g++ 12 counts __builtin_prefetch as no effect, finds this function pure and deletes its calls
  // (-O1 and up); a compiler-only fence is an effect it keeps.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  for (std::size_t b = 0; b < count; ++b) {
    const S* row = x.data() + order[b] * Width;
    for (std::size_t j = 0; j < Width; j += line) __builtin_prefetch(row + j, 0, 1);
    // A row that does not start a line can end in the next one.
    if constexpr (Width % line != 0) __builtin_prefetch(row + Width - 1, 0, 1);
  }
}

}  // namespace detail

namespace detail {
/// The message of a divergence: which epoch and batch, and what was not finite first.
template <class Model>
fit_diverged diverged(const Model& net, double loss, std::size_t epoch, std::size_t batch, std::size_t batches) {
  std::string what = "the loss is " + std::string(std::isnan(loss) ? "NaN" : "infinite");
  if (std::isfinite(loss)) {
    const auto g = net.gradients();
    const std::size_t at = std::size_t(std::ranges::find_if(g, [](auto v) { return !std::isfinite(v); }) - g.begin());
    for (const auto& p : Model::parameter_table())
      if (at >= p.offset && at < p.offset + p.size)
        what = "the gradient of " + p.name + " is " + (std::isnan(g[at]) ? "NaN" : "infinite") + " (value " +
               std::to_string(at - p.offset) + ")";
  }
  return fit_diverged("ctgraph: fit: " + what + " at epoch " + std::to_string(epoch) + ", batch " +
                      std::to_string(batch) + " of " + std::to_string(batches) +
                      ": training stopped before updating; the parameters are the last finite ones");
}
}  // namespace detail

namespace detail {

/// A data set of rows as fit's loop reads it: how many samples, a batch of them into the model
/// (gather), and the next batch's rows asked into cache (prefetch).
template <class Model, class Loss>
struct row_source {
  static constexpr std::size_t y_width = target_width<Loss, Model::output_size>();
  const dataset<typename Model::scalar>& data;
  std::size_t size() const { return data.size(); }
  /// Into a model of the graph (the whole batch's, or a grain's of a threaded step).
  template <class M>
  void gather(M& net, const std::size_t* order, std::size_t count) const {
    detail::gather<y_width>(net, data.x, &data.y, order, count);
  }
  void prefetch(const std::size_t* order, std::size_t count) const {
    detail::prefetch_rows<Model::input_size>(data.x, order, count);
    detail::prefetch_rows<y_width>(data.y, order, count);
  }
};

/// fit's loop over any source of samples (row_source; multi_source for several inputs or outputs).
template <class Model, class Loss, class Optimizer, class Metric, class Progress, class Source, class Sync = no_sync>
std::vector<epoch_stats> fit_loop(Model& net, const Loss& loss, const Optimizer& optimizer, const Source& source,
                                  const fit_options& options, Progress& progress, Sync&& sync = {}) {
  constexpr std::size_t batch = Model::batch_size;
  constexpr std::size_t y_width = target_width<Loss, Model::output_size>();
  const double per_sample = double(Metric::per_sample(Model::output_size));
  const std::size_t n = source.size();
  if (n == 0) throw std::invalid_argument("ctgraph: fit: the data set is empty");
  // Flush-to-zero for the whole run, callbacks included: the steps inside then switch no mode.
  const detail::denormals_flushed flushed;

  random_engine rng(options.seed);
  fit_state state;
  if (!options.resume.empty()) {
    state = load_checkpoint(net, options.resume, n);
    rng.set_state(state.rng);
  } else {
    state.order.resize(n);
    std::iota(state.order.begin(), state.order.end(), std::size_t{0});
  }
  std::vector<std::size_t>& order = state.order;
  // Threads start here. Their copies of the model can follow its updates only where nothing else changes it.
  constexpr bool mirrored = std::is_same_v<std::remove_cvref_t<Sync>, no_sync>;
  detail::training_step<Model, Loss, Optimizer, Metric, y_width, Source> step(net, loss, optimizer, options.threads,
                                                                              mirrored, &source);
  const auto save = [&] {
    state.rng = rng.state();
    save_checkpoint(net, state, options.checkpoint);
  };
  const auto interrupted = [&](std::size_t epoch, std::size_t b, std::size_t batches) {
    if (!options.checkpoint.empty()) save();
    const int signal = detail::stop_signal;
    return fit_interrupted("ctgraph: fit: interrupted by " + signal_name(signal) + " after batch " +
                               std::to_string(b) + " of " + std::to_string(batches) + " in epoch " +
                               std::to_string(epoch),
                           signal, options.checkpoint.empty() ? "" : checkpoint_file(options.checkpoint));
  };
  const std::size_t batches = (n + batch - 1) / batch;
  for (std::size_t epoch = state.epochs_done + 1; epoch <= options.epochs; ++epoch) {
    if (state.batches_done == 0) {
      if (options.shuffle) detail::shuffle(order, rng);
      state.loss_sum = 0, state.hits = state.seen = state.skipped = 0, state.seconds = 0;
    }
    progress.begin_epoch(epoch, batches);
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
      return state.seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    for (std::size_t b = state.batches_done; b < batches; ++b) {
      const std::size_t first = b * batch, count = std::min(batch, n - first);
      // The step gathers the batch's rows (each thread its grains'), and asks for the next batch's.
      const std::size_t next = first + batch, next_count = b + 1 < batches ? std::min(batch, n - next) : 0;
      const auto [batch_loss, batch_hits] =
          step(count, order.data() + first, next_count > 0 ? order.data() + next : nullptr, next_count);
      sync.after_gradients(net, batch_loss, count);
      // Checked before the update, so that a NaN never reaches the parameters or Adam's moments.
      if (!detail::step_is_finite(batch_loss, net.gradients())) {
        if (options.divergence == on_divergence::stop) throw detail::diverged(net, batch_loss, epoch, b + 1, batches);
        ++state.skipped;
      } else {
        step.update();
        state.loss_sum += batch_loss;
        state.hits += batch_hits;
        state.seen += count;
      }
      state.batches_done = b + 1;
      const double seen = double(std::max<std::size_t>(state.seen, 1));
      progress.batch_done(b + 1, state.loss_sum / seen, double(state.hits) / (seen * per_sample));
      if (detail::stop_signal != 0 && b + 1 < batches) {
        state.seconds = elapsed();
        throw interrupted(epoch, b + 1, batches);
      }
    }
    const double seen = double(std::max<std::size_t>(state.seen, 1));
    epoch_stats stats{epoch,     state.loss_sum / seen, std::numeric_limits<double>::quiet_NaN(),
                      elapsed(), state.seen,            state.skipped};
    if constexpr (!std::is_same_v<Metric, no_metric>) stats.accuracy = double(state.hits) / (seen * per_sample);
    progress.end_epoch(stats);
    state.history.push_back(stats);
    state.epochs_done = epoch, state.batches_done = 0;
    if (!options.checkpoint.empty()) save();
    if (detail::stop_signal != 0 && epoch < options.epochs) throw interrupted(epoch, batches, batches);
  }
  return state.history;
}

}  // namespace detail

/// Trains `net` on `data` for options.epochs epochs; returns each epoch's running loss and accuracy.
/// With options.checkpoint, a checkpoint is written after every epoch; with options.resume, training goes
/// on from one (bit for bit as if it had not stopped). While a stop_on_signals lives, a SIGINT or SIGTERM
/// ends the run after the current step with fit_interrupted (the checkpoint written first, if any).
/// A graph of several inputs or outputs takes a multi_dataset (train/multi_dataset.hpp) instead.
/// `sync` runs between each step's gradients and its update (train/mpi.hpp: data-parallel over MPI ranks).
/// (`data` is checked as it is passed: a graph of one input and one output, and the loss's check of
/// it; detail/call_site_check.hpp.)
template <class Model, class Loss, class Optimizer, class Metric = no_metric, class Progress = no_progress,
          class Sync = no_sync>
std::vector<epoch_stats> fit(Model& net, const Loss& loss, const Optimizer& optimizer,
                             detail::checked_dataset<Model, Loss> data, const fit_options& options = {}, Metric = {},
                             Progress&& progress = {}, Sync&& sync = {}) {
  if constexpr (detail::takes_a_dataset<Model>) {
    detail::check_dataset<Model, Loss>(data.value, "fit");
    return detail::fit_loop<Model, Loss, Optimizer, Metric>(
        net, loss, optimizer, detail::row_source<Model, Loss>{data.value}, options, progress, sync);
  } else {
    return {};
  }
}

struct evaluation {
  double loss = 0;
  double accuracy = std::numeric_limits<double>::quiet_NaN();
};

/// Mean loss (and metric) of `net` over `data`, without training.
template <class Model, class Loss, class Metric = no_metric>
evaluation evaluate(Model& net, const Loss& loss, detail::checked_dataset<Model, Loss> checked, Metric = {}) {
  constexpr std::size_t y_width = target_width<Loss, Model::output_size>();
  evaluation out;
  if constexpr (detail::takes_a_dataset<Model>) {
    const dataset<typename Model::scalar>& data = checked.value;
    detail::check_dataset<Model, Loss>(data, "evaluate");
    std::vector<std::size_t> order(data.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    double loss_sum = 0;
    std::size_t hits = 0;
    const detail::denormals_flushed flushed;  // one mode switch for every batch (denormals.hpp)
    for (std::size_t first = 0; first < data.size(); first += Model::batch_size) {
      const std::size_t count = std::min(Model::batch_size, data.size() - first);
      detail::gather<y_width>(net, data.x, &data.y, order.data() + first, count);
      net.forward();
      loss_sum += net.loss(loss, count);
      hits += Metric::hits(net.output().data(), net.target().data(), count, Model::output_size, y_width);
    }
    out.loss = loss_sum / double(data.size());
    if constexpr (!std::is_same_v<Metric, no_metric>)
      out.accuracy = double(hits) / double(data.size() * Metric::per_sample(Model::output_size));
  }
  return out;
}

/// Runs the forward pass over every row of x in batches; calls visit(model, first_row, count) after each.
template <class Model, class Visit>
void for_each_batch(Model& net, const xt::xtensor<typename Model::scalar, 2>& x, Visit&& visit) {
  if (x.shape()[1] != Model::input_size)
    throw std::invalid_argument("ctgraph: each sample has " + std::to_string(x.shape()[1]) +
                                " input values, the graph takes " + std::to_string(Model::input_size));
  std::vector<std::size_t> order(x.shape()[0]);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t first = 0; first < order.size(); first += Model::batch_size) {
    const std::size_t count = std::min(Model::batch_size, order.size() - first);
    detail::gather<0>(net, x, static_cast<const xt::xtensor<typename Model::scalar, 2>*>(nullptr),
                      order.data() + first, count);
    net.forward();
    visit(net, first, count);
  }
}

namespace detail {
/// predict's and mean_probe's rows: checked as they are passed (call_site_check.hpp), a graph of one
/// input (of several, predict takes one named array per input), then Extra's checks.
template <class Model, class... Extra>
using checked_rows = checked_argument<xt::xtensor<typename Model::scalar, 2>,
                                      first_failing_t<graph_of_one_input<has_one_input<Model>>, Extra...>>;
}  // namespace detail

/// The graph's output for every row of x: rows x output_size.
template <class Model>
xt::xtensor<typename Model::scalar, 2> predict(Model& net, detail::checked_rows<Model> rows) {
  const auto& x = rows.value;
  xt::xtensor<typename Model::scalar, 2> out({x.shape()[0], Model::output_size});
  if constexpr (detail::has_one_input<Model>)  // else the check above has failed: no second error
    for_each_batch(net, x, [&](Model& m, std::size_t first, std::size_t count) {
      std::copy_n(m.output().data(), count * Model::output_size, &out(first, 0));
    });
  return out;
}

/// The mean over every row of x of the layer called Name (its value flattened). (The name is checked as
/// x is passed, detail/call_site_check.hpp: a wrong one is one error at the call.)
template <fixed_string Name, class Model>
std::vector<double> mean_probe(
    Model& net, detail::checked_rows<Model, detail::graph_has_layer_named<Name, Model::template has_layer<Name>>> rows) {
  const auto& x = rows.value;
  std::vector<double> mean;
  if constexpr (detail::has_one_input<Model> && Model::template has_layer<Name>) {  // else a check above has failed
    for_each_batch(net, x, [&](Model& m, std::size_t, std::size_t count) {
      const auto values = m.template probe<Name>();
      const std::size_t width = values.size() / Model::batch_size;
      mean.resize(width, 0.0);
      for (std::size_t r = 0; r < count; ++r)
        for (std::size_t j = 0; j < width; ++j) mean[j] += values[r * width + j];
    });
    for (double& v : mean) v /= double(x.shape()[0]);
  }
  return mean;
}

}  // namespace ctgraph
