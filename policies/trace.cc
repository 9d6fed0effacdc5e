#include "trace.h"

#include <array>
#include <charconv>

#include "steer/policies/simulator.h"

namespace steer::policies {
namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    std::string_view f = s.substr(start, pos == std::string_view::npos ? pos : pos - start);
    while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
    while (!f.empty() && (f.back() == ' ' || f.back() == '\t' || f.back() == '\r')) {
      f.remove_suffix(1);
    }
    out.emplace_back(f);
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

struct Columns {
  int t = -1, vantage = -1, region = -1, component = -1, ok = -1, error = -1;
  size_t required = 0;  // fields a row must have
};

Result<Columns> ParseHeader(const std::string& line, int n) {
  Columns c;
  auto fields = Split(line, ',');
  for (size_t i = 0; i < fields.size(); ++i) {
    const int idx = static_cast<int>(i);
    if (fields[i] == "t_ms") c.t = idx;
    if (fields[i] == "vantage") c.vantage = idx;
    if (fields[i] == "region") c.region = idx;
    if (fields[i] == "component") c.component = idx;
    if (fields[i] == "ok") c.ok = idx;
    if (fields[i] == "error") c.error = idx;
  }
  for (auto [idx, name] : std::array<std::pair<int, const char*>, 5>{{{c.t, "t_ms"},
                                                                      {c.vantage, "vantage"},
                                                                      {c.region, "region"},
                                                                      {c.component, "component"},
                                                                      {c.ok, "ok"}}}) {
    if (idx < 0) {
      return TraceLineError(n, std::string("header lacks column '") + name +
                                   "' (expected t_ms,vantage,region,component,ok)");
    }
    c.required = std::max(c.required, static_cast<size_t>(idx) + 1);
  }
  return c;
}

std::optional<bool> ParseOk(const std::string& s) {
  if (s == "1" || s == "true" || s == "ok" || s == "up") return true;
  if (s == "0" || s == "false" || s == "fail" || s == "down") return false;
  return std::nullopt;
}

Result<std::map<std::string, std::string>> ParseArgs(const std::string& s, int n) {
  std::map<std::string, std::string> args;
  for (const auto& kv : Split(s, ';')) {
    if (kv.empty()) continue;
    auto eq = kv.find('=');
    if (eq == std::string::npos)
      return TraceLineError(n, "operator argument '" + kv + "' is not key=value");
    args[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return args;
}

Result<TraceRow> ParseRow(const std::vector<std::string>& f, const Columns& c, int n,
                          const Layout& layout) {
  TraceRow row;
  row.line = n;
  const std::string& ts = f[static_cast<size_t>(c.t)];
  long long t = 0;
  auto [ptr, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), t);
  if (ec != std::errc() || ptr != ts.data() + ts.size() || ts.empty() || t < 0 ||
      t > kMaxTraceTimeMs) {
    return TraceLineError(
        n, "t_ms '" + ts + "' is not an integer from 0 to " + std::to_string(kMaxTraceTimeMs));
  }
  row.t = Time(t);
  row.vantage = f[static_cast<size_t>(c.vantage)];
  const std::string& region = f[static_cast<size_t>(c.region)];
  const std::string& comp = f[static_cast<size_t>(c.component)];
  const std::string& ok = f[static_cast<size_t>(c.ok)];
  if (row.vantage == kOperator) {
    row.is_operator = true;
    row.command = comp;
    row.region_name = region;
    row.region = region.empty() ? -1 : layout.FindRegion(region);
    if (!region.empty() && row.region < 0)
      return TraceLineError(n, "unknown region '" + region + "'");
    auto args = ParseArgs(ok, n);
    if (!args) return tl::unexpected(args.error());
    row.args = std::move(*args);
    return row;
  }
  if (row.vantage.empty()) return TraceLineError(n, "empty vantage");
  row.region = layout.FindRegion(region);
  if (row.region < 0) return TraceLineError(n, "unknown region '" + region + "'");
  row.component = layout.FindComponent(row.region, comp);
  if (row.component < 0) {
    return TraceLineError(n, "region " + region + " has no component '" + comp + "'");
  }
  auto parsed = ParseOk(ok);
  if (!parsed)
    return TraceLineError(n, "ok '" + ok + "' is not 1/0, true/false, ok/fail or up/down");
  row.ok = *parsed;
  if (c.error >= 0 && static_cast<size_t>(c.error) < f.size()) {
    row.error = f[static_cast<size_t>(c.error)];
  }
  return row;
}

}  // namespace

tl::unexpected<Error> TraceLineError(int line, const std::string& msg) {
  return MakeError(ErrorCode::kInvalidArgument, "trace line " + std::to_string(line) + ": " + msg);
}

Result<std::vector<TraceRow>> ParseTrace(std::string_view text, const Layout& layout) {
  std::vector<TraceRow> rows;
  std::optional<Columns> columns;
  int n = 0;
  for (const auto& raw : Split(text, '\n')) {
    ++n;
    if (raw.empty() || raw.front() == '#') continue;
    if (!columns) {
      auto c = ParseHeader(raw, n);
      if (!c) return tl::unexpected(c.error());
      columns = *c;
      continue;
    }
    auto fields = Split(raw, ',');
    if (fields.size() < columns->required) {
      return TraceLineError(n, "expected at least " + std::to_string(columns->required) +
                                   " fields, found " + std::to_string(fields.size()));
    }
    auto row = ParseRow(fields, *columns, n, layout);
    if (!row) return tl::unexpected(row.error());
    if (!rows.empty() && row->t < rows.back().t) {
      return TraceLineError(n, "time " + std::to_string(row->t.count()) + " is before line " +
                                   std::to_string(rows.back().line) + "'s " +
                                   std::to_string(rows.back().t.count()) +
                                   " (rows must be in time order)");
    }
    rows.push_back(std::move(*row));
  }
  if (!columns) return TraceLineError(n, "no header line (t_ms,vantage,region,component,ok)");
  return rows;
}

}  // namespace steer::policies
