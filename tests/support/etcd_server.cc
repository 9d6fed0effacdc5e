#include "steer/testsupport/etcd_server.h"

#include <openssl/rand.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "steer/base/http_client.h"

namespace steer::testsupport {
namespace {

constexpr std::chrono::milliseconds kEtcdStartTimeout{20000};

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string PeerUrl(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

EtcdShared::EtcdShared(EtcdOptions o) : options(std::move(o)) {
  if (options.client_cert_auth) options.tls = true;
  if (!options.tls) return;
  pki = std::make_unique<TestPki>();
  server = pki->Issue("etcd-server", {"127.0.0.1", "localhost"}, -1, 30);
  client = pki->Issue("etcd-client", {"steer-client"}, -1, 30);
}

EtcdServer::EtcdServer(EtcdOptions options) : dir_("steer-etcd"), name_("default") {
  shared_ = std::make_shared<const EtcdShared>(std::move(options));
  cluster_token_ = "steer-" + RandomHex(8);
  for (int attempt = 0; attempt < 3; ++attempt) {
    client_port_ = FreePort();
    peer_port_ = FreePort();
    initial_cluster_ = name_ + "=" + PeerUrl(peer_port_);
    std::filesystem::remove_all(dir_.File("data"));
    Spawn();
    if (WaitHealthy(kEtcdStartTimeout)) {
      if (!shared_->options.root_password.empty()) EnableAuth();
      return;
    }
    process_.reset();  // a port was taken meanwhile, or etcd failed: try other ports
  }
  throw std::runtime_error("etcd did not start; log:\n" + Log());
}

EtcdServer::EtcdServer(std::shared_ptr<const EtcdShared> shared, std::string name,
                       uint16_t client_port, uint16_t peer_port, std::string initial_cluster,
                       std::string cluster_token)
    : shared_(std::move(shared)),
      dir_("steer-etcd"),
      name_(std::move(name)),
      client_port_(client_port),
      peer_port_(peer_port),
      initial_cluster_(std::move(initial_cluster)),
      cluster_token_(std::move(cluster_token)) {}

EtcdServer::~EtcdServer() { Stop(); }

std::string EtcdServer::Url() const {
  return std::string(shared_->options.tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(client_port_);
}

std::string EtcdServer::endpoint() const { return Url(); }

std::string EtcdServer::ca_file() const { return shared_->pki ? shared_->pki->ca_file() : ""; }

std::string EtcdServer::Log() const { return ReadFile(dir_.File("etcd.log")); }

std::vector<std::string> EtcdServer::Argv(const std::string& binary) const {
  const EtcdOptions& o = shared_->options;
  std::vector<std::string> argv = {binary,
                                   "--name=" + name_,
                                   "--data-dir=" + dir_.File("data"),
                                   "--listen-client-urls=" + Url(),
                                   "--advertise-client-urls=" + Url(),
                                   "--listen-peer-urls=" + PeerUrl(peer_port_),
                                   "--initial-advertise-peer-urls=" + PeerUrl(peer_port_),
                                   "--initial-cluster=" + initial_cluster_,
                                   "--initial-cluster-token=" + cluster_token_,
                                   "--initial-cluster-state=new"};
  if (o.tls) {
    argv.push_back("--cert-file=" + shared_->server.cert_pem);
    argv.push_back("--key-file=" + shared_->server.key_pem);
  }
  if (o.client_cert_auth) {
    argv.push_back("--client-cert-auth");
    argv.push_back("--trusted-ca-file=" + shared_->pki->ca_file());
  }
  if (o.auth_token_ttl_seconds > 0) {
    argv.push_back("--auth-token-ttl=" + std::to_string(o.auth_token_ttl_seconds));
  }
  argv.insert(argv.end(), o.extra_args.begin(), o.extra_args.end());
  return argv;
}

void EtcdServer::Spawn() {
  std::string binary = FindExecutable("etcd");
  if (binary.empty()) throw std::runtime_error("etcd not installed (scripts/setup)");
  process_ = std::make_unique<ChildProcess>(Argv(binary), dir_.File("etcd.log"));
}

bool EtcdServer::WaitHealthy(std::chrono::milliseconds timeout) {
  base::HttpRequest request;
  request.url = Url() + "/health";
  request.timeout = std::chrono::milliseconds(1000);
  request.ca_file = ca_file();
  request.cert_file = shared_->client.cert_pem;
  request.key_file = shared_->client.key_pem;
  bool healthy = WaitUntil(
      [&] {
        if (!Running()) return true;
        auto response = base::SendHttp(request);
        return response && response->status == 200 &&
               response->body.find("\"true\"") != std::string::npos;
      },
      timeout);
  return healthy && Running();
}

void EtcdServer::Start() {
  if (Running()) return;
  Spawn();
  if (!WaitHealthy(kEtcdStartTimeout)) {
    throw std::runtime_error("etcd " + name_ + " did not come back; log:\n" + Log());
  }
}

void EtcdServer::Stop() { process_.reset(); }

void EtcdServer::Pause() {
  if (process_) process_->Pause();
}

void EtcdServer::Resume() {
  if (process_) process_->Resume();
}

bool EtcdServer::Running() { return process_ && process_->Running(); }

int EtcdServer::Post(const std::string& path, const std::string& body, std::string* response,
                     bool as_root) const {
  base::HttpRequest request;
  request.method = "POST";
  request.url = Url() + path;
  request.body = body;
  request.ca_file = ca_file();
  request.cert_file = shared_->client.cert_pem;
  request.key_file = shared_->client.key_pem;
  const std::string& password = shared_->options.root_password;
  if (as_root && !password.empty()) {
    std::string auth;
    nlohmann::json credentials = {{"name", "root"}, {"password", password}};
    if (Post("/v3/auth/authenticate", credentials.dump(), &auth, false) != 200) {
      throw std::runtime_error("etcd authenticate as root: " + auth);
    }
    request.headers.emplace_back("Authorization",
                                 nlohmann::json::parse(auth).at("token").get<std::string>());
  }
  auto result = base::SendHttp(request);
  if (!result) throw std::runtime_error("etcd POST " + path + ": " + result.error().message);
  if (response != nullptr) *response = result->body;
  return result->status;
}

void EtcdServer::EnableAuth() {
  const std::string& password = shared_->options.root_password;
  const std::vector<std::pair<std::string, nlohmann::json>> steps = {
      {"/v3/auth/user/add", {{"name", "root"}, {"password", password}}},
      {"/v3/auth/role/add", {{"name", "root"}}},
      {"/v3/auth/user/grant", {{"user", "root"}, {"role", "root"}}},
      {"/v3/auth/enable", nlohmann::json::object()}};
  for (const auto& [path, body] : steps) {
    std::string response;
    if (Post(path, body.dump(), &response, false) != 200) {
      throw std::runtime_error("etcd " + path + ": " + response);
    }
  }
}

EtcdCluster::EtcdCluster(size_t size, EtcdOptions options) {
  auto shared = std::make_shared<const EtcdShared>(std::move(options));
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (TryStart(size, shared)) {
      if (!shared->options.root_password.empty()) members_[0]->EnableAuth();
      return;
    }
  }
  std::string logs;
  for (auto& m : members_) logs += "--- " + m->name() + ":\n" + m->Log();
  throw std::runtime_error("etcd cluster did not start; logs:\n" + logs);
}

EtcdCluster::~EtcdCluster() = default;

bool EtcdCluster::TryStart(size_t size, const std::shared_ptr<const EtcdShared>& shared) {
  members_.clear();
  std::vector<std::pair<uint16_t, uint16_t>> ports;
  std::string initial_cluster;
  for (size_t i = 0; i < size; ++i) {
    ports.emplace_back(FreePort(), FreePort());
    initial_cluster +=
        (i == 0 ? "" : ",") + ("m" + std::to_string(i + 1)) + "=" + PeerUrl(ports.back().second);
  }
  std::string token = "steer-" + RandomHex(8);
  for (size_t i = 0; i < size; ++i) {
    members_.push_back(std::make_unique<EtcdServer>(shared, "m" + std::to_string(i + 1),
                                                    ports[i].first, ports[i].second,
                                                    initial_cluster, token));
    members_.back()->Spawn();
  }
  for (auto& m : members_) {
    if (!m->WaitHealthy(kEtcdStartTimeout)) return false;
  }
  return true;
}

std::vector<std::string> EtcdCluster::endpoints() const {
  std::vector<std::string> out;
  for (const auto& m : members_) out.push_back(m->endpoint());
  return out;
}

}  // namespace steer::testsupport
