// The machine's ceiling for one thread, two ways, in GFLOP/s:
//   fma_peak_gflops   the FMA throughput of one core: independent chains of fused
//                     multiply-adds on the widest float vectors this build targets
//                     (-march=native), as many chains as it takes to hide the FMA
//                     latency on every FMA port. This is the ceiling compare uses.
//   sgemm_gflops      OpenBLAS' single-thread sgemm at 1024^3 (what a good library
//                     reaches on a large product; printed beside, for reference).
// and, with two cores or more, what a threaded step pays to share a cache line:
//   core_to_core_ns   one way of a ping-pong of one cache line between two threads (median of
//                     5 runs). A virtual machine's two vCPUs may sit on one core complex (tens of
//                     ns) or two (about 165 ns on this project's Zen 4 guest), and the host moves
//                     them: fit's --threads speed follows (README, Speed).
// Each is the best of several runs; run 0 warms up (clock ramp, page faults). Time is the
// thread's CPU time, so that a busy machine (other processes on the core) reads the same.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>
#include <vector>

#include <cblas.h>

extern "C" void openblas_set_num_threads(int);

namespace {

#if defined(__AVX512F__)
constexpr int lanes = 16;
constexpr const char* vector_isa = "AVX-512";
#elif defined(__AVX__)
constexpr int lanes = 8;
constexpr const char* vector_isa = "AVX";
#else
constexpr int lanes = 4;
constexpr const char* vector_isa = "SSE";
#endif
typedef float vec __attribute__((vector_size(lanes * sizeof(float))));

// 2 FMA ports x 4 cycles of latency need 8 chains in flight; 16 leave room for either to be larger.
constexpr int chains = 16;

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

/// Runs `iterations` rounds of `chains` independent FMAs; returns a value that depends on all of them.
__attribute__((noinline)) float fma_chains(long iterations, float seed) {
  vec acc[chains];
  for (int c = 0; c < chains; ++c) acc[c] = vec{} + seed * float(c + 1);
  const vec mul = vec{} + 0.999999f, add = vec{} + 1e-7f;
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < chains; ++c) acc[c] = acc[c] * mul + add;  // an FMA (g++ contracts a * b + c)
  float sum = 0;
  for (int c = 0; c < chains; ++c)
    for (int l = 0; l < lanes; ++l) sum += acc[c][l];
  return sum;
}

double fma_peak() {
  constexpr long iterations = 20'000'000;
  double best = 0;
  volatile float sink = 0;
  for (int run = 0; run < 6; ++run) {
    const double start = cpu_seconds();
    sink = fma_chains(iterations, 1.0f + float(run));
    const double seconds = cpu_seconds() - start;
    if (run > 0) best = std::max(best, 2.0 * lanes * chains * double(iterations) / seconds / 1e9);
  }
  (void)sink;
  return best;
}

double sgemm_peak() {
  openblas_set_num_threads(1);
  constexpr int n = 1024;
  std::vector<float> a(n * n, 1.0f), b(n * n, 0.5f), c(n * n);
  double best = 0;
  for (int run = 0; run < 7; ++run) {
    const double start = cpu_seconds();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    const double seconds = cpu_seconds() - start;
    if (run > 0) best = std::max(best, 2.0 * n * n * double(n) / seconds / 1e9);
  }
  return best;
}

/// One way of a cache line's trip between two threads, in ns: each waits for the other's store.
double core_to_core_ns() {
  constexpr int trips = 200'000;
  std::vector<double> runs;
  for (int run = 0; run < 5; ++run) {
    alignas(64) std::atomic<int> line{0};
    std::thread other([&] {
      for (int i = 0; i < trips; ++i) {
        while (line.load(std::memory_order_acquire) != 2 * i + 1) {
        }
        line.store(2 * i + 2, std::memory_order_release);
      }
    });
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < trips; ++i) {
      line.store(2 * i + 1, std::memory_order_release);
      while (line.load(std::memory_order_acquire) != 2 * i + 2) {
      }
    }
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    other.join();
    runs.push_back(took.count() / (2.0 * trips));
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

}  // namespace

int main() {
  std::printf("fma_peak_gflops=%.1f\n", fma_peak());
  std::printf("fma_vector=%s, %d floats, %d chains\n", vector_isa, lanes, chains);
  std::printf("sgemm_gflops=%.1f\n", sgemm_peak());
  if (std::thread::hardware_concurrency() > 1) std::printf("core_to_core_ns=%.0f\n", core_to_core_ns());
  return 0;
}
