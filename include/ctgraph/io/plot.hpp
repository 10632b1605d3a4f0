// PNG charts: attention as a bar chart, loss curves as a line chart. A part of
// its own: it needs PLplot (the ctgraph-plot dependency; ctgraph.hpp does not
// include it). PLplot's cairo driver draws them; this header validates the
// input, keeps PLplot away from paths where it would prompt or exit(), and
// writes each file atomically (a temporary in the same folder, then rename).
#pragma once

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plstream.h>

#include "ctgraph/detail/atomic_file.hpp"
#include "ctgraph/io/folder.hpp"

namespace ctgraph::plot {

// Members default to {} so that designated initializers may leave any out
// (-Wmissing-field-initializers).
struct bar_chart {
  std::string title{}, x_label{}, y_label{};
  std::vector<std::string> labels{};  // one per bar, written under it
  std::vector<double> values{};
  std::optional<std::size_t> highlight{};  // a bar drawn in another colour, e.g. the golden feature
};

struct series {
  std::string name{};  // shown in the legend when a chart has several lines
  std::vector<double> x{}, y{};
};

struct line_chart {
  std::string title{}, x_label{}, y_label{};
  std::vector<series> lines{};
  bool log_y = false;  // loss curves span decades
};

namespace detail {

inline constexpr PLINT width = 800, height = 500;

// cmap0 slots; PLplot draws the page background in slot 0.
enum colour : PLINT { background, ink, grid, bar, highlighted_bar, first_line };
inline constexpr PLINT palette[][3] = {
    {255, 255, 255}, {0, 0, 0},     {215, 215, 215}, {31, 119, 180}, {255, 127, 14},  // fixed slots
    {31, 119, 180},  {214, 39, 40}, {44, 160, 44},   {148, 103, 189}, {140, 86, 75},   // lines
    {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
inline constexpr PLINT palette_size = PLINT(std::size(palette));
inline constexpr PLINT line_colours = palette_size - first_line;

// Appended piece by piece: g++ 12 -O3 gives a false -Wrestrict on "text" + std::string.
template <class... Parts>
std::string join(const Parts&... parts) {
  std::string s;
  const auto append = [&s](const auto& part) {
    if constexpr (std::is_arithmetic_v<std::decay_t<decltype(part)>>)
      s += std::to_string(part);
    else
      s += part;
  };
  (append(parts), ...);
  return s;
}
template <class... Parts>
std::string message(const Parts&... parts) { return join("ctgraph::plot: ", parts...); }

inline std::string quoted(const std::filesystem::path& p) {
  std::string s = "'";
  return (s += p.string()) += "'";
}
inline std::string os_error(int err) { return std::generic_category().message(err); }

[[noreturn]] inline void cannot_write(const std::filesystem::path& file, const std::string& why) {
  throw std::runtime_error(message("cannot write ", quoted(file), ": ", why));
}

inline void require_finite(const std::vector<double>& v, const std::string& what) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) throw std::invalid_argument(message(what, "[", i, "] is not finite"));
}

// PLplot reads '#' as its escape character; doubled, it prints as itself.
inline std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '#') out += '#';
  }
  return out;
}

// PLplot keeps global state (the current stream, the driver table), so one
// chart at a time in this process.
inline std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

// The temporary next to the target (detail/atomic_file.hpp): created before
// PLplot starts, so an unwritable folder is our error, not PLplot's exit().
class temp_file {
 public:
  explicit temp_file(const std::filesystem::path& target)
      : target_(target), file_(target, message("cannot write ", quoted(target), ": ")) {}

  /// A stream of its own for PLplot, which closes it when the plot ends.
  std::FILE* stream() {
    const int copy = ::dup(file_.fd());
    std::FILE* f = copy < 0 ? nullptr : ::fdopen(copy, "wb");
    if (f == nullptr) {
      const int err = errno;
      if (copy >= 0) ::close(copy);
      cannot_write(target_, os_error(err));
    }
    return f;
  }

  /// Checks that a whole PNG landed (the cairo driver ignores write errors), then commits it.
  void commit() {
    static constexpr unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static constexpr unsigned char trailer[8] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    struct stat st {};
    unsigned char head[8] = {}, tail[8] = {};
    const int fd = file_.fd();
    if (::fstat(fd, &st) != 0 || st.st_size < 64 || ::pread(fd, head, 8, 0) != 8 ||
        ::pread(fd, tail, 8, st.st_size - 8) != 8 || !std::equal(head, head + 8, signature) ||
        !std::equal(tail, tail + 8, trailer))
      cannot_write(target_, "PLplot wrote an incomplete PNG (disk full?)");
    file_.commit();
  }

 private:
  std::filesystem::path target_;
  ctgraph::detail::atomic_file file_;
};

// Without the driver, plinit() lists devices on stdout, reads a choice from
// stdin and then calls exit(): ask first.
inline bool has_pngcairo(plstream& pls) {
  std::vector<const char*> menu(128), names(128);
  const char** m = menu.data();
  const char** n = names.data();
  int count = int(names.size());
  pls.gFileDevs(&m, &n, &count);
  return std::any_of(names.begin(), names.begin() + std::clamp(count, 0, int(names.size())),
                     [](const char* name) { return name != nullptr && std::string(name) == "pngcairo"; });
}

