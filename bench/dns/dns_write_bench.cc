// PowerDNS write -> every authoritative server verified, on loopback.
//
// Setup: two pdns_server processes serving one sqlite database (two authoritative servers
// of example.test.), started by tests/support. Each change alternates login.example.test.'s
// A record between two record sets and is timed from the start of the write until both
// servers answer the new RRset:
//   steer    SafeWriter.Replace (read-before, change-guard zone listing, PATCH, read-back)
//            + PropagationChecker.WaitFor over both servers (direct RD=0 queries)
//   peer     the bare PowerDNS API PATCH alone (same curl client), no verification: the floor
//            any PowerDNS-based writer pays
// Steer and peer changes are interleaved. Also, for reference, an RFC 2136 UPDATE to a BIND primary
// verified on it and on a secondary fed by NOTIFY + AXFR. Usage: steer_dns_bench [--changes N]
// [--pdns-config LINE]... [--bind yes|no]
//   N defaults to 100; each LINE is added to both pdns.conf files (e.g.
//   gsqlite3-pragma-journal-mode=WAL) to compare backend settings.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "steer/base/clock.h"
#include "steer/base/log.h"
#include "steer/base/random.h"
#include "steer/dns/powerdns_provider.h"
#include "steer/dns/propagation.h"
#include "steer/dns/rfc2136_provider.h"
#include "steer/dns/safe_writer.h"
#include "steer/testsupport/named_server.h"
#include "steer/testsupport/pdns_server.h"

namespace {

using namespace steer;  // NOLINT: a benchmark main
using Micros = std::chrono::microseconds;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kZone = "example.test.";

dns::RRset Change(int i) {
  // Record data only (documentation ranges); nothing connects to these.
  std::string a = "198.51.100." + std::to_string(i % 200 + 1);
  std::string b = "203.0.113." + std::to_string(i % 200 + 1);
  return dns::RRset{"login.example.test.", "A", 30, {a, b}};
}

struct Stats {
  double p50_ms, p99_ms, max_ms;
};

// Nearest-rank percentiles.
Stats Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto rank = [&](double p) {
    size_t k = static_cast<size_t>(std::max(1.0, std::ceil(p * static_cast<double>(ms.size()))));
    return ms[std::min(k, ms.size()) - 1];
  };
  return Stats{rank(0.50), rank(0.99), ms.back()};
}

// Times `n` runs of `one(i)`; a false return is a failed change and aborts the run.
bool Measure(int n, const std::function<bool(int)>& one, std::vector<double>* ms) {
  for (int i = 0; i < n; ++i) {
    auto start = SteadyClock::now();
    if (!one(i)) return false;
    ms->push_back(static_cast<double>(
                      std::chrono::duration_cast<Micros>(SteadyClock::now() - start).count()) /
                  1000.0);
  }
  return true;
}

void Print(const char* name, const Stats& s, int n) {
  std::printf("%-44s n=%d  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", name, n, s.p50_ms, s.p99_ms,
              s.max_ms);
}

struct Samples {
  std::vector<double> steer, peer, bind;
};

// Two pdns_server processes on one database; steer and peer writes timed.
bool MeasurePowerDns(const testsupport::PdnsOptions& options, int changes, Samples* out) {
  testsupport::PdnsServer primary(options);
  primary.CreateZone(kZone, {"ns1.example.test.", "ns2.example.test."},
                     {{"ns1.example.test.", "A", 30, {"127.0.0.1"}},
                      {"ns2.example.test.", "A", 30, {"127.0.0.1"}},
                      {"login.example.test.", "A", 30, {"127.0.0.2"}}});
  testsupport::PdnsOptions second_options = options;
  second_options.shared_database = primary.database();
  testsupport::PdnsServer second(second_options);
  std::vector<dns::NameServer> servers = {{"127.0.0.1", primary.dns_port(), ""},
                                          {"127.0.0.1", second.dns_port(), ""}};
  dns::PowerDnsProvider pdns(dns::PowerDnsOptions{"powerdns:bench", primary.api_url(), "localhost",
                                                  primary.api_key(), milliseconds(5000)},
                             base::MakeCurlHttpClient());
  base::SystemClock clock;
  base::SystemRandom random;
  dns::RateLimiter limiter(1e6, 1e6, clock);  // measuring the write path, not the limit
  dns::SafeWriter writer(pdns, limiter, clock, random, nullptr);
  dns::LdnsQuerier querier;
  dns::PropagationChecker checker(querier, clock);
  dns::PropagationOptions verify{milliseconds(5000), milliseconds(1), milliseconds(1000)};
  auto steer_one = [&](int i) {
    dns::RRset want = Change(i);
    auto result = writer.Replace(kZone, want);
    if (!result) std::fprintf(stderr, "write failed: %s\n", result.error().message.c_str());
    return result && result->outcome == dns::ChangeOutcome::kApplied &&
           checker.WaitFor(want, servers, verify).complete;
  };
  // Different data from steer's change i, so every steer change is a real write.
  auto peer_one = [&](int i) { return pdns.Replace(kZone, Change(i + 100)).has_value(); };
  std::vector<double> warm;
  if (!Measure(5, steer_one, &warm)) return false;
  // Interleaved, so both see the same machine load (2 shared cores, fsync-bound writes).
  for (int i = 0; i < changes; ++i) {
    if (!Measure(
            1, [&](int) { return peer_one(i); }, &out->peer))
      return false;
    if (!Measure(
            1, [&](int) { return steer_one(i); }, &out->steer))
      return false;
  }
  return true;
}

