// Checkpoints, interruption and divergence: a run stopped after 2 of 4 epochs, or by
// SIGINT in the middle of an epoch, and resumed, ends bit for bit where the run that
// never stopped ends, for every optimizer; a non-finite loss or gradient stops
// training (or skips its batch) before it reaches the parameters.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "golden_feature/golden_feature.hpp"

namespace fs = std::filesystem;
using namespace ctgraph;

namespace {

using golden = model<golden_feature::graph_type, 16>;  // 200 samples: 13 batches, the last partial

constexpr auto tiny_x = input<2>;
constexpr auto tiny_graph = dense<1>(tiny_x);
using tiny = model<decltype(tiny_graph), 1>;

struct temp_dir {
  fs::path path;
  temp_dir() {
    static int count = 0;
    path = fs::temp_directory_path() / ("ctgraph_checkpoint_test_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(count++));
    fs::create_directories(path);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

template <class Span>
std::vector<std::uint64_t> bits(Span values) {
  std::vector<std::uint64_t> out;
  for (const auto v : values) {
    if constexpr (sizeof v == 4) out.push_back(std::bit_cast<std::uint32_t>(v));
    else out.push_back(std::bit_cast<std::uint64_t>(v));
  }
  return out;
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// Raises `signal` after batch `batch` of epoch `epoch`, as a user's Ctrl-C would land during that step.
struct signal_at {
  std::size_t epoch, batch;
  int signal = SIGINT;
  std::size_t current = 0;
  void begin_epoch(std::size_t e, std::size_t) { current = e; }
  void batch_done(std::size_t b, double, double) {
    if (current == epoch && b == batch) std::raise(signal);
  }
  void end_epoch(const epoch_stats&) {}
};

/// Keeps the parameters after every batch: what "the last finite parameters" must equal.
template <class Model>
struct snapshots {
  const Model* net;
  std::vector<std::uint64_t> last{};
  std::size_t epoch = 0, batch = 0, current = 0;
  void begin_epoch(std::size_t e, std::size_t) { current = e; }
  void batch_done(std::size_t b, double, double) {
    last = bits(net->parameters());
    epoch = current, batch = b;
  }
  void end_epoch(const epoch_stats&) {}
};

dataset<float> tiny_data(std::size_t n, std::size_t bad = std::size_t(-1)) {
  dataset<float> d{xt::xtensor<float, 2>({n, 2}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    d.x(i, 0) = float(i) / float(n), d.x(i, 1) = 1.0f - float(i) / float(n);
    d.y(i, 0) = i == bad ? 3e38f : 0.5f * d.x(i, 0);  // finite, but twice it (the gradient) is not
  }
  return d;
}

template <class Optimizer>
void check_resume_is_exact(const Optimizer& optimizer) {
  const auto data = golden_feature::make_data(200, 3);
  const fit_options whole{.epochs = 4, .seed = 9};
  golden uninterrupted(5);
  const auto history = fit(uninterrupted, binary_crossentropy{}, optimizer, data, whole, binary_accuracy{});

  temp_dir dir;
  golden first(5);
  fit(first, binary_crossentropy{}, optimizer, data, {.epochs = 2, .seed = 9, .checkpoint = dir.path}, binary_accuracy{});
  REQUIRE(fs::exists(checkpoint_file(dir.path)));
  golden resumed(77);  // other initial weights: all of them must come from the checkpoint
  const auto rest = fit(resumed, binary_crossentropy{}, optimizer, data, {.epochs = 4, .seed = 9, .resume = dir.path},
                        binary_accuracy{});
  CHECK(bits(resumed.parameters()) == bits(uninterrupted.parameters()));
  CHECK(bits(resumed.optimizer_state()) == bits(uninterrupted.optimizer_state()));
  CHECK(resumed.steps() == uninterrupted.steps());
  REQUIRE(rest.size() == 4);
  for (std::size_t e = 0; e < 4; ++e) {
    CHECK(rest[e].epoch == e + 1);
    CHECK(rest[e].loss == history[e].loss);
    CHECK(rest[e].accuracy == history[e].accuracy);
  }
  // And the run did train: its parameters moved from the initial ones.
  CHECK(bits(uninterrupted.parameters()) != bits(golden(5).parameters()));

  // Stopped by SIGINT after batch 5 of epoch 3: the step finishes, the checkpoint is written, fit throws.
  temp_dir mid;
  golden stopped(5);
  {
    stop_on_signals guard;
    try {
      fit(stopped, binary_crossentropy{}, optimizer, data, {.epochs = 4, .seed = 9, .checkpoint = mid.path},
          binary_accuracy{}, signal_at{3, 5});
      FAIL("fit was not interrupted");
    } catch (const fit_interrupted& e) {
      CHECK(e.signal == SIGINT);
      CHECK(e.checkpoint == checkpoint_file(mid.path));
      CHECK(std::string(e.what()) == "ctgraph: fit: interrupted by SIGINT after batch 5 of 13 in epoch 3");
    }
  }
  CHECK(stopped.steps() == 2 * 13 + 5);
  golden again(78);
  fit(again, binary_crossentropy{}, optimizer, data, {.epochs = 4, .seed = 9, .resume = mid.path}, binary_accuracy{});
  CHECK(bits(again.parameters()) == bits(uninterrupted.parameters()));
  CHECK(bits(again.optimizer_state()) == bits(uninterrupted.optimizer_state()));
}

}  // namespace

TEST_CASE("checkpoint: 4 epochs stopped after 2 (or by SIGINT in epoch 3) and resumed equal 4 in one run, bit for bit") {
  SUBCASE("Keras' Adam") { check_resume_is_exact(keras_adam(0.01)); }
  SUBCASE("PyTorch's Adam with weight decay") { check_resume_is_exact(torch_adam(0.01, 0.01)); }
  SUBCASE("SGD with weight decay") { check_resume_is_exact(sgd{.learning_rate = 0.05, .weight_decay = 0.001}); }
}

TEST_CASE("checkpoint: np.load reads it, and a checkpoint of other data or a damaged one is refused, model untouched") {
  temp_dir dir;
  const auto data = golden_feature::make_data(200, 3);
  golden net(5);
  fit(net, binary_crossentropy{}, keras_adam(), data, {.epochs = 1, .checkpoint = dir.path});
  const auto arrays = read_npz(checkpoint_file(dir.path));
  CHECK(arrays.front().name == "attention_vec.kernel");
  CHECK(std::ranges::count_if(arrays, [](const npz_array& a) { return a.name == "fit.order"; }) == 1);

  golden other(6);
  const auto before = bits(other.parameters());
  const auto refused = [&](const dataset<float>& d, const fs::path& folder) {
    try {
      fit(other, binary_crossentropy{}, keras_adam(), d, {.epochs = 2, .resume = folder});
    } catch (const weights_error& e) {
      CHECK(bits(other.parameters()) == before);
      CHECK(other.steps() == 0);
      return std::string(e.what());
    }
    FAIL("resumed");
    return std::string();
  };
  CHECK(refused(golden_feature::make_data(150, 3), dir.path) ==
        checkpoint_file(dir.path).string() + ": was made on 200 samples, the data has 150: resume with the same data");
  CHECK(refused(data, dir.path / "nowhere").ends_with("checkpoint.npz: cannot open: No such file or directory"));
  // A weights file is not a checkpoint.
  save_weights(net, dir.path / "checkpoint.npz");
  CHECK(refused(data, dir.path).ends_with(": has no array optimizer.state: it is not a checkpoint"));
}

TEST_CASE("checkpoint: a write that fails keeps the last good checkpoint") {
  temp_dir dir;
  const auto data = golden_feature::make_data(200, 3);
  golden net(5);
  fit(net, binary_crossentropy{}, keras_adam(), data, {.epochs = 1, .checkpoint = dir.path});
  const std::string good = read_bytes(checkpoint_file(dir.path));
  REQUIRE(good.size() > 4096);
  // The file size limit stands in for a full disk.
  rlimit old_limit{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old_limit;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string message;
  try {
    fit(net, binary_crossentropy{}, keras_adam(), data, {.epochs = 2, .checkpoint = dir.path, .resume = dir.path});
  } catch (const weights_error& e) {
    message = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  CHECK_MESSAGE(message.find(": cannot save: cannot write") != std::string::npos, message);
  CHECK(read_bytes(checkpoint_file(dir.path)) == good);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);  // no temporary left
}

TEST_CASE("fit's divergence check finds a NaN or an infinity anywhere, and nothing in finite values") {
  const auto check = []<class S>(S) {
    std::vector<S> values(1001, S(0.25));
    CHECK(detail::all_finite(std::span<const S>(values)));
    for (const S odd : {std::numeric_limits<S>::max(), -std::numeric_limits<S>::max(),
                        std::numeric_limits<S>::denorm_min(), S(-0.0)}) {
      values[500] = odd;
      CHECK(detail::all_finite(std::span<const S>(values)));
    }
    for (const std::size_t at : {std::size_t{0}, std::size_t{517}, std::size_t{1000}})
      for (const S bad : {std::numeric_limits<S>::quiet_NaN(), -std::numeric_limits<S>::quiet_NaN(),
                          std::numeric_limits<S>::infinity(), -std::numeric_limits<S>::infinity()}) {
        values.assign(values.size(), S(0.25));
        values[at] = bad;
        CHECK(!detail::all_finite(std::span<const S>(values)));
      }
  };
  check(0.0f);
  check(0.0);
}

TEST_CASE("fit: a non-finite gradient stops training naming epoch and batch; the parameters are the last finite ones") {
  const auto data = tiny_data(10, 5);
  tiny net(1);
  snapshots<tiny> seen{&net};
  std::string message;
  try {
    fit(net, mean_squared_error{}, keras_adam(0.01), data, {.epochs = 2, .shuffle = false}, no_metric{}, seen);
  } catch (const fit_diverged& e) {
    message = e.what();
  }
  CHECK(message == "ctgraph: fit: the gradient of dense_1.kernel is infinite (value 0) at epoch 1, batch 6 of 10: "
                   "training stopped before updating; the parameters are the last finite ones");
  CHECK((seen.epoch == 1 && seen.batch == 5));
  CHECK(bits(net.parameters()) == seen.last);
  CHECK(detail::all_finite(std::span<const float>(net.parameters())));
  CHECK(detail::all_finite(std::span<const float>(net.optimizer_state())));
  CHECK(net.steps() == 5);
}

TEST_CASE("fit: a loss that overflows stops training, and nothing non-finite reaches the parameters") {
  // A learning rate of 1e30 sends golden_feature's weights past float's range within a few steps.
  const auto data = golden_feature::make_data(200, 3);
  golden net(5);
  snapshots<golden> seen{&net};
  std::string message;
  try {
    fit(net, binary_crossentropy{}, sgd{.learning_rate = 1e30}, data, {.epochs = 3}, no_metric{}, seen);
  } catch (const fit_diverged& e) {
    message = e.what();
  }
  REQUIRE_MESSAGE(!message.empty(), "training did not diverge");
  CHECK_MESSAGE(message.find(" at epoch " + std::to_string(seen.epoch == 0 ? 1 : seen.epoch)) != std::string::npos,
                message);
  CHECK(detail::all_finite(std::span<const float>(net.parameters())));
  if (!seen.last.empty()) CHECK(bits(net.parameters()) == seen.last);
}

TEST_CASE("fit: skip_batch leaves out the batches that are not finite, and trains as if they were not there") {
  const auto data = tiny_data(10, 5);
  tiny skipping(1), without(1);
  const auto history = fit(skipping, mean_squared_error{}, keras_adam(0.01), data,
                           {.epochs = 2, .shuffle = false, .divergence = on_divergence::skip_batch});
  REQUIRE(history.size() == 2);
  CHECK(history[0].skipped == 1);
  CHECK(history[1].skipped == 1);
  CHECK(history[0].samples == 9);
  // The same nine samples in the same order, without the bad one.
  dataset<float> nine{xt::xtensor<float, 2>({9, 2}), xt::xtensor<float, 2>({9, 1})};
  for (std::size_t i = 0, k = 0; i < 10; ++i)
    if (i != 5) nine.x(k, 0) = data.x(i, 0), nine.x(k, 1) = data.x(i, 1), nine.y(k, 0) = data.y(i, 0), ++k;
  const auto clean = fit(without, mean_squared_error{}, keras_adam(0.01), nine, {.epochs = 2, .shuffle = false});
  CHECK(bits(skipping.parameters()) == bits(without.parameters()));
  CHECK(history[1].loss == clean[1].loss);
}

TEST_CASE("interrupt: a second signal while a file is written ends the process at once, removing the temporary") {
  temp_dir dir;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    stop_on_signals guard;
    detail::atomic_file file(dir.path / "w.npz", "");
    file.write("half of a file");
    std::raise(SIGINT);   // the first: a request to stop after the step
    std::raise(SIGTERM);  // the second: now
    ::_exit(0);           // not reached
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
  CHECK(fs::is_empty(dir.path));
}
