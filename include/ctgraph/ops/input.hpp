// x = the model's input    x: [Dims...] per sample
// No backward: nothing below an input to send a gradient to.
#pragma once

#include "ctgraph/node.hpp"

namespace ctgraph {

template <class Shape>
struct input_node {
  using shape = Shape;
  using children = type_list<>;
  static constexpr bool is_input = true;
  static constexpr std::string_view type_name = "InputLayer";
  static constexpr std::size_t flops = 0;
};

/// The graph's input, one sample of shape [Dims...]: `constexpr auto x = input<20>;`
template <std::size_t... Dims>
inline constexpr input_node<shape<Dims...>> input{};

}  // namespace ctgraph
