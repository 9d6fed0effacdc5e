#pragma once

// Template half of reader.h: ReadObject and the binding factories used by policy_schema.cc.
// Each factory takes the key name once and an accessor `T& -> field&`.

#include <set>
#include <utility>

namespace steer::config {

inline std::string JoinPath(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

template <typename T>
void ReadObject(Reader& r, const YAML::Node& node, const std::string& path,
                const ObjectSpec<T>& spec, T& out) {
  if (!node.IsMap()) {
    r.Error(node, path, "expected a mapping of " + spec.info.name + " keys");
    return;
  }
  std::set<std::string> seen, suggested;
  std::vector<std::pair<const KeyInfo*, YAML::Node>> present;
  // The discriminator is read first, so that the other keys' bindings can see the type.
  // (Nodes are only ever copy-constructed here: assigning one would overwrite the document.)
  std::vector<std::pair<YAML::Node, YAML::Node>> items;
  std::vector<size_t> order;
  for (const auto& kv : node) {
    bool first = !spec.info.discriminator.empty() && kv.first.IsScalar() &&
                 kv.first.Scalar() == spec.info.discriminator;
    order.insert(first ? order.begin() : order.end(), items.size());
    items.emplace_back(kv.first, kv.second);
  }
  for (size_t i : order) {
    const auto& kv = items[i];
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    std::string key_path = JoinPath(path, key);
    if (!seen.insert(key).second) {
      r.Error(kv.first, key_path, "duplicate key '" + key + "'");
      continue;
    }
    const Binding<T>* binding = nullptr;
    for (const auto& b : spec.bindings) {
      if (b.info.key == key) binding = &b;
    }
    if (binding == nullptr) {
      std::string hint = DidYouMean(key, spec.info.keys);
      suggested.insert(hint);
      r.Error(kv.first, key_path,
              "unknown key '" + key + "' in " + spec.info.name +
                  (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      continue;
    }
    r.Record(key_path, kv.second);
    binding->read(r, kv.second, key_path, out);
    present.emplace_back(&binding->info, kv.first);
    // One rule for every required list and map: it needs at least one entry.
    if (binding->info.required && IsCollection(binding->info.kind) &&
        (kv.second.IsSequence() || kv.second.IsMap()) && kv.second.size() == 0) {
      r.Error(kv.second, key_path, "'" + key + "' must not be empty");
    }
  }
  for (const auto& b : spec.bindings) {
    // A misspelt key was already reported with its correction: do not report it missing too.
    if (b.info.required && !seen.count(b.info.key) && !suggested.count(b.info.key)) {
      r.Error(node, JoinPath(path, b.info.key), "missing required key '" + b.info.key + "'");
    }
  }
  if (spec.info.discriminator.empty()) return;
  YAML::Node disc = node[spec.info.discriminator];
  if (!disc || !disc.IsScalar()) return;
  const std::string& kind = disc.Scalar();
  // An unknown discriminator value was reported already; which keys apply is then unknowable.
  if (r.HasErrorAt(JoinPath(path, spec.info.discriminator))) return;
  for (const auto& [info, key_node] : present) {
    if (info->only_for.empty()) continue;
    bool applies = false;
    for (const auto& v : info->only_for) applies = applies || v == kind;
    if (!applies) {
      r.Error(key_node, JoinPath(path, info->key),
              "key '" + info->key + "' does not apply to " + spec.info.discriminator + " '" + kind +
                  "'");
    }
  }
}

// ---- binding factories ------------------------------------------------------------------

template <typename T, typename Get>
Binding<T> StringKey(KeyInfo info, Get get) {
  info.kind = ValueKind::kString;
  return {std::move(info), [get](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            r.ReadString(n, p, &get(t));
          }};
}

template <typename T, typename Get>
Binding<T> IntKey(KeyInfo info, Get get) {
  info.kind = ValueKind::kInteger;
  return {info, [get, info](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            long long v = 0;
            if (!r.ReadInt(n, p, &v)) return;
            if (!r.CheckBounds(n, p, info, static_cast<double>(v))) return;
            get(t) = static_cast<std::remove_reference_t<decltype(get(t))>>(v);
          }};
}

template <typename T, typename Get>
Binding<T> NumberKey(KeyInfo info, Get get) {
  info.kind = ValueKind::kNumber;
  return {info, [get, info](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            double v = 0;
            if (r.ReadNumber(n, p, &v) && r.CheckBounds(n, p, info, v)) get(t) = v;
          }};
}

template <typename T, typename Get>
Binding<T> BoolKey(KeyInfo info, Get get) {
  info.kind = ValueKind::kBoolean;
  return {std::move(info), [get](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            r.ReadBool(n, p, &get(t));
          }};
}

template <typename T, typename Get>
Binding<T> DurationKey(KeyInfo info, Get get) {
  info.kind = ValueKind::kDuration;
  return {
      info, [get, info](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
        base::Duration d{};
        if (r.ReadDuration(n, p, &d) && r.CheckBounds(n, p, info, static_cast<double>(d.count()))) {
          get(t) = d;
        }
      }};
}

template <typename T, typename Get>
Binding<T> SecretKey(KeyInfo info, Get get) {
  info.kind = ValueKind::kSecret;
  return {std::move(info), [get](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            r.ReadSecret(n, p, &get(t));
          }};
}

template <typename T, typename Get>
Binding<T> StringListKey(KeyInfo info, Get get) {
  info.kind = ValueKind::kStringList;
  return {std::move(info), [get](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            r.ReadStringList(n, p, &get(t));
          }};
}

template <typename T, typename Get>
Binding<T> StringMapKey(KeyInfo info, Get get) {
  info.kind = ValueKind::kStringMap;
  return {std::move(info), [get](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            r.ReadStringMap(n, p, &get(t));
          }};
}

// Which schemes a URL key accepts, and where a credential belongs instead of the URL, for
// the object as read so far (its discriminator is read first).
struct UrlRule {
  std::vector<std::string> schemes;
  std::string advice;  // e.g. "use api_key: env:NAME"
};

// A URL; info.url_schemes lists every scheme any type accepts (for the docs and the schema).
template <typename T, typename Get, typename Rule>
Binding<T> UrlKey(KeyInfo info, Get get, Rule rule) {
  info.kind = ValueKind::kString;
  return {std::move(info), [get, rule](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            if (!r.ReadString(n, p, &get(t))) return;
            UrlRule u = rule(t);
            r.CheckUrl(n, p, get(t), u.schemes, u.advice);
          }};
}

template <typename T, typename Get, typename Rule>
Binding<T> UrlListKey(KeyInfo info, Get get, Rule rule) {
  info.kind = ValueKind::kStringList;
  return {std::move(info), [get, rule](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            if (!r.ReadStringList(n, p, &get(t))) return;
            UrlRule u = rule(t);
            for (size_t i = 0; i < n.size(); ++i) {
              r.CheckUrl(n[i], p + "[" + std::to_string(i) + "]", n[i].Scalar(), u.schemes,
                         u.advice);
            }
          }};
}

// An enum spelled as one of `values`; `values[i]` maps to `enums[i]`.
template <typename T, typename E, typename Get>
Binding<T> EnumKey(KeyInfo info, std::vector<std::pair<std::string, E>> values, Get get) {
  info.kind = ValueKind::kEnum;
  for (const auto& v : values) info.enum_values.push_back(v.first);
  return {std::move(info),
          [get, values](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            std::string s;
            if (!r.ReadString(n, p, &s)) return;
            std::string all;
            for (const auto& v : values) {
              if (v.first == s) {
                get(t) = v.second;
                return;
              }
              all += (all.empty() ? "" : ", ") + v.first;
            }
            r.Error(n, p, "unknown value '" + s + "' (expected one of: " + all + ")");
          }};
}

template <typename T, typename U, typename Get>
Binding<T> ObjectKey(KeyInfo info, const ObjectSpec<U>& spec, Get get) {
  info.kind = ValueKind::kObject;
  info.object = &spec.info;
  return {std::move(info), [get, &spec](Reader& r, const YAML::Node& n, const std::string& p,
                                        T& t) { ReadObject(r, n, p, spec, get(t)); }};
}

// One entry of a list or map of objects: located at `where` (the list item or the map key),
// its keys read from `value`.
template <typename U>
U ReadItem(Reader& r, const YAML::Node& where, const YAML::Node& value, const std::string& path,
           const ObjectSpec<U>& spec, U item) {
  if constexpr (requires { item.location; }) item.location = r.LocationOf(where);
  r.Record(path, where);
  ReadObject(r, value, path, spec, item);
  return item;
}

template <typename T, typename U, typename Get>
Binding<T> ObjectListKey(KeyInfo info, const ObjectSpec<U>& spec, Get get) {
  info.kind = ValueKind::kObjectList;
  info.object = &spec.info;
  return {
      std::move(info), [get, &spec](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
        if (!n.IsSequence()) {
          r.Error(n, p, "expected a list of " + spec.info.name + " entries");
          return;
        }
        for (size_t i = 0; i < n.size(); ++i) {
          get(t).push_back(ReadItem(r, n[i], n[i], p + "[" + std::to_string(i) + "]", spec, U{}));
        }
      }};
}

// A mapping from names to objects; the name goes into U::name, order is kept.
template <typename T, typename U, typename Get>
Binding<T> ObjectMapKey(KeyInfo info, const ObjectSpec<U>& spec, Get get) {
  info.kind = ValueKind::kObjectMap;
  info.object = &spec.info;
  return {std::move(info),
          [get, &spec](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            if (!n.IsMap()) {
              r.Error(n, p, "expected a mapping from names to " + spec.info.name + " entries");
              return;
            }
            std::set<std::string> names;
            for (const auto& kv : n) {
              std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "";
              std::string item_path = JoinPath(p, name);
              if (!names.insert(name).second) {
                r.Error(kv.first, item_path, "duplicate name '" + name + "'");
                continue;
              }
              U item;
              item.name = name;
              get(t).push_back(ReadItem(r, kv.first, kv.second, item_path, spec, std::move(item)));
            }
          }};
}

}  // namespace steer::config
