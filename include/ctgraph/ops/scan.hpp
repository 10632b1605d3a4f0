// A recurrence: a cell (x_t, s_{t-1}) -> s_t written from primitives, unrolled over T steps.
//   x: [T, F]   s: one state [N] (or several: LSTM's h and c)   s_{-1} = 0
//   y = s_{T-1} [N] (the first state), or (s_0 .. s_{T-1}) [T, N] with return_sequences
// forward: for t = 0 .. T-1, the cell's own plan runs on a workspace of its own for step t
// backward, for t = T-1 down to 0, the cell's generated backward with
//   ds_t = g_t + (ds_t from step t+1, through its state input)
//   the cell's parameters are the graph's: their gradient sums over the steps
// The cell's type is held once: the type, and so the compile time, does not grow with T.
#pragma once

#include <algorithm>
#include <type_traits>
#include <utility>

#include "ctgraph/detail/plan.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

/// Pass to a recurrence to get every step's state, as Keras' return_sequences=True.
inline constexpr struct return_sequences_t {
} return_sequences{};

/// The step's input x_t inside a cell: [F] per sample.
template <class Shape, bool Grad>
struct cell_input {
  using shape = Shape;
  using children = type_list<>;
  static constexpr bool is_input = true, wants_grad = Grad;
  static constexpr std::string_view type_name = "StepInput";
  static constexpr std::size_t flops = 0;
};

/// State number Index of the previous step inside a cell.
template <std::size_t Index, class Shape>
struct cell_state {
  using shape = Shape;
  using children = type_list<>;
  static constexpr bool is_input = true, wants_grad = true;
  static constexpr std::string_view type_name = "StepState";
  static constexpr std::size_t flops = 0;
};

/// What a cell returns when its state is several tensors: `return states(h, c);`.
template <node... E>
struct next_states {
  using shape = ctgraph::shape<1>;
  using children = type_list<E...>;
  static constexpr std::string_view type_name = "States";
  static constexpr std::size_t flops = 0, backward_flops = 0;
  template <class... C>
  using with_children = next_states<C...>;
  template <class Ctx>
  static void forward(const Ctx&) {}
  template <class Ctx>
  static void backward(const Ctx&) {}
};

/// The next states of a cell, in the order scan<...> declared them.
template <node... E>
constexpr auto states(E...) {
  return next_states<E...>{};
}

namespace detail {
template <class T>
struct as_states {
  using type = next_states<T>;
};
template <class... E>
struct as_states<next_states<E...>> {
  using type = next_states<E...>;
};

template <class X, class List>
struct prepend_type;
template <class X, class... Ts>
struct prepend_type<X, type_list<Ts...>> {
  using type = type_list<X, Ts...>;
};

template <class Root>
using params_of = typename filter<typename collect<Root, type_list<>>::type, is_param>::type;

template <class S, class Ctx>
inline void copy_rows(const S* from, std::size_t from_stride, S* to, std::size_t to_stride, std::size_t width) {
  for (std::size_t r = 0; r < Ctx::batch; ++r) std::copy_n(from + r * from_stride, width, to + r * to_stride);
}
}  // namespace detail

template <node X, class Root, bool Sequences>
struct scan_node {
  static constexpr std::size_t T = X::shape::dims[0], F = X::shape::dims[1];
  using step_input = cell_input<ctgraph::shape<F>, needs_grad<X>>;
  using outputs = typename Root::children;  // unfused: for shapes only
  using state_shape = typename detail::type_at<0, outputs>::type::shape;
  using shape = std::conditional_t<Sequences, prepend_t<state_shape, T>, state_shape>;
  using children = typename detail::prepend_type<X, detail::params_of<Root>>::type;
  static constexpr std::string_view type_name = "Scan";
  template <class X2, class... Params>
  using with_children = scan_node<X2, Root, Sequences>;

  /// The cell as it runs: its own plan at the graph's batch.
  template <std::size_t Batch, class Scalar>
  using cell_plan = detail::plan<Root, Batch, Scalar, true>;

  template <bool Backward>
  static constexpr std::size_t cell_flops() {
    std::size_t n = 0;
    detail::for_each_type<typename cell_plan<1, float>::computed>([&]<class N>() {
      n += N::flops;
      if constexpr (Backward && needs_grad<N>) n += N::backward_flops;
    });
    return T * n;
  }
  static constexpr std::size_t flops = cell_flops<false>();
  static constexpr std::size_t backward_flops = cell_flops<true>() - flops;

