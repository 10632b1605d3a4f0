// A whole file into memory, or an Error naming it and why: what the CSV and .npz
// readers both start with.
#pragma once

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "ctgraph/detail/compiled.hpp"
#include "ctgraph/detail/error_thrower.hpp"

namespace ctgraph::detail {

/// The bytes of `file`; raise(a message naming it and why) if it cannot be read.
CTGRAPH_DECL std::string read_whole_file(const std::filesystem::path& file, error_thrower raise);

#if CTGRAPH_DEFINE_HERE
CTGRAPH_DECL std::string read_whole_file(const std::filesystem::path& file, error_thrower raise) {
  const std::string name = file.string();
  std::error_code ec;
  // fopen succeeds on a directory on Linux and only the read fails; say it plainly.
  if (std::filesystem::is_directory(file, ec)) raise(name + ": cannot read: it is a directory");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) raise(name + ": cannot open: " + std::generic_category().message(errno));
  std::string bytes;
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, in.get())) > 0) bytes.append(buffer, got);
  if (std::ferror(in.get())) raise(name + ": cannot read: " + std::generic_category().message(errno));
  return bytes;
}
#endif  // CTGRAPH_DEFINE_HERE

}  // namespace ctgraph::detail
