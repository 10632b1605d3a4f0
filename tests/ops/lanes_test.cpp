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

// iris_qkv's attention layer: a softmax over a sample's features, then an output of 3 values a
// sample under a sigmoid, which goes back into rows.
template <std::size_t Out, fixed_string Name, node X>
constexpr auto attention(X in) {
  constexpr auto k = dense<Out, concat<Name, ".k">()>(in);
  constexpr auto q = dense<Out, concat<Name, ".q">()>(in);
  constexpr auto v = dense<Out, concat<Name, ".v">()>(in);
  return relu(named_layer<concat<Name, ".att">()>(softmax(scale<0.5>(k * q))) * v);
}
constexpr auto iris_like = dense<3, "out">(attention<20, "b">(attention<10, "a">(input<4>)), activation::sigmoid);
using iris_graph = std::remove_cv_t<decltype(iris_like)>;
constexpr auto iris_like_in_rows =
    dense<3, "out">(attention<20, "b_rows">(attention<10, "a_rows">(input<4>)), activation::sigmoid);
using iris_rows_graph = std::remove_cv_t<decltype(iris_like_in_rows)>;
constexpr auto small_attention = dense<3>(attention<4, "s">(input<3>), activation::sigmoid);
using small_attention_graph = std::remove_cv_t<decltype(small_attention)>;
constexpr auto ends_in_softmax = softmax(dense<3>(x * dense<6>(x)));
using softmax_graph = std::remove_cv_t<decltype(ends_in_softmax)>;
constexpr auto ends_in_softmax_rows = softmax(dense<3>(x * dense<6, "rows">(x)));
using softmax_rows_graph = std::remove_cv_t<decltype(ends_in_softmax_rows)>;
constexpr auto ends_in_sigmoid = dense<3>(dense<6>(x), activation::sigmoid);
using sigmoid_graph = std::remove_cv_t<decltype(ends_in_sigmoid)>;
constexpr auto ends_in_sigmoid_rows = dense<3>(dense<6, "rows">(x), activation::sigmoid);
using sigmoid_rows_graph = std::remove_cv_t<decltype(ends_in_sigmoid_rows)>;
}  // namespace

template <>
inline constexpr batch_layout ctgraph::layout_for<rows_graph, 32> = batch_layout::rows;
template <>
inline constexpr batch_layout ctgraph::layout_for<small_graph, 3> = batch_layout::lanes;
template <>
inline constexpr batch_layout ctgraph::layout_for<small_attention_graph, 3> = batch_layout::lanes;
template <>
inline constexpr batch_layout ctgraph::layout_for<iris_rows_graph, 120> = batch_layout::rows;
template <>
inline constexpr batch_layout ctgraph::layout_for<softmax_rows_graph, 32> = batch_layout::rows;
template <>
inline constexpr batch_layout ctgraph::layout_for<sigmoid_rows_graph, 32> = batch_layout::rows;

TEST_CASE("lanes: narrow dense layers at a batch of a vector or more run with the batch along the lanes") {
  static_assert(model<narrow_graph, 32>::plan::lanes);
  static_assert(!model<narrow_graph, 1>::plan::lanes);  // a batch of one: no vector of samples to fill
  static_assert(!model<rows_graph, 32>::plan::lanes);   // asked for rows
  // A layer that fills its vectors as well as the batch does, or a node the rewrite does not know: rows.
  static_assert(!model<decltype(dense<1>(dense<64>(x))), 32>::plan::lanes);
  static_assert(!model<decltype(dense<1>(dense<20>(x))), 20>::plan::lanes);  // 20 fill 20 of 32 lanes either way
  static_assert(model<decltype(dense<1>(dense<20>(x))), 24>::plan::lanes);   // 24 of 32
  static_assert(!model<decltype(dense<1>(layer_norm(dense<6>(x)))), 32>::plan::lanes);
  // An output of several values a sample, a softmax over the features: lanes too.
  static_assert(model<decltype(dense<3>(dense<6>(x))), 32>::plan::lanes);
  static_assert(model<decltype(dense<1>(softmax(dense<6>(x)))), 32>::plan::lanes);
  static_assert(model<iris_graph, 120>::plan::lanes);
  // One transpose in, then the same nodes as in rows: the element-wise product stays one node.
  static_assert(model<narrow_graph, 32>::plan::computed::size == model<rows_graph, 32>::plan::computed::size + 1);
}

