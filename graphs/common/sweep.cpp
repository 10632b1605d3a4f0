// --seeds A-B --jobs N: one worker process per seed, at most N alive, each a fork of this
// program that runs the seed exactly as `--seed K --out OUT/seed_K` would, its output in
// OUT/seed_K/log.txt. Then the seeds' results (each seed's summary.tsv) side by side, the
// count of seeds that show each finding, and OUT/seeds.tsv and OUT/findings.tsv.
//
// A worker is a process, not a thread, so that a seed's run is the single-seed program itself:
// its own signal handlers, stdout and allocations, and the same bits. Workers get their own
// process group and the sweep forwards SIGINT and SIGTERM to them once: a Ctrl-C reaches each
// worker exactly once whether it came from the terminal or from kill(1) to the sweep.
//
// Built with MPI (meson found it) and started by mpirun, each rank takes every size-th seed from
// its rank's, sweeps them as above, and sends its seeds' outcomes and summaries to rank 0, which
// prints the one report.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctgraph/detail/atomic_file.hpp>
#include <ctgraph/io/folder.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/options.hpp"
#include "common/rank_group.hpp"

namespace program {

namespace {
// The body's exit code, and the codes of what it throws (program_body says which).
int run_body(program_body body, const common_options& options) {
  try {
    return body(options);
  } catch (const exit_now& e) {
    return e.code;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: %s\n", options.name.c_str(), e.what());
    return 1;
  }
}


// The workers alive, for the signal handler to forward to: a slot per job, 0 when free.
// Written only with SIGINT and SIGTERM blocked.
pid_t* worker_slots = nullptr;
unsigned worker_slot_count = 0;
volatile std::sig_atomic_t sweep_signal = 0;

extern "C" void forward_to_workers(int signal) {
  sweep_signal = signal;
  for (unsigned i = 0; i < worker_slot_count; ++i)
    if (worker_slots[i] > 0) ::kill(worker_slots[i], signal);
}

struct summary_row {
  std::string role, metric, value, tutorial;
};

struct seed_run {
  std::uint64_t seed = 0;
  common_options options;
  enum { not_started, running, finished, not_startable } state = not_started;
  int status = 0;       // waitpid's
  std::string problem;  // not_startable: why
  double seconds = 0;
  std::chrono::steady_clock::time_point started;
  std::vector<summary_row> summary;  // succeeded: its summary.tsv
  std::string log_tail;              // failed: the end of its log

  bool succeeded() const { return state == finished && WIFEXITED(status) && WEXITSTATUS(status) == 0; }
  std::string outcome() const {
    if (state == not_started) return "not started (the sweep was interrupted)";
    if (state == not_startable) return "could not start: " + problem;
    if (WIFSIGNALED(status)) return std::string("ended by ") + sigabbrev(WTERMSIG(status));
    return "exit " + std::to_string(WEXITSTATUS(status));
  }
  static std::string sigabbrev(int signal) {
    const char* name = ::sigabbrev_np(signal);
    return name ? std::string("SIG") + name : "signal " + std::to_string(signal);
  }
  std::filesystem::path log() const { return options.out / "log.txt"; }
};

// The last lines of a file that are not blank, each indented, for a failed seed's report.
std::string tail(const std::filesystem::path& file, std::size_t lines) {
  std::ifstream in(file);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) {
    // Progress lines rewrite themselves with '\r': keep what was seen last.
    if (const auto cr = line.rfind('\r'); cr != std::string::npos) line = line.substr(cr + 1);
    if (line.find_first_not_of(" \t") != std::string::npos) all.push_back(std::move(line));
  }
  std::string text;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) text += "    " + all[i] + '\n';
  return text;
}

// Forks the worker of one seed; the child never returns.
pid_t start_worker(seed_run& run, program_body body) {
  ctgraph::ensure_folder(run.options.out);  // throws, naming the folder
  const int log = ::open(run.log().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (log < 0) throw std::runtime_error("cannot write " + run.log().string() + ": " + std::strerror(errno));
  std::cout.flush();
  std::fflush(nullptr);  // else the child would write the parent's buffered output again
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid > 0) {
    ::close(log);
    return pid;
  }
  // The worker: its own process group (signals come from the sweep, once), SIGTERM if the sweep dies.
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(128 + SIGTERM);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  ::sigprocmask(SIG_UNBLOCK, &stop_signals, nullptr);
  ::dup2(log, STDOUT_FILENO);
  ::dup2(log, STDERR_FILENO);
  ::close(log);
  int code = check_paths(run.options);
  if (code == 0) code = run_body(body, run.options);
  std::cout.flush();
  std::fflush(nullptr);
  ::_exit(code);
}

