// libFuzzer target: any bytes as a query to the embedded server's codec (ParseQuery and
// Respond, over UDP and TCP limits), and what Respond hands over (zone transfers and
// TSIG-signed queries: RespondSlow, which parses the TSIG record with ldns). Campaign: scripts/fuzz
// dns_query (clang, -fsanitize=fuzzer,address,undefined); CI: the replay driver. No crash, no read
// past the packet, and a reply never longer than the limit it was given.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "auth_transfer.h"
#include "auth_zone.h"

namespace {

using steer::dns::RRset;
namespace auth = steer::dns::auth;

const auth::ZoneSet& Zones() {
  static const auth::ZoneSet* zones = [] {
    std::vector<RRset> z = {
        {"example.test.", "SOA", 300, {"ns1.example.test. h.example.test. 1 2 3 4 60"}},
        {"example.test.", "NS", 300, {"ns1.example.test."}},
        {"ns1.example.test.", "A", 300, {"127.0.0.1"}},
        {"login.example.test.", "A", 30, {"127.0.0.2", "127.0.0.3"}},
        {"alias.example.test.", "CNAME", 30, {"login.example.test."}},
        {"loop.example.test.", "CNAME", 30, {"loop.example.test."}},
        {"a.b.example.test.", "TXT", 30, {"\"x\""}},
    };
    auto transfer = std::make_shared<auth::TransferPolicy>();
    transfer->allow = {*auth::Network::Parse("127.0.0.0/8")};
    transfer->key = steer::dns::tsig::Normalize("steer-xfr", "hmac-sha256",
                                                "c3RlZXItdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE=");
    transfer->max_message = 1024;
    auto zone = auth::BuildZone("example.test.", z, 1, transfer);
    if (!zone) std::abort();
    auto* set = new auth::ZoneSet();
    set->zones[(*zone)->apex] = *zone;
    return set;
  }();
  return *zones;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size heap copy, so ASan sees any read past the packet.
  std::unique_ptr<uint8_t[]> pkt(new uint8_t[size == 0 ? 1 : size]);
  if (size > 0) std::copy(data, data + size, pkt.get());
  std::vector<uint8_t> out(65535);
  for (bool tcp : {false, true}) {
    bool handed_over = false;
    auth::RespondOptions options;
    options.tcp = tcp;
    options.handed_over = &handed_over;
    size_t cap = tcp ? out.size() : 512 + (size % 4) * 400;
    size_t n = auth::Respond(Zones(), pkt.get(), size, out.data(), cap, options);
    if (n > cap) std::abort();
    if (n > 0 && n < 12) std::abort();
    if (handed_over) {
      auth::Peer peer{*auth::ParseIp("127.0.0.1"), "fuzz"};
      for (const auto& m : auth::RespondSlow(Zones(), pkt.get(), size, peer, options, 1800000000)) {
        if (m.size() < 12 || m.size() > 65535) std::abort();
      }
    }
  }
  return 0;
}
