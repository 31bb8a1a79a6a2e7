// strings: text processing line by line, as a log filter or word counter does it. Many short-lived
// small strings per line, a long-lived table that keeps growing, and a buffer grown by doubling.
// Before measuring, a text of `words` words is generated outside the heap from a vocabulary of
// `vocabulary` distinct lowercase words. The word of rank r (1-based) is drawn with probability
// proportional to floor(2^32 / r): Zipf's law with exponent 1, so rank 1 is twice as frequent as
// rank 2 and ten times as frequent as rank 10. A word of rank r has 2 + U[0, min(10, bit_width(r))]
// letters, so frequent words are short, as in natural language. Words are separated by one space;
// each line of `words_per_line` words (the last may be shorter) ends with '\n'.
// Measured, each line between phase_begin and phase_end, in four timed phases:
//   tokenize  copy each word of the line into its own heap string (Life::phase)
//   count     look each token up in a chained hash table; a new word gets a node and a copy of its
//             key (Life::persistent); the bucket array doubles by rehashing when the table holds
//             more words than buckets (the old array is freed)
//   build     append every token and a separator to an output buffer (Life::phase) that starts at
//             16 bytes and doubles through Driver::grow. It is built after tokenizing, so nothing
//             else is allocated between its growths and an arena grows it in place.
//   release   free the line's tokens and buffer (heaps without individual free: one pop at
//             phase_end); at the very end, the table
// Timing every phase of every line costs two clock reads per phase, the same on every heap; with 16
// words to a line that stays a small part of the time (about 200 ns a line here).
// Operations: one allocation per token, two per new word, one per rehash, one for each output
// buffer; each buffer growth is one more allocation and one free, except on heaps that grow it in
// place (arena, bump), where it counts as neither: there the counts are lower by the growths.
#pragma once

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "driver.hpp"
#include "rng.hpp"

