// steer-authd's config: the shared YAML input and reader, the keys of authd_schema.cc, and the
// rules that involve more than one key.
#include "steer/config/authd_config.h"

#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <filesystem>

#include "authd_schema.h"
#include "steer/config/tenant_config.h"
#include "yaml_input.h"

namespace steer::config {
namespace {

bool IsIpAddress(const std::string& text) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(text, ec);
  return !ec;
}

// "https://Login.Example.com:8443/x" -> "login.example.com"; "" for an IP literal in brackets.
std::string IssuerHost(const std::string& issuer) {
  size_t scheme = issuer.find("://");
  std::string host = scheme == std::string::npos ? "" : issuer.substr(scheme + 3);
  host = host.substr(0, host.find('/'));
  if (!host.empty() && host[0] == '[') return "";
  host = host.substr(0, host.find(':'));
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return host;
}

void ValidateTenants(Reader& r, const AuthdConfig& c) {
  if (c.tenants_dir.empty() || c.tenant_routing != TenantRouting::kHost) return;
  if (c.tenant_domain.empty()) {
    if (!r.HasErrorAt("tenants.domain")) {
      r.ErrorAt(r.Find("tenants"), "tenants.domain", "routing: host needs a domain");
    }
    return;
  }
  // The router reads a Host under the domain as a tenant's name.
  std::string host = IssuerHost(c.issuer), suffix = "." + c.tenant_domain;
  if (host.size() > suffix.size() &&
      host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0) {
    r.ErrorAtPath("tenants.domain",
                  "the issuer's host is under this domain (it would be read as tenant '" +
                      host.substr(0, host.size() - suffix.size()) + "')");
    return;
  }
  // The issuer a tenant would get must itself be a valid issuer (http only on loopback).
  if (std::string problem = IssuerProblem(TenantIssuer(c, "tenant"));
      !problem.empty() && IssuerProblem(c.issuer).empty()) {
    r.ErrorAtPath("tenants.domain",
                  "a tenant's issuer " + TenantIssuer(c, "tenant") + ": " + problem);
  }
}

void ValidateStore(Reader& r, const AuthdConfig& c) {
  if (r.HasErrorAt("store") || r.HasErrorAt("store.sqlite") || r.HasErrorAt("store.postgres") ||
      r.HasErrorAt("store.postgres.dsn")) {
    return;
  }
  if (c.store_path.empty() == c.postgres.dsn.empty()) {
    r.ErrorAtPath("store", c.store_path.empty()
                               ? "needs sqlite or postgres"
                               : "sqlite and postgres exclude each other; choose one");
  }
}

// Rules across keys; the location is that of the key's value, else its section's.
void Validate(Reader& r, const AuthdConfig& c) {
  bool address_ok = IsIpAddress(c.listen_address);
  if (!address_ok) {
    r.ErrorAtPath("listen.address", "must be an IP address");
  }
  if (c.tls_cert_file.empty() != c.tls_key_file.empty() && !r.HasErrorAt("tls.cert_file") &&
      !r.HasErrorAt("tls.key_file")) {
    r.ErrorAtPath("tls", "cert_file and key_file go together");
  }
  if (address_ok && c.plain_http() && !IsLoopbackHost(c.listen_address)) {
    r.ErrorAtPath("listen.address", "plain HTTP is allowed only on loopback; configure tls");
  }
  ValidateTenants(r, c);
  ValidateStore(r, c);
}

void ResolvePaths(AuthdConfig& c, const std::string& file_name) {
  std::filesystem::path base = std::filesystem::path(file_name).parent_path();
  for (std::string* p :
       {&c.keys_dir, &c.store_path, &c.tls_cert_file, &c.tls_key_file, &c.tenants_dir}) {
    if (!p->empty() && std::filesystem::path(*p).is_relative()) *p = (base / *p).string();
  }
}

}  // namespace

std::string IssuerProblem(const std::string& iss) {
  std::string rest;
  if (iss.rfind("https://", 0) == 0) {
    rest = iss.substr(8);
  } else if (iss.rfind("http://", 0) == 0) {
    rest = iss.substr(7);
    std::string host = rest.substr(0, rest.find_first_of('/'));
    host = !host.empty() && host[0] == '[' ? host.substr(1, host.find(']') - 1)
                                           : host.substr(0, host.rfind(':'));
    if (!IsLoopbackHost(host)) return "http:// is allowed only for a loopback issuer";
  } else {
    return "must start with https://";
  }
  if (rest.empty() || iss.back() == '/' || iss.find_first_of("?#") != std::string::npos) {
    return "must be a URL without query, fragment or trailing slash";
  }
  return "";
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  constexpr std::string_view kLocal = ".localhost";
  if (host.size() > kLocal.size() && host.substr(host.size() - kLocal.size()) == kLocal) {
    return true;  // RFC 6761 §6.3: names under localhost. resolve to loopback
  }
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && addr.is_loopback();
}

tl::expected<AuthdConfig, Diagnostics> ParseAuthdConfig(std::string_view yaml,
                                                        const std::string& file_name,
                                                        const LoadLimits& limits) {
  auto root = ParseYaml(yaml, file_name, limits,
                        "the steer-authd config is empty; expected a mapping with "
                        "'issuer', 'keys_dir' and 'store'");
  if (!root) return tl::unexpected(root.error());
  Reader reader(file_name);
  AuthdConfig config;
  try {
    ReadObject(reader, *root, "", AuthdSpec(), config);
    if (root->IsMap()) Validate(reader, config);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on some malformed shapes while iterating; report, never propagate.
    reader.ErrorAt(Location{file_name, e.mark.line + 1, e.mark.column + 1}, "", e.msg);
  }
  if (!reader.ok()) return tl::unexpected(reader.TakeDiagnostics());
  ResolvePaths(config, file_name);
  return config;
}

tl::expected<AuthdConfig, Diagnostics> LoadAuthdConfig(const std::string& path,
                                                       const LoadLimits& limits) {
  auto text = ReadConfigText(path, limits);
  if (!text) return tl::unexpected(text.error());
  return ParseAuthdConfig(*text, path, limits);
}

}  // namespace steer::config
