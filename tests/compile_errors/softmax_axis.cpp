// Mistake: softmax<3> of a rank-1 node, which has only axis 0 (or -1).
// expect: ctgraph: softmax<axis>(x): the axis is not one of x's
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::softmax<3>(ctgraph::dense<5>(x));
#else
constexpr auto g = ctgraph::softmax<0>(ctgraph::dense<5>(x));
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
