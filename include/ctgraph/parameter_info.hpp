// A parameter as weights files, checkpoints and summaries see it: its name, shape and place in the
// model's one flat parameter buffer. Plain values, so that the code reading and writing files is
// compiled once per scalar type, not once per model.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ctgraph {

struct parameter_info {
  std::string name;
  std::vector<std::size_t> shape;
  std::size_t offset;
  std::size_t size;
};

}  // namespace ctgraph
