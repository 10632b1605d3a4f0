#include "common/options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctgraph/io/folder.hpp>
#include <ctgraph/train/model.hpp>
#include <optional>

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
        ->check(CLI::IsMember(line.models.empty() ? std::vector<std::string>{"baseline", "attention", "both"} : line.models));
  if (!line.data.empty()) app.add_option("--data", o.data, "the data file to read")->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the data split, the initial weights and the shuffles")
      ->capture_default_str();
  app.add_option("--out", o.out, "folder for the charts and results.tsv")->capture_default_str();
  app.add_option("--train", o.train, "train on this CSV instead of the generated data; each row: " + line.csv_layout)
      ->check(CLI::ExistingFile);
  app.add_option("--test", o.test, "evaluate on this CSV instead of the generated test data (same layout)")
      ->check(CLI::ExistingFile);
  app.add_option("--load", o.load, "start from these weights (.npz, one array per parameter name)")
      ->check(CLI::ExistingFile);
  app.add_option("--save", o.save, "write the trained weights here (.npz), atomically");
  app.add_option("--checkpoint", o.checkpoint,
                 "write a checkpoint (weights, optimizer, data order, epoch) into this folder after every epoch, "
                 "and on SIGINT/SIGTERM");
  app.add_option("--resume", o.resume, "go on from the checkpoint in this folder, to --epochs in all")
      ->check(CLI::ExistingDirectory);
  std::string divergence = "stop";
  app.add_option("--on-divergence", divergence,
                 "when a batch's loss or gradient is NaN or infinite: stop (keeping the last finite weights) or skip "
                 "that batch")
      ->capture_default_str()
      ->check(CLI::IsMember({"stop", "skip"}));
  app.add_flag("--no-shuffle", o.no_shuffle,
               "keep the training data's order, e.g. to compare step by step with another framework");
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
  if (!o.resume.empty() && !std::filesystem::exists(o.resume / "checkpoint.npz")) {
    std::fprintf(stderr, "%s: --resume: folder '%s' holds no checkpoint.npz\n", line.name.c_str(),
                 o.resume.string().c_str());
    return 2;
  }
  if (!o.checkpoint.empty()) {
    try {
      ctgraph::ensure_folder(o.checkpoint);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: --checkpoint: %s\n", line.name.c_str(), e.what());
      return 2;
    }
  }
  try {
    ctgraph::ensure_folder(o.out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: --out: %s\n", line.name.c_str(), e.what());
    return 2;
  }
  if (const auto problem = check_save_target(o.save)) {
    std::fprintf(stderr, "%s: --save: %s\n", line.name.c_str(), problem->c_str());
    return 2;
  }
  return o;
}

}  // namespace program
