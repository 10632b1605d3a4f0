// Weights files: a model's parameters as a NumPy .npz archive, one array per
// parameter named as parameter_table() names it ("dense_1.kernel", kernels
// (in, out)), so that Python reads and writes them with np.load and np.savez,
// with no converter in between.
// Only what np.savez writes is read: an uncompressed zip of little-endian
// float32 or float64 .npy arrays in C order. Anything else is an error that
// names the file and the first problem, because a half-loaded file gives a
// model that is silently wrong. Loading changes the model only after the whole
// file has been read and checked; saving writes a temporary file in the same
// folder and renames it, so a failure never leaves a partial file behind.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include <fcntl.h>  // POSIX open, fsync and rename: what makes saving atomic
#include <unistd.h>

#include "ctgraph/detail/read_file.hpp"

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

inline constexpr std::array<std::uint32_t, 256> npz_crc_table = [] {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}();

/// The zip format's CRC-32 (IEEE 802.3, reflected), as zlib's crc32 computes it.
inline std::uint32_t npz_crc32(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) crc = npz_crc_table[(crc ^ static_cast<unsigned char>(c)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

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

/// A shape as numpy prints it: (20, 100), (20,), ().
inline std::string npz_shape_string(const std::vector<std::size_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

/// A name or text from a file as it goes into a message: bytes outside printable ASCII escaped, long ones cut.
inline std::string npz_printable(std::string_view text) {
  constexpr std::size_t max_shown = 80;
  std::string out;
  for (const char c : text.substr(0, max_shown)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return text.size() > max_shown ? out + "..." : out;
}

/// "int64 ('<i8')", "big-endian float64 ('>f8')": a dtype descr in words, for messages.
inline std::string npz_dtype_words(std::string_view descr) {
  const std::string quoted = "'" + npz_printable(descr) + "'";
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

struct npy_header {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
};

/// Parses a .npy header, a Python dict literal such as
/// {'descr': '<f4', 'fortran_order': False, 'shape': (20, 100), } padded with spaces.
/// Only the forms numpy writes are understood; returns "" or what is wrong.
inline std::string npz_parse_header(std::string_view s, npy_header& out) {
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
inline npz_array npz_parse_npy(std::string_view npy, const std::string& file, std::string_view raw) {
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

inline std::string npz_read_file(const std::filesystem::path& file) { return read_whole_file<weights_error>(file); }

/// Writes `bytes` to `file` through a temporary in the same folder: all of it or nothing.
inline void npz_write_atomically(const std::filesystem::path& file, std::string_view bytes) {
  const std::string name = file.string();
  std::error_code ec;
  if (file.filename().empty()) throw weights_error(name + ": cannot save: it names a folder, not a file");
  if (std::filesystem::is_directory(file, ec)) throw weights_error(name + ": cannot save: it is a directory");
  // The same folder, so that rename() stays on one file system and is atomic.
  const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::filesystem::path temp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    std::string hidden = ".";  // appended, not "." + string: GCC 12 warns falsely on that (-Wrestrict)
    hidden += file.filename().string();
    hidden += ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(attempt);
    temp = folder / hidden;
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt >= 1000))
      throw weights_error(name + ": cannot save: cannot create a temporary file in " + folder.string() + ": " +
                          std::generic_category().message(errno));
  }
  // Whatever fails, the temporary goes and the target stays as it was.
  auto failure = [&](const char* what) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    return weights_error(name + ": cannot save: " + what + " " + temp.string() + ": " +
                         std::generic_category().message(error));
  };
  for (std::size_t done = 0; done < bytes.size();) {
    const ::ssize_t n = ::write(fd, bytes.data() + done, std::min<std::size_t>(bytes.size() - done, 1 << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) throw failure("cannot write");
    done += std::size_t(n);
  }
  if (::fsync(fd) != 0) throw failure("cannot flush");
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) throw failure("cannot close");
  if (::rename(temp.c_str(), file.c_str()) != 0) throw failure("cannot rename to it");
  // Flush the folder too, so that the rename survives a crash; not every file system allows it.
  if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
}

/// The arrays of the archive `z`, the contents of the file `name`: read_npz without the file.
inline std::vector<npz_array> npz_parse(std::string_view z, const std::string& name) {
  const auto error = [&](const std::string& why) { return weights_error(name + ": " + why); };
  const std::uint64_t size = z.size();
  auto fits = [&](std::uint64_t at, std::uint64_t n) { return npz_fits(size, at, n); };
  auto le = [&](std::uint64_t at, unsigned n) { return npz_le(z, at, n); };

  if (z.empty()) throw error("is empty (0 bytes), not an .npz archive");
  if (z.starts_with("\x93NUMPY")) throw error("is a single .npy array (np.save), not an .npz archive (np.savez)");

  // The end-of-central-directory record: 22 bytes and a comment of up to 65535, searched from the end.
  std::uint64_t eocd = size;
  const std::uint64_t lowest = size > 22 + 0xFFFF ? size - 22 - 0xFFFF : 0;
  for (std::uint64_t at = size >= 22 ? size - 22 + 1 : 0; at-- > lowest;)
    if (le(at, 4) == 0x06054b50 && at + 22 + le(at + 20, 2) <= size) {
      eocd = at;
      break;
    }
  if (eocd == size) {
    if (z.starts_with("PK\x03\x04"))
      throw error("is truncated or corrupt: it starts as a zip archive but has no end-of-central-directory record");
    throw error("is not an .npz archive: it is not a zip file");
  }
  std::uint64_t disk = le(eocd + 4, 2), cd_disk = le(eocd + 6, 2), entries = le(eocd + 10, 2);
  std::uint64_t cd_size = le(eocd + 12, 4), cd_offset = le(eocd + 16, 4);
  // A zip64 locator just before it points to the zip64 record, whose 8-byte counts replace these.
  if (eocd >= 20 && le(eocd - 20, 4) == 0x07064b50) {
    const std::uint64_t at = le(eocd - 20 + 8, 8);
    if (!fits(at, 56) || le(at, 4) != 0x06064b50)
      throw error("is corrupt: its zip64 end-of-central-directory record is missing or lies outside the file");
    disk = le(at + 16, 4), cd_disk = le(at + 20, 4), entries = le(at + 32, 8);
    cd_size = le(at + 40, 8), cd_offset = le(at + 48, 8);
  }
  if (disk != 0 || cd_disk != 0) throw error("is a multi-part zip archive, which ctgraph does not read");
  if (!fits(cd_offset, cd_size))
    throw error("is truncated or corrupt: its central directory (" + std::to_string(cd_size) + " bytes at offset " +
                std::to_string(cd_offset) + ") lies outside the file (" + std::to_string(size) + " bytes)");
  if (entries > cd_size / 46)
    throw error("is corrupt: its central directory is too small for " + std::to_string(entries) + " entries");

  std::vector<npz_array> arrays;
  std::set<std::string> names;
  const std::uint64_t cd_end = cd_offset + cd_size;
  std::uint64_t at = cd_offset;
  for (std::uint64_t i = 0; i < entries; ++i) {
    const std::string entry = "central directory entry " + std::to_string(i + 1);
    if (!npz_fits(cd_end, at, 46) || le(at, 4) != 0x02014b50) throw error("is corrupt: its " + entry + " is damaged");
    const std::uint64_t flags = le(at + 8, 2), method = le(at + 10, 2), crc = le(at + 16, 4);
    std::uint64_t packed = le(at + 20, 4), unpacked = le(at + 24, 4), local = le(at + 42, 4);
    const std::uint64_t name_size = le(at + 28, 2), extra_size = le(at + 30, 2), comment_size = le(at + 32, 2);
    if (!npz_fits(cd_end, at + 46, name_size + extra_size + comment_size))
      throw error("is corrupt: its " + entry + " runs past the central directory");
    const std::string_view raw = z.substr(at + 46, name_size);
    const std::string member = npz_printable(raw);
    // Sizes and offsets of 0xFFFFFFFF are in the zip64 extra field (id 1), in this order.
    if (unpacked == 0xFFFFFFFF || packed == 0xFFFFFFFF || local == 0xFFFFFFFF) {
      const std::string_view extra = z.substr(at + 46 + name_size, extra_size);
      bool found = false;
      for (std::size_t e = 0; e + 4 <= extra.size() && !found;) {
        const std::size_t id = npz_le(extra, e, 2), length = npz_le(extra, e + 2, 2);
        if (length > extra.size() - e - 4) break;
        if (id == 1) {
          found = true;
          std::size_t field = e + 4;
          for (std::uint64_t* value : {&unpacked, &packed, &local}) {
            if (*value != 0xFFFFFFFF) continue;
            if (field + 8 > e + 4 + length) found = false;
            else *value = npz_le(extra, field, 8), field += 8;
          }
        }
        e += 4 + length;
      }
      if (!found) throw error("is corrupt: " + member + " lacks its zip64 sizes");
    }
    at += 46 + name_size + extra_size + comment_size;

    if (flags & 1) throw error(member + " is encrypted, which ctgraph does not read");
    if (method == 8)
      throw error(member + " is compressed (deflate, as np.savez_compressed writes); " +
                  "ctgraph reads uncompressed archives only: save with np.savez");
    if (method != 0)
      throw error(member + " is compressed (zip method " + std::to_string(method) +
                  "); ctgraph reads uncompressed archives only: save with np.savez");
    if (packed != unpacked) throw error("is corrupt: " + member + " is stored uncompressed but its two sizes differ");
    // The data follows the local header, whose name and extra field may differ in length from the central ones.
    if (!fits(local, 30) || le(local, 4) != 0x04034b50)
      throw error("is truncated or corrupt: the local header of " + member + " (offset " + std::to_string(local) +
                  ") is missing or lies outside the file");
    const std::uint64_t data = local + 30 + le(local + 26, 2) + le(local + 28, 2);
    if (!fits(data, unpacked))
      throw error("is truncated or corrupt: " + member + " (" + std::to_string(unpacked) + " bytes at offset " +
                  std::to_string(data) + ") runs past the end of the file (" + std::to_string(size) + " bytes)");
    if (z.substr(local + 30, le(local + 26, 2)) != raw)
      throw error("is corrupt: the names of " + member + " in its local header and the central directory differ");
    const std::string_view content = z.substr(data, unpacked);
    if (npz_crc32(content) != crc) throw error("is corrupt: " + member + " fails its CRC-32 check");
    if (!raw.ends_with(".npy") || raw.size() == 4)
      throw error(member + " is not a .npy array (np.savez names them NAME.npy)");
    arrays.push_back(npz_parse_npy(content, name, raw));
    if (!names.insert(arrays.back().name).second)
      throw error("holds two arrays named " + npz_printable(arrays.back().name));
  }
  return arrays;
}

}  // namespace detail

/// Reads every array of an .npz archive as np.savez writes it; a weights_error says why not.
inline std::vector<npz_array> read_npz(const std::filesystem::path& file) {
  return detail::npz_parse(detail::npz_read_file(file), file.string());
}

/// Writes `arrays` as an uncompressed .npz archive, as np.savez would: all of it, or nothing and a weights_error.
inline void write_npz(const std::filesystem::path& file, const std::vector<npz_array_view>& arrays) {
  const std::string name = file.string();
  std::set<std::string> names;
  for (const npz_array_view& a : arrays) {
    std::size_t count = 1;
    for (const std::size_t d : a.shape) count *= d;
    const std::size_t given = std::visit([](auto values) { return values.size(); }, a.values);
    if (a.name.empty() || !names.insert(a.name).second)
      throw std::invalid_argument("ctgraph: write_npz: array name \"" + a.name + "\" is empty or given twice");
    if (count != given)
      throw std::invalid_argument("ctgraph: write_npz: " + a.name + " has " + std::to_string(given) +
                                  " values, its shape " + detail::npz_shape_string(a.shape) + " holds " +
                                  std::to_string(count));
  }

  // A plain zip of stored members, dated 1980-01-01 as zipfile does without a clock, so that equal models
  // give equal files. numpy's own archives add zip64 fields, which readers need only past 4 GiB.
  constexpr std::uint64_t version = 20, dos_time = 0, dos_date = (0 << 9) | (1 << 5) | 1, limit = 0xFFFFFFFF;
  std::string zip, central;
  for (const npz_array_view& a : arrays) {
    const bool is_float = std::holds_alternative<std::span<const float>>(a.values);
    std::string dict = std::string("{'descr': '") + (is_float ? "<f4" : "<f8") +
                       "', 'fortran_order': False, 'shape': " + detail::npz_shape_string(a.shape) + ", }";
    // Spaces and a newline pad the header so that the data starts at a multiple of 64 bytes, as numpy does.
    dict.append(63 - (10 + dict.size()) % 64, ' ') += '\n';
    if (dict.size() > 0xFFFF) throw std::invalid_argument("ctgraph: write_npz: " + a.name + " has too many axes");
    std::string npy("\x93NUMPY\x01\x00", 8);
    detail::npz_put(npy, dict.size(), 2);
    npy += dict;
    std::visit(
        [&](auto values) {
          for (const auto v : values) {
            if constexpr (sizeof v == 4) detail::npz_put(npy, std::bit_cast<std::uint32_t>(v), 4);
            else detail::npz_put(npy, std::bit_cast<std::uint64_t>(v), 8);
          }
        },
        a.values);

    const std::string member = a.name + ".npy";
    const std::uint64_t crc = detail::npz_crc32(npy), offset = zip.size();
    // Bit 11: the name is UTF-8, which is all a name from a C++ string can sensibly be.
    const std::uint64_t flags = std::any_of(member.begin(), member.end(), [](char c) { return c & 0x80; }) ? 0x800 : 0;
    if (offset > limit || npy.size() >= limit || member.size() > 0xFFFF)
      throw weights_error(name + ": cannot save: the archive would pass 4 GiB, the limit of a plain zip");
    for (std::string* header : {&zip, &central}) {
      const bool local = header == &zip;
      detail::npz_put(*header, local ? 0x04034b50 : 0x02014b50, 4);
      if (!local) detail::npz_put(*header, (3 << 8) | version, 2);  // made by: Unix, so the permissions below count
      for (const std::uint64_t v : {version, flags, std::uint64_t(0), dos_time, dos_date})  // method 0: stored
        detail::npz_put(*header, v, 2);
      detail::npz_put(*header, crc, 4);
      detail::npz_put(*header, npy.size(), 4);
      detail::npz_put(*header, npy.size(), 4);
      detail::npz_put(*header, member.size(), 2);
      detail::npz_put(*header, 0, 2);  // no extra field
      if (!local) {
        for (int i = 0; i < 3; ++i) detail::npz_put(*header, 0, 2);  // comment, disk, internal attributes
        detail::npz_put(*header, std::uint64_t(0100644) << 16, 4);   // a regular file, rw-r--r--
        detail::npz_put(*header, offset, 4);
      }
      *header += member;
    }
    zip += npy;
  }
  if (arrays.size() > 0xFFFF || zip.size() + central.size() >= limit)
    throw weights_error(name + ": cannot save: more than 65535 arrays or 4 GiB, the limits of a plain zip");
  const std::uint64_t cd_offset = zip.size();
  zip += central;
  detail::npz_put(zip, 0x06054b50, 4);
  detail::npz_put(zip, 0, 4);  // this disk, the central directory's disk
  detail::npz_put(zip, arrays.size(), 2);
  detail::npz_put(zip, arrays.size(), 2);
  detail::npz_put(zip, central.size(), 4);
  detail::npz_put(zip, cd_offset, 4);
  detail::npz_put(zip, 0, 2);  // no comment
  detail::npz_write_atomically(file, zip);
}

/// Saves the model's parameters to `file` as an .npz archive that np.load reads; atomic.
template <class Model>
  requires requires(const Model& m) {
    Model::parameter_table();
    m.parameters();
  }
void save_weights(const Model& model, const std::filesystem::path& file) {
  using scalar = typename Model::scalar;
  const std::span<const scalar> parameters = model.parameters();
  std::vector<npz_array_view> views;
  for (const auto& p : Model::parameter_table())
    views.push_back({p.name, p.shape, parameters.subspan(p.offset, p.size)});
  write_npz(file, views);
}

/// Loads the parameters from `file` (np.savez's float32 or float64 arrays, named as parameter_table());
/// all of them, or none and a weights_error naming the first mismatch. The optimizer's state is untouched.
template <class Model>
  requires requires(Model& m) {
    Model::parameter_table();
    m.parameters();
  }
void load_weights(Model& model, const std::filesystem::path& file) {
  using scalar = typename Model::scalar;
  const std::string name = file.string();
  const std::vector<npz_array> arrays = read_npz(file);
  const auto table = Model::parameter_table();
  // Arrays named as no parameter: an extra array, or the old name of a renamed layer.
  std::string strangers;
  std::size_t stranger_count = 0;
  constexpr std::size_t max_listed = 10;
  for (const npz_array& a : arrays)
    if (std::ranges::none_of(table, [&](const auto& p) { return p.name == a.name; }) && ++stranger_count <= max_listed)
      strangers += (strangers.empty() ? "" : ", ") + detail::npz_printable(a.name);
  if (stranger_count > max_listed) strangers += ", ... (" + std::to_string(stranger_count) + " in all)";
  std::vector<scalar> loaded(model.parameters().size());  // the model changes only once all of it is good
  for (const auto& p : table) {
    const auto found = std::find_if(arrays.begin(), arrays.end(), [&](const npz_array& a) { return a.name == p.name; });
    if (found == arrays.end())
      throw weights_error(name + ": has no array " + p.name + ", the graph's parameter of shape " +
                          detail::npz_shape_string(p.shape) +
                          (strangers.empty() ? "" : "; its arrays that match no parameter: " + strangers));
    if (found->shape != p.shape)
      throw weights_error(name + ": " + p.name + " has shape " + detail::npz_shape_string(found->shape) +
                          " in the file, the graph's is " + detail::npz_shape_string(p.shape));
    for (std::size_t i = 0; i < p.size; ++i) {
      const double v = found->values[i];
      loaded[p.offset + i] = static_cast<scalar>(v);
      if (std::isfinite(v) && !std::isfinite(loaded[p.offset + i])) {
        char shown[32];
        std::snprintf(shown, sizeof shown, "%.9g", v);
        throw weights_error(name + ": " + p.name + " holds " + shown + ", out of the range of float");
      }
    }
  }
  if (!strangers.empty())
    throw weights_error(name + ": holds arrays that are not parameters of the graph: " + strangers);
  std::ranges::copy(loaded, model.parameters().begin());
}

}  // namespace ctgraph
