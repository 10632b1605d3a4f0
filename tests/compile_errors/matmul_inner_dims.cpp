// Mistake: matmul of a [6] input with a [5, 3] parameter: the inner dimensions (6 and 5) differ.
// expect: ctgraph: matmul(a, b): the last dimension of a must equal the first of b
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

#ifdef EXPECT_ERROR
constexpr auto x = ctgraph::input<6>;
#else
constexpr auto x = ctgraph::input<5>;
#endif
constexpr auto w = ctgraph::param<"p", "w", ctgraph::shape<5, 3>>(ctgraph::zeros{});
constexpr auto g = ctgraph::matmul(x, w);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
