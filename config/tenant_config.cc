// tenant.yaml: the keys of TenantSpec() (authd_schema.cc) read with the shared reader, and the
// tenant naming rules.
#include "steer/config/tenant_config.h"

#include <filesystem>

#include "authd_schema.h"
#include "yaml_input.h"

namespace steer::config {
namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Double-quoted YAML scalar: the values written are validated, but quote anyway.
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string TenantNameProblem(std::string_view name) {
  if (name.empty() || name.size() > 63) return "must have 1 to 63 characters";
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return "may contain only a-z, 0-9 and '-' (a DNS label)";
    }
  }
  if (name.front() == '-' || name.back() == '-') return "must not start or end with '-'";
  return "";
}

std::string TenantIssuer(const AuthdConfig& config, std::string_view name) {
  if (config.tenant_routing == TenantRouting::kPath) {
    return config.issuer + "/t/" + std::string(name);
  }
  size_t scheme_end = config.issuer.find("://");
  if (scheme_end == std::string::npos) return "";
  std::string rest = config.issuer.substr(scheme_end + 3);
  size_t path = rest.find('/');
  std::string authority = rest.substr(0, path);
  size_t colon = authority.rfind(':');
  bool has_port = colon != std::string::npos && authority.find(']', colon) == std::string::npos;
  return config.issuer.substr(0, scheme_end + 3) + std::string(name) + "." + config.tenant_domain +
         (has_port ? authority.substr(colon) : "") +
         (path == std::string::npos ? "" : rest.substr(path));
}

std::string TenantKeysDir(const AuthdConfig& config, std::string_view name) {
  return (std::filesystem::path(config.tenants_dir) / std::string(name) / kTenantKeysDirName)
      .string();
}

std::string ColorProblem(const std::string& color) {
  bool ok = (color.size() == 4 || color.size() == 7) && color[0] == '#';
  for (size_t i = 1; ok && i < color.size(); ++i) ok = IsHexDigit(color[i]);
  return ok ? "" : "must be #rgb or #rrggbb";
}

tl::expected<TenantConfig, Diagnostics> ParseTenantConfig(std::string_view yaml,
                                                          const std::string& file_name,
                                                          const std::string& name,
                                                          const LockoutPolicy& defaults,
                                                          const LoadLimits& limits) {
  Reader reader(file_name);
  if (std::string problem = TenantNameProblem(name); !problem.empty()) {
    reader.ErrorAt(Location{file_name, 1, 1}, "", "tenant name '" + name + "' " + problem);
    return tl::unexpected(reader.TakeDiagnostics());
  }
  auto root = ParseYaml(yaml, file_name, limits,
                        "the tenant file is empty; expected a mapping with 'display_name'");
  if (!root) return tl::unexpected(root.error());
  TenantConfig tenant;
  tenant.name = name;
  tenant.lockout = defaults;
  try {
    ReadObject(reader, *root, "", TenantSpec(), tenant);
  } catch (const YAML::Exception& e) {
    reader.ErrorAt(Location{file_name, e.mark.line + 1, e.mark.column + 1}, "", e.msg);
  }
  if (!reader.ok()) return tl::unexpected(reader.TakeDiagnostics());
  if (tenant.branding.display_name.empty()) tenant.branding.display_name = name;
  return tenant;
}

tl::expected<TenantConfig, Diagnostics> LoadTenantConfig(const std::string& dir,
                                                         const LockoutPolicy& defaults,
                                                         const LoadLimits& limits) {
  std::filesystem::path d(dir);
  std::string name = (d.has_filename() ? d : d.parent_path()).filename().string();
  std::string file = (d / kTenantFileName).string();
  auto text = ReadConfigText(file, limits);
  if (!text) return tl::unexpected(text.error());
  return ParseTenantConfig(*text, file, name, defaults, limits);
}

std::string TenantConfigYaml(const TenantConfig& t, const LockoutPolicy& server) {
  std::string y = "# steer-authd tenant '" + t.name + "' (docs/auth-core.md, Tenants)\n";
  y += "display_name: " + Quoted(t.branding.display_name) + "\n";
  std::string branding;
  if (!t.branding.logo_url.empty()) branding += "  logo_url: " + Quoted(t.branding.logo_url) + "\n";
  if (!t.branding.primary_color.empty()) {
    branding += "  primary_color: " + Quoted(t.branding.primary_color) + "\n";
  }
  if (!t.branding.background_color.empty()) {
    branding += "  background_color: " + Quoted(t.branding.background_color) + "\n";
  }
  if (!branding.empty()) y += "branding:\n" + branding;
  // The server's lockout is left out, so that a later change of the server's reaches this
  // tenant too; only a tenant's own setting is written.
  if (t.lockout == server) return y;
  y += "lockout:\n  max_failures: " + std::to_string(t.lockout.max_failures) + "\n";
  y += "  block_for: " + std::to_string(t.lockout.block_seconds) + "s\n";
  return y;
}

}  // namespace steer::config
