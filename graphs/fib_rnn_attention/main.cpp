// Runs the fib_rnn_attention tutorial's experiment: predict the next value of a
// scaled Fibonacci sequence with a SimpleRNN, alone and with temporal attention; and
// the same two nets with a GRU or an LSTM (--model gru, gru_attention, lstm, ..., all).
#include "fib_rnn_attention/train.hpp"

namespace {
// The experiment with one seed's options (program::run calls it once, or once per seed of --seeds).
int train_and_report(const program::common_options& common) {
  const std::size_t epochs = common.epochs;
  const std::string& which = common.model;

  const auto split = fib::make_split(common.seed);
  const ctgraph::csv_format format{.inputs = fib::steps};
  const auto train_set = program::data_or(common.train, format, [&] { return split.first; });
  const auto test_set = program::data_or(common.test, format, [&] { return split.second; });
  double mean = 0, mean_predictor = 0;
  for (float y : train_set.y) mean += y;
  mean /= double(train_set.size());
  for (float y : test_set.y) mean_predictor += (y - mean) * (y - mean);
  mean_predictor /= double(test_set.size());
  std::printf("Training on %zu windows, testing on %zu; batch 1, Adam (Keras) lr 0.001, MSE, %zu epochs, seed %llu\n",
              train_set.size(), test_set.size(), epochs, static_cast<unsigned long long>(common.seed));
  std::printf("Predicting the training mean gives test MSE %.3g: the data are nearly all zeros (SEEDS.md).\n\n",
              mean_predictor);

  // --model: baseline and attention are the tutorial's SimpleRNN nets, both is the two of them;
  // gru, lstm and their _attention forms put a GRU(2) or an LSTM(2) in its place; all is the six.
  const auto wanted = [&](std::string_view key) {
    if (which == "all" || which == key) return true;
    return which == "both" && (key == "baseline" || key == "attention");
  };
  std::optional<outcome> baseline, attention;
  std::vector<std::pair<std::string, outcome>> others;  // GRU and LSTM nets, in the order trained
  if (wanted("baseline")) baseline = train<fib::baseline_type, false>(train_set, test_set, epochs, common, "fib_rnn");
  if (wanted("attention"))
    attention = train<fib::attention_type, true>(train_set, test_set, epochs, common, "fib_rnn_attention");
  if (wanted("gru"))
    others.emplace_back("GRU", train<fib::gru_baseline_type, false>(train_set, test_set, epochs, common, "fib_gru"));
  if (wanted("gru_attention"))
    others.emplace_back("GRU + attention", train<fib::gru_attention_type, true>(train_set, test_set, epochs, common,
                                                                                "fib_gru_attention"));
  if (wanted("lstm"))
    others.emplace_back("LSTM",
                        train<fib::lstm_baseline_type, false>(train_set, test_set, epochs, common, "fib_lstm"));
  if (wanted("lstm_attention"))
    others.emplace_back("LSTM + attention", train<fib::lstm_attention_type, true>(train_set, test_set, epochs, common,
                                                                                  "fib_lstm_attention"));

  program::results table("fib_rnn_attention");
  if (baseline) {
    table.add("RNN: train MSE", program::show(baseline->train_mse, "%.3g"), "5.63e-5");
    table.key_metric("RNN: test MSE", program::show(baseline->test_mse, "%.3g"), "2.62e-5");
  }
  if (attention) {
    table.add("RNN + attention: train MSE", program::show(attention->train_mse, "%.3g"), "5.35e-5");
    table.key_metric("RNN + attention: test MSE", program::show(attention->test_mse, "%.3g"), "9.05e-6");
  }
  for (const auto& [label, o] : others) {
    table.add(label + ": train MSE", program::show(o.train_mse, "%.3g"), "-");
    table.key_metric(label + ": test MSE", program::show(o.test_mse, "%.3g"), "-");
  }
  table.add("test MSE of the training mean", program::show(mean_predictor, "%.3g"), "-");
  if (baseline && attention)
    table.finding("attention lowers the test error", attention->test_mse < baseline->test_mse, "yes");
  // With --model all: the same claim for the GRU and the LSTM (not the tutorial's; README counts them).
  const auto test_mse_of = [&](const std::string& label) -> std::optional<double> {
    for (const auto& [l, o] : others)
      if (l == label) return o.test_mse;
    return std::nullopt;
  };
  for (const std::string cell : {"GRU", "LSTM"}) {
    const auto alone = test_mse_of(cell), with = test_mse_of(cell + " + attention");
    if (alone && with) table.finding("attention lowers the test error (" + cell + ")", *with < *alone, "-");
  }
  table.print();

  std::vector<std::pair<std::string, std::vector<ctgraph::epoch_stats>>> runs;
  if (baseline) runs.emplace_back("SimpleRNN", baseline->history);
  if (attention) runs.emplace_back("SimpleRNN + attention", attention->history);
  for (const auto& [label, o] : others) runs.emplace_back(label, o.history);
  program::write_loss_curve(common.out / "loss.png", "fib_rnn_attention: training loss (MSE)", runs);
  // The chart of the SimpleRNN's attention, or else of the first attention net trained.
  const outcome* charted = attention ? &*attention : nullptr;
  for (const auto& [label, o] : others)
    if (!charted && !o.attention.empty()) charted = &o;
  if (charted)
    program::write_attention_chart(common.out / "attention.png", "fib_rnn_attention: mean attention per step",
                                   "time step", charted->attention);
  table.write(common);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return program::run(
      argc, argv,
      {.name = "fib_rnn_attention",
       .description =
           "fib_rnn_attention: the next Fibonacci value from the 20 before it, SimpleRNN with and without attention",
       .csv_layout = "20 consecutive values, then the next one",
       .epochs = fib::epochs,
       .two_nets = true,
       .models = {"baseline", "attention", "both", "gru", "gru_attention", "lstm", "lstm_attention", "all"}},
      train_and_report);
}
