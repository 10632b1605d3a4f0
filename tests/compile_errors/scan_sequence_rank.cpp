// Mistake: scan over a matrix per step ([steps, rows, features]) instead of [steps, features].
// expect: ctgraph: scan(x, cell): x must be a sequence [steps, features] per sample
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

using namespace ctgraph;

#ifdef EXPECT_ERROR
constexpr auto x = input<10, 2, 2>;
#else
constexpr auto x = input<10, 2>;
#endif
constexpr auto w = param<"cell", "kernel", shape<2, 4>>(glorot_uniform{});
constexpr auto g = scan<shape<4>>(x, [](auto xt, auto h) { return h + ctgraph::tanh(matmul(xt, w)); });

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 2> m;
  m.forward();
}
