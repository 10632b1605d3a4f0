// The library's shape-independent code, compiled once for the programs built here with
// CTGRAPH_SEPARATE_COMPILATION (meson.build: ctgraph_separate_dep). A program of a user's does the same
// with a file of its own holding this one line.
#include "ctgraph/src.hpp"
