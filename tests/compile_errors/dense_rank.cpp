// Mistake: dense fed a [20, 2] input (a sequence) instead of a vector per sample.
// expect: ctgraph: dense<units>(x): x must be a vector per sample (rank 1)
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20, 2>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::dense<8>(x);
#else
constexpr auto g = ctgraph::dense<8>(ctgraph::sum<0>(x));  // [20, 2] -> [2], then dense
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
