// Chart tests: bar and line charts land as whole PNG files, bad input is
// rejected before anything is written, and a failed write leaves nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "ctgraph/io/plot.hpp"

namespace fs = std::filesystem;
namespace plot = ctgraph::plot;

namespace {

/// A fresh folder under the temp directory, removed with everything in it when it goes out of scope.
struct scratch_folder {
  fs::path path;
  scratch_folder() {
    static int count = 0;
    path = fs::temp_directory_path() /
           ("ctgraph_plot_test_" + std::to_string(::getpid()) + "_" + std::to_string(count++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  scratch_folder(const scratch_folder&) = delete;
  scratch_folder& operator=(const scratch_folder&) = delete;
  ~scratch_folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<unsigned char> bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Checks the PNG signature, the IHDR size and the closing IEND chunk.
void check_png(const fs::path& file, unsigned width = 800, unsigned height = 500) {
  REQUIRE(fs::is_regular_file(file));
  const auto png = bytes_of(file);
  REQUIRE(png.size() > 2000);  // a titled, labelled chart, not an empty page
  REQUIRE(png.size() < 2'000'000);
  const std::vector<unsigned char> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  CHECK(std::vector<unsigned char>(png.begin(), png.begin() + 8) == signature);
  CHECK(std::string(png.begin() + 12, png.begin() + 16) == "IHDR");
  const auto be32 = [&](std::size_t at) {
    return unsigned(png[at]) << 24 | unsigned(png[at + 1]) << 16 | unsigned(png[at + 2]) << 8 | unsigned(png[at + 3]);
  };
  CHECK(be32(16) == width);
  CHECK(be32(20) == height);
  CHECK(std::string(png.end() - 8, png.end() - 4) == "IEND");
}

/// The names in a folder: what a failed or finished write left behind.
std::vector<std::string> entries(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

plot::bar_chart attention(std::size_t n = 20) {
  plot::bar_chart chart{.title = "Attention over the features", .x_label = "feature", .y_label = "attention"};
  for (std::size_t i = 0; i < n; ++i) {
    chart.labels.push_back(std::to_string(i));
    chart.values.push_back(0.01 + 0.002 * double(i));
  }
  chart.values[7] = 0.5;
  chart.highlight = 7;
  return chart;
}

plot::line_chart loss_curve() {
  plot::line_chart chart{.title = "Loss", .x_label = "epoch", .y_label = "loss", .log_y = true};
  plot::series train{.name = "train"}, validation{.name = "validation"};
  for (int e = 1; e <= 30; ++e) {
    train.x.push_back(e), train.y.push_back(2.0 * std::exp(-e / 5.0));
    validation.x.push_back(e), validation.y.push_back(2.0 * std::exp(-e / 7.0) + 0.01);
  }
  chart.lines = {train, validation};
  return chart;
}

/// The message of the std::runtime_error `f` throws, or "" if it throws none.
template <class F>
std::string runtime_error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("plot: a bar chart is written as a PNG file") {
  scratch_folder dir;
  plot::write_png(attention(), dir.path / "attention.png");
  check_png(dir.path / "attention.png");
  CHECK(entries(dir.path) == std::vector<std::string>{"attention.png"});  // no temporary left over
}

TEST_CASE("plot: 32 bars with long, '#'-containing, UTF-8 labels and negative values are written") {
  scratch_folder dir;
  plot::bar_chart chart{.title = "Attention #2", .x_label = "position", .y_label = "weight"};
  for (int i = 0; i < 32; ++i) {
    chart.labels.push_back("position #" + std::to_string(i) + " with a long name");
    chart.values.push_back(i % 3 == 0 ? -0.1 : 0.1 * i);
  }
  chart.labels[1] = "\u00e4\u00e4\u00e4\u00e4\u00e4\u00e4\u00e4\u00e4\u00e4\u00e4\u00e4";  // cut to fit, not mid-character
  plot::write_png(chart, dir.path / "bars.png");
  check_png(dir.path / "bars.png");
}

TEST_CASE("plot: a loss curve with two series is written") {
  scratch_folder dir;
  plot::write_png(loss_curve(), dir.path / "loss.png");
  check_png(dir.path / "loss.png");
  CHECK(entries(dir.path) == std::vector<std::string>{"loss.png"});
}

TEST_CASE("plot: a linear line chart with a one-point series is written") {
  scratch_folder dir;
  plot::line_chart chart{.title = "Accuracy", .x_label = "epoch", .y_label = "accuracy"};
  chart.lines = {{.name = "only", .x = {1}, .y = {0.5}}};
  plot::write_png(chart, dir.path / "accuracy.png");
  check_png(dir.path / "accuracy.png");
}

TEST_CASE("plot: writing over an existing file replaces it whole") {
  scratch_folder dir;
  const auto file = dir.path / "chart.png";
  std::ofstream(file) << "not a png";
  plot::write_png(attention(), file);
  check_png(file);
  plot::write_png(loss_curve(), file);
  check_png(file);
  CHECK(entries(dir.path) == std::vector<std::string>{"chart.png"});
}

TEST_CASE("plot: an unwritable folder gets an error naming it and leaves nothing") {
  // Tests run as root, for whom chmod does not stop a write: a regular file in the path does.
  scratch_folder dir;
  std::ofstream(dir.path / "some_file") << "in the way";
  const auto folder = dir.path / "some_file" / "sub";
  const auto message = runtime_error_of([&] { plot::write_png(attention(), folder / "chart.png"); });
  CHECK(message.find(folder.string()) != std::string::npos);
  CHECK(message.find("chart.png") != std::string::npos);
  CHECK(message.find("Not a directory") != std::string::npos);
  CHECK(runtime_error_of([&] { plot::write_png(loss_curve(), folder / "loss.png"); }) != "");
  CHECK(entries(dir.path) == std::vector<std::string>{"some_file"});
}

TEST_CASE("plot: a failed rename removes the temporary and names the file") {
  // A folder where the chart should go: PLplot draws, the final rename fails.
  scratch_folder dir;
  fs::create_directories(dir.path / "chart.png" / "inside");
  const auto message = runtime_error_of([&] { plot::write_png(attention(), dir.path / "chart.png"); });
  CHECK(message.find((dir.path / "chart.png").string()) != std::string::npos);
  CHECK(entries(dir.path) == std::vector<std::string>{"chart.png"});
  CHECK(fs::is_directory(dir.path / "chart.png" / "inside"));
}

TEST_CASE("plot: ensure_folder creates parents, and names a folder it cannot create") {
  scratch_folder dir;
  plot::ensure_folder(dir.path / "a" / "b" / "c");
  CHECK(fs::is_directory(dir.path / "a" / "b" / "c"));
  plot::ensure_folder(dir.path / "a");  // already there: fine

  std::ofstream(dir.path / "some_file") << "in the way";
  for (const auto& folder : {dir.path / "some_file", dir.path / "some_file" / "sub"}) {
    const auto message = runtime_error_of([&] { plot::ensure_folder(folder); });
    std::string quoted = "'";
    (quoted += folder.string()) += "'";
    CHECK_MESSAGE(message.find(quoted) != std::string::npos, message);
  }
}

TEST_CASE("plot: mismatched labels and values are rejected") {
  scratch_folder dir;
  const auto file = dir.path / "bars.png";
  auto chart = attention();
  chart.labels.pop_back();
  CHECK_THROWS_WITH_AS(plot::write_png(chart, file), doctest::Contains("19 labels for 20 values"),
                       std::invalid_argument);

  chart = attention();
  chart.values.clear(), chart.labels.clear(), chart.highlight.reset();
  CHECK_THROWS_WITH_AS(plot::write_png(chart, file), doctest::Contains("no values"), std::invalid_argument);
  CHECK(entries(dir.path).empty());
}

TEST_CASE("plot: NaN, infinite values and a highlight past the last bar are rejected") {
  scratch_folder dir;
  const auto file = dir.path / "bars.png";
  auto chart = attention();
  chart.values[3] = std::nan("");
  CHECK_THROWS_WITH_AS(plot::write_png(chart, file), doctest::Contains("[3] is not finite"), std::invalid_argument);
  chart.values[3] = -INFINITY;
  CHECK_THROWS_AS(plot::write_png(chart, file), std::invalid_argument);
  chart = attention();
  chart.highlight = 20;
  CHECK_THROWS_WITH_AS(plot::write_png(chart, file), doctest::Contains("highlighted bar 20"), std::invalid_argument);
  CHECK(entries(dir.path).empty());
}

TEST_CASE("plot: bad line chart input is rejected") {
  scratch_folder dir;
  const auto file = dir.path / "loss.png";
  plot::line_chart none{.title = "Loss"};
  CHECK_THROWS_WITH_AS(plot::write_png(none, file), doctest::Contains("no lines"), std::invalid_argument);

  auto chart = loss_curve();
  chart.lines[1].y.pop_back();
  CHECK_THROWS_WITH_AS(plot::write_png(chart, file), doctest::Contains("'validation' has 30 x for 29 y"),
                       std::invalid_argument);
  chart = loss_curve();
  chart.lines[0].x.clear(), chart.lines[0].y.clear();
  CHECK_THROWS_WITH_AS(plot::write_png(chart, file), doctest::Contains("no points"), std::invalid_argument);
  chart = loss_curve();
  chart.lines[0].x[4] = INFINITY;
  CHECK_THROWS_WITH_AS(plot::write_png(chart, file), doctest::Contains("x[4] is not finite"), std::invalid_argument);
  chart = loss_curve();
  chart.lines[1].y[2] = std::nan("");
  CHECK_THROWS_WITH_AS(plot::write_png(chart, file), doctest::Contains("y[2] is not finite"), std::invalid_argument);
  chart = loss_curve();
  chart.lines[1].y[2] = 0;  // a log scale has no place for 0
  CHECK_THROWS_WITH_AS(plot::write_png(chart, file), doctest::Contains("not positive"), std::invalid_argument);
  chart.log_y = false;
  plot::write_png(chart, file);  // but a linear one does
  check_png(file);
}

TEST_CASE("plot: charts written from several threads at once all land whole") {
  // PLplot has process-wide state (the current stream); the header serialises its use.
  scratch_folder dir;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&dir, t] {
      for (int k = 0; k < 3; ++k) {
        const auto name = "chart_" + std::to_string(t) + "_" + std::to_string(k) + ".png";
        if (k % 2 == 0)
          plot::write_png(attention(), dir.path / name);
        else
          plot::write_png(loss_curve(), dir.path / name);
      }
    });
  for (auto& thread : threads) thread.join();
  CHECK(entries(dir.path).size() == 12);
  for (const auto& name : entries(dir.path)) check_png(dir.path / name);
}
