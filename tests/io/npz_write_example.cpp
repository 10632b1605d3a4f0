// Writes a weights file for tests/io/check_numpy_reads.py to open with numpy:
// golden_feature's parameters from a seed, through save_weights, and beside it
// FILE.json listing what numpy must find (name, dtype, shape, values), so that
// "numpy reads what ctgraph writes" is checked by numpy itself.
//   npz_write_example FILE.npz [float|double] [seed]
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include "ctgraph/io/weights.hpp"
#include "golden_feature/golden_feature.hpp"

namespace {

template <class Scalar>
void write(const std::string& file, std::uint64_t seed) {
  const ctgraph::model<golden_feature::graph_type, 1, Scalar> model(seed);
  ctgraph::save_weights(model, file);

  // Shortest digits that read back to the same Scalar: 9 significant for float, 17 for double.
  const char* format = sizeof(Scalar) == 4 ? "%.9g" : "%.17g";
  std::ofstream json(file + ".json");
  json << "{\"arrays\": [\n";
  const auto table = model.parameter_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& p = table[i];
    json << "  {\"name\": \"" << p.name << "\", \"dtype\": \"" << (sizeof(Scalar) == 4 ? "<f4" : "<f8")
         << "\", \"shape\": [";
    for (std::size_t d = 0; d < p.shape.size(); ++d) json << (d ? ", " : "") << p.shape[d];
    json << "], \"values\": [";
    for (std::size_t j = 0; j < p.size; ++j) {
      char number[40];
      std::snprintf(number, sizeof number, format, double(model.parameters()[p.offset + j]));
      json << (j ? ", " : "") << number;
    }
    json << "]}" << (i + 1 < table.size() ? "," : "") << "\n";
  }
  json << "]}\n";
  if (!json.flush()) throw std::runtime_error(file + ".json: cannot write");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4 || (argc >= 3 && std::string(argv[2]) != "float" && std::string(argv[2]) != "double")) {
    std::fprintf(stderr, "usage: %s FILE.npz [float|double] [seed]\n", argv[0]);
    return 2;
  }
  const std::uint64_t seed = argc == 4 ? std::strtoull(argv[3], nullptr, 10) : 1;
  try {
    if (argc >= 3 && std::string(argv[2]) == "double") write<double>(argv[1], seed);
    else write<float>(argv[1], seed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "npz_write_example: %s\n", e.what());
    return 1;
  }
  return 0;
}
