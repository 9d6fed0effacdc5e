#pragma once

// Test helpers for EtcdCoordinator and EtcdSharedState against a real etcd: an agent (its own
// HTTP client, etcd client, random source and coordinator), and an HTTP client that can hold
// every request except the test thread's (a session thread stuck on the network).

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "etcd/etcd_client.h"
#include "etcd/etcd_coordinator.h"
#include "etcd/keys.h"
#include "steer/base/clock.h"
#include "steer/base/http_client.h"
#include "steer/base/random.h"
#include "steer/testsupport/etcd_server.h"

namespace steer::agent::etcd::testing {

inline constexpr std::chrono::seconds kTtl{2};  // etcd's minimum lease TTL

// SendHttp; while held, requests of every thread but the one that called Hold() wait.
class GatedHttp : public base::HttpClient {
 public:
  Result<base::HttpResponse> Send(const base::HttpRequest& request) override {
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.wait(lock, [&] { return !held_ || std::this_thread::get_id() == owner_; });
      --waiting_;
    }
    return base::SendHttp(request);
  }
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
    owner_ = std::this_thread::get_id();
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  // How many requests are being held right now.
  int Waiting() {
    std::lock_guard lock(mu_);
    return waiting_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  int waiting_ = 0;
  std::thread::id owner_;
};

inline const base::Clock& Clock() {
  static const base::SystemClock clock;
  return clock;
}

inline std::unique_ptr<Client> MakeClient(const std::string& endpoint, base::HttpClient& http) {
  ClientOptions options;
  options.endpoints = {endpoint};
  options.request_timeout = std::chrono::milliseconds(1000);
  auto client = Client::Create(options, http);
  EXPECT_TRUE(client) << client.error().message;
  return client ? std::move(*client) : nullptr;
}

// One agent of a deployment. The coordinator goes first (its destructor resigns).
struct Agent {
  explicit Agent(const std::string& endpoint) : client(MakeClient(endpoint, http)) {}
  ~Agent() {
    http.Release();
    coord.reset();
  }
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  Result<void> Start(const std::string& prefix, const std::string& name,
                     std::chrono::seconds ttl = kTtl) {
    vantage = name;
    CoordinatorOptions options;
    options.prefix = prefix;
    options.vantage = name;
    options.lease_ttl = ttl;
    options.on_change = [this](const Leadership&, const std::string& what) {
      std::lock_guard lock(changes_mu);
      changes.push_back(what);
    };
    auto started = EtcdCoordinator::Start(*client, Clock(), random, options);
    if (!started) return tl::unexpected(started.error());
    coord = std::move(*started);
    return {};
  }
  // Whether the observer was told something containing `part`.
  bool Told(const std::string& part) {
    std::lock_guard lock(changes_mu);
    for (const auto& what : changes) {
      if (what.find(part) != std::string::npos) return true;
    }
    return false;
  }
  Leadership Now() const { return coord->CurrentLeadership(); }
  bool Leads() const { return coord && coord->CurrentLeadership().is_leader; }

  std::string vantage;
  GatedHttp http;
  std::unique_ptr<Client> client;
  base::SystemRandom random;
  std::mutex changes_mu;
  std::vector<std::string> changes;  // what on_change was told, in order
  std::unique_ptr<EtcdCoordinator> coord;
};

inline std::unique_ptr<Agent> StartAgent(const std::string& endpoint, const std::string& prefix,
                                         const std::string& vantage,
                                         std::chrono::seconds ttl = kTtl) {
  auto agent = std::make_unique<Agent>(endpoint);
  auto started = agent->Start(prefix, vantage, ttl);
  EXPECT_TRUE(started) << started.error().message;
  return started ? std::move(agent) : nullptr;
}

// A prefix of its own for each test (one etcd serves a whole suite).
inline std::string TestPrefix() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string("/steer-test/") + info->test_suite_name() + "." + info->name() + "/";
}

// One real etcd for a whole test suite, a key prefix of its own for each test, and a client
// to read what the agents wrote.
class SharedEtcdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new testsupport::EtcdServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    reader_ = MakeClient(server_->endpoint(), http_);
    ASSERT_NE(reader_, nullptr);
  }

  static inline testsupport::EtcdServer* server_ = nullptr;
  const std::string prefix_ = TestPrefix();
  const Keys keys_{prefix_};
  GatedHttp http_;
  std::unique_ptr<Client> reader_;
};

}  // namespace steer::agent::etcd::testing
