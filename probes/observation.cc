#include "steer/probes/observation.h"

namespace steer::probes {

const char* ErrorClassName(ErrorClass c) {
  switch (c) {
    case ErrorClass::kNone:
      return "";
    case ErrorClass::kDns:
      return "dns";
    case ErrorClass::kConnect:
      return "connect";
    case ErrorClass::kTls:
      return "tls";
    case ErrorClass::kTimeout:
      return "timeout";
    case ErrorClass::kHttpStatus:
      return "http_status";
    case ErrorClass::kBodyMismatch:
      return "body_mismatch";
    case ErrorClass::kHeaderMismatch:
      return "header_mismatch";
    case ErrorClass::kLatency:
      return "latency";
    case ErrorClass::kCertExpiry:
      return "cert_expiry";
    case ErrorClass::kReplyMismatch:
      return "reply_mismatch";
    case ErrorClass::kDnsRcode:
      return "dns_rcode";
    case ErrorClass::kDnsAnswer:
      return "dns_answer";
    case ErrorClass::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace steer::probes
