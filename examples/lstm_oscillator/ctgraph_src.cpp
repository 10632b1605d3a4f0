// ctgraph's shape-independent code (file I/O, the summary's printing), compiled here once instead of
// again in every file that includes ctgraph (meson.build defines CTGRAPH_SEPARATE_COMPILATION for all).
#include <ctgraph/src.hpp>
