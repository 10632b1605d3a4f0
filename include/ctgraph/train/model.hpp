// The executor: model<Graph, Batch, Scalar> owns parameters, gradients,
// optimizer state and every node's workspace in one allocation made when it is
// built. forward, backward and the optimizer step are loops over compile-time
// lists of nodes: no graph object, no tape, no virtual call, no allocation.
//
//   ctgraph::model<decltype(graph), 256> net(seed);
//   net.input() ... net.target() ...;            // a batch, row-major
//   double loss = net.train_step(ctgraph::binary_crossentropy{}, ctgraph::keras_adam(0.003));
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ctgraph/detail/buffer.hpp"
#include "ctgraph/detail/call_site_check.hpp"
#include "ctgraph/detail/denormals.hpp"
#include "ctgraph/detail/names.hpp"
#include "ctgraph/detail/plan.hpp"
#include "ctgraph/detail/random.hpp"
#include "ctgraph/fixed_string.hpp"
#include "ctgraph/parameter_info.hpp"

extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);

namespace ctgraph {

namespace detail {
template <class Inputs>
constexpr bool inputs_named() {
  return []<class... In>(type_list<In...>*) {
    const std::array<std::string_view, sizeof...(In)> names{In::name...};
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i].empty()) return false;
      for (std::size_t j = 0; j < i; ++j)
        if (names[i] == names[j]) return false;
    }
    return true;
  }(static_cast<Inputs*>(nullptr));
}
template <class Inputs>
constexpr std::size_t input_index(std::string_view name) {
  return []<class... In>(type_list<In...>*, std::string_view n) {
    const std::array<std::string_view, sizeof...(In)> names{In::name...};
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == n) return i;
    return names.size();
  }(static_cast<Inputs*>(nullptr), name);
}

/// How many of Ps are named as P is: the same layer (owner) and the same local name.
template <class P, class... Ps>
constexpr std::size_t named_as() {
  return (std::size_t(std::is_same_v<typename P::owner, typename Ps::owner> && P::local_name == Ps::local_name) + ...);
}
/// Whether no two different parameters share a name. A name is one parameter (a layer used twice
/// shares its weights), so the same named layer over inputs of different widths, whose kernels
/// differ in shape, would be two parameters under one name in every table and weights file.
template <class Params>
struct params_named_once;
template <class... Ps>
struct params_named_once<type_list<Ps...>> {
  static constexpr bool value = ((named_as<Ps, Ps...>() == 1) && ...);
};
/// The model's check of its parameters' names, made where it is built (call_site_check.hpp).
template <bool NamedOnce>
struct parameters_named_once {
  static constexpr bool holds = NamedOnce;
  constexpr parameters_named_once() {
    static_assert(NamedOnce,
                  "ctgraph: model: two different parameters have one name: a named layer is used on inputs of "
                  "different shapes (or a param<owner, name> is made twice with other shapes or initialisers); "
                  "give each its own name");
  }
};

/// input<"name">() and probe<"name">()'s checks, made at the call (detail/call_site_check.hpp).
template <fixed_string Name, bool Found>
struct graph_has_input_named {
  static constexpr bool holds = Found;
  constexpr graph_has_input_named() {
    static_assert(Found, "ctgraph: input<\"name\">(): no input of this graph has that name");
  }
};
template <fixed_string Name, bool Found>
struct graph_has_layer_named {
  static constexpr bool holds = Found;
  constexpr graph_has_layer_named() {
    static_assert(Found, "ctgraph: probe<\"name\">: no layer of this graph has that name");
  }
};

template <class Model, class Loss, class Optimizer, class Metric, std::size_t TargetWidth, class Source = void>
class parallel_step;  // train/parallel_step.hpp: a step's batch cut into grains, computed by several threads

}  // namespace detail

/// OpenBLAS' thread count is the process's, not a model's: the library leaves it as the caller set it
/// (OPENBLAS_NUM_THREADS, or OpenBLAS' default of one per core). Small products such as these graphs'
/// run fastest on one thread; the programs and benchmarks ask for it with this call.
inline void set_blas_threads(int threads) { openblas_set_num_threads(threads); }
inline int blas_threads() { return openblas_get_num_threads(); }

