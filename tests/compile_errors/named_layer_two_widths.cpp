// Mistake: one named dense layer, "s", used on inputs of two widths (6 and 3): two kernels, one name.
// expect: ctgraph: model: two different parameters have one name
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto a = ctgraph::named_input<"a", 6>;
#ifdef EXPECT_ERROR
constexpr auto b = ctgraph::named_input<"b", 3>;
#else
constexpr auto b = ctgraph::named_input<"b", 6>;
#endif
constexpr auto g = ctgraph::dense<4, "s">(a) + ctgraph::dense<4, "s">(b);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
