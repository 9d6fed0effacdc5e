// steer-dns-poll: watches DNS answers on several servers with direct UDP queries every few
// milliseconds, from one process. bench/failover uses it instead of looping `dig`, whose
// fork+exec per query costs ~10 ms of CPU: three such loops on a 2-core machine slowed the
// systems under test and gave the measurement a ~30 ms resolution.
//
//   steer-dns-poll until WANT SERVER/NAME...   prints, once every server answers WANT, the
//                                              Unix time (s.ns) each first did, one per line
//                                              (exit 1 after 30 s without)
//   steer-dns-poll watch SECONDS SERVER/NAME... prints "TIME SERVER/NAME ANSWER" whenever a
//                                              server's first A record changes (- on error)
//
// SERVER is host:port. Every 2 ms each server is asked once (1 s query timeout); env
// STEER_POLL_INTERVAL_US sets another interval (bench/dns/decision_latency.sh: 200 us).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "steer/dns/propagation.h"

namespace {

using Clock = std::chrono::system_clock;

struct Watched {
  steer::dns::NameServer server;
  std::string name;
  std::string spec;
  std::string last = "?";
  double first_wanted = 0;
};

std::chrono::microseconds Interval() {
  static const std::chrono::microseconds interval = [] {
    const char* env = std::getenv("STEER_POLL_INTERVAL_US");
    return std::chrono::microseconds(env != nullptr ? std::atol(env) : 2000);
  }();
  return interval;
}

double Now() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

std::string FirstA(steer::dns::DnsQuerier& q, const Watched& w) {
  auto a = q.Query(w.server, w.name, "A", std::chrono::milliseconds(1000));
  if (!a || !a->rrset || a->rrset->records.empty()) return "-";
  return a->rrset->records.front();
}

bool Parse(int argc, char** argv, int first, std::vector<Watched>* out) {
  for (int i = first; i < argc; ++i) {
    std::string spec = argv[i];
    auto slash = spec.find('/');
    if (slash == std::string::npos) return false;
    auto server = steer::dns::ParseNameServer(spec.substr(0, slash));
    if (!server) return false;
    out->push_back({*server, spec.substr(slash + 1), spec});
  }
  return !out->empty();
}

int Until(const std::string& want, std::vector<Watched>& ws) {
  steer::dns::LdnsQuerier q;
  size_t done = 0;
  double give_up = Now() + 30;  // a bench that never converges fails instead of hanging
  while (done < ws.size()) {
    if (Now() > give_up) {
      std::fprintf(stderr, "steer-dns-poll: not every server answered %s within 30 s\n",
                   want.c_str());
      return 1;
    }
    for (auto& w : ws) {
      if (w.first_wanted == 0 && FirstA(q, w) == want) {
        w.first_wanted = Now();
        ++done;
      }
    }
    std::this_thread::sleep_for(Interval());
  }
  for (const auto& w : ws) std::printf("%.6f\n", w.first_wanted);
  return 0;
}

int Watch(double seconds, std::vector<Watched>& ws) {
  steer::dns::LdnsQuerier q;
  double end = Now() + seconds;
  while (Now() < end) {
    for (auto& w : ws) {
      std::string a = FirstA(q, w);
      if (a != w.last) {
        std::printf("%.6f %s %s\n", Now(), w.spec.c_str(), a.c_str());
        std::fflush(stdout);
        w.last = a;
      }
    }
    std::this_thread::sleep_for(Interval());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Watched> ws;
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "until" && argc > 3 && Parse(argc, argv, 3, &ws)) return Until(argv[2], ws);
  if (mode == "watch" && argc > 3 && Parse(argc, argv, 3, &ws)) {
    return Watch(std::stod(argv[2]), ws);
  }
  std::fprintf(stderr,
               "usage: steer-dns-poll until WANT HOST:PORT/NAME...\n"
               "       steer-dns-poll watch SECONDS HOST:PORT/NAME...\n");
  return 2;
}
