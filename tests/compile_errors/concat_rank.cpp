// Mistake: concat of a [5, 3] sequence and a [3] vector: their ranks differ (reshape the vector first).
// expect: ctgraph: concat<axis>(a, b): a and b must have the same rank
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<5, 3>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::concat<0>(x, ctgraph::constant<1.0, 3>);
#else
constexpr auto g = ctgraph::concat<0>(x, ctgraph::reshape<1, 3>(ctgraph::constant<1.0, 3>));
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
