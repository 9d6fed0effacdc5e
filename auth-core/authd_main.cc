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
#include "steer/auth/store_factory.h"
#include "steer/auth/tenant_router.h"
#include "steer/auth/tenant_set.h"
#include "steer/base/clock.h"
#include "steer/base/http_server.h"
#include "steer/base/log.h"
#include "steer/base/option_error.h"
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

// Loads every issuer's files and builds a TenantSet; nullptr (with the problems logged) when
// anything is wrong, so a bad tenant or key file never replaces a working set.
std::shared_ptr<const TenantSet> LoadSet(const config::AuthdConfig& config, Store& store,
                                         PasswordHasher& hasher, const base::Clock& clock) {
  auto files = LoadIssuerFiles(config);
  if (!files) {
    base::Logger("auth")->error("{}", files.error().message);
    return nullptr;
  }
  return TenantSet::Build(config, std::move(*files), store, hasher, clock);
}

// SIGHUP: re-read the keys and tenants directories; keep serving the old set on any problem.
void Reload(const config::AuthdConfig& config, TenantRouter& router, Store& store,
            PasswordHasher& hasher, const base::Clock& clock) {
  auto set = LoadSet(config, store, hasher, clock);
  if (!set) {
    base::Logger("auth")->error("reload refused; still serving {} tenant(s)",
                                router.Current()->size());
    return;
  }
  router.Swap(set);
  base::Logger("auth")->info("reloaded keys and {} tenant(s)", set->size());
}

// Serves the socket passed by systemd (steer-authd.socket) or a parent (LISTEN_FDS), or
// binds listen.address:listen.port when none is passed.
Result<std::unique_ptr<base::HttpServer>> StartServer(const config::AuthdConfig& config,
                                                      TenantRouter& router) {
  auto options = AuthdServerOptions(config);
  auto inherited = base::InheritedListenSocket();
  if (!inherited) return tl::unexpected(inherited.error());
  options.listen_fd = *inherited;
  return base::HttpServer::Start(
      options, [&router](const base::ServerRequest& r) { return router.Handle(r); });
}

int Serve(const config::AuthdConfig& config) {
  // SIGINT/SIGTERM/SIGHUP are taken by sigwait() below, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto log = base::Logger("auth");
  auto store = OpenStore(config, StoreUse::kServe);
  if (!store) {
    log->error("{}", store.error().message);
    return 1;
  }
  // A database that is not reachable yet is not fatal: /healthz/ready says so, and every
  // request tries again.
  if (auto ping = (*store)->Ping(); !ping) log->warn("store not ready: {}", ping.error().message);
  base::SystemClock clock;
  PasswordHasher hasher(config.hashing, config.max_concurrent_hashes);
  auto set = LoadSet(config, **store, hasher, clock);
  if (!set) return 1;
  TenantRouter router(config, set);
  auto server = StartServer(config, router);
  if (!server) {
    log->error("{}", server.error().message);
    return 1;
  }
  Purger purger(**store, clock);
  log->info("steer-authd serving issuer {} and {} tenant(s) on {}://{}", config.issuer, set->size(),
            config.plain_http() ? "http" : "https", (*server)->address());
  set.reset();
  for (int signal = 0; sigwait(&signals, &signal) == 0 && signal == SIGHUP;) {
    Reload(config, router, **store, hasher, clock);
  }
  log->info("steer-authd stopping: finishing requests in progress (up to {}s)",
            config.shutdown_timeout);
  size_t cut = (*server)->Shutdown(std::chrono::seconds(config.shutdown_timeout));
  if (cut > 0) log->warn("closed {} connection(s) still open at listen.shutdown_timeout", cut);
  log->info("steer-authd stopped");
  return 0;
}

int Main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "admin") return RunAdmin(argc - 1, argv + 1);
  po::options_description desc(
      "Usage: steer-authd --config FILE [--check]\n"
      "       steer-authd admin --help\nOptions");
  desc.add_options()("help,h", "show this help")("version", "print the version and exit")(
      "config,c", po::value<std::string>(), "authd YAML configuration")(
      "check", "validate the configuration, keys and tenants, and exit")(
      "print-reference", "print the key reference of docs/auth-core.md and exit");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
  } catch (po::error& e) {
    std::cerr << steer::base::OptionErrorText(e) << "\n" << desc;
    return 2;
  }
  if (vm.count("version")) {
    std::cout << "steer-authd " << STEER_VERSION << "\n";
    return 0;
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
  if (vm.count("check")) {
    // The same check as startup and SIGHUP: every issuer's keys and every tenant's file.
    auto files = LoadIssuerFiles(*config);
    if (!files) std::cerr << files.error().message << "\n";
    return files ? 0 : 2;
  }
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
