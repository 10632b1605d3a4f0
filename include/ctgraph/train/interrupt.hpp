// Stopping a training run on Ctrl-C or a termination request without losing it.
// While a stop_on_signals exists, the first SIGINT or SIGTERM only sets a flag:
// fit() reads it after each step (one load, no allocation), finishes that step,
// writes its checkpoint if it has one, and throws fit_interrupted, so that the
// program can save and exit with 128 + the signal (130, 143). A second signal
// ends the process at once (_exit), touching no file: a temporary being written is removed, its
// target stays as it was.
#pragma once

#include <csignal>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "ctgraph/detail/atomic_file.hpp"

namespace ctgraph {

namespace detail {
inline volatile std::sig_atomic_t stop_signal = 0;

inline void on_stop_signal(int signal) {
  if (stop_signal != 0) {  // the second: at once, with async-signal-safe calls only
    if (pending_temp_set) ::unlink(pending_temp);  // a file being written: its temporary goes, the target stays
    ::_exit(128 + signal);
  }
  stop_signal = signal;
}
}  // namespace detail

/// Thrown by fit() when a signal asked it to stop: after a finished step, with the checkpoint (if any) written.
struct fit_interrupted : std::runtime_error {
  int signal;                       // SIGINT or SIGTERM
  std::filesystem::path checkpoint;  // written, or empty when fit had none
  fit_interrupted(const std::string& what, int sig, std::filesystem::path file)
      : std::runtime_error(what), signal(sig), checkpoint(std::move(file)) {}
};

/// "SIGINT", "SIGTERM": a signal's name for messages.
inline std::string signal_name(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal " + std::to_string(signal);
}

/// While it lives, SIGINT and SIGTERM ask fit() to stop after its current step instead of killing the process.
class stop_on_signals {
 public:
  stop_on_signals() {
    detail::stop_signal = 0;
    struct sigaction action {};
    action.sa_handler = &detail::on_stop_signal;
    // Each blocks the other while its handler runs: a second signal is then handled after the first, never
    // inside it, and sees the flag the first set.
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    action.sa_flags = SA_RESTART;  // a write in progress goes on; fit reads the flag
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  stop_on_signals(const stop_on_signals&) = delete;
  stop_on_signals& operator=(const stop_on_signals&) = delete;
  /// Puts the previous handlers back; a signal that came after fit() returned is forgotten (ask received() first).
  ~stop_on_signals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    detail::stop_signal = 0;
  }
  /// The signal received so far, or 0.
  static int received() { return detail::stop_signal; }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace ctgraph
