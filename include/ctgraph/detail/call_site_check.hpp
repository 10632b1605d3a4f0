// Checks made at the user's call, not inside the library. A static_assert in a member of
// model<Graph, ...> or in fit<Model, ...> fails inside an instantiation whose context lines
// ("In instantiation of ... [with Graph = ...]", "required from ...") spell the whole graph's
// type, several times: thousands of characters for a real network. A check is therefore a type
// of short template arguments (bools, sizes, a name; never the plan or the graph) whose
// constructor holds the static_assert, constructed where the user calls:
//   - by a member function (train_step, probe), as the default argument of a trailing unnamed
//     parameter: the context is then "In instantiation of 'X<short args>::X()': required from
//     here", with g++ and clang++ alike;
//   - by a free function (fit, evaluate, predict), as its data argument is converted to a
//     checked_argument: clang names a free function's default argument by every template
//     argument of the function (the model's whole type), but a conversion by its own type.
// Of a call's several checks only the first that fails is constructed (first_failing), so one
// mistake is one error; the same check reached again inside the library (fit ->
// compute_gradients) is the same instantiation, so its error is given once. The function's body
// must then compile without a second error when a check fails (if constexpr on the condition).
//
//   template <bool EndsInSigmoid> struct graph_ends_in_sigmoid {
//     static constexpr bool holds = EndsInSigmoid;
//     constexpr graph_ends_in_sigmoid() { static_assert(holds, "ctgraph: ..."); }
//   };
//   double train_step(const Loss&, const Optimizer&, std::size_t count = Batch,
//                     detail::loss_check<Loss, plan> = {});
#pragma once

#include <type_traits>

namespace ctgraph::detail {

/// The check of a call that has nothing to check.
struct no_check {
  static constexpr bool holds = true;
};

/// The first of Checks that fails (each says whether it holds), or no_check when all hold.
template <class... Checks>
struct first_failing {
  using type = no_check;
};
template <class Check, class... Rest>
struct first_failing<Check, Rest...> {
  using type = std::conditional_t<Check::holds, typename first_failing<Rest...>::type, Check>;
};
template <class... Checks>
using first_failing_t = typename first_failing<Checks...>::type;

/// A free function's argument that makes Check as it is passed (see above). Check is the default
/// argument of the conversion, not made in its body: a default argument is instantiated where the
/// call is, at once, while clang instantiates bodies at the end of the file, after fit's own, whose
/// compute_gradients would then make the check first, from inside fit.
template <class T, class Check>
struct checked_argument {
  const T& value;
  checked_argument(const T& argument, Check = {}) : value(argument) {}
};

/// A loss's check of the graph it trains: Loss::graph_check<Plan> (the loss protocol's optional
/// member: a check type as above, with `holds`), or no_check for a loss without one.
template <class Loss, class Plan>
struct loss_check_of {
  using type = no_check;
};
template <class Loss, class Plan>
  requires requires { typename Loss::template graph_check<Plan>; }
struct loss_check_of<Loss, Plan> {
  using type = typename Loss::template graph_check<Plan>;
};
template <class Loss, class Plan>
using loss_check = typename loss_check_of<Loss, Plan>::type;

}  // namespace ctgraph::detail
