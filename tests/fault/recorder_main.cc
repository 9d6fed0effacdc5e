// steer_write_recorder: records every DNS write that reaches PowerDNS, and checks the record.
//
//   steer_write_recorder --upstream http://127.0.0.1:8081 --etcd http://127.0.0.1:2379
//       --log writes.jsonl [--listen 127.0.0.1:0] [--port-file FILE] [--leader-key /steer/leader]
//       [--writer NAME=IP]... [--threads 16]
//     Serves until SIGTERM/SIGINT. The bound port is the first line on stdout (and written to
//     --port-file). The log is appended to, one JSON line per write, flushed per line.
//   steer_write_recorder check --log writes.jsonl [--allow-flip NAME]... [--allow-unknown-leader]
//     Prints the counts, then one line per violation; exit 0 clean, 1 violations, 2 bad usage
//     or an unreadable log.
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "steer/base/clock.h"
#include "steer/base/http_client.h"
#include "steer/base/http_server.h"
#include "write_check.h"
#include "write_recorder.h"

namespace {

using steer::fault::CheckOptions;
using steer::fault::RecorderOptions;

constexpr const char* kUsage =
    "usage: steer_write_recorder --upstream URL --etcd URL [--etcd URL]... --log FILE\n"
    "         [--listen HOST:PORT] [--port-file FILE] [--leader-key KEY] [--writer NAME=IP]...\n"
    "         [--threads N]\n"
    "       steer_write_recorder check --log FILE [--allow-flip NAME]... "
    "[--allow-unknown-leader]\n";

int Usage(const std::string& problem) {
  std::cerr << "steer_write_recorder: " << problem << "\n" << kUsage;
  return 2;
}

// Flags of the form --name VALUE (repeatable) or --name alone (value "").
bool ParseFlags(int argc, char** argv, int first, std::multimap<std::string, std::string>* flags,
                std::string* problem) {
  for (int i = first; i < argc; ++i) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0) {
      *problem = "unexpected argument \"" + name + "\"";
      return false;
    }
    bool bare = name == "--allow-unknown-leader";
    if (!bare && i + 1 >= argc) {
      *problem = name + " needs a value";
      return false;
    }
    flags->emplace(name.substr(2), bare ? "" : argv[++i]);
  }
  return true;
}

std::vector<std::string> All(const std::multimap<std::string, std::string>& flags,
                             const std::string& name) {
  std::vector<std::string> out;
  for (auto [it, end] = flags.equal_range(name); it != end; ++it) out.push_back(it->second);
  return out;
}

int Check(const std::multimap<std::string, std::string>& flags) {
  for (const auto& [name, value] : flags) {
    if (name != "log" && name != "allow-flip" && name != "allow-unknown-leader") {
      return Usage("unknown flag --" + name + " for check");
    }
  }
  if (flags.count("log") != 1) return Usage("check needs one --log");
  std::ifstream in(flags.find("log")->second);
  if (!in) return Usage("cannot read " + flags.find("log")->second);
  auto records = steer::fault::ReadLog(in);
  if (!records) return Usage(flags.find("log")->second + ": " + records.error().message);
  CheckOptions options;
  for (const auto& name : All(flags, "allow-flip")) options.allow_flip.insert(name);
  options.allow_unknown_leader = flags.count("allow-unknown-leader") > 0;
  auto report = steer::fault::CheckWrites(*records, options);
  std::cout << report.Summary() << "\n";
  for (const auto& v : report.violations) std::cout << "violation: " << v.ToString() << "\n";
  return report.ok() ? 0 : 1;
}

bool BuildOptions(const std::multimap<std::string, std::string>& flags, RecorderOptions* options,
                  std::string* problem) {
  static const std::set<std::string> kKnown = {"upstream",  "etcd",       "log",    "listen",
                                               "port-file", "leader-key", "writer", "threads"};
  for (const auto& [name, value] : flags) {
    if (!kKnown.count(name)) *problem = "unknown flag --" + name;
  }
  if (problem->empty() && flags.count("upstream") != 1) *problem = "give one --upstream";
  if (problem->empty() && flags.count("log") != 1) *problem = "give one --log";
  if (problem->empty() && flags.count("etcd") == 0) *problem = "give at least one --etcd";
  if (!problem->empty()) return false;
  options->upstream = flags.find("upstream")->second;
  while (!options->upstream.empty() && options->upstream.back() == '/')
    options->upstream.pop_back();
  options->etcd_endpoints = All(flags, "etcd");
  if (flags.count("leader-key")) options->leader_key = flags.find("leader-key")->second;
  for (const auto& pair : All(flags, "writer")) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
      *problem = "--writer wants NAME=IP, got \"" + pair + "\"";
      return false;
    }
    options->writers[pair.substr(eq + 1)] = pair.substr(0, eq);
  }
  return true;
}

int Serve(const std::multimap<std::string, std::string>& flags) {
  RecorderOptions options;
  std::string problem;
  if (!BuildOptions(flags, &options, &problem)) return Usage(problem);
  steer::base::HttpServerOptions server;
  auto listen = steer::base::ParseListen(flags.count("listen") ? flags.find("listen")->second
                                                               : "127.0.0.1:0");
  if (!listen) return Usage(listen.error().message);
  server.address = listen->first;
  server.port = static_cast<uint16_t>(listen->second);
  server.threads = flags.count("threads") ? std::atoi(flags.find("threads")->second.c_str()) : 16;
  if (server.threads < 1) return Usage("--threads must be >= 1");
  server.max_body_bytes = 4 * 1024 * 1024;
  std::ofstream log(flags.find("log")->second, std::ios::app);
  if (!log) return Usage("cannot open " + flags.find("log")->second);

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before the server's threads start

  auto http = steer::base::MakeCurlHttpClient();
  steer::base::SystemClock clock;
  steer::fault::WriteRecorder recorder(options, *http, clock, [&log](const std::string& line) {
    log << line << "\n";
    log.flush();
  });
  auto started = steer::base::HttpServer::Start(
      server, [&recorder](const steer::base::ServerRequest& r) { return recorder.Handle(r); });
  if (!started) {
    std::cerr << "steer_write_recorder: " << started.error().message << "\n";
    return 1;
  }
  std::cout << (*started)->port() << std::endl;
  if (flags.count("port-file")) {
    std::ofstream(flags.find("port-file")->second) << (*started)->port() << "\n";
  }
  int signal = 0;
  sigwait(&stop, &signal);
  (*started)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool check = argc > 1 && std::string(argv[1]) == "check";
  std::multimap<std::string, std::string> flags;
  std::string problem;
  if (!ParseFlags(argc, argv, check ? 2 : 1, &flags, &problem)) return Usage(problem);
  return check ? Check(flags) : Serve(flags);
}
