// libFuzzer target: any bytes as the reply of a name server to the propagation checker
// (dns::ParseQueryAnswer, what LdnsQuerier reads from every reply: ldns's packet parser, the
// answer RRset, the referral NS names), for an A, a TXT and an NS question.
#include <cstdint>
#include <vector>

#include "steer/dns/propagation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> wire(data, data + size);
  (void)steer::dns::ParseQueryAnswer(wire, "www.example.test.", "A");
  (void)steer::dns::ParseQueryAnswer(wire, "www.example.test.", "TXT");
  (void)steer::dns::ParseQueryAnswer(wire, "example.test.", "NS");
  return 0;
}
