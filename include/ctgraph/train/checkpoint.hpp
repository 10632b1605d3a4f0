// Checkpoints: everything a training run needs to go on as if it had never
// stopped, in one .npz archive (DIR/checkpoint.npz) that np.load reads. Beside
// the parameters (named as in a weights file) it holds
//   optimizer.state   Adam's m then v, as the model stores them
//   fit.counters      steps, epochs done, batches done in the current epoch, that
//                     epoch's loss sum, hits, samples seen, skipped batches, seconds
//   fit.rng           the shuffle generator's four 64-bit words, as 32-bit halves
//                     (float64 holds them exactly)
//   fit.order         the sample order of the current (or last) epoch
//   fit.history       one row per finished epoch: epoch, loss, accuracy, seconds,
//                     samples, skipped
// It is written atomically (detail/atomic_file.hpp), so a failed write keeps the
// last good one; loading checks all of it before the model changes.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "ctgraph/detail/compiled.hpp"
#include "ctgraph/io/weights.hpp"
#include "ctgraph/parameter_info.hpp"

namespace ctgraph {

struct epoch_stats {
  std::size_t epoch = 0;  // from 1
  double loss = 0;
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // NaN without a metric
  double seconds = 0;
  std::size_t samples = 0;
  std::size_t skipped = 0;  // batches left out because their loss or gradient was not finite
};

/// Where fit() is in a run, besides the model: what a checkpoint adds to the weights.
struct fit_state {
  std::size_t epochs_done = 0;
  std::size_t batches_done = 0;  // in the epoch after epochs_done; its order is already drawn when > 0
  double loss_sum = 0;           // of that epoch so far
  std::size_t hits = 0, seen = 0, skipped = 0;
  double seconds = 0;
  std::array<std::uint64_t, 4> rng{};
  std::vector<std::size_t> order;
  std::vector<epoch_stats> history;
};

/// The file a checkpoint folder holds.
inline std::filesystem::path checkpoint_file(const std::filesystem::path& folder) { return folder / "checkpoint.npz"; }

namespace detail {
/// save_checkpoint's work, on the model's parts: compiled once per scalar type, not once per model.
template <class Scalar>
void write_checkpoint(const std::filesystem::path& folder, const std::vector<parameter_info>& table,
                      std::span<const Scalar> parameters, std::span<const Scalar> optimizer_state, std::uint64_t steps,
                      const fit_state& state) {
  const std::filesystem::path file = checkpoint_file(folder);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) throw weights_error(file.string() + ": cannot save: cannot create folder " + folder.string() + ": " + ec.message());
  std::vector<npz_array_view> views = parameter_views(table, parameters);
  views.push_back({"optimizer.state", {optimizer_state.size()}, optimizer_state});
  const std::vector<double> counters = {double(steps), double(state.epochs_done), double(state.batches_done),
                                        state.loss_sum, double(state.hits), double(state.seen),
                                        double(state.skipped), state.seconds};
  std::vector<double> rng;
  for (const std::uint64_t word : state.rng) rng.insert(rng.end(), {double(word >> 32), double(word & 0xFFFFFFFFu)});
  const std::vector<double> order(state.order.begin(), state.order.end());
  std::vector<double> history;
  for (const epoch_stats& e : state.history)
    history.insert(history.end(), {double(e.epoch), e.loss, e.accuracy, e.seconds, double(e.samples), double(e.skipped)});
  views.push_back({"fit.counters", {counters.size()}, std::span<const double>(counters)});
  views.push_back({"fit.rng", {rng.size()}, std::span<const double>(rng)});
  views.push_back({"fit.order", {order.size()}, std::span<const double>(order)});
  views.push_back({"fit.history", {state.history.size(), 6}, std::span<const double>(history)});
  write_npz(file, views);
}

#ifdef CTGRAPH_INSTANCE
CTGRAPH_INSTANCE void write_checkpoint<float>(const std::filesystem::path&, const std::vector<parameter_info>&,
                                              std::span<const float>, std::span<const float>, std::uint64_t,
                                              const fit_state&);
CTGRAPH_INSTANCE void write_checkpoint<double>(const std::filesystem::path&, const std::vector<parameter_info>&,
                                               std::span<const double>, std::span<const double>, std::uint64_t,
                                               const fit_state&);
#endif
}  // namespace detail

/// Writes the model and `state` to folder/checkpoint.npz (creating the folder), atomically.
template <class Model>
void save_checkpoint(const Model& model, const fit_state& state, const std::filesystem::path& folder) {
  detail::write_checkpoint<typename Model::scalar>(folder, Model::parameter_table(), model.parameters(),
                                                   model.optimizer_state(), model.steps(), state);
}

