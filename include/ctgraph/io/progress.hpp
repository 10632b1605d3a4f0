// Keras-like training output: a live bar on a terminal, one plain line per
// epoch otherwise (logs, pipes, CI).
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

#include <unistd.h>

#include "ctgraph/train/fit.hpp"

namespace ctgraph {

class console_progress {
 public:
  explicit console_progress(std::size_t epochs, std::FILE* out = stdout)
      : epochs_(epochs), out_(out), live_(isatty(fileno(out)) != 0) {}

  void begin_epoch(std::size_t epoch, std::size_t batches) {
    epoch_ = epoch;
    batches_ = batches;
    if (live_) std::fprintf(out_, "Epoch %zu/%zu\n", epoch_, epochs_);
  }

  void batch_done(std::size_t batch, double loss, double accuracy) {
    // Redraw about 50 times an epoch: the terminal, not the step, is the slow part.
    if (!live_ || (batch != batches_ && batch % std::max<std::size_t>(1, batches_ / 50) != 0)) return;
    constexpr int width = 30;
    const int filled = int(double(width) * double(batch) / double(batches_));
    std::fprintf(out_, "\r%zu/%zu [%s%s] - loss: %.4g%s", batch, batches_, std::string(filled, '=').c_str(),
                 std::string(width - filled, '.').c_str(), loss, metric(accuracy).c_str());
    std::fflush(out_);
  }

  void end_epoch(const epoch_stats& s) {
    const std::string skipped = s.skipped ? " - skipped " + std::to_string(s.skipped) + " non-finite batches" : "";
    if (live_)
      std::fprintf(out_, " - %.2fs%s\n", s.seconds, skipped.c_str());
    else
      std::fprintf(out_, "Epoch %zu/%zu - %.2fs - loss: %.4g%s%s\n", s.epoch, epochs_, s.seconds, s.loss,
                   metric(s.accuracy).c_str(), skipped.c_str());
    std::fflush(out_);
  }

 private:
  static std::string metric(double accuracy) {
    if (std::isnan(accuracy)) return "";
    char text[32];
    std::snprintf(text, sizeof text, " - accuracy: %.4f", accuracy);
    return text;
  }
  std::size_t epochs_, epoch_ = 0, batches_ = 0;
  std::FILE* out_;
  bool live_;
};

}  // namespace ctgraph
