// Mistake: a recurrence over one vector per sample instead of a sequence [steps, features].
// expect: ctgraph: gru<units>(x), lstm<units>(x): x must be a sequence [steps, features] per sample
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

#ifdef EXPECT_ERROR
constexpr auto x = ctgraph::input<20>;
#else
constexpr auto x = ctgraph::input<20, 1>;  // 20 steps of 1 feature
#endif
constexpr auto g = ctgraph::dense<1>(ctgraph::gru<8>(x));

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 2> m;
  m.forward();
}
