// The key catalog, the docs, the JSON Schema and the parser must agree (one place for keys).
#include "steer/config/catalog.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "steer/config/loader.h"
#include "testdata.h"

namespace steer::config {
namespace {

// Key paths present in a YAML document, spelt like CatalogKeyPaths() ("a.<name>.b[].c").
void CollectYamlPaths(const YAML::Node& node, const ObjectInfo& info, const std::string& prefix,
                      std::set<std::string>* out) {
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const KeyInfo* k = nullptr;
    for (const auto& candidate : info.keys) {
      if (candidate.key == key) k = &candidate;
    }
    ASSERT_NE(k, nullptr) << "unknown key " << prefix << key;
    std::string path = prefix.empty() ? key : prefix + "." + key;
    out->insert(path);
    if (k->kind == ValueKind::kObject && k->keys_as.empty()) {
      CollectYamlPaths(kv.second, *k->object, path, out);
    }
    if (k->kind == ValueKind::kObjectList) {
      for (const auto& item : kv.second) CollectYamlPaths(item, *k->object, path + "[]", out);
    }
    if (k->kind == ValueKind::kAnswerList) {
      for (const auto& item : kv.second) {
        if (item.IsMap()) CollectYamlPaths(item, *k->object, path + "[]", out);
      }
    }
    if (k->kind == ValueKind::kObjectMap) {
      for (const auto& item : kv.second) {
        CollectYamlPaths(item.second, *k->object, path + ".<name>", out);
      }
    }
  }
}

TEST(CatalogTest, AllKeysFileCoversEveryCatalogKey) {
  YAML::Node root = YAML::LoadFile(SourcePath("config/testdata/all-keys.yaml"));
  std::set<std::string> present;
  CollectYamlPaths(root, PolicyCatalog(), "", &present);
  for (const auto& path : CatalogKeyPaths()) {
    EXPECT_TRUE(present.count(path)) << "all-keys.yaml does not set " << path;
  }
}

// Removes one key at a time from all-keys.yaml: the parsed policy must change (or fail to
// load, for required keys). A key that the parser ignored would leave it unchanged.
tl::expected<Policy, Diagnostics> Parse(const YAML::Node& root) {
  YAML::Emitter emitter;
  emitter << root;
  return ParsePolicy(emitter.c_str(), "all-keys.yaml");
}

// Re-adding a key moves it to the end of its map, which reorders named lists; so the baseline
// is re-parsed from the current tree before each removal.
void RemoveEachKey(YAML::Node root, YAML::Node node, const std::string& path, int* checked) {
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      RemoveEachKey(root, node[i], path + "[" + std::to_string(i) + "]", checked);
    }
    return;
  }
  if (!node.IsMap()) return;
  std::vector<std::string> keys;
  for (const auto& kv : node) keys.push_back(kv.first.Scalar());
  for (const auto& key : keys) {
    auto baseline = Parse(root);
    ASSERT_TRUE(baseline.has_value()) << baseline.error().front().ToString();
    YAML::Node saved = YAML::Clone(node[key]);
    node.remove(key);
    auto changed = Parse(root);
    EXPECT_TRUE(!changed.has_value() || !(*changed == *baseline))
        << "removing " << path << "." << key << " did not change the parsed policy";
    ++*checked;
    node[key] = saved;
    RemoveEachKey(root, node[key], path + "." + key, checked);
  }
}

TEST(CatalogTest, EveryKeyChangesTheParsedPolicy) {
  YAML::Node root = YAML::LoadFile(SourcePath("config/testdata/all-keys.yaml"));
  int checked = 0;
  RemoveEachKey(root, root, "", &checked);
  EXPECT_GE(checked, static_cast<int>(CatalogKeyPaths().size()));
}

TEST(CatalogTest, DocsReferenceMatchesCatalog) {
  std::string doc = ReadText(SourcePath("docs/policy.md"));
  const std::string begin = "<!-- BEGIN GENERATED KEY REFERENCE -->\n";
  const std::string end = "<!-- END GENERATED KEY REFERENCE -->";
  size_t b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), PolicyMarkdownReference())
      << "docs/policy.md is stale: scripts/gen-policy-docs";
}

TEST(CatalogTest, JsonSchemaMatchesCatalog) {
  EXPECT_EQ(ReadText(SourcePath("docs/policy.schema.json")), PolicyJsonSchema())
      << "docs/policy.schema.json is stale: scripts/gen-policy-docs";
}

}  // namespace
}  // namespace steer::config
