#include <array>
#include <cmath>
#include <cstdint>

#include <doctest/doctest.h>

#include <ctgraph/ctgraph.hpp>

using namespace ctgraph;

namespace {
// Three steps of the textbook algorithm (Kingma & Ba), written independently of
// ctgraph's one-pass loop: bias-corrected moments, then the framework's epsilon.
std::array<double, 2> reference_adam(bool keras_form, double lr, double eps, double wd) {
  std::array<double, 2> p{0.5, -1.5}, m{}, v{};
  const std::array<std::array<double, 2>, 3> grads{{{0.1, -0.2}, {0.3, 0.05}, {-0.4, 0.2}}};
  for (int t = 1; t <= 3; ++t)
    for (int i = 0; i < 2; ++i) {
      const double g = grads[t - 1][i] + wd * p[i];
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      const double m_hat = m[i] / (1 - std::pow(0.9, t)), v_hat = v[i] / (1 - std::pow(0.999, t));
      if (keras_form)  // epsilon added before the bias correction: eps scaled by sqrt(1 - b2^t)
        p[i] -= lr * m_hat / (std::sqrt(v_hat) + eps / std::sqrt(1 - std::pow(0.999, t)));
      else
        p[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
  return p;
}

std::array<double, 2> run(const adam& opt) {
  std::array<double, 2> p{0.5, -1.5};
  std::array<double, 4> state{};
  const std::array<std::array<double, 2>, 3> grads{{{0.1, -0.2}, {0.3, 0.05}, {-0.4, 0.2}}};
  for (std::uint64_t t = 1; t <= 3; ++t) opt.update(p.data(), grads[t - 1].data(), state.data(), 2, t);
  return p;
}
}  // namespace

TEST_CASE("adam: the Keras form matches the textbook algorithm with Keras' epsilon placement") {
  const auto got = run(keras_adam(0.01));
  const auto want = reference_adam(true, 0.01, 1e-7, 0);
  CHECK(got[0] == doctest::Approx(want[0]).epsilon(1e-12));
  CHECK(got[1] == doctest::Approx(want[1]).epsilon(1e-12));
}

TEST_CASE("adam: the PyTorch form with L2 weight decay matches torch.optim.Adam's algorithm") {
  const auto got = run(torch_adam(0.005, 1e-3));
  const auto want = reference_adam(false, 0.005, 1e-8, 1e-3);
  CHECK(got[0] == doctest::Approx(want[0]).epsilon(1e-12));
  CHECK(got[1] == doctest::Approx(want[1]).epsilon(1e-12));
}

TEST_CASE("adam: the two forms are different optimizers") {
  // Same learning rate and epsilon: only where epsilon enters differs. With a large
  // epsilon the difference is plain to see.
  auto keras = keras_adam(0.01);
  auto torch = torch_adam(0.01);
  keras.epsilon = torch.epsilon = 0.1;
  CHECK(std::abs(run(keras)[0] - run(torch)[0]) > 1e-4);
}

TEST_CASE("adam: the bias correction skips pow once beta^t is under half an ulp of 1, with the same bits") {
  // Past t (1 - beta) > 40 the correction is 1 without pow (whose underflow path cost 27 ns a call):
  // every t up to well past that, for the defaults and betas either side, is 1 - pow's, bit for bit.
  for (const double beta : {0.0, 0.5, 0.9, 0.99, 0.999, 0.9999})
    for (std::uint64_t t = 1; t < 2'000'000; t += t < 1000 ? 1 : 997) {
      const double want = 1.0 - std::pow(beta, double(t));
      REQUIRE_MESSAGE(detail::bias_correction(beta, t) == want, "beta " << beta << ", t " << t);
    }
  CHECK(detail::bias_correction(0.9, 1'000'000) == 1.0);
  CHECK(detail::bias_correction(1.0, 1'000'000) == 0.0);  // no decay: beta^t stays 1
}

TEST_CASE_TEMPLATE("adam: a parameter gets the same bits in a vector of the update as alone", S, float, double) {
  // The update runs in vectors of the build's width and then value by value (n = 37: whole vectors
  // of float and double, and values past them); each value's step is its own, so a buffer of one
  // value must get the same bits, for both forms, with weight decay, over several steps.
  constexpr std::size_t n = 37;
  for (const adam& opt : {keras_adam(0.01), torch_adam(0.005, 1e-3)}) {
    std::array<S, n> p, g;
    std::array<S, 2 * n> state{};
    for (std::size_t i = 0; i < n; ++i) p[i] = S(0.5) - S(0.03) * S(i), g[i] = S(0.2) * std::sin(S(i) + S(0.5));
    std::array<S, n> alone_p = p;
    std::array<S, 2 * n> alone_state{};
    for (std::uint64_t t = 1; t <= 4; ++t) {
      opt.update(p.data(), g.data(), state.data(), n, t);
      for (std::size_t i = 0; i < n; ++i) {
        std::array<S, 2> moments{alone_state[i], alone_state[n + i]};
        opt.update(&alone_p[i], &g[i], moments.data(), 1, t);
        alone_state[i] = moments[0], alone_state[n + i] = moments[1];
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE_MESSAGE(p[i] == alone_p[i], "parameter " << i);
      REQUIRE_MESSAGE(state[i] == alone_state[i], "m " << i);
      REQUIRE_MESSAGE(state[n + i] == alone_state[n + i], "v " << i);
    }
    CHECK(p[3] != S(0.5) - S(0.03) * S(3));  // it stepped
  }
}

TEST_CASE("sgd: steps against the gradient plus weight decay") {
  std::array<double, 2> p{1.0, -2.0};
  const std::array<double, 2> g{0.5, 0.25};
  sgd{.learning_rate = 0.1, .weight_decay = 0.01}.update(p.data(), g.data(), static_cast<double*>(nullptr), 2, 1);
  CHECK(p[0] == doctest::Approx(1.0 - 0.1 * (0.5 + 0.01 * 1.0)));
  CHECK(p[1] == doctest::Approx(-2.0 - 0.1 * (0.25 - 0.01 * 2.0)));
}
