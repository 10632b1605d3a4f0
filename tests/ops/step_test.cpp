#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto seq = input<5, 3>;
constexpr auto p = param<"t", "p", shape<5, 3>>(zeros{});
}

TEST_CASE("step: selecting one step of a sequence matches finite differences") {
  test::check_gradients<decltype(step<2>(seq * p))>();
  test::check_gradients<decltype(last_step(seq * p) * step<0>(seq + p))>();
  static_assert(std::is_same_v<decltype(last_step(seq))::shape, shape<3>>);
}

TEST_CASE("scale: multiplying by a compile-time constant matches finite differences") {
  test::check_gradients<decltype(scale<0.25>(seq * p))>();
  static_assert(constexpr_sqrt(16.0) == 4.0);
  CHECK(constexpr_sqrt(10.0) == doctest::Approx(std::sqrt(10.0)).epsilon(1e-15));
}
