// How a graph type becomes straight-line code: its nodes collected once each in
// data-flow order, each given a place in one workspace, and a context through
// which a node reads its inputs and accumulates its gradients. All of it is
// decided at compile time; at run time there are only buffers and offsets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "ctgraph/detail/batch_on_lanes.hpp"
#include "ctgraph/detail/fuse.hpp"
#include "ctgraph/detail/type_list.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph::detail {

// Post-order, each node once: children before their parents.
template <class N, class Seen, bool = contains<Seen, N>>
struct collect {
  using type = Seen;
};
template <class Seen, class Children>
struct collect_children;
template <class Seen>
struct collect_children<Seen, type_list<>> {
  using type = Seen;
};
template <class Seen, class C, class... Cs>
struct collect_children<Seen, type_list<C, Cs...>> {
  using type = typename collect_children<typename collect<C, Seen>::type, type_list<Cs...>>::type;
};
template <class N, class Seen>
struct collect<N, Seen, false> {
  using type = typename push_back_unique<typename collect_children<Seen, typename N::children>::type, N>::type;
};

template <class T, class List>
inline constexpr std::size_t count_in = 0;
template <class T, class... Ts>
inline constexpr std::size_t count_in<T, type_list<Ts...>> = (std::size_t(std::is_same_v<T, Ts>) + ... + 0);

/// How many of Nodes read T, and whether they are all element-wise. A fold, not a loop of
/// lambdas: a plan asks this of every node, and lambdas instantiated per pair of nodes were the
/// largest part of a graph's front-end compile time.
template <class T, class Nodes>
struct consumers_in;
template <class T, class... Ns>
struct consumers_in<T, type_list<Ns...>> {
  static constexpr std::size_t count = (count_in<T, typename Ns::children> + ... + 0);
  static constexpr bool all_elementwise =
      ((count_in<T, typename Ns::children> == 0 || is_elementwise<Ns>::value) && ...);
};

/// A layer's value is its inner expression's: they share one buffer.
template <class N>
struct storage {
  using type = N;
};
template <class N>
  requires is_layer<N>::value
struct storage<N> {
  using type = typename storage<typename N::inner>::type;
};
template <class N>
using storage_t = typename storage<N>::type;

inline constexpr std::size_t align_scalars = 16;  // 64 bytes of float: each buffer starts on a cache line
constexpr std::size_t padded(std::size_t n) { return (n + align_scalars - 1) / align_scalars * align_scalars; }

/// Whether an element-wise node computed by an exponential (sigmoid, tanh, exp, log) is
/// stored rather than inlined: a recurrence's cell stores its gates, whose inlined chains the
/// backward pass would otherwise recompute several times per element, at every step.
template <class N>
inline constexpr bool costly_elementwise = [] {
  if constexpr (requires { typename N::op; })
    return requires { requires N::op::transcendental; };
  else
    return false;
}();

/// What the plan gives for a node it does not hold: an offset that is a compile error where it is
/// used as one. (Not an error in the lookup itself: that line is the plan's own member, whose context
/// line spells the whole graph. Here the context is the line that used the offset.)
template <int Unused = 0>
struct node_not_in_plan {
  constexpr operator std::size_t() const {
    static_assert(Unused != 0, "ctgraph: internal: a node the plan does not hold was looked up");
    return 0;
  }
};

/// N's offset in a region of the plan, given whether the region's list holds N and N's index there.
/// For a node it does not hold the index would be the list's size, whose offset is the end of the
/// region, where the next region's buffers begin: node_not_in_plan instead.
template <bool Held, std::size_t Size>
constexpr auto offset_at(const std::array<std::size_t, Size>& offsets, std::size_t index) {
  if constexpr (Held)
    return offsets[index];
  else
    return node_not_in_plan<>{};
}

/// How many of N's children keep their gradient in S: how many times N's backward pass writes S's
/// gradient. A layer writes none (its gradient is its inner node's buffer), whatever it wraps.
template <class S, class N, class Children = typename N::children>
inline constexpr std::size_t grad_writes = 0;
template <class S, class N, class... Cs>
  requires(!is_layer<N>::value)
inline constexpr std::size_t grad_writes<S, N, type_list<Cs...>> = (std::size_t(std::is_same_v<storage_t<Cs>, S>) + ... + 0);

/// Whether N's backward pass can assign its child C's gradient instead of adding to it, when the plan
/// says N is that gradient's one writer (the node's promise: every element written once, whole).
template <class N, class C>
inline constexpr bool can_assign_grad = requires { requires N::template assigns_grad_of<C>; };

/// The nodes whose gradients a loss writes, and only for the rows it is given: the graph's output
/// (or each of its outputs), whose own backward pass the loss may skip to write its input's instead.
template <class G, bool = is_outputs<G>>
struct outputs_of {
  using type = type_list<storage_t<G>>;
};
template <class G>
struct outputs_of<G, true> {
  using type = type_list<storage_t<typename G::first>, storage_t<typename G::second>>;
};

