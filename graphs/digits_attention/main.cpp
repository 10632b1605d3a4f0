// Runs the digits_attention tutorial's experiment: learn |abc - def| from six
// digits, then see which digit positions the relu attention weighs most.
#include "common/program.hpp"
#include "digits_attention/digits_attention.hpp"

namespace da = digits_attention;

namespace {
// The experiment with one seed's options (program::run calls it once, or once per seed of --seeds).
int train_and_report(const program::common_options& common) {
  const std::size_t epochs = common.epochs;
  const std::size_t samples = common.samples;

  using model_type = ctgraph::model<da::graph_type, da::batch>;
  ctgraph::summary<model_type>(std::cout, "digits_attention");
  const ctgraph::csv_format format{.inputs = da::digits};
  const auto train = program::data_or(common.train, format, [&] { return da::make_data(samples, common.seed); });
  const auto test =
      program::data_or(common.test, format, [&] { return da::make_data(da::test_samples, common.seed + 1000); });

  std::printf(
      "\nTraining on %zu samples, testing on %zu new ones; batch %zu, Adam (Keras) lr 0.001, MSE, %zu epochs\n",
      train.size(), test.size(), da::batch, epochs);
  model_type net(common.seed);
  program::load_if_asked(net, common);
  const auto history = program::fit(net, common, ctgraph::mean_squared_error{}, ctgraph::keras_adam(), train,
                                    {.epochs = epochs, .shuffle = !common.no_shuffle, .seed = common.seed + 1},
                                    ctgraph::no_metric{}, ctgraph::console_progress(epochs));
  program::save_if_asked(net, common);
  const auto result = ctgraph::evaluate(net, ctgraph::mean_squared_error{}, test);
  std::printf("\nTrained %zu samples in %.2f s: %.0f samples/s\n", train.size() * epochs, program::seconds(history),
              double(train.size() * epochs) / program::seconds(history));

  double mean = 0, variance = 0;
  for (float y : test.y) mean += y;
  mean /= double(test.size());
  for (float y : test.y) variance += (y - mean) * (y - mean);
  variance /= double(test.size());

  // The tutorial: mean attention over the data, normalised to sum 1.
  auto attention = ctgraph::mean_probe<"dense_1">(net, train.x);
  double total = 0;
  for (double a : attention) total += a;
  for (double& a : attention) a = total > 0 ? a / total : 0;
  std::vector<std::size_t> order{0, 1, 2, 3, 4, 5};
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return attention[a] > attention[b]; });
  const bool hundreds_first = (order[0] == 0 && order[1] == 3) || (order[0] == 3 && order[1] == 0);

  program::results table("digits_attention");
  table.key_metric("test MSE", program::show(result.loss, "%.3g"), "-");
  table.add("label variance (MSE of the mean)", program::show(variance, "%.3g"), "-");
  std::string top = "positions " + std::to_string(order[0] + 1) + ", " + std::to_string(order[1] + 1);
  table.key_metric("two largest attentions (from 1)", top, "1, 4 (hundreds)");
  table.finding("hundreds digits get the most attention", hundreds_first, "yes");
  table.print();
  std::printf("\nMean attention per digit position (normalised to sum 1; positions 1 and 4 are the hundreds):\n");
  for (std::size_t j = 0; j < attention.size(); ++j)
    std::printf("  position %zu  %.4f  %s\n", j + 1, attention[j],
                std::string(std::size_t(attention[j] * 60 + 0.5), '#').c_str());

  program::write_attention_chart(common.out / "attention.png", "digits_attention: mean attention per position",
                                 "digit position", attention, {}, 1);
  program::write_loss_curve(common.out / "loss.png", "digits_attention: training loss (MSE)",
                            {{"attention MLP", history}});
  table.write(common);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return program::run(argc, argv,
                      {.name = "digits_attention",
                       .description = "digits_attention: |abc - def| from six digits through an attention MLP",
                       .csv_layout = "6 digits divided by 10, then |abc - def| / 1000",
                       .epochs = da::epochs,
                       .samples = da::samples,
                       .samples_help = "training samples generated (a fresh 30,000 are the test set)"},
                      train_and_report);
}
