// Runs the iris_qkv tutorial's experiment: Iris with element-wise q/k/v attention,
// beside the plain linear baseline, both trained as the tutorial sets out.
#include "iris_qkv/train.hpp"

#ifndef CTGRAPH_SOURCE_DIR
#define CTGRAPH_SOURCE_DIR "."
#endif

namespace {
// The experiment with one seed's options (program::run calls it once, or once per seed of --seeds).
int train_and_report(const program::common_options& common) {
  const std::size_t epochs = common.epochs;
  const std::string& which = common.model;
  const std::filesystem::path& data_file = common.data;

  const ctgraph::csv_format format{
      .inputs = iq::features, .targets = 1, .class_names = {"setosa", "versicolor", "virginica"}};
  const auto all = ctgraph::read_csv<float>(data_file, format);
  if (all.size() < 10)
    throw std::runtime_error(data_file.string() + " has " + std::to_string(all.size()) +
                             " rows: too few to split 80/10/10");
  auto data = iq::split_data(all, common.seed);
  if (!common.train.empty())
    data.train = program::data_or(common.train, format, [] { return ctgraph::dataset<float>{}; });
  if (!common.test.empty())
    data.test = program::data_or(common.test, format, [] { return ctgraph::dataset<float>{}; });
  std::printf(
      "Iris: %zu train, %zu validation, %zu test; full batch, Adam (PyTorch) lr %g, weight decay %g, %zu epochs\n\n",
      data.train.size(), data.validation.size(), data.test.size(), iq::learning_rate, iq::weight_decay, epochs);

  std::optional<outcome> attention, baseline;
  if (which != "baseline") attention = train<iq::attention_type>(data, epochs, common, "iris_qkv attention net");
  if (which != "attention") baseline = train<iq::baseline_type>(data, epochs, common, "iris_qkv linear baseline");

  program::results table("iris_qkv");
  const auto rows = [&](const char* net, const outcome& o, const char* reported_accuracy[3],
                        const char* reported_loss[3]) {
    const ctgraph::evaluation* parts[3] = {&o.train, &o.validation, &o.test};
    const char* names[3] = {"train", "validation", "test"};
    for (int i = 0; i < 3; ++i) {
      const auto metric = std::string(net) + ": " + names[i] + " accuracy";
      const auto accuracy = program::show(parts[i]->accuracy, "%.3f");
      if (i == 2)  // the test accuracy is the seed's headline
        table.key_metric(metric, accuracy, reported_accuracy[i]);
      else
        table.add(metric, accuracy, reported_accuracy[i]);
      table.add(std::string(net) + ": " + names[i] + " loss", program::show(parts[i]->loss, "%.3f"),
                reported_loss[i]);
    }
  };
  if (attention) {
    const char* accuracy[3] = {"0.99", "1.0", "0.93"};
    const char* loss[3] = {"0.56", "0.55", "0.61"};
    rows("attention", *attention, accuracy, loss);
    // Some seeds stay at chance (SEEDS.md); 0.9: 14 of 15 test flowers, as the tutorial's 0.93.
    table.finding("attention net: test accuracy 0.9 or more", attention->test.accuracy >= 0.9, "yes (0.93)");
  }
  if (baseline) {
    const char* accuracy[3] = {"0.649 (plateau)", "-", "-"};
    const char* loss[3] = {"0.669 (plateau)", "-", "-"};
    rows("linear", *baseline, accuracy, loss);
  }
  table.print();
  std::printf("(Cross-entropy over sigmoid outputs cannot go below about 0.5514.)\n");

  std::vector<std::pair<std::string, std::vector<ctgraph::epoch_stats>>> runs;
  if (attention) runs.emplace_back("attention net", attention->history);
  if (baseline) runs.emplace_back("linear baseline", baseline->history);
  program::write_loss_curve(common.out / "loss.png", "iris_qkv: training loss (cross-entropy)", runs);
  if (attention)
    program::write_attention_chart(common.out / "attention.png", "iris_qkv: atten_1 mean attention, test set",
                                   "unit of atten_1", attention->attention);
  table.write(common);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return program::run(
      argc, argv,
      {.name = "iris_qkv",
       .description = "iris_qkv: Iris with element-wise query/key/value attention, and a linear baseline",
       .csv_layout = "4 measurements, then the species (its name or 0-2)",
       .epochs = iq::epochs,
       .max_epochs = 1'000'000,
       .two_nets = true,
       .data = std::filesystem::path(CTGRAPH_SOURCE_DIR) / "data" / "iris.csv"},
      train_and_report);
}
