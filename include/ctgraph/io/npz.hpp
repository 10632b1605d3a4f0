// .npz archives, as np.savez and np.savez_compressed write them: a zip of .npy
// members (npy.hpp), stored or deflate-compressed. libzip does the container;
// here is what an archive must hold to be weights, and what to say when it does
// not: every error names the file and the first problem. Writing is np.savez's
// form (stored members), dated 1980-01-01 so that equal arrays give equal
// files, and lands atomically (detail/atomic_file.hpp).
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ctgraph/detail/atomic_file.hpp"
#include "ctgraph/detail/compiled.hpp"
#include "ctgraph/detail/read_file.hpp"
#include "ctgraph/io/npy.hpp"

namespace ctgraph {

namespace detail {

/// The arrays of the archive `z`, the contents of the file `name`: read_npz without the file.
CTGRAPH_DECL std::vector<npz_array> npz_parse(std::string_view z, const std::string& name);
/// The bytes of an archive of `members` (name, .npy bytes), stored, as np.savez writes it.
CTGRAPH_DECL std::string npz_zip(const std::vector<std::pair<std::string, std::string>>& members,
                                 const std::string& name);

}  // namespace detail

/// Reads every array of an .npz archive as np.savez or np.savez_compressed writes it; a weights_error says why not.
CTGRAPH_DECL std::vector<npz_array> read_npz(const std::filesystem::path& file);
/// Writes `arrays` as an uncompressed .npz archive, as np.savez would: all of it, or nothing and a weights_error.
CTGRAPH_DECL void write_npz(const std::filesystem::path& file, const std::vector<npz_array_view>& arrays);

}  // namespace ctgraph

#if CTGRAPH_DEFINE_HERE
#include <zip.h>

