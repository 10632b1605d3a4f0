#include <algorithm>
#include <cmath>
#include <vector>

#include <doctest/doctest.h>

#include <ctgraph/ctgraph.hpp>

#include "ctgraph/detail/simd_math.hpp"
#include "ctgraph/detail/softmax_row.hpp"

namespace {

using ctgraph::detail::simd;

/// softmax forward and backward of one row in float (the register path) against double (the
/// scalar loops), in place as the affine epilogue calls them, with a guard after the row.
template <std::size_t N>
void softmax_row_matches_double() {
  static_assert(ctgraph::detail::softmax_in_registers<float, N, 1>);
  ctgraph::random_engine rng(N);
  constexpr std::size_t guard = 32;
  std::vector<float> x(N + guard, 5.0f), g(N + guard, 5.0f), dx(N + guard, 5.0f);
  std::vector<double> xd(N), yd(N), gd(N), dxd(N, 0.0);
  for (std::size_t i = 0; i < N; ++i) {
    xd[i] = x[i] = float(rng.uniform(-30, 30));
    gd[i] = g[i] = float(rng.uniform(-1, 1));
    dx[i] = 0.25f;
  }
  ctgraph::detail::softmax_forward<N>(xd.data(), yd.data());
  ctgraph::detail::softmax_forward<N>(x.data(), x.data());  // y over x
  // float's rounding, relative to the row's largest value (an exp of -50 keeps fewer digits)
  const auto close = [](const std::vector<double>& want, double got, std::size_t i, double tolerance) {
    double largest = 0;
    for (double w : want) largest = std::max(largest, std::abs(w));
    return std::abs(got - want[i]) <= tolerance * std::max(largest, 1e-30);
  };
  for (std::size_t i = 0; i < N; ++i) CHECK_MESSAGE(close(yd, x[i], i, 1e-6), x[i], " vs ", yd[i]);
  for (std::size_t i = 0; i < N; ++i) xd[i] = x[i];  // the float y, so that only backward is compared

  ctgraph::detail::softmax_backward<N, 1, false>(xd.data(), gd.data(), dxd.data());
  ctgraph::detail::softmax_backward<N, 1, true>(x.data(), g.data(), dx.data());   // accumulated onto 0.25
  ctgraph::detail::softmax_backward<N, 1, false>(x.data(), g.data(), g.data());  // dx over g
  double dot = 0;
  for (std::size_t i = 0; i < N; ++i) dot += xd[i] * gd[i];
  for (std::size_t i = 0; i < N; ++i) {
    // y (g - dot) in float: g - dot rounds to float's epsilon of the larger of the two
    const double bound = 4e-7 * xd[i] * (std::abs(gd[i]) + std::abs(dot)) + 1e-7 * std::abs(dxd[i]);
    CHECK_MESSAGE(std::abs(g[i] - dxd[i]) <= bound, g[i], " vs ", dxd[i]);
    CHECK(dx[i] == doctest::Approx(0.25 + dxd[i]).epsilon(1e-6));
  }
  for (std::size_t i = N; i < N + guard; ++i) {
    CHECK(x[i] == 5.0f);
    CHECK(g[i] == 5.0f);
    CHECK(dx[i] == 5.0f);
  }
}

/// The block forms (softmax_forward_rows, softmax_backward_rows: four rows at a time, then the
/// rest) give each row the bits the one-row forms give it, in place and not, accumulated and not,
/// and write nothing past the block.
template <std::size_t Rows, std::size_t N>
void softmax_rows_match_one_row_at_a_time() {
  ctgraph::random_engine rng(Rows * 100 + N);
  constexpr std::size_t size = Rows * N, guard = 32;
  std::vector<float> x(size + guard, 5.0f), g(size + guard, 5.0f);
  for (std::size_t i = 0; i < size; ++i) x[i] = float(rng.uniform(-30, 30)), g[i] = float(rng.uniform(-1, 1));
  std::vector<float> y_rows(x), y_each(x);
  ctgraph::detail::softmax_forward_rows<Rows, N>(y_rows.data(), y_rows.data());
  for (std::size_t r = 0; r < Rows; ++r) ctgraph::detail::softmax_forward<N>(y_each.data() + r * N, y_each.data() + r * N);
  CHECK(y_rows == y_each);
  std::vector<float> into(size + guard, 5.0f);
  ctgraph::detail::softmax_forward_rows<Rows, N>(x.data(), into.data());
  CHECK(std::equal(into.begin(), into.begin() + size, y_each.begin()));

  for (const bool accumulate : {false, true}) {
    std::vector<float> dx_rows(size + guard, 0.25f), dx_each(size + guard, 0.25f);
    std::fill(dx_rows.begin() + size, dx_rows.end(), 5.0f), std::fill(dx_each.begin() + size, dx_each.end(), 5.0f);
    if (accumulate) {
      ctgraph::detail::softmax_backward_rows<Rows, N, true>(y_each.data(), g.data(), dx_rows.data());
      for (std::size_t r = 0; r < Rows; ++r)
        ctgraph::detail::softmax_backward<N, 1, true>(y_each.data() + r * N, g.data() + r * N, dx_each.data() + r * N);
    } else {
      dx_rows = g, dx_each = g;  // over g, as the affine epilogue calls it
      ctgraph::detail::softmax_backward_rows<Rows, N, false>(y_each.data(), dx_rows.data(), dx_rows.data());
      for (std::size_t r = 0; r < Rows; ++r)
        ctgraph::detail::softmax_backward<N, 1, false>(y_each.data() + r * N, dx_each.data() + r * N,
                                                       dx_each.data() + r * N);
    }
    CHECK(dx_rows == dx_each);
    CHECK(std::all_of(dx_rows.begin() + size, dx_rows.end(), [](float v) { return v == 5.0f; }));
  }
}

}  // namespace

