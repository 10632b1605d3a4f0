// Subnormal floats (below 1.2e-38) cost some cores a microcode assist per operation: when a net
// fits its data, Adam's moments and the small gradients go subnormal and a step became 20x slower
// on an Intel Xeon (iris_attention: 534 us against 25.6 us). A model therefore computes with
// flush-to-zero and denormals-are-zero set, as TensorFlow's CPU kernels do: a value that would be
// subnormal is 0 instead. The mode is the thread's; the outermost scope restores what the caller had.
#pragma once

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace ctgraph::detail {

class denormals_flushed {
 public:
#if defined(__SSE__)
  // FTZ (bit 15): subnormal results become 0. DAZ (bit 6): subnormal inputs are read as 0.
  static constexpr unsigned flush_bits = 0x8040;
  // Only the thread's outermost scope reads and writes MXCSR: each access stalls the core (a
  // switch and its restore cost 17 ns on Zen 4; fib's training step made two, 6% of it), so
  // train_step, fit and evaluate hold one scope and the passes inside them count a depth instead.
  denormals_flushed() {
    if (depth()++ == 0) {
      saved_ = _mm_getcsr();
      _mm_setcsr(saved_ | flush_bits);
    }
  }
  ~denormals_flushed() {
    if (--depth() == 0) _mm_setcsr(saved_);
  }

 private:
  static unsigned& depth() {
    static thread_local unsigned scopes = 0;
    return scopes;
  }
  unsigned saved_ = 0;
#else
  denormals_flushed() {}  // elsewhere the floating-point mode is left as it is
#endif

 public:
  denormals_flushed(const denormals_flushed&) = delete;
  denormals_flushed& operator=(const denormals_flushed&) = delete;
};

}  // namespace ctgraph::detail
