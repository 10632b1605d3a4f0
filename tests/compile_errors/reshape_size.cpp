// Mistake: reshape<4, 4> of a [5, 3]: 16 values asked of 15.
// expect: ctgraph: reshape<dims...>(x): the new shape must hold as many values as x
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<5, 3>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::reshape<4, 4>(x);
#else
constexpr auto g = ctgraph::reshape<3, 5>(x);
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
