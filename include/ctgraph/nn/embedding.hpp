// Embedding (Keras and PyTorch): each token id becomes a learned vector
//   ids: [...] token ids from 0 to Vocab - 1, held as numbers in the input
//   embeddings: [Vocab, Dim] U(-0.05, 0.05) (Keras' default)   y: [..., Dim]
#pragma once

#include "ctgraph/nn/init.hpp"
#include "ctgraph/ops/embedding.hpp"
#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/param.hpp"

namespace ctgraph {

struct embedding_kind {
  static constexpr std::string_view type_name = "Embedding", prefix = "embedding";
};

/// A table of Vocab vectors of Dim, looked up by the ids of `ids`: embedding<1000, 16>(input<40>).
template <std::size_t Vocab, std::size_t Dim, fixed_string Name = "", node Ids, class Init = random_uniform<>>
constexpr auto embedding(Ids ids, Init = {}) {
  // A gradient cannot flow into an id: the ids must be the model's input (or a slice of it), not a computed value.
  static_assert(!needs_grad<Ids>, "ctgraph: embedding<vocab, dim>(ids): ids must be token ids from the input, "
                                  "not a value computed from parameters");
  static_assert(Vocab > 0 && Dim > 0, "ctgraph: embedding<vocab, dim>: vocab and dim must be at least 1");
  if constexpr (needs_grad<Ids>) {
    return ids;
  } else {
    using owner = std::conditional_t<Name.empty(), anonymous_owner<embedding_kind, detail::type_hash<Ids>(), shape<Vocab, Dim>>,
                                     named_owner<Name>>;
    using table = param_node<owner, "embeddings", shape<Vocab, Dim>, Init>;
    return layer_node<embedding_kind, owner, embedding_node<Ids, table>>{};
  }
}

}  // namespace ctgraph
