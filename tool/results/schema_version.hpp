// What names a vmbench results file and which version of its schema this build writes and reads.
// Kept apart from the document builder so that readers (the loader, compare, the formats) need
// nothing of the plan.
#pragma once

namespace vmbench {

inline constexpr const char* kSchemaName = "vmbench-results";
inline constexpr int kSchemaVersion = 1;

}  // namespace vmbench
