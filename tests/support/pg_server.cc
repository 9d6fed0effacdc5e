#include "steer/testsupport/pg_server.h"

#include <openssl/rand.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "pg_util.h"
#include "steer/base/secret.h"

namespace steer::testsupport {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";
constexpr std::chrono::milliseconds kPgStartTimeout{30000};

}  // namespace

namespace internal {

std::string RandomName(size_t length) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string raw(length, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(length)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  for (char& c : raw) c = kChars[static_cast<unsigned char>(c) % 36];
  return raw;
}

std::vector<std::string> AsPostgres(std::vector<std::string> argv) {
  std::vector<std::string> out = {"/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                  "LANG=C.UTF-8"};
  if (geteuid() == 0) {
    for (const char* a :
         {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"}) {
      out.push_back(a);
    }
  }
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

config::PostgresConfig StoreConfig(const std::string& dsn, const std::string& password_file) {
  config::PostgresConfig c;
  c.dsn = dsn;
  c.password = base::ParseSecretRef("file:" + password_file).value();
  c.connect_timeout = 2;
  c.statement_timeout = 2;
  return c;
}

void ChownToPostgres(const std::string& path) {
  if (geteuid() != 0) return;
  passwd* pw = getpwnam("postgres");
  if (pw == nullptr) throw std::runtime_error("no postgres user (apt-get install postgresql-15)");
  if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    throw std::runtime_error("chown " + path + " failed");
  }
}

}  // namespace internal

using internal::AsPostgres;
using internal::ChownToPostgres;
using internal::RandomName;

PgServer::PgServer(Durability durability)
    : dir_("steer-pg"), password_(RandomName(24)), durability_(durability) {
  if (!std::filesystem::exists(std::string(kBin) + "postgres")) {
    throw std::runtime_error("PostgreSQL 15 not installed (scripts/setup: postgresql-15)");
  }
  ChownToPostgres(dir_.path());
  std::string pwfile = dir_.Write("password", password_);
  ChownToPostgres(pwfile);
  int rc = RunCommand(AsPostgres({std::string(kBin) + "initdb", "-D", dir_.File("data"), "-U",
                                  "postgres", "--pwfile=" + pwfile, "-A", "trust",
                                  "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"}),
                      dir_.File("initdb.log"), std::chrono::milliseconds(60000));
  if (rc != 0) throw std::runtime_error("initdb failed:\n" + ReadFile(dir_.File("initdb.log")));
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreePort();
    Spawn();
    if (WaitReady()) return;
    process_.reset();  // the port was taken meanwhile: try another
  }
  throw std::runtime_error("postgres did not start; log:\n" + Log());
}

PgServer::~PgServer() { Stop(); }

std::string PgServer::Dsn(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + database + " user=postgres";
}

config::PostgresConfig PgServer::StoreConfig(const std::string& database) const {
  return internal::StoreConfig(Dsn(database), password_file());
}

std::string PgServer::Log() const { return ReadFile(dir_.File("postgres.log")); }

void PgServer::Spawn() {
  process_ = std::make_unique<ChildProcess>(
      AsPostgres(
          {std::string(kBin) + "postgres", "-D", dir_.File("data"), "-p", std::to_string(port_),
           "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir_.path(), "-c",
           durability_ == Durability::kFast ? "fsync=off" : "fsync=on", "-c", "max_connections=60",
           "-c",
           durability_ == Durability::kFast ? "shared_buffers=16MB" : "shared_buffers=256MB"}),
      dir_.File("postgres.log"));
}

bool PgServer::WaitReady() {
  std::vector<std::string> ready = {std::string(kBin) + "pg_isready",
                                    "-q",
                                    "-h",
                                    dir_.path(),
                                    "-p",
                                    std::to_string(port_),
                                    "-U",
                                    "postgres"};
  bool ok = WaitUntil(
      [&] {
        if (!Running()) return true;
        return RunCommand(ready, dir_.File("isready.log")) == 0;
      },
      kPgStartTimeout);
  return ok && Running();
}

std::string PgServer::Sql(const std::string& sql, const std::string& database) const {
  static std::atomic<int> counter{0};
  std::string out = dir_.File("sql-" + std::to_string(++counter) + ".out");
  int rc = RunCommand(
      {"/usr/bin/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir_.path(), "-p",
       std::to_string(port_), "-U", "postgres", "-d", database, "-o", out, "-c", sql},
      dir_.File("psql.log"));
  if (rc != 0) {
    throw std::runtime_error("psql failed: " + sql + "\n" + ReadFile(dir_.File("psql.log")));
  }
  std::string text = ReadFile(out);
  std::filesystem::remove(out);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string PgServer::CreateDatabase() const {
  std::string name = "t_" + RandomName(12);
  Sql("CREATE DATABASE " + name);
  return name;
}

bool PgServer::Running() { return process_ && process_->Running(); }

void PgServer::Stop() {
  if (!Running()) {
    process_.reset();
    return;
  }
  kill(process_->pid(), SIGINT);  // fast shutdown: disconnects clients (SIGTERM would wait)
  WaitUntil([&] { return !process_->Running(); }, std::chrono::milliseconds(10000));
  process_.reset();  // SIGKILL if it still runs
}

void PgServer::Kill() {
  if (!Running()) return;
  kill(process_->pid(), SIGKILL);
  WaitUntil([&] { return !process_->Running(); }, std::chrono::milliseconds(5000));
  process_.reset();
}

void PgServer::Start() {
  if (Running()) return;
  // After a crash, orphaned backends may still hold the shared memory for a moment; postgres
  // then refuses to start, so try again.
  for (int attempt = 0; attempt < 20; ++attempt) {
    Spawn();
    if (WaitReady()) return;
    process_.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  throw std::runtime_error("postgres did not come back; log:\n" + Log());
}

}  // namespace steer::testsupport
