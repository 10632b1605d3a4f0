// Reads a data set from a CSV file of numbers: the input columns first, the
// targets last; the last column may hold class names (stored as their index).
// Strict on purpose: any bad field is an error naming the file, line and
// column, and nothing is returned unless the whole file is good, because a
// silently skipped row or a NaN shows up much later as a strange loss curve.
// Plain CSV only: a field may be wrapped in double quotes, but quoted commas
// and escaped quotes are not understood.
#pragma once

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "ctgraph/detail/compiled.hpp"
#include "ctgraph/detail/escaped_text.hpp"
#include "ctgraph/detail/read_file.hpp"
#include "ctgraph/train/fit.hpp"

namespace ctgraph {

/// The layout of a CSV file: `inputs` columns, then `targets` columns.
struct csv_format {
  std::size_t inputs = 0;                     // input columns, the first ones
  std::size_t targets = 1;                    // target columns, the last ones
  std::vector<std::string> class_names = {};  // if not empty: the last column is a class name or its index 0..n-1
};

/// Thrown for any problem with a data file; what() names the file, line and column.
struct data_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {

inline constexpr std::string_view csv_space = " \t\r\v\f";

CTGRAPH_DECL std::string_view csv_trim(std::string_view s);
/// A field as it goes into a message: quoted, control bytes escaped, long ones cut.
CTGRAPH_DECL std::string csv_quote(std::string_view field);

template <class S>
constexpr const char* csv_type_name() {
  if constexpr (std::same_as<S, float>) return "float";
  else if constexpr (std::same_as<S, double>) return "double";
  else return "long double";
}

enum class csv_number { ok, not_a_number, not_finite, out_of_range };

/// Parses the whole of `s` as a finite S; from_chars, so no locale and no trailing junk.
template <class S>
csv_number csv_parse(std::string_view s, S& value) {
  // from_chars takes no leading '+', which other writers emit.
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  // libstdc++'s from_chars for long double goes through strtold, which reads on to a NUL past the end
  // of the range (found by tests/fuzz/read_csv_fuzz.cpp): it gets a NUL-terminated copy.
  std::string copy;
  if constexpr (std::same_as<S, long double>) s = copy = s;
  const char* const end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  if (s.empty() || ptr != end || ec == std::errc::invalid_argument) return csv_number::not_a_number;
  if (ec == std::errc::result_out_of_range) {
    // from_chars says the same for overflow and underflow; underflow is just rounding to zero,
    // so tell them apart in a wider type.
    if constexpr (!std::same_as<S, long double>) {
      const std::string field(s);  // NUL-terminated, as above
      long double wide = 0;
      if (std::from_chars(field.data(), field.data() + field.size(), wide).ec == std::errc{} && std::fabs(wide) < 1) {
        value = static_cast<S>(wide);
        return csv_number::ok;
      }
    }
    return csv_number::out_of_range;
  }
  return std::isfinite(value) ? csv_number::ok : csv_number::not_finite;
}

CTGRAPH_DECL bool csv_is_class_name(std::string_view s, const std::vector<std::string>& names);
CTGRAPH_DECL std::string csv_name_list(const std::vector<std::string>& names);
/// The whole file, or a data_error saying why not.
CTGRAPH_DECL std::string csv_read_file(const std::filesystem::path& file);

#if CTGRAPH_DEFINE_HERE
CTGRAPH_DECL std::string_view csv_trim(std::string_view s) {
  const auto first = s.find_first_not_of(csv_space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(csv_space) - first + 1);
}

CTGRAPH_DECL std::string csv_quote(std::string_view field) {
  // Quotes and backslashes too: the field is shown between quotes.
  // Appended, not "\"" + text: g++ 12 at -O3 warns of an overlap (-Wrestrict) in the prepend.
  std::string out = "\"";
  out += escaped_text(field, 40, [](unsigned char u) { return u < 0x20 || u == 0x7f || u == '"' || u == '\\'; });
  out += '"';
  return out;
}

CTGRAPH_DECL bool csv_is_class_name(std::string_view s, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

CTGRAPH_DECL std::string csv_name_list(const std::vector<std::string>& names) {
  constexpr std::size_t max_listed = 10;
  std::string out = "(";
  for (std::size_t i = 0; i < names.size() && i < max_listed; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > max_listed) out += ", ...";
  return out + ")";
}

CTGRAPH_DECL std::string csv_read_file(const std::filesystem::path& file) { return read_whole_file(file, detail::throw_as<data_error>); }
#endif  // CTGRAPH_DEFINE_HERE

}  // namespace detail

/// read_csv on the contents of a file already read, `text`, named `name` in messages.
template <class S = float>
  requires std::floating_point<S>
dataset<S> parse_csv(std::string_view text, const std::string& name, const csv_format& format) {
  const std::vector<std::string>& names = format.class_names;
  if (format.inputs == 0) throw std::invalid_argument("ctgraph: read_csv: csv_format.inputs must be at least 1");
  if (format.targets > std::numeric_limits<std::size_t>::max() / 2)
    throw std::invalid_argument("ctgraph: read_csv: csv_format.targets is too large");
  if (!names.empty() && format.targets == 0)
    throw std::invalid_argument("ctgraph: read_csv: class_names given but csv_format.targets is 0");
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i].empty() || names[i] != detail::csv_trim(names[i]) ||
        std::find(names.begin(), names.begin() + std::ptrdiff_t(i), names[i]) != names.begin() + std::ptrdiff_t(i))
      throw std::invalid_argument("ctgraph: read_csv: class name " + detail::csv_quote(names[i]) +
                                  " is empty, padded with spaces, or given twice");

