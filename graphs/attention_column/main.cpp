// Runs the attention_column tutorial's experiment: the label is copied into
// input column 1; the softmax attention over the 32 inputs should find it.
#include "attention_column/attention_column.hpp"
#include "common/program.hpp"

namespace ac = attention_column;

namespace {
// The experiment with one seed's options (program::run calls it once, or once per seed of --seeds).
int train_and_report(const program::common_options& common) {
  const std::size_t epochs = common.epochs;
  const std::size_t samples = common.samples;

  using model_type = ctgraph::model<ac::graph_type, ac::batch>;
  ctgraph::summary<model_type>(std::cout, "attention_column");
  const auto all = ac::make_data(samples, common.seed);
  const ctgraph::csv_format format{.inputs = ac::features};
  const auto train = program::data_or(common.train, format, [&] { return ctgraph::rows(all, 0, samples / 2); });
  const auto validation =
      program::data_or(common.test, format, [&] { return ctgraph::rows(all, samples / 2, samples); });

  std::printf(
      "\nTraining on %zu samples, validating on %zu; batch %zu, Adam (Keras) lr 0.001, %zu epochs, seed %llu\n",
      train.size(), validation.size(), ac::batch, epochs, static_cast<unsigned long long>(common.seed));
  model_type net(common.seed);
  program::load_if_asked(net, common);
  const auto history = program::fit(net, common, ctgraph::binary_crossentropy{}, ctgraph::keras_adam(), train,
                                    {.epochs = epochs, .shuffle = !common.no_shuffle, .seed = common.seed + 1},
                                    ctgraph::binary_accuracy{}, ctgraph::console_progress(epochs));
  program::save_if_asked(net, common);
  const auto result = ctgraph::evaluate(net, ctgraph::binary_crossentropy{}, validation, ctgraph::binary_accuracy{});

  // The tutorial shows the attention of one new sample.
  const auto fresh = ac::make_data(1, common.seed + 1000);
  const auto attention = ctgraph::mean_probe<"attention_vec">(net, fresh.x);
  const std::size_t peak = program::argmax(attention);

  program::results table("attention_column");
  table.key_metric("validation accuracy", program::show(result.accuracy), "-");
  table.key_metric("column with the most attention", std::to_string(peak), "1 (the label)");
  table.finding("the label's column gets the most attention", peak == ac::label_column, "yes");
  table.add("attention on column 1", program::show(attention[ac::label_column], "%.3f"), "-");
  table.print();
  std::printf("\nAttention of a new sample over the 32 columns (the label is in column 1):\n");
  for (std::size_t j = 0; j < attention.size(); ++j)
    std::printf("  column %2zu %s %.4f  %s\n", j, j == ac::label_column ? "(label)" : "       ", attention[j],
                std::string(std::size_t(attention[j] * 60 + 0.5), '#').c_str());

  program::write_attention_chart(common.out / "attention.png", "attention_column: attention of a new sample",
                                 "column", attention, ac::label_column);
  program::write_loss_curve(common.out / "loss.png", "attention_column: training loss", {{"attention net", history}});
  table.write(common);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return program::run(
      argc, argv,
      {.name = "attention_column",
       .description = "attention_column: the label copied into one input column, found by a softmax attention",
       .csv_layout = "32 values, then the label (0 or 1)",
       .epochs = ac::epochs,
       .samples = ac::samples,
       .min_samples = 4,
       .samples_help = "samples generated; the second half is held out for validation"},
      train_and_report);
}
