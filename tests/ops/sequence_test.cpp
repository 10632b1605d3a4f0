// embedding, conv1d and pooling: the layers of a text classifier.
#include <limits>

#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto seq = input<7, 3>;
constexpr auto p = param<"t", "p", shape<7, 3>>(zeros{});
constexpr auto ids = input<6>;

}  // namespace

TEST_CASE("embedding: rows of the table per id, and its gradient adds into the rows used") {
  constexpr auto e = embedding<5, 4>(ids);
  static_assert(std::is_same_v<decltype(e)::shape, shape<6, 4>>);
  model<std::remove_const_t<decltype(e)>, 2, double> net(1);
  const std::vector<double> tokens{0, 4, 4, 1, 2, 3, 3, 3, 3, 3, 3, 0};
  std::copy(tokens.begin(), tokens.end(), net.input().begin());
  net.forward();
  for (std::size_t k = 0; k < 12; ++k)
    for (std::size_t j = 0; j < 4; ++j) CHECK(net.output()[k * 4 + j] == net.parameters()[std::size_t(tokens[k]) * 4 + j]);
  std::vector<double> g(48, 1.0);
  net.backward(g);
  const std::vector<double> uses{2, 1, 1, 6, 2};
  for (std::size_t v = 0; v < 5; ++v) CHECK(net.gradients()[v * 4] == uses[v]);
  CHECK(decltype(net)::parameter_table()[0].name == "embedding_1.embeddings");
}

TEST_CASE("embedding: an id that is not in the table is refused, naming it") {
  model<std::remove_const_t<decltype(embedding<5, 4>(ids))>, 1, float> net(1);
  std::fill(net.input().begin(), net.input().end(), 0.0f);
  net.input()[3] = 5.0f;
  CHECK_THROWS_WITH_AS(net.forward(), doctest::Contains("id 5.000000 (value 3 of the batch) is not a whole number from 0 to 4"),
                       std::out_of_range);
  // Every other kind of value that is not a row: a fraction, below 0, NaN, infinite, past 2^32.
  for (const float id : {1.5f, -1.0f, -0.5f, std::numeric_limits<float>::quiet_NaN(),
                         std::numeric_limits<float>::infinity(), 1e10f}) {
    net.input()[3] = id;
    CHECK_THROWS_AS(net.forward(), std::out_of_range);
  }
  net.input()[3] = 4.0f;  // the last row is one
  CHECK_NOTHROW(net.forward());
}

TEST_CASE("embedding: the table's gradient through a network matches finite differences") {
  using g = decltype(dense<2>(flatten(ctgraph::tanh(embedding<4, 3>(input<5>)))));
  model<g, 3, double> net(1);
  random_engine rng(4);
  for (double& v : net.input()) v = double(rng.below(4));
  for (double& w : net.parameters()) w = rng.uniform(-1, 1);
  std::vector<double> w(net.batch_size * net.output_size);
  for (double& v : w) v = rng.uniform(-1, 1);
  const auto objective = [&] {
    net.forward();
    double total = 0;
    for (std::size_t i = 0; i < w.size(); ++i) total += w[i] * net.output()[i];
    return total;
  };
  objective();
  net.backward(w);
  const std::vector<double> analytic(net.gradients().begin(), net.gradients().end());
  for (std::size_t i = 0; i < net.parameter_count; ++i) {
    double& q = net.parameters()[i];
    const double saved = q;
    q = saved + 1e-6;
    const double up = objective();
    q = saved - 1e-6;
    const double down = objective();
    q = saved;
    INFO("parameter ", i);
    CHECK(analytic[i] == doctest::Approx((up - down) / 2e-6).epsilon(1e-7));
  }
}

TEST_CASE("conv1d: valid and same padding, strides 1 and 2, match finite differences") {
  static_assert(std::is_same_v<decltype(conv1d<4, 3>(seq))::shape, shape<5, 4>>);
  static_assert(std::is_same_v<decltype(conv1d<4, 3, 2>(seq))::shape, shape<3, 4>>);
  static_assert(std::is_same_v<decltype(conv1d<4, 3, 1, padding::same>(seq))::shape, shape<7, 4>>);
  static_assert(std::is_same_v<decltype(conv1d<4, 4, 2, padding::same>(seq))::shape, shape<4, 4>>);
  test::check_gradients<decltype(conv1d<4, 3>(seq * p))>();
  test::check_gradients<decltype(conv1d<4, 3, 2>(seq * p, activation::tanh))>();
  test::check_gradients<decltype(conv1d<2, 3, 1, padding::same>(seq * p))>();
  test::check_gradients<decltype(conv1d<2, 4, 2, padding::same>(conv1d<3, 2>(seq)))>();
}

TEST_CASE("conv1d: wide channels (register kernels for each tap's product) match finite differences") {
  // 12 channels: each tap's products run in the register kernels, not the plain loops of 3.
  constexpr auto wide = input<9, 12>;
  constexpr auto pw = param<"t", "pw", shape<9, 12>>(zeros{});
  test::check_gradients<decltype(conv1d<10, 3>(wide * pw))>();
  test::check_gradients<decltype(conv1d<10, 4, 1, padding::same>(wide * pw))>();
  test::check_gradients<decltype(conv1d<9, 2>(wide))>();  // the input's gradient not wanted
}

