#include "steer/config/loader.h"

#include <sstream>

#include "policy_schema.h"
#include "validate.h"
#include "yaml_input.h"

namespace steer::config {

std::string Diagnostic::ToString() const {
  std::ostringstream out;
  out << location.file << ":" << location.line << ":" << location.column << ": ";
  if (!path.empty()) out << path << ": ";
  out << message;
  return out.str();
}

tl::expected<Policy, Diagnostics> ParsePolicy(std::string_view yaml, const std::string& file_name,
                                              const LoadLimits& limits) {
  auto root = ParseYaml(yaml, file_name, limits,
                        "the policy is empty; expected a mapping with "
                        "'version', 'agent' and 'regions'");
  if (!root) return tl::unexpected(root.error());
  Reader reader(file_name);
  Policy policy;
  policy.source = file_name;
  try {
    ReadObject(reader, *root, "", Specs().policy, policy);
    // Cross-field rules run even after key errors, so that one pass reports everything;
    // they skip values that are empty because a key was missing or malformed.
    Normalize(reader, policy);
    Validate(reader, policy);
    if (reader.ok()) ExpandAddressProbes(reader, policy);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on some malformed shapes while iterating; report, never propagate.
    reader.ErrorAt(Location{file_name, e.mark.line + 1, e.mark.column + 1}, "", e.msg);
  }
  if (!reader.ok()) return tl::unexpected(reader.TakeDiagnostics());
  return policy;
}

tl::expected<Policy, Diagnostics> LoadPolicyFile(const std::string& path,
                                                 const LoadLimits& limits) {
  auto text = ReadConfigText(path, limits);
  if (!text) return tl::unexpected(text.error());
  return ParsePolicy(*text, path, limits);
}

}  // namespace steer::config
