// Mistake: an embedding looked up with ids computed from parameters (a dense's output): ids take no gradient.
// expect: ctgraph: embedding<vocab, dim>(ids): ids must be token ids from the input
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto ids = ctgraph::input<6>;
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::embedding<10, 4>(ctgraph::dense<6>(ids));
#else
constexpr auto g = ctgraph::embedding<10, 4>(ids);
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
