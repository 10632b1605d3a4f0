// Mistake: a free parameter without an owner name.
// expect: ctgraph: param<owner, name>: a free parameter needs both names
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<4>;
#ifdef EXPECT_ERROR
constexpr auto w = ctgraph::param<"", "w", ctgraph::shape<4, 2>>(ctgraph::zeros{});
#else
constexpr auto w = ctgraph::param<"p", "w", ctgraph::shape<4, 2>>(ctgraph::zeros{});
#endif
constexpr auto g = ctgraph::matmul(x, w);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