// A seed's summary.tsv: role (key or finding), metric, ctgraph's value, the tutorial's.
std::vector<summary_row> read_summary(const std::filesystem::path& file) {
  std::vector<summary_row> rows;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    summary_row r;
    std::istringstream fields(line);
    std::getline(fields, r.role, '\t');
    std::getline(fields, r.metric, '\t');
    std::getline(fields, r.value, '\t');
    std::getline(fields, r.tutorial);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string seed_list(const std::vector<std::uint64_t>& seeds) {
  std::string text;
  for (auto s : seeds) text += (text.empty() ? "" : ", ") + std::to_string(s);
  return text;
}

// Prints the seeds' table and the findings' counts, writes seeds.tsv and findings.tsv.
void report(const common_options& sweep, const std::vector<seed_run>& runs) {
  std::vector<summary_row> columns;  // the key metrics, then the findings, each in the order the seeds gave them
  std::map<std::uint64_t, std::map<std::string, std::string>> values;
  for (const auto& run : runs) {
    if (!run.succeeded()) continue;
    for (const auto& row : run.summary) {
      bool known = false;
      for (const auto& c : columns) known = known || c.metric == row.metric;
      if (!known) columns.push_back(row);
      values[run.seed][row.metric] = row.value;
    }
  }
  std::stable_partition(columns.begin(), columns.end(), [](const summary_row& c) { return c.role != "finding"; });
  std::vector<std::vector<std::string>> table{{"seed"}};
  for (const auto& c : columns) table[0].push_back(c.metric);
  for (const auto& run : runs) {
    std::vector<std::string> line{std::to_string(run.seed)};
    if (!run.succeeded()) {
      line.push_back("no result: " + run.outcome());
    } else {
      for (const auto& c : columns) {
        const auto& v = values[run.seed];
        const auto it = v.find(c.metric);
        line.push_back(it == v.end() ? "-" : it->second);
      }
    }
    table.push_back(std::move(line));
  }
  // A failed seed's line is its seed and why: it does not widen the columns.
  std::vector<std::size_t> width(table[0].size(), 0);
  for (const auto& line : table)
    if (line.size() == width.size())
      for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  std::printf("\n");
  std::string seeds_tsv;
  for (const auto& line : table) {
    std::string text = std::string(width[0] - std::min(width[0], line[0].size()), ' ') + line[0];
    for (std::size_t i = 1; i < line.size(); ++i)
      text += "  " + line[i] + (i + 1 < line.size() ? std::string(width[i] - line[i].size(), ' ') : "");
    std::printf("%s\n", text.c_str());
    for (std::size_t i = 0; i < line.size(); ++i) seeds_tsv += line[i] + (i + 1 < line.size() ? "\t" : "\n");
  }

  std::string findings_tsv;
  bool first = true;
  for (const auto& c : columns) {
    if (c.role != "finding") continue;
    std::vector<std::uint64_t> yes;
    std::size_t with = 0;
    for (const auto& run : runs) {
      const auto& v = values[run.seed];
      const auto it = v.find(c.metric);
      if (it == v.end()) continue;
      ++with;
      if (it->second == "yes") yes.push_back(run.seed);
    }
    std::string count = std::to_string(yes.size()) + " of " + std::to_string(with) + " seeds";
    if (!yes.empty()) count += " (" + seed_list(yes) + ")";
    if (first) std::printf("\n");
    first = false;
    std::printf("%s: %s; the tutorial: %s\n", c.metric.c_str(), count.c_str(), c.tutorial.c_str());
    findings_tsv += sweep.name + '\t' + c.metric + '\t' + count + '\t' + c.tutorial + '\n';
  }
  ctgraph::detail::write_atomically(sweep.out / "seeds.tsv", seeds_tsv,
                                                        (sweep.out / "seeds.tsv").string() + ": cannot save: ");
  ctgraph::detail::write_atomically(sweep.out / "findings.tsv", findings_tsv,
                                                        (sweep.out / "findings.tsv").string() + ": cannot save: ");
}

// The outcomes of this rank's seeds as lines of text for rank 0: "run", then its summary's "row"s and
// its log's "tail" lines; "signal" if a signal stopped this rank's sweep.
std::string pack(const std::vector<seed_run>& runs, const std::vector<std::size_t>& mine, int signal) {
  std::string text = "signal\t" + std::to_string(signal) + '\n';
  for (const std::size_t i : mine) {
    const auto& r = runs[i];
    text += "run\t" + std::to_string(i) + '\t' + std::to_string(int(r.state)) + '\t' + std::to_string(r.status) + '\t' +
            std::to_string(r.seconds) + '\t' + r.problem + '\n';
    for (const auto& row : r.summary)
      text += "row\t" + row.role + '\t' + row.metric + '\t' + row.value + '\t' + row.tutorial + '\n';
    std::istringstream lines(r.log_tail);
    for (std::string line; std::getline(lines, line);) text += "tail\t" + line + '\n';
  }
  return text;
}

// Another rank's pack() into runs; returns its signal.
int unpack(const std::string& text, std::vector<seed_run>& runs) {
  std::istringstream lines(text);
  seed_run* run = nullptr;
  int signal = 0;
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> field;
    std::istringstream fields(line);
    for (std::string f; std::getline(fields, f, '\t');) field.push_back(f);
    if (field.empty()) continue;
    if (field.size() == 2 && field[0] == "signal") signal = std::stoi(field[1]);
    if (field.size() >= 5 && field[0] == "run") {
      run = &runs.at(std::stoul(field[1]));
      run->state = decltype(run->state)(std::stoi(field[2]));
      run->status = std::stoi(field[3]);
      run->seconds = std::stod(field[4]);
      run->problem = field.size() > 5 ? field[5] : "";
    }
    if (run && field.size() == 5 && field[0] == "row") run->summary.push_back({field[1], field[2], field[3], field[4]});
    if (run && field[0] == "tail") run->log_tail += line.substr(5) + '\n';
  }
  return signal;
}

