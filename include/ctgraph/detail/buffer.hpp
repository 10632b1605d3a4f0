// One allocation, made when a model is built, for everything a step touches.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>

namespace ctgraph::detail {

template <class Scalar>
class aligned_buffer {
 public:
  explicit aligned_buffer(std::size_t size)
      : size_(size), data_(static_cast<Scalar*>(::operator new[](bytes(size), std::align_val_t{64}))) {
    std::fill_n(data_.get(), size_, Scalar(0));
  }
  aligned_buffer(const aligned_buffer& other) : aligned_buffer(other.size_) {
    std::copy_n(other.data(), size_, data());
  }
  aligned_buffer& operator=(const aligned_buffer& other) {
    if (this != &other) {
      aligned_buffer copy(other);
      std::swap(size_, copy.size_);
      std::swap(data_, copy.data_);
    }
    return *this;
  }
  aligned_buffer(aligned_buffer&&) noexcept = default;
  aligned_buffer& operator=(aligned_buffer&&) noexcept = default;

  Scalar* data() { return data_.get(); }
  const Scalar* data() const { return data_.get(); }
  std::size_t size() const { return size_; }

 private:
  struct release {
    void operator()(Scalar* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  static std::size_t bytes(std::size_t n) { return std::max<std::size_t>(n, 1) * sizeof(Scalar); }
  std::size_t size_;
  std::unique_ptr<Scalar, release> data_;
};

}  // namespace ctgraph::detail
