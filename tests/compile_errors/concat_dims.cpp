// Mistake: concat along the last axis of a [5, 3] and a [4, 2]: the other dimension (5, 4) differs.
// expect: ctgraph: concat<axis>(a, b): a and b must have the same size in every dimension but the axis
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<5, 3>;
#ifdef EXPECT_ERROR
constexpr auto y = ctgraph::input<4, 2>;
#else
constexpr auto y = ctgraph::constant<1.0, 5, 2>;
#endif
constexpr auto g = ctgraph::concat(x, y);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
