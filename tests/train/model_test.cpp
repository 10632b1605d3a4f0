#include <cmath>
#include <limits>
#include <sstream>

#include <doctest/doctest.h>

#include "golden_feature/golden_feature.hpp"

using namespace ctgraph;

namespace {
using golden = model<golden_feature::graph_type, 256>;
}

TEST_CASE("model: parameter count, shapes and FLOPs are compile-time facts") {
  static_assert(golden::parameter_count == 4'561);
  static_assert(golden::input_size == 20 && golden::output_size == 1);
  // 2 in*out per dense, bias + activation epilogue 2 per output, the attention product, the output sigmoid.
  constexpr std::size_t matmuls = 2 * (20 * 20 + 20 * 100 + 100 * 20 + 20 * 1);
  static_assert(golden::forward_flops == matmuls + 2 * (20 + 100 + 20 + 1) + 20 + 1);
  CHECK(golden::training_flops > 2 * golden::forward_flops);
}

TEST_CASE("model: summary lists the layers as Keras does, with their parameter counts") {
  std::ostringstream out;
  summary<golden>(out, "golden_feature");
  const std::string text = out.str();
  CHECK(text.find("attention_vec (Dense)") != std::string::npos);
  CHECK(text.find("multiply_1 (Multiply)") != std::string::npos);
  CHECK(text.find("dense_1 (Dense)                   (None, 100)            2,100       multiply_1") !=
        std::string::npos);
  CHECK(text.find("Total params: 4,561") != std::string::npos);
}

TEST_CASE("model: parameter names follow the Keras layer names") {
  const auto table = golden::parameter_table();
  std::vector<std::string> names;
  for (const auto& p : table) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"attention_vec.kernel", "attention_vec.bias", "dense_1.kernel", "dense_1.bias",
                                          "dense_2.kernel", "dense_2.bias", "dense_3.kernel", "dense_3.bias"});
  CHECK(table[2].shape == std::vector<std::size_t>{20, 100});
}

