// The ranks of an mpirun, for a sweep to spread its seeds over and for --data-parallel's
// ranks (sweep.cpp, the one file that includes this): with MPI (CTGRAPH_MPI=1, meson found it) and started by mpirun, this
// process's rank among them; else rank 0 of 1.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#if CTGRAPH_MPI
#include <mpi.h>
#endif

namespace program {

/// The processes of an mpirun, when this build has MPI and mpirun started it; else this process alone.
class rank_group {
 public:
  rank_group() {
#if CTGRAPH_MPI
    // Only under a launcher: MPI_Init outside one would start a singleton runtime for nothing.
    if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK")) {
      MPI_Init(nullptr, nullptr);
      MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
      MPI_Comm_size(MPI_COMM_WORLD, &size_);
      started_ = true;
    }
#endif
  }
  rank_group(const rank_group&) = delete;
  rank_group& operator=(const rank_group&) = delete;
  ~rank_group() {
#if CTGRAPH_MPI
    if (started_) MPI_Finalize();
#endif
  }
  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Whether mpirun (or another MPI launcher) started this process, and MPI is initialised.
  bool started() const { return started_; }

  /// Every rank's text, in rank order, on rank 0; nothing on the others.
  std::vector<std::string> gather(const std::string& mine) const {
    if (size_ == 1) return {mine};
    std::vector<std::string> all;
#if CTGRAPH_MPI
    int length = int(mine.size());
    std::vector<int> lengths(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    int total = 0;
    for (int r = 0; r < size_; ++r) offsets[std::size_t(r)] = total, total += lengths[std::size_t(r)];
    std::string joined(std::size_t(rank_ == 0 ? total : 0), '\0');
    MPI_Gatherv(mine.data(), length, MPI_CHAR, joined.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
                MPI_COMM_WORLD);
    if (rank_ == 0)
      for (int r = 0; r < size_; ++r)
        all.push_back(joined.substr(std::size_t(offsets[std::size_t(r)]), std::size_t(lengths[std::size_t(r)])));
#endif
    return all;
  }

 private:
  int rank_ = 0, size_ = 1;
  [[maybe_unused]] bool started_ = false;
};

}  // namespace program
