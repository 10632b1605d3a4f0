// Mistake (inside the library): looking up the buffer of a node the plan does not hold. index_of
// gives the list's size for it, whose offset is where the next region begins: a compile error instead,
// where the offset is used (the lookup gives a detail::node_not_in_plan, so no context line is the
// plan's member, which would spell the graph).
// expect: a node the plan does not hold was looked up
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<4>;
constexpr auto g = ctgraph::dense<2, "held">(x);
constexpr auto other = ctgraph::dense<3, "not_in_the_graph">(x);

using plan = ctgraph::model<std::remove_const_t<decltype(g)>, 1>::plan;
using held = ctgraph::detail::type_at<0, plan::params>::type;

int main() {
#ifdef EXPECT_ERROR
  using missing = ctgraph::detail::type_at<0, ctgraph::model<std::remove_const_t<decltype(other)>, 1>::plan::params>::type;
  return int(plan::param_offset<missing>);
#else
  return int(plan::param_offset<held>);
#endif
}
