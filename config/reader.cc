#include "reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "steer/base/duration.h"
#include "text_checks.h"

namespace steer::config {
namespace {

// An unquoted, untagged scalar: only these can be integers, numbers or booleans (the schema
// says so, and `ttl: "30"` is a string in YAML).
bool IsPlainScalar(const YAML::Node& n) { return n.IsScalar() && n.Tag() == "?"; }

const char* ShapeName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing (null)";
    default:
      return "a scalar";
  }
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string Found(const YAML::Node& n) {
  if (!n.IsScalar()) return ShapeName(n);
  if (n.Tag() == "!") {
    return "the quoted string \"" + n.Scalar() + "\" (write " + n.Scalar() + " without quotes)";
  }
  if (n.Tag() != "?") return "'" + n.Scalar() + "' tagged " + n.Tag();
  return "'" + n.Scalar() + "'";
}

namespace {

std::string FormatBound(const KeyInfo& info, double v) {
  if (info.kind == ValueKind::kDuration)
    return base::FormatDuration(base::Duration(std::llround(v)));
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(std::llround(v));
  std::ostringstream out;
  out << v;
  return out.str();
}

std::string JoinSchemes(const std::vector<std::string>& schemes) {
  std::string out;
  for (size_t i = 0; i < schemes.size(); ++i) {
    if (i > 0) out += i + 1 == schemes.size() ? " or " : ", ";
    out += schemes[i] + "://";
  }
  return out;
}

}  // namespace

std::string DidYouMean(const std::string& key, const std::vector<KeyInfo>& keys) {
  std::string best;
  size_t best_distance = 3;
  for (const auto& k : keys) {
    size_t d = EditDistance(key, k.key);
    if (d < best_distance) {
      best_distance = d;
      best = k.key;
    }
  }
  return best;
}

Location Reader::LocationOf(const YAML::Node& node) const {
  YAML::Mark mark = node.Mark();
  Location loc;
  loc.file = file_;
  if (!mark.is_null()) {
    loc.line = mark.line + 1;
    loc.column = mark.column + 1;
  }
  return loc;
}

Location Reader::Find(const std::string& path) const {
  std::string p = path;
  while (!p.empty()) {
    auto it = locations_.find(p);
    if (it != locations_.end()) return it->second;
    size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  return Location{file_, 1, 1};
}

bool Reader::HasErrorAt(const std::string& path) const {
  for (const auto& d : diagnostics_) {
    if (d.path == path) return true;
  }
  return false;
}

void Reader::Error(const YAML::Node& node, const std::string& path, std::string message) {
  ErrorAt(LocationOf(node), path, std::move(message));
}

void Reader::ErrorAt(const Location& loc, const std::string& path, std::string message) {
  diagnostics_.push_back(Diagnostic{loc, path, std::move(message)});
}

Diagnostics Reader::TakeDiagnostics() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.location.line, a.location.column) <
                            std::tie(b.location.line, b.location.column);
                   });
  return std::move(diagnostics_);
}

bool Reader::ReadString(const YAML::Node& n, const std::string& path, std::string* out) {
  if (!n.IsScalar()) {
    Error(n, path, std::string("expected a string, found ") + ShapeName(n));
    return false;
  }
  *out = n.Scalar();
  return true;
}

bool Reader::ReadInt(const YAML::Node& n, const std::string& path, long long* out) {
  if (IsPlainScalar(n)) {
    const std::string& s = n.Scalar();
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end == s.c_str() + s.size() && errno == 0) {
      *out = v;
      return true;
    }
  }
  Error(n, path, "expected an integer, found " + Found(n));
  return false;
}

bool Reader::ReadNumber(const YAML::Node& n, const std::string& path, double* out) {
  if (IsPlainScalar(n)) {
    const std::string& s = n.Scalar();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(v)) {
      *out = v;
      return true;
    }
  }
  Error(n, path, "expected a number, found " + Found(n));
  return false;
}

