// steerd: the Steer agent. Flags, logging and signals here; everything else in Daemon.
#include <malloc.h>
#include <signal.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "daemon.h"
#include "freed_pages.h"
#include "steer/base/inherited_sockets.h"
#include "steer/base/log.h"
#include "steer/base/option_error.h"
#include "steer/base/periodic_thread.h"
#include "steer/config/loader.h"

namespace {

namespace po = boost::program_options;

// SIGHUP reloads, SIGINT/SIGTERM stop; handled synchronously on one thread (sigwait).
void HandleSignals(steer::agent::Daemon& daemon, sigset_t set) {
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      std::vector<std::string> diagnostics;
      auto ok = daemon.Reload(&diagnostics);
      auto log = steer::base::Logger("agent");
      if (!ok) log->error("reload refused: {}", ok.error().message);
      for (const auto& d : diagnostics) log->error("  {}", d);
      continue;
    }
    daemon.Stop();
    return;
  }
}

// The policy's agent.log_level and agent.log_format, before anything logs; --log-level wins.
// A policy that does not load is reported by Daemon::Start; logging is plain text then.
void ConfigureLogging(const std::string& config, std::string level) {
  auto output = steer::base::LogOutput::kText;
  if (auto policy = steer::config::LoadPolicyFile(config)) {
    if (level.empty()) level = policy->agent.log_level;
    if (policy->agent.log_format == steer::config::LogFormat::kJson) {
      output = steer::base::LogOutput::kJson;
    }
  }
  (void)steer::base::ConfigureLogging(level.empty() ? "info" : level, output);
}

// glibc gives each thread that allocates its own arena (up to 8 per core) and keeps in it what
// a burst of probes freed: in the 1,000-target soak steerd's RSS climbed from 54 to 70 MB in its
// first two minutes with 13-14 MB in use, in arenas of 16 MB holding 3.7 MB each. With two
// arenas the 30-minute soak stays at 37-41 MB (docs/benchmarks.md, Soak). An operator's
// MALLOC_ARENA_MAX wins.
//
// glibc also raises its mmap threshold to the size of each large block freed (up to 32 MB), so
// after the first /metrics scrape (6.6 MB with 1,000 targets) every later body is carved from an
// arena and the pages stay with the process. A fixed threshold keeps large, short-lived buffers
// in their own mappings, handed back on free. MALLOC_MMAP_THRESHOLD_ wins likewise.
void TuneMalloc() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}

// A trim every 30 s (freed_pages.h says why); the debug log has each one's time and the heap in
// use.
void Trim(std::chrono::steady_clock::time_point) {
  steer::agent::TrimReport r = steer::agent::ReturnFreedPages();
  steer::base::Logger("agent")->debug("malloc_trim in {} us: {} KiB in use, arenas span {} KiB",
                                      r.took.count(), r.in_use_bytes / 1024, r.span_bytes / 1024);
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("usage: steerd --config FILE [options]\n\noptions");
  opts.add_options()("help,h", "show this help")("version", "print the version and exit")(
      "config,c", po::value<std::string>()->default_value("/etc/steer/policy.yaml"), "policy file")(
      "state-dir", po::value<std::string>()->default_value(""), "overrides agent.state_dir")(
      "listen", po::value<std::string>()->default_value(""), "overrides agent.listen")(
      "token-file", po::value<std::string>()->default_value(""),
      "API tokens, `name:token` lines (read again on reload)")(
      "log-level", po::value<std::string>()->default_value(""),
      "trace|debug|info|warn|error; overrides agent.log_level");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (po::error& e) {
    std::cerr << "steerd: " << steer::base::OptionErrorText(e) << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "steerd " << STEER_VERSION << "\n";
    return 0;
  }
  TuneMalloc();  // before any thread allocates
  ConfigureLogging(vm["config"].as<std::string>(), vm["log-level"].as<std::string>());
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGINT, SIGTERM}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts
  // The sockets of steerd.socket and steerd-dns.socket (systemd) or a parent (LISTEN_FDS):
  // the API and the embedded DNS server take theirs by address; none: they bind.
  auto inherited = steer::base::AdoptInheritedSockets();
  if (!inherited) {
    std::cerr << "steerd: " << inherited.error().message << "\n";
    return 1;
  }
  auto daemon = steer::agent::Daemon::Start(
      {vm["config"].as<std::string>(), vm["state-dir"].as<std::string>(),
       vm["listen"].as<std::string>(), vm["token-file"].as<std::string>(), -1});
  if (!daemon) {
    std::cerr << "steerd: " << daemon.error().message << "\n";
    return 1;
  }
  std::cout << "steerd: API on http://" << (*daemon)->api_address() << std::endl;
  if (!(*daemon)->status_address().empty()) {
    std::cout << "steerd: status page on http://" << (*daemon)->status_address() << "/"
              << std::endl;
  }
  std::thread signals(HandleSignals, std::ref(**daemon), set);
  steer::base::PeriodicThread trimmer(std::chrono::seconds(30), Trim);
  trimmer.Start();  // stopped and joined when main returns
  (*daemon)->Wait();
  signals.detach();  // blocked in sigwait; the process exits next
  return 0;
}
