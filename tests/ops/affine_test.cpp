#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<6>;

template <class G>
using executed = detail::fused_graph<G>;

template <class N>
inline constexpr bool is_affine = false;
template <class X, class W, class B, class Act>
inline constexpr bool is_affine<affine_node<X, W, B, Act>> = true;
}  // namespace

TEST_CASE("affine: dense with each activation fuses into one node") {
  using relu_dense = decltype(dense<4>(x, activation::relu));
  static_assert(is_affine<typename executed<relu_dense>::inner>);
  using softmax_dense = decltype(dense<4>(dense<5>(x, activation::softmax)));
  using plan = detail::plan<softmax_dense, 8, float>;
  // Two dense layers: two nodes run (plus the input), no separate bias add, activation or softmax.
  static_assert(plan::computed::size == 2);
}

TEST_CASE("affine: fused dense layers match finite differences for every activation") {
  test::check_gradients<decltype(dense<3>(dense<4>(x, activation::relu)))>();
  test::check_gradients<decltype(dense<3>(dense<4>(x, activation::tanh), activation::sigmoid))>();
  test::check_gradients<decltype(dense<3>(dense<5>(x, activation::softmax), activation::softmax))>();
}

TEST_CASE("affine: the output's sigmoid stays its own node over a stored logit") {
  using g = decltype(dense<1>(x, activation::sigmoid));
  using out = typename executed<g>::inner;
  static_assert(std::is_same_v<typename out::op, sigmoid_op>);
  static_assert(is_affine<typename detail::sigmoid_logit<executed<g>>::type>);
  test::check_gradients<g>();
}

TEST_CASE("affine: a product of a per-sample matrix with a parameter plus a bias fuses too") {
  constexpr auto seq = input<5, 2>;
  constexpr auto w = param<"t", "w", shape<2, 3>>(zeros{});
  constexpr auto b = param<"t", "b", shape<3>>(zeros{});
  constexpr auto full_b = param<"t", "full_b", shape<5, 3>>(zeros{});
  static_assert(is_affine<executed<decltype(ctgraph::tanh(matmul(seq, w) + b))>>);
  test::check_gradients<decltype(ctgraph::tanh(matmul(seq, w) + b))>();
  test::check_gradients<decltype(ctgraph::tanh(matmul(seq, w) + full_b))>();
}
