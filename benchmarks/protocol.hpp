// The comparison runner's protocol, as every benchmark program reads its command line
// (benchmarks/peers/README.md):  PROGRAM GRAPH [--epochs E] [--seed S] [--flops] [--threads N]
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace bench {

struct peer_arguments {
  std::string graph;
  long epochs = 0;  // 0: as many timed epochs as make about a second
  long seed = 1;
  bool flops = false;  // ctgraph_peer only: print the graph's training FLOPs per sample
  long threads = 1;     // ctgraph_peer only: fit's threads (the peers run on one)
};

/// The arguments, or nothing after printing why (the caller exits 2).
inline std::optional<peer_arguments> parse_peer_arguments(int argc, char** argv, const char* program,
                                                          bool accepts_flops = false) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s GRAPH [--epochs E] [--seed S]%s\n", program,
                 accepts_flops ? " [--flops] [--threads N]" : "");
    return std::nullopt;
  }
  peer_arguments a;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--epochs") == 0 && has_value) {
      a.epochs = std::strtol(argv[++i], nullptr, 10);
      if (a.epochs < 1) {
        std::fprintf(stderr, "%s: --epochs needs a positive number\n", program);
        return std::nullopt;
      }
    } else if (std::strcmp(argv[i], "--seed") == 0 && has_value) {
      a.seed = std::strtol(argv[++i], nullptr, 10);
    } else if (accepts_flops && std::strcmp(argv[i], "--threads") == 0 && has_value) {
      a.threads = std::strtol(argv[++i], nullptr, 10);
      if (a.threads < 1) {
        std::fprintf(stderr, "%s: --threads needs a positive number\n", program);
        return std::nullopt;
      }
    } else if (accepts_flops && std::strcmp(argv[i], "--flops") == 0) {
      a.flops = true;
    } else if (argv[i][0] != '-' && a.graph.empty()) {
      a.graph = argv[i];  // the graph may come before or after the options
    } else {
      std::fprintf(stderr, "%s: unknown argument '%s'\n", program, argv[i]);
      return std::nullopt;
    }
  }
  if (a.graph.empty()) {
    std::fprintf(stderr, "%s: no GRAPH given\n", program);
    return std::nullopt;
  }
  return a;
}

}  // namespace bench