  template <class Plan>
  static constexpr std::size_t carry_size = [] {
    std::size_t n = 0;
    detail::for_each_type<typename Plan::graph::children>([&]<class E>() { n += detail::padded(Plan::template full<E>::size); });
    return n;
  }();
  /// Room past the value: every step's cell values. Past the gradient: the cell's gradients and the carry.
  template <std::size_t Batch, class Scalar>
  struct workspace {
    static constexpr std::size_t values = T * cell_plan<Batch, Scalar>::value_size;
    static constexpr std::size_t grads = cell_plan<Batch, Scalar>::grad_size + carry_size<cell_plan<Batch, Scalar>>;
  };

  template <class Ctx>
  using inner_plan = cell_plan<Ctx::batch, typename Ctx::scalar>;
  template <class Ctx>
  using inner_context = detail::context<inner_plan<Ctx>, typename Ctx::param_plan>;
  template <class Ctx>
  static constexpr std::size_t own = detail::padded(Ctx::template full<scan_node>::size);

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    using IP = inner_plan<Ctx>;
    using outs = typename IP::graph::children;
    constexpr std::size_t N = state_shape::size;
    S* y = c.template value<scan_node>();
    S* steps = y + own<Ctx>;
    const S* x = c.template value<X>();
    for (std::size_t t = 0; t < T; ++t) {
      const inner_context<Ctx> ic{c.params, c.param_grads, steps + t * IP::value_size, nullptr};
      if constexpr (detail::contains<typename IP::nodes, step_input>)
        detail::copy_rows<S, Ctx>(x + t * F, T * F, ic.template value<step_input>(), F, F);
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (load_state<Ctx, K, typename detail::type_at<K, outs>::type>(ic, steps, t), ...);
      }(std::make_index_sequence<outs::size>{});
      detail::for_each_type<typename IP::computed>([&]<class M>() { M::forward(ic); });
      if constexpr (Sequences)
        detail::copy_rows<S, Ctx>(ic.template value<typename detail::type_at<0, outs>::type>(), N, y + t * N, T * N, N);
      else if (t + 1 == T)
        std::copy_n(ic.template value<typename detail::type_at<0, outs>::type>(), Ctx::batch * N, y);
    }
  }

  // State K's input at step t: zeros at the first step, the cell's K-th output of step t-1 after.
  template <class Ctx, std::size_t K, class E>
  static void load_state(const inner_context<Ctx>& ic, typename Ctx::scalar* steps, std::size_t t) {
    using IP = inner_plan<Ctx>;
    using Ph = cell_state<K, typename E::shape>;
    if constexpr (detail::contains<typename IP::nodes, Ph>) {
      constexpr std::size_t size = IP::template full<Ph>::size;
      auto* s = ic.template value<Ph>();
      if (t == 0) {
        std::fill_n(s, size, typename Ctx::scalar(0));
      } else {
        const inner_context<Ctx> prev{ic.params, ic.param_grads, steps + (t - 1) * IP::value_size, nullptr};
        std::copy_n(prev.template value<E>(), size, s);
      }
    }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    using IP = inner_plan<Ctx>;
    using outs = typename IP::graph::children;
    using reversed = typename detail::reverse<typename IP::computed>::type;
    constexpr std::size_t N = state_shape::size;
    S* steps = c.template value<scan_node>() + own<Ctx>;
    const S* g = c.template grad<scan_node>();
    S* cell_grads = c.template grad<scan_node>() + own<Ctx>;
    S* carry = cell_grads + IP::grad_size;
    for (std::size_t t = T; t-- > 0;) {
      const inner_context<Ctx> ic{c.params, c.param_grads, steps + t * IP::value_size, cell_grads};
      std::fill_n(cell_grads, IP::grad_size, S(0));
      // The gradient of each state this step returned: what step t+1 sent back through its input ...
      std::size_t at = 0;
      detail::for_each_type<outs>([&]<class E>() {
        constexpr std::size_t size = IP::template full<E>::size;
        if (t + 1 < T) std::copy_n(carry + at, size, ic.template grad<E>());
        at += detail::padded(size);
      });
      // ... and, for the first state, what the graph above reads of it.
      using first = typename detail::type_at<0, outs>::type;
      S* g0 = ic.template grad<first>();
      if constexpr (Sequences) {
        for (std::size_t r = 0; r < Ctx::batch; ++r)
          for (std::size_t j = 0; j < N; ++j) g0[r * N + j] += g[(r * T + t) * N + j];
      } else if (t + 1 == T) {
        for (std::size_t i = 0; i < Ctx::batch * N; ++i) g0[i] += g[i];
      }
      detail::for_each_type<reversed>([&]<class M>() {
        if constexpr (needs_grad<M>) M::backward(ic);
      });
      at = 0;
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((store_carry<Ctx, K, typename detail::type_at<K, outs>::type>(ic, carry, at)), ...);
      }(std::make_index_sequence<outs::size>{});
      if constexpr (needs_grad<X> && detail::contains<typename IP::nodes, step_input>) {
        const S* dxt = ic.template grad<step_input>();
        S* dx = c.template grad<X>();
        for (std::size_t r = 0; r < Ctx::batch; ++r)
          for (std::size_t j = 0; j < F; ++j) dx[(r * T + t) * F + j] += dxt[r * F + j];
      }
    }
  }

  template <class Ctx, std::size_t K, class E>
  static void store_carry(const inner_context<Ctx>& ic, typename Ctx::scalar* carry, std::size_t& at) {
    using IP = inner_plan<Ctx>;
    using Ph = cell_state<K, typename E::shape>;
    constexpr std::size_t size = IP::template full<E>::size;
    if constexpr (detail::contains<typename IP::nodes, Ph>)
      std::copy_n(ic.template grad<Ph>(), size, carry + at);
    else
      std::fill_n(carry + at, size, typename Ctx::scalar(0));
    at += detail::padded(size);
  }
};

