// Mistake: layer_norm of a per-sample scalar (rank 0): there is no axis to normalise.
// expect: ctgraph: layer_norm(x): x must have an axis to normalise
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<4>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::layer_norm(ctgraph::sum<0>(x));
#else
constexpr auto g = ctgraph::layer_norm(x);
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
