// x = the model's input    x: [Dims...] per sample
// No backward: nothing below an input to send a gradient to.
#pragma once

#include "ctgraph/fixed_string.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

// Name is given only to a named input: compilers print the arguments that were written.
template <class Shape, fixed_string... Name>
struct input_node {
  using shape = Shape;
  using children = type_list<>;
  static constexpr bool is_input = true;
  static constexpr std::string_view name = [] {
    if constexpr (sizeof...(Name) == 0)
      return std::string_view{};
    else
      return (Name.view(), ...);
  }();
  static constexpr std::string_view type_name = "InputLayer";
  static constexpr std::size_t flops = 0;
};

/// The graph's input, one sample of shape [Dims...]: `constexpr auto x = input<20>;`
template <std::size_t... Dims>
inline constexpr input_node<shape<Dims...>> input{};

/// One of several inputs, named: `named_input<"left", 20>`; the model fills it through input<"left">().
template <fixed_string Name, std::size_t... Dims>
inline constexpr std::conditional_t<Name.empty(), input_node<shape<Dims...>>, input_node<shape<Dims...>, Name>>
    named_input{};

}  // namespace ctgraph
