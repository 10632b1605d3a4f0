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

TEST_CASE("affine: the gradients it alone writes are assigned and not zeroed, shared ones are summed") {
  // dense_2 reads dense_1's output alone: dense_1's output gradient, and every kernel's and bias's,
  // has one writer. The input of the shared layer is read twice (two writers): zeroed and summed.
  using stack = decltype(dense<3>(dense<4>(x, activation::relu)));
  using plan = detail::plan<stack, 8, float>;
  detail::for_each_type<typename plan::params>([]<class P>() { static_assert(detail::grad_assigned<plan, P>); });
  static_assert(plan::with_grad::size == 2);  // dense_1's output and the logit (written by the loss)
  static_assert(detail::grad_assigned<plan, typename detail::type_at<0, typename plan::with_grad>::type>);
  static_assert(!detail::grad_assigned<plan, typename detail::type_at<1, typename plan::with_grad>::type>);

  constexpr auto shared = [](auto in) { return dense<4, "shared">(in, activation::tanh); };
  using twice = decltype(dense<1>(shared(shared(input<4>))));
  using shared_plan = detail::plan<twice, 8, float>;
  using shared_kernel = typename detail::type_at<0, typename shared_plan::params>::type;
  static_assert(!detail::grad_assigned<shared_plan, shared_kernel>);
  static_assert(detail::grad_assigned<shared_plan, typename detail::type_at<2, typename shared_plan::params>::type>);
  // A second backward pass gives what the first would have: check_gradients runs two.
  test::check_gradients<stack>();
  test::check_gradients<twice>();
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

namespace {
// Every R x N block's column sums against a sum in double, for rows narrower and wider than a
// vector, and counts of rows that do not fill the last period (row_block.hpp).
template <std::size_t R, std::size_t N>
void check_column_sums() {
  std::array<float, R * N> g;
  random_engine rng(R * 100 + N);
  for (float& v : g) v = float(rng.uniform(-1, 1));
  std::array<float, N> sum;
  sum.fill(0.5f);  // added to, not overwritten
  detail::add_column_sums<R, N>(g.data(), sum.data());
  for (std::size_t j = 0; j < N; ++j) {
    double expected = 0.5;
    for (std::size_t r = 0; r < R; ++r) expected += g[r * N + j];
    CHECK(sum[j] == doctest::Approx(expected).epsilon(1e-5));
  }
}
}  // namespace

TEST_CASE("affine: a bias's gradient is each column's sum over the rows, for narrow and wide rows alike") {
  check_column_sums<32, 6>();   // digits_attention: a period of 8 rows, 4 whole periods
  check_column_sums<37, 6>();   // 4 periods and 5 rows
  check_column_sums<5, 6>();    // less than one period
  check_column_sums<32, 3>();
  check_column_sums<33, 1>();
  check_column_sums<120, 20>();
  check_column_sums<7, 100>();  // wide rows: summed row by row
  check_column_sums<1, 1>();
}
