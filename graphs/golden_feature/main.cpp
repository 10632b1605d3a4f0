// Runs the golden_feature tutorial's experiment: generate its data, train the
// attention network, and print what the tutorial reported beside what we get.
#include "common/program.hpp"
#include "golden_feature/golden_feature.hpp"

namespace gf = golden_feature;

namespace {
// The experiment with one seed's options (program::run calls it once, or once per seed of --seeds).
int train_and_report(const program::common_options& common) {
  const std::size_t epochs = common.epochs;
  const std::size_t samples = common.samples;

  using model_type = ctgraph::model<gf::graph_type, gf::batch>;
  ctgraph::summary<model_type>(std::cout, "golden_feature");

  const auto all = gf::make_data(samples, common.seed);
  const std::size_t test_size = std::max<std::size_t>(1, std::size_t(double(samples) * gf::test_fraction));
  const std::size_t train_size = samples - test_size;
  const ctgraph::csv_format format{.inputs = gf::features};
  const auto train = program::data_or(common.train, format, [&] { return ctgraph::rows(all, 0, train_size); });
  const auto test = program::data_or(common.test, format, [&] { return ctgraph::rows(all, train_size, samples); });

  std::printf("\nTraining on %zu samples, testing on %zu; batch %zu, Adam (Keras) lr %g, %zu epochs, seed %llu\n",
              train.size(), test.size(), gf::batch, gf::learning_rate, epochs,
              static_cast<unsigned long long>(common.seed));
  model_type net(common.seed);
  program::load_if_asked(net, common);
  const auto history =
      program::fit(net, common, ctgraph::binary_crossentropy{}, ctgraph::keras_adam(gf::learning_rate), train,
                   {.epochs = epochs, .shuffle = !common.no_shuffle, .seed = common.seed + 1},
                   ctgraph::binary_accuracy{}, ctgraph::console_progress(epochs));
  const auto result = ctgraph::evaluate(net, ctgraph::binary_crossentropy{}, test, ctgraph::binary_accuracy{});
  program::save_if_asked(net, common);
  std::printf("\nTrained %zu samples in %.2f s: %.0f samples/s\n", train.size() * epochs, program::seconds(history),
              double(train.size() * epochs) / program::seconds(history));

  const auto attention = ctgraph::mean_probe<"attention_vec">(net, test.x);
  const std::size_t peak = program::argmax(attention);

  program::results table("golden_feature");
  table.add("train accuracy, epoch 1", program::show(history.front().accuracy), "0.972");
  if (history.size() >= 2) table.add("train accuracy, epoch 2", program::show(history[1].accuracy), "1.000");
  table.add("train loss, epoch " + std::to_string(history.size()), program::show(history.back().loss, "%.2g"),
            "6.8e-6 (epoch 5)");
  table.key_metric("test accuracy", program::show(result.accuracy), "-");
  table.key_metric("attention on the golden feature", program::show(attention[gf::golden_index], "%.3f"),
                   "about 0.5");
  table.add("feature with the most attention", std::to_string(peak), "4 (the golden one)");
  table.finding("the golden feature gets the most attention", peak == gf::golden_index, "yes");
  table.print();

  std::printf("\nMean attention over the test set:\n");
  for (std::size_t j = 0; j < attention.size(); ++j)
    std::printf("  feature %2zu %s %.4f  %s\n", j, j == gf::golden_index ? "(golden)" : "        ", attention[j],
                std::string(std::size_t(attention[j] * 60 + 0.5), '#').c_str());

  program::write_attention_chart(common.out / "attention.png", "golden_feature: mean attention, test set", "feature",
                                 attention, gf::golden_index);
  program::write_loss_curve(common.out / "loss.png", "golden_feature: training loss", {{"attention net", history}});
  table.write(common);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return program::run(
      argc, argv,
      {.name = "golden_feature",
       .description = "golden_feature: one strong feature among 20, found by a softmax attention over the inputs",
       .csv_layout = "20 feature values, then the label (0 or 1)",
       .epochs = gf::epochs,
       .samples = gf::samples,
       .min_samples = 20,
       .samples_help = "samples generated; 10% are held out for test"},
      train_and_report);
}
