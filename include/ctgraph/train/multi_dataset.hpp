// Samples of a graph of several inputs or outputs, and fit, evaluate and predict on them.
//   x: one array per input of the graph, rows x that input's size (flattened), under the
//      input's name (named_input<"left", ...>), in any order;
//   y: one array of targets per output, in the order of outputs(a, b), rows x the width that
//      output's loss reads (weighted_sum<wa, loss_a, wb, loss_b>: loss_a's for a, loss_b's for b).
// Every array has one row per sample, and fit shuffles them all by the same order. The number of
// inputs and of outputs is part of the type, so that a data set of the wrong count does not compile.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ctgraph/detail/call_site_check.hpp"
#include "ctgraph/detail/denormals.hpp"
#include "ctgraph/ops/outputs.hpp"
#include "ctgraph/train/fit.hpp"
#include "ctgraph/train/losses/weighted_sum.hpp"

namespace ctgraph {

/// One input's samples: rows x that input's size, and the name of the graph's input they feed.
template <class S = float>
struct named_rows {
  std::string name;
  xt::xtensor<S, 2> values;
};

template <std::size_t Inputs, std::size_t Targets = 1, class S = float>
struct multi_dataset {
  std::array<named_rows<S>, Inputs> x;
  std::array<xt::xtensor<S, 2>, Targets> y;
  std::size_t size() const { return x[0].values.shape()[0]; }
};

/// evaluate's answer on a multi_dataset: the loss as trained (weighted_sum's weighted total), each
/// output's own mean loss (unweighted), and the metric when there is one output.
template <std::size_t Outputs>
struct multi_evaluation {
  double loss = 0;
  std::array<double, Outputs> output_losses{};
  double accuracy = std::numeric_limits<double>::quiet_NaN();
};

namespace detail {

/// How many outputs a graph has, and each one's size.
template <class Output>
struct output_sizes {
  static constexpr std::array<std::size_t, 1> sizes{Output::shape::size};
};
template <class A, class B>
struct output_sizes<outputs_node<A, B>> {
  static constexpr std::array<std::size_t, 2> sizes{A::shape::size, B::shape::size};
};

/// The width of each output's targets under a loss; weighted_sum gives each output its own loss
/// (a graph of two outputs is trained by nothing else: loss_of_each_output checks it).
template <class Loss, class Output>
struct output_target_widths {
  static constexpr std::array<std::size_t, 1> widths{target_width<Loss, Output::shape::size>()};
};
template <auto Wa, class LossA, auto Wb, class LossB, class A, class B>
struct output_target_widths<weighted_sum<Wa, LossA, Wb, LossB>, outputs_node<A, B>> {
  static constexpr std::array<std::size_t, 2> widths{target_width<LossA, A::shape::size>(),
                                                     target_width<LossB, B::shape::size>()};
};

template <class Loss>
inline constexpr bool is_weighted_sum = false;
template <auto Wa, class LossA, auto Wb, class LossB>
inline constexpr bool is_weighted_sum<weighted_sum<Wa, LossA, Wb, LossB>> = true;

// The checks of fit, evaluate and predict on several arrays, made as the arrays are passed, with
// the counts alone (detail/call_site_check.hpp).
template <std::size_t Arrays, std::size_t Inputs>
struct one_array_per_input {
  static constexpr bool holds = Arrays == Inputs;
  constexpr one_array_per_input() {
    static_assert(Arrays == Inputs, "ctgraph: multi_dataset<inputs, targets>: the number of input arrays must be the "
                                    "graph's number of inputs (one named array per named_input)");
  }
};
template <std::size_t Arrays, std::size_t Outputs>
struct one_target_array_per_output {
  static constexpr bool holds = Arrays == Outputs;
  constexpr one_target_array_per_output() {
    static_assert(Arrays == Outputs, "ctgraph: multi_dataset<inputs, targets>: the number of target arrays must be "
                                     "the graph's number of outputs (one per output of outputs(a, b))");
  }
};
template <bool OneOutput>
struct metric_of_one_output {
  static constexpr bool holds = OneOutput;
  constexpr metric_of_one_output() {
    static_assert(OneOutput, "ctgraph: fit, evaluate: a metric reads one output; with several, evaluate reports "
                             "each output's loss");
  }
};
template <bool OneLossPerOutput>
struct loss_of_each_output {
  static constexpr bool holds = OneLossPerOutput;
  constexpr loss_of_each_output() {
    static_assert(OneLossPerOutput, "ctgraph: fit, evaluate: a graph of two outputs is trained with "
                                    "weighted_sum<wa, loss_a, wb, loss_b>, one loss per output");
  }
};

template <class Model>
inline constexpr std::size_t output_count = output_sizes<typename Model::output_node>::sizes.size();
template <class Model, class Metric>
inline constexpr bool metric_fits = std::is_same_v<Metric, no_metric> || output_count<Model> == 1;
template <class Model, class Loss>
inline constexpr bool loss_fits_outputs = output_count<Model> == 1 || is_weighted_sum<Loss>;

// The counts are `auto` (not std::size_t) for a shorter line where a check fails: g++ names each
// template argument with its type.
/// predict's input arrays, checked as they are passed: as many as the graph has inputs. (`value`
/// is set only when the counts agree; the call does not compile otherwise.)
template <class S, auto Inputs>
struct checked_input_arrays {
  const std::array<named_rows<S>, Inputs>* value = nullptr;
  template <auto Arrays>
  checked_input_arrays(const std::array<named_rows<S>, Arrays>& x, one_array_per_input<Arrays, Inputs> = {}) {
    if constexpr (Arrays == Inputs) value = &x;
  }
};
/// The same of a multi_dataset: as many input arrays as inputs, target arrays as outputs, then Check.
template <class S, auto Inputs, auto Outputs, class Check>
struct checked_multi_dataset {
  const multi_dataset<Inputs, Outputs, S>* value = nullptr;
  template <auto Arrays, auto Targets>
  checked_multi_dataset(const multi_dataset<Arrays, Targets, S>& data,
                        first_failing_t<one_array_per_input<Arrays, Inputs>,
                                        one_target_array_per_output<Targets, Outputs>, Check> = {}) {
    if constexpr (Arrays == Inputs && Targets == Outputs) value = &data;
  }
};
/// fit and evaluate's data: a multi_dataset of the graph's counts, a metric only for one output, a
/// loss that gives each output its own (weighted_sum) for two, and the loss's check last.
template <class Model, class Loss, class Metric>
using multi_dataset_argument = checked_multi_dataset<
    typename Model::scalar, Model::plan::inputs::size, output_count<Model>,
    first_failing_t<metric_of_one_output<metric_fits<Model, Metric>>,
                    loss_of_each_output<loss_fits_outputs<Model, Loss>>, loss_check<Loss, typename Model::plan>>>;
/// Whether the checks past the counts hold: the bodies compile only then, so that a mistake is one error.
template <class Model, class Loss, class Metric>
inline constexpr bool multi_dataset_fits = metric_fits<Model, Metric> && loss_fits_outputs<Model, Loss>;

/// Calls f.template operator()<I, In>() for every input In of the graph, I its place in the plan.
template <class Model, class F>
void for_each_input(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f.template operator()<I, typename type_at<I, typename Model::plan::inputs>::type>(), ...);
  }(std::make_index_sequence<Model::plan::inputs::size>{});
}

