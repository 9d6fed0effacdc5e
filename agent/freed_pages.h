#pragma once

// ReturnFreedPages: hands the whole free pages inside malloc's arenas back to the kernel.
//
// Why: what a burst of probes freed stays in the arenas as free chunks scattered between live
// blocks, and free() never hands back pages inside a heap (only the top of one), so steerd's RSS
// crept up after the first minute of the 30-minute soak while the heap in use did not.
// malloc_trim(0) gives the whole free pages among them back (madvise): with it the soak runs at
// 31-35 MB instead of 37-40 (docs/benchmarks.md, Soak). It locks each arena while it walks it:
// about 1 ms for two arenas of a few MB. steerd calls it every 30 s on a thread of its own.
// Thread-safety: any thread (glibc locks the arenas).

#include <chrono>
#include <cstddef>

namespace steer::agent {

struct TrimReport {
  std::chrono::microseconds took{0};
  size_t in_use_bytes = 0;  // allocated and not freed, arenas and mmapped blocks (mallinfo2)
  size_t span_bytes = 0;    // what the arenas and the mmapped blocks span
};

TrimReport ReturnFreedPages();

}  // namespace steer::agent