template <bool Lanes, class Fused>
struct graph_on_lanes {
  using type = Fused;
};
template <class Fused>
struct graph_on_lanes<true, Fused> {
  using type = typename on_lanes_output<Fused>::type;
};

template <class Graph, std::size_t Batch, class Scalar, bool StoreCostly = false>
struct plan {
  using fused = fused_graph<Graph>;
  /// Whether the batch runs along the vector lanes (batch_on_lanes.hpp): then graph is the rewrite.
  static constexpr bool lanes = batch_on_lanes<fused, typename collect<fused, type_list<>>::type, Batch, Scalar,
                                               layout_for<std::remove_cv_t<Graph>, Batch>>;
  using graph = typename graph_on_lanes<lanes, fused>::type;
  using scalar = Scalar;
  static constexpr std::size_t batch = Batch;
  using nodes = typename collect<graph, type_list<>>::type;

  template <class N>
  using full = prepend_t<typename N::shape, ctgraph::is_batched<N> ? Batch : 1>;

  template <class T>
  static constexpr std::size_t consumers = consumers_in<T, nodes>::count;
  template <class T>
  static constexpr bool only_elementwise_consumers = consumers_in<T, nodes>::all_elementwise;

  /// An element-wise node read by exactly one element-wise node is computed
  /// inside its reader's loop and never stored: a chain becomes one loop.
  template <class N>
  static constexpr bool inlined = is_elementwise<N>::value && consumers<N> == 1 && only_elementwise_consumers<N> &&
                                  !(StoreCostly && costly_elementwise<N>);

  template <class N>
  struct in_workspace : std::bool_constant<!is_param<N>::value && !is_layer<N>::value && !inlined<N>> {};
  template <class N>
  struct is_computed : std::bool_constant<in_workspace<N>::value && !is_input<N>::value> {};
  template <class N>
  struct has_grad_buffer : std::bool_constant<in_workspace<N>::value && ctgraph::needs_grad<N>> {};

  using params = typename filter<nodes, is_param>::type;
  using inputs = typename filter<nodes, is_input>::type;
  using layers = typename filter<nodes, is_layer>::type;
  using stored = typename filter<nodes, in_workspace>::type;
  using computed = typename filter<nodes, is_computed>::type;
  using with_grad = typename filter<nodes, has_grad_buffer>::type;

  template <class List, bool Pad, class SizeOf>
  static constexpr auto offsets(SizeOf size_of) {
    std::array<std::size_t, List::size + 1> out{};
    std::size_t i = 0;
    for_each_type<List>([&]<class N>() {
      out[i + 1] = out[i] + (Pad ? padded(size_of.template operator()<N>()) : size_of.template operator()<N>());
      ++i;
    });
    return out;
  }
  static constexpr auto param_offsets = offsets<params, false>([]<class N>() { return N::shape::size; });
  // A node may ask for room of its own past its value and gradient (a recurrence keeps every step's values).
  template <class N>
  static constexpr std::size_t extra_values = [] {
    if constexpr (requires { N::template workspace<Batch, Scalar>::values; })
      return padded(full<N>::size) + N::template workspace<Batch, Scalar>::values;
    else
      return full<N>::size;
  }();
  template <class N>
  static constexpr std::size_t extra_grads = [] {
    if constexpr (requires { N::template workspace<Batch, Scalar>::grads; })
      return padded(full<N>::size) + N::template workspace<Batch, Scalar>::grads;
    else
      return full<N>::size;
  }();
  static constexpr auto value_offsets = offsets<stored, true>([]<class N>() { return extra_values<N>; });
  static constexpr auto grad_offsets = offsets<with_grad, true>([]<class N>() { return extra_grads<N>; });

  static constexpr std::size_t parameter_count = param_offsets.back();
  static constexpr std::size_t value_size = value_offsets.back();
  static constexpr std::size_t grad_size = grad_offsets.back();

  template <class N>
  static constexpr auto param_offset = offset_at<contains<params, N>>(param_offsets, index_of<params, N>::value);
  template <class N>
  static constexpr auto value_offset = offset_at<contains<stored, N>>(value_offsets, index_of<stored, N>::value);
  template <class N>
  static constexpr auto grad_offset = offset_at<contains<with_grad, N>>(grad_offsets, index_of<with_grad, N>::value);
};