namespace ctgraph {

namespace detail {

/// Why libzip finds no archive in `z`, when the end record says so: its central directory's place
/// and size, which libzip checks but does not report. "" when the record looks sound.
CTGRAPH_DECL std::string npz_directory_problem(std::string_view z) {
  const std::uint64_t size = z.size();
  const std::uint64_t lowest = size > 22 + 0xFFFF ? size - 22 - 0xFFFF : 0;
  for (std::uint64_t at = size >= 22 ? size - 22 + 1 : 0; at-- > lowest;) {
    if (npz_le(z, at, 4) != 0x06054b50 || at + 22 + npz_le(z, at + 20, 2) > size) continue;
    const std::uint64_t entries = npz_le(z, at + 10, 2), cd_size = npz_le(z, at + 12, 4);
    const std::uint64_t cd_offset = npz_le(z, at + 16, 4);
    if (cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) return "";  // zip64: its own record has the numbers
    if (!npz_fits(size, cd_offset, cd_size))
      return "is truncated or corrupt: its central directory (" + std::to_string(cd_size) + " bytes at offset " +
             std::to_string(cd_offset) + ") lies outside the file (" + std::to_string(size) + " bytes)";
    if (entries > cd_size / 46)
      return "is corrupt: its central directory is too small for " + std::to_string(entries) + " entries";
    return "";
  }
  return "";
}

/// What libzip's refusal `code` means for a weights file, in the words of this library.
CTGRAPH_DECL std::string npz_zip_problem(int code, std::string_view bytes, const zip_error_t* error) {
  if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS)
    if (std::string why = npz_directory_problem(bytes); !why.empty()) return why;
  switch (code) {
    case ZIP_ER_NOZIP:
      if (bytes.starts_with("PK\x03\x04"))
        return "is truncated or corrupt: it starts as a zip archive but has no end-of-central-directory record";
      return "is not an .npz archive: it is not a zip file";
    case ZIP_ER_MULTIDISK: return "is a multi-part zip archive, which ctgraph does not read";
    case ZIP_ER_INCONS:
      return "is truncated or corrupt: its central directory and its local headers do not match the file";
    case ZIP_ER_EOF:
    case ZIP_ER_READ:
    case ZIP_ER_SEEK: return "is truncated or corrupt: a member runs past the end of the file";
    case ZIP_ER_EXISTS: return "holds two members of the same name";
    case ZIP_ER_MEMORY: return "cannot be read: out of memory";
    default:
      return std::string("is corrupt (libzip: ") +
             (error ? zip_error_strerror(const_cast<zip_error_t*>(error)) : "error " + std::to_string(code)) + ")";
  }
}

struct zip_closer {
  void operator()(zip_t* z) const { zip_discard(z); }
  void operator()(zip_file_t* f) const { zip_fclose(f); }
  void operator()(zip_source_t* s) const { zip_source_free(s); }
  void operator()(zip_error_t* e) const { zip_error_fini(e); }
};

/// The arrays of the archive `z`, the contents of the file `name`: read_npz without the file.
CTGRAPH_DECL std::vector<npz_array> npz_parse(std::string_view z, const std::string& name) {
  const auto error = [&](const std::string& why) { return weights_error(name + ": " + why); };
  if (z.empty()) throw error("is empty (0 bytes), not an .npz archive");
  if (z.starts_with("\x93NUMPY")) throw error("is a single .npy array (np.save), not an .npz archive (np.savez)");

  zip_error_t open_error;
  zip_error_init(&open_error);
  const std::unique_ptr<zip_error_t, zip_closer> open_error_guard(&open_error);
  std::unique_ptr<zip_source_t, zip_closer> source(zip_source_buffer_create(z.data(), z.size(), 0, &open_error));
  if (!source) throw error(npz_zip_problem(zip_error_code_zip(&open_error), z, &open_error));
  // Without ZIP_CHECKCONS, whose one word (inconsistent) would replace the messages below that name the member.
  const std::unique_ptr<zip_t, zip_closer> archive(zip_open_from_source(source.get(), ZIP_RDONLY, &open_error));
  if (!archive) throw error(npz_zip_problem(zip_error_code_zip(&open_error), z, &open_error));
  (void)source.release();  // the archive owns it now

  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  std::vector<npz_array> arrays;
  std::set<std::string> names;
  for (zip_int64_t i = 0; i < entries; ++i) {
    const auto index = zip_uint64_t(i);
    const char* raw_name = zip_get_name(archive.get(), index, ZIP_FL_ENC_RAW);
    if (!raw_name) throw error("is corrupt: its central directory entry " + std::to_string(i + 1) + " is damaged");
    const std::string raw = raw_name;
    const std::string member = npz_printable(raw);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive.get(), index, ZIP_FL_ENC_RAW, &st) != 0)
      throw error("is corrupt: its central directory entry " + std::to_string(i + 1) + " is damaged");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      throw error(member + " is encrypted, which ctgraph does not read");
    if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)
      throw error(member + " is compressed (zip method " + std::to_string(st.comp_method) +
                  "); ctgraph reads stored and deflate members, as np.savez and np.savez_compressed write them");
    if (st.comp_method == ZIP_CM_STORE && st.comp_size != st.size)
      throw error("is corrupt: " + member + " is stored uncompressed but its two sizes differ");
    // Deflate shrinks at most about 1032 to 1: a larger claim is a damaged or hostile file, not one to allocate for.
    if (st.size > 1032 * st.comp_size + 1024)
      throw error("is corrupt: " + member + " claims " + std::to_string(st.size) + " bytes from " +
                  std::to_string(st.comp_size) + " compressed");
    if (!raw.ends_with(".npy") || raw.size() == 4)
      throw error(member + " is not a .npy array (np.savez names them NAME.npy)");

    const std::unique_ptr<zip_file_t, zip_closer> file(zip_fopen_index(archive.get(), index, 0));
    if (!file) {
      const int code = zip_error_code_zip(zip_get_error(archive.get()));
      if (code == ZIP_ER_ENCRNOTSUPP || code == ZIP_ER_NOPASSWD)
        throw error(member + " is encrypted, which ctgraph does not read");
      // Opening a member reads its local header: what fails here is that header or its place.
      throw error("is truncated or corrupt: the local header of " + member + " is missing or lies outside the file (libzip: " +
                  zip_error_strerror(zip_get_error(archive.get())) + ")");
    }
    std::string content;
    char chunk[1 << 14];
    for (;;) {
      const zip_int64_t got = zip_fread(file.get(), chunk, sizeof chunk);
      if (got < 0) {
        const zip_error_t* e = zip_file_get_error(file.get());
        const int code = zip_error_code_zip(e);
        if (code == ZIP_ER_CRC) throw error("is corrupt: " + member + " fails its CRC-32 check");
        if (code == ZIP_ER_ZLIB || code == ZIP_ER_COMPRESSED_DATA)
          throw error("is corrupt: " + member + "'s compressed data cannot be inflated");
        throw error(npz_zip_problem(code, z, e) + " (at " + member + ")");
      }
      if (got == 0) break;
      if (content.size() + zip_uint64_t(got) > st.size)
        throw error("is corrupt: " + member + " holds more than the " + std::to_string(st.size) + " bytes it declares");
      content.append(chunk, std::size_t(got));
    }
    if (content.size() != st.size)
      throw error("is truncated or corrupt: " + member + " holds " + std::to_string(content.size()) + " of its " +
                  std::to_string(st.size) + " bytes");
    arrays.push_back(npz_parse_npy(content, name, raw));
    if (!names.insert(arrays.back().name).second)
      throw error("holds two arrays named " + npz_printable(arrays.back().name));
  }
  return arrays;
}