// One PNG: PLplot set up for an 800x500 white page, draw(pls) does the chart.
template <class Draw>
void render(const std::filesystem::path& file, Draw&& draw) {
  std::lock_guard lock(plplot_mutex());
  std::optional<temp_file> tmp;  // outlives the stream, which closes PLplot's copy of the file
  PLINT errcode = 0;             // PLplot reports recoverable errors here instead of on stderr
  char errmsg[1024] = "";
  {
    plstream pls;
    pls.sError(&errcode, errmsg);
    if (!has_pngcairo(pls)) cannot_write(file, "PLplot has no pngcairo device (install plplot-driver-cairo)");
    tmp.emplace(file);
    PLINT r[palette_size], g[palette_size], b[palette_size];
    for (PLINT i = 0; i < palette_size; ++i) r[i] = palette[i][0], g[i] = palette[i][1], b[i] = palette[i][2];
    pls.scmap0(r, g, b, palette_size);
    pls.sdev("pngcairo");
    pls.spage(0, 0, width, height, 0, 0);
    pls.sfile(tmp->stream());  // an open file: PLplot never opens (or retries and exit()s on) a path
    pls.init();
    pls.adv(0);
    draw(pls);
  }  // ~plstream ends the plot: the PNG is written and the stream closed here
  if (errcode != 0) cannot_write(file, std::string("PLplot: ") + errmsg);
  tmp->commit();
}

inline void title_and_axes(plstream& pls, const std::string& title, const std::string& x_label,
                           const std::string& y_label, PLFLT x_label_offset) {
  pls.col0(ink);
  pls.mtex("b", x_label_offset, 0.5, 0.5, escaped(x_label).c_str());
  pls.mtex("l", 4.5, 0.5, 0.5, escaped(y_label).c_str());
  pls.schr(0, 1.3);
  pls.mtex("t", 1.2, 0.5, 0.5, escaped(title).c_str());
  pls.schr(0, 1.0);
}

}  // namespace detail

using ctgraph::ensure_folder;  // io/folder.hpp, which needs no PLplot

/// Writes the bars as an 800x500 PNG, the labels under them; throws std::invalid_argument on bad input, std::runtime_error when the file cannot be written.
inline void write_png(const bar_chart& chart, const std::filesystem::path& file) {
  const auto& v = chart.values;
  if (v.empty()) throw std::invalid_argument(detail::message("bar chart '", chart.title, "' has no values"));
  if (chart.labels.size() != v.size())
    throw std::invalid_argument(
        detail::message("bar chart '", chart.title, "' has ", chart.labels.size(), " labels for ", v.size(), " values"));
  detail::require_finite(v, "bar chart values");
  if (chart.highlight && *chart.highlight >= v.size())
    throw std::invalid_argument(
        detail::message("highlighted bar ", *chart.highlight, " is past the last of ", v.size(), " bars"));

  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const double y_min = std::min(0.0, *lo), y_max = std::max(0.0, *hi);
  const double pad = y_max > y_min ? 0.05 * (y_max - y_min) : 1.0;

  // Labels go under their bar, sideways once they no longer fit side by side
  // (about 90 characters fit across the plot at this font size).
  std::vector<std::string> labels;
  std::size_t longest = 0;
  for (const auto& l : chart.labels) {
    std::size_t cut = l.size() > 16 ? 15 : l.size();
    while (cut > 0 && cut < l.size() && (l[cut] & 0xc0) == 0x80) --cut;  // not inside a UTF-8 character
    const std::string shown = cut < l.size() ? l.substr(0, cut).append("\u2026") : l;  // an ellipsis
    longest = std::max<std::size_t>(longest, std::count_if(shown.begin(), shown.end(), [](char c) {
                                      return (c & 0xc0) != 0x80;  // characters, not bytes
                                    }));
    labels.push_back(detail::escaped(shown));
  }
  const bool sideways = (longest + 1) * v.size() > 90;
  const PLFLT label_depth = sideways ? 0.75 * PLFLT(longest) + 0.8 : 1.2;  // in character heights

  detail::render(file, [&](plstream& pls) {
    const PLINT n = PLINT(v.size());
    PLFLT def = 0, ht = 0, x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    pls.gchr(def, ht);
    pls.gspa(x0, x1, y0, y1);
    const PLFLT bottom = std::min(0.6, (label_depth + 3.8) * ht / (y1 - y0));
    pls.vpor(0.1, 0.97, bottom, 0.9);
    pls.wind(-0.6, PLFLT(n) - 0.4, y_min == 0 ? 0 : y_min - pad, y_max == 0 ? 0 + pad : y_max + pad);
    pls.col0(detail::grid);
    pls.box("", 0, 0, "g", 0, 0);
    for (PLINT i = 0; i < n; ++i) {
      const PLFLT x[] = {i - 0.4, i - 0.4, i + 0.4, i + 0.4}, y[] = {0, v[i], v[i], 0};
      pls.col0(chart.highlight == std::size_t(i) ? detail::highlighted_bar : detail::bar);
      pls.fill(4, x, y);
    }
    pls.col0(detail::ink);
    pls.box("bc", 0, 0, "bcfnstv", 0, 0);  // f: no "(x10^-2)" squeezed into the corner
    for (PLINT i = 0; i < n; ++i) {
      const PLFLT at = (PLFLT(i) + 0.6) / (PLFLT(n) + 0.2);  // bar i's centre
      if (sideways)
        pls.mtex("bv", 0.5, at, 1.0, labels[i].c_str());
      else
        pls.mtex("b", 1.3, at, 0.5, labels[i].c_str());
    }
    detail::title_and_axes(pls, chart.title, chart.x_label, chart.y_label, label_depth + 2.0);
  });
}

