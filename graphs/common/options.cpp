#include "common/options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctgraph/io/folder.hpp>
#include <ctgraph/train/model.hpp>
#include <optional>
#include <thread>

namespace program {

namespace {
// Where --save will write must be a folder we can write to: found out now, not after training.
std::optional<std::string> check_save_target(const std::filesystem::path& file) {
  if (file.empty()) return std::nullopt;
  const auto folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) return "folder '" + folder.string() + "' does not exist";
  if (std::filesystem::is_directory(file, ec)) return "'" + file.string() + "' is a folder";
  const auto probe = folder / (".ctgraph-write-test-" + std::to_string(::getpid()));
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) return "cannot write in folder '" + folder.string() + "'";
  std::fclose(f);
  std::filesystem::remove(probe, ec);
  return std::nullopt;
}

// "A-B" or "K" as the seeds A..B or K; nullopt for anything else.
std::optional<std::vector<std::uint64_t>> parse_seed_range(const std::string& text, std::string& why) {
  const auto number = [](std::string_view digits) -> std::optional<std::uint64_t> {
    if (digits.empty() || digits.size() > 18) return std::nullopt;  // 18 digits: no overflow
    std::uint64_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + std::uint64_t(c - '0');
    }
    return v;
  };
  const auto dash = text.find('-');
  const auto first = number(std::string_view(text).substr(0, dash));
  const auto last = dash == std::string::npos ? first : number(std::string_view(text).substr(dash + 1));
  if (!first || !last) {
    why = "'" + text + "' is not a seed or a range of seeds (e.g. 3 or 1-5)";
    return std::nullopt;
  }
  if (*last < *first) {
    why = "'" + text + "': the last seed is smaller than the first";
    return std::nullopt;
  }
  constexpr std::uint64_t most = 100'000;
  if (*last - *first >= most) {
    why = "'" + text + "' is more than " + std::to_string(most) + " seeds";
    return std::nullopt;
  }
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t s = *first; s <= *last; ++s) seeds.push_back(s);
  return seeds;
}

// --jobs and --threads: "auto" or 0: the machine's cores; N >= 1: N; nullopt for anything else.
std::optional<unsigned> parse_jobs(const std::string& text) {
  unsigned n = 0;
  if (text != "auto") {
    if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    n = unsigned(std::stoul(text));
  }
  return n > 0 ? n : std::max(1u, std::thread::hardware_concurrency());
}

// "w.npz" as seed 3's "w_seed3.npz".
std::filesystem::path with_seed_suffix(const std::filesystem::path& file, std::uint64_t seed) {
  if (file.empty()) return file;
  auto name = file.stem().string() + "_seed" + std::to_string(seed) + file.extension().string();
  return file.parent_path() / name;
}
}  // namespace

