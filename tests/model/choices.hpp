// Where a model run's decisions come from: a seeded generator (the unit tests) or the bytes of a
// fuzzer's input (tests/fuzz). The same checker then serves both, so a bug the fuzzer finds is a
// sequence of operations the unit tests could have made, and the other way round.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

// In a checker's operation: a failed check ends it with a message (built only on failure), and the
// run stops at the first one. The checker provides `bool fail(const std::string&)`.
#define VMB_MODEL_CHECK(cond, message)  \
  do {                                  \
    if (!(cond)) return fail(message);  \
  } while (0)

namespace vmb::model {

class Choices {
 public:
  virtual ~Choices() = default;
  // A number in [0, n); 0 when n is 0.
  virtual std::uint64_t below(std::uint64_t n) = 0;
  // True once a byte source has run dry: the run should end (a generator never does).
  virtual bool exhausted() const { return false; }
};

class RandomChoices final : public Choices {
 public:
  explicit RandomChoices(std::uint64_t seed) : rng_(seed) {}
  std::uint64_t below(std::uint64_t n) override { return n == 0 ? 0 : rng_() % n; }

 private:
  std::mt19937_64 rng_;
};

// Reads as few bytes as the range needs (one byte for n <= 256), so a fuzzer's mutation of one byte
// changes one decision, not every decision after it.
class ByteChoices final : public Choices {
 public:
  ByteChoices(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::uint64_t below(std::uint64_t n) override {
    if (n <= 1) return 0;
    std::uint64_t value = 0;
    for (std::uint64_t span = n - 1; span != 0; span >>= 8) {
      if (at_ == size_) {
        dry_ = true;
        break;
      }
      value = (value << 8) | data_[at_++];
    }
    return value % n;
  }
  bool exhausted() const override { return dry_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
  bool dry_ = false;
};

}  // namespace vmb::model
