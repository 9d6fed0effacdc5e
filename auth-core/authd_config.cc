#include "steer/auth/authd_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "steer/base/duration.h"

namespace steer::auth {
namespace {

class Reader {
 public:
  Reader(std::string file, ConfigDiagnostics* diags) : file_(std::move(file)), diags_(diags) {}

  void Error(const YAML::Node& at, const std::string& path, const std::string& msg) {
    YAML::Mark m = at.Mark();
    diags_->push_back({file_, m.line + 1, m.column + 1, path, msg});
  }

  // True when `n` is a map; every key not in `allowed` is reported.
  bool Map(const YAML::Node& n, const std::string& path,
           std::initializer_list<const char*> allowed) {
    if (!n.IsMap()) {
      Error(n, path, "must be a mapping");
      return false;
    }
    for (const auto& kv : n) {
      std::string key = kv.first.Scalar();
      bool known = false;
      for (const char* a : allowed) known = known || key == a;
      if (!known) Error(kv.first, Join(path, key), "unknown key");
    }
    return true;
  }

  template <typename Fn>
  void Scalar(const YAML::Node& parent, const char* key, const std::string& path, Fn&& fn) {
    YAML::Node n = parent[key];
    if (!n) return;
    std::string p = Join(path, key);
    if (!n.IsScalar()) return Error(n, p, "must be a scalar");
    if (auto err = fn(n.Scalar()); !err.empty()) Error(n, p, err);
  }

  void Str(const YAML::Node& parent, const char* key, const std::string& path, std::string* out) {
    Scalar(parent, key, path, [&](const std::string& v) {
      *out = v;
      return std::string(v.empty() ? "must not be empty" : "");
    });
  }

  template <typename T>
  void Int(const YAML::Node& parent, const char* key, const std::string& path, int64_t lo,
           int64_t hi, T* out) {
    Scalar(parent, key, path, [&](const std::string& v) {
      try {
        size_t used = 0;
        long long x = std::stoll(v, &used);
        if (used != v.size() || x < lo || x > hi) throw std::out_of_range(v);
        *out = static_cast<T>(x);
        return std::string();
      } catch (const std::exception&) {
        return "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
      }
    });
  }

