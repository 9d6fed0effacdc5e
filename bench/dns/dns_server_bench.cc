// The embedded server's UDP path on loopback: the server (one Asio thread) in this process,
// one client thread keeping WINDOW queries in flight on a connected UDP socket for SECONDS.
// Prints answered queries/s and latency percentiles. Client and server share the machine, so
// this is a floor for the server alone; dnsperf against gdnsd is the real comparison.
// Usage: steer_dns_server_bench [SECONDS] [WINDOW]   (defaults 5, 64)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "auth_server.h"
#include "dns_exchange.h"

namespace {

using steer::dns::RRset;
namespace auth = steer::dns::auth;
namespace internal = steer::dns::internal;
using Clock = std::chrono::steady_clock;

std::shared_ptr<auth::ZoneStore> Store() {
  std::vector<RRset> z = {
      {"example.test.", "SOA", 300, {"ns1.example.test. h.example.test. 1 2 3 4 60"}},
      {"login.example.test.", "A", 30, {"127.0.0.2", "127.0.0.3"}}};
  auto zone = auth::BuildZone("example.test.", z, 1);
  auto set = std::make_shared<auth::ZoneSet>();
  set->zones[(*zone)->apex] = *zone;
  auto store = std::make_shared<auth::ZoneStore>();
  store->Store(set);
  return store;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
  int window = argc > 2 ? std::atoi(argv[2]) : 64;
  auth::AuthServerOptions options;
  options.listen = {{"127.0.0.1", 0}};
  auto server = auth::AuthServer::Start(options, Store());
  if (!server) return 1;
  auto q = internal::MakeQuery("login.example.test.", "A");
  ldns_pkt_set_edns_udp_size(q->get(), 1232);
  std::vector<uint8_t> query = *internal::ToWire(q->get());
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons((*server)->Ports()[0]);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return 1;
  std::vector<Clock::time_point> sent(65536);
  std::vector<double> latency_us;
  uint16_t next_id = 0;
  auto send_one = [&] {
    query[0] = static_cast<uint8_t>(next_id >> 8);
    query[1] = static_cast<uint8_t>(next_id);
    sent[next_id++] = Clock::now();
    send(fd, query.data(), query.size(), 0);
  };
  for (int i = 0; i < window; ++i) send_one();
  auto end = Clock::now() + std::chrono::seconds(seconds);
  uint8_t buf[1500];
  long answered = 0, lost = 0;
  while (Clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) {  // a lost datagram: top the window up again
      ++lost;
      send_one();
      continue;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 12) continue;
    uint16_t id = static_cast<uint16_t>(buf[0] << 8 | buf[1]);
    latency_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - sent[id]).count());
    ++answered;
    send_one();
  }
  std::sort(latency_us.begin(), latency_us.end());
  auto pct = [&](double p) { return latency_us[static_cast<size_t>(p * (latency_us.size() - 1))]; };
  std::printf("answered %ld in %d s: %.0f queries/s (window %d, %ld timeouts)\n", answered, seconds,
              static_cast<double>(answered) / seconds, window, lost);
  std::printf("latency us: p50 %.0f  p99 %.0f  max %.0f\n", pct(0.5), pct(0.99), latency_us.back());
  close(fd);
  return 0;
}
