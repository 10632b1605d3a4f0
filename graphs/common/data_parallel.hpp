// --data-parallel's training, for program::fit: this rank's shard of the training rows, trained with
// train/mpi.hpp's policy: the ranks' gradients summed every step or, with --sync-every K, local SGD.
// The ranks start from the same weights (the same --seed, or the same --load file).
#pragma once

#include <stdexcept>
#include <vector>

#include <ctgraph/train/fit.hpp>

#include "common/options.hpp"

#if CTGRAPH_MPI
#include <ctgraph/train/mpi.hpp>
#endif

namespace program {

template <class Model, class Loss, class Optimizer, class Metric, class Progress>
std::vector<ctgraph::epoch_stats> fit_data_parallel(Model& net, const common_options& o, const Loss& loss,
                                                    const Optimizer& optimizer, const ctgraph::dataset<float>& data,
                                                    const ctgraph::fit_options& options, Metric metric,
                                                    Progress&& progress) {
#if CTGRAPH_MPI
  const auto mine = ctgraph::shard(data, std::size_t(o.rank), std::size_t(o.ranks));
  if (o.sync_every == 0) {
    ctgraph::mpi_gradient_sum<Model> sync(mine.size());
    return ctgraph::fit(net, loss, optimizer, mine, options, metric, std::forward<Progress>(progress), sync);
  }
  ctgraph::mpi_local_sgd<Model> sync(o.sync_every, mine.size());
  auto history = ctgraph::fit(net, loss, optimizer, mine, options, metric, std::forward<Progress>(progress), sync);
  sync.finish(net);  // every rank ends with the same model
  return history;
#else
  (void)net, (void)o, (void)loss, (void)optimizer, (void)data, (void)options, (void)metric, (void)progress;
  throw std::logic_error("--data-parallel: this build has no MPI");  // parse refuses the flag first
#endif
}

}  // namespace program
