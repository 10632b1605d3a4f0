// A block of simd<float>::lanes rows of C floats (C < lanes), held row after row in C vectors, as
// C vectors of one column each (lane l: row l's value), and back. A loss over rows of a few
// classes then runs down a class's column in whole vectors, with the block in registers: each
// result vector is put together from the C vectors, a permute into place under a lane mask for
// each one it takes lanes from (one instruction with AVX-512: at most C^2 a block).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ctgraph/detail/simd_math.hpp"

namespace ctgraph::detail {

/// Where each lane of a regrouped block comes from: vector `from` lanes[x] for the lanes x in mask.
template <std::size_t C, bool ToColumns>
struct regroup_table {
  static constexpr std::size_t L = simd<float>::lanes;
  static_assert(C >= 1 && C < L, "ctgraph: internal: a block's rows are narrower than a vector");
  alignas(64) std::int32_t lanes[C][C][L]{};  // [result vector][source vector][result lane]: source lane
  alignas(64) std::int32_t selects[C][C][L]{};  // -1 where the result lane comes from that source
  std::uint32_t mask[C][C]{};

  constexpr regroup_table() {
    for (std::size_t to = 0; to < C; ++to)
      for (std::size_t x = 0; x < L; ++x) {
        // The value's place in the block, row-major: column `to` of row x, or lane x of vector `to`.
        const std::size_t at = ToColumns ? x * C + to : to * L + x;
        const std::size_t from = ToColumns ? at / L : at % C, lane = ToColumns ? at % L : at / C;
        lanes[to][from][x] = std::int32_t(lane);
        selects[to][from][x] = -1;
        mask[to][from] |= 1u << x;
      }
  }
};

template <std::size_t C, bool ToColumns>
inline void regroup(const float_vector (&in)[C], float_vector (&out)[C]) {
  static constexpr regroup_table<C, ToColumns> table{};
  for (std::size_t to = 0; to < C; ++to) {
    float_vector r{};
    for (std::size_t from = 0; from < C; ++from) {
      if (table.mask[to][from] == 0) continue;
#if defined(__AVX512F__)
      r = float_vector(_mm512_mask_permutexvar_ps(__m512(r), __mmask16(table.mask[to][from]),
                                                  _mm512_load_si512(table.lanes[to][from]), __m512(in[from])));
#elif defined(__AVX2__)
      int_vector select;
      std::memcpy(&select, table.selects[to][from], sizeof select);
      const auto moved = float_vector(_mm256_permutevar8x32_ps(
          __m256(in[from]), _mm256_load_si256(reinterpret_cast<const __m256i*>(table.lanes[to][from]))));
      r = select != 0 ? moved : r;
#else
      for (std::size_t x = 0; x < simd<float>::lanes; ++x)
        if (table.selects[to][from][x] != 0) r[x] = in[from][table.lanes[to][from][x]];
#endif
    }
    out[to] = r;
  }
}

/// Row-major block (rows[k] lane m: row (k L + m) / C, column (k L + m) % C) to columns.
template <std::size_t C>
inline void rows_to_columns(const float_vector (&rows)[C], float_vector (&columns)[C]) {
  regroup<C, true>(rows, columns);
}

/// Columns (columns[j] lane l: row l, column j) to the row-major block.
template <std::size_t C>
inline void columns_to_rows(const float_vector (&columns)[C], float_vector (&rows)[C]) {
  regroup<C, false>(columns, rows);
}

}  // namespace ctgraph::detail
