// The library's shape-independent code, compiled once: include this in one .cpp file of a program
// whose every file is compiled with CTGRAPH_SEPARATE_COMPILATION defined (detail/compiled.hpp says
// why and what), and in nothing else. It defines the file I/O, the summary's printing and the float
// and double instances of the readers and writers of data, weights and checkpoints.
#pragma once

#if !defined(CTGRAPH_SEPARATE_COMPILATION)
#error "ctgraph/src.hpp: define CTGRAPH_SEPARATE_COMPILATION for every file of the program, or include no src.hpp"
#endif
#if defined(CTGRAPH_DECL)
#error "ctgraph/src.hpp must come before any other ctgraph header in its file"
#endif

#define CTGRAPH_SOURCE 1

#include "ctgraph/detail/atomic_file.hpp"
#include "ctgraph/detail/read_file.hpp"
#include "ctgraph/io/csv.hpp"
#include "ctgraph/io/npy.hpp"
#include "ctgraph/io/npz.hpp"
#include "ctgraph/io/weights.hpp"
#include "ctgraph/train/checkpoint.hpp"
#include "ctgraph/train/summary.hpp"
