// Mistake: a max pool of 8 steps over a sequence of 5.
// expect: ctgraph: max_pool1d/average_pool1d<pool>(x): the window is longer than the sequence
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<5, 2>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::max_pool1d<8>(x);
#else
constexpr auto g = ctgraph::max_pool1d<5>(x);
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
