// y[..., :] = table[ids[...], :], a row of the table per id    ids: [...] (token ids, as numbers)
//   table: [Vocab, Dim]   y: [..., Dim]
// backward: dtable[ids[...], :] += g[..., :]; ids get no gradient (they are not a function of anything)
#pragma once

#include <cstdint>

#include <stdexcept>
#include <string>

#include "ctgraph/node.hpp"

namespace ctgraph {

namespace detail {
template <class S, std::size_t Last>
struct append_dim {
  constexpr std::array<std::size_t, S::rank + 1> operator()() const {
    std::array<std::size_t, S::rank + 1> out{};
    for (std::size_t d = 0; d < S::rank; ++d) out[d] = S::dims[d];
    out[S::rank] = Last;
    return out;
  }
};
}  // namespace detail

template <node Ids, node Table>
struct embedding_node {
  static constexpr std::size_t vocab = Table::shape::dims[0], dim = Table::shape::dims[1];
  using shape = detail::shape_from<Ids::shape::rank + 1, detail::append_dim<typename Ids::shape, dim>>;
  using children = type_list<Ids, Table>;
  static constexpr std::string_view type_name = "Embedding";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = shape::size;
  template <class... C>
  using with_children = embedding_node<C...>;

  [[noreturn, gnu::cold, gnu::noinline]] static void bad_id(double id, std::size_t k) {
    throw std::out_of_range("ctgraph: embedding: id " + std::to_string(id) + " (value " + std::to_string(k) +
                            " of the batch) is not a whole number from 0 to " + std::to_string(vocab - 1));
  }
  template <class Ctx>
  static std::size_t row_of(const Ctx& c, std::size_t k) {
    using S = typename Ctx::scalar;
    const S id = c.template load<Ids>(k);
    // An id outside the table would read past it: refused, naming it (a float holds every id below 2^24 exactly).
    // In range first, so that the conversion to 32 bits is defined (cheaper than to 64 without AVX-512).
    const bool in_table = id >= 0 && id < S(vocab) && id < S(4294967296.0);
    const std::uint32_t row = in_table ? std::uint32_t(id) : 0;
    if (!in_table || S(row) != id) bad_id(double(id), k);
    return row;
  }
  template <class Ctx>
  static void forward(const Ctx& c) {
    const auto* table = c.template value<Table>();
    auto* y = c.template value<embedding_node>();
    for (std::size_t k = 0; k < Ctx::template full<Ids>::size; ++k) {
      const auto* row = table + row_of(c, k) * dim;
      for (std::size_t j = 0; j < dim; ++j) y[k * dim + j] = row[j];
    }
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    const auto* g = c.template grad<embedding_node>();
    auto* dtable = c.template grad<Table>();
    for (std::size_t k = 0; k < Ctx::template full<Ids>::size; ++k) {
      auto* row = dtable + row_of(c, k) * dim;
      for (std::size_t j = 0; j < dim; ++j) row[j] += g[k * dim + j];
    }
  }
};

}  // namespace ctgraph
