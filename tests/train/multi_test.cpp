// Several inputs and several outputs: named inputs, outputs(a, b) and a weighted sum of two losses.
#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto left = named_input<"left", 5, 3>;
constexpr auto right = named_input<"right", 4>;
constexpr auto shared = dense<8>(concat(flatten(left), right), activation::tanh);
constexpr auto value = dense<1>(shared);                                              // a regression
constexpr auto kind = dense<3>(concat(shared, right), activation::softmax);           // a class
using two_heads = std::remove_const_t<decltype(outputs(value, kind))>;
using loss_type = weighted_sum<0.7, mean_squared_error, 0.3, categorical_crossentropy>;
constexpr std::size_t batch = 4;

template <class Model>
void fill(Model& net, std::uint64_t seed, std::size_t rows) {
  random_engine rng(seed);
  for (auto& v : net.template input<"left">()) v = rng.uniform(-1, 1);
  for (auto& v : net.template input<"right">()) v = rng.uniform(-1, 1);
  std::fill(net.target().begin(), net.target().end(), 0);
  for (std::size_t r = 0; r < rows; ++r) {
    net.target()[r] = rng.uniform(-1, 1);             // value's targets: batch rows of 1
    net.target()[batch + r] = double(rng.below(3));   // then kind's: batch rows of 1 (the class)
  }
}
}  // namespace

TEST_CASE("outputs: two inputs by name and two outputs side by side in output()") {
  model<two_heads, batch, double> net(1);
  static_assert(decltype(net)::output_size == 4);
  fill(net, 2, batch);
  net.forward();
  for (std::size_t r = 0; r < batch; ++r) {
    const double* row = net.output().data() + r * 4;
    CHECK(row[1] + row[2] + row[3] == doctest::Approx(1.0).epsilon(1e-12));  // kind's softmax
  }
  test::check_gradients<two_heads>();  // every parameter, through both outputs
}

TEST_CASE("weighted_sum: loss and gradient are the weighted sums of each output's, and match finite differences") {
  model<two_heads, batch, double> net(1);
  fill(net, 3, 3);  // a partial batch: 3 rows of 4
  for (auto& p : net.parameters()) p *= 2;
  const double total = net.compute_gradients(loss_type{}, 3);
  const std::vector<double> analytic(net.gradients().begin(), net.gradients().end());
  // The same loss by hand from the outputs.
  double by_hand = 0;
  for (std::size_t r = 0; r < 3; ++r) {
    const double* row = net.output().data() + r * 4;
    by_hand += 0.7 * std::pow(row[0] - net.target()[r], 2) - 0.3 * std::log(row[1 + std::size_t(net.target()[batch + r])]);
  }
  CHECK(total == doctest::Approx(by_hand).epsilon(1e-12));
  for (std::size_t i = 0; i < net.parameter_count; ++i) {
    double& p = net.parameters()[i];
    const double saved = p, h = 1e-6;
    p = saved + h;
    net.forward();
    const double up = net.loss(loss_type{}, 3) / 3;
    p = saved - h;
    net.forward();
    const double down = net.loss(loss_type{}, 3) / 3;
    p = saved;
    INFO("parameter ", i);
    CHECK(analytic[i] == doctest::Approx((up - down) / (2 * h)).epsilon(1e-7));
  }
}

TEST_CASE("weighted_sum: a model of two inputs and two outputs trains on both losses") {
  // value = sum(left) - right_0, kind = the largest of right's first three values.
  model<two_heads, 32> net(1);
  random_engine rng(4);
  const auto batch_of = [&](auto& m) {
    auto l = m.template input<"left">();
    auto r = m.template input<"right">();
    for (auto& v : l) v = float(rng.uniform(-1, 1));
    for (auto& v : r) v = float(rng.uniform(-1, 1));
    for (std::size_t s = 0; s < 32; ++s) {
      float sum = 0;
      for (std::size_t j = 0; j < 15; ++j) sum += l[s * 15 + j];
      m.target()[s] = 0.2f * sum - r[s * 4];
      const float* rs = r.data() + s * 4;
      m.target()[32 + s] = float(rs[0] >= rs[1] && rs[0] >= rs[2] ? 0 : (rs[1] >= rs[2] ? 1 : 2));
    }
  };
  const auto optimizer = keras_adam(0.01);
  double first = 0, last = 0;
  for (int step = 0; step < 600; ++step) {
    batch_of(net);
    const double loss = net.train_step(loss_type{}, optimizer) / 32;
    if (step < 20) first += loss / 20;
    if (step >= 580) last += loss / 20;
  }
  MESSAGE("weighted loss: first 20 steps ", first, ", last 20 ", last);
  CHECK(last < 0.3 * first);
}
