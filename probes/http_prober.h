#pragma once

// HTTP(S) probes on libcurl's multi interface. Each probe borrows an easy handle from the
// loop's pool and configures it for a fresh connection (no connection, TLS session or DNS
// cache reuse) unless the target sets reuse_connection; the target must outlive the prober. The
// body is read up to kBodyCap; beyond that the transfer is aborted and the response judged on what
// arrived. Not thread-safe: lives on its EventLoop's thread.

#include <curl/curl.h>

#include <memory>
#include <string>

#include "http_checks.h"
#include "steer/probes/prober.h"

namespace steer::probes {

inline constexpr size_t kBodyCap = 64 * 1024;
inline constexpr size_t kHeaderCap = 16 * 1024;

class HttpProber final : public Prober {
 public:
  static Result<std::unique_ptr<Prober>> Create(const Target& target, EventLoop& loop);
  ~HttpProber() override;

  void Start(ProbeDone done) override;

 private:
  HttpProber(const Target& target, EventLoop& loop, HttpChecker checker);
  Result<void> Validate();
  void Configure(CURL* easy);
  void OnTransferDone(CURLcode rc);
  Phases ReadPhases() const;
  std::optional<int> ReadCertDaysLeft() const;
  Observation Judge(CURLcode rc);
  static size_t OnBody(char* data, size_t size, size_t n, void* self);
  static size_t OnHeader(char* data, size_t size, size_t n, void* self);

  EventLoop& loop_;
  const config::ProbeConfig& cfg_;
  HttpChecker checker_;
  CURL* easy_ = nullptr;  // borrowed from the loop while a probe runs
  curl_slist* headers_ = nullptr;
  curl_slist* connect_to_ = nullptr;
  HttpResponse response_;
  ProbeDone done_;
  char error_[CURL_ERROR_SIZE] = {};
};

// The error class of a failed transfer.
ErrorClass ClassifyCurlError(CURLcode rc);

}  // namespace steer::probes
