// Time from EmbeddedProvider::Replace (what SafeWriter calls with a decision's RRset) to a
// UDP query on loopback getting the new answer, over CHANGES changes alternating between two
// RRsets. Usage: steer_dns_replace_bench [CHANGES]   (default 200)
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "dns_exchange.h"
#include "steer/dns/embedded_provider.h"

namespace {

using steer::dns::RRset;
namespace internal = steer::dns::internal;
using Clock = std::chrono::steady_clock;

bool Answers(uint16_t port, const std::string& want) {
  auto q = internal::MakeQuery("login.example.test.", "A");
  auto reply = internal::Exchange({"127.0.0.1", port, "bench"}, *internal::ToWire(q->get()),
                                  std::chrono::milliseconds(1000));
  if (!reply) return false;
  auto pkt = internal::FromWire(*reply);
  auto rrset = pkt ? internal::AnswerRRset(pkt->get(), "login.example.test.", "A") : std::nullopt;
  return rrset && rrset->records.size() == 1 && rrset->records[0] == want;
}

}  // namespace

int main(int argc, char** argv) {
  int changes = argc > 1 ? std::atoi(argv[1]) : 200;
  char tmpl[] = "/tmp/steer-replace-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  std::string zone = std::string(tmpl) + "/example.test.zone";
  std::ofstream(zone) << "$ORIGIN example.test.\n$TTL 300\n"
                         "@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\n"
                         "ns1 IN A 127.0.0.1\nlogin 30 IN A 127.0.0.2\n";
  steer::dns::EmbeddedOptions o;
  o.origin = "example.test.";
  o.zone_file = zone;
  o.listen = {"127.0.0.1:0"};
  auto p = steer::dns::EmbeddedProvider::Start(o);
  if (!p) return 1;
  uint16_t port = (*p)->Ports()[0];
  std::vector<double> us;
  for (int i = 0; i < changes; ++i) {
    std::string want = i % 2 == 0 ? "127.0.0.3" : "127.0.0.2";
    auto start = Clock::now();
    if (!(*p)->Replace("example.test.", {"login.example.test.", "A", 30, {want}})) return 1;
    while (!Answers(port, want)) {
    }
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double f) { return us[static_cast<size_t>(f * (us.size() - 1))]; };
  std::printf("Replace -> answered over UDP, %d changes: p50 %.0f us, p99 %.0f us, max %.0f us\n",
              changes, pct(0.5), pct(0.99), us.back());
  p->reset();
  std::remove(zone.c_str());
  rmdir(tmpl);
  return 0;
}
