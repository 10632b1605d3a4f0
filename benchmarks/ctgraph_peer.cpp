// ctgraph in the comparison runner's protocol (benchmarks/peers/README.md):
//   ctgraph_peer GRAPH [--epochs E] [--seed S]   one untimed epoch, then E timed epochs of the seed's data:
//                                     prints "GRAPH samples_per_second=<n>"
//   ctgraph_peer GRAPH --flops        prints "GRAPH training_flops_per_sample=<n>" (constexpr)
//   ctgraph_peer GRAPH --threads N    fit on N threads (train/parallel_step.hpp); also prints threads=<used>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "graphs.hpp"
#include "protocol.hpp"

int main(int argc, char** argv) {
  ctgraph::set_blas_threads(1);  // one thread, as every peer is measured
  const auto arguments = bench::parse_peer_arguments(argc, argv, "ctgraph_peer", true);
  if (!arguments) return 2;
  const std::string& graph = arguments->graph;
  const long epochs = arguments->epochs;
  const bool flops = arguments->flops;
  bool found = false;
  bench::for_each_network([&]<class N>() {
    if (graph != N::name) return;
    found = true;
    if (flops) {
      std::printf("%s training_flops_per_sample=%zu\n", graph.c_str(), N::model::training_flops);
      return;
    }
    const auto data = N::data();
    typename N::model net(std::uint64_t(arguments->seed));
    const auto warm_up = std::chrono::steady_clock::now();
    const std::size_t threads = std::size_t(arguments->threads);
    ctgraph::fit(net, typename N::loss{}, N::optimizer, data, {.epochs = 1, .seed = 1, .threads = threads});
    const auto start = std::chrono::steady_clock::now();
    // Epochs for about a second of timing, from the untimed warm-up epoch's time (the nets range
    // from a few thousand samples/s to millions, so a fixed number of samples would not do).
    const double warm_up_seconds = std::chrono::duration<double>(start - warm_up).count();
    const std::size_t timed =
        epochs > 0 ? std::size_t(epochs) : std::size_t(std::clamp(std::ceil(1.0 / warm_up_seconds), 1.0, 1e6));
    ctgraph::fit(net, typename N::loss{}, N::optimizer, data, {.epochs = timed, .seed = 2, .threads = threads});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s samples_per_second=%.1f", graph.c_str(), double(timed * data.size()) / seconds);
    if (threads > 1) std::printf(" threads=%zu", ctgraph::training_threads<typename N::model>(threads));
    std::printf("\n");
  });
  if (!found) {
    std::fprintf(stderr, "ctgraph_peer: unknown graph '%s'\n", graph.c_str());
    return 2;
  }
  return 0;
}
