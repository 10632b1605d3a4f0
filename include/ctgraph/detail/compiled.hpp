// Where the library's code that does not depend on a graph's shapes is compiled: its file I/O
// (CSV, .npz, weights, checkpoints, atomic writes) and the summary's printing.
//
// By default the library is header-only: that code is inline, compiled again in every file of a
// program that uses it (about 10 s of an -O3 compile here). A program that defines
// CTGRAPH_SEPARATE_COMPILATION in every one of its files gets only its declarations from the headers
// and compiles it once, in one file of its own that includes <ctgraph/src.hpp> (Asio's separate
// compilation). Mixing the two ways in one program breaks the one-definition rule: define it for all
// of a program's files or for none.
#pragma once

#if !defined(CTGRAPH_SEPARATE_COMPILATION)
#define CTGRAPH_DECL inline
#define CTGRAPH_DEFINE_HERE 1
#elif defined(CTGRAPH_SOURCE)  // src.hpp: the one file that compiles it
#define CTGRAPH_DECL
#define CTGRAPH_DEFINE_HERE 1
// The float and double instances of the scalar templates (read_csv<S>, the checkpoint's reader...).
#define CTGRAPH_INSTANCE template
#else
#define CTGRAPH_DECL
#define CTGRAPH_DEFINE_HERE 0
#define CTGRAPH_INSTANCE extern template
#endif