int sweep(const common_options& o, program_body body) {
  const char* name = o.name.c_str();
  const rank_group ranks;
  std::vector<seed_run> runs;
  std::vector<std::size_t> mine;  // this rank's share of runs
  for (std::size_t i = 0; i < o.seeds.size(); ++i) {
    seed_run run;
    run.seed = o.seeds[i];
    run.options = for_seed(o, o.seeds[i]);
    runs.push_back(std::move(run));
    if (i % std::size_t(ranks.size()) == std::size_t(ranks.rank())) mine.push_back(i);
  }
  const unsigned jobs = std::min<unsigned>(o.jobs, unsigned(mine.size()));
  const auto range = o.seeds.size() == 1 ? std::to_string(o.seeds[0])
                                         : std::to_string(o.seeds.front()) + "-" + std::to_string(o.seeds.back());
  const std::string on_rank = ranks.size() > 1 ? " (rank " + std::to_string(ranks.rank()) + ")" : "";
  if (ranks.rank() == 0) {
    if (ranks.size() > 1)
      std::printf("%s: seeds %s over %d ranks, %u at a time on each; each seed's output is in %s\n", name,
                  range.c_str(), ranks.size(), std::max(1u, std::min<unsigned>(o.jobs, unsigned(mine.size()))),
                  (o.out / "seed_K" / "log.txt").string().c_str());
    else
      std::printf("%s: seeds %s, %u at a time; each seed's output is in %s\n", name, range.c_str(), jobs,
                  (o.out / "seed_K" / "log.txt").string().c_str());
    std::fflush(stdout);
  }

  std::vector<pid_t> slots(jobs, 0);
  std::vector<std::size_t> slot_run(jobs, 0);
  sigset_t stop_signals, unblocked;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &stop_signals, &unblocked);
  worker_slots = slots.data();
  worker_slot_count = jobs;
  sweep_signal = 0;
  struct sigaction forward {
  }, old_int{}, old_term{};
  forward.sa_handler = &forward_to_workers;
  sigemptyset(&forward.sa_mask);
  sigaddset(&forward.sa_mask, SIGINT);
  sigaddset(&forward.sa_mask, SIGTERM);
  forward.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &forward, &old_int);
  ::sigaction(SIGTERM, &forward, &old_term);

  std::size_t next = 0, alive = 0;
  for (;;) {
    // Signals stay blocked here, so that a slot and the handler's view of it agree.
    while (alive < jobs && next < mine.size() && sweep_signal == 0) {
      auto& run = runs[mine[next++]];
      unsigned slot = 0;
      while (slots[slot] != 0) ++slot;
      try {
        run.started = std::chrono::steady_clock::now();
        slots[slot] = start_worker(run, body);
        slot_run[slot] = std::size_t(&run - runs.data());
        run.state = seed_run::running;
        ++alive;
      } catch (const std::exception& e) {
        run.state = seed_run::not_startable;
        run.problem = e.what();
        std::fprintf(stderr, "%s: seed %llu could not start: %s\n", name, static_cast<unsigned long long>(run.seed),
                     e.what());
      }
    }
    if (alive == 0) break;
    ::sigprocmask(SIG_SETMASK, &unblocked, nullptr);
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
    if (pid < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "%s: waitpid: %s\n", name, std::strerror(errno));
      break;
    }
    for (unsigned slot = 0; slot < jobs; ++slot) {
      if (slots[slot] != pid) continue;
      slots[slot] = 0;
      --alive;
      auto& run = runs[slot_run[slot]];
      run.state = seed_run::finished;
      run.status = status;
      run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run.started).count();
      if (run.succeeded())
        run.summary = read_summary(run.options.out / "summary.tsv");
      else
        run.log_tail = tail(run.log(), 4);
      std::printf("  seed %llu: %s, %.1f s%s\n", static_cast<unsigned long long>(run.seed),
                  run.succeeded() ? "done" : run.outcome().c_str(), run.seconds, on_rank.c_str());
      std::fflush(stdout);
    }
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  worker_slot_count = 0;
  worker_slots = nullptr;
  int signal = sweep_signal;
  ::sigprocmask(SIG_SETMASK, &unblocked, nullptr);

  // Rank 0 learns the other ranks' seeds; they are done.
  const auto packs = ranks.gather(pack(runs, mine, signal));
  for (int r = 1; r < int(packs.size()); ++r) signal = std::max(signal, unpack(packs[std::size_t(r)], runs));
  if (ranks.rank() != 0) {
    bool mine_ok = true;
    for (const std::size_t i : mine) mine_ok = mine_ok && runs[i].succeeded();
    return sweep_signal != 0 ? 128 + sweep_signal : mine_ok ? 0 : 1;
  }

  try {
    report(o, runs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 1;
  }
  bool all_ok = true;
  for (const auto& run : runs) {
    if (run.succeeded() || run.state == seed_run::not_started) continue;
    all_ok = false;
    std::fflush(stdout);
    if (run.state == seed_run::not_startable) continue;  // said when it happened
    std::fprintf(stderr, "%s: seed %llu %s (%s); the end of %s:\n%s", name, static_cast<unsigned long long>(run.seed),
                 signal != 0 ? "stopped" : "failed", run.outcome().c_str(), run.log().string().c_str(),
                 run.log_tail.empty() ? "    (nothing)\n" : run.log_tail.c_str());
  }
  if (signal != 0) {
    std::fflush(stdout);
    std::fprintf(stderr,
                 "%s: the sweep was interrupted by %s; each seed that was training wrote what it says in its log\n",
                 name, seed_run::sigabbrev(signal).c_str());
    return 128 + signal;
  }
  return all_ok ? 0 : 1;
}

}  // namespace

