// Mistake: dropout<1.0>, which would drop everything (and divide by 1 - rate = 0).
// expect: ctgraph: dropout<rate>(x): the rate must be at least 0 and below 1
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::dense<1>(ctgraph::dropout<1.0>(ctgraph::dense<8>(x)));
#else
constexpr auto g = ctgraph::dense<1>(ctgraph::dropout<0.5>(ctgraph::dense<8>(x)));
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
