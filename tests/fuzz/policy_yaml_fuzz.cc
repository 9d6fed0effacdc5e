// libFuzzer target: any bytes as a policy file (config::ParsePolicy: YAML reader, prescan,
// schema and every validation rule). Must never crash; a policy either loads or yields
// diagnostics, each with a location.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "steer/config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = steer::config::ParsePolicy(text, "fuzz.yaml");
  if (!policy && policy.error().empty()) std::abort();  // a refusal always says why
  return 0;
}
