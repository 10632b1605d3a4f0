// The one way the library and its programs write a file: into a temporary in the
// target's folder, fsync, rename over the target, fsync the folder. A reader sees
// the old file or the whole new one, never part of one, even after a crash; a
// failure at any point removes the temporary and leaves the target as it was.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include "ctgraph/detail/compiled.hpp"
#include "ctgraph/detail/error_thrower.hpp"

namespace ctgraph::detail {

/// The temporary being written, for a signal handler that ends the process at once (train/interrupt.hpp)
/// to remove: a NUL-terminated path, valid while pending_temp_set is 1.
inline char pending_temp[4096] = {};
inline volatile std::sig_atomic_t pending_temp_set = 0;

/// A temporary beside `target`, renamed over it by commit(); gone if commit() is never reached.
/// Errors are thrown by raise(prefix + what went wrong).
class atomic_file {
 public:
  CTGRAPH_DECL atomic_file(const std::filesystem::path& target, std::string prefix,
                           error_thrower raise = throw_as<std::runtime_error>);
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;
  ~atomic_file() { discard(); }

  /// The temporary's descriptor, for a writer that wants one (PLplot's stream).
  int fd() const { return fd_; }

  CTGRAPH_DECL void write(std::string_view bytes);

  /// Flushes the temporary to the disk and renames it over the target.
  CTGRAPH_DECL void commit();

 private:
  [[noreturn]] CTGRAPH_DECL void fail(const std::string& why);
  [[noreturn]] CTGRAPH_DECL void fail_with_errno(const char* what);
  CTGRAPH_DECL void discard();
  void unregister() {
    if (registered_) pending_temp_set = 0;
    registered_ = false;
  }

  std::filesystem::path target_, folder_, path_;
  std::string prefix_;
  error_thrower raise_;
  int fd_ = -1;
  bool committed_ = false, registered_ = false;
};

/// Writes `bytes` to `file` atomically; raise(prefix + why) if it cannot.
CTGRAPH_DECL void write_atomically(const std::filesystem::path& file, std::string_view bytes, std::string prefix,
                                   error_thrower raise = throw_as<std::runtime_error>);

#if CTGRAPH_DEFINE_HERE
CTGRAPH_DECL atomic_file::atomic_file(const std::filesystem::path& target, std::string prefix, error_thrower raise)
    : target_(target), prefix_(std::move(prefix)), raise_(raise) {
  std::error_code ec;
  if (target.filename().empty()) fail("it names a folder, not a file");
  if (std::filesystem::is_directory(target, ec)) fail("it is a directory");
  // The same folder, so that rename() stays on one file system and is atomic.
  folder_ = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; fd_ < 0; ++attempt) {
    std::string hidden = ".";  // appended, not "." + string: GCC 12 warns falsely on that (-Wrestrict)
    hidden += target.filename().string();
    hidden += ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    path_ = folder_ / hidden;
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && (errno != EEXIST || attempt >= 1000))
      fail("cannot create a temporary file in " + folder_.string() + ": " + std::generic_category().message(errno));
  }
  if (path_.native().size() < sizeof pending_temp && pending_temp_set == 0) {
    std::copy_n(path_.c_str(), path_.native().size() + 1, pending_temp);
    pending_temp_set = 1;
    registered_ = true;
  }
}

CTGRAPH_DECL void atomic_file::write(std::string_view bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    const ::ssize_t n = ::write(fd_, bytes.data() + done, std::min<std::size_t>(bytes.size() - done, 1 << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) fail_with_errno("cannot write");
    done += std::size_t(n);
  }
}

CTGRAPH_DECL void atomic_file::commit() {
  if (::fsync(fd_) != 0) fail_with_errno("cannot flush");
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) fail_with_errno("cannot close");
  if (::rename(path_.c_str(), target_.c_str()) != 0) fail_with_errno("cannot rename to it");
  committed_ = true;
  unregister();
  // Flush the folder too, so that the rename survives a crash; not every file system allows it.
  if (const int dir = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
}

CTGRAPH_DECL void atomic_file::fail(const std::string& why) {
  discard();
  raise_(prefix_ + why);
  std::terminate();  // raise_ throws; a thrower that returned would leave nothing sound to go on with
}

CTGRAPH_DECL void atomic_file::fail_with_errno(const char* what) {
  const int error = errno;
  fail(std::string(what) + " " + path_.string() + ": " + std::generic_category().message(error));
}

CTGRAPH_DECL void atomic_file::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!committed_ && !path_.empty()) ::unlink(path_.c_str());
  path_.clear();
  unregister();
}

CTGRAPH_DECL void write_atomically(const std::filesystem::path& file, std::string_view bytes, std::string prefix,
                                   error_thrower raise) {
  atomic_file out(file, std::move(prefix), raise);
  out.write(bytes);
  out.commit();
}
#endif  // CTGRAPH_DEFINE_HERE

}  // namespace ctgraph::detail
