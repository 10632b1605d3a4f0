// A whole file into memory, or an Error naming it and why: what the CSV and .npz
// readers both start with.
#pragma once

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

namespace ctgraph::detail {

template <class Error>
std::string read_whole_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  // fopen succeeds on a directory on Linux and only the read fails; say it plainly.
  if (std::filesystem::is_directory(file, ec)) throw Error(name + ": cannot read: it is a directory");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) throw Error(name + ": cannot open: " + std::generic_category().message(errno));
  std::string bytes;
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, in.get())) > 0) bytes.append(buffer, got);
  if (std::ferror(in.get())) throw Error(name + ": cannot read: " + std::generic_category().message(errno));
  return bytes;
}

}  // namespace ctgraph::detail