namespace {
// y[t, f] = b[f] + sum_k sum_c x[t + k - P, c] W[k, c, f] against the node's forward pass, in double,
// for every row of a batch of 3 (each row's sequence read from its own place).
template <std::size_t T, std::size_t C, std::size_t K, std::size_t F, padding Pad>
void check_conv_sums() {
  using kernel = decltype(param<"conv", "kernel", shape<K, C, F>>(zeros{}));
  using bias = decltype(param<"conv", "bias", shape<F>>(zeros{}));
  using conv = conv1d_node<1, Pad, decltype(input<T, C>), kernel, bias>;
  model<conv, 3, double> net(1);
  random_engine rng(7);
  for (double& v : net.input()) v = rng.uniform(-1, 1);
  for (double& v : net.parameters()) v = rng.uniform(-1, 1);
  net.forward();
  const double* w = net.context().template value<kernel>();
  const double* b = net.context().template value<bias>();
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t t = 0; t < conv::out; ++t)
      for (std::size_t f = 0; f < F; ++f) {
        double want = b[f];
        for (std::size_t k = 0; k < K; ++k) {
          if (t + k < conv::left || t + k - conv::left >= T) continue;
          for (std::size_t ch = 0; ch < C; ++ch)
            want += net.input()[(r * T + t + k - conv::left) * C + ch] * w[(k * C + ch) * F + f];
        }
        REQUIRE(net.output()[(r * conv::out + t) * F + f] == doctest::Approx(want).epsilon(1e-12));
      }
}
}  // namespace

TEST_CASE("conv1d: stride 1 computes the cross-correlation's sums, valid and same padding") {
  check_conv_sums<9, 12, 3, 10, padding::valid>();  // each tap a product in the register kernels
  check_conv_sums<9, 12, 4, 10, padding::same>();   // taps that read padding at either end
  check_conv_sums<6, 3, 2, 5, padding::same>();     // 3 channels: the plain loops' products
  check_conv_sums<5, 8, 5, 16, padding::valid>();   // one output step
}

TEST_CASE("conv1d: a kernel of ones sums each window") {
  model<std::remove_const_t<decltype(conv1d<1, 2>(input<4, 1>))>, 1, double> net(1);
  std::fill(net.parameters().begin(), net.parameters().end(), 1.0);  // kernel 1, 1; bias 1
  for (std::size_t t = 0; t < 4; ++t) net.input()[t] = double(t * t);  // 0 1 4 9
  net.forward();
  CHECK(std::vector<double>(net.output().begin(), net.output().end()) == std::vector<double>{2, 6, 14});
}

TEST_CASE("pool1d: max and average pooling, global and windowed, match finite differences and their values") {
  static_assert(std::is_same_v<decltype(max_pool1d<2>(seq))::shape, shape<3, 3>>);
  static_assert(std::is_same_v<decltype(average_pool1d<3, 1>(seq))::shape, shape<5, 3>>);
  static_assert(std::is_same_v<decltype(global_max_pool1d(seq))::shape, shape<3>>);
  test::check_gradients<decltype(max_pool1d<2>(seq * p))>();
  test::check_gradients<decltype(average_pool1d<3, 2>(seq * p))>();
  test::check_gradients<decltype(global_max_pool1d(seq * p) + global_average_pool1d(ctgraph::tanh(seq + p)))>();
  model<std::remove_const_t<decltype(max_pool1d<2>(input<5, 1>) * constant<1.0>)>, 1, double> net;
  const std::vector<double> x{3, 1, 4, 1, 5};
  std::copy(x.begin(), x.end(), net.input().begin());
  net.forward();
  CHECK(std::vector<double>(net.output().begin(), net.output().end()) == std::vector<double>{3, 4});
}

TEST_CASE("pool1d: a max pool's gradient goes to the first largest of a window, in every channel") {
  // 20 channels (whole vectors and a tail), windows of 3 steps with stride 2, ties in every channel:
  // channel c's window holds c % 3 copies of its largest value, so the first of them takes it all.
  // The gradient read as a parameter's: the pool reads x + q, q zero.
  constexpr auto q = param<"t", "q", shape<5, 20>>(zeros{});
  model<std::remove_const_t<decltype(max_pool1d<3, 2>(input<5, 20> + q))>, 1, double> net;
  std::fill(net.parameters().begin(), net.parameters().end(), 0.0);
  for (std::size_t t = 0; t < 5; ++t)
    for (std::size_t c = 0; c < 20; ++c) net.input()[t * 20 + c] = t >= 4 - c % 3 ? 9.0 : double(t);
  net.forward();
  // window 0 (steps 0-2): channel c % 3 == 2 has 9 at steps 2, 3, 4 -> step 2; others take step 2 (value 2)
  for (std::size_t c = 0; c < 20; ++c) {
    CHECK(net.output()[c] == (c % 3 == 2 ? 9.0 : 2.0));
    CHECK(net.output()[20 + c] == 9.0);  // window 1 (steps 2-4): 9 at step 4 at least
  }
  std::vector<double> g(net.output_size, 1.0);
  net.backward(g);
  const auto dx = net.gradients();
  for (std::size_t c = 0; c < 20; ++c) {
    // window 1's first 9: step 4 - c % 3 (one, two or three copies), or step 2 when window 0 shares it
    const std::size_t first_nine = 4 - c % 3;
    for (std::size_t t = 0; t < 5; ++t) {
      const double want = (t == 2) + (t == std::max<std::size_t>(first_nine, 2));
      CHECK_MESSAGE(dx[t * 20 + c] == want, "channel " << c << ", step " << t);
    }
  }
}
