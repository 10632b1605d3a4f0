// The two networks SimpleChains.jl publishes timings for (its README and its authors'
// matrix-exponential example), written in ctgraph, so that our efficiency (FLOP/s per
// core over the FMA peak) can be set beside theirs. Their CPUs are not ours: compare
// efficiency, not seconds.
//   mlp_24_8_2:     24 -> 8 tanh (bias) -> 2 identity (no bias), squared loss, Float64,
//                   gradient (valgrad!) of a batch of 200: 5.66 us in SimpleChains' README
//                   (which adds a dropout between the layers; ctgraph has none yet)
//   mlp_4_32_16_4:  4 -> 32 tanh -> 16 tanh -> 4, squared loss, Float32, Adam over
//                   10,000 samples a step (train_unbatched!): 41 us per step as cited
#pragma once

#include <ctgraph/ctgraph.hpp>

namespace simple_chains {

using namespace ctgraph;

inline constexpr auto mlp_24_8_2 = matmul(dense<8, "hidden">(input<24>, activation::tanh),
                                          param<"output", "kernel", shape<8, 2>>(glorot_uniform{}));
inline constexpr std::size_t mlp_24_8_2_batch = 200;
inline constexpr double mlp_24_8_2_published_us = 5.66;

inline constexpr auto mlp_4_32_16_4 =
    dense<4, "output">(dense<16, "hidden_2">(dense<32, "hidden_1">(input<4>, activation::tanh), activation::tanh));
inline constexpr std::size_t mlp_4_32_16_4_batch = 10'000;
inline constexpr double mlp_4_32_16_4_published_us = 41.0;

}  // namespace simple_chains