/// The bytes of an archive of `members` (name, .npy bytes), stored, as np.savez writes it.
CTGRAPH_DECL std::string npz_zip(const std::vector<std::pair<std::string, std::string>>& members, const std::string& name) {
  const auto fail = [&](const std::string& what, const zip_error_t* e) {
    return weights_error(name + ": cannot save: " + what + " (libzip: " +
                         zip_error_strerror(const_cast<zip_error_t*>(e)) + ")");
  };
  zip_error_t error;
  zip_error_init(&error);
  const std::unique_ptr<zip_error_t, zip_closer> error_guard(&error);
  const std::unique_ptr<zip_source_t, zip_closer> buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) throw fail("cannot make a zip in memory", &error);
  zip_source_keep(buffer.get());  // outlives the archive: it holds the bytes written
  std::unique_ptr<zip_t, zip_closer> archive(zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error));
  if (!archive) {
    zip_source_free(buffer.get());  // the reference the failed open did not take
    throw fail("cannot make a zip in memory", &error);
  }
  // libzip turns the time into the DOS date of the local time zone: midnight, 1 January 1980, as zipfile does.
  std::tm epoch{};
  epoch.tm_year = 80, epoch.tm_mday = 1, epoch.tm_isdst = -1;
  const std::time_t dos_epoch = std::mktime(&epoch);
  for (const auto& [member, bytes] : members) {
    zip_source_t* data = zip_source_buffer(archive.get(), bytes.data(), bytes.size(), 0);
    const zip_int64_t index =
        data ? zip_file_add(archive.get(), member.c_str(), data, ZIP_FL_ENC_UTF_8) : zip_int64_t(-1);
    if (index < 0) {
      if (data) zip_source_free(data);
      throw fail("cannot add " + member, zip_get_error(archive.get()));
    }
    const auto at = zip_uint64_t(index);
    if (zip_set_file_compression(archive.get(), at, ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_mtime(archive.get(), at, dos_epoch, 0) != 0 ||
        zip_file_set_external_attributes(archive.get(), at, 0, ZIP_OPSYS_UNIX, std::uint32_t(0100644) << 16) != 0)
      throw fail("cannot add " + member, zip_get_error(archive.get()));
  }
  if (zip_close(archive.get()) != 0) throw fail("cannot write the archive", zip_get_error(archive.get()));
  (void)archive.release();  // zip_close freed it

  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(buffer.get(), &st) != 0 || zip_source_open(buffer.get()) != 0)
    throw fail("cannot read the archive back", zip_source_error(buffer.get()));
  std::string out(st.size, '\0');
  const zip_int64_t got = zip_source_read(buffer.get(), out.data(), out.size());
  zip_source_close(buffer.get());
  if (got != zip_int64_t(out.size())) throw fail("cannot read the archive back", zip_source_error(buffer.get()));
  return out;
}

}  // namespace detail

/// Reads every array of an .npz archive as np.savez or np.savez_compressed writes it; a weights_error says why not.
CTGRAPH_DECL std::vector<npz_array> read_npz(const std::filesystem::path& file) {
  return detail::npz_parse(detail::read_whole_file(file, detail::throw_as<weights_error>), file.string());
}

/// Writes `arrays` as an uncompressed .npz archive, as np.savez would: all of it, or nothing and a weights_error.
CTGRAPH_DECL void write_npz(const std::filesystem::path& file, const std::vector<npz_array_view>& arrays) {
  const std::string name = file.string();
  std::set<std::string> names;
  std::vector<std::pair<std::string, std::string>> members;
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
    members.emplace_back(a.name + ".npy", detail::npy_bytes(a));
  }
  detail::write_atomically(file, detail::npz_zip(members, name), name + ": cannot save: ", detail::throw_as<weights_error>);
}

}  // namespace ctgraph
#endif  // CTGRAPH_DEFINE_HERE
