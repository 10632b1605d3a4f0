// The programs' charts: the one translation unit that includes PLplot, so that a
// graph program compiles none of it. Built without PLplot (CTGRAPH_CHARTS 0), each
// program says once that it writes no charts, and trains as before.
#include <cstdio>

#include "common/program.hpp"

#if CTGRAPH_CHARTS
#include <ctgraph/io/plot.hpp>
#endif

namespace program {

#if CTGRAPH_CHARTS

void write_loss_curve(const std::filesystem::path& file, const std::string& title,
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

void write_attention_chart(const std::filesystem::path& file, const std::string& title, const std::string& x_label,
                           const std::vector<double>& values, std::optional<std::size_t> highlight,
                           std::size_t first_label) {
  ctgraph::plot::bar_chart chart{title, x_label, "attention", {}, values, highlight};
  for (std::size_t i = 0; i < values.size(); ++i) chart.labels.push_back(std::to_string(first_label + i));
  ctgraph::plot::write_png(chart, file);
  std::printf("wrote %s\n", file.string().c_str());
}

#else

namespace {
void say_no_charts() {
  static bool said = false;
  if (!said) std::printf("charts skipped: built without PLplot (install libplplot-dev, then reconfigure)\n");
  said = true;
}
}  // namespace

void write_loss_curve(const std::filesystem::path&, const std::string&,
                      const std::vector<std::pair<std::string, std::vector<ctgraph::epoch_stats>>>&) {
  say_no_charts();
}

void write_attention_chart(const std::filesystem::path&, const std::string&, const std::string&,
                           const std::vector<double>&, std::optional<std::size_t>, std::size_t) {
  say_no_charts();
}

#endif

}  // namespace program
