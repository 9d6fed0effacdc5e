// steer_coord_bench: the load N agents' coordination puts on etcd (issue 12). One process runs
// N EtcdCoordinator instances (each with its own etcd::Client over the curl HTTP client and a
// distinct vantage name), and for each a thread doing what agent/vantage_sync.cc does every
// agent.tick: publish the vantage report when it changed (ReportChanged) or when the heartbeat
// (HeartbeatPeriod of a policy with the given probe interval, stale_after 3) is due, then read
// every report. Targets flip state at random (FLIP of them per second). The load is measured
// with etcd's own counters (GET /metrics before and after), in three phases:
//   idle      the coordinators alone (lease keepalives, leader campaign)
//   agents    idle + publish + read at every tick
//   capacity  etcd's own write capacity here: PUT_THREADS threads putting 300-byte values
//             through the same JSON gateway client, as fast as they can
//
//   steer_coord_bench ENDPOINT[,ENDPOINT...] [--vantages=50] [--regions=20] [--targets=2]
//     [--tick_ms=100] [--interval_ms=1000] [--flip=0.01] [--idle_s=5] [--seconds=20]
//     [--put_threads=8] [--capacity_s=5] [--lease_ttl_s=5]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "etcd/etcd_client.h"
#include "etcd/etcd_coordinator.h"
#include "etcd/report_json.h"
#include "steer/base/clock.h"
#include "steer/base/http_client.h"
#include "steer/base/random.h"
#include "steer/config/policy.h"
#include "vantage_sync.h"

namespace {

using namespace steer;  // NOLINT: a bench's main file
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

struct Options {
  std::vector<std::string> endpoints;
  std::map<std::string, double> n = {{"vantages", 50},  {"regions", 20},       {"targets", 2},
                                     {"tick_ms", 100},  {"interval_ms", 1000}, {"flip", 0.01},
                                     {"idle_s", 5},     {"seconds", 20},       {"put_threads", 8},
                                     {"capacity_s", 5}, {"lease_ttl_s", 5}};
  int Int(const std::string& k) const { return static_cast<int>(n.at(k)); }
  agent::etcd::ClientOptions Client() const {
    agent::etcd::ClientOptions c;
    c.endpoints = endpoints;
    return c;
  }
};

// Counts the range calls and the bytes of their answers (the JSON gateway's, base64 included).
class CountingHttp final : public base::HttpClient {
 public:
  explicit CountingHttp(base::HttpClient& inner) : inner_(inner) {}
  Result<base::HttpResponse> Send(const base::HttpRequest& request) override {
    auto response = inner_.Send(request);
    if (response && request.url.ends_with("/v3/kv/range")) {
      ranges += 1;
      range_bytes += response->body.size();
    }
    return response;
  }
  std::atomic<uint64_t> ranges{0};
  std::atomic<uint64_t> range_bytes{0};

