// Mistake: a cell given a state [4] returns one of [3] (its kernels are 3 wide, the state 4).
// expect: ctgraph: scan(x, cell): the cell must return each state in the shape it receives it
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

using namespace ctgraph;

constexpr auto x = input<10, 2>;
#ifdef EXPECT_ERROR
constexpr auto w = param<"cell", "kernel", shape<2, 3>>(glorot_uniform{});
constexpr auto u = param<"cell", "recurrent_kernel", shape<4, 3>>(orthogonal{});
#else
constexpr auto w = param<"cell", "kernel", shape<2, 4>>(glorot_uniform{});
constexpr auto u = param<"cell", "recurrent_kernel", shape<4, 4>>(orthogonal{});
#endif
constexpr auto g = scan<shape<4>>(x, [](auto xt, auto h) { return ctgraph::tanh(matmul(xt, w) + matmul(h, u)); });

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 2> m;
  m.forward();
}
