#pragma once

// Test data and helpers for the config tests; STEER_SOURCE_DIR is set by ctest.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "steer/config/loader.h"

namespace steer::config {

inline std::string SourcePath(const std::string& relative) {
  const char* root = std::getenv("STEER_SOURCE_DIR");
  return std::string(root ? root : STEER_SOURCE_DIR_DEFAULT) + "/" + relative;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every diagnostic, one per line (for assertion messages).
inline std::string All(const Diagnostics& diags) {
  std::string all;
  for (const auto& d : diags) all += d.ToString() + "\n";
  return all;
}

}  // namespace steer::config