 private:
  base::HttpClient& inner_;
};

// etcd's counters on every member: "name@endpoint" -> value summed over labels.
std::map<std::string, double> Scrape(const std::vector<std::string>& endpoints) {
  static const std::vector<std::string> kNames = {"etcd_mvcc_put_total", "etcd_mvcc_txn_total",
                                                  "etcd_mvcc_range_total",
                                                  "etcd_server_proposals_committed_total"};
  std::map<std::string, double> out;
  for (const auto& e : endpoints) {
    base::HttpRequest request;
    request.url = e + "/metrics";
    auto response = base::SendHttp(request);
    if (!response) continue;
    size_t pos = 0;
    const std::string& body = response->body;
    while (pos < body.size()) {
      size_t end = body.find('\n', pos);
      if (end == std::string::npos) end = body.size();
      const std::string line = body.substr(pos, end - pos);
      pos = end + 1;
      for (const auto& name : kNames) {
        if (line.starts_with(name) && (line[name.size()] == ' ' || line[name.size()] == '{')) {
          out[name + "@" + e] += std::stod(line.substr(line.rfind(' ') + 1));
        }
      }
    }
  }
  return out;
}

// Per second, between two scrapes, on the first member: the one every client here asks (the
// client moves on only when it fails), and one that applies every write like the others do.
// Its ranges are the clients' reads plus the reads inside txns (which every member applies).
double Rate(const std::map<std::string, double>& a, const std::map<std::string, double>& b,
            const std::string& name, const Options& o, double seconds) {
  const auto key = name + "@" + o.endpoints.front();
  if (!b.contains(key)) return 0;
  return (b.at(key) - (a.contains(key) ? a.at(key) : 0)) / seconds;
}

struct Vantage {
  std::unique_ptr<agent::etcd::Client> client;
  std::unique_ptr<agent::etcd::EtcdCoordinator> coordinator;
  agent::VantageReport report;
};

struct Counters {
  std::atomic<uint64_t> publishes{0}, publish_errors{0}, reads{0}, read_errors{0}, reports{0};
  std::atomic<uint64_t> late_ticks{0};
};

config::Policy HeartbeatPolicy(const Options& o) {
  config::Policy policy;
  config::ProbeConfig probe;
  probe.interval = base::Duration(o.Int("interval_ms"));
  policy.regions.resize(1);
  policy.regions[0].components.resize(1);
  policy.regions[0].components[0].probes.push_back(probe);
  policy.services.resize(1);  // quorum.stale_after: the default 3
  return policy;
}

agent::VantageReport InitialReport(const Options& o, int v) {
  agent::VantageReport r;
  r.vantage = "v" + std::to_string(v);
  r.home_region = "r" + std::to_string(v % o.Int("regions"));
  for (int region = 0; region < o.Int("regions"); ++region) {
    for (int t = 0; t < o.Int("targets"); ++t) {
      r.targets.push_back({"r" + std::to_string(region), "app", "p" + std::to_string(t),
                           policies::Health::kHealthy, 3, 0, 120, ""});
    }
  }
  return r;
}

// One tick's worth of probe results: every target's streak and age move (not a change), and
// each flips with probability flip x tick (a change: published at once).
void Advance(agent::VantageReport& r, const Options& o, std::mt19937_64& rng) {
  std::bernoulli_distribution flip(o.n.at("flip") * o.n.at("tick_ms") / 1000.0);
  for (auto& t : r.targets) {
    t.age_ms = static_cast<int64_t>(rng() % 1000);
    if (!flip(rng)) {
      ++(t.state == policies::Health::kHealthy ? t.consecutive_ok : t.consecutive_fail);
      continue;
    }
    const bool down = t.state == policies::Health::kHealthy;
    t.state = down ? policies::Health::kUnhealthy : policies::Health::kHealthy;
    t.error = down ? "connect: connection refused" : "";
    t.consecutive_ok = down ? 0 : 1;
    t.consecutive_fail = down ? 1 : 0;
  }
}

// What VantageSync::Sync does, every tick until `stop`.
void RunAgent(Vantage& v, const Options& o, const std::atomic<bool>& stop, Counters& c, int seed) {
  std::mt19937_64 rng(seed);
  const auto tick = milliseconds(o.Int("tick_ms"));
  const auto heartbeat = agent::HeartbeatPeriod(HeartbeatPolicy(o));
  agent::VantageReport published;
  Steady::time_point next_heartbeat{}, next = Steady::now();
  while (!stop) {
    Advance(v.report, o, rng);
    if (agent::ReportChanged(published, v.report) || Steady::now() >= next_heartbeat) {
      if (v.coordinator->Publish(v.report)) {
        ++c.publishes;
        published = v.report;
        next_heartbeat = Steady::now() + heartbeat;
      } else {
        ++c.publish_errors;
      }
    }
    auto reports = v.coordinator->ReadReports();
    reports ? (++c.reads, c.reports += reports->size()) : ++c.read_errors;
    next += tick;
    if (Steady::now() > next) {
      ++c.late_ticks;
      next = Steady::now();
    }
    std::this_thread::sleep_until(next);
  }
}

// Puts as fast as `threads` threads can for `seconds`; returns the puts that succeeded.
uint64_t PutLoop(const Options& o, base::HttpClient& http) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> puts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < o.Int("put_threads"); ++i) {
    threads.emplace_back([&, i] {
      auto client = agent::etcd::Client::Create(o.Client(), http);
      if (!client) return;
      const std::string value(300, 'x');
      for (uint64_t k = 0; !stop; ++k) {
        if ((*client)->Put("/bench/put/" + std::to_string(i) + "/" + std::to_string(k % 100),
                           value)) {
          ++puts;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(o.Int("capacity_s")));
  stop = true;
  for (auto& t : threads) t.join();
  return puts;
}

Options Parse(int argc, char** argv) {
  Options o;
  std::string list = argc > 1 ? argv[1] : "";
  for (size_t pos = 0; pos < list.size();) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    o.endpoints.push_back(list.substr(pos, comma - pos));
    pos = comma + 1;
  }
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    size_t eq = arg.find('=');
    std::string key = arg.substr(2, eq == std::string::npos ? 0 : eq - 2);
    if (!arg.starts_with("--") || eq == std::string::npos || !o.n.contains(key)) {
      std::fprintf(stderr, "unknown option %s\n", arg.c_str());
      std::exit(2);
    }
    o.n[key] = std::stod(arg.substr(eq + 1));
  }
  if (o.endpoints.empty()) {
    std::fprintf(stderr, "usage: steer_coord_bench ENDPOINT[,ENDPOINT...] [--key=value...]\n");
    std::exit(2);
  }
  return o;
}

void PrintEtcd(const char* phase, const std::map<std::string, double>& a,
               const std::map<std::string, double>& b, const Options& o, double s) {
  std::printf(
      "%-9s etcd: puts/s %8.1f  txns/s %8.1f  proposals committed/s %8.1f  ranges/s %8.1f  (first "
      "member)\n",
      phase, Rate(a, b, "etcd_mvcc_put_total", o, s), Rate(a, b, "etcd_mvcc_txn_total", o, s),
      Rate(a, b, "etcd_server_proposals_committed_total", o, s),
      Rate(a, b, "etcd_mvcc_range_total", o, s));
}

// N coordinators, each with its own client; exits when one cannot start.
std::vector<Vantage> StartVantages(const Options& o, base::HttpClient& http,
                                   const base::Clock& clock, base::Random& random) {
  std::vector<Vantage> vantages(o.Int("vantages"));
  for (int v = 0; v < o.Int("vantages"); ++v) {
    auto client = agent::etcd::Client::Create(o.Client(), http);
    if (!client) std::fprintf(stderr, "%s\n", client.error().message.c_str()), std::exit(1);
    vantages[v].client = std::move(*client);
    agent::etcd::CoordinatorOptions co;
    co.prefix = "/bench/coord/";
    co.vantage = "v" + std::to_string(v);
    co.lease_ttl = std::chrono::seconds(o.Int("lease_ttl_s"));
    auto c = agent::etcd::EtcdCoordinator::Start(*vantages[v].client, clock, random, co);
    if (!c) std::fprintf(stderr, "%s\n", c.error().message.c_str()), std::exit(1);
    vantages[v].coordinator = std::move(*c);
    vantages[v].report = InitialReport(o, v);
  }
  return vantages;
}

// The agents' phase: every vantage's thread for `seconds`, etcd's counters and the clients'.
void AgentsPhase(std::vector<Vantage>& vantages, const Options& o, CountingHttp& http) {
  Counters c;
  std::atomic<bool> stop{false};
  const uint64_t ranges0 = http.ranges, bytes0 = http.range_bytes;
  std::vector<std::thread> agents;
  for (int v = 0; v < o.Int("vantages"); ++v) {
    agents.emplace_back([&, v] { RunAgent(vantages[v], o, stop, c, v + 1); });
  }
  const auto t0 = Steady::now();
  auto m0 = Scrape(o.endpoints);
  std::this_thread::sleep_for(std::chrono::seconds(o.Int("seconds")));
  auto m1 = Scrape(o.endpoints);
  const double s = std::chrono::duration<double>(Steady::now() - t0).count();
  stop = true;
  for (auto& t : agents) t.join();
  PrintEtcd("agents", m0, m1, o, s);
  const double ranges = static_cast<double>(http.ranges - ranges0);
  std::printf(
      "agents    client: publishes/s %8.1f (errors %llu)  reads/s %8.1f (errors %llu, "
      "target %.0f)  bytes/read %8.0f  reports/read %.1f  late ticks %llu\n",
      static_cast<double>(c.publishes) / s, static_cast<unsigned long long>(c.publish_errors),
      static_cast<double>(c.reads) / s, static_cast<unsigned long long>(c.read_errors),
      o.n.at("vantages") * 1000.0 / o.n.at("tick_ms"),
      ranges > 0 ? static_cast<double>(http.range_bytes - bytes0) / ranges : 0.0,
      c.reads > 0 ? static_cast<double>(c.reports) / static_cast<double>(c.reads) : 0.0,
      static_cast<unsigned long long>(c.late_ticks));
  std::printf("agents    report JSON: %zu bytes per vantage\n",
              agent::etcd::ReportToJson(vantages[0].report).size());
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  auto curl = base::MakeCurlHttpClient();
  CountingHttp http(*curl);
  base::SystemClock clock;
  base::SystemRandom random;
  std::vector<Vantage> vantages = StartVantages(o, http, clock, random);
  std::printf(
      "%d vantages x %d regions x %d targets, tick %d ms, probe interval %d ms, "
      "heartbeat %lld ms, flip %.3f of targets/s\n",
      o.Int("vantages"), o.Int("regions"), o.Int("targets"), o.Int("tick_ms"), o.Int("interval_ms"),
      static_cast<long long>(agent::HeartbeatPeriod(HeartbeatPolicy(o)).count()), o.n.at("flip"));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the first campaign round settles
  auto m0 = Scrape(o.endpoints);
  std::this_thread::sleep_for(std::chrono::seconds(o.Int("idle_s")));
  PrintEtcd("idle", m0, Scrape(o.endpoints), o, o.n.at("idle_s"));
  AgentsPhase(vantages, o, http);
  vantages.clear();  // resign, revoke: the capacity phase runs on a quiet cluster

  auto m1 = Scrape(o.endpoints);
  const auto t1 = Steady::now();
  const uint64_t puts = PutLoop(o, http);
  const double cs = std::chrono::duration<double>(Steady::now() - t1).count();
  PrintEtcd("capacity", m1, Scrape(o.endpoints), o, cs);
  std::printf("capacity  client: %.1f puts/s with %d threads (300-byte values)\n",
              static_cast<double>(puts) / cs, o.Int("put_threads"));
  return 0;
}
