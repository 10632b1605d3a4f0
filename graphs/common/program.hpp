// What every graph program shares besides its command line (options.hpp): its data
// (generated, or the user's CSV), its weights files, the table of its results beside
// the tutorial's (printed, and written atomically as TSV for scripts/run), and its charts
// (charts.cpp: the one translation unit that includes PLplot).
#pragma once

#include <cmath>
#include <cstdio>
#include <ctgraph/ctgraph.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/data_parallel.hpp"
#include "common/options.hpp"

namespace program {

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

/// ctgraph::fit with the command line's --checkpoint, --resume and --on-divergence. A SIGINT or SIGTERM
/// stops it after the current step: the checkpoint (or else the --save file) is written, the program says
/// where, and exit_now{130 or 143} ends it. A second signal ends the process at once, writing nothing.
/// With --data-parallel, each rank of the mpirun trains on its shard (data_parallel.hpp).
template <class Model, class Loss, class Optimizer, class Metric = ctgraph::no_metric,
          class Progress = ctgraph::no_progress>
std::vector<ctgraph::epoch_stats> fit(Model& net, const common_options& o, const Loss& loss, const Optimizer& optimizer,
                                      const ctgraph::dataset<float>& data, ctgraph::fit_options options,
                                      Metric metric = {}, Progress&& progress = {}) {
  options.checkpoint = o.checkpoint;
  options.resume = o.resume;
  options.divergence = o.skip_divergent ? ctgraph::on_divergence::skip_batch : ctgraph::on_divergence::stop;
  options.threads = o.threads;
  if (const std::size_t used = ctgraph::training_threads<Model>(o.threads); used < o.threads)
    std::printf("--threads %zu: a step of batch %zu is %zu grain%s of work: training on %zu thread%s\n", o.threads,
                Model::batch_size, ctgraph::step_grains<Model>, ctgraph::step_grains<Model> > 1 ? "s" : "", used,
                used > 1 ? "s" : "");
  if (!o.resume.empty()) std::printf("Resuming from %s\n", ctgraph::checkpoint_file(o.resume).string().c_str());
  if (o.data_parallel)
    return fit_data_parallel(net, o, loss, optimizer, data, options, metric, std::forward<Progress>(progress));
  const ctgraph::stop_on_signals guard;  // also while the --save file is written below: a second signal ends it
  try {
    return ctgraph::fit(net, loss, optimizer, data, options, metric, std::forward<Progress>(progress));
  } catch (const ctgraph::fit_interrupted& e) {
    std::string where;
    if (!e.checkpoint.empty()) {
      where = "wrote " + e.checkpoint.string() + " (go on with --resume " + o.checkpoint.string() + ")";
    } else if (!o.save.empty()) {
      ctgraph::save_weights(net, o.save);
      where = "wrote " + o.save.string();
    } else {
      where = "nothing written (no --checkpoint or --save)";
    }
    std::fflush(stdout);
    std::fprintf(stderr, "\n%s: %s; %s\n", o.name.c_str(), e.what(), where.c_str());
    throw exit_now{128 + e.signal};
  }
}

/// A number as the results table shows it.
inline std::string show(double v, const char* format = "%.4g") {
  if (std::isnan(v)) return "-";
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

/// The program's results beside the tutorial's. A sweep (--seeds) shows each seed's key metrics
/// and findings on one line, and counts the seeds that show each finding.
class results {
 public:
  explicit results(std::string graph) : graph_(std::move(graph)) {}

  void add(std::string metric, std::string ours, std::string tutorial) {
    rows_.push_back({std::move(metric), std::move(ours), std::move(tutorial), role::detail});
  }

  /// A row that is also on the seed's line of a sweep.
  void key_metric(std::string metric, std::string ours, std::string tutorial) {
    rows_.push_back({std::move(metric), std::move(ours), std::move(tutorial), role::key});
  }

  /// A yes/no claim of the tutorial: held here or not; a sweep counts the seeds where it holds.
  void finding(std::string claim, bool holds, std::string tutorial) {
    rows_.push_back({std::move(claim), holds ? "yes" : "no", std::move(tutorial), role::finding});
  }

  void print() const {
    std::size_t width = 6;
    for (const auto& r : rows_) width = std::max(width, r.metric.size());
    std::printf("\n%-*s  %14s  %16s\n", int(width), "", "ctgraph", "tutorial");
    for (const auto& r : rows_)
      std::printf("%-*s  %14s  %16s\n", int(width), r.metric.c_str(), r.ours.c_str(), r.tutorial.c_str());
  }

  /// results.tsv in the --out folder (graph, metric, ctgraph, tutorial: one row per line); in a
  /// sweep also summary.tsv, the key metrics and findings the sweep reads (role, metric, ctgraph,
  /// tutorial). Both atomically.
  void write(const common_options& o) const {
    std::string text, summary;
    for (const auto& r : rows_) {
      text += graph_ + '\t' + r.metric + '\t' + r.ours + '\t' + r.tutorial + '\n';
      if (r.kind != role::detail)
        summary += std::string(r.kind == role::key ? "key" : "finding") + '\t' + r.metric + '\t' + r.ours + '\t' +
                   r.tutorial + '\n';
    }
    const auto file = o.out / "results.tsv";
    ctgraph::detail::write_atomically(file, text, file.string() + ": cannot save: ");
    if (!o.in_sweep) return;
    const auto summary_file = o.out / "summary.tsv";
    ctgraph::detail::write_atomically(summary_file, summary, summary_file.string() + ": cannot save: ");
  }

 private:
  enum class role { detail, key, finding };
  struct row {
    std::string metric, ours, tutorial;
    role kind;
  };
  std::string graph_;
  std::vector<row> rows_;
};

/// The loss per epoch of one or more training runs, on a log scale (charts.cpp; without
/// PLplot, one line says the charts are skipped).
void write_loss_curve(const std::filesystem::path& file, const std::string& title,
                      const std::vector<std::pair<std::string, std::vector<ctgraph::epoch_stats>>>& runs);

/// A bar chart of attention weights, one bar per labelled position.
void write_attention_chart(const std::filesystem::path& file, const std::string& title, const std::string& x_label,
                           const std::vector<double>& values, std::optional<std::size_t> highlight = {},
                           std::size_t first_label = 0);

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
