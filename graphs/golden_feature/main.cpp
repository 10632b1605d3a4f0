// Runs the golden_feature tutorial's experiment: generate its data, train the
// attention network, and print what the tutorial reported beside what we get.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "golden_feature/golden_feature.hpp"

namespace gf = golden_feature;

int main(int argc, char** argv) {
  std::size_t epochs = gf::epochs, samples = gf::samples;
  std::uint64_t seed = 1;
  CLI::App app{"golden_feature: one strong feature among 20, found by a softmax attention over the inputs"};
  app.add_option("--epochs", epochs, "training epochs")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--samples", samples, "samples generated; 10% are held out for test")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{20}, std::size_t{100'000'000}));
  app.add_option("--seed", seed, "seed of the data, the initial weights and the shuffles")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "golden_feature: " << e.what() << "\nRun with --help for the options.\n";
    return 2;
  }

  using model_type = ctgraph::model<gf::graph_type, gf::batch>;
  ctgraph::summary<model_type>(std::cout, "golden_feature");

  const auto all = gf::make_data(samples, seed);
  const std::size_t test_size = std::max<std::size_t>(1, std::size_t(double(samples) * gf::test_fraction));
  const std::size_t train_size = samples - test_size;
  const auto train = ctgraph::rows(all, 0, train_size);
  const auto test = ctgraph::rows(all, train_size, samples);

  std::printf("\nTraining on %zu samples, testing on %zu; batch %zu, Adam (Keras) lr %g, %zu epochs, seed %llu\n",
              train_size, test_size, gf::batch, gf::learning_rate, epochs, static_cast<unsigned long long>(seed));
  model_type net(seed);
  const auto history = ctgraph::fit(net, ctgraph::binary_crossentropy{}, ctgraph::keras_adam(gf::learning_rate), train,
                                    {.epochs = epochs, .seed = seed + 1}, ctgraph::binary_accuracy{},
                                    ctgraph::console_progress(epochs));
  const auto result = ctgraph::evaluate(net, ctgraph::binary_crossentropy{}, test, ctgraph::binary_accuracy{});

  double seconds = 0;
  for (const auto& h : history) seconds += h.seconds;
  std::printf("\nTrained %zu samples in %.2f s: %.0f samples/s\n", train_size * epochs, seconds,
              double(train_size * epochs) / seconds);

  std::printf("\n%-32s %14s %14s\n", "", "ctgraph", "tutorial");
  std::printf("%-32s %14.4f %14s\n", "train accuracy, epoch 1", history.front().accuracy, "0.972");
  if (history.size() >= 2) std::printf("%-32s %14.4f %14s\n", "train accuracy, epoch 2", history[1].accuracy, "1.000");
  std::printf("%-32s %14.3g %14s\n", ("train loss, epoch " + std::to_string(history.size())).c_str(),
              history.back().loss, "6.8e-6 (ep. 5)");
  std::printf("%-32s %14.4f %14s\n", "test accuracy", result.accuracy, "-");
  std::printf("%-32s %14.3g %14s\n", "test loss", result.loss, "-");

  const auto attention = ctgraph::mean_probe<"attention_vec">(net, test.x);
  std::printf("\nMean attention over the test set (the tutorial: the golden feature takes about 0.5):\n");
  std::size_t peak = 0;
  for (std::size_t j = 0; j < attention.size(); ++j) {
    if (attention[j] > attention[peak]) peak = j;
    std::printf("  feature %2zu %s %.4f  %s\n", j, j == gf::golden_index ? "(golden)" : "        ", attention[j],
                std::string(std::size_t(attention[j] * 60 + 0.5), '#').c_str());
  }
  std::printf("Largest attention: feature %zu (%s the golden feature), %.3f of the total\n", peak,
              peak == gf::golden_index ? "is" : "is NOT", attention[peak]);
  return 0;
}
