// Mistake: conv1d of a vector [20]: a convolution slides over a sequence [steps, channels].
// expect: ctgraph: conv1d<filters, kernel>(x): x must be a sequence [steps, channels] per sample
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

#ifdef EXPECT_ERROR
constexpr auto x = ctgraph::input<20>;
#else
constexpr auto x = ctgraph::input<20, 1>;
#endif
constexpr auto g = ctgraph::conv1d<4, 3>(x);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
