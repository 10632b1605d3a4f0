#include <cmath>
#include <cstring>
#include <limits>

#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<3>;
using sigmoid_net = decltype(dense<2>(dense<4>(x, activation::tanh), activation::sigmoid));
using linear_net = decltype(dense<2>(dense<4>(x, activation::tanh)));
using logits_net = decltype(dense<3>(dense<4>(x, activation::tanh)));

/// d(mean loss)/d(params) by compute_gradients against central differences of the loss itself.
template <class Graph, class Loss, std::size_t Batch>
void check_loss_gradient(const Loss& loss, std::size_t count, const std::vector<double>& targets) {
  model<Graph, Batch, double> net(3);
  random_engine rng(5);
  for (double& v : net.input()) v = rng.uniform(-1, 1);
  for (double& p : net.parameters()) p = rng.uniform(-1, 1);
  std::copy(targets.begin(), targets.end(), net.target().begin());
  net.compute_gradients(loss, count);
  const std::vector<double> analytic(net.gradients().begin(), net.gradients().end());
  for (std::size_t i = 0; i < net.parameter_count; ++i) {
    double& p = net.parameters()[i];
    const double saved = p, h = 1e-6;
    p = saved + h;
    net.forward();
    const double up = net.loss(loss, count) / double(count);
    p = saved - h;
    net.forward();
    const double down = net.loss(loss, count) / double(count);
    p = saved;
    INFO("parameter ", i);
    CHECK(analytic[i] == doctest::Approx((up - down) / (2 * h)).epsilon(1e-6));
  }
}
}  // namespace

