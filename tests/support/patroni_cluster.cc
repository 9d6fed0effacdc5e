#include "steer/testsupport/patroni_cluster.h"

#include <dirent.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pg_util.h"
#include "steer/base/http_client.h"

namespace steer::testsupport {
namespace {

using internal::AsPostgres;
using internal::ChownToPostgres;
using internal::RandomName;

constexpr std::chrono::milliseconds kPatroniStartTimeout{120000};

// True while `pid` runs (a zombie waiting for init to reap it counts as gone).
bool Alive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// The postmaster's PID from the first line of data/postmaster.pid; 0 when there is none.
pid_t PostmasterPid(const std::string& data_dir) {
  std::ifstream in(data_dir + "/postmaster.pid");
  long pid = 0;
  if (!(in >> pid)) return 0;
  return static_cast<pid_t>(pid);
}

// PIDs whose parent is `parent` (from /proc/<pid>/stat).
std::vector<pid_t> Children(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadFile(entry.path().string() + "/stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    long ppid = 0;
    if (rest >> state >> ppid && ppid == parent) out.push_back(std::stoi(name));
  }
  return out;
}

}  // namespace

PatroniCluster::PatroniCluster()
    : etcd_(std::make_unique<EtcdServer>()), dir_("steer-patroni"), password_(RandomName(24)) {
  if (FindExecutable("patroni").empty()) {
    throw std::runtime_error("patroni not installed (scripts/setup: patroni)");
  }
  ChownToPostgres(dir_.path());
  ChownToPostgres(dir_.Write("password", password_));
  std::string scope = "steer-" + RandomName(8);
  nodes_.resize(kNodes);
  for (int i = 0; i < kNodes; ++i) {
    nodes_[i].name = "node" + std::to_string(i + 1);
    nodes_[i].pg_port = FreePort();
    nodes_[i].rest_port = FreePort();
    std::filesystem::create_directory(NodeDir(i));
    std::filesystem::permissions(NodeDir(i), std::filesystem::perms::owner_all);
    ChownToPostgres(NodeDir(i));
    WriteConfig(i, scope);
  }
  for (int i = 0; i < kNodes; ++i) StartNode(i);
  if (!WaitHealthy(kPatroniStartTimeout)) {
    std::string logs = Log(0) + "\n----\n" + Log(1);
    StopAll();
    throw std::runtime_error("Patroni cluster not healthy; logs:\n" + logs);
  }
}

PatroniCluster::~PatroniCluster() { StopAll(); }

std::string PatroniCluster::NodeDir(int node) const { return dir_.File(nodes_.at(node).name); }

void PatroniCluster::WriteConfig(int node, const std::string& scope) {
  const Node& n = nodes_[node];
  const std::string d = NodeDir(node);
  const std::string rest = "127.0.0.1:" + std::to_string(n.rest_port);
  const std::string pg = "127.0.0.1:" + std::to_string(n.pg_port);
  std::ostringstream y;
  y << "scope: " << scope << "\nnamespace: /service/\nname: " << n.name << "\n"
    << "restapi: {listen: '" << rest << "', connect_address: '" << rest << "'}\n"
    << "etcd3: {hosts: ['127.0.0.1:" << etcd_->client_port() << "']}\n"
    << "bootstrap:\n  dcs:\n    ttl: 5\n    loop_wait: 1\n    retry_timeout: 2\n"
    << "    primary_start_timeout: 0\n    synchronous_mode: true\n"
    << "    postgresql: {use_pg_rewind: true, parameters: {shared_buffers: 16MB, "
       "max_connections: 40, fsync: 'off'}}\n"
    << "  initdb: [{encoding: UTF8}, data-checksums]\n"
    << "postgresql:\n  listen: '" << pg << "'\n  connect_address: '" << pg << "'\n"
    << "  data_dir: " << d << "/data\n  bin_dir: /usr/lib/postgresql/15/bin\n"
    << "  pgpass: " << d << "/pgpass\n"
    << "  parameters: {unix_socket_directories: '" << d << "'}\n"
    << "  authentication:\n"
    << "    superuser: {username: postgres, password: '" << password_ << "'}\n"
    << "    replication: {username: replicator, password: '" << password_ << "r'}\n"
    << "    rewind: {username: rewinder, password: '" << password_ << "w'}\n"
    << "  pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 scram-sha-256',\n"
    << "           'host replication replicator 127.0.0.1/32 scram-sha-256']\n";
  ChownToPostgres(dir_.Write(n.name + ".yaml", y.str()));
}

std::string PatroniCluster::Dsn(int first, const std::string& database) const {
  int second = 1 - first;
  return "host=127.0.0.1,127.0.0.1 port=" + std::to_string(pg_port(first)) + "," +
         std::to_string(pg_port(second)) + " dbname=" + database +
         " user=postgres target_session_attrs=read-write";
}

std::string PatroniCluster::NodeDsn(int node, const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(pg_port(node)) + " dbname=" + database +
         " user=postgres";
}

config::PostgresConfig PatroniCluster::StoreConfig(int first) const {
  return internal::StoreConfig(Dsn(first), password_file());
}

void PatroniCluster::SetPaused(bool paused) {
  std::string want = std::string("\"pause\": ") + (paused ? "true" : "false");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    bool patched = false, everyone = true;
    for (int i = 0; i < kNodes; ++i) {
      if (!nodes_[i].patroni || !nodes_[i].patroni->Running()) continue;
      base::HttpRequest request;
      request.url = "http://127.0.0.1:" + std::to_string(rest_port(i));
      request.timeout = std::chrono::milliseconds(1000);
      if (!patched) {
        request.method = "PATCH";
        request.url += "/config";
        request.body = "{" + want + "}";
        auto r = base::SendHttp(request);
        patched = r && r->status == 200;
        request.method = "GET";
        request.body.clear();
        request.url = "http://127.0.0.1:" + std::to_string(rest_port(i));
      }
      request.url += "/patroni";
      auto status = base::SendHttp(request);
      // Patroni lists "pause": true while paused and leaves the key out otherwise.
      bool now_paused = status && status->body.find("\"pause\": true") != std::string::npos;
      everyone = everyone && status && now_paused == paused;
    }
    if (patched && everyone) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("Patroni did not report " + want);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

bool PatroniCluster::RestOk(int node, const std::string& path) const {
  base::HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(rest_port(node)) + path;
  request.timeout = std::chrono::milliseconds(1000);
  auto response = base::SendHttp(request);
  return response && response->status == 200;
}

std::optional<int> PatroniCluster::Primary() const {
  std::optional<int> found;
  for (int i = 0; i < kNodes; ++i) {
    if (!RestOk(i, "/primary")) continue;
    if (found) return std::nullopt;
    found = i;
  }
  return found;
}

bool PatroniCluster::Healthy() const {
  auto primary = Primary();
  return primary && RestOk(1 - *primary, "/sync");
}

bool PatroniCluster::WaitHealthy(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Healthy()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

int PatroniCluster::KillPrimaryPostgres() {
  auto primary = Primary();
  if (!primary) throw std::runtime_error("KillPrimaryPostgres: no primary");
  pid_t pm = PostmasterPid(NodeDir(*primary) + "/data");
  if (!Alive(pm)) throw std::runtime_error("KillPrimaryPostgres: no postmaster");
  kill(pm, SIGKILL);
  return *primary;
}

void PatroniCluster::KillPostmaster(int node) {
  pid_t pm = PostmasterPid(NodeDir(node) + "/data");
  if (!Alive(pm)) return;
  std::vector<pid_t> children = Children(pm);
  kill(pm, SIGKILL);
  for (pid_t c : children) kill(c, SIGKILL);
  WaitUntil([&] { return !Alive(pm); }, std::chrono::milliseconds(5000));
}

void PatroniCluster::KillNode(int node) {
  KillPatroni(node);
  KillPostmaster(node);
}

void PatroniCluster::KillPatroni(int node) {
  Node& n = nodes_.at(node);
  if (n.patroni && n.patroni->Running()) {
    kill(n.patroni->pid(), SIGKILL);
    WaitUntil([&] { return !n.patroni->Running(); }, std::chrono::milliseconds(5000));
  }
  n.patroni.reset();
}

void PatroniCluster::StartNode(int node) {
  Node& n = nodes_.at(node);
  if (n.patroni && n.patroni->Running()) return;
  n.patroni =
      std::make_unique<ChildProcess>(AsPostgres({"/usr/bin/patroni", dir_.File(n.name + ".yaml")}),
                                     NodeDir(node) + "/patroni.log");
}

void PatroniCluster::PausePostgres(int node) {
  pid_t pm = PostmasterPid(NodeDir(node) + "/data");
  if (!Alive(pm)) throw std::runtime_error("PausePostgres: no postmaster");
  kill(pm, SIGSTOP);
  for (pid_t c : Children(pm)) kill(c, SIGSTOP);
}

void PatroniCluster::ResumePostgres(int node) {
  pid_t pm = PostmasterPid(NodeDir(node) + "/data");
  if (!Alive(pm)) return;
  for (pid_t c : Children(pm)) kill(c, SIGCONT);
  kill(pm, SIGCONT);
}

void PatroniCluster::StopAll() {
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) ResumePostgres(i);
  for (auto& n : nodes_) {
    if (n.patroni && n.patroni->Running()) kill(n.patroni->pid(), SIGTERM);
  }
  for (auto& n : nodes_) {
    if (!n.patroni) continue;
    WaitUntil([&] { return !n.patroni->Running(); }, std::chrono::milliseconds(15000));
    n.patroni.reset();  // SIGKILL if it still runs
  }
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) KillPostmaster(i);
  etcd_.reset();
}

std::string PatroniCluster::Sql(const std::string& sql) const { return RunSql(Dsn(0), sql); }

std::string PatroniCluster::SqlOn(int node, const std::string& sql) const {
  return RunSql(NodeDsn(node), sql);
}

std::string PatroniCluster::RunSql(const std::string& dsn, const std::string& sql) const {
  std::string out = dir_.File("sql.out");
  std::string log = dir_.File("psql.log");
  int rc =
      RunCommand({"/usr/bin/env", "PGPASSWORD=" + password_, "/usr/bin/psql", "-X", "-q", "-A",
                  "-t", "-v", "ON_ERROR_STOP=1", "-o", out, "-c", sql, dsn + " connect_timeout=2"},
                 log);
  if (rc != 0) throw std::runtime_error("psql failed: " + sql + "\n" + ReadFile(log));
  std::string text = ReadFile(out);
  std::filesystem::remove(out);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string PatroniCluster::Log(int node) const {
  std::string out = ReadFile(NodeDir(node) + "/patroni.log");
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(NodeDir(node) + "/data/log", ec)) {
    out += "\n-- " + e.path().string() + "\n" + ReadFile(e.path().string());
  }
  return out;
}

}  // namespace steer::testsupport
