#include "steer/dns/rfc2136_provider.h"

#include "dns_exchange.h"
#include "steer/base/log.h"
#include "steer/base/secret.h"
#include "tsig.h"

namespace steer::dns {
namespace {

using internal::PktPtr;
using internal::RdfPtr;
using internal::RrListPtr;

constexpr int kRcodeNotAuth = 9;
constexpr int kRcodeNotZone = 10;
constexpr int kRcodeRefused = 5;
constexpr int kRcodeServFail = 2;

tsig::Key KeyOf(const Rfc2136Options& options) {
  return tsig::Normalize(options.key_name, options.algorithm, options.secret);
}

// The UPDATE section: delete the RRset (class ANY, TTL 0, no data), then add each record.
// One message, applied atomically by the server.
Result<RrListPtr> UpdateSection(const RRset& rrset) {
  RrListPtr list(ldns_rr_list_new());
  ldns_rr* del = ldns_rr_new();
  ldns_rr_set_owner(del, ldns_dname_new_frm_str(rrset.name.c_str()));
  ldns_rr_set_type(del, ldns_get_rr_type_by_name(rrset.type.c_str()));
  ldns_rr_set_class(del, LDNS_RR_CLASS_ANY);
  ldns_rr_set_ttl(del, 0);
  ldns_rr_list_push_rr(list.get(), del);
  for (const auto& record : rrset.records) {
    std::string text =
        rrset.name + " " + std::to_string(rrset.ttl) + " IN " + rrset.type + " " + record;
    ldns_rr* rr = nullptr;
    if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
      return MakeError(ErrorCode::kInvalidArgument, "cannot encode record '" + text + "'");
    }
    ldns_rr_list_push_rr(list.get(), rr);
  }
  return list;
}

}  // namespace

Rfc2136Provider::Rfc2136Provider(Rfc2136Options options) : options_(std::move(options)) {
  options_.key_name = CanonicalName(options_.key_name);
  if (options_.algorithm.empty() || options_.algorithm.back() != '.') options_.algorithm += '.';
}

Result<std::unique_ptr<Provider>> Rfc2136Provider::Create(const config::ProviderConfig& config) {
  const auto& c = config.rfc2136;
  auto server = ParseNameServer(c.server);
  if (!server) {
    return MakeError(server.error().code,
                     "provider " + config.name + ": " + server.error().message);
  }
  if (c.tsig_algorithm != "hmac-sha256" && c.tsig_algorithm != "hmac-sha512") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "provider " + config.name + ": tsig_algorithm must be hmac-sha256 or " +
                         "hmac-sha512, not '" + c.tsig_algorithm + "'");
  }
  if (c.tsig_key_name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "provider " + config.name + ": tsig_key_name is empty");
  }
  auto secret = base::ResolveSecret(c.tsig_secret);
  if (!secret) {
    return MakeError(secret.error().code, "provider " + config.name + ": tsig_secret (" +
                                              c.tsig_secret.ToString() +
                                              "): " + secret.error().message);
  }
  Rfc2136Options options;
  options.name = "rfc2136:" + config.name;
  options.server = *server;
  options.key_name = c.tsig_key_name;
  options.algorithm = c.tsig_algorithm;
  options.secret = *secret;
  options.timeout = config.timeout;
  return std::make_unique<Rfc2136Provider>(std::move(options));
}

Result<std::optional<RRset>> Rfc2136Provider::Read(const std::string& zone, const std::string& name,
                                                   const std::string& type) {
  LdnsQuerier querier;
  auto answer = querier.Query(options_.server, name, type, options_.timeout);
  if (!answer) {
    return MakeError(answer.error().code, options_.name + ": " + answer.error().message);
  }
  if (answer->rcode == "REFUSED" || (answer->rcode == "NOERROR" && !answer->authoritative)) {
    return MakeError(ErrorCode::kNotFound, options_.name + ": " + options_.server.ToString() +
                                               " is not authoritative for " + CanonicalName(zone));
  }
  if (answer->rcode == "SERVFAIL") {
    return MakeError(ErrorCode::kUnavailable, options_.name + ": SERVFAIL for " + name);
  }
  if (answer->rcode != "NOERROR" && answer->rcode != "NXDOMAIN") {
    return MakeError(ErrorCode::kUnavailable,
                     options_.name + ": " + answer->rcode + " for " + name);
  }
  return answer->rrset;
}