  void Seconds(const YAML::Node& parent, const char* key, const std::string& path, int64_t* out) {
    Scalar(parent, key, path, [&](const std::string& v) {
      auto d = base::ParseDuration(v);
      if (!d) return d.error().message;
      if (d->count() < 1000) return std::string("must be at least 1s");
      *out = d->count() / 1000;
      return std::string();
    });
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  std::string file_;
  ConfigDiagnostics* diags_;
};

void ReadSections(Reader& r, const YAML::Node& root, AuthdConfig& c) {
  r.Str(root, "issuer", "", &c.issuer);
  r.Int(root, "threads", "", 1, 64, &c.threads);
  r.Str(root, "keys_dir", "", &c.keys_dir);
  if (auto n = root["listen"]; n && r.Map(n, "listen", {"address", "port"})) {
    r.Str(n, "address", "listen", &c.listen_address);
    r.Int(n, "port", "listen", 0, 65535, &c.port);
  }
  if (auto n = root["tls"]; n && r.Map(n, "tls", {"cert_file", "key_file"})) {
    r.Str(n, "cert_file", "tls", &c.tls_cert_file);
    r.Str(n, "key_file", "tls", &c.tls_key_file);
  }
  if (auto n = root["store"]; n && r.Map(n, "store", {"sqlite"})) {
    r.Str(n, "sqlite", "store", &c.store_path);
  }
  if (auto n = root["tokens"];
      n && r.Map(n, "tokens",
                 {"access_ttl", "id_ttl", "refresh_ttl", "code_ttl", "session_ttl", "leeway"})) {
    r.Seconds(n, "access_ttl", "tokens", &c.access_ttl);
    r.Seconds(n, "id_ttl", "tokens", &c.id_ttl);
    r.Seconds(n, "refresh_ttl", "tokens", &c.refresh_ttl);
    r.Seconds(n, "code_ttl", "tokens", &c.code_ttl);
    r.Seconds(n, "session_ttl", "tokens", &c.session_ttl);
    r.Seconds(n, "leeway", "tokens", &c.leeway);
  }
  if (auto n = root["lockout"]; n && r.Map(n, "lockout", {"max_failures", "block_for"})) {
    r.Int(n, "max_failures", "lockout", 1, 1000, &c.lockout.max_failures);
    r.Seconds(n, "block_for", "lockout", &c.lockout.block_seconds);
  }
  if (auto n = root["throttle"];
      n && r.Map(n, "throttle", {"logins_per_minute", "requests_per_second"})) {
    r.Int(n, "logins_per_minute", "throttle", 0, 100000, &c.logins_per_minute);
    r.Int(n, "requests_per_second", "throttle", 0, 10000000, &c.requests_per_second);
  }
  if (auto n = root["limits"]; n && r.Map(n, "limits", {"max_body_bytes", "max_header_bytes"})) {
    r.Int(n, "max_body_bytes", "limits", 1024, 1 << 20, &c.max_body_bytes);
    r.Int(n, "max_header_bytes", "limits", 1024, 1 << 16, &c.max_header_bytes);
  }
  if (auto n = root["hashing"];
      n && r.Map(n, "hashing", {"memory_kib", "iterations", "parallelism", "max_concurrent"})) {
    r.Int(n, "memory_kib", "hashing", 8, 4 << 20, &c.hashing.memory_kib);
    r.Int(n, "iterations", "hashing", 1, 100, &c.hashing.iterations);
    r.Int(n, "parallelism", "hashing", 1, 64, &c.hashing.parallelism);
    r.Int(n, "max_concurrent", "hashing", 1, 1024, &c.max_concurrent_hashes);
  }
  if (auto n = root["log"]; n && r.Map(n, "log", {"level", "format"})) {
    r.Str(n, "level", "log", &c.log_level);
    r.Str(n, "format", "log", &c.log_format);
  }
}

// The issuer is compared byte for byte by every client: https, no query, no trailing slash.
std::string IssuerProblem(const std::string& iss) {
  std::string rest;
  if (iss.rfind("https://", 0) == 0) {
    rest = iss.substr(8);
  } else if (iss.rfind("http://", 0) == 0) {
    rest = iss.substr(7);
    std::string host = rest.substr(0, rest.find_first_of("/"));
    host = host[0] == '[' ? host.substr(1, host.find(']') - 1) : host.substr(0, host.rfind(':'));
    if (!IsLoopbackHost(host)) return "http:// is allowed only for a loopback issuer";
  } else {
    return "must start with https://";
  }
  if (rest.empty() || iss.back() == '/' || iss.find_first_of("?#") != std::string::npos) {
    return "must be a URL without query, fragment or trailing slash";
  }
  return "";
}

void Validate(Reader& r, const YAML::Node& root, AuthdConfig& c, const std::string& base) {
  for (const char* required : {"issuer", "keys_dir"}) {
    if (!root[required]) r.Error(root, required, "is required");
  }
  if (!root["store"] || !root["store"]["sqlite"]) r.Error(root, "store.sqlite", "is required");
  if (root["issuer"] && !c.issuer.empty()) {
    if (auto p = IssuerProblem(c.issuer); !p.empty()) r.Error(root["issuer"], "issuer", p);
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(c.listen_address, ec);
  if (ec)
    r.Error(root["listen"] ? root["listen"] : root, "listen.address", "must be an IP address");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    r.Error(root["tls"], "tls", "cert_file and key_file go together");
  }
  if (c.plain_http() && !IsLoopbackHost(c.listen_address)) {
    r.Error(root["listen"] ? root["listen"] : root, "listen.address",
            "plain HTTP is allowed only on loopback; configure tls");
  }
  if (c.log_format != "text" && c.log_format != "json") {
    r.Error(root["log"], "log.format", "must be text or json");
  }
  auto resolve = [&](std::string& p) {
    if (!p.empty() && std::filesystem::path(p).is_relative())
      p = (std::filesystem::path(base) / p).string();
  };
  for (std::string* p : {&c.keys_dir, &c.store_path, &c.tls_cert_file, &c.tls_key_file})
    resolve(*p);
}

}  // namespace

std::string ConfigDiagnostic::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + path + ": " +
         message;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && addr.is_loopback();
}

tl::expected<AuthdConfig, ConfigDiagnostics> ParseAuthdConfig(std::string_view yaml,
                                                              const std::string& file_name) {
  ConfigDiagnostics diags;
  Reader r(file_name, &diags);
  AuthdConfig c;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    diags.push_back({file_name, e.mark.line + 1, e.mark.column + 1, "", e.msg});
    return tl::unexpected(diags);
  }
  if (!r.Map(root, "",
             {"issuer", "listen", "tls", "threads", "keys_dir", "store", "tokens", "lockout",
              "throttle", "limits", "hashing", "log"})) {
    return tl::unexpected(diags);
  }
  ReadSections(r, root, c);
  Validate(r, root, c, std::filesystem::path(file_name).parent_path().string());
  if (!diags.empty()) {
    std::stable_sort(diags.begin(), diags.end(), [](const auto& a, const auto& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    return tl::unexpected(diags);
  }
  return c;
}

tl::expected<AuthdConfig, ConfigDiagnostics> LoadAuthdConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return tl::unexpected(ConfigDiagnostics{{path, 0, 0, "", "cannot read file"}});
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseAuthdConfig(ss.str(), path);
}

}  // namespace steer::auth
