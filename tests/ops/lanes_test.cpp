#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<6>;
// digits_attention's shape: dense layers of 6, 6, 3 and 1 features, an element-wise product between.
constexpr auto narrow = dense<1>(dense<3>(dense<6>(x * dense<6, "weights">(x, activation::relu), activation::relu),
                                          activation::relu));
using narrow_graph = std::remove_cv_t<decltype(narrow)>;
// The same network under other layer names: a type of its own, kept in rows below.
constexpr auto narrow_in_rows =
    dense<1>(dense<3>(dense<6>(x * dense<6, "weights_in_rows">(x, activation::relu), activation::relu), activation::relu));
using rows_graph = std::remove_cv_t<decltype(narrow_in_rows)>;
// Small enough for finite differences, with the batch along the lanes although 3 rows fill no vector.
constexpr auto small = dense<1>(ctgraph::tanh(dense<4, "small">(input<3>, activation::sigmoid)) * dense<4>(input<3>));
using small_graph = std::remove_cv_t<decltype(small)>;
}  // namespace

template <>
inline constexpr batch_layout ctgraph::layout_for<rows_graph, 32> = batch_layout::rows;
template <>
inline constexpr batch_layout ctgraph::layout_for<small_graph, 3> = batch_layout::lanes;

TEST_CASE("lanes: narrow dense layers at a batch of a vector or more run with the batch along the lanes") {
  static_assert(model<narrow_graph, 32>::plan::lanes);
  static_assert(!model<narrow_graph, 1>::plan::lanes);  // a batch of one: no vector of samples to fill
  static_assert(!model<rows_graph, 32>::plan::lanes);   // asked for rows
  // Wider than a vector, or an output of several values, or a node the rewrite does not know: rows.
  static_assert(!model<decltype(dense<1>(dense<64>(x))), 32>::plan::lanes);
  static_assert(!model<decltype(dense<3>(dense<6>(x))), 32>::plan::lanes);
  static_assert(!model<decltype(dense<1>(softmax(dense<6>(x)))), 32>::plan::lanes);
  // One transpose in, then the same nodes as in rows: the element-wise product stays one node.
  static_assert(model<narrow_graph, 32>::plan::computed::size == model<rows_graph, 32>::plan::computed::size + 1);
}

TEST_CASE("lanes: gradients with the batch along the lanes match finite differences") {
  static_assert(model<small_graph, 3, double>::plan::lanes);
  test::check_gradients<small_graph>();
}

TEST_CASE("lanes: a step gives rows' outputs, gradients and probes, within float rounding") {
  model<narrow_graph, 32> lanes(5);
  model<rows_graph, 32> rows(5);
  REQUIRE(std::ranges::equal(lanes.parameters(), rows.parameters()));
  random_engine rng(9);
  for (float& v : lanes.input()) v = float(rng.uniform(0.0, 1.0));
  for (float& v : lanes.target()) v = float(rng.uniform(0.0, 1.0));
  std::ranges::copy(lanes.input(), rows.input().begin());
  std::ranges::copy(lanes.target(), rows.target().begin());
  const double loss_lanes = lanes.compute_gradients(mean_squared_error{}, 29);  // a partial batch
  const double loss_rows = rows.compute_gradients(mean_squared_error{}, 29);
  CHECK(loss_lanes == doctest::Approx(loss_rows).epsilon(1e-6));
  for (std::size_t i = 0; i < lanes.output().size(); ++i)
    CHECK(lanes.output()[i] == doctest::Approx(rows.output()[i]).epsilon(1e-5));
  for (std::size_t i = 0; i < lanes.parameter_count; ++i)
    CHECK(lanes.gradients()[i] == doctest::Approx(rows.gradients()[i]).epsilon(1e-4).scale(1e-6));
  // probe reads rows in either layout; the second probe leaves the first's values as they were.
  const auto a = lanes.probe<"weights">();
  const auto b = lanes.probe<"dense_2">();
  const auto ra = rows.probe<"weights_in_rows">();
  const auto rb = rows.probe<"dense_2">();
  REQUIRE(a.size() == ra.size());
  REQUIRE(b.size() == rb.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(ra[i]).epsilon(1e-5));
  for (std::size_t i = 0; i < b.size(); ++i) CHECK(b[i] == doctest::Approx(rb[i]).epsilon(1e-5));
}
