// Weights files: a model's parameters as a NumPy .npz archive (npz.hpp), one
// array per parameter named as parameter_table() names it ("dense_1.kernel",
// kernels (in, out)), so that Python reads and writes them with np.load and
// np.savez, with no converter in between. Loading changes the model only after
// the whole file has been read and checked, because a half-loaded file gives a
// model that is silently wrong; saving is atomic.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "ctgraph/detail/compiled.hpp"
#include "ctgraph/io/npz.hpp"
#include "ctgraph/parameter_info.hpp"

namespace ctgraph {

namespace detail {
/// One .npz array per parameter, laid out in `parameters` as `table` says: a weights file's arrays,
/// and the first of a checkpoint's.
template <class Scalar>
std::vector<npz_array_view> parameter_views(const std::vector<parameter_info>& table,
                                            std::span<const Scalar> parameters) {
  std::vector<npz_array_view> views;
  for (const auto& p : table) views.push_back({p.name, p.shape, parameters.subspan(p.offset, p.size)});
  return views;
}

/// How many values the parameters of `table` take: the flat buffer's size.
CTGRAPH_DECL std::size_t parameter_count(const std::vector<parameter_info>& table);

#if CTGRAPH_DEFINE_HERE
CTGRAPH_DECL std::size_t parameter_count(const std::vector<parameter_info>& table) {
  std::size_t count = 0;
  for (const auto& p : table) count = std::max(count, p.offset + p.size);
  return count;
}
#endif
}  // namespace detail

/// Saves the model's parameters to `file` as an .npz archive that np.load reads; atomic.
template <class Model>
  requires requires(const Model& m) {
    Model::parameter_table();
    m.parameters();
  }
void save_weights(const Model& model, const std::filesystem::path& file) {
  write_npz(file, detail::parameter_views<typename Model::scalar>(Model::parameter_table(), model.parameters()));
}

namespace detail {
/// What a file may hold besides the parameters: nothing (a weights file), or a checkpoint's
/// optimizer and fit state (arrays named optimizer.* and fit.*).
enum class beside_parameters { nothing, checkpoint_state };

/// The parameters laid out as `table` says, from `arrays` (read from `name`): every one present
/// with its shape and in range, no other array except what `beside` allows; a weights_error naming
/// the first mismatch.
template <class Scalar>
std::vector<Scalar> parameters_from(const std::vector<npz_array>& arrays, const std::string& name,
                                    const std::vector<parameter_info>& table, beside_parameters beside) {
  const auto ignored = [&](const std::string& n) {
    return beside == beside_parameters::checkpoint_state && (n.starts_with("optimizer.") || n.starts_with("fit."));
  };
  // Arrays named as no parameter: an extra array, or the old name of a renamed layer.
  std::string strangers;
  std::size_t stranger_count = 0;
  constexpr std::size_t max_listed = 10;
  for (const npz_array& a : arrays)
    if (!ignored(a.name) && std::ranges::none_of(table, [&](const auto& p) { return p.name == a.name; }) &&
        ++stranger_count <= max_listed)
      strangers += (strangers.empty() ? "" : ", ") + npz_printable(a.name);
  if (stranger_count > max_listed) strangers += ", ... (" + std::to_string(stranger_count) + " in all)";
  std::vector<Scalar> loaded(parameter_count(table));
  for (const auto& p : table) {
    const auto found = std::find_if(arrays.begin(), arrays.end(), [&](const npz_array& a) { return a.name == p.name; });
    if (found == arrays.end())
      throw weights_error(name + ": has no array " + p.name + ", the graph's parameter of shape " +
                          npz_shape_string(p.shape) +
                          (strangers.empty() ? "" : "; its arrays that match no parameter: " + strangers));
    if (found->shape != p.shape)
      throw weights_error(name + ": " + p.name + " has shape " + npz_shape_string(found->shape) +
                          " in the file, the graph's is " + npz_shape_string(p.shape));
    for (std::size_t i = 0; i < p.size; ++i) {
      const double v = found->values[i];
      loaded[p.offset + i] = static_cast<Scalar>(v);
      if (std::isfinite(v) && !std::isfinite(loaded[p.offset + i])) {
        char shown[32];
        std::snprintf(shown, sizeof shown, "%.9g", v);
        throw weights_error(name + ": " + p.name + " holds " + shown + ", out of the range of float");
      }
    }
  }
  if (!strangers.empty())
    throw weights_error(name + ": holds arrays that are not parameters of the graph: " + strangers);
  return loaded;
}

#ifdef CTGRAPH_INSTANCE
CTGRAPH_INSTANCE std::vector<npz_array_view> parameter_views<float>(const std::vector<parameter_info>&,
                                                                    std::span<const float>);
CTGRAPH_INSTANCE std::vector<npz_array_view> parameter_views<double>(const std::vector<parameter_info>&,
                                                                     std::span<const double>);
CTGRAPH_INSTANCE std::vector<float> parameters_from<float>(const std::vector<npz_array>&, const std::string&,
                                                           const std::vector<parameter_info>&, beside_parameters);
CTGRAPH_INSTANCE std::vector<double> parameters_from<double>(const std::vector<npz_array>&, const std::string&,
                                                             const std::vector<parameter_info>&, beside_parameters);
#endif
}  // namespace detail

/// Loads the parameters from `file` (np.savez's float32 or float64 arrays, named as parameter_table());
/// all of them, or none and a weights_error naming the first mismatch. The optimizer's state is untouched.
template <class Model>
  requires requires(Model& m) {
    Model::parameter_table();
    m.parameters();
  }
void load_weights(Model& model, const std::filesystem::path& file) {
  const auto loaded = detail::parameters_from<typename Model::scalar>(read_npz(file), file.string(),
                                                                      Model::parameter_table(),
                                                                      detail::beside_parameters::nothing);
  std::ranges::copy(loaded, model.parameters().begin());  // the model changes only once all of it is good
}

}  // namespace ctgraph