/// Writes the lines as an 800x500 PNG, with a legend when there is more than one; log_y needs y > 0.
inline void write_png(const line_chart& chart, const std::filesystem::path& file) {
  if (chart.lines.empty()) throw std::invalid_argument(detail::message("line chart '", chart.title, "' has no lines"));
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (const auto& s : chart.lines) {
    const std::string what = detail::join("series '", s.name, "'");
    if (s.x.empty()) throw std::invalid_argument(detail::message(what, " has no points"));
    if (s.x.size() != s.y.size())
      throw std::invalid_argument(detail::message(what, " has ", s.x.size(), " x for ", s.y.size(), " y"));
    detail::require_finite(s.x, detail::join(what, " x"));
    detail::require_finite(s.y, detail::join(what, " y"));
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (chart.log_y && s.y[i] <= 0)
        throw std::invalid_argument(detail::message(what, " y[", i, "] is not positive, so it has no log scale"));
      const double y = chart.log_y ? std::log10(s.y[i]) : s.y[i];
      x_min = std::min(x_min, s.x[i]), x_max = std::max(x_max, s.x[i]);
      y_min = std::min(y_min, y), y_max = std::max(y_max, y);
    }
  }
  if (x_min == x_max) x_min -= 0.5, x_max += 0.5;
  if (chart.log_y) {
    // Whole decades, so the axis always carries at least two labelled ticks.
    y_min = std::floor(y_min), y_max = std::max(std::ceil(y_max), y_min + 1);
  } else {
    const double pad = y_max > y_min ? 0.05 * (y_max - y_min) : std::max(1.0, std::abs(y_max) * 0.1);
    y_min -= pad, y_max += pad;
  }

  detail::render(file, [&](plstream& pls) {
    pls.vpor(0.1, 0.97, 0.13, 0.9);
    pls.wind(x_min, x_max, y_min, y_max);
    pls.col0(detail::grid);
    pls.box("g", 0, 0, chart.log_y ? "gl" : "g", 0, 0);
    pls.width(2);
    std::vector<PLFLT> y;
    for (std::size_t k = 0; k < chart.lines.size(); ++k) {
      const auto& s = chart.lines[k];
      y.assign(s.y.begin(), s.y.end());
      if (chart.log_y) std::transform(y.begin(), y.end(), y.begin(), [](double v) { return std::log10(v); });
      pls.col0(detail::first_line + PLINT(k) % detail::line_colours);
      if (s.x.size() == 1)
        pls.ssym(0, 2), pls.poin(1, s.x.data(), y.data(), 17), pls.ssym(0, 1);  // a line needs two points
      else
        pls.line(PLINT(s.x.size()), s.x.data(), y.data());
    }
    pls.width(1);
    pls.col0(detail::ink);
    pls.box("bcfnst", 0, 0, chart.log_y ? "bcnstvl" : "bcfnstv", 0, 0);
    detail::title_and_axes(pls, chart.title, chart.x_label, chart.y_label, 2.8);
    if (chart.lines.size() < 2) return;
    const PLINT n = PLINT(chart.lines.size());
    std::vector<std::string> names;
    std::vector<const char*> text;
    std::vector<PLINT> opts(n, PL_LEGEND_LINE), colours(n), styles(n, 1), ink(n, detail::ink);
    std::vector<PLFLT> widths(n, 2);
    for (PLINT k = 0; k < n; ++k) {
      names.push_back(detail::escaped(chart.lines[k].name));
      colours[k] = detail::first_line + k % detail::line_colours;
    }
    for (const auto& name : names) text.push_back(name.c_str());
    PLFLT legend_width = 0, legend_height = 0;
    pls.legend(&legend_width, &legend_height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
               PL_POSITION_TOP | PL_POSITION_RIGHT | PL_POSITION_INSIDE, 0.02, 0.03, 0.08, detail::background,
               detail::ink, 1, 0, 0, n, opts.data(), 1.0, 1.0, 2.0, 0.0, ink.data(), text.data(), nullptr,
               nullptr, nullptr, nullptr, colours.data(), styles.data(), widths.data(), nullptr, nullptr,
               nullptr, nullptr);
  });
}

}  // namespace ctgraph::plot
