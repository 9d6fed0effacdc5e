// libFuzzer target: any bytes as `steerctl simulate`'s trace CSV, checked against the layout of
// examples/traces/web.yaml (policies::ParseTrace), and replayed through the engine
// (policies::Simulate) when the trace spans at most an hour of virtual time (a longer trace is
// valid but only slow: one tick per second).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "steer/config/loader.h"
#include "steer/policies/engine.h"
#include "steer/policies/simulator.h"
#include "trace.h"

namespace {

const steer::policies::Engine& WebEngine() {
  static const steer::policies::Engine* engine = [] {
    auto policy =
        steer::config::LoadPolicyFile(std::string(STEER_SOURCE_DIR) + "/examples/traces/web.yaml");
    if (!policy) std::abort();
    auto e = steer::policies::Engine::Create(std::move(*policy));
    if (!e) std::abort();
    return new steer::policies::Engine(std::move(*e));
  }();
  return *engine;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using steer::policies::Time;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto& engine = WebEngine();
  auto rows = steer::policies::ParseTrace(text, engine.layout());
  if (!rows || rows->empty()) return 0;
  if (rows->back().t - rows->front().t > Time(3600 * 1000)) return 0;
  auto events = steer::policies::Simulate(engine, text, {});
  (void)events;
  return 0;
}
