#pragma once

// Fakes for steer_dns unit tests: a scripted HTTP client and an in-memory provider (the fake
// clock and random source are base's). Fakes over mocks: they
// behave like the real thing and record what was asked of them.

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "steer/base/clock.h"
#include "steer/base/http_client.h"
#include "steer/base/random.h"
#include "steer/dns/provider.h"

namespace steer::dns::testing {

// Answers requests from a queue of scripted responses (or errors); records every request.
class FakeHttpClient : public base::HttpClient {
 public:
  void Push(int status, std::string body = "") {
    base::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    script_.push_back(r);
  }
  void Push(base::HttpResponse response) { script_.push_back(std::move(response)); }
  void PushError(ErrorCode code, std::string message) {
    script_.push_back(tl::unexpected(Error(code, std::move(message))));
  }
  Result<base::HttpResponse> Send(const base::HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests.push_back(request);
    if (script_.empty()) return MakeError(ErrorCode::kInternal, "fake: no scripted response");
    Result<base::HttpResponse> r = script_.front();
    script_.pop_front();
    return r;
  }
  std::vector<base::HttpRequest> requests;

 private:
  std::mutex mu_;
  std::deque<Result<base::HttpResponse>> script_;
};

// An in-memory provider: RRsets per zone, scripted failures for the next calls.
class FakeProvider : public Provider {
 public:
  std::string Name() const override { return "fake"; }
  Result<std::optional<RRset>> Read(const std::string& zone, const std::string& name,
                                    const std::string& type) override {
    ++reads;
    if (auto e = Next(read_errors)) return tl::unexpected(*e);
    if (!zones.count(zone)) return MakeError(ErrorCode::kNotFound, "no zone " + zone);
    if (stale_reads > 0) {
      --stale_reads;
      return stale;
    }
    for (const auto& r : zones[zone]) {
      if (r.name == name && r.type == type) return std::optional<RRset>(r);
    }
    return std::optional<RRset>();
  }
  Result<ChangeReceipt> Replace(const std::string& zone, const RRset& rrset) override {
    ++writes;
    if (auto e = Next(write_errors)) return tl::unexpected(*e);
    Apply(zone, rrset);
    // Applied, and yet the caller hears of a failure (a timeout or reset after the commit).
    if (auto e = Next(errors_after_write)) return tl::unexpected(*e);
    return ChangeReceipt{"c" + std::to_string(writes), 1};
  }
  void Apply(const std::string& zone, const RRset& rrset) {
    auto& rrsets = zones[zone];
    for (auto& r : rrsets) {
      if (r.name == rrset.name && r.type == rrset.type) {
        r = rrset;
        return;
      }
    }
    rrsets.push_back(rrset);
  }

  std::map<std::string, std::vector<RRset>> zones;
  std::deque<Error> read_errors;
  std::deque<Error> write_errors;        // failed before anything is applied
  std::deque<Error> errors_after_write;  // the write is applied, then this is returned
  int stale_reads = 0;                   // reads that return `stale` instead of the truth
  std::optional<RRset> stale;
  int reads = 0;
  int writes = 0;

 private:
  static std::optional<Error> Next(std::deque<Error>& q) {
    if (q.empty()) return std::nullopt;
    Error e = q.front();
    q.pop_front();
    return e;
  }
};

// A provider whose changes stay PENDING for `pending_polls` Status calls.
class FakeAsyncProvider : public FakeProvider, public AsyncChangeTracker {
 public:
  Result<ChangeStatus> Status(const std::string&) override {
    ++status_calls;
    return status_calls > pending_polls ? ChangeStatus::kInSync : ChangeStatus::kPending;
  }
  int pending_polls = 0;
  int status_calls = 0;
};

}  // namespace steer::dns::testing
