#include "steer/testsupport/pdns_server.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace steer::testsupport {
namespace {

constexpr const char* kSchema = "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql";

size_t Collect(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

void CreateDatabase(const std::string& path) {
  std::string schema = ReadFile(kSchema);
  if (schema.empty()) throw std::runtime_error(std::string("cannot read ") + kSchema);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot create " + path);
  }
  char* error = nullptr;
  int rc = sqlite3_exec(db, schema.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("pdns schema: " + message);
}

}  // namespace

std::string RandomSecret() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof(raw)) != 1) throw std::runtime_error("RAND_bytes failed");
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, raw, sizeof(raw));
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

PdnsServer::PdnsServer(PdnsOptions options) : dir_("steer-pdns") {
  extra_config_ = options.extra_config;
  api_key_ = options.api_key.empty() ? RandomSecret() : options.api_key;
  database_ = options.shared_database;
  if (database_.empty()) {
    database_ = dir_.File("pdns.db");
    CreateDatabase(database_);
  }
  Start();
}

PdnsServer::~PdnsServer() { Stop(); }

std::string PdnsServer::api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }

std::string PdnsServer::Log() const { return ReadFile(dir_.File("pdns.log")); }

void PdnsServer::WriteConfig() {
  std::string extra;
  for (const auto& line : extra_config_) extra += line + "\n";
  // The extra lines come last: a later setting wins, so they may override the defaults.
  dir_.Write("pdns.conf", std::string("launch=gsqlite3\n") + "gsqlite3-database=" + database_ +
                              "\n"
                              "local-address=127.0.0.1\n"
                              "local-port=" +
                              std::to_string(dns_port_) +
                              "\n"
                              "api=yes\n"
                              "api-key=" +
                              api_key_ +
                              "\n"
                              "webserver=yes\n"
                              "webserver-address=127.0.0.1\n"
                              "webserver-port=" +
                              std::to_string(api_port_) +
                              "\n"
                              "webserver-allow-from=127.0.0.0/8\n"
                              "socket-dir=" +
                              dir_.path() +
                              "\n"
                              "cache-ttl=0\nnegquery-cache-ttl=0\nquery-cache-ttl=0\n"
                              "zone-cache-refresh-interval=0\n"
                              "distributor-threads=1\nreceiver-threads=1\n" +
                              extra);
}

void PdnsServer::Start() {
  std::string binary = FindExecutable("pdns_server");
  if (binary.empty()) throw std::runtime_error("pdns_server not installed (scripts/setup)");
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (dns_port_ == 0 || attempt > 0) {
      dns_port_ = FreePort();
      api_port_ = FreePort();
    }
    WriteConfig();
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{binary, "--config-dir=" + dir_.path(), "--daemon=no",
                                 "--guardian=no", "--disable-syslog", "--write-pid=no"},
        dir_.File("pdns.log"));
    bool up = WaitUntil(
        [&] { return !process_->Running() || (TcpPortOpen(api_port_) && TcpPortOpen(dns_port_)); },
        std::chrono::milliseconds(10000));
    if (up && process_->Running()) return;
    process_.reset();  // a port was taken meanwhile, or the server failed: try other ports
  }
  throw std::runtime_error("pdns_server did not start; log:\n" + Log());
}

void PdnsServer::Stop() { process_.reset(); }

int PdnsServer::Api(const std::string& method, const std::string& path,
                    const std::string& request_body, std::string* body) const {
  CURL* curl = curl_easy_init();
  std::string response;
  curl_slist* headers = curl_slist_append(nullptr, ("X-API-Key: " + api_key_).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  std::string url = api_url() + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!request_body.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request_body.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) throw std::runtime_error(method + " " + url + ": " + curl_easy_strerror(rc));
  if (body != nullptr) *body = response;
  return static_cast<int>(status);
}

void PdnsServer::CreateZone(const std::string& zone, const std::vector<std::string>& nameservers,
                            const std::vector<PdnsRecordSet>& records) {
  nlohmann::json request = {{"name", zone}, {"kind", "Native"}, {"nameservers", nameservers}};
  std::string body;
  int status = Api("POST", "/api/v1/servers/localhost/zones", request.dump(), &body);
  if (status != 201) throw std::runtime_error("create zone " + zone + ": " + body);
  if (records.empty()) return;
  nlohmann::json rrsets = nlohmann::json::array();
  for (const auto& r : records) {
    nlohmann::json contents = nlohmann::json::array();
    for (const auto& c : r.contents) contents.push_back({{"content", c}, {"disabled", false}});
    rrsets.push_back({{"name", r.name},
                      {"type", r.type},
                      {"ttl", r.ttl},
                      {"changetype", "REPLACE"},
                      {"records", contents}});
  }
  status = Api("PATCH", "/api/v1/servers/localhost/zones/" + zone,
               nlohmann::json{{"rrsets", rrsets}}.dump(), &body);
  if (status != 204) throw std::runtime_error("add records to " + zone + ": " + body);
}

}  // namespace steer::testsupport
