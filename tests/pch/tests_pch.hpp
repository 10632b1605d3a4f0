// What every test file of ops, train and graphs includes first, parsed once per test binary
// (meson's cpp_pch) instead of once per file: about 5 s of each file's compile.
// No #pragma once: g++ compiles it as a main file, and warns about one there.
#include <doctest/doctest.h>

#include <ctgraph/ctgraph.hpp>