TEST_CASE("lanes: gradients with the batch along the lanes match finite differences") {
  static_assert(model<small_graph, 3, double>::plan::lanes);
  test::check_gradients<small_graph>();
  static_assert(model<small_attention_graph, 3, double>::plan::lanes);
  test::check_gradients<small_attention_graph>();
}

// Lanes and Rows, one network under two types, at the same parameters and batch: one step on
// `count` rows of it gives the same loss, outputs and gradients within float rounding.
template <class Lanes, class Rows, class Loss, class FillTarget>
void check_same_step(Lanes& lanes, Rows& rows, const Loss& loss, std::size_t count, FillTarget fill_target) {
  static_assert(Lanes::plan::lanes && !Rows::plan::lanes);
  REQUIRE(std::ranges::equal(lanes.parameters(), rows.parameters()));
  random_engine rng(9);
  for (float& v : lanes.input()) v = float(rng.uniform(-1.0, 1.0));
  fill_target(lanes.target(), rng);
  std::ranges::copy(lanes.input(), rows.input().begin());
  std::ranges::copy(lanes.target(), rows.target().begin());
  const double loss_lanes = lanes.compute_gradients(loss, count);
  const double loss_rows = rows.compute_gradients(loss, count);
  CHECK(loss_lanes == doctest::Approx(loss_rows).epsilon(1e-6));
  for (std::size_t i = 0; i < lanes.output().size(); ++i)
    CHECK(lanes.output()[i] == doctest::Approx(rows.output()[i]).epsilon(1e-5));
  for (std::size_t i = 0; i < lanes.parameter_count; ++i)
    CHECK(lanes.gradients()[i] == doctest::Approx(rows.gradients()[i]).epsilon(1e-4).scale(1e-6));
}
void fill_uniform(std::span<float> target, random_engine& rng) {
  for (float& v : target) v = float(rng.uniform(0.0, 1.0));
}

void check_same_values(std::span<const float> a, std::span<const float> b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-5));
}

TEST_CASE("lanes: a step gives rows' outputs, gradients and probes, within float rounding") {
  model<narrow_graph, 32> lanes(5);
  model<rows_graph, 32> rows(5);
  check_same_step(lanes, rows, mean_squared_error{}, 29, fill_uniform);  // a partial batch
  // probe reads rows in either layout; the second probe leaves the first's values as they were.
  const auto a = lanes.probe<"weights">();
  const auto b = lanes.probe<"dense_2">();
  check_same_values(a, rows.probe<"weights_in_rows">());
  check_same_values(b, rows.probe<"dense_2">());
}

TEST_CASE("lanes: iris_qkv's network, its softmax along the lanes and its output in rows, steps as in rows") {
  model<iris_graph, 120> lanes(6);
  model<iris_rows_graph, 120> rows(6);
  const auto classes = [](std::span<float> target, random_engine& rng) {
    for (float& v : target) v = float(rng.below(3));
  };
  check_same_step(lanes, rows, softmax_cross_entropy{}, 117, classes);
  check_same_values(lanes.probe<"a.att">(), rows.probe<"a_rows.att">());
  check_same_values(lanes.probe<"b.att">(), rows.probe<"b_rows.att">());
  check_same_values(lanes.probe<"out">(), rows.probe<"out">());  // above the output's transpose
}

TEST_CASE("lanes: an output of several values goes back into rows under its sigmoid or softmax, for the loss to fold into") {
  static_assert(binary_crossentropy::folds_output<model<sigmoid_graph, 32>::plan>);
  static_assert(categorical_crossentropy::folds_output<model<softmax_graph, 32>::plan>);
  model<sigmoid_graph, 32> sigmoid_lanes(3);
  model<sigmoid_rows_graph, 32> sigmoid_rows(3);
  check_same_step(sigmoid_lanes, sigmoid_rows, binary_crossentropy{}, 30, fill_uniform);
  model<softmax_graph, 32> lanes(3);
  model<softmax_rows_graph, 32> rows(3);
  const auto one_hot = [](std::span<float> target, random_engine& rng) {
    for (std::size_t r = 0; r < target.size() / 3; ++r) target[r * 3 + rng.below(3)] = 1;
  };
  check_same_step(lanes, rows, categorical_crossentropy{}, 30, one_hot);
}
