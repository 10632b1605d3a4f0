// ctgraph: a neural network as a C++ type. The one include a user needs: it needs
// xtensor, xtensor-blas and OpenBLAS only. Charts (PLplot) are ctgraph/io/plot.hpp.
#pragma once

#include "ctgraph/fixed_string.hpp"
#include "ctgraph/node.hpp"
#include "ctgraph/shape.hpp"

#include "ctgraph/ops/affine.hpp"
#include "ctgraph/ops/binary.hpp"
#include "ctgraph/ops/input.hpp"
#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/matmul.hpp"
#include "ctgraph/ops/param.hpp"
#include "ctgraph/ops/simple_rnn.hpp"
#include "ctgraph/ops/softmax.hpp"
#include "ctgraph/ops/step.hpp"
#include "ctgraph/ops/sum.hpp"
#include "ctgraph/ops/unary.hpp"

#include "ctgraph/nn/activation.hpp"
#include "ctgraph/nn/dense.hpp"
#include "ctgraph/nn/init.hpp"
#include "ctgraph/nn/simple_rnn.hpp"

#include "ctgraph/train/fit.hpp"
#include "ctgraph/train/losses/binary_crossentropy.hpp"
#include "ctgraph/train/losses/categorical_crossentropy.hpp"
#include "ctgraph/train/losses/huber.hpp"
#include "ctgraph/train/losses/mean_absolute_error.hpp"
#include "ctgraph/train/losses/mean_squared_error.hpp"
#include "ctgraph/train/losses/softmax_cross_entropy.hpp"
#include "ctgraph/train/metrics.hpp"
#include "ctgraph/train/model.hpp"
#include "ctgraph/train/optimizers/adam.hpp"
#include "ctgraph/train/optimizers/sgd.hpp"
#include "ctgraph/train/summary.hpp"

#include "ctgraph/io/folder.hpp"
#include "ctgraph/io/progress.hpp"
#include "ctgraph/io/csv.hpp"
#include "ctgraph/io/npz.hpp"
