// MPI_Allreduce (sum, in place, float) as data-parallel training pays it: for each network of
// graphs.hpp, the per-step buffer of mpi_gradient_sum (parameters + 2 floats) and the buffer of
// mpi_local_sgd's average (3 x parameters: weights and Adam's two moments); then a sweep of sizes
// from 1 float to 4M, for the latency and bandwidth of this transport. Each call timed alone: the
// median and the 10th percentile. Run under mpirun (docs/scaling.md):
//   mpirun -n 2 build/benchmarks/allreduce_bench                      # shared memory, one machine
//   mpirun -n 2 --mca btl self,tcp build/benchmarks/allreduce_bench   # TCP over the loopback interface
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "graphs.hpp"

namespace {

struct timing {
  double median_us, fast_us;  // the median call, and the 10th percentile: the transport's cost with both ranks on a core
};

/// Each of >= 200 calls (and >= 0.2 s of them) of MPI_Allreduce of `floats` floats, timed alone on rank 0:
/// on a shared machine a rank that lost its core makes a call slow, and the 10th percentile sees past it.
timing allreduce_us(std::size_t floats) {
  std::vector<float> buffer(floats, 1.0f);
  std::vector<double> us;
  MPI_Barrier(MPI_COMM_WORLD);
  const auto begin = std::chrono::steady_clock::now();
  int more = 1;
  while (more) {
    const auto start = std::chrono::steady_clock::now();
    MPI_Allreduce(MPI_IN_PLACE, buffer.data(), int(floats), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    const auto end = std::chrono::steady_clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    more = us.size() < 200 || std::chrono::duration<double>(end - begin).count() < 0.2;
    MPI_Bcast(&more, 1, MPI_INT, 0, MPI_COMM_WORLD);  // rank 0's clock decides, for all
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() / 10]};
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (rank == 0) {
    std::printf("MPI_Allreduce, float sum in place, %d ranks: us per call, median / 10th percentile\n\n", ranks);
    std::printf("%-22s %10s %8s %18s %8s %18s\n", "network", "parameters", "floats", "gradient_sum", "floats",
                "local_sgd");
  }
  bench::for_each_network([&]<class N>() {
    constexpr std::size_t p = N::model::parameter_count;
    const timing per_step = allreduce_us(p + 2), per_sync = allreduce_us(3 * p);
    if (rank == 0)
      std::printf("%-22s %10zu %8zu %9.2f / %6.2f %8zu %9.2f / %6.2f\n", std::string(N::name).c_str(), p, p + 2,
                  per_step.median_us, per_step.fast_us, 3 * p, per_sync.median_us, per_sync.fast_us);
  });
  if (rank == 0) std::printf("\n%10s %10s %10s %14s\n", "floats", "median us", "p10 us", "p10 GB/s");
  for (std::size_t floats = 1; floats <= std::size_t{1} << 22; floats *= 4) {
    const timing t = allreduce_us(floats);
    if (rank == 0)
      std::printf("%10zu %10.2f %10.2f %14.3f\n", floats, t.median_us, t.fast_us, double(floats * 4) / t.fast_us * 1e-3);
  }
  MPI_Finalize();
  return 0;
}
