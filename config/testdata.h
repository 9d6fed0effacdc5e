#pragma once

// Paths of test data for the config tests; STEER_SOURCE_DIR is set by ctest.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

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

}  // namespace steer::config
