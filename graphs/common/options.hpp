// The command line every graph program shares, parsed in options.cpp: the one
// translation unit that includes CLI11, so that its compile cost (as much as a
// whole graph program's) is paid once for the five programs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace program {

struct common_options {
  std::size_t epochs = 1;
  std::size_t samples = 0;
  std::string model = "both";  // with two nets: baseline, attention or both
  std::filesystem::path data;  // a data file the program reads (Iris)
  std::uint64_t seed = 1;
  std::filesystem::path out;                 // charts and results.tsv; default out/<graph>
  std::filesystem::path train, test;         // the user's CSV files, in place of the generated data
  std::filesystem::path load, save;          // weights (.npz)
  std::filesystem::path checkpoint, resume;  // folders of checkpoint.npz
  bool skip_divergent = false;               // --on-divergence skip
  bool no_shuffle = false;
  std::size_t threads = 1;  // --threads: a training step's threads (ctgraph::fit_options::threads)
  std::string name;  // the program's, for messages
  // --seeds A-B: a sweep, one run per seed (each as --seed K --out OUT/seed_K), --jobs at a time.
  // Empty: one run of --seed, as without the option.
  std::vector<std::uint64_t> seeds;
  unsigned jobs = 1;
  bool in_sweep = false;  // this run is one seed of a sweep: its results also go to summary.tsv
};

/// What a program's command line offers, and its defaults.
struct command_line {
  std::string name{}, description{};
  std::string csv_layout{};  // a row of --train/--test: "20 feature values, then the label (0 or 1)"
  std::size_t epochs = 1, max_epochs = 100'000;
  std::size_t samples = 0, min_samples = 1;  // samples 0: the program has no --samples
  std::string samples_help{};
  bool two_nets = false;              // --model baseline|attention|both
  std::vector<std::string> models{};  // with two_nets: the --model choices, when more than those three
  std::filesystem::path data{};       // not empty: --data, with this default
};

/// The options, or the exit code to stop with: 0 after --help, 2 after a bad flag or value
/// (the reason on stderr), including an --out or --save folder that cannot be written.
/// In a sweep (--seeds) the paths are checked per seed, by check_paths, when that seed starts.
std::variant<common_options, int> parse(int argc, char** argv, const command_line& line);

/// 0 when --out, --checkpoint, --resume, --load and --save can be used as given, else 2 (the
/// reason on stderr). --out and --checkpoint are created.
int check_paths(const common_options& o);

/// One seed's options within a sweep: --seed K, --out OUT/seed_K, --checkpoint and --resume DIR/seed_K,
/// --save and --load FILE with _seedK before its extension (w.npz: w_seed3.npz).
common_options for_seed(const common_options& sweep, std::uint64_t seed);

/// Ends a program early with this exit code: after an interrupted training run, 128 + the signal.
struct exit_now {
  int code;
};

/// A program's training and report, run with the options of one seed; returns its exit code.
/// exit_now ends it with its code; any other exception with 1, its message on stderr after the
/// program's name (run catches both).
using program_body = int (*)(const common_options&);

/// The whole program: parse the command line, then run the body once, or once per seed of
/// --seeds (sweep.cpp) and print the seeds' results and the findings' counts.
int run(int argc, char** argv, const command_line& line, program_body body);

}  // namespace program
