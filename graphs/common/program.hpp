// What every graph program shares: its command line, its output folder (checked
// before training, so a bad one loses no work), the table of its results beside
// the tutorial's (printed, and written atomically as TSV for scripts/run), and
// its charts.
#pragma once

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <ctgraph/ctgraph.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace program {

struct common_options {
  std::uint64_t seed = 1;
  std::filesystem::path out;
  std::filesystem::path train, test;  // the user's CSV files, in place of the generated data
  std::filesystem::path load, save;   // weights (.npz)
  bool no_shuffle = false;
};

/// Adds the flags every program has: --seed, --out (default out/<graph>), --train and
/// --test (CSV files laid out as `csv_layout` says), --load, --save and --no-shuffle.
inline void add_common(CLI::App& app, common_options& o, const std::string& graph, const std::string& csv_layout) {
  o.out = std::filesystem::path("out") / graph;
  app.add_option("--seed", o.seed, "seed of the data split, the initial weights and the shuffles")
      ->capture_default_str();
  app.add_option("--out", o.out, "folder for the charts and results.tsv")->capture_default_str();
  app.add_option("--train", o.train, "train on this CSV instead of the generated data; each row: " + csv_layout)
      ->check(CLI::ExistingFile);
  app.add_option("--test", o.test, "evaluate on this CSV instead of the generated test data (same layout)")
      ->check(CLI::ExistingFile);
  app.add_option("--load", o.load, "start from these weights (.npz, one array per parameter name)")
      ->check(CLI::ExistingFile);
  app.add_option("--save", o.save, "write the trained weights here (.npz), atomically");
  app.add_flag("--no-shuffle", o.no_shuffle,
               "keep the training data's order, e.g. to compare step by step with another framework");
}

/// Where --save will write must be a folder we can write to: found out now, not after training.
inline std::optional<std::string> check_save_target(const std::filesystem::path& file) {
  if (file.empty()) return std::nullopt;
  const auto folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) return "folder '" + folder.string() + "' does not exist";
  if (std::filesystem::is_directory(file, ec)) return "'" + file.string() + "' is a folder";
  const auto probe = folder / (".ctgraph-write-test-" + std::to_string(::getpid()));
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) return "cannot write in folder '" + folder.string() + "'";
  std::fclose(f);
  std::filesystem::remove(probe, ec);
  return std::nullopt;
}

/// Parses the command line. Returns the exit code when the program should stop:
/// 0 after --help, 2 after a bad flag or value (with the reason on stderr).
inline std::optional<int> parse(CLI::App& app, int argc, char** argv, const common_options& o) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s\nRun with --help for the options.\n", app.get_name().c_str(), e.what());
    return 2;
  }
  try {
    ctgraph::plot::ensure_folder(o.out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: --out: %s\n", app.get_name().c_str(), e.what());
    return 2;
  }
  if (const auto problem = check_save_target(o.save)) {
    std::fprintf(stderr, "%s: --save: %s\n", app.get_name().c_str(), problem->c_str());
    return 2;
  }
  return std::nullopt;
}

/// The user's CSV when one was given, else the generated data.
template <class Generate>
ctgraph::dataset<float> data_or(const std::filesystem::path& file, const ctgraph::csv_format& format,
                                Generate&& generate) {
  if (file.empty()) return generate();
  auto data = ctgraph::read_csv<float>(file, format);
  std::printf("Read %zu samples from %s\n", data.size(), file.string().c_str());
  return data;
}

/// --load's weights into a freshly initialised model, if asked.
template <class Model>
void load_if_asked(Model& net, const common_options& o) {
  if (o.load.empty()) return;
  ctgraph::load_weights(net, o.load);
  std::printf("Loaded weights from %s\n", o.load.string().c_str());
}

/// The trained weights to --save, if asked.
template <class Model>
void save_if_asked(const Model& net, const common_options& o) {
  if (o.save.empty()) return;
  ctgraph::save_weights(net, o.save);
  std::printf("wrote %s\n", o.save.string().c_str());
}

/// A number as the results table shows it.
inline std::string show(double v, const char* format = "%.4g") {
  if (std::isnan(v)) return "-";
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

/// The program's findings beside the tutorial's.
class results {
 public:
  explicit results(std::string graph) : graph_(std::move(graph)) {}

  void add(std::string metric, std::string ours, std::string tutorial) {
    rows_.push_back({std::move(metric), std::move(ours), std::move(tutorial)});
  }

  void print() const {
    std::size_t width = 6;
    for (const auto& r : rows_) width = std::max(width, r.metric.size());
    std::printf("\n%-*s  %14s  %16s\n", int(width), "", "ctgraph", "tutorial");
    for (const auto& r : rows_)
      std::printf("%-*s  %14s  %16s\n", int(width), r.metric.c_str(), r.ours.c_str(), r.tutorial.c_str());
  }

  /// graph, metric, ctgraph, tutorial: one row per line, written to a temporary file and renamed.
  void write_tsv(const std::filesystem::path& file) const {
    const auto temporary = std::filesystem::path(file).concat(".tmp");
    {
      std::ofstream out(temporary);
      for (const auto& r : rows_) out << graph_ << '\t' << r.metric << '\t' << r.ours << '\t' << r.tutorial << '\n';
      out.flush();
      if (!out) throw std::runtime_error("cannot write '" + temporary.string() + "'");
    }
    std::filesystem::rename(temporary, file);
  }

 private:
  struct row {
    std::string metric, ours, tutorial;
  };
  std::string graph_;
  std::vector<row> rows_;
};

/// The loss per epoch of one or more training runs, on a log scale.
inline void write_loss_curve(const std::filesystem::path& file, const std::string& title,
                             const std::vector<std::pair<std::string, std::vector<ctgraph::epoch_stats>>>& runs) {
  ctgraph::plot::line_chart chart{title, "epoch", "training loss", {}, true};
  for (const auto& [name, history] : runs) {
    ctgraph::plot::series s{name, {}, {}};
    for (const auto& h : history) {
      s.x.push_back(double(h.epoch));
      s.y.push_back(std::max(h.loss, 1e-30));  // a loss of exactly 0 has no logarithm
    }
    chart.lines.push_back(std::move(s));
  }
  ctgraph::plot::write_png(chart, file);
  std::printf("wrote %s\n", file.string().c_str());
}

/// A bar chart of attention weights, one bar per labelled position.
inline void write_attention_chart(const std::filesystem::path& file, const std::string& title,
                                  const std::string& x_label, const std::vector<double>& values,
                                  std::optional<std::size_t> highlight = {}, std::size_t first_label = 0) {
  ctgraph::plot::bar_chart chart{title, x_label, "attention", {}, values, highlight};
  for (std::size_t i = 0; i < values.size(); ++i) chart.labels.push_back(std::to_string(first_label + i));
  ctgraph::plot::write_png(chart, file);
  std::printf("wrote %s\n", file.string().c_str());
}

/// Index of the largest value.
inline std::size_t argmax(const std::vector<double>& v) {
  return std::size_t(std::max_element(v.begin(), v.end()) - v.begin());
}

/// Total seconds of a training run.
inline double seconds(const std::vector<ctgraph::epoch_stats>& history) {
  double s = 0;
  for (const auto& h : history) s += h.seconds;
  return s;
}

}  // namespace program