bool Reader::ReadBool(const YAML::Node& n, const std::string& path, bool* out) {
  // Only true/false: YAML 1.1's yes/no/on/off are a classic source of surprises.
  if (IsPlainScalar(n) && (n.Scalar() == "true" || n.Scalar() == "false")) {
    *out = n.Scalar() == "true";
    return true;
  }
  Error(n, path, "expected true or false, found " + Found(n));
  return false;
}

bool Reader::CheckBounds(const YAML::Node& n, const std::string& path, const KeyInfo& info,
                         double value) {
  bool low = info.min && value < *info.min, high = info.max && value > *info.max;
  if (!low && !high) return true;
  std::string v = "value " + (n.IsScalar() ? n.Scalar() : FormatBound(info, value));
  if (info.min && info.max) {
    Error(n, path,
          v + " is out of range [" + FormatBound(info, *info.min) + ", " +
              FormatBound(info, *info.max) + "]");
  } else if (low) {
    Error(n, path, v + " is below the minimum " + FormatBound(info, *info.min));
  } else {
    Error(n, path, v + " is above the maximum " + FormatBound(info, *info.max));
  }
  return false;
}

bool Reader::CheckUrl(const YAML::Node& n, const std::string& path, const std::string& url,
                      const std::vector<std::string>& schemes, const std::string& advice) {
  bool scheme_ok = false;
  for (const auto& scheme : schemes) {
    std::string prefix = scheme + "://";
    scheme_ok = scheme_ok || (url.rfind(prefix, 0) == 0 && url.size() > prefix.size());
  }
  if (!scheme_ok) {
    Error(n, path, "expected an " + JoinSchemes(schemes) + " URL");
    return false;
  }
  if (UrlHasPassword(url)) {
    Error(n, path, "the URL holds a password (user:password@), a secret written inline; " + advice);
    return false;
  }
  return true;
}

bool Reader::ReadDuration(const YAML::Node& n, const std::string& path, base::Duration* out) {
  if (!n.IsScalar()) {
    Error(n, path, std::string("expected a duration such as 5s, found ") + ShapeName(n));
    return false;
  }
  auto d = base::ParseDuration(n.Scalar());
  if (!d) {
    Error(n, path, d.error().message);
    return false;
  }
  *out = *d;
  return true;
}

bool Reader::ReadSecret(const YAML::Node& n, const std::string& path, base::SecretRef* out) {
  if (!n.IsScalar()) {
    Error(
        n, path,
        std::string("expected a secret reference (env:NAME or file:/path), found ") + ShapeName(n));
    return false;
  }
  auto ref = base::ParseSecretRef(n.Scalar());
  if (!ref) {
    Error(n, path, ref.error().message);
    return false;
  }
  *out = *ref;
  return true;
}

bool Reader::ReadStringList(const YAML::Node& n, const std::string& path,
                            std::vector<std::string>* out) {
  if (!n.IsSequence()) {
    Error(n, path, std::string("expected a list of strings, found ") + ShapeName(n));
    return false;
  }
  out->clear();
  bool ok = true;
  for (size_t i = 0; i < n.size(); ++i) {
    std::string s;
    std::string item = path + "[" + std::to_string(i) + "]";
    Record(item, n[i]);
    if (ReadString(n[i], item, &s)) {
      out->push_back(std::move(s));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool Reader::ReadStringMap(const YAML::Node& n, const std::string& path,
                           std::map<std::string, std::string>* out) {
  if (!n.IsMap()) {
    Error(n, path, std::string("expected a mapping of strings, found ") + ShapeName(n));
    return false;
  }
  bool ok = true;
  for (const auto& kv : n) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    std::string value;
    Record(path + "." + key, kv.second);
    if (out->count(key)) {
      Error(kv.first, path + "." + key, "duplicate key '" + key + "'");
      ok = false;
    } else if (ReadString(kv.second, path + "." + key, &value)) {
      (*out)[key] = std::move(value);
    } else {
      ok = false;
    }
  }
  return ok;
}

}  // namespace steer::config