namespace {
// --data-parallel: the body on every rank of the mpirun (program::fit shards its rows); rank 0 alone
// prints and writes --out and --save, rank K writes its report to OUT/rank_K.
int run_data_parallel(common_options o, program_body body) {
  const rank_group ranks;
  if (!ranks.started()) {
    std::fprintf(stderr, "%s: --data-parallel: not started by mpirun (e.g. mpirun -n 2 %s --data-parallel)\n",
                 o.name.c_str(), o.name.c_str());
    return 2;
  }
  o.rank = ranks.rank(), o.ranks = ranks.size();
  if (o.rank > 0) {
    if (!std::freopen("/dev/null", "w", stdout)) return 1;
    o.out = o.out / ("rank_" + std::to_string(o.rank));
    o.save.clear();
    if (const int code = check_paths(o)) return code;
  } else {
    std::printf("data-parallel over %d ranks: %s\n", o.ranks,
                o.sync_every == 0 ? "gradients summed every step"
                                  : ("weights averaged every " + std::to_string(o.sync_every) + " steps").c_str());
  }
  const int code = run_body(body, o);
  std::fflush(stdout);
  return code;
}
}  // namespace

int run(int argc, char** argv, const command_line& line, program_body body) {
  const auto parsed = parse(argc, argv, line);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  const auto& options = std::get<common_options>(parsed);
  if (options.data_parallel) return run_data_parallel(options, body);
  if (options.seeds.empty()) return run_body(body, options);
  return sweep(options, body);
}

}  // namespace program