  const std::size_t columns = format.inputs + format.targets;
  std::string_view rest = text;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // a UTF-8 byte order mark, as spreadsheets write

  std::vector<S> xs, ys;
  std::vector<std::string_view> fields;
  std::size_t samples = 0, line_no = 0;
  bool first_line = true;
  while (!rest.empty()) {
    const std::size_t eol = rest.find('\n');
    const std::string_view line = detail::csv_trim(rest.substr(0, eol));
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    ++line_no;
    if (line.empty()) continue;

    // Messages are built only when thrown: a big file has millions of fields.
    auto where = [&] { return name + ":" + std::to_string(line_no) + ": "; };
    fields.clear();
    for (std::size_t start = 0;;) {
      const std::size_t comma = line.find(',', start);
      std::string_view field = detail::csv_trim(line.substr(start, comma == line.npos ? comma : comma - start));
      if (field.size() >= 2 && field.front() == '"' && field.back() == '"')
        field = detail::csv_trim(field.substr(1, field.size() - 2));
      fields.push_back(field);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }

    auto column_count = [&](const char* what) {
      if (fields.size() != columns)
        throw data_error(where() + what + "has " + std::to_string(fields.size()) + " column" +
                         (fields.size() == 1 ? "" : "s") + ", expected " + std::to_string(columns) + " (" +
                         std::to_string(format.inputs) + " input" + (format.inputs == 1 ? "" : "s") + ", " +
                         std::to_string(format.targets) + " target" + (format.targets == 1 ? "" : "s") + ")");
    };

    if (first_line) {
      first_line = false;
      // A header has no numbers and some field that is not a class name. Asking for no numbers at all keeps a
      // first data row with one typo ("5.1,3.5,1.4,0.2,setosaa") from being skipped as a header.
      bool any_number = false, any_other = false;
      for (const std::string_view f : fields) {
        S ignored{};
        if (detail::csv_parse(f, ignored) != detail::csv_number::not_a_number) any_number = true;
        else if (!detail::csv_is_class_name(f, names)) any_other = true;
      }
      if (any_other && !any_number) {
        column_count("the header ");
        continue;
      }
    }
    column_count("");

    for (std::size_t c = 0; c < columns; ++c) {
      const std::string_view f = fields[c];
      auto at = [&] { return where() + "column " + std::to_string(c + 1) + ": "; };
      S value{};
      if (!names.empty() && c + 1 == columns) {
        const auto found = std::find(names.begin(), names.end(), f);
        if (found != names.end()) {
          value = S(found - names.begin());
        } else {
          // Otherwise the class as its index, checked in long double so that no rounding to S hides a fraction.
          long double index = 0;
          const auto parsed = detail::csv_parse(f, index);
          if (parsed == detail::csv_number::not_a_number)
            throw data_error(at() + detail::csv_quote(f) + " is not a number or a class name " +
                             detail::csv_name_list(names));
          if (parsed != detail::csv_number::ok || index != std::floor(index))
            throw data_error(at() + "class index " + detail::csv_quote(f) + " is not an integer 0.." +
                             std::to_string(names.size() - 1) + " " + detail::csv_name_list(names));
          if (index < 0 || index >= static_cast<long double>(names.size()))
            throw data_error(at() + "class index " + detail::csv_quote(f) + " is out of range 0.." +
                             std::to_string(names.size() - 1) + " " + detail::csv_name_list(names));
          value = static_cast<S>(index);
        }
      } else {
        switch (detail::csv_parse(f, value)) {
          case detail::csv_number::ok: break;
          case detail::csv_number::not_a_number:
            throw data_error(at() + detail::csv_quote(f) + " is not a number" +
                             (names.empty() ? std::string() : " (class names go in the last column)"));
          case detail::csv_number::not_finite:
            throw data_error(at() + detail::csv_quote(f) +
                             " is not a finite number (NaN and infinity are not allowed)");
          case detail::csv_number::out_of_range:
            throw data_error(at() + detail::csv_quote(f) + " is out of the range of " + detail::csv_type_name<S>());
        }
      }
      (c < format.inputs ? xs : ys).push_back(value);
    }
    ++samples;
  }

  if (samples == 0)
    throw data_error(name + ":" + std::to_string(line_no + 1) + ": no data: " +
                     (first_line ? "the file is empty" : "the file has only a header"));

  dataset<S> data{xt::xtensor<S, 2>::from_shape({samples, format.inputs}),
                  xt::xtensor<S, 2>::from_shape({samples, format.targets})};
  std::copy(xs.begin(), xs.end(), data.x.begin());
  std::copy(ys.begin(), ys.end(), data.y.begin());
  return data;
}

/// Reads `file` into a data set: each non-blank line a sample; a header line, if any, is skipped.
template <class S = float>
  requires std::floating_point<S>
dataset<S> read_csv(const std::filesystem::path& file, const csv_format& format) {
  return parse_csv<S>(detail::csv_read_file(file), file.string(), format);
}

#ifdef CTGRAPH_INSTANCE
CTGRAPH_INSTANCE dataset<float> parse_csv<float>(std::string_view, const std::string&, const csv_format&);
CTGRAPH_INSTANCE dataset<double> parse_csv<double>(std::string_view, const std::string&, const csv_format&);
CTGRAPH_INSTANCE dataset<float> read_csv<float>(const std::filesystem::path&, const csv_format&);
CTGRAPH_INSTANCE dataset<double> read_csv<double>(const std::filesystem::path&, const csv_format&);
#endif

}  // namespace ctgraph
