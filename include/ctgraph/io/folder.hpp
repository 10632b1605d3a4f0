// An output folder made ready before any work is done: a program that will write
// its results, charts or weights there finds out now, not after training.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include <unistd.h>

namespace ctgraph {

/// Creates the folder (and parents) or throws std::runtime_error naming it and why (e.g. not writable, a file in the way).
inline void ensure_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (!ec && !std::filesystem::is_directory(folder, ec)) ec = std::make_error_code(std::errc::not_a_directory);
  if (!ec && ::access(folder.c_str(), W_OK | X_OK) != 0) ec = std::error_code(errno, std::generic_category());
  if (ec) throw std::runtime_error("ctgraph: cannot use folder '" + folder.string() + "': " + ec.message());
}

}  // namespace ctgraph
