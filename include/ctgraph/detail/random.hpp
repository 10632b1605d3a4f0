// The library's own random numbers (splitmix64 + xoshiro256**), so that a seed
// gives the same weights and shuffles with any standard library.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace ctgraph {

class random_engine {
 public:
  explicit random_engine(std::uint64_t seed = 0) {
    for (auto& s : state_) s = splitmix(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  /// The whole state, to save and restore (a checkpoint resumes the same sequence).
  std::array<std::uint64_t, 4> state() const { return {state_[0], state_[1], state_[2], state_[3]}; }
  void set_state(const std::array<std::uint64_t, 4>& s) { std::copy(s.begin(), s.end(), state_); }
  /// Uniform in [0, 1), 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  /// Standard normal (Box-Muller; one draw per call, the pair's second half discarded for simplicity).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  /// Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) { return below(next(), n); }
  /// below(n) of a word next() gave: for callers that draw many words first (fit's shuffle).
  static std::uint64_t below(std::uint64_t word, std::uint64_t n) {
    return std::uint64_t(double(word >> 11) * 0x1.0p-53 * double(n));
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state_[4];
};

namespace detail {
/// splitmix64's finaliser: a bijection of 64 bits in which every input bit reaches every output bit.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
/// The noise of training step `step` of a model seeded with `seed`.
constexpr std::uint64_t step_noise(std::uint64_t seed, std::uint64_t step) { return mix64(mix64(seed) + step); }
/// A uniform draw in [0, 1) for element i of stream `stream` in a step: counter-based, so that
/// the forward and backward passes draw the same number without storing it.
constexpr double uniform_at(std::uint64_t noise, std::uint64_t stream, std::uint64_t i) {
  return double(mix64(noise + 0x9e3779b97f4a7c15ULL * (i + 1) + 0xd1b54a32d192ed03ULL * stream) >> 11) * 0x1.0p-53;
}
}  // namespace detail

}  // namespace ctgraph
