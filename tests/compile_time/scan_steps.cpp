// A GRU, an LSTM and a user's cell over STEPS steps, trained for one step: compiled at
// STEPS = 20 and STEPS = 200 by check.sh, which requires the two compile times within 50%.
#include <ctgraph/ctgraph.hpp>

#ifndef STEPS
#define STEPS 20
#endif

using namespace ctgraph;

constexpr auto x = input<STEPS, 3>;
constexpr auto w = param<"cell", "kernel", shape<3, 8>>(glorot_uniform{});
constexpr auto u = param<"cell", "recurrent_kernel", shape<8, 8>>(orthogonal{});
constexpr auto g = dense<1>(gru<8>(lstm<8>(scan<shape<8>>(x, [](auto xt, auto h) {
  return ctgraph::tanh(matmul(xt, w) + matmul(h, u));
}, return_sequences), return_sequences)));

int main() {
  model<std::remove_const_t<decltype(g)>, 4> net(1);
  return net.train_step(mean_squared_error{}, keras_adam()) >= 0 ? 0 : 1;
}