namespace vmbench::strings {

inline constexpr std::uint64_t kZipfScale = std::uint64_t{1} << 32;  // weight of rank 1
inline constexpr std::size_t kMinWordLetters = 2;
inline constexpr int kMaxExtraLetters = 10;  // words have at most 12 letters
inline constexpr int kAlphabetLetters = 26;
inline constexpr std::size_t kInitialBuckets = 16;      // power of two: the bucket is hash & mask
inline constexpr std::size_t kInitialBufferBytes = 16;  // output buffer; doubles as it fills
inline constexpr char kWordSeparator = ' ';
inline constexpr char kLineEnd = '\n';

// 64-bit FNV-1a: simple, and the same on every platform.
VMB_INLINE std::uint64_t fnv1a(const char* s, std::size_t n) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(s[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The vocabulary, most frequent word first; distinct by construction (a clash is drawn again).
inline std::vector<std::string> make_vocabulary(std::uint64_t words, Rng& rng) {
  std::vector<std::string> vocab;
  vocab.reserve(words);
  std::unordered_set<std::string> seen;
  seen.reserve(words);
  for (std::uint64_t rank = 1; rank <= words; ++rank) {
    const int extra = std::min(kMaxExtraLetters, static_cast<int>(std::bit_width(rank)));
    std::string w;
    do {
      w.assign(kMinWordLetters + rng.below(static_cast<std::uint64_t>(extra) + 1), '\0');
      for (char& c : w) c = static_cast<char>('a' + static_cast<int>(rng.below(kAlphabetLetters)));
    } while (!seen.insert(w).second);
    vocab.push_back(std::move(w));
  }
  return vocab;
}

// `words` words drawn by Zipf's law from `vocab`, `words_per_line` to a line. Sampling inverts the
// cumulative weights (integers: exact on every platform) through a guide table, so a draw costs O(1)
// expected instead of a binary search: guide[g] is the first rank whose cumulative weight exceeds
// g * stride.
inline std::vector<char> make_text(const std::vector<std::string>& vocab, std::uint64_t words,
                                   std::uint64_t words_per_line, Rng& rng) {
  std::vector<std::uint64_t> cumulative(vocab.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < vocab.size(); ++i) cumulative[i] = total += kZipfScale / (i + 1);
  const std::uint64_t stride = total / vocab.size() + 1;
  std::vector<std::size_t> guide(vocab.size());
  for (std::size_t g = 0, rank = 0; g < guide.size(); ++g) {
    while (rank + 1 < cumulative.size() && cumulative[rank] <= g * stride) ++rank;
    guide[g] = rank;
  }
  std::vector<char> text;
  for (std::uint64_t i = 0; i < words; ++i) {
    const std::uint64_t x = rng.below(total);
    std::size_t rank = guide[static_cast<std::size_t>(x / stride)];
    while (cumulative[rank] <= x) ++rank;
    const std::string& w = vocab[rank];
    text.insert(text.end(), w.begin(), w.end());
    const bool line_full = (i + 1) % words_per_line == 0 || i + 1 == words;
    text.push_back(line_full ? kLineEnd : kWordSeparator);
  }
  return text;
}

// Word counts in a chained hash table whose every byte is on the heap under test.
template <class H>
class WordTable {
 public:
  struct Entry {
    Entry* next;
    char* key;  // a heap copy, not NUL-terminated
    std::uint64_t hash;
    std::uint32_t key_bytes;
    std::uint32_t count;
  };

  explicit WordTable(Driver<H>& d) : d_(d) { buckets_ = new_buckets(kInitialBuckets); }

  VMB_INLINE void add(const char* s, std::size_t n) {
    const std::uint64_t h = fnv1a(s, n);
    for (Entry* e = buckets_[h & (buckets_n_ - 1)]; e != nullptr; e = e->next)
      if (e->hash == h && e->key_bytes == n && std::memcmp(e->key, s, n) == 0) {
        ++e->count;
        return;
      }
    auto* e = d_.template alloc_object<Entry>();
    e->key = static_cast<char*>(d_.alloc(n));
    std::memcpy(e->key, s, n);
    e->hash = h;
    e->key_bytes = static_cast<std::uint32_t>(n);
    e->count = 1;
    Entry*& head = buckets_[h & (buckets_n_ - 1)];
    e->next = head;
    head = e;
    key_bytes_ += n;
    if (++size_ > buckets_n_) rehash(2 * buckets_n_);
  }

  // Sum of count x hash over the words, plus the number of words: independent of bucket order.
  std::uint64_t checksum() const noexcept {
    std::uint64_t sum = size_;
    for (std::size_t b = 0; b < buckets_n_; ++b)
      for (const Entry* e = buckets_[b]; e != nullptr; e = e->next) sum += e->count * e->hash;
    return sum;
  }

  // Every entry, key and the bucket array die.
  void destroy() {
    if constexpr (Driver<H>::kIndividualFree) {
      for (std::size_t b = 0; b < buckets_n_; ++b)
        for (Entry* e = buckets_[b]; e != nullptr;) {
          Entry* next = e->next;
          d_.free(e->key, e->key_bytes);
          d_.free(e, sizeof(Entry));
          e = next;
        }
      d_.free(buckets_, buckets_n_ * sizeof(Entry*));
    } else {
      d_.dead_without_free(2 * size_ + 1, size_ * sizeof(Entry) + key_bytes_ + buckets_n_ * sizeof(Entry*));
    }
    buckets_ = nullptr;
    buckets_n_ = size_ = key_bytes_ = 0;
  }

 private:
  Entry** new_buckets(std::size_t n) {
    auto** b = static_cast<Entry**>(d_.alloc(n * sizeof(Entry*)));
    std::fill_n(b, n, nullptr);
    return b;
  }
  VMB_NOINLINE void rehash(std::size_t n) {  // rare: out of line
    Entry** fresh = new_buckets(n);
    for (std::size_t b = 0; b < buckets_n_; ++b)
      for (Entry* e = buckets_[b]; e != nullptr;) {
        Entry* next = e->next;
        Entry*& head = fresh[e->hash & (n - 1)];
        e->next = head;
        head = e;
        e = next;
      }
    d_.free(buckets_, buckets_n_ * sizeof(Entry*));
    buckets_ = fresh;
    buckets_n_ = n;
  }

  Driver<H>& d_;
  Entry** buckets_ = nullptr;
  std::size_t buckets_n_ = kInitialBuckets;
  std::size_t size_ = 0;       // distinct words
  std::size_t key_bytes_ = 0;  // sum of key copies' sizes
};

struct Token {
  char* p;
  std::size_t bytes;
};

// One line's output buffer: the tokens and their separators, grown by doubling.
struct LineBuffer {
  char* bytes = nullptr;
  std::size_t capacity = kInitialBufferBytes;
  std::size_t used = 0;
};

// tokenize: each word of [line, eol) copied into its own heap string. The bytes copied.
template <class H>
VMB_INLINE std::size_t tokenize(Driver<H>& d, const char* line, const char* eol, std::vector<Token>& tokens) {
  std::size_t token_bytes = 0;
  tokens.clear();
  for (const char* w = line; w < eol;) {
    const char* w_end = std::find(w, eol, kWordSeparator);
    const auto n = static_cast<std::size_t>(w_end - w);
    auto* s = static_cast<char*>(d.template alloc<Life::phase>(n));
    std::memcpy(s, w, n);
    tokens.push_back({s, n});
    token_bytes += n;
    w = w_end + 1;
  }
  return token_bytes;
}

// build: every token and a separator appended to a buffer that doubles as it fills.
template <class H>
VMB_INLINE LineBuffer build_line(Driver<H>& d, const std::vector<Token>& tokens) {
  LineBuffer out;
  out.bytes = static_cast<char*>(d.template alloc<Life::phase>(out.capacity));
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    const std::size_t need = out.used + t.bytes + 1;
    if (need > out.capacity) {
      std::size_t grown = out.capacity;
      while (grown < need) grown *= 2;
      out.bytes = static_cast<char*>(d.grow(out.bytes, out.capacity, grown));
      out.capacity = grown;
    }
    std::memcpy(out.bytes + out.used, t.p, t.bytes);
    out.used += t.bytes;
    out.bytes[out.used++] = i + 1 == tokens.size() ? kLineEnd : kWordSeparator;
  }
  return out;
}

// The line's length and its first, middle and last bytes: every heap built the same text.
VMB_INLINE std::uint64_t line_checksum(const LineBuffer& out) noexcept {
  const auto byte = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(out.bytes[i])}; };
  return out.used * 0x100000001b3ULL + (byte(0) | byte(out.used / 2) << 8 | byte(out.used - 1) << 16);
}

