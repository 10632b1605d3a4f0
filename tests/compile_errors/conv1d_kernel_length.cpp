// Mistake: a kernel of 9 steps over a sequence of 5 with valid padding: no window fits.
// expect: ctgraph: conv1d<filters, kernel>(x): with valid padding the kernel must not be longer than the sequence
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<5, 2>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::conv1d<4, 9>(x);
#else
constexpr auto g = ctgraph::conv1d<4, 9, 1, ctgraph::padding::same>(x);
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
