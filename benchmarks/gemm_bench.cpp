// The three kernels (fixed-size loops, register-blocked, OpenBLAS) on the products the graphs
// compute, and one large product: where detail::gemm_kernel_for comes from.
// Run: build/benchmarks/gemm_bench (OPENBLAS_CORETYPE=SKYLAKEX for its AVX-512 kernels)
#include <benchmark/benchmark.h>

#include "ctgraph/detail/column_gemm.hpp"
#include "ctgraph/detail/register_gemm.hpp"
#include "ctgraph/detail/small_gemm.hpp"
#include <vector>
extern "C" void openblas_set_num_threads(int);
template <bool TA, bool TB, std::size_t M, std::size_t N, std::size_t K>
void small(benchmark::State& s) {
  std::vector<float> a(M*K, 0.5f), b(K*N, 0.25f), c(M*N);
  for (auto _ : s) { ctgraph::detail::small_gemm<TA, TB, true, M, N, K>(a.data(), b.data(), c.data()); benchmark::ClobberMemory(); }
  s.counters["GF"] = benchmark::Counter(2.0*M*N*K*1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
template <bool TA, bool TB, std::size_t M, std::size_t N, std::size_t K>
void reg(benchmark::State& s) {
  std::vector<float> a(M*K, 0.5f), b(K*N, 0.25f), c(M*N);
  for (auto _ : s) { ctgraph::detail::register_gemm<TA, TB, true, M, N, K>(a.data(), b.data(), c.data()); benchmark::ClobberMemory(); }
  s.counters["GF"] = benchmark::Counter(2.0*M*N*K*1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
template <bool TA, bool TB, std::size_t M, std::size_t N, std::size_t K>
void blas(benchmark::State& s) {
  openblas_set_num_threads(1);
  std::vector<float> a(M*K, 0.5f), b(K*N, 0.25f), c(M*N);
  for (auto _ : s) { ctgraph::detail::gemm<float>(TA, TB, M, N, K, a.data(), b.data(), c.data(), 1.0f); benchmark::ClobberMemory(); }
  s.counters["GF"] = benchmark::Counter(2.0*M*N*K*1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
template <bool TA, std::size_t M, std::size_t K>
void column(benchmark::State& s) {
  std::vector<float> a(M*K, 0.5f), b(K, 0.25f), c(M);
  for (auto _ : s) { ctgraph::detail::column_gemm<TA, true, M, K>(a.data(), b.data(), c.data()); benchmark::ClobberMemory(); }
  s.counters["GF"] = benchmark::Counter(2.0*M*K*1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
#define BOTH(TA, TB, M, N, K) \
  BENCHMARK(small<TA, TB, M, N, K>);  \
  BENCHMARK(reg<TA, TB, M, N, K>);  \
  BENCHMARK(blas<TA, TB, M, N, K>);
// iris: forward 120x4->10, 120x10->20; dX: 120x20 . (10x20)^T ; dW: (120x10)^T . 120x20
BOTH(false,false,120,10,4) BOTH(false,false,120,20,10) BOTH(false,true,120,10,20) BOTH(true,false,10,20,120)
// digits 32x6x6, 32x6x3, 32x3x1
BOTH(false,false,32,6,6) BOTH(false,true,32,6,6) BOTH(true,false,6,6,32) BOTH(false,false,32,1,3)
// golden 256x20x20, 256x20x100, dense_3 256x1x20
BOTH(false,false,256,20,20) BOTH(false,true,256,20,20) BOTH(true,false,20,20,256) BOTH(false,false,256,1,20) BOTH(false,true,256,20,1) BOTH(true,false,20,1,256)
BOTH(false,false,256,100,20) BOTH(false,true,256,20,100) BOTH(true,false,20,100,256)
// attention_column 64x32x32, 64x64x32, 64x1x64
BOTH(false,false,64,32,32) BOTH(false,true,64,32,32) BOTH(true,false,32,32,64) BOTH(false,false,64,64,32) BOTH(false,true,64,32,64) BOTH(true,false,32,64,64)
// one column (column_gemm.hpp): golden's dense_3 and its dW, attention_column's dense_1 and its dW
BOTH(false,false,64,1,64) BOTH(true,false,64,1,64)
BENCHMARK(column<false, 256, 20>); BENCHMARK(column<true, 20, 256>); BENCHMARK(column<false, 64, 64>); BENCHMARK(column<true, 64, 64>);
// a product larger than any graph's: where packing pays
BOTH(false,false,512,512,512)
BENCHMARK_MAIN();
