#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<5, 2>;
constexpr auto p = param<"t", "p", shape<5, 1>>(zeros{});
constexpr auto q = param<"t", "q", shape<2>>(zeros{});
}  // namespace

TEST_CASE("sum: along either axis matches finite differences") {
  test::check_gradients<decltype(sum<0>(x * p))>();
  test::check_gradients<decltype(sum<1>(x * q + p))>();
  test::check_gradients<decltype(sum<-1>(x * q) * sum<0>(sum<1>(x * p)))>();  // [5] * a per-sample scalar
}

TEST_CASE("sum: the temporal attention context sum_t softmax(e)_t h_t matches finite differences") {
  // fib_rnn_attention's pattern: alpha = softmax over the steps, context = sum over the steps.
  constexpr auto w = param<"attention", "W", shape<2, 1>>(zeros{});
  constexpr auto b = param<"attention", "b", shape<5, 1>>(zeros{});
  constexpr auto alpha = softmax<0>(ctgraph::tanh(matmul(x, w) + b));
  test::check_gradients<decltype(sum<0>(alpha * x))>();
  static_assert(std::is_same_v<decltype(sum<0>(alpha * x))::shape, shape<2>>);
}
