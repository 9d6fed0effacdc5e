#include "steer/dns/propagation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <sstream>

#include "dns_exchange.h"
#include "steer/base/clock.h"

namespace steer::dns {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

bool IsIp(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// `name` is the zone's apex or below it (both canonical: lower case, trailing dot).
bool IsInZone(const std::string& name, const std::string& zone) {
  std::string n = CanonicalName(name), z = CanonicalName(zone);
  if (z == ".") return true;
  return n == z || (n.size() > z.size() && n.compare(n.size() - z.size(), z.size(), z) == 0 &&
                    n[n.size() - z.size() - 1] == '.');
}

}  // namespace

std::string NameServer::ToString() const {
  if (!label.empty()) return label;
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<NameServer> ParseNameServer(const std::string& text) {
  NameServer ns;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "bad name server '" + text + "'");
    }
    ns.host = text.substr(1, close - 1);
    if (close + 1 < text.size() && text[close + 1] == ':') port = text.substr(close + 2);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    ns.host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  } else {
    ns.host = text;
  }
  if (!IsIp(ns.host)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "name server '" + text + "' must be an IP address with an optional port");
  }
  if (!port.empty()) {
    char* end = nullptr;
    long value = std::strtol(port.c_str(), &end, 10);
    if (*end != '\0' || value < 1 || value > 65535) {
      return MakeError(ErrorCode::kInvalidArgument, "bad port in name server '" + text + "'");
    }
    ns.port = static_cast<uint16_t>(value);
  }
  return ns;
}

std::vector<NameServer> SystemResolvers(const std::string& resolv_conf) {
  std::vector<NameServer> out;
  std::ifstream in(resolv_conf);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string keyword, address;
    if (!(words >> keyword >> address) || keyword != "nameserver") continue;
    address = address.substr(0, address.find('%'));  // fe80::1%eth0: the zone id is not kept
    if (!IsIp(address)) continue;
    out.push_back(NameServer{address, 53, "resolver " + address, true});
  }
  return out;
}

Result<QueryAnswer> LdnsQuerier::Query(const NameServer& server, const std::string& name,
                                       const std::string& type, milliseconds timeout) {
  auto query = internal::MakeQuery(name, type, server.recursive);
  if (!query) return tl::unexpected(query.error());
  auto wire = internal::ToWire(query->get());
  if (!wire) return tl::unexpected(wire.error());
  auto reply_wire = internal::Exchange(server, *wire, timeout);
  if (!reply_wire) return tl::unexpected(reply_wire.error());
  return ParseQueryAnswer(*reply_wire, name, type);
}

Result<QueryAnswer> ParseQueryAnswer(const std::vector<uint8_t>& reply_wire,
                                     const std::string& name, const std::string& type) {
  auto reply = internal::FromWire(reply_wire);
  if (!reply) return tl::unexpected(reply.error());
  QueryAnswer answer;
  answer.rcode = internal::RcodeName(ldns_pkt_get_rcode(reply->get()));
  answer.authoritative = ldns_pkt_aa(reply->get());
  answer.rrset = internal::AnswerRRset(reply->get(), name, type);
  for (const ldns_rr_list* section :
       {ldns_pkt_answer(reply->get()), ldns_pkt_authority(reply->get())}) {
    for (size_t i = 0; section != nullptr && i < ldns_rr_list_rr_count(section); ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(section, i);
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS) {
        answer.referral_ns.push_back(CanonicalName(internal::RdataText(rr)));
      }
    }
  }
  return answer;
}

std::vector<ServerResult> PropagationChecker::Snapshot(const std::string& name,
                                                       const std::string& type,
                                                       const std::vector<NameServer>& servers,
                                                       milliseconds timeout) {
  std::vector<ServerResult> out;
  for (const auto& server : servers) {
    ServerResult r;
    r.server = server;
    base::Clock::SteadyTime start = clock_.SteadyNow();
    auto answer = querier_.Query(server, name, type, timeout);
    r.queries = 1;
    r.elapsed = duration_cast<milliseconds>(clock_.SteadyNow() - start);
    if (!answer) {
      r.last_error = answer.error().message;
    } else {
      r.last_answer = answer->rrset;
      if (answer->rcode != "NOERROR") r.last_error = answer->rcode;
      if (answer->rcode == "NOERROR" && !answer->authoritative) r.last_error = "not authoritative";
    }
    out.push_back(std::move(r));
  }
  return out;
}