namespace detail {
/// A checkpoint as read, before any of it reaches the model.
template <class Scalar>
struct checkpoint_contents {
  std::vector<Scalar> parameters, optimizer_state;
  std::uint64_t steps = 0;
  fit_state state;
};

/// load_checkpoint's work, on the model's parts: compiled once per scalar type, not once per model.
template <class Scalar>
checkpoint_contents<Scalar> read_checkpoint(const std::filesystem::path& folder,
                                            const std::vector<parameter_info>& table, std::size_t optimizer_size,
                                            std::size_t samples) {
  const std::filesystem::path file = checkpoint_file(folder);
  const std::string name = file.string();
  const auto arrays = read_npz(file);
  checkpoint_contents<Scalar> out;
  out.parameters = parameters_from<Scalar>(arrays, name, table, beside_parameters::checkpoint_state);
  const auto array = [&](const std::string& key, std::size_t size) -> const std::vector<double>& {
    const auto found = std::ranges::find(arrays, key, &npz_array::name);
    if (found == arrays.end()) throw weights_error(name + ": has no array " + key + ": it is not a checkpoint");
    if (size != std::size_t(-1) && found->values.size() != size)
      throw weights_error(name + ": " + key + " holds " + std::to_string(found->values.size()) + " values, expected " +
                          std::to_string(size));
    return found->values;
  };
  // A count is a whole number a double holds exactly.
  const auto whole = [&](double v, const char* what) {
    if (!(v >= 0 && v <= 0x1p53 && v == std::floor(v)))
      throw weights_error(name + ": " + what + " is " + std::to_string(v) + ", not a count");
    return std::uint64_t(v);
  };
  const auto& optimizer = array("optimizer.state", optimizer_size);
  const auto& counters = array("fit.counters", 8);
  const auto& rng = array("fit.rng", 8);
  const auto& order = array("fit.order", std::size_t(-1));
  const auto& history = array("fit.history", std::size_t(-1));

  fit_state& state = out.state;
  out.steps = whole(counters[0], "the step count");
  state.epochs_done = whole(counters[1], "the epoch count");
  state.batches_done = whole(counters[2], "the batch count");
  state.loss_sum = counters[3];
  state.hits = whole(counters[4], "the hit count");
  state.seen = whole(counters[5], "the sample count");
  state.skipped = whole(counters[6], "the skipped batch count");
  state.seconds = counters[7];
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint64_t high = whole(rng[2 * i], "a word of fit.rng"), low = whole(rng[2 * i + 1], "a word of fit.rng");
    if (high > 0xFFFFFFFFu || low > 0xFFFFFFFFu) throw weights_error(name + ": fit.rng holds a value past 32 bits");
    state.rng[i] = high << 32 | low;
  }
  if (order.size() != samples)
    throw weights_error(name + ": was made on " + std::to_string(order.size()) + " samples, the data has " +
                        std::to_string(samples) + ": resume with the same data");
  // The order indexes the data: it must be a permutation, or a batch would read past the end.
  std::vector<bool> taken(samples, false);
  for (const double v : order) {
    const std::uint64_t i = whole(v, "an index of fit.order");
    if (i >= samples || taken[i]) throw weights_error(name + ": fit.order is not an order of the samples");
    taken[i] = true;
    state.order.push_back(std::size_t(i));
  }
  if (history.size() % 6 != 0 || history.size() / 6 != state.epochs_done)
    throw weights_error(name + ": fit.history does not hold one row of 6 per finished epoch");
  for (std::size_t e = 0; e < state.epochs_done; ++e) {
    const double* row = history.data() + 6 * e;
    state.history.push_back({std::size_t(whole(row[0], "an epoch of fit.history")), row[1], row[2], row[3],
                             std::size_t(whole(row[4], "a sample count of fit.history")),
                             std::size_t(whole(row[5], "a skipped count of fit.history"))});
  }
  out.optimizer_state.assign(optimizer.begin(), optimizer.end());
  return out;
}

#ifdef CTGRAPH_INSTANCE
CTGRAPH_INSTANCE checkpoint_contents<float> read_checkpoint<float>(const std::filesystem::path&,
                                                                   const std::vector<parameter_info>&, std::size_t,
                                                                   std::size_t);
CTGRAPH_INSTANCE checkpoint_contents<double> read_checkpoint<double>(const std::filesystem::path&,
                                                                     const std::vector<parameter_info>&, std::size_t,
                                                                     std::size_t);
#endif
}  // namespace detail

/// Reads folder/checkpoint.npz into the model (parameters, optimizer state, step count) and returns the
/// rest; `samples` is the size of the data it must go on with. All of it, or nothing and a weights_error.
template <class Model>
fit_state load_checkpoint(Model& model, const std::filesystem::path& folder, std::size_t samples) {
  auto read = detail::read_checkpoint<typename Model::scalar>(folder, Model::parameter_table(),
                                                              model.optimizer_state().size(), samples);
  std::ranges::copy(read.parameters, model.parameters().begin());  // the model changes only once all of it is good
  std::ranges::copy(read.optimizer_state, model.optimizer_state().begin());
  model.set_steps(read.steps);
  return std::move(read.state);
}

}  // namespace ctgraph
