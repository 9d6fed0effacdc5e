// Query -> answer round trip of the embedded server's codec, in process, one core: the
// hand-written codec (dns_wire.h + Respond) against the same work done with ldns
// (ldns_wire2pkt, name lookup, ldns_pkt2wire), which decided the codec (dns_wire.h).
// Usage: steer_dns_codec_bench [--queries N]   (N defaults to 2,000,000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth_zone.h"
#include "dns_exchange.h"

namespace {

using steer::dns::RRset;
namespace auth = steer::dns::auth;
namespace internal = steer::dns::internal;
using Clock = std::chrono::steady_clock;

std::vector<uint8_t> Query() {
  auto q = internal::MakeQuery("login.example.test.", "A");
  ldns_pkt_set_edns_udp_size(q->get(), 1232);
  return *internal::ToWire(q->get());
}

double HandWritten(const std::vector<uint8_t>& query, long n) {
  std::vector<RRset> z = {
      {"example.test.", "SOA", 300, {"ns1.example.test. h.example.test. 1 2 3 4 5"}},
      {"login.example.test.", "A", 30, {"127.0.0.2", "127.0.0.3"}}};
  auto zone = auth::BuildZone("example.test.", z, 1);
  auth::ZoneStore store;
  auto set = std::make_shared<auth::ZoneSet>();
  set->zones[(*zone)->apex] = *zone;
  store.Store(set);
  uint8_t out[1232];
  size_t total = 0;
  auto start = Clock::now();
  for (long i = 0; i < n; ++i) {
    auto snapshot = store.Load();  // as the server does per query
    total += auth::Respond(*snapshot, query.data(), query.size(), out, sizeof out, {});
  }
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  if (total == 0) std::abort();
  return s;
}

double Ldns(const std::vector<uint8_t>& query, long n) {
  ldns_rr* a1 = nullptr;
  ldns_rr* a2 = nullptr;
  ldns_rr_new_frm_str(&a1, "login.example.test. 30 IN A 127.0.0.2", 0, nullptr, nullptr);
  ldns_rr_new_frm_str(&a2, "login.example.test. 30 IN A 127.0.0.3", 0, nullptr, nullptr);
  std::unordered_map<std::string, std::vector<ldns_rr*>> names = {
      {"login.example.test.", {a1, a2}}};
  size_t total = 0;
  auto start = Clock::now();
  for (long i = 0; i < n; ++i) {
    ldns_pkt* q = nullptr;
    if (ldns_wire2pkt(&q, query.data(), query.size()) != LDNS_STATUS_OK) std::abort();
    ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(q), 0);
    ldns_rdf* owner = ldns_rdf_clone(ldns_rr_owner(question));
    ldns_dname2canonical(owner);
    char* text = ldns_rdf2str(owner);
    ldns_rdf_deep_free(owner);
    ldns_pkt* r = ldns_pkt_new();
    ldns_pkt_set_id(r, ldns_pkt_id(q));
    ldns_pkt_set_qr(r, true);
    ldns_pkt_set_aa(r, true);
    ldns_pkt_push_rr(r, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
    auto it = names.find(text);
    free(text);
    if (it != names.end()) {
      for (ldns_rr* rr : it->second) ldns_pkt_push_rr(r, LDNS_SECTION_ANSWER, ldns_rr_clone(rr));
    }
    ldns_pkt_set_edns_udp_size(r, 1232);
    uint8_t* wire = nullptr;
    size_t size = 0;
    ldns_pkt2wire(&wire, r, &size);
    total += size;
    free(wire);
    ldns_pkt_free(r);
    ldns_pkt_free(q);
  }
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  ldns_rr_free(a1);
  ldns_rr_free(a2);
  if (total == 0) std::abort();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long n = 2000000;
  if (argc == 3 && std::strcmp(argv[1], "--queries") == 0) n = std::atol(argv[2]);
  auto query = Query();
  double hand = HandWritten(query, n);
  double ldns = Ldns(query, n);
  std::printf("queries: %ld (login.example.test. A, EDNS, 2 answers)\n", n);
  std::printf("hand-written: %.0f ns/query, %.2f M queries/s\n", hand * 1e9 / n, n / hand / 1e6);
  std::printf("ldns:         %.0f ns/query, %.2f M queries/s\n", ldns * 1e9 / n, n / ldns / 1e6);
  std::printf("ldns / hand-written: %.1fx\n", ldns / hand);
  return 0;
}