template <class S>
void check_finite_rows(const xt::xtensor<S, 2>& m, const std::string& what, const std::string& array) {
  for (std::size_t r = 0; r < m.shape()[0]; ++r)
    for (std::size_t c = 0; c < m.shape()[1]; ++c)
      if (!std::isfinite(m(r, c)))
        throw std::invalid_argument("ctgraph: " + what + ": " + array + ", sample " + std::to_string(r) + ", value " +
                                    std::to_string(c) + " is " + (std::isnan(m(r, c)) ? "NaN" : "infinite"));
}

/// Checks the input arrays against the graph's inputs; returns, for each input of the graph (in
/// the plan's order), which array feeds it.
template <class Model, std::size_t Inputs, class S>
std::array<std::size_t, Inputs> match_inputs(const std::array<named_rows<S>, Inputs>& x, const std::string& what) {
  std::array<std::size_t, Inputs> column{};
  std::string names;
  for_each_input<Model>([&]<std::size_t I, class In>() { names += (I ? ", \"" : "\"") + std::string(In::name) + "\""; });
  std::array<bool, Inputs> used{};
  for (std::size_t j = 0; j < Inputs; ++j) {
    bool found = false;
    for_each_input<Model>([&]<std::size_t I, class In>() {
      // A graph of one input takes its one array whatever its name.
      if (found || !(Inputs == 1 || x[j].name == In::name)) return;
      found = true;
      if (used[I]) throw std::invalid_argument("ctgraph: " + what + ": two input arrays are named \"" + x[j].name + "\"");
      used[I] = true;
      column[I] = j;
      if (x[j].values.shape()[1] != In::shape::size)
        throw std::invalid_argument("ctgraph: " + what + ": input \"" + x[j].name + "\": each sample has " +
                                    std::to_string(x[j].values.shape()[1]) + " values, the input takes " +
                                    std::to_string(In::shape::size));
    });
    if (!found)
      throw std::invalid_argument("ctgraph: " + what + ": input array \"" + x[j].name +
                                  "\" names no input of the graph (its inputs: " + names + ")");
  }
  for (std::size_t j = 0; j < Inputs; ++j) {
    if (x[j].values.shape()[0] != x[0].values.shape()[0])
      throw std::invalid_argument("ctgraph: " + what + ": input \"" + x[j].name + "\" has " +
                                  std::to_string(x[j].values.shape()[0]) + " samples, input \"" + x[0].name + "\" has " +
                                  std::to_string(x[0].values.shape()[0]));
    check_finite_rows(x[j].values, what, "input \"" + x[j].name + "\"");
  }
  return column;
}

