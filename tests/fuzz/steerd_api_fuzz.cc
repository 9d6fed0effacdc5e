// libFuzzer target: any bytes as an HTTP request to steerd's operations API: Boost.Beast's
// request parser with steerd's limits (64 KiB body, 8 KiB headers), base::ToServerRequest, then
// api::Router::Handle (routing, bearer check, query and JSON body parsing, the audit record)
// over a fixed backend and a real state store in a temporary directory. The seed requests
// carry the valid token, so the operations behind authentication are reached.
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "api/router.h"
#include "beast_request.h"
#include "state_store.h"
#include "steer/base/log.h"

namespace {

using json = nlohmann::json;
namespace api = steer::agent::api;

class FixedBackend : public api::Backend {
 public:
  json Status() override { return {{"services", json::array({{{"name", "login"}}})}}; }
  std::optional<json> Service(const std::string& name) override {
    if (name != "login") return std::nullopt;
    return json{{"name", "login"}, {"active_region", "a"}};
  }
  json History(const api::HistoryRequest&) override { return json::array(); }
  bool Healthy(std::string* reason) override {
    *reason = "";
    return true;
  }
  std::string Metrics() override { return "steer_leader 1\n"; }
  api::OperationOutcome Operate(const api::OperationRequest& r) override {
    api::OperationOutcome out;
    if (r.service == "refused") out.status = api::OperationOutcome::Status::kRefused;
    return out;
  }
};

std::string g_dir;

struct World {
  World() {
    (void)steer::base::ConfigureLogging("error", steer::base::LogOutput::kText);  // quiet
    char tmpl[] = "/tmp/steer-fuzz-api-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) std::abort();
    g_dir = tmpl;
    std::atexit([] { std::filesystem::remove_all(g_dir); });
    auto opened = steer::agent::StateStore::Open(g_dir);
    if (!opened) std::abort();
    store = std::move(*opened);
    router = std::make_unique<api::Router>(backend, tokens, *store, nullptr);
  }
  FixedBackend backend;
  api::TokenHolder tokens{api::TokenAuth::Single("alice", "s3cret-token-0123456789")};
  std::unique_ptr<steer::agent::StateStore> store;
  std::unique_ptr<api::Router> router;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  auto req = steer::fuzz::ParseWithBeast(data, size, 64 * 1024, 8 * 1024);
  if (!req) return 0;
  steer::base::ServerResponse res = world->router->Handle(*req);
  if (res.status < 100 || res.status > 599) std::abort();
  return 0;
}
