#include "daemon.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

#include "change_sink.h"
#include "runnable.h"
#include "runtime_builder.h"
#include "status_feed.h"
#include "steer/base/inherited_sockets.h"
#include "steer/base/log.h"
#include "vantage_sync.h"

namespace steer::agent {
namespace {

// "2 API tokens (alice, bob)": names only, never a token.
std::string DescribeTokens(const api::TokenAuth& tokens) {
  std::vector<std::string> names = tokens.names();
  std::string s = std::to_string(names.size()) + " API token" + (names.size() == 1 ? "" : "s");
  for (size_t i = 0; i < names.size(); ++i) s += (i == 0 ? " (" : ", ") + names[i];
  return names.empty() ? s + " (every operation refused)" : s + ")";
}

// What the API listener reads at start only: turning TLS on or off, insecure_plain_http and
// api_limits (the certificate files themselves are read again).
bool ApiListenerChanged(const config::AgentConfig& next, const config::AgentConfig& now) {
  return next.tls.enabled() != now.tls.enabled() ||
         next.insecure_plain_http != now.insecure_plain_http || next.api_limits != now.api_limits;
}

// The public listener's threads run at nice 10 (this thread only: Linux threads have their
// own nice value), so that when the CPU is short a hammered status page yields to probing
// and decisions. Raising one's own nice value needs no privilege.
bool LowerThreadPriority() {
  return setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10) == 0;
}

}  // namespace

Result<std::unique_ptr<Daemon>> Daemon::Start(const DaemonOptions& options) {
  auto policy = LoadRunnablePolicy(options.config_path);
  if (!policy) {
    std::string msg = "invalid policy " + options.config_path + ":";
    for (const auto& d : policy.error()) msg += "\n  " + d.ToString();
    return MakeError(ErrorCode::kInvalidArgument, msg);
  }
  std::unique_ptr<Daemon> d(new Daemon(options));
  if (auto opened = d->Open(*policy); !opened) return tl::unexpected(opened.error());
  // Before any thread can audit: the next start finds this run's entries after this notice.
  const AgentContext& ctx = *d->context_;
  ctx.Audit(AuditKind::kNotice, "", "started with " + options.config_path,
            "fencing token " + std::to_string(ctx.coordinator().CurrentLeadership().fencing_token));
  d->slot_.Get()->Start();
  d->sync_->Start();
  d->loop_->Start();
  if (d->context_->relay() != nullptr) {
    d->relay_ = std::thread([raw = d.get()] { raw->ServeRelays(); });  // joined by ~Daemon
  }
  d->maintenance_ = std::thread([raw = d.get()] { raw->RunMaintenance(); });  // joined by ~Daemon
  ctx.systemd().Ready("serving API on " + d->server_->address() + "; waiting for probe results");
  return d;
}

// Everything but the threads: the context, the API tokens, the runtime, the loop, the API.
Result<void> Daemon::Open(const config::Policy& policy) {
  std::string state_dir = options_.state_dir.empty() ? policy.agent.state_dir : options_.state_dir;
  auto context = AgentContext::Create(policy, state_dir);
  if (!context) return tl::unexpected(context.error());
  context_ = std::move(*context);
  hold_ = {AuditInterruptedChanges(*context_), std::chrono::steady_clock::now()};
  auto tokens = LoadTokens(policy);
  if (!tokens) return tl::unexpected(tokens.error());
  tokens_.Set(std::move(*tokens));
  auto rt = RuntimeBuilder::Build(policy, context_, hold_);
  if (!rt) return tl::unexpected(rt.error());
  slot_.Swap(std::move(*rt));
  loop_ = std::make_unique<DecisionLoop>(slot_, context_);
  sync_ = std::make_unique<VantageSync>(slot_, context_);
  if (auto api = StartApi(policy); !api) return api;
  if (auto pub = StartPublic(policy); !pub) return pub;
  return CheckAdoptedSocketsServed();
}

// A socket passed by socket activation that no listener took (its address is none of
// agent.listen and the embedded providers' listen addresses) would be held by systemd and
// never answered: refuse to start instead.
Result<void> Daemon::CheckAdoptedSocketsServed() {
  std::vector<int> left = base::TakeRemainingSockets(SOCK_DGRAM);
  for (int fd : base::TakeRemainingSockets(SOCK_STREAM)) left.push_back(fd);
  if (left.empty()) return {};
  std::string names;
  for (int fd : left) {
    names += (names.empty() ? "" : ", ") + base::DescribeSocket(fd);
    ::close(fd);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "socket activation: no listener serves the passed socket(s) " + names +
                       " (ListenStream=/ListenDatagram= must be agent.listen or an embedded "
                       "provider's listen address)");
}