template <class Model, class Loss, std::size_t Inputs, std::size_t Targets, class S>
std::array<std::size_t, Inputs> check_multi_dataset(const multi_dataset<Inputs, Targets, S>& data,
                                                    const std::string& what) {
  constexpr auto widths = output_target_widths<Loss, typename Model::output_node>::widths;  // Targets of them
  const auto column = match_inputs<Model>(data.x, what);
  for (std::size_t k = 0; k < Targets; ++k) {
    const auto& y = data.y[k];
    if (y.shape()[0] != data.size() || y.shape()[1] != widths[k])
      throw std::invalid_argument("ctgraph: " + what + ": the targets of output " + std::to_string(k + 1) + " are " +
                                  std::to_string(y.shape()[0]) + " x " + std::to_string(y.shape()[1]) + ", expected " +
                                  std::to_string(data.size()) + " x " + std::to_string(widths[k]) + " (one row per sample)");
    check_finite_rows(y, what, "the targets of output " + std::to_string(k + 1));
  }
  return column;
}

/// Rows order[0, count) of each input array into its input of the model, the rest zero.
template <class Model, std::size_t Inputs, class S>
void gather_inputs(Model& net, const std::array<named_rows<S>, Inputs>& x, const std::array<std::size_t, Inputs>& column,
                   const std::size_t* order, std::size_t count) {
  const auto c = net.context();
  for_each_input<Model>([&]<std::size_t I, class In>() {
    constexpr std::size_t width = In::shape::size;
    S* in = c.template value<In>();
    const S* xs = x[column[I]].values.data();
    for (std::size_t b = 0; b < count; ++b)
      for (std::size_t j = 0; j < width; ++j) in[b * width + j] = xs[order[b] * width + j];
    if (count < Model::batch_size) std::fill(in + count * width, in + Model::batch_size * width, S(0));  // fit.hpp's gather
  });
}

/// fit's source of samples for a multi_dataset: every array gathered through the same order.
template <class Model, class Loss, std::size_t Inputs, std::size_t Targets>
struct multi_source {
  using S = typename Model::scalar;
  static constexpr auto widths = output_target_widths<Loss, typename Model::output_node>::widths;
  const multi_dataset<Inputs, Targets, S>& data;
  std::array<std::size_t, Inputs> column;

  std::size_t size() const { return data.size(); }
  /// Into a model of the graph (the whole batch's, or a grain's of a threaded step).
  template <class M>
  void gather(M& net, const std::size_t* order, std::size_t count) const {
    gather_inputs(net, data.x, column, order, count);
    // The targets as the loss reads them: output 1's Batch rows, then output 2's.
    S* t = net.target().data();
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((gather_targets<widths[K], M::batch_size>(t, data.y[K], order, count), t += M::batch_size * widths[K]), ...);
    }(std::make_index_sequence<Targets>{});
  }
  void prefetch(const std::size_t* order, std::size_t count) const {
    for_each_input<Model>([&]<std::size_t I, class In>() {
      prefetch_rows<In::shape::size>(data.x[column[I]].values, order, count);
    });
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (prefetch_rows<widths[K]>(data.y[K], order, count), ...);
    }(std::make_index_sequence<Targets>{});
  }

 private:
  template <std::size_t Width, std::size_t Rows>
  static void gather_targets(S* t, const xt::xtensor<S, 2>& y, const std::size_t* order, std::size_t count) {
    const S* ys = y.data();
    for (std::size_t b = 0; b < count; ++b)
      for (std::size_t j = 0; j < Width; ++j) t[b * Width + j] = ys[order[b] * Width + j];
    if (count < Rows) std::fill(t + count * Width, t + Rows * Width, S(0));
  }
};

}  // namespace detail

