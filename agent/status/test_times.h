#pragma once

// Times shared by the status page's tests, in Unix milliseconds.

#include <cstdint>

namespace steer::status {

inline constexpr int64_t kMin = 60'000;
inline constexpr int64_t kT0 = 1'769'817'600'000;  // 2026-01-31T00:00:00Z

}  // namespace steer::status
