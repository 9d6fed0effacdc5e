#include "freed_pages.h"

#include <malloc.h>

namespace steer::agent {

TrimReport ReturnFreedPages() {
  auto start = std::chrono::steady_clock::now();
  malloc_trim(0);
  TrimReport r;
  r.took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start);
  struct mallinfo2 heap = mallinfo2();
  r.in_use_bytes = heap.uordblks + heap.hblkhd;
  r.span_bytes = heap.arena + heap.hblkhd;
  return r;
}

}  // namespace steer::agent