std::variant<common_options, int> parse(int argc, char** argv, const command_line& line) {
  common_options o;
  o.epochs = line.epochs;
  o.samples = line.samples;
  o.data = line.data;
  o.out = std::filesystem::path("out") / line.name;
  CLI::App app{line.description, line.name};
  app.add_option("--epochs", o.epochs, "training epochs")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, line.max_epochs));
  if (line.samples > 0)
    app.add_option("--samples", o.samples, line.samples_help)
        ->capture_default_str()
        ->check(CLI::Range(line.min_samples, std::size_t{100'000'000}));
  if (line.two_nets)
    app.add_option("--model", o.model, "which net to train")
        ->capture_default_str()
        ->check(CLI::IsMember(line.models.empty() ? std::vector<std::string>{"baseline", "attention", "both"}
                                                  : line.models));
  if (!line.data.empty()) app.add_option("--data", o.data, "the data file to read")->capture_default_str();
  auto* seed = app.add_option("--seed", o.seed, "seed of the data split, the initial weights and the shuffles")
                   ->capture_default_str();
  std::string seeds, jobs, threads;
  auto* seeds_option =
      app.add_option("--seeds", seeds,
                     "a sweep: train each seed of A-B (or the one seed K) as --seed K --out OUT/seed_K would, "
                     "then print each seed's results and how many seeds show each finding")
          ->type_name("A-B");
  auto* jobs_option =
      app.add_option("--jobs", jobs,
                     "with --seeds: seeds trained at once, each in its own process (0 or auto: one per core)")
          ->type_name("N")
          ->needs(seeds_option);
  auto* threads_option =
      app.add_option("--threads", threads,
                     "threads a training step runs on, its batch cut into grains (at most one thread a grain; "
                     "0 or auto: one per core); the result is the same, bit for bit, for any N above 1, and "
                     "within float rounding of one thread's (default 1)")
          ->type_name("N");
  app.add_option("--out", o.out, "folder for the charts and results.tsv")->capture_default_str();
  app.add_option("--train", o.train, "train on this CSV instead of the generated data; each row: " + line.csv_layout)
      ->check(CLI::ExistingFile);
  app.add_option("--test", o.test, "evaluate on this CSV instead of the generated test data (same layout)")
      ->check(CLI::ExistingFile);
  app.add_option("--load", o.load,
                 "start from these weights (.npz, one array per parameter name; in a sweep FILE_seedK.npz)");
  app.add_option("--save", o.save, "write the trained weights here (.npz), atomically (in a sweep FILE_seedK.npz)");
  app.add_option("--checkpoint", o.checkpoint,
                 "write a checkpoint (weights, optimizer, data order, epoch) into this folder after every epoch, "
                 "and on SIGINT/SIGTERM (in a sweep DIR/seed_K)");
  app.add_option("--resume", o.resume,
                 "go on from the checkpoint in this folder, to --epochs in all (in a sweep DIR/seed_K)");
  std::string divergence = "stop";
  app.add_option("--on-divergence", divergence,
                 "when a batch's loss or gradient is NaN or infinite: stop (keeping the last finite weights) or skip "
                 "that batch")
      ->capture_default_str()
      ->check(CLI::IsMember({"stop", "skip"}));
  app.add_flag("--no-shuffle", o.no_shuffle,
               "keep the training data's order, e.g. to compare step by step with another framework");
  auto* data_parallel =
      app.add_flag("--data-parallel", o.data_parallel,
                   "under mpirun: each rank trains on its share of the training rows, their gradients summed every "
                   "step (one MPI_Allreduce); rank 0 prints and writes the report, rank K writes OUT/rank_K");
  app.add_option("--sync-every", o.sync_every,
                 "with --data-parallel: local SGD instead, each rank stepping on its own gradients and the ranks "
                 "averaging weights and Adam's moments every K steps")
      ->type_name("K")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000'000}))
      ->needs(data_parallel);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s\nRun with --help for the options.\n", line.name.c_str(), e.what());
    return 2;
  }
  o.skip_divergent = divergence == "skip";
  ctgraph::set_blas_threads(1);  // the graphs' small products run fastest on one OpenBLAS thread
  o.name = line.name;
  if (seeds_option->count() > 0 && seed->count() > 0) {
    std::fprintf(stderr, "%s: --seeds and --seed exclude each other (a sweep gives each run its seed)\n",
                 line.name.c_str());
    return 2;
  }
  if (seeds_option->count() > 0) {
    std::string why;
    const auto range = parse_seed_range(seeds, why);
    if (!range) {
      std::fprintf(stderr, "%s: --seeds: %s\nRun with --help for the options.\n", line.name.c_str(), why.c_str());
      return 2;
    }
    o.seeds = *range;
  }
  // --jobs and --threads: a count, or 0/auto for one per core; what is counted names the mistake.
  const auto count_of = [&](CLI::Option* option, const char* flag, const std::string& text, const char* what,
                            auto& into) {
    if (option->count() == 0) return true;
    const auto n = parse_jobs(text);
    if (!n) {
      std::fprintf(stderr,
                   "%s: %s: '%s' is not a number of %s (1, 2, ..., or 0 or auto: one per core)\n"
                   "Run with --help for the options.\n",
                   line.name.c_str(), flag, text.c_str(), what);
      return false;
    }
    into = *n;
    return true;
  };
  if (!count_of(jobs_option, "--jobs", jobs, "processes", o.jobs) ||
      !count_of(threads_option, "--threads", threads, "threads", o.threads))
    return 2;
  if (line.two_nets && (!o.load.empty() || !o.save.empty() || !o.checkpoint.empty() || !o.resume.empty()) &&
      (o.model == "both" || o.model == "all")) {
    std::fprintf(stderr,
                 "%s: --load, --save, --checkpoint and --resume need --model to name one net (the nets have "
                 "different parameters)\n",
                 line.name.c_str());
    return 2;
  }
  if (!o.load.empty() && !o.resume.empty()) {
    std::fprintf(stderr, "%s: --load and --resume exclude each other (a checkpoint holds the weights)\n",
                 line.name.c_str());
    return 2;
  }
  if (o.data_parallel) {
#if !CTGRAPH_MPI
    std::fprintf(stderr, "%s: --data-parallel: this build has no MPI (install libopenmpi-dev and reconfigure)\n",
                 line.name.c_str());
    return 2;
#endif
    // One model trained by every rank: a sweep's seeds are separate runs, and the ranks would write the
    // same checkpoint folder.
    const char* other = !o.seeds.empty()         ? "--seeds"
                        : !o.checkpoint.empty()  ? "--checkpoint"
                        : !o.resume.empty()      ? "--resume"
                                                 : nullptr;
    if (other) {
      std::fprintf(stderr, "%s: --data-parallel and %s exclude each other\n", line.name.c_str(), other);
      return 2;
    }
  }
  if (!o.seeds.empty()) {  // a sweep: its folder now, each seed's paths when that seed starts
    try {
      ctgraph::ensure_folder(o.out);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: --out: %s\n", line.name.c_str(), e.what());
      return 2;
    }
    return o;
  }
  if (const int code = check_paths(o)) return code;
  return o;
}

