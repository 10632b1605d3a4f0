// The machine's ceiling for one thread: OpenBLAS' single-thread sgemm at 1024^3,
// the best of several runs, in GFLOP/s. Prints "peak_gflops=<n>".
#include <chrono>
#include <cstdio>
#include <vector>

#include <cblas.h>

extern "C" void openblas_set_num_threads(int);

int main() {
  openblas_set_num_threads(1);
  constexpr int n = 1024;
  std::vector<float> a(n * n, 1.0f), b(n * n, 0.5f), c(n * n);
  double best = 0;
  for (int run = 0; run < 7; ++run) {
    const auto start = std::chrono::steady_clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (run > 0) best = std::max(best, 2.0 * n * n * double(n) / seconds / 1e9);  // run 0 warms up
  }
  std::printf("peak_gflops=%.1f\n", best);
  return 0;
}
