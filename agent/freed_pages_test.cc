#include "freed_pages.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

namespace steer::agent {
namespace {

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// 64 MB of 4,000-byte blocks, then 15 of every 16 freed: runs of 60 KB free between live blocks,
// which free() keeps and malloc_trim hands back.
TEST(FreedPages, TheFreePagesBetweenLiveBlocksGoBackToTheKernel) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's allocator replaces glibc's arenas, which this test is about";
#endif
  constexpr int kBlocks = 16384;
  constexpr size_t kSize = 4000;
  std::vector<char*> blocks(kBlocks);
  for (auto& b : blocks) {
    b = static_cast<char*>(std::malloc(kSize));
    std::memset(b, 1, kSize);
    asm volatile("" : : "r"(b) : "memory");  // the pages are touched: resident
  }
  for (int i = 0; i < kBlocks; ++i) {
    if (i % 16 != 0) {
      std::free(blocks[i]);
      blocks[i] = nullptr;
    }
  }
  size_t before = ResidentBytes();
  TrimReport report = ReturnFreedPages();
  size_t after = ResidentBytes();
  EXPECT_LT(after + (size_t{32} << 20), before) << before << " -> " << after << " bytes resident";
  EXPECT_LT(report.in_use_bytes, size_t{16} << 20);
  EXPECT_GT(report.span_bytes, size_t{48} << 20);  // the arena keeps its span, not its pages
  for (char* b : blocks) std::free(b);
}

}  // namespace
}  // namespace steer::agent
