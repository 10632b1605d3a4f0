// doctest's main, after asking OpenBLAS for one thread as the programs do: the library leaves the
// process-wide thread count alone (train/model.hpp), and the suites' small products run fastest on one.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <ctgraph/train/model.hpp>

int main(int argc, char** argv) {
  ctgraph::set_blas_threads(1);
  return doctest::Context(argc, argv).run();
}
