// Mistake: scan declares a pair of states (h, c), the cell returns only h.
// expect: ctgraph: scan<states...>(x, cell): the cell must return as many states as scan declares
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

using namespace ctgraph;

constexpr auto x = input<10, 2>;
constexpr auto w = param<"cell", "kernel", shape<2, 4>>(glorot_uniform{});
constexpr auto cell = [](auto xt, auto h, auto c) {
  const auto c2 = c + ctgraph::tanh(matmul(xt, w));
#ifdef EXPECT_ERROR
  return h * ctgraph::tanh(c2);
#else
  return states(h * ctgraph::tanh(c2), c2);
#endif
};
constexpr auto g = scan<shape<4>, shape<4>>(x, cell);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 2> m;
  m.forward();
}