template <node Graph, std::size_t Batch, class Scalar = float>
class model {
  static_assert(Batch > 0, "ctgraph: model<graph, batch>: the batch size must be at least 1");
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                "ctgraph: model<graph, batch, scalar>: the scalar is float (speed) or double (gradient checks)");

 public:
  using graph = std::remove_cv_t<Graph>;  // model<decltype(graph), ...> of a constexpr graph is const
  using scalar = Scalar;
  using plan = detail::plan<graph, Batch, Scalar>;
  using output_node = typename plan::graph;
  // Conditions are named constants: clang prints a failed condition with its types spelled out.
  static constexpr bool inputs_distinct = plan::inputs::size == 1 || detail::inputs_named<typename plan::inputs>();
  static_assert(inputs_distinct,
                "ctgraph: model: a graph of several inputs must name each one, differently "
                "(named_input<\"name\", dims...>), and fill them through input<\"name\">()");
  static constexpr bool params_named_once = detail::params_named_once<typename plan::params>::value;
  using input_node = typename detail::type_at<0, typename plan::inputs>::type;
  using layer_names = detail::names<typename plan::layers>;
  /// Whether an input, or a layer, of the graph is called Name (input<"name">, probe<"name">).
  template <fixed_string Name>
  static constexpr bool has_input = detail::input_index<typename plan::inputs>(Name.view()) < plan::inputs::size;
  template <fixed_string Name>
  static constexpr bool has_layer = layer_names::find(Name.view()) < layer_names::count;

  static constexpr std::size_t batch_size = Batch;
  static constexpr std::size_t parameter_count = plan::parameter_count;
  static constexpr std::size_t input_size = input_node::shape::size;
  static constexpr std::size_t output_size = output_node::shape::size;

  /// FLOPs of one sample's forward pass, and of its share of a training step (forward and backward).
  // Nodes that do not depend on the input run once per batch: their share of a sample is 1/Batch.
  template <bool Training>
  static constexpr std::size_t flops_per_sample() {
    std::size_t per_sample = 0, per_batch = 0;
    detail::for_each_type<typename plan::computed>([&]<class N>() {
      (is_batched<N> ? per_sample : per_batch) += N::flops + (Training ? N::backward_flops : 0);
    });
    return per_sample + per_batch / Batch;
  }
  static constexpr std::size_t forward_flops = flops_per_sample<false>();
  static constexpr std::size_t training_flops = flops_per_sample<true>();

  /// Builds the buffers once and initialises the parameters from `seed`. (The last parameter is the
  /// check that no two parameters share a name, made at the call: detail/call_site_check.hpp.)
  template <class NamesCheck = detail::parameters_named_once<params_named_once>>
  explicit model(std::uint64_t seed = 0, NamesCheck = {}) : memory_(total_size), seed_(seed) {
    initialize(seed);
  }

  /// The same parameters at another batch size (a model trained at 256 predicts at 1).
  template <class OtherGraph, std::size_t OtherBatch>
    requires std::is_same_v<std::remove_cv_t<OtherGraph>, std::remove_cv_t<Graph>>
  explicit model(const model<OtherGraph, OtherBatch, Scalar>& other) : memory_(total_size) {
    std::ranges::copy(other.parameters(), parameters().begin());
  }

  /// Draws every parameter from its initialiser, in data-flow order, and resets the optimizer.
  void initialize(std::uint64_t seed) {
    seed_ = seed;
    random_engine rng(seed);
    detail::for_each_type<typename plan::params>([&]<class P>() {
      P::init::template fill<typename P::shape>(params() + plan::template param_offset<P>, rng);
    });
    reset_optimizer();
  }

  void reset_optimizer() {
    std::fill_n(state(), 2 * parameter_count, Scalar(0));
    step_ = 0;
  }

  std::span<Scalar> parameters() { return {params(), parameter_count}; }
  std::span<const Scalar> parameters() const { return {params(), parameter_count}; }
  std::span<const Scalar> gradients() const { return {param_grads(), parameter_count}; }
  /// gradients() to write, between compute_gradients and update: for a caller that combines
  /// them across processes first (train/mpi.hpp sums them over MPI ranks).
  std::span<Scalar> writable_gradients() { return {param_grads(), parameter_count}; }
  /// The batch the next step reads: Batch rows of input_size, row-major.
  std::span<Scalar> input()
    requires(plan::inputs::size == 1)
  {
    return {context().template value<input_node>(), Batch * input_size};
  }
  /// The input called Name (of several): Batch rows of its shape, row-major.
  template <fixed_string Name>
  std::span<Scalar> input(detail::graph_has_input_named<Name, has_input<Name>> = {}) {
    constexpr std::size_t index = detail::input_index<typename plan::inputs>(Name.view());
    using in = typename detail::type_at<has_input<Name> ? index : 0, typename plan::inputs>::type;
    return {context().template value<in>(), Batch * in::shape::size};
  }
  /// The targets the next training step reads: Batch rows of output_size.
  std::span<Scalar> target() { return {targets(), Batch * output_size}; }
  /// The graph's output after the last forward pass: Batch rows of output_size.
  std::span<const Scalar> output() const { return {view().template value<output_node>(), Batch * output_size}; }

  /// Runs the forward pass on input(), as evaluate and predict do (dropout is the identity).
  void forward() {
    const detail::denormals_flushed flushed;  // every pass and update: a subnormal is 0 (denormals.hpp)
    forward_pass();
  }

  /// Runs the forward pass as the next training step will (dropout active, with that step's mask).
  void forward_training() {
    const training_scope scope(*this);
    forward();
  }

  /// The value of the layer called Name after the last forward pass: Batch rows of its shape.
  template <fixed_string Name>
  std::span<const Scalar> probe(detail::graph_has_layer_named<Name, has_layer<Name>> = {}) const {
    constexpr std::size_t index = layer_names::find(Name.view());
    if constexpr (has_layer<Name>) {
      using layer = typename detail::type_at<index, typename plan::layers>::type;
      using stored = detail::storage_t<layer>;
      constexpr std::size_t size = plan::template full<layer>::size;
      if constexpr (plan::lanes && is_batched<stored> && !detail::is_input<stored>::value &&
                    !detail::rows_above_lanes<stored>) {
        Scalar* rows = const_cast<Scalar*>(memory_.data()) + probes_at + probe_offsets[index];
        detail::transpose<stored::shape::size, Batch>(view().template value<layer>(), rows);  // [F, Batch] to rows
        return {rows, size};
      } else {
        return {view().template value<layer>(), size};
      }
    } else {
      return {};
    }
  }

  /// Back-propagates `output_gradient` (Batch rows of output_size) into gradients().
  void backward(std::span<const Scalar> output_gradient) {
    const detail::denormals_flushed flushed;
    zero_gradients();
    std::ranges::copy(output_gradient, context().template grad<output_node>());
    backward_from_output<false>();
  }

  /// Sum over the first `count` rows of the loss of the last forward pass against target().
  /// (The last parameter of loss, compute_gradients and train_step is the loss's check of the
  /// graph, made at the call: detail/call_site_check.hpp.)
  template <class Loss>
  double loss(const Loss&, std::size_t count = Batch, detail::loss_check<Loss, plan> = {}) const {
    return Loss::evaluate(view(), targets(), count, false);
  }

  /// Forward, loss and backward on the first `count` rows of input() and target() (the
  /// rest are padding and contribute nothing): gradients() then holds the gradient of
  /// the mean loss over those rows, as Keras and PyTorch compute it. Returns the loss
  /// summed over the rows.
  template <class Loss>
  double compute_gradients(const Loss&, std::size_t count = Batch, detail::loss_check<Loss, plan> = {}) {
    const training_scope scope(*this);  // dropout's mask: that of step step_ + 1, drawn from the model's seed
    const detail::denormals_flushed flushed;
    forward_pass();
    zero_gradients();
    const double total = Loss::evaluate(context(), targets(), count, true);
    backward_from_output<Loss::template folds_output<plan>>();
    return total;
  }

  /// One optimizer update of every parameter from gradients(): the second half of a training step.
  template <class Optimizer>
  void update(const Optimizer& optimizer) {
    const detail::denormals_flushed flushed;
    optimizer.update(params(), param_grads(), state(), parameter_count, ++step_);
  }

  /// One training step: compute_gradients, then update.
  template <class Loss, class Optimizer>
  double train_step(const Loss& loss, const Optimizer& optimizer, std::size_t count = Batch,
                    detail::loss_check<Loss, plan> = {}) {
    const detail::denormals_flushed flushed;  // one mode switch for both halves (denormals.hpp)
    const double total = compute_gradients(loss, count);
    update(optimizer);
    return total;
  }

  /// The optimizer's state (Adam's m then v, parameter_count each) and its step count: with
  /// parameters(), all that a checkpoint needs for the next update to be the one it would have been.
  std::span<Scalar> optimizer_state() { return {state(), 2 * parameter_count}; }
  std::span<const Scalar> optimizer_state() const { return {state(), 2 * parameter_count}; }
  std::uint64_t steps() const { return step_; }
  void set_steps(std::uint64_t steps) { step_ = steps; }

  /// Every parameter's name (Keras style), shape and place in parameters().
  static std::vector<parameter_info> parameter_table() {
    std::vector<parameter_info> out;
    detail::for_each_type<typename plan::params>([&]<class P>() {
      out.push_back({layer_names::template param_name<P>(),
                     std::vector<std::size_t>(P::shape::dims.begin(), P::shape::dims.end()),
                     plan::template param_offset<P>, P::shape::size});
    });
    return out;
  }

  /// Where every node's value and gradient is: writable, so only from a model that is not const.
  detail::context<plan> context() { return view(); }

 private:
  static constexpr std::size_t values_at = detail::padded(4 * parameter_count);
  static constexpr std::size_t grads_at = values_at + plan::value_size;
  static constexpr std::size_t targets_at = grads_at + plan::grad_size;
  static constexpr std::size_t probes_at = targets_at + Batch * output_size;
  // With the batch along the lanes (plan::lanes), probe turns a layer's value into rows here: a
  // region for each layer, so that one probe's span outlives the next probe.
  static constexpr auto probe_offsets = [] {
    std::array<std::size_t, plan::layers::size + 1> out{};
    std::size_t i = 0;
    detail::for_each_type<typename plan::layers>([&]<class L>() {
      out[i + 1] = out[i] + (plan::lanes ? detail::padded(plan::template full<L>::size) : 0);
      ++i;
    });
    return out;
  }();
  static constexpr std::size_t total_size = probes_at + probe_offsets.back();

 public:
  /// Bytes of the one allocation: parameters, gradients, Adam's moments, values, gradients, targets
  /// (and, with the batch along the lanes, the rows probe reads).
  static constexpr std::size_t workspace_bytes = total_size * sizeof(Scalar);

 private:

  // The one place constness is cast away: const methods read through it (output, probe, loss) and
  // hand out only spans of const.
  detail::context<plan> view() const {
    auto* base = const_cast<Scalar*>(memory_.data());
    auto* weights = shared_params_ ? const_cast<Scalar*>(shared_params_) : base;
    return {weights,   base + parameter_count, base + values_at, base + grads_at,
            training_, detail::step_noise(seed_, step_), first_row_};
  }

  Scalar* params() const { return const_cast<Scalar*>(memory_.data()); }
  Scalar* param_grads() const { return params() + parameter_count; }
  Scalar* state() const { return params() + 2 * parameter_count; }
  Scalar* targets() const { return const_cast<Scalar*>(memory_.data()) + targets_at; }

  // Zeroes the gradients a backward pass adds to. Those whose one writer assigns them (the plan's
  // grad_assigned: most of a dense stack's) are left as they are: 2.6-5% of a step went to a memset.
  void zero_gradients() {
    if constexpr (all_param_grads_assigned) {
    } else if constexpr (no_param_grad_assigned) {
      std::fill_n(param_grads(), parameter_count, Scalar(0));
    } else {
      detail::for_each_type<typename plan::params>([&]<class P>() {
        if constexpr (!detail::grad_assigned<plan, P>)
          std::fill_n(param_grads() + plan::template param_offset<P>, P::shape::size, Scalar(0));
      });
    }
    Scalar* grads = params() + grads_at;
    detail::for_each_type<typename plan::with_grad>([&]<class N>() {
      if constexpr (!detail::grad_assigned<plan, N>)
        std::fill_n(grads + plan::template grad_offset<N>, plan::template extra_grads<N>, Scalar(0));
    });
  }
  static constexpr bool all_param_grads_assigned = [] {
    bool all = true;
    detail::for_each_type<typename plan::params>([&]<class P>() { all = all && detail::grad_assigned<plan, P>; });
    return all;
  }();
  static constexpr bool no_param_grad_assigned = [] {
    bool none = true;
    detail::for_each_type<typename plan::params>([&]<class P>() { none = none && !detail::grad_assigned<plan, P>; });
    return none;
  }();

  // The forward pass alone, for callers that have set the floating-point mode already.
  void forward_pass() {
    const auto c = context();
    detail::for_each_type<typename plan::computed>([&]<class N>() { N::forward(c); });
  }

  // SkipOutput: the loss already wrote the gradient of the output's logit (it folded into the output node).
  template <bool SkipOutput>
  void backward_from_output() {
    const auto c = context();
    using reversed = typename detail::reverse<typename plan::computed>::type;
    detail::for_each_type<reversed>([&]<class N>() {
      if constexpr (needs_grad<N> && !(SkipOutput && std::is_same_v<N, detail::storage_t<output_node>>)) N::backward(c);
    });
  }

  /// Marks a training step for as long as it lives (and ends it on an exception too).
  struct training_scope {
    model& m;
    explicit training_scope(model& owner) : m(owner) { m.training_ = true; }
    ~training_scope() { m.training_ = false; }
  };

  // A grain of a threaded step is a model of its own, of fewer rows, that computes rows
  // [first_row_, first_row_ + Batch) of the whole batch with the whole model's parameters (read
  // in place: shared_params_), seed and step.
  template <class M, class L, class O, class Metric, std::size_t TargetWidth, class Source>
  friend class detail::parallel_step;

  detail::aligned_buffer<Scalar> memory_;
  std::uint64_t seed_ = 0;
  std::uint64_t step_ = 0;
  const Scalar* shared_params_ = nullptr;  // a grain's: the whole model's parameters; else its own
  std::size_t first_row_ = 0;              // where row 0 is in the batch (dropout's mask is the whole batch's)
  bool training_ = false;
};

}  // namespace ctgraph
