// The allocation trace's event encoding (workloads/trace_format.hpp): every op survives the trip
// through its bytes, pointers that go down as well as up, and a chunk that is cut short is refused.
#include "trace_format.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vmb::trace {
namespace {

std::vector<Event> sample_events() {
  std::vector<Event> events;
  auto add = [&](Op op, std::uint32_t thread, std::uint64_t size, std::uint64_t align, std::uint64_t ptr,
                 std::uint64_t old_ptr, bool null_result) {
    Event e;
    e.op = op, e.thread = thread, e.size = size, e.align = align, e.ptr = ptr, e.old_ptr = old_ptr;
    e.null_result = null_result;
    events.push_back(e);
  };
  add(Op::malloc, 0, 24, 0, 0x7f0000001000, 0, false);
  add(Op::calloc, 0, 1 << 20, 0, 0x7f0000000010, 0, false);   // a lower address: a negative delta
  add(Op::realloc, 3, 4096, 0, 0x5555aaaa0000, 0x7f0000001000, false);
  add(Op::posix_memalign, 3, 100, 64, 0x5555aaaa2000, 0, false);
  add(Op::aligned_alloc, 1, 8, 4096, 0, 0, true);             // failed: no result pointer
  add(Op::memalign, 1, 0, 16, 0x10, 0, false);
  add(Op::realloc, 0, 0, 0, 0, 0x10, true);                   // realloc(p, 0): freed, null
  add(Op::free, 0, 0, 0, 0x5555aaaa0000, 0, false);
  add(Op::malloc, 0, ~std::uint64_t{0}, 0, 0, 0, true);       // the largest size
  return events;
}

std::vector<unsigned char> encode(const std::vector<Event>& events) {
  std::vector<unsigned char> bytes(events.size() * kMaxEventBytes);
  ChunkState st;
  unsigned char* p = bytes.data();
  for (const auto& e : events) {
    unsigned char* before = p;
    p = encode_event(p, e, st);
    EXPECT_LE(static_cast<std::size_t>(p - before), kMaxEventBytes);
  }
  bytes.resize(static_cast<std::size_t>(p - bytes.data()));
  return bytes;
}

void expect_same(const Event& a, const Event& b) {
  EXPECT_EQ(a.op, b.op);
  EXPECT_EQ(a.null_result, b.null_result);
  EXPECT_EQ(a.thread, b.thread);
  EXPECT_EQ(a.op == Op::free ? 0 : a.size, b.size);
  EXPECT_EQ(is_aligned_op(a.op) ? a.align : 0, b.align);
  EXPECT_EQ(a.null_result ? 0 : a.ptr, b.ptr);
  EXPECT_EQ(a.op == Op::realloc ? a.old_ptr : 0, b.old_ptr);
}

TEST(TraceFormat, EveryOpSurvivesEncodingAndDecoding) {
  const std::vector<Event> events = sample_events();
  const std::vector<unsigned char> bytes = encode(events);
  const unsigned char* p = bytes.data();
  ChunkState st;
  for (const auto& expected : events) {
    Event got;
    ASSERT_TRUE(decode_event(p, bytes.data() + bytes.size(), got, st));
    expect_same(expected, got);
  }
  EXPECT_EQ(p, bytes.data() + bytes.size());
}

TEST(TraceFormat, ASmallCallTakesFewBytes) {
  Event e;
  e.op = Op::malloc, e.size = 32, e.ptr = 0x5555aaaa0020;
  ChunkState st;
  st.thread = 0;
  st.previous_ptr = 0x5555aaaa0000;
  unsigned char buf[kMaxEventBytes];
  EXPECT_EQ(encode_event(buf, e, st) - buf, 3);  // op, size, pointer delta: one byte each
}

TEST(TraceFormat, AnEventCutShortIsRefused) {
  const std::vector<unsigned char> bytes = encode(sample_events());
  for (std::size_t cut = 1; cut < 6; ++cut) {  // the first event is longer than 5 bytes
    const unsigned char* p = bytes.data();
    ChunkState st;
    Event e;
    EXPECT_FALSE(decode_event(p, bytes.data() + cut, e, st)) << cut;
  }
}

TEST(TraceFormat, AnUnknownOpOrAMissingThreadIsRefused) {
  const unsigned char unknown_op[] = {0x80 | 9, 0, 1, 2};
  const unsigned char no_thread[] = {0x00, 16, 2};  // malloc without naming its thread first
  for (const auto& [bytes, n] : {std::pair{unknown_op, sizeof unknown_op}, std::pair{no_thread, sizeof no_thread}}) {
    const unsigned char* p = bytes;
    ChunkState st;
    Event e;
    EXPECT_FALSE(decode_event(p, bytes + n, e, st));
  }
}

}  // namespace
}  // namespace vmb::trace