/// Whether N's backward writes reach each of N's elements once: a stored node's backward visits them
/// all once; an inlined node is reached through its one reader, once per element when that reader
/// maps its elements one to one onto N's (it says it could assign N's gradient) and is reached once.
template <class Plan, class N, class Nodes = typename Plan::nodes>
inline constexpr bool visited_once = true;
/// Whether N is reached once per element through R: true where R does not read N. A specialization
/// for the readers alone, so that visited_once<R> is named only for them (clang instantiates every
/// operand of a fold, || or not, and a node that is not N's reader may be N itself).
template <class Plan, class N, class R, bool Reads = (count_in<N, typename R::children> != 0)>
inline constexpr bool reached_once_through = true;
template <class Plan, class N, class R>
inline constexpr bool reached_once_through<Plan, N, R, true> = can_assign_grad<R, N> && visited_once<Plan, R>;
template <class Plan, class N, class... Ns>
  requires Plan::template inlined<N>
inline constexpr bool visited_once<Plan, N, type_list<Ns...>> = (reached_once_through<Plan, N, Ns> && ...);

/// Of N's writes to S's gradient, how many are assignments it makes whole. Not an element-wise
/// output's: a loss that folds into it skips its backward pass and writes S's gradient itself, for
/// the rows it has (a partial batch leaves the rest to the zeroing).
template <class Plan, class S, class N, class Children = typename N::children>
inline constexpr std::size_t assigning_writes = 0;
template <class Plan, class S, class N, class... Cs>
  requires(!is_layer<N>::value && visited_once<Plan, N> &&
           !(is_elementwise<N>::value && contains<typename outputs_of<typename Plan::graph>::type, N>))
inline constexpr std::size_t assigning_writes<Plan, S, N, type_list<Cs...>> =
    (std::size_t(std::is_same_v<storage_t<Cs>, S> && can_assign_grad<N, Cs>) + ... + 0);

/// Whether node S's (or parameter S's) gradient has one writer in the plan and it assigns: the
/// backward pass's first write is its only one, so S's gradient is not zeroed before it.
template <class Plan, class S, class Nodes = typename Plan::nodes>
inline constexpr bool grad_assigned = false;
template <class Plan, class S, class... Ns>
inline constexpr bool grad_assigned<Plan, S, type_list<Ns...>> =
    (grad_writes<S, Ns> + ... + 0) == 1 && (assigning_writes<Plan, S, Ns> + ... + 0) == 1;

/// What a node's forward and backward see: where every node's value and gradient is.
/// Parameters are placed by ParamPlan: a recurrence's cell runs on a plan of its own
/// but reads and trains the parameters of the graph around it.
template <class Plan, class ParamPlan = Plan>
struct context {
  using plan = Plan;
  using param_plan = ParamPlan;
  using scalar = typename Plan::scalar;
  static constexpr std::size_t batch = Plan::batch;
  template <class N>
  using full = typename Plan::template full<N>;

  scalar* params;
  scalar* param_grads;
  scalar* values;
  scalar* grads;
  bool training = false;    // in a training step (dropout is active), not in evaluate or predict
  std::uint64_t noise = 0;  // the step's random stream (detail::step_noise): the same in forward and backward
  std::size_t first_row = 0;  // the batch's row that row 0 here is (not 0 in a grain of a threaded step)

  template <class N>
  scalar* value() const {
    using S = storage_t<N>;
    if constexpr (is_param<S>::value)
      return params + ParamPlan::template param_offset<S>;
    else
      return values + Plan::template value_offset<S>;
  }
  template <class N>
  scalar* grad() const {
    using S = storage_t<N>;
    static_assert(ctgraph::needs_grad<S>, "ctgraph: internal: gradient asked of a node that needs none");
    if constexpr (is_param<S>::value)
      return param_grads + ParamPlan::template param_offset<S>;
    else
      return grads + Plan::template grad_offset<S>;
  }
  /// Whether a node's backward pass assigns its child C's gradient rather than adding to it: the plan
  /// found it that gradient's one writer (grad_assigned) and does not zero it. Only in a graph's own
  /// plan: a recurrence's cell runs again at every step, adding to the parameters' gradients.
  template <class C>
  static constexpr bool assigns_grad = std::is_same_v<Plan, ParamPlan> && grad_assigned<Plan, storage_t<C>>;

  /// Element i of N's value: read from its buffer, or computed on the spot when N is inlined.
  template <class N>
  scalar load(std::size_t i) const {
    using S = storage_t<N>;
    if constexpr (Plan::template inlined<S>)
      return S::at(*this, i);
    else
      return value<S>()[i];
  }
  /// Adds g to element i of N's gradient (through N, when N is inlined).
  template <class N>
  void accumulate(std::size_t i, scalar g) const {
    using S = storage_t<N>;
    if constexpr (!ctgraph::needs_grad<S>)
      return;
    else if constexpr (Plan::template inlined<S>)
      S::push(*this, i, g);
    else if constexpr (assigns_grad<S>)
      grad<S>()[i] = g;
    else
      grad<S>()[i] += g;
  }
};

}  // namespace ctgraph::detail