TEST_CASE("model: initialisers draw Keras' glorot_uniform kernels and zero biases, reproducibly") {
  golden a(42), b(42), c(43);
  CHECK(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
  CHECK(!std::equal(a.parameters().begin(), a.parameters().end(), c.parameters().begin()));
  for (const auto& p : golden::parameter_table()) {
    const auto values = a.parameters().subspan(p.offset, p.size);
    if (p.shape.size() == 2) {
      const double limit = std::sqrt(6.0 / double(p.shape[0] + p.shape[1]));
      double peak = 0;
      for (float v : values) peak = std::max(peak, double(std::abs(v)));
      CHECK(peak <= limit);
      CHECK(peak > 0.9 * limit);  // uniform over the whole range
    } else {
      for (float v : values) CHECK(v == 0.0f);
    }
  }
}

TEST_CASE("model: torch_init draws U(-1/sqrt(in), 1/sqrt(in)) for weight and bias") {
  using g = decltype(dense<50>(input<16>, activation::linear, torch_init{}));
  model<g, 1> net(3);
  for (float v : net.parameters()) CHECK(std::abs(v) <= 0.25f);
  CHECK(*std::max_element(net.parameters().begin() + 800, net.parameters().end()) > 0.2f);  // bias not zero
}

TEST_CASE("model: probe reads a named layer; a model at batch 1 predicts what batch 256 did") {
  golden big(1);
  auto data = golden_feature::make_data(256, 3);
  std::copy(data.x.begin(), data.x.end(), big.input().begin());
  big.forward();
  const auto attention = big.probe<"attention_vec">();
  REQUIRE(attention.size() == 256 * 20);
  double total = 0;
  for (std::size_t j = 0; j < 20; ++j) total += attention[5 * 20 + j];
  CHECK(total == doctest::Approx(1.0));
  CHECK(big.probe<"dense_3">().size() == 256);

  model<golden_feature::graph_type, 1> one(big);
  std::copy_n(&data.x(5, 0), 20, one.input().begin());
  one.forward();
  CHECK(one.output()[0] == doctest::Approx(big.output()[5]).epsilon(1e-6));
  CHECK(one.probe<"attention_vec">()[7] == doctest::Approx(attention[5 * 20 + 7]).epsilon(1e-6));
}

TEST_CASE("fit: rejects data whose width is not the graph's") {
  golden net;
  dataset<float> wrong{xt::xtensor<float, 2>({10, 19}), xt::xtensor<float, 2>({10, 1})};
  CHECK_THROWS_WITH_AS(fit(net, binary_crossentropy{}, keras_adam(), wrong),
                       "ctgraph: fit: each sample has 19 input values, the graph takes 20", std::invalid_argument);
  dataset<float> empty{xt::xtensor<float, 2>({0, 20}), xt::xtensor<float, 2>({0, 1})};
  CHECK_THROWS_AS(fit(net, binary_crossentropy{}, keras_adam(), empty), std::invalid_argument);
}

TEST_CASE("fit: rejects NaN and infinity in the data, naming the sample, before training") {
  golden net;
  auto data = golden_feature::make_data(300, 1);
  const std::vector<float> before(net.parameters().begin(), net.parameters().end());
  data.x(17, 3) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH_AS(fit(net, binary_crossentropy{}, keras_adam(), data),
                       "ctgraph: fit: sample 17, input value 3 is NaN", std::invalid_argument);
  data.x(17, 3) = 0.5f;
  data.y(5, 0) = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH_AS(evaluate(net, binary_crossentropy{}, data),
                       "ctgraph: evaluate: sample 5, target value 0 is infinite", std::invalid_argument);
  CHECK(std::equal(before.begin(), before.end(), net.parameters().begin()));  // nothing was trained
}

TEST_CASE("fit: trains on a partial last batch, counting its samples once") {
  golden net;
  const auto data = golden_feature::make_data(300, 1);  // one full batch of 256 and one of 44
  const auto history = fit(net, binary_crossentropy{}, keras_adam(), data, {.epochs = 2}, binary_accuracy{});
  REQUIRE(history.size() == 2);
  CHECK(history[0].samples == 300);
  CHECK(history[1].loss < history[0].loss);
}

TEST_CASE("model: building one leaves OpenBLAS' process-wide thread count as the caller set it") {
  const int before = blas_threads();
  set_blas_threads(2);
  const int two = blas_threads();  // 2, or fewer on a machine OpenBLAS caps
  { const golden net(1); }
  CHECK(blas_threads() == two);
  set_blas_threads(1);
  { const golden net(2); }
  CHECK(blas_threads() == 1);
  set_blas_threads(before);
}

TEST_CASE("model: computes with subnormals flushed to zero, and gives the caller back its floating-point mode") {
  // A subnormal costs some cores a microcode assist per operation (a fitted net's Adam moments made
  // a step 20x slower): inside the model a value below float's normal range is 0.
  constexpr auto x = input<4>;
  using halve = model<decltype(scale<0.5>(x)), 1>;
  halve net;
  const float tiny = std::numeric_limits<float>::min();  // the smallest normal float
  std::ranges::fill(net.input(), tiny);
  volatile float outside = tiny;
  CHECK(outside * 0.5f > 0.0f);  // the caller's mode: half of it is a subnormal, not 0
  net.forward();
  for (float y : net.output()) CHECK(y == 0.0f);
  CHECK(outside * 0.5f > 0.0f);  // restored after the pass

  // Adam's second moment of a gradient 1e-20: (1 - beta2) g^2 = 1e-43 is subnormal, and flushed, 0.
  float p[2] = {1, 1}, g[2] = {1e-20f, 1e-20f}, state[4] = {};
  keras_adam().update(p, g, state, 1, 1);
  CHECK(state[1] > 0.0f);  // the caller's mode: a subnormal
  {
    const detail::denormals_flushed flushed;
    keras_adam().update(p + 1, g + 1, state + 2, 1, 1);
  }
  CHECK(state[3] == 0.0f);
  CHECK(state[2] == doctest::Approx(1e-21));  // m is normal, kept
}

TEST_CASE("model: only the outermost flush scope switches the mode, so nested passes keep it and the caller gets its own back") {
  volatile float tiny = std::numeric_limits<float>::min();
  const auto subnormals_kept = [&] { return tiny * 0.5f > 0.0f; };
  REQUIRE(subnormals_kept());
  {
    const detail::denormals_flushed outer;
    CHECK_FALSE(subnormals_kept());
    { const detail::denormals_flushed inner; }
    CHECK_FALSE(subnormals_kept());  // the inner scope's end left the outer's mode on
  }
  CHECK(subnormals_kept());
  // train_step holds one scope over its two halves, each with its own: the caller's mode after it.
  using net_type = model<decltype(dense<1>(input<2>)), 1>;
  net_type net(1);
  std::ranges::fill(net.input(), 1.0f);
  net.train_step(mean_squared_error{}, keras_adam());
  CHECK(subnormals_kept());
}
