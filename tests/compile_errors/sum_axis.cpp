// Mistake: sum<2> of a [20, 2] input, which has only axes 0 and 1.
// expect: ctgraph: sum<axis>(x): the axis is not one of x's
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20, 2>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::dense<1>(ctgraph::sum<2>(x));
#else
constexpr auto g = ctgraph::dense<1>(ctgraph::sum<1>(x));
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