// A BIND primary updated by RFC 2136, verified on it and on a NOTIFY/AXFR secondary.
bool MeasureBind(int changes, Samples* out) {
  uint16_t secondary_port = testsupport::FreePort();
  testsupport::NamedOptions primary_options;
  primary_options.zones[0].records = "login IN A 127.0.0.2\n";
  primary_options.notify_ports = {secondary_port};
  testsupport::NamedServer primary(primary_options);
  testsupport::NamedOptions secondary_options;
  secondary_options.port = secondary_port;
  secondary_options.primary_port = primary.port();
  testsupport::NamedServer secondary(secondary_options);
  dns::Rfc2136Provider rfc(dns::Rfc2136Options{
      "rfc2136:bench", dns::NameServer{"127.0.0.1", primary.port(), ""}, primary.key_name(),
      primary.algorithm(), primary.tsig_secret(), milliseconds(5000)});
  base::SystemClock clock;
  base::SystemRandom random;
  dns::RateLimiter limiter(1e6, 1e6, clock);
  dns::SafeWriter writer(rfc, limiter, clock, random, nullptr);
  dns::LdnsQuerier querier;
  dns::PropagationChecker checker(querier, clock);
  dns::PropagationOptions verify{milliseconds(5000), milliseconds(1), milliseconds(1000)};
  std::vector<dns::NameServer> servers = {{"127.0.0.1", primary.port(), ""},
                                          {"127.0.0.1", secondary_port, ""}};
  auto one = [&](int i) {
    dns::RRset want = Change(i);
    auto result = writer.Replace(kZone, want);
    if (!result) std::fprintf(stderr, "update failed: %s\n", result.error().message.c_str());
    return result && result->outcome == dns::ChangeOutcome::kApplied &&
           checker.WaitFor(want, servers, verify).complete;
  };
  return Measure(changes, one, &out->bind);
}

}  // namespace

int main(int argc, char** argv) {
  int changes = 100;
  bool with_bind = true;
  testsupport::PdnsOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--changes") == 0) changes = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--pdns-config") == 0) options.extra_config.push_back(argv[i + 1]);
    if (std::strcmp(argv[i], "--bind") == 0) with_bind = std::strcmp(argv[i + 1], "no") != 0;
  }
  (void)base::ConfigureLogging("warn", base::LogOutput::kText);
  Samples samples;
  if (!MeasurePowerDns(options, changes, &samples)) return 1;
  if (with_bind && !MeasureBind(changes, &samples)) return 1;
  Stats steer = Summarize(samples.steer), peer = Summarize(samples.peer);
  Print("powerdns: safe write + 2 servers verified", steer, changes);
  Print("powerdns: bare API PATCH (peer)", peer, changes);
  if (with_bind)
    Print("rfc2136/BIND: safe write + primary+secondary", Summarize(samples.bind), changes);
  std::printf("ratio steer/peer: p50 %.2fx  p99 %.2fx   goal p99 < 50 ms: %s\n",
              steer.p50_ms / peer.p50_ms, steer.p99_ms / peer.p99_ms,
              steer.p99_ms < 50.0 ? "met" : "NOT met");
  return 0;
}
