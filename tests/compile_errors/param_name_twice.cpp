// Mistake: one parameter name, "p.w", made twice with two initialisers: two parameters, one name.
// expect: ctgraph: model: two different parameters have one name
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<2>;
constexpr auto w = ctgraph::param<"p", "w", ctgraph::shape<2>>(ctgraph::zeros{});
#ifdef EXPECT_ERROR
constexpr auto v = ctgraph::param<"p", "w", ctgraph::shape<2>>(ctgraph::ones{});
#else
constexpr auto v = w;
#endif
constexpr auto g = x * w + v;

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
