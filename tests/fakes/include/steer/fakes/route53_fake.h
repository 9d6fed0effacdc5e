#pragma once

// A local Route 53 (API 2013-04-01) for tests, served over HTTP on 127.0.0.1:0. It follows the
// published API closely enough for the provider:
//  - every request must carry a valid AWS Signature Version 4 (service route53): the fake
//    recomputes it with the known secret and answers 403 SignatureDoesNotMatch (or
//    InvalidClientTokenId for an unknown key, IncompleteSignature for a malformed header);
//  - ChangeResourceRecordSets (CREATE / DELETE / UPSERT, all-or-nothing, Route 53's
//    InvalidChangeBatch messages), ListResourceRecordSets (name/type start, maxitems, Route 53
//    order: labels compared right to left), GetChange;
//  - a change stays PENDING for `pending_polls` GetChange calls, then INSYNC;
//  - scripted failures: the next N requests of an action answer Throttling /
//    PriorRequestNotComplete (HTTP 400) or 500 / 503 before the real answer.
// Test-only. Thread-safe: the server thread and the test thread share state under a mutex.

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "steer/dns/route53_xml.h"
#include "steer/dns/rrset.h"
#include "steer/fakes/fake_http.h"

namespace steer::fakes {

struct Route53FakeOptions {
  std::string access_key_id = "AKIDSTEERFAKE";
  std::string secret_access_key = "steer/fake+SECRET/route53KEY";
  std::string region = "us-east-1";
  // hosted zone id -> zone apex (FQDN with trailing dot)
  std::map<std::string, std::string> zones = {{"Z0STEERFAKE", "example.test."}};
  int pending_polls = 0;  // GetChange calls answering PENDING before INSYNC
};

enum class Route53Action { kChange, kList, kGetChange };
enum class Route53Failure { kThrottling, kPriorRequestNotComplete, kInternalError, kUnavailable };

class Route53Fake {
 public:
  explicit Route53Fake(Route53FakeOptions options = {});
  ~Route53Fake();

  std::string endpoint() const;  // http://127.0.0.1:PORT

  // The next requests of `action` fail with these answers, in order.
  void FailNext(Route53Action action, std::vector<Route53Failure> failures);
  void SetPendingPolls(int polls);
  // Seeds or inspects the zone directly (no API call).
  void Put(const std::string& zone_id, const dns::RRset& rrset);
  std::optional<dns::RRset> Get(const std::string& zone_id, const std::string& name,
                                const std::string& type) const;

  int requests(Route53Action action) const;  // answered requests, failures included
  int signature_failures() const;            // 403s for bad or missing signatures
  std::string last_error_body() const;

 private:
  using Key = std::pair<std::string, std::string>;  // (reversed-label sort key, type)
  struct ChangeState {
    int remaining_pending = 0;
  };

  base::ServerResponse Handle(const base::ServerRequest& request);
  base::ServerResponse Scripted(Route53Failure failure);
  // Validates one change against `zone` and applies it there; returns Route 53's message for
  // an invalid one.
  std::optional<std::string> Apply(std::map<Key, dns::RRset>& zone,
                                   const dns::route53::Change& change, const std::string& apex);
  std::optional<base::ServerResponse> CheckSignature(const base::ServerRequest& request);
  base::ServerResponse HandleChange(const base::ServerRequest& request, const std::string& zone_id);
  base::ServerResponse HandleList(const std::string& zone_id, const std::string& query);
  base::ServerResponse HandleGetChange(const std::string& change_id);
  base::ServerResponse Error(int status, const std::string& code, const std::string& message);
  static Key KeyOf(const std::string& name, const std::string& type);

  Route53FakeOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<Key, dns::RRset>> records_;  // zone id -> RRsets
  std::map<std::string, ChangeState> changes_;
  std::map<Route53Action, std::deque<Route53Failure>> failures_;
  std::map<Route53Action, int> requests_;
  int signature_failures_ = 0;
  int next_change_ = 1;
  std::string last_error_body_;
  std::unique_ptr<base::HttpServer> server_;  // last: stopped before the state goes
};

}  // namespace steer::fakes
