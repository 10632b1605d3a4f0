// Mistake: matmul of a [6] input with a [6] parameter: b must be a matrix [K, N], not a vector.
// expect: ctgraph: matmul(a, b): a must be a vector [K] or a matrix [M, K] per sample, and b a matrix [K, N]
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<6>;
#ifdef EXPECT_ERROR
constexpr auto w = ctgraph::param<"p", "w", ctgraph::shape<6>>(ctgraph::zeros{});
#else
constexpr auto w = ctgraph::param<"p", "w", ctgraph::shape<6, 1>>(ctgraph::zeros{});
#endif
constexpr auto g = ctgraph::matmul(x, w);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