TEST_CASE("exp_vector: equals exp_float in every lane, underflow and overflow included") {
  constexpr std::size_t L = simd<float>::lanes;
  std::size_t differ = 0, checked = 0;
  for (double start = -100; start < 100; start += 0.0137 * L) {
    ctgraph::detail::float_vector v;
    for (std::size_t l = 0; l < L; ++l) v[l] = float(start + 0.0137 * double(l));
    const auto e = ctgraph::detail::exp_vector(v);
    for (std::size_t l = 0; l < L; ++l, ++checked) differ += e[l] != ctgraph::detail::exp_float(v[l]);
  }
  CHECK(checked > 10'000);
  CHECK(differ == 0);
}

TEST_CASE("exp_vector<NonPositive>: the same bits as exp_vector for every x <= 0, down past the underflow") {
  constexpr std::size_t L = simd<float>::lanes;
  std::size_t differ = 0, checked = 0;
  // Every float from 0 down to -90 at a step of 2^-12 (and a lane's worth of neighbours), -87.34 and
  // -87.33 about the underflow, where 2^n is 2^-126.
  for (float start = 0.0f; start > -90.0f; start -= 0x1p-12f * float(L)) {
    ctgraph::detail::float_vector v;
    for (std::size_t l = 0; l < L; ++l) v[l] = start - 0x1p-12f * float(l);
    const auto a = ctgraph::detail::exp_vector<true>(v), b = ctgraph::detail::exp_vector(v);
    for (std::size_t l = 0; l < L; ++l, ++checked) differ += a[l] != b[l];
  }
  ctgraph::detail::float_vector edge;
  for (std::size_t l = 0; l < L; ++l) edge[l] = std::nextafter(-87.33654f, l % 2 ? 0.0f : -100.0f) - float(l / 2) * 1e-5f;
  const auto a = ctgraph::detail::exp_vector<true>(edge), b = ctgraph::detail::exp_vector(edge);
  for (std::size_t l = 0; l < L; ++l, ++checked) differ += a[l] != b[l];
  CHECK(checked > 300'000);
  CHECK(differ == 0);
  CHECK(ctgraph::detail::exp_first_lanes<3, true>(edge)[2] == ctgraph::detail::exp_first_lanes<3>(edge)[2]);
}

namespace {
/// exp_first_lanes<Count>: exp_vector's bits in the narrowest vector that holds lanes [0, Count), and 0 past it.
template <std::size_t Count>
void exp_first_lanes_matches_exp_vector() {
  constexpr std::size_t L = simd<float>::lanes, narrow = ctgraph::detail::bytes_for<float, Count> / sizeof(float);
  ctgraph::detail::float_vector v;
  for (std::size_t l = 0; l < L; ++l) v[l] = float(l) * 1.7f - 9.0f;
  const auto whole = ctgraph::detail::exp_vector(v), first = ctgraph::detail::exp_first_lanes<Count>(v);
  for (std::size_t l = 0; l < L; ++l) CHECK(first[l] == (l < narrow ? whole[l] : 0.0f));
}
}  // namespace

TEST_CASE("exp_first_lanes: exp_vector's bits in the narrowest vector holding the lanes asked for, and 0 past it") {
  exp_first_lanes_matches_exp_vector<1>();
  exp_first_lanes_matches_exp_vector<4>();  // 128 bits
  exp_first_lanes_matches_exp_vector<5>();  // 256 bits
  exp_first_lanes_matches_exp_vector<simd<float>::lanes - 1>();
  exp_first_lanes_matches_exp_vector<simd<float>::lanes>();
}

TEST_CASE("softmax rows in registers: equal the double loops in float, in place, writing only the row") {
  softmax_row_matches_double<1>();
  softmax_row_matches_double<3>();
  softmax_row_matches_double<10>();
  softmax_row_matches_double<simd<float>::lanes>();
  softmax_row_matches_double<20>();  // a last vector of 4 floats, through 128 bits without a mask
  softmax_row_matches_double<24>();  // of 8, through 256 bits
  softmax_row_matches_double<3 * simd<float>::lanes + 1>();  // 25 with AVX2, 49 with AVX-512: a masked last vector
  softmax_row_matches_double<4 * simd<float>::lanes>();
}

TEST_CASE("softmax over a block of rows, four at a time, gives each row the one-row bits") {
  softmax_rows_match_one_row_at_a_time<1, 20>();
  softmax_rows_match_one_row_at_a_time<4, 20>();
  softmax_rows_match_one_row_at_a_time<9, 20>();   // two groups of four and one row
  softmax_rows_match_one_row_at_a_time<9, 36>();   // (g++ 12 failed with an internal error on an early form)
  softmax_rows_match_one_row_at_a_time<7, 3>();
  softmax_rows_match_one_row_at_a_time<6, 16>();
  softmax_rows_match_one_row_at_a_time<5, 33>();
  softmax_rows_match_one_row_at_a_time<10, 64>();
  softmax_rows_match_one_row_at_a_time<5, 70>();   // too long for registers: row by row
}
