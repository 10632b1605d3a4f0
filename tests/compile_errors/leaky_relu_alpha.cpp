// Mistake: a negative slope for leaky_relu, whose derivative is read from the sign of its output.
// expect: ctgraph: leaky_relu<alpha>(x): alpha must be at least 0
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::leaky_relu<-0.2>(ctgraph::dense<5>(x));
#else
constexpr auto g = ctgraph::leaky_relu<0.2>(ctgraph::dense<5>(x));
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
