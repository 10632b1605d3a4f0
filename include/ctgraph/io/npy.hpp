// .npy arrays, the members of an .npz archive: numpy's header (a Python dict
// literal), little-endian float32 or float64 values in C order. Parsing checks
// everything a file could get wrong and says what, naming the file and member;
// writing produces the bytes np.save would.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ctgraph/detail/compiled.hpp"
#include "ctgraph/detail/escaped_text.hpp"

namespace ctgraph {

/// Thrown for any problem with a weights file; what() starts with the file name.
struct weights_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One array read from an .npz archive, values converted to double (exact for float32).
struct npz_array {
  std::string name;                // the member's name without ".npy"
  std::vector<std::size_t> shape;  // () for a scalar
  std::vector<double> values;      // C order
  std::string descr;               // as stored: "<f4" or "<f8"
};

/// One array to write: float values are stored as '<f4', double as '<f8'.
struct npz_array_view {
  std::string name;
  std::vector<std::size_t> shape;
  std::variant<std::span<const float>, std::span<const double>> values;
};

namespace detail {

/// `n` little-endian bytes at `at`; the caller has checked the bounds.
inline std::uint64_t npz_le(std::string_view bytes, std::uint64_t at, unsigned n) {
  std::uint64_t value = 0;
  for (unsigned i = n; i-- > 0;) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

inline void npz_put(std::string& out, std::uint64_t value, unsigned n) {
  for (unsigned i = 0; i < n; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

/// Whether [at, at + n) lies inside [0, size), written so that nothing overflows.
inline bool npz_fits(std::uint64_t size, std::uint64_t at, std::uint64_t n) { return at <= size && n <= size - at; }

struct npy_header {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
};

/// A shape as numpy prints it: (20, 100), (20,), ().
CTGRAPH_DECL std::string npz_shape_string(const std::vector<std::size_t>& shape);
/// A name or text from a file as it goes into a message: bytes outside printable ASCII escaped, long ones cut.
CTGRAPH_DECL std::string npz_printable(std::string_view text);
/// "int64 ('<i8')", "big-endian float64 ('>f8')": a dtype descr in words, for messages.
CTGRAPH_DECL std::string npz_dtype_words(std::string_view descr);
/// Parses a .npy header (a Python dict literal); returns "" or what is wrong.
CTGRAPH_DECL std::string npz_parse_header(std::string_view s, npy_header& out);
/// One .npy member of `file`, named `raw` in the archive: checks its header and converts its values.
CTGRAPH_DECL npz_array npz_parse_npy(std::string_view npy, const std::string& file, std::string_view raw);
/// The bytes np.save writes for `a`: a 1.0 header padded so that the data starts at a multiple of 64.
CTGRAPH_DECL std::string npy_bytes(const npz_array_view& a);

#if CTGRAPH_DEFINE_HERE
CTGRAPH_DECL std::string npz_shape_string(const std::vector<std::size_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

CTGRAPH_DECL std::string npz_printable(std::string_view text) {
  return escaped_text(text, 80, [](unsigned char u) { return u < 0x20 || u >= 0x7f; });
}

/// "int64 ('<i8')", "big-endian float64 ('>f8')": a dtype descr in words, for messages.
CTGRAPH_DECL std::string npz_dtype_words(std::string_view descr) {
  // Appended, not "'" + string: g++ 12 warned of an impossible memcpy bound in that operator+'s
  // insert (-Wstringop-overflow, a false positive) once the inliner took it in iris_qkv_test.
  std::string quoted = "'";
  quoted += npz_printable(descr);
  quoted += '\'';
  if (descr.size() < 3 || descr.size() > 4 || descr.find_first_not_of("0123456789", 2) != std::string_view::npos)
    return quoted;
  const std::string bits = std::to_string(8 * std::stoi(std::string(descr.substr(2))));
  std::string kind;
  switch (descr[1]) {
    case 'b': kind = "bool"; break;
    case 'i': kind = "int" + bits; break;
    case 'u': kind = "uint" + bits; break;
    case 'f': kind = "float" + bits; break;
    case 'c': kind = "complex" + bits; break;
    default: return quoted;
  }
  return (descr[0] == '>' ? "big-endian " : "") + kind + " (" + quoted + ")";
}

/// Parses a .npy header, a Python dict literal such as
/// {'descr': '<f4', 'fortran_order': False, 'shape': (20, 100), } padded with spaces.
/// Only the forms numpy writes are understood; returns "" or what is wrong.
CTGRAPH_DECL std::string npz_parse_header(std::string_view s, npy_header& out) {
  std::size_t at = 0;
  auto skip_space = [&] {
    while (at < s.size() && (s[at] == ' ' || s[at] == '\t' || s[at] == '\n' || s[at] == '\r')) ++at;
  };
  auto take = [&](char c) {
    skip_space();
    if (at < s.size() && s[at] == c) return ++at, true;
    return false;
  };
  auto string_literal = [&](std::string& text) {
    skip_space();
    if (at >= s.size() || (s[at] != '\'' && s[at] != '"')) return false;
    const char quote = s[at++];
    const std::size_t end = s.find(quote, at);
    if (end == std::string_view::npos || s.substr(at, end - at).find('\\') != std::string_view::npos) return false;
    text = s.substr(at, end - at);
    at = end + 1;
    return true;
  };
  if (!take('{')) return "its header is not a dict";
  std::set<std::string> seen;
  while (!take('}')) {
    std::string key;
    if (!string_literal(key) || !take(':')) return "its header cannot be parsed";
    if (!seen.insert(key).second) return "its header has '" + npz_printable(key) + "' twice";
    skip_space();
    if (key == "descr") {
      if (at < s.size() && s[at] == '[') return "it has a structured dtype; ctgraph reads float32 or float64 arrays";
      if (!string_literal(out.descr)) return "its header's descr cannot be parsed";
    } else if (key == "fortran_order") {
      if (s.substr(at).starts_with("True")) out.fortran_order = true, at += 4;
      else if (s.substr(at).starts_with("False")) out.fortran_order = false, at += 5;
      else return "its header's fortran_order is not True or False";
    } else if (key == "shape") {
      if (!take('(')) return "its header's shape is not a tuple";
      out.shape.clear();
      while (!take(')')) {
        skip_space();
        if (at >= s.size() || s[at] < '0' || s[at] > '9') return "its header's shape is not a tuple of sizes";
        std::size_t dim = 0;
        for (; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at) {
          if (dim > (std::numeric_limits<std::size_t>::max() - 9) / 10) return "its header's shape is too large";
          dim = 10 * dim + std::size_t(s[at] - '0');
        }
        if (at < s.size() && s[at] == 'L') ++at;  // Python 2's long, as old writers left it
        out.shape.push_back(dim);
        if (!take(',') && !(skip_space(), at < s.size() && s[at] == ')')) return "its header's shape cannot be parsed";
      }
    } else {
      return "its header has an unknown key '" + npz_printable(key) + "'";
    }
    if (!take(',') && !(skip_space(), at < s.size() && s[at] == '}')) return "its header cannot be parsed";
  }
  skip_space();
  if (at != s.size()) return "its header has text after the dict";
  if (seen.size() != 3) return "its header lacks descr, fortran_order or shape";
  return "";
}

/// One .npy member of `file`, named `raw` in the archive: checks its header and converts its values.
CTGRAPH_DECL npz_array npz_parse_npy(std::string_view npy, const std::string& file, std::string_view raw) {
  const std::string member = npz_printable(raw);
  const auto error = [&](const std::string& why) { return weights_error(file + ": " + why); };
  if (npy.size() < 10 || !npy.starts_with("\x93NUMPY"))
    throw error(member + " is not a .npy array (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(npy[6]), minor = static_cast<unsigned char>(npy[7]);
  // 1.0 has a 2-byte header length; 2.0 and 3.0 (UTF-8 header) a 4-byte one.
  std::uint64_t length = 0, start = 0;
  if (major == 1 && minor == 0) length = npz_le(npy, 8, 2), start = 10;
  else if ((major == 2 || major == 3) && minor == 0 && npy.size() >= 12) length = npz_le(npy, 8, 4), start = 12;
  else throw error(member + " has .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   "; ctgraph reads 1.0, 2.0 and 3.0");
  if (!npz_fits(npy.size(), start, length)) throw error(member + " is truncated: its .npy header runs past its end");

  npy_header header;
  if (const std::string why = npz_parse_header(npy.substr(start, length), header); !why.empty())
    throw error(member + ": " + why);
  std::size_t item = 0;
  if (header.descr == "<f4") item = 4;
  else if (header.descr == "<f8") item = 8;
  else if (header.descr.size() > 1 && header.descr[0] == '>')
    throw error(member + " has dtype " + npz_dtype_words(header.descr) +
                "; ctgraph reads little-endian float32 ('<f4') or float64 ('<f8'): save a.astype('<f8')");
  else
    throw error(member + " has dtype " + npz_dtype_words(header.descr) +
                "; ctgraph reads float32 ('<f4') or float64 ('<f8')");
  // Order matters only when two axes have more than one element; numpy writes False then anyway.
  if (header.fortran_order && std::ranges::count_if(header.shape, [](std::size_t d) { return d > 1; }) > 1)
    throw error(member + " is stored in Fortran order (fortran_order: True); ctgraph reads C order: "
                "save np.ascontiguousarray(a)");

  const std::string_view data = npy.substr(start + length);
  std::size_t count = 1;
  for (const std::size_t d : header.shape)
    count = (d != 0 && count > data.size() / d) ? data.size() + 1 : count * d;  // too many is all that matters
  if (count > data.size() / item || count * item != data.size())
    throw error(member + " holds " + std::to_string(data.size()) + " bytes of data, but shape " +
                npz_shape_string(header.shape) + " of '" + header.descr + "' needs " +
                (count > data.size() / item ? "more" : std::to_string(count * item)));

  npz_array array{std::string(raw.substr(0, raw.size() - 4)), header.shape, std::vector<double>(count), header.descr};
  for (std::size_t i = 0; i < count; ++i)
    array.values[i] = item == 4 ? double(std::bit_cast<float>(std::uint32_t(npz_le(data, 4 * i, 4))))
                                : std::bit_cast<double>(npz_le(data, 8 * i, 8));
  return array;
}

/// The bytes np.save writes for `a`: a 1.0 header padded so that the data starts at a multiple of 64.
CTGRAPH_DECL std::string npy_bytes(const npz_array_view& a) {
  const bool is_float = std::holds_alternative<std::span<const float>>(a.values);
  std::string dict = std::string("{'descr': '") + (is_float ? "<f4" : "<f8") +
                     "', 'fortran_order': False, 'shape': " + npz_shape_string(a.shape) + ", }";
  dict.append(63 - (10 + dict.size()) % 64, ' ') += '\n';
  if (dict.size() > 0xFFFF) throw std::invalid_argument("ctgraph: write_npz: " + a.name + " has too many axes");
  std::string npy("\x93NUMPY\x01\x00", 8);
  npz_put(npy, dict.size(), 2);
  npy += dict;
  std::visit(
      [&](auto values) {
        for (const auto v : values) {
          if constexpr (sizeof v == 4) npz_put(npy, std::bit_cast<std::uint32_t>(v), 4);
          else npz_put(npy, std::bit_cast<std::uint64_t>(v), 8);
        }
      },
      a.values);
  return npy;
}
#endif  // CTGRAPH_DEFINE_HERE

}  // namespace detail

}  // namespace ctgraph