// The API's socket: the one passed in options, else an adopted listening socket on
// agent.listen, else the only adopted TCP socket left (steerd.socket may name the port alone,
// which binds [::]); -1: bind agent.listen.
Result<int> Daemon::ApiSocket(const std::string& listen) {
  if (options_.listen_fd >= 0) return options_.listen_fd;
  auto hp = base::ParseListen(listen);
  if (!hp) return tl::unexpected(hp.error());
  int fd = base::TakeInheritedSocket(SOCK_STREAM, hp->first, static_cast<uint16_t>(hp->second));
  if (fd >= 0) return fd;
  std::vector<int> rest = base::TakeRemainingSockets(SOCK_STREAM);
  if (rest.size() <= 1) return rest.empty() ? -1 : rest[0];
  base::AdoptSockets(rest);  // reported by CheckAdoptedSocketsServed
  return MakeError(ErrorCode::kInvalidArgument,
                   "socket activation: " + std::to_string(rest.size()) +
                       " TCP sockets passed and none is bound to agent.listen " + listen);
}

Result<void> Daemon::StartPublic(const config::Policy& policy) {
  const config::StatusConfig& sc = policy.status;
  if (sc.listen.empty() && sc.export_dir.empty()) return {};
  status::PublicPageOptions o;
  o.title = sc.title;
  o.url = sc.public_url;
  o.services = sc.services;
  o.regions = {sc.regions.begin(), sc.regions.end()};
  auto current = [this] {
    std::vector<status::ServiceNow> out;
    std::shared_ptr<Runtime> rt = slot_.Get();
    if (!rt) return out;
    for (const auto& svc : rt->policy().services) {
      if (auto d = loop_->LastDecision(svc.name)) out.push_back(NowOf(svc, *d));
    }
    return out;
  };
  page_ = std::make_unique<status::PublicPage>(o, context_->uptime(), context_->incidents(),
                                               current, context_->clock());
  if (!sc.export_dir.empty()) {
    // Checked as often as the listener's documents expire: a change reaches the files within
    // max_age, and unchanged files are not rewritten.
    exporter_ = std::make_unique<status::PageExporter>(
        sc.export_dir, o.max_age, [page = page_.get()] { return page->StaticFiles(); });
    exporter_->Start();
  }
  if (sc.listen.empty()) return {};
  auto listen = base::ParseListen(sc.listen);
  if (!listen) return tl::unexpected(listen.error());
  base::HttpServerOptions ho;
  ho.address = listen->first;
  ho.port = static_cast<uint16_t>(listen->second);
  ho.threads = 2;
  auto server = base::HttpServer::Start(ho, [page = page_.get()](const base::ServerRequest& r) {
    static thread_local const bool lowered = LowerThreadPriority();
    (void)lowered;
    return page->Handle(r);
  });
  if (!server) return tl::unexpected(server.error());
  public_server_ = std::move(*server);
  base::Logger("agent")->info("public status page on http://{}/", public_server_->address());
  return {};
}

Result<void> Daemon::StartApi(const config::Policy& policy) {
  backend_ = std::make_unique<ApiBackend>(slot_, *loop_, *this, context_, options_.config_path);
  router_ =
      std::make_unique<api::Router>(*backend_, tokens_, context_->store(), &context_->metrics());
  const std::string listen = options_.listen.empty() ? policy.agent.listen : options_.listen;
  auto fd = ApiSocket(listen);
  if (!fd) return tl::unexpected(fd.error());
  auto o = api::ApiServerOptions(listen, policy.agent, *fd);
  if (!o) return tl::unexpected(o.error());
  auto server = api::ServeApi(*o, *router_);
  if (!server) return tl::unexpected(server.error());
  server_ = std::move(*server);
  return {};
}

Daemon::~Daemon() {
  Stop();
  if (relay_.joinable()) relay_.join();  // before the backend it calls goes
  if (maintenance_.joinable()) maintenance_.join();
  public_server_.reset();            // no page request comes in after this
  if (exporter_) exporter_->Stop();  // joined: no export renders the page after this
  exporter_.reset();
  page_.reset();
  // Stops accepting (a socket held by systemd queues connections for the next steerd) and
  // finishes the API requests in progress; no API call comes in after this.
  if (server_) server_->Shutdown(kApiShutdownTimeout);
  server_.reset();
  router_.reset();
  backend_.reset();
  if (loop_) loop_->Stop();  // joined: no tick runs after this
  loop_.reset();
  // No decision is taken from now on: hand leadership over at once (etcd: delete P/leader,
  // revoke the lease) rather than after the rest stops, or after the lease expires.
  if (context_) context_->coordinator().Resign();
  if (sync_) sync_->Stop();  // joined: nothing is published after this
  sync_.reset();
  if (std::shared_ptr<Runtime> rt = slot_.Swap(nullptr)) rt->Stop();
  context_.reset();
}

