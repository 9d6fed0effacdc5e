// docs/metrics.md lists every metric steerd exports: its table is compared with the real
// registry (AgentMetrics::Create) by name, type and labels, both ways.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "agent_metrics.h"

namespace steer::agent {
namespace {

struct Row {
  std::string type;
  std::vector<std::string> labels;
  bool operator==(const Row&) const = default;
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string Unquote(const std::string& cell) {  // "`x`" -> "x"
  std::string t = Trim(cell);
  if (t.size() >= 2 && t.front() == '`' && t.back() == '`') return t.substr(1, t.size() - 2);
  return t;
}

std::vector<std::string> Cells(const std::string& line) {  // "| a | b |" -> {a, b}
  std::vector<std::string> out;
  std::stringstream in(line.substr(1));
  std::string cell;
  while (std::getline(in, cell, '|')) out.push_back(Trim(cell));
  return out;
}

// The metric table's rows: | `name` | type | `label`, `label` (or —) | meaning |.
std::map<std::string, Row> ParseDoc(const std::string& path, std::vector<std::string>* errors) {
  std::ifstream in(path);
  if (!in) errors->push_back("cannot read " + path);
  std::map<std::string, Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `steer_", 0) != 0) continue;
    std::vector<std::string> cells = Cells(line);
    if (cells.size() != 4) {
      errors->push_back("not 4 cells: " + line);
      continue;
    }
    Row row{cells[1], {}};
    if (cells[2] != "\xE2\x80\x94") {  // an em dash: no labels
      std::stringstream labels(cells[2]);
      std::string label;
      while (std::getline(labels, label, ',')) row.labels.push_back(Unquote(label));
    }
    std::string name = Unquote(cells[0]);
    if (!rows.emplace(name, row).second) errors->push_back("listed twice: " + name);
  }
  return rows;
}

// name -> type and labels, from the registry: types from the exposition's # TYPE lines.
std::map<std::string, Row> FromRegistry(const metrics::Registry& registry) {
  std::map<std::string, Row> rows;
  for (const metrics::Family* f : registry.Families()) {
    std::string text;
    f->Render(&text);
    const std::string type_line = "# TYPE " + f->name() + " ";
    size_t at = text.find(type_line);
    std::string type = at == std::string::npos ? "?" : text.substr(at + type_line.size());
    type = type.substr(0, type.find('\n'));
    rows[f->name()] = Row{type, f->label_names()};
  }
  return rows;
}

std::string Describe(const Row& r) {
  std::string s = r.type + " {";
  for (size_t i = 0; i < r.labels.size(); ++i) s += (i ? "," : "") + r.labels[i];
  return s + "}";
}

TEST(MetricsDocTest, DocsListEveryMetricWithItsTypeAndLabels) {
  auto m = AgentMetrics::Create();
  ASSERT_TRUE(m) << m.error().message;
  const char* root = std::getenv("STEER_SOURCE_DIR");
  std::vector<std::string> errors;
  auto doc =
      ParseDoc(std::string(root ? root : STEER_SOURCE_DIR_DEFAULT) + "/docs/metrics.md", &errors);
  auto real = FromRegistry((*m)->registry);
  ASSERT_FALSE(real.empty());
  for (const auto& [name, row] : real) {
    auto it = doc.find(name);
    if (it == doc.end()) {
      errors.push_back(name + " (" + Describe(row) + ") is not in docs/metrics.md");
    } else if (!(it->second == row)) {
      errors.push_back(name + ": docs/metrics.md says " + Describe(it->second) +
                       ", the registry has " + Describe(row));
    }
  }
  for (const auto& [name, row] : doc) {
    if (!real.count(name)) errors.push_back(name + " is in docs/metrics.md but not registered");
  }
  for (const auto& e : errors) ADD_FAILURE() << e;
}

}  // namespace
}  // namespace steer::agent
