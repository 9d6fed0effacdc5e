// steer-authd: serve the OpenID Provider (`--config FILE`) or administer it (`admin ...`).
#include <pthread.h>

#include <boost/program_options.hpp>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>

#include "authd_admin.h"
#include "steer/auth/provider.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/clock.h"
#include "steer/base/http_server.h"
#include "steer/base/log.h"
#include "steer/config/authd_config.h"

namespace steer::auth {
namespace {

namespace po = boost::program_options;

// Drops expired rows every few minutes so the store stays small.
class Purger {
 public:
  Purger(Store& store, const base::Clock& clock)
      : thread_([this, &store, &clock] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, std::chrono::minutes(5), [this] { return stop_; })) {
            if (auto r = store.Purge(base::UnixSeconds(clock)); !r) {
              base::Logger("auth")->warn("store purge failed: {}", r.error().message);
            }
          }
        }) {}
  ~Purger() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

int Serve(const config::AuthdConfig& config) {
  // SIGINT/SIGTERM are taken by sigwait() below, so block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto log = base::Logger("auth");
  auto keys = KeySet::LoadDir(config.keys_dir);
  auto sealer = Sealer::LoadFile(config.keys_dir + "/" + kAeadKeyFileName);
  auto store = SqliteStore::Open(config.store_path);
  for (const Error* e : {keys ? nullptr : &keys.error(), sealer ? nullptr : &sealer.error(),
                         store ? nullptr : &store.error()}) {
    if (e) {
      log->error("{}", e->message);
      return 1;
    }
  }
  base::SystemClock clock;
  PasswordHasher hasher(config.hashing, config.max_concurrent_hashes);
  Provider provider(config, std::move(*keys), std::move(*sealer), **store, hasher, clock);
  auto server = base::HttpServer::Start(
      AuthdServerOptions(config), [&](const base::ServerRequest& r) { return provider.Handle(r); });
  if (!server) {
    log->error("{}", server.error().message);
    return 1;
  }
  Purger purger(**store, clock);
  log->info("steer-authd serving issuer {} on {}://{}:{}", config.issuer,
            config.plain_http() ? "http" : "https", config.listen_address, (*server)->port());
  int signal = 0;
  sigwait(&stop_signals, &signal);
  (*server)->Stop();
  log->info("steer-authd stopped");
  return 0;
}

int Main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "admin") return RunAdmin(argc - 1, argv + 1);
  po::options_description desc(
      "Usage: steer-authd --config FILE [--check]\n"
      "       steer-authd admin --help\nOptions");
  desc.add_options()("help,h", "show this help")("config,c", po::value<std::string>(),
                                                 "authd YAML configuration")(
      "check", "validate the configuration and exit")(
      "print-reference", "print the key reference of docs/auth-core.md and exit");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
  } catch (const po::error& e) {
    std::cerr << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("print-reference")) {
    std::cout << config::AuthdMarkdownReference();
    return 0;
  }
  if (vm.count("help") || !vm.count("config")) {
    std::cout << desc;
    return vm.count("help") ? 0 : 2;
  }
  auto config = config::LoadAuthdConfig(vm["config"].as<std::string>());
  if (!config) {
    for (const auto& d : config.error()) std::cerr << d.ToString() << "\n";
    return 2;
  }
  if (vm.count("check")) return 0;
  if (auto r = base::ConfigureLogging(config->log_level, config->log_format == "json"
                                                             ? base::LogOutput::kJson
                                                             : base::LogOutput::kText);
      !r) {
    std::cerr << r.error().message << "\n";
    return 2;
  }
  return Serve(*config);
}

}  // namespace
}  // namespace steer::auth

int main(int argc, char** argv) { return steer::auth::Main(argc, argv); }