TEST_CASE("binary_crossentropy: equals -t log(y) - (1 - t) log(1 - y) away from saturation") {
  model<sigmoid_net, 2, double> net(1);
  random_engine rng(2);
  for (double& v : net.input()) v = rng.uniform(-1, 1);
  const std::vector<double> t{1, 0, 0, 1};
  std::copy(t.begin(), t.end(), net.target().begin());
  net.forward();
  double expected = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const double y = net.output()[i];
    expected += -(t[i] * std::log(y) + (1 - t[i]) * std::log(1 - y)) / 2;  // mean over the 2 outputs
  }
  CHECK(net.loss(binary_crossentropy{}) == doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("binary_crossentropy: its gradient, folded into the logit, matches finite differences") {
  check_loss_gradient<sigmoid_net, binary_crossentropy, 3>(binary_crossentropy{}, 3, {1, 0, 0, 1, 1, 1});
}

TEST_CASE("binary_crossentropy: a saturated sigmoid gives a finite loss and gradient") {
  model<sigmoid_net, 2, float> net(1);
  for (float& p : net.parameters()) p = 30.0f;  // logits in the hundreds: y is exactly 0 or 1 in float
  for (float& v : net.input()) v = 1.0f;
  std::fill(net.target().begin(), net.target().end(), 0.0f);
  const double loss = net.compute_gradients(binary_crossentropy{});
  CHECK(std::isfinite(loss));
  CHECK(loss > 100.0);  // softplus(z) ~ z: the loss is large, not clipped to log(1e7)
  for (float g : net.gradients()) CHECK(std::isfinite(g));
}

TEST_CASE("mean_squared_error: value and gradient match the definition") {
  model<linear_net, 2, double> net(1);
  random_engine rng(2);
  for (double& v : net.input()) v = rng.uniform(-1, 1);
  const std::vector<double> t{0.5, -0.25, 1, 2};
  std::copy(t.begin(), t.end(), net.target().begin());
  net.forward();
  double expected = 0;
  for (std::size_t i = 0; i < 4; ++i) expected += std::pow(net.output()[i] - t[i], 2) / 2;
  CHECK(net.loss(mean_squared_error{}) == doctest::Approx(expected).epsilon(1e-12));
  check_loss_gradient<linear_net, mean_squared_error, 2>(mean_squared_error{}, 2, t);
}

TEST_CASE("softmax_cross_entropy: value is logsumexp(s) - s_target and its gradient matches finite differences") {
  model<logits_net, 2, double> net(1);
  random_engine rng(2);
  for (double& v : net.input()) v = rng.uniform(-1, 1);
  net.target()[0] = 2;
  net.target()[1] = 0;
  net.forward();
  double expected = 0;
  for (std::size_t r = 0; r < 2; ++r) {
    const auto s = net.output().subspan(r * 3, 3);
    expected += std::log(std::exp(s[0]) + std::exp(s[1]) + std::exp(s[2])) - s[r == 0 ? 2 : 0];
  }
  CHECK(net.loss(softmax_cross_entropy{}) == doctest::Approx(expected).epsilon(1e-12));
  check_loss_gradient<logits_net, softmax_cross_entropy, 2>(softmax_cross_entropy{}, 2, {2, 0});
}

TEST_CASE("losses: a partial batch's gradient is that of the mean over its real rows") {
  // Batch 4 with 3 real rows must equal batch 3 on the same rows, whatever the padding holds.
  model<sigmoid_net, 4, double> padded(7);
  model<sigmoid_net, 3, double> exact(padded);
  random_engine rng(8);
  for (std::size_t i = 0; i < 9; ++i) exact.input()[i] = padded.input()[i] = rng.uniform(-1, 1);
  for (std::size_t i = 9; i < 12; ++i) padded.input()[i] = 5.0;
  const std::vector<double> t{1, 0, 0, 1, 1, 1};
  std::copy(t.begin(), t.end(), padded.target().begin());
  std::copy(t.begin(), t.end(), exact.target().begin());
  padded.target()[6] = padded.target()[7] = 1;
  CHECK(padded.compute_gradients(binary_crossentropy{}, 3) ==
        doctest::Approx(exact.compute_gradients(binary_crossentropy{})).epsilon(1e-12));
  for (std::size_t i = 0; i < padded.parameter_count; ++i)
    CHECK(padded.gradients()[i] == doctest::Approx(exact.gradients()[i]).epsilon(1e-12));
  check_loss_gradient<sigmoid_net, binary_crossentropy, 4>(binary_crossentropy{}, 3, {1, 0, 0, 1, 1, 1, 1, 1});
}

TEST_CASE("mean_absolute_error: value is the mean of |y - t| and its gradient matches finite differences") {
  model<linear_net, 2, double> net(1);
  random_engine rng(2);
  for (double& v : net.input()) v = rng.uniform(-1, 1);
  const std::vector<double> t{0.5, -0.25, 1, 2};
  std::copy(t.begin(), t.end(), net.target().begin());
  net.forward();
  double expected = 0;
  for (std::size_t i = 0; i < 4; ++i) expected += std::abs(net.output()[i] - t[i]) / 2;
  CHECK(net.loss(mean_absolute_error{}) == doctest::Approx(expected).epsilon(1e-12));
  check_loss_gradient<linear_net, mean_absolute_error, 2>(mean_absolute_error{}, 2, t);
}

TEST_CASE("huber: quadratic within delta, linear beyond, and its gradient matches finite differences") {
  model<linear_net, 2, double> net(1);
  random_engine rng(2);
  for (double& v : net.input()) v = rng.uniform(-1, 1);
  net.forward();
  // One target within delta = 1 of its output, one beyond on each side, one at 0.3.
  const std::vector<double> t{net.output()[0] + 0.5, net.output()[1] - 3, net.output()[2] + 2, net.output()[3] - 0.3};
  std::copy(t.begin(), t.end(), net.target().begin());
  const double expected = (0.5 * 0.25 + (3 - 0.5) + (2 - 0.5) + 0.5 * 0.09) / 2;
  CHECK(net.loss(huber<>{}) == doctest::Approx(expected).epsilon(1e-12));
  CHECK(net.loss(huber<4.0>{}) == doctest::Approx((0.5 * 0.25 + 4.5 + 2 + 0.5 * 0.09) / 2).epsilon(1e-12));
  check_loss_gradient<linear_net, huber<>, 2>(huber<>{}, 2, t);
  check_loss_gradient<linear_net, huber<0.2>, 2>(huber<0.2>{}, 2, t);
}

namespace {
using softmax_net = decltype(dense<3>(dense<4>(x, activation::tanh), activation::softmax));
}

TEST_CASE("categorical_crossentropy: -log of the softmax output at the label, from the logit, and its gradient") {
  model<softmax_net, 3, double> net(1);
  random_engine rng(2);
  for (double& v : net.input()) v = rng.uniform(-1, 1);
  const std::vector<double> t{2, 0, 1};
  std::copy(t.begin(), t.end(), net.target().begin());
  net.forward();
  double expected = 0;
  for (std::size_t r = 0; r < 3; ++r) expected -= std::log(net.output()[r * 3 + std::size_t(t[r])]);
  CHECK(net.loss(categorical_crossentropy{}) == doctest::Approx(expected).epsilon(1e-12));
  check_loss_gradient<softmax_net, categorical_crossentropy, 3>(categorical_crossentropy{}, 3, t);
  check_loss_gradient<softmax_net, categorical_crossentropy, 3>(categorical_crossentropy{}, 2, t);  // partial batch
}

TEST_CASE("softmax_cross_entropy: in float, a class's column at a time, the loss and gradient of double's within rounding") {
  // 130 rows: a block of 128 and a second of 2 (log_sum_exp_rows::by_columns); 127 of them counted.
  model<logits_net, 130, float> f(4);
  model<logits_net, 130, double> d(4);
  random_engine rng(8);
  for (std::size_t i = 0; i < f.input().size(); ++i) f.input()[i] = float(rng.uniform(-3, 3));
  for (std::size_t r = 0; r < 130; ++r) f.target()[r] = float(rng.below(3));
  std::ranges::copy(f.input(), d.input().begin());
  std::ranges::copy(f.target(), d.target().begin());
  std::ranges::copy(f.parameters(), d.parameters().begin());
  static_assert(detail::log_sum_exp_rows<3, float>::by_columns && !detail::log_sum_exp_rows<3, double>::by_columns);
  CHECK(f.compute_gradients(softmax_cross_entropy{}, 127) ==
        doctest::Approx(d.compute_gradients(softmax_cross_entropy{}, 127)).epsilon(1e-6));
  for (std::size_t i = 0; i < f.parameter_count; ++i)
    CHECK(f.gradients()[i] == doctest::Approx(d.gradients()[i]).epsilon(1e-4).scale(1e-6));
}

namespace {
/// Rows of C classes through softmax_cross_entropy_columns against the formula a row at a time with
/// the same float operations (its vector exp): the gradient's bits, the loss within double rounding,
/// and nothing written past the rows.
template <std::size_t C>
void check_columns_against_rows(std::size_t count) {
  INFO(C, " classes, ", count, " rows");
  random_engine rng(C * 100 + count);
  std::vector<float> z(count * C), t(count), grad(count * C + 5, 7.0f), expected(count * C);
  for (float& v : z) v = float(rng.uniform(-3, 3));
  for (float& v : t) v = float(rng.below(C));
  if (count > 2) z[C + 1] = z[C];  // a tie for a row's largest
  const float share = 1.0f / float(count);
  double loss = 0;
  for (std::size_t r = 0; r < count; ++r) {
    const float* row = z.data() + r * C;
    float peak = row[0];
    for (std::size_t j = 1; j < C; ++j) peak = row[j] > peak ? row[j] : peak;
    float e[C], sum = 0;
    for (std::size_t j = 0; j < C; ++j) sum += (e[j] = detail::exp_vector<true>(detail::float_vector{} + (row[j] - peak))[0]);
    const std::size_t label = std::size_t(t[r]);
    loss += (double(peak) + double(detail::log_float(sum))) - double(row[label]);
    const float scale = share / sum;
    for (std::size_t j = 0; j < C; ++j) {
      const float g = e[j] * scale;
      expected[r * C + j] = j == label ? g - share : g;
    }
  }
  CHECK(detail::softmax_cross_entropy_columns<C>(z.data(), t.data(), count, grad.data(), "test") ==
        doctest::Approx(loss).epsilon(1e-14));
  CHECK(std::memcmp(grad.data(), expected.data(), count * C * sizeof(float)) == 0);
  for (std::size_t i = count * C; i < grad.size(); ++i) CHECK(grad[i] == 7.0f);
  CHECK(detail::softmax_cross_entropy_columns<C>(z.data(), t.data(), count, nullptr, "test") ==
        doctest::Approx(loss).epsilon(1e-14));
}
}  // namespace

TEST_CASE("softmax_cross_entropy: a vector of rows at a time in columns gives the gradient bits of a row at a time") {
  constexpr std::size_t L = detail::simd<float>::lanes;
  for (std::size_t count : {std::size_t(1), std::size_t(2), L - 1, L, L + 1, 2 * L + 3, std::size_t(120)}) {
    check_columns_against_rows<2>(count);
    check_columns_against_rows<3>(count);
    check_columns_against_rows<L / 2 + 1>(count);
    check_columns_against_rows<L - 1>(count);
  }
}

TEST_CASE("softmax_cross_entropy: a label that is not a class is refused, naming its row") {
  model<logits_net, 2, float> net(1);
  net.target()[0] = -1;
  CHECK_THROWS_WITH_AS(net.compute_gradients(softmax_cross_entropy{}),
                       doctest::Contains("softmax_cross_entropy: label -1.000000 of row 0 is not a class from 0 to"),
                       std::out_of_range);
  net.target()[0] = 0.5f;
  CHECK_THROWS_AS(net.compute_gradients(softmax_cross_entropy{}), std::out_of_range);
  // A later row's, one past the last class, and NaN: found and named after the block's check.
  net.target()[0] = 1;
  net.target()[1] = float(net.output_size);
  CHECK_THROWS_WITH_AS(net.compute_gradients(softmax_cross_entropy{}), doctest::Contains("of row 1 is not a class"),
                       std::out_of_range);
  net.target()[1] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_AS(net.compute_gradients(softmax_cross_entropy{}), std::out_of_range);
  net.target()[1] = 0;
  CHECK(std::isfinite(net.compute_gradients(softmax_cross_entropy{})));
}

TEST_CASE("categorical_crossentropy: a label that is not a class is refused, naming its row") {
  model<softmax_net, 2, float> net(1);
  net.target()[0] = 1;
  net.target()[1] = 3;
  CHECK_THROWS_WITH_AS(net.compute_gradients(categorical_crossentropy{}),
                       doctest::Contains("label 3.000000 of row 1 is not a class from 0 to 2"), std::out_of_range);
}

TEST_CASE("categorical_crossentropy: a saturated softmax gives a finite loss and gradient") {
  model<softmax_net, 2, float> net(1);
  for (float& p : net.parameters()) p = 40.0f;
  for (float& v : net.input()) v = 1.0f;
  net.target()[0] = 0;
  net.target()[1] = 2;
  const double loss = net.compute_gradients(categorical_crossentropy{});
  CHECK(std::isfinite(loss));
  for (float g : net.gradients()) CHECK(std::isfinite(g));
}