PropagationReport PropagationChecker::WaitFor(const RRset& want,
                                              const std::vector<NameServer>& servers,
                                              const PropagationOptions& options) {
  PropagationReport report;
  base::Clock::SteadyTime start = clock_.SteadyNow();
  base::Clock::SteadyTime deadline = start + options.deadline;
  for (const auto& s : servers) report.servers.push_back(ServerResult{s, false, {}, "", 0, {}});
  while (true) {
    auto left = duration_cast<milliseconds>(deadline - clock_.SteadyNow());
    milliseconds timeout = std::max(milliseconds(1), std::min(options.query_timeout, left));
    // Lagging servers are asked in parallel: a round costs the slowest answer, not the sum.
    std::vector<std::future<Result<QueryAnswer>>> answers(report.servers.size());
    for (size_t i = 0; i < report.servers.size(); ++i) {
      if (report.servers[i].in_sync) continue;
      answers[i] = std::async(std::launch::async, [&, i] {
        return querier_.Query(report.servers[i].server, want.name, want.type, timeout);
      });
    }
    bool all = true;
    for (size_t i = 0; i < report.servers.size(); ++i) {
      ServerResult& r = report.servers[i];
      if (r.in_sync) continue;
      auto answer = answers[i].get();
      ++r.queries;
      r.elapsed = duration_cast<milliseconds>(clock_.SteadyNow() - start);
      if (!answer) {
        r.last_error = answer.error().message;
      } else {
        r.last_answer = answer->rrset;
        r.last_error = answer->rcode == "NOERROR" ? "" : answer->rcode;
        r.in_sync = answer->rcode == "NOERROR" && answer->authoritative && answer->rrset &&
                    SameRecords(*answer->rrset, want);
      }
      all = all && r.in_sync;
    }
    report.elapsed = duration_cast<milliseconds>(clock_.SteadyNow() - start);
    if (all) {
      report.complete = true;
      return report;
    }
    if (clock_.SteadyNow() + options.poll_interval >= deadline) return report;
    clock_.SleepFor(options.poll_interval);
  }
}

Result<std::vector<NameServer>> PropagationChecker::ResolveNameServers(
    const std::string& zone, const NameServer& bootstrap, milliseconds timeout,
    const std::optional<NameServer>& resolver) {
  auto ns = querier_.Query(bootstrap, zone, "NS", timeout);
  if (!ns) return tl::unexpected(ns.error());
  if (ns->rcode != "NOERROR" || !ns->rrset || ns->rrset->records.empty()) {
    return MakeError(ErrorCode::kNotFound, bootstrap.ToString() + " has no NS set for " +
                                               CanonicalName(zone) + " (" + ns->rcode + ")");
  }
  std::vector<NameServer> out;
  for (const auto& ns_name : ns->rrset->records) {
    bool in_zone = IsInZone(ns_name, zone);
    size_t before = out.size();
    for (const NameServer* asked : {&bootstrap, in_zone || !resolver ? nullptr : &*resolver}) {
      if (asked == nullptr || out.size() != before) continue;
      for (const char* type : {"A", "AAAA"}) {
        auto addr = querier_.Query(*asked, ns_name, type, timeout);
        if (!addr || addr->rcode != "NOERROR" || !addr->rrset) continue;
        for (const auto& ip : addr->rrset->records) {
          out.push_back(NameServer{ip, bootstrap.port, ns_name + " (" + ip + ")"});
        }
      }
    }
    if (out.size() == before) {
      return MakeError(ErrorCode::kNotFound,
                       "cannot resolve name server " + ns_name + " of " + CanonicalName(zone) +
                           " at " + bootstrap.ToString() +
                           (in_zone || !resolver ? "" : " or " + resolver->ToString()) +
                           "; configure nameservers explicitly");
    }
  }
  return out;
}

}  // namespace steer::dns
