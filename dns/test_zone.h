#pragma once

// The zone the provider tests write to.

namespace steer::dns {

inline constexpr char kZone[] = "example.test.";

}  // namespace steer::dns
