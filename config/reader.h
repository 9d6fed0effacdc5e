#pragma once

// The machinery behind the key catalog: a Reader walks YAML nodes and collects diagnostics,
// and an ObjectSpec<T> binds each key of one struct to its KeyInfo and to the code that
// stores the value. Not thread-safe; one Reader per load.

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "steer/config/catalog.h"
#include "steer/config/loader.h"
#include "steer/config/policy.h"

namespace steer::config {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  void Error(const YAML::Node& node, const std::string& path, std::string message);
  void ErrorAt(const Location& loc, const std::string& path, std::string message);
  // Reports at Find(path): for checks across keys, made after the file was read.
  void ErrorAtPath(const std::string& path, std::string message) {
    ErrorAt(Find(path), path, std::move(message));
  }
  Location LocationOf(const YAML::Node& node) const;
  // Location recorded for a key path while reading (the key's value), else that of the
  // nearest recorded parent path, else the file start.
  Location Find(const std::string& path) const;
  // Whether the key path was present in the file.
  bool Has(const std::string& path) const { return locations_.count(path) > 0; }
  // Whether an error was already reported at this exact path.
  bool HasErrorAt(const std::string& path) const;
  void Record(const std::string& path, const YAML::Node& node) {
    locations_[path] = LocationOf(node);
  }

  // Scalars. Each returns false (and reports) when the node has the wrong shape.
  bool ReadString(const YAML::Node& n, const std::string& path, std::string* out);
  bool ReadInt(const YAML::Node& n, const std::string& path, long long* out);
  bool ReadNumber(const YAML::Node& n, const std::string& path, double* out);
  bool ReadBool(const YAML::Node& n, const std::string& path, bool* out);
  bool ReadDuration(const YAML::Node& n, const std::string& path, base::Duration* out);
  bool ReadSecret(const YAML::Node& n, const std::string& path, base::SecretRef* out);
  bool ReadStringList(const YAML::Node& n, const std::string& path, std::vector<std::string>* out);
  bool ReadStringMap(const YAML::Node& n, const std::string& path,
                     std::map<std::string, std::string>* out);
  // Reports `value` outside info.min..info.max (milliseconds for a duration key).
  bool CheckBounds(const YAML::Node& n, const std::string& path, const KeyInfo& info, double value);
  // The one check of every URL-valued key: one of `schemes` ("https"), and no
  // user:password@ (reported with `advice`, which names the key the credential belongs in).
  bool CheckUrl(const YAML::Node& n, const std::string& path, const std::string& url,
                const std::vector<std::string>& schemes, const std::string& advice);

  const std::string& file() const { return file_; }
  Diagnostics TakeDiagnostics();
  bool ok() const { return diagnostics_.empty(); }

 private:
  std::string file_;
  Diagnostics diagnostics_;
  std::map<std::string, Location> locations_;
};

template <typename T>
struct Binding {
  KeyInfo info;
  std::function<void(Reader&, const YAML::Node&, const std::string&, T&)> read;
};

template <typename T>
struct ObjectSpec {
  ObjectInfo info;
  std::vector<Binding<T>> bindings;

  void Add(Binding<T> b) {
    info.keys.push_back(b.info);
    bindings.push_back(std::move(b));
  }
};

// What a node holds, for "expected X, found Y" messages: 'text', the quoted string "30"
// (with advice to drop the quotes), a list, a mapping...
std::string Found(const YAML::Node& n);

// The closest known key within edit distance 2, or "".
std::string DidYouMean(const std::string& key, const std::vector<KeyInfo>& keys);

// Reads a YAML mapping into `out` using `spec`: unknown keys, duplicate keys, missing
// required keys and keys that do not apply to the discriminator's value are all reported.
template <typename T>
void ReadObject(Reader& r, const YAML::Node& node, const std::string& path,
                const ObjectSpec<T>& spec, T& out);

// Defined in reader_impl.h (templates).
}  // namespace steer::config

#include "reader_impl.h"  // IWYU pragma: keep
