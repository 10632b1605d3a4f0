// Mistake: a model of a graph with two inputs ([20] and a broadcast [1]), neither named.
// expect: ctgraph: model: a graph of several inputs must name each one, differently
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
#ifdef EXPECT_ERROR
constexpr auto scale = ctgraph::input<1>;
#else
constexpr auto scale = ctgraph::param<"p", "scale", ctgraph::shape<1>>(ctgraph::zeros{});
#endif
constexpr auto g = ctgraph::dense<1>(x * scale);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