namespace {

Result<PktPtr> SignedUpdate(const Rfc2136Options& options, const std::string& zone,
                            const RRset& rrset, const std::string& what) {
  auto update = UpdateSection(rrset);
  if (!update) return tl::unexpected(update.error());
  PktPtr pkt(ldns_update_pkt_new(ldns_dname_new_frm_str(CanonicalName(zone).c_str()),
                                 LDNS_RR_CLASS_IN, nullptr, update->get(), nullptr));
  if (!pkt) return MakeError(ErrorCode::kInternal, what + ": cannot build the message");
  ldns_pkt_set_random_id(pkt.get());
  ldns_pkt_set_rd(pkt.get(), false);
  if (auto ok = tsig::Sign(pkt.get(), KeyOf(options), nullptr); !ok) {
    return MakeError(ok.error().code, what + ": " + ok.error().message);
  }
  return pkt;
}

// The error a signed UPDATE's reply means, if any. Messages name the key, never the secret.
std::optional<Error> ReplyError(const Rfc2136Options& options, const ldns_pkt* reply,
                                const std::string& what) {
  int rcode = ldns_pkt_get_rcode(reply);
  uint16_t tsig_error = tsig::ErrorOf(reply);
  std::string key = "TSIG key " + options.key_name;
  if (tsig_error != 0) {
    return Error(ErrorCode::kPermissionDenied,
                 what + ": " + key + " refused: " + tsig::ErrorName(tsig_error));
  }
  switch (rcode) {
    case 0:
      return std::nullopt;
    case kRcodeNotAuth:
      return Error(ErrorCode::kNotFound, what + ": NOTAUTH: " + options.server.ToString() +
                                             " is not authoritative for the zone");
    case kRcodeRefused:
      return Error(ErrorCode::kPermissionDenied,
                   what + ": REFUSED: the server's update policy does not allow " + key +
                       " to change this name (or the zone is not served there)");
    case kRcodeNotZone:
      return Error(ErrorCode::kInvalidArgument, what + ": NOTZONE: the name is outside the zone");
    case kRcodeServFail:
      return Error(ErrorCode::kUnavailable, what + ": SERVFAIL");
    default:
      return Error(ErrorCode::kFailedPrecondition, what + ": " + internal::RcodeName(rcode));
  }
}

}  // namespace

Result<ChangeReceipt> Rfc2136Provider::Replace(const std::string& zone, const RRset& rrset_in) {
  RRset rrset = rrset_in.Normalized();
  std::string what =
      options_.name + ": UPDATE " + rrset.name + " " + rrset.type + " in " + CanonicalName(zone);
  auto pkt = SignedUpdate(options_, zone, rrset, what);
  if (!pkt) return tl::unexpected(pkt.error());
  auto wire = internal::ToWire(pkt->get());
  if (!wire) return tl::unexpected(wire.error());
  auto reply_wire = internal::Exchange(options_.server, *wire, options_.timeout);
  if (!reply_wire) {
    return MakeError(reply_wire.error().code, what + ": " + reply_wire.error().message);
  }
  auto reply = internal::FromWire(*reply_wire);
  if (!reply) return MakeError(reply.error().code, what + ": " + reply.error().message);
  if (auto error = ReplyError(options_, reply->get(), what)) return tl::unexpected(*error);
  // A NOERROR that is not signed by the same key could be forged: do not trust it.
  if (!tsig::Verify(reply->get(), *reply_wire, KeyOf(options_), tsig::MacOf(pkt->get()))) {
    return MakeError(ErrorCode::kPermissionDenied, what + ": the reply's TSIG signature does " +
                                                       "not verify with TSIG key " +
                                                       options_.key_name);
  }
  uint16_t id = ldns_pkt_id(pkt->get());
  base::Logger("dns")->debug("{}: accepted (id {})", what, id);
  return ChangeReceipt{std::to_string(id), 1};
}

}  // namespace steer::dns
