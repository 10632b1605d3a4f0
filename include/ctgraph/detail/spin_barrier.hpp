// A barrier for a few threads that meet every few microseconds (the phases of a threaded
// training step): waiting spins first, since the others are usually a fraction of a microsecond
// away, then yields, then sleeps on the atomic (C++20 wait/notify) so that threads parked between
// epochs or on an oversubscribed machine do not hold a core. No allocation, no lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ctgraph::detail {

inline void cpu_relax() {
#if defined(__SSE2__)
  _mm_pause();
#endif
}

class spin_barrier {
 public:
  explicit spin_barrier(std::size_t threads) : threads_(threads) {}
  spin_barrier(const spin_barrier&) = delete;
  spin_barrier& operator=(const spin_barrier&) = delete;

  /// Returns when all `threads` have arrived. What each wrote before arriving is visible to every
  /// one after (the last arrival's release of the phase, acquired by the waiters).
  void arrive_and_wait() {
    const std::uint32_t phase = phase_.load(std::memory_order_relaxed);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == threads_) {
      arrived_.store(0, std::memory_order_relaxed);
      phase_.store(phase + 1, std::memory_order_seq_cst);  // seq_cst: ordered before the read of sleepers_
      if (sleepers_.load(std::memory_order_seq_cst) != 0) phase_.notify_all();
      return;
    }
    std::size_t spin = 0;
    auto start = clock::time_point{};
    while (phase_.load(std::memory_order_acquire) == phase) {
      if (++spin < spins) {
        cpu_relax();
        continue;
      }
      // Then yield: the waiter leaves the core's units to whatever shares it (on a virtual
      // machine two vCPUs may be one core's two hardware threads).
      if (spin == spins) start = clock::now();
      if (spin % 64 != 0 || clock::now() - start < yield_for) {
        std::this_thread::yield();
      } else {
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        phase_.wait(phase, std::memory_order_seq_cst);
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
      }
    }
  }

 private:
  using clock = std::chrono::steady_clock;
  // Measured on a 2-core Zen 1 KVM guest, golden_feature's step on 2 threads against one: 1.6x
  // with 2000 pauses then yields; 1.0x spinning on pauses alone (the spinner slows the thread it
  // waits for); 1.0x sleeping after ~20 us (a wake-up costs tens of microseconds there). A thread
  // still waiting after 2 ms of yields is parked (between epochs, or more threads than cores)
  // and sleeps.
  static constexpr std::size_t spins = 2000;
  static constexpr auto yield_for = std::chrono::milliseconds(2);

  const std::size_t threads_;
  alignas(64) std::atomic<std::size_t> arrived_{0};
  alignas(64) std::atomic<std::uint32_t> phase_{0};
  std::atomic<std::uint32_t> sleepers_{0};
};

}  // namespace ctgraph::detail