int check_paths(const common_options& o) {
  const char* name = o.name.c_str();
  if (!o.load.empty() && !std::filesystem::is_regular_file(o.load)) {
    std::fprintf(stderr, "%s: --load: file '%s' does not exist\n", name, o.load.string().c_str());
    return 2;
  }
  if (!o.resume.empty() && !std::filesystem::is_directory(o.resume)) {
    std::fprintf(stderr, "%s: --resume: folder '%s' does not exist\n", name, o.resume.string().c_str());
    return 2;
  }
  if (!o.resume.empty() && !std::filesystem::exists(o.resume / "checkpoint.npz")) {
    std::fprintf(stderr, "%s: --resume: folder '%s' holds no checkpoint.npz\n", name, o.resume.string().c_str());
    return 2;
  }
  if (!o.checkpoint.empty()) {
    try {
      ctgraph::ensure_folder(o.checkpoint);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: --checkpoint: %s\n", name, e.what());
      return 2;
    }
  }
  try {
    ctgraph::ensure_folder(o.out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: --out: %s\n", name, e.what());
    return 2;
  }
  if (const auto problem = check_save_target(o.save)) {
    std::fprintf(stderr, "%s: --save: %s\n", name, problem->c_str());
    return 2;
  }
  return 0;
}

common_options for_seed(const common_options& sweep, std::uint64_t seed) {
  common_options o = sweep;
  const std::string folder = "seed_" + std::to_string(seed);
  o.seed = seed;
  o.out = sweep.out / folder;
  if (!sweep.checkpoint.empty()) o.checkpoint = sweep.checkpoint / folder;
  if (!sweep.resume.empty()) o.resume = sweep.resume / folder;
  o.save = with_seed_suffix(sweep.save, seed);
  o.load = with_seed_suffix(sweep.load, seed);
  o.seeds.clear();
  o.in_sweep = true;
  return o;
}

}  // namespace program