namespace detail {
template <class Shape>
struct check_scan_input {
  static_assert(Shape::rank == 2, "ctgraph: scan(x, cell): x must be a sequence [steps, features] per sample");
  static constexpr bool ok = Shape::rank == 2;
};
template <class Shape>
struct check_recurrent_input {
  static_assert(Shape::rank == 2,
                "ctgraph: gru<units>(x), lstm<units>(x): x must be a sequence [steps, features] per sample");
  static constexpr bool ok = Shape::rank == 2;
};
// Booleans, not asserting classes: clang makes a class whose static_assert failed unusable, and
// every later use of its members would be a second error. The asserts are in make_scan.
template <class Declared, class Returned>
struct same_state_shapes {
  static constexpr bool value = false;
};
template <class... D, class... R>
  requires(sizeof...(D) == sizeof...(R))
struct same_state_shapes<type_list<D...>, next_states<R...>> {
  static constexpr bool value = (std::is_same_v<D, typename R::shape> && ...);
};
template <class Returned>
struct state_count;
template <class... R>
struct state_count<next_states<R...>> {
  static constexpr std::size_t value = sizeof...(R);
};

template <class Cell, class Step, class States, class Index>
struct cell_result;
template <class Cell, class Step, class... States, std::size_t... K>
struct cell_result<Cell, Step, type_list<States...>, std::index_sequence<K...>> {
  using type = decltype(std::declval<Cell>()(Step{}, cell_state<K, States>{}...));
};

template <bool Sequences, class... States, class X, class Cell>
constexpr auto make_scan(X x, Cell) {
  if constexpr (!check_scan_input<typename X::shape>::ok) {
    return x;
  } else {
    using step = cell_input<shape<X::shape::dims[1]>, ctgraph::needs_grad<X>>;
    using root = typename as_states<
        typename cell_result<Cell, step, type_list<States...>, std::index_sequence_for<States...>>::type>::type;
    constexpr bool same_count = sizeof...(States) == state_count<root>::value;
    static_assert(same_count,
                  "ctgraph: scan<states...>(x, cell): the cell must return as many states as scan declares "
                  "(for a pair, declare scan<shape<N>, shape<N>> and return states(h, c))");
    constexpr bool same_shapes = !same_count || same_state_shapes<type_list<States...>, root>::value;
    static_assert(same_shapes,
                  "ctgraph: scan(x, cell): the cell must return each state in the shape it receives it "
                  "(the state it returns is its next step's input)");
    if constexpr (!same_count || !same_shapes)
      return x;
    else
      return scan_node<X, root, Sequences>{};
  }
}
}  // namespace detail

/// Unrolls `cell(x_t, state...) -> state` over the steps of x [T, F], from zero states; the
/// last value of the first state: `scan<shape<8>>(x, [](auto x, auto h) { return ...; })`.
template <class... States, node X, class Cell>
constexpr auto scan(X x, Cell cell) {
  return detail::make_scan<false, States...>(x, cell);
}

/// The same, returning the first state at every step [T, ...].
template <class... States, node X, class Cell>
constexpr auto scan(X x, Cell cell, return_sequences_t) {
  return detail::make_scan<true, States...>(x, cell);
}

}  // namespace ctgraph
