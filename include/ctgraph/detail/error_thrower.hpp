// How the file functions (atomic_file.hpp, read_file.hpp) report a failure: by throwing an
// Error of the message. A pointer, not a template parameter, so that they are compiled once and
// not once per error type.
#pragma once

#include <string>

namespace ctgraph::detail {

using error_thrower = void (*)(const std::string& what);

/// The error_thrower that throws an Error (throw_as<std::runtime_error>, throw_as<weights_error>, ...).
template <class Error>
void throw_as(const std::string& what) {
  throw Error(what);
}

}  // namespace ctgraph::detail