void Daemon::Stop() {
  if (!stop_.exchange(true) && context_) context_->systemd().Stopping();
}

void Daemon::ServeRelays() {
  while (!stop_) {
    backend_->ServeRelayed();
    context_->clock().SleepFor(slot_.Get()->policy().agent.tick);
  }
}

// Maintenance windows start and end within a second (or a tick, when shorter) of their times.
void Daemon::RunMaintenance() {
  while (!stop_) {
    backend_->AdvanceMaintenance();
    context_->clock().SleepFor(std::min<std::chrono::milliseconds>(slot_.Get()->policy().agent.tick,
                                                                   std::chrono::seconds(1)));
  }
}

void Daemon::Wait() {
  while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

Result<api::TokenAuth> Daemon::LoadTokens(const config::Policy& policy) const {
  if (!options_.token_file.empty()) return api::TokenAuth::FromFile(options_.token_file);
  if (!policy.agent.api_token.empty()) return api::TokenAuth::FromSecret(policy.agent.api_token);
  base::Logger("agent")->warn("no API token configured: every operation will be refused");
  return api::TokenAuth{};
}

Result<std::string> Daemon::Refuse(const std::string& why, ErrorCode code) {
  context_->metrics().reloads->Inc({"refused"});
  return MakeError(code, why);
}

Result<std::string> Daemon::Reload(std::vector<std::string>* diagnostics) {
  std::lock_guard reload_lock(reload_mu_);
  auto policy = LoadRunnablePolicy(options_.config_path);
  if (!policy) {
    for (const auto& d : policy.error()) diagnostics->push_back(d.ToString());
    return Refuse("policy invalid; the running policy stays (API tokens unchanged)",
                  ErrorCode::kInvalidArgument);
  }
  const config::Policy& running = slot_.Get()->policy();
  if (policy->coordination != running.coordination ||
      policy->agent.vantage != running.agent.vantage) {
    diagnostics->push_back(
        "coordination and agent.vantage are read at start only: restart steerd to change them");
    return Refuse("policy changes coordination or agent.vantage; the running policy stays",
                  ErrorCode::kFailedPrecondition);
  }
  if (ApiListenerChanged(policy->agent, running.agent)) {
    diagnostics->push_back(
        "agent.api_limits, agent.insecure_plain_http and turning agent.tls on or off are read "
        "at start only: restart steerd to change them");
    return Refuse("policy changes the API listener; the running policy stays",
                  ErrorCode::kFailedPrecondition);
  }
  // Tokens before the runtime: a refused token source must not cost a runtime build.
  auto tokens = LoadTokens(*policy);
  if (!tokens) {
    diagnostics->push_back("API tokens: " + tokens.error().message);
    return Refuse("API tokens unreadable or invalid; the running policy and API tokens stay",
                  tokens.error().code);
  }
  auto rt = RuntimeBuilder::Build(*policy, context_, hold_);
  if (!rt) {
    diagnostics->push_back(rt.error().message);
    return Refuse("policy cannot run; the running policy stays (API tokens unchanged)",
                  rt.error().code);
  }
  // The new certificate last: it is the one step that cannot be undone.
  const config::ApiTlsConfig& tls = policy->agent.tls;
  if (tls.enabled() && server_) {
    if (auto ok = server_->ReloadTls(tls.cert_file, tls.key_file, tls.client_ca_file); !ok) {
      diagnostics->push_back("agent.tls: " + ok.error().message);
      return Refuse("API certificate refused; the running policy and certificate stay",
                    ok.error().code);
    }
  }
  if (std::shared_ptr<Runtime> old = slot_.Swap(*rt)) old->Stop();  // probes, then appliers
  (*rt)->Start();
  std::string note = "API tokens reloaded: " + DescribeTokens(*tokens);
  if (tls.enabled()) note += "; API certificate reloaded";
  tokens_.Set(std::move(*tokens));
  context_->metrics().reloads->Inc({"ok"});
  context_->Audit(AuditKind::kNotice, "", "reloaded " + options_.config_path, note);
  return "reloaded " + options_.config_path + "; " + note;
}

}  // namespace steer::agent
