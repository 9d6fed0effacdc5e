// libFuzzer target: any bytes as a Route 53 API document (dns::ParseListResponse,
// ParseChangeInfo, ParseChangeRequest, ParseError, DecodeName: what the Route 53 provider reads
// from the API, and what its test fake reads from the provider). Parsed lists are rebuilt and
// parsed again.
#include <cstdint>
#include <string_view>

#include "steer/dns/route53_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace dns = steer::dns::route53;
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  if (auto page = dns::ParseListResponse(xml)) {
    (void)dns::ParseListResponse(dns::BuildListResponse(*page, 300));
  }
  (void)dns::ParseChangeInfo(xml);
  (void)dns::ParseChangeRequest(xml);
  (void)dns::ParseError(xml);
  (void)dns::DecodeName(xml);
  return 0;
}
