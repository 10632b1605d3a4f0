#include <cmath>

#include <doctest/doctest.h>

#include <ctgraph/ctgraph.hpp>

using namespace ctgraph;

TEST_CASE("init: orthogonal gives Q^T Q = I, for square, tall and wide matrices") {
  const auto check = []<std::size_t R, std::size_t C>() {
    std::array<double, R * C> q{};
    random_engine rng(9);
    orthogonal::fill<shape<R, C>>(q.data(), rng);
    // the shorter side's vectors are orthonormal
    const std::size_t k = R < C ? R : C;
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b < k; ++b) {
        double dot = 0;
        for (std::size_t i = 0; i < (R < C ? C : R); ++i)
          dot += R < C ? q[a * C + i] * q[b * C + i] : q[i * C + a] * q[i * C + b];
        CHECK(dot == doctest::Approx(a == b ? 1.0 : 0.0).scale(1.0).epsilon(1e-12));
      }
  };
  check.template operator()<2, 2>();
  check.template operator()<8, 3>();
  check.template operator()<3, 8>();
}

TEST_CASE("init: random_normal has Keras' mean 0 and standard deviation 0.05") {
  std::vector<double> v(200'000);
  random_engine rng(1);
  random_normal<>::fill<shape<200'000>>(v.data(), rng);
  double mean = 0, square = 0;
  for (double x : v) mean += x, square += x * x;
  mean /= double(v.size());
  const double sd = std::sqrt(square / double(v.size()) - mean * mean);
  CHECK(std::abs(mean) < 0.001);
  CHECK(sd == doctest::Approx(0.05).epsilon(0.01));
}

TEST_CASE("names: concat joins two compile-time names") {
  static_assert(concat<"atten_1", ".k">().view() == "atten_1.k");
}
