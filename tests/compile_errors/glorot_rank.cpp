// Mistake: glorot_uniform, a kernel initialiser, given to a vector parameter [4].
// expect: ctgraph: glorot_uniform initialises a kernel [in, out]
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<4>;
#ifdef EXPECT_ERROR
constexpr auto b = ctgraph::param<"p", "b", ctgraph::shape<4>>(ctgraph::glorot_uniform{});
#else
constexpr auto b = ctgraph::param<"p", "b", ctgraph::shape<4>>(ctgraph::zeros{});
#endif
constexpr auto g = ctgraph::dense<1>(x + b);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;  // initialises the parameters
  m.forward();
}