// release: the line's tokens and buffer (heaps without individual free: one pop at phase_end).
template <class H>
VMB_INLINE void release_line(Driver<H>& d, const std::vector<Token>& tokens, std::size_t token_bytes, const LineBuffer& out) {
  if constexpr (Driver<H>::kIndividualFree) {
    for (const Token& t : tokens) d.template free<Life::phase>(t.p, t.bytes);
    d.template free<Life::phase>(out.bytes, out.capacity);
  } else {
    d.dead_without_free(tokens.size() + 1, token_bytes + out.capacity);
  }
  d.phase_end();
}

// The measured phase, in a function of its own, out of line for every heap: what the compiler inlines
// into run() around it (the input's set-up, vector growth) then cannot change how the loop's registers
// are allocated, which had moved strings/malloc's own instructions by 2 per operation when unrelated
// code was added to the translation unit (docs/library.md). Its vector and table are locals (the
// reserved vector moved in and back out, pointers only), so that no store through a string's bytes
// can be taken to change them.
template <class H>
VMB_NOINLINE std::uint64_t measured(Driver<H>& d, const std::vector<char>& text, std::vector<Token>& reserved) {
  std::vector<Token> tokens = std::move(reserved);
  std::uint64_t checksum = 0;
  std::uint64_t output_bytes = 0;
  WordTable<H> table(d);
  const char* line = text.data();
  const char* const text_end = text.data() + text.size();
  while (line < text_end) {
    const auto* eol = static_cast<const char*>(std::memchr(line, kLineEnd, static_cast<std::size_t>(text_end - line)));
    std::size_t token_bytes = 0;
    LineBuffer out;
    d.phase_begin();
    d.timed("tokenize", [&]() VMB_INLINE_LAMBDA { token_bytes = tokenize(d, line, eol, tokens); });
    d.timed("count", [&]() VMB_INLINE_LAMBDA {
      for (const Token& t : tokens) table.add(t.p, t.bytes);
    });
    d.timed("build", [&]() VMB_INLINE_LAMBDA {
      out = build_line(d, tokens);
      checksum += line_checksum(out);
      output_bytes += out.used;
    });
    d.timed("release", [&]() VMB_INLINE_LAMBDA { release_line(d, tokens, token_bytes, out); });
    line = eol + 1;
  }
  d.checkpoint("text done");
  d.timed("count", [&]() VMB_INLINE_LAMBDA { checksum += table.checksum(); });
  d.timed("release", [&]() VMB_INLINE_LAMBDA { table.destroy(); });
  reserved = std::move(tokens);  // its buffer is freed after the measured phase, as before
  return checksum + output_bytes;
}

template <class H>
WorkloadStats run(Driver<H>& d, const std::function<void()>& begin_measured) {
  const std::uint64_t words = d.params().count("words");
  const std::uint64_t vocabulary = d.params().count("vocabulary");
  const std::uint64_t words_per_line = d.params().count("words_per_line");
  if (vocabulary == 0 || words_per_line == 0)
    throw std::runtime_error("strings: vocabulary and words_per_line must be at least 1");
  Rng rng(d.seed());

  // The input, outside the heap (not measured).
  const std::vector<char> text = make_text(make_vocabulary(vocabulary, rng), words, words_per_line, rng);
  std::vector<Token> tokens;
  tokens.reserve(std::min(words_per_line, words));  // a line never holds more

  begin_measured();
  const std::uint64_t checksum = measured(d, text, tokens);
  return d.finish(checksum);
}

}  // namespace vmbench::strings
