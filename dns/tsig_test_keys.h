#pragma once

// The TSIG secrets of the embedded server's transfer and NOTIFY tests (base64, 32 bytes each).

namespace steer::dns::auth {

inline constexpr char kSecret[] = "c3RlZXItdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE=";
inline constexpr char kOtherSecret[] = "b3RoZXItdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE=";

}  // namespace steer::dns::auth
