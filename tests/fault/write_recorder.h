#pragma once

// The handler of steer_write_recorder: a reverse proxy in front of the PowerDNS HTTP API that
// records every write (PATCH/PUT/POST/DELETE under /api/v1/servers/*/zones) together with who
// sent it and who led in etcd just before it went on to the provider. Put it behind a
// base::HttpServer with enough threads that a held write does not stall the others.
// Test-only code (tests/fault).
//
// Per request:
//  1. The writer: the --writer map of the source IP, else header X-Steer-Vantage, else the IP
//     (an IPv4-mapped IPv6 address counts as IPv4).
//  2. A fault set for the writer (POST /_recorder/fault) applies: hold_ms=N sleeps N ms, then
//     goes on; fail503 answers 503 without forwarding. Scope "writes" (default) touches only
//     writes, "all" every request of that writer (a read under fail503 is not logged).
//  3. A write: the leader key is read from etcd (linearizable), then the request is forwarded,
//     then one WriteRecord line goes to the sink (under a mutex, in completion order).
//  4. Everything (method, path, query, headers but hop-by-hop ones, body) is forwarded to the
//     upstream and its answer returned; an unreachable upstream gives 502.
// Control endpoint (on the proxy itself, never forwarded):
//   POST /_recorder/fault {"writer":"b","mode":"fail503"|"none"} or {"writer":"b","hold_ms":N}
//        optional "scope":"writes"|"all". Bad input: 400 naming the problem, nothing changes.
//   GET  /_recorder/faults   the faults in force, {"b":{"mode":...,"hold_ms":N,"scope":...}}
//
// Thread-safety: Handle may be called from several threads at once.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "steer/base/clock.h"
#include "steer/base/http_client.h"
#include "steer/base/http_server.h"

namespace steer::fault {

struct RecorderOptions {
  std::string upstream;                        // http://127.0.0.1:8081 (no trailing slash)
  std::map<std::string, std::string> writers;  // source IP -> vantage name
  std::vector<std::string> etcd_endpoints;     // http://127.0.0.1:2379
  std::string leader_key = "/steer/leader";
  std::chrono::milliseconds etcd_timeout{1000};
  std::chrono::milliseconds upstream_timeout{10000};
};

struct Fault {
  std::string mode = "none";  // "none" | "fail503" | "hold"
  int64_t hold_ms = 0;
  bool all_requests = false;  // scope "all"
};

class WriteRecorder {
 public:
  using Sink = std::function<void(const std::string& line)>;  // one JSON line, no newline

  // `http`, `clock` and `sink` must outlive the recorder.
  WriteRecorder(RecorderOptions options, base::HttpClient& http, const base::Clock& clock,
                Sink sink);

  base::ServerResponse Handle(const base::ServerRequest& request);

  // "10.0.0.1" -> its name; for tests and the CLI.
  std::string WriterOf(const base::ServerRequest& request) const;

 private:
  base::ServerResponse Control(const base::ServerRequest& request);
  base::ServerResponse Forward(const base::ServerRequest& request);
  base::ServerResponse RecordWrite(const base::ServerRequest& request, const std::string& writer,
                                   const Fault& fault);
  Fault FaultFor(const std::string& writer);
  int64_t NowMs() const;

  RecorderOptions options_;
  base::HttpClient& http_;
  const base::Clock& clock_;
  Sink sink_;
  std::mutex mu_;  // guards faults_ and calls to sink_
  std::map<std::string, Fault> faults_;
};

// True for PATCH/PUT/POST/DELETE on /api/v1/servers/<id>/zones[/...].
bool IsZoneWrite(const std::string& method, const std::string& path);

}  // namespace steer::fault
