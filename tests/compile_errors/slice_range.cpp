// Mistake: slice<0, 3, 7> of a sequence of 5 steps: the range runs past its end.
// expect: ctgraph: slice<axis, begin, end>(x): begin < end <= x's size along the axis must hold
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<5, 3>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::slice<0, 3, 7>(x);
#else
constexpr auto g = ctgraph::slice<0, 3, 5>(x);
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