/// fit on a graph of several inputs or outputs: as fit on a dataset (shuffling, checkpoints,
/// resuming, divergence, signals), every array of `data` shuffled by the same order. (`data` is
/// checked as it is passed: its counts of arrays, the metric and the loss; multi_dataset_argument.)
template <class Model, class Loss, class Optimizer, class Metric = no_metric, class Progress = no_progress>
std::vector<epoch_stats> fit(Model& net, const Loss& loss, const Optimizer& optimizer,
                             detail::multi_dataset_argument<Model, Loss, Metric> data, const fit_options& options = {},
                             Metric = {}, Progress&& progress = {}) {
  constexpr std::size_t inputs = Model::plan::inputs::size, targets = detail::output_count<Model>;
  if constexpr (detail::multi_dataset_fits<Model, Loss, Metric>) {
    const auto column = detail::check_multi_dataset<Model, Loss>(*data.value, "fit");
    return detail::fit_loop<Model, Loss, Optimizer, Metric>(
        net, loss, optimizer, detail::multi_source<Model, Loss, inputs, targets>{*data.value, column}, options,
        progress);
  } else {
    return {};
  }
}

/// The mean loss over `data` (weighted_sum's weighted total) and each output's own mean loss.
template <class Model, class Loss, class Metric = no_metric>
multi_evaluation<detail::output_count<Model>> evaluate(Model& net, const Loss& loss,
                                                       detail::multi_dataset_argument<Model, Loss, Metric> checked,
                                                       Metric = {}) {
  constexpr std::size_t inputs = Model::plan::inputs::size, targets = detail::output_count<Model>;
  multi_evaluation<targets> out;
  if constexpr (detail::multi_dataset_fits<Model, Loss, Metric>) {
    const multi_dataset<inputs, targets, typename Model::scalar>& data = *checked.value;
    const auto column = detail::check_multi_dataset<Model, Loss>(data, "evaluate");
    const detail::multi_source<Model, Loss, inputs, targets> source{data, column};
    std::vector<std::size_t> order(data.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::size_t hits = 0;
    const detail::denormals_flushed flushed;  // one mode switch for every batch (denormals.hpp)
    for (std::size_t first = 0; first < data.size(); first += Model::batch_size) {
      const std::size_t count = std::min(Model::batch_size, data.size() - first);
      source.gather(net, order.data() + first, count);
      net.forward();
      out.loss += net.loss(loss, count);
      if constexpr (targets == 1) {
        hits += Metric::hits(net.output().data(), net.target().data(), count, Model::output_size, source.widths[0]);
      } else {
        const auto each = Loss::evaluate_each(net.context(), net.target().data(), count);
        for (std::size_t k = 0; k < targets; ++k) out.output_losses[k] += each[k];
      }
    }
    const double n = double(data.size());
    out.loss /= n;
    if constexpr (targets == 1) {
      out.output_losses[0] = out.loss;
      if constexpr (!std::is_same_v<Metric, no_metric>)
        out.accuracy = double(hits) / (n * double(Metric::per_sample(Model::output_size)));
    } else {
      for (double& l : out.output_losses) l /= n;
    }
  }
  return out;
}

/// Each output of the graph for every sample of x (one named array per input): rows x that output's size.
template <class Model>
auto predict(Model& net, detail::checked_input_arrays<typename Model::scalar, Model::plan::inputs::size> checked) {
  using S = typename Model::scalar;
  constexpr auto sizes = detail::output_sizes<typename Model::output_node>::sizes;
  std::array<xt::xtensor<S, 2>, sizes.size()> out;
  const auto& x = *checked.value;
  const auto column = detail::match_inputs<Model>(x, "predict");
  const std::size_t n = x[0].values.shape()[0];
  for (std::size_t k = 0; k < sizes.size(); ++k) out[k] = xt::xtensor<S, 2>({n, sizes[k]});
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t first = 0; first < n; first += Model::batch_size) {
    const std::size_t count = std::min(Model::batch_size, n - first);
    detail::gather_inputs(net, x, column, order.data() + first, count);
    net.forward();
    // output() holds each row's outputs side by side: split them.
    const S* y = net.output().data();
    for (std::size_t r = 0; r < count; ++r) {
      std::size_t at = 0;
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        std::copy_n(y + r * Model::output_size + at, sizes[k], &out[k](first + r, 0));
        at += sizes[k];
      }
    }
  }
  return out;
}

}  // namespace ctgraph
