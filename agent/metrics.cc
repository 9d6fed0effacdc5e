#include "steer/agent/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>

namespace steer::agent::metrics {

std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  // The shortest spelling that reads back as the same double (0.1 -> "0.1").
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string Family::Series(const std::string& name, const LabelValues& values,
                           const std::string& extra) const {
  std::string out = name;
  if (label_names_.empty() && extra.empty()) return out;
  out += '{';
  for (size_t i = 0; i < label_names_.size(); ++i) {
    if (i) out += ',';
    out += label_names_[i] + "=\"" + EscapeLabelValue(i < values.size() ? values[i] : "") + '"';
  }
  if (!extra.empty()) out += (label_names_.empty() ? "" : ",") + extra;
  out += '}';
  return out;
}

void Family::Header(std::string* out, const char* type) const {
  *out += "# HELP " + name_ + " " + EscapeHelp(help_) + "\n";
  *out += "# TYPE " + name_ + " " + type + "\n";
}

void Counter::Inc(const LabelValues& values, double by) {
  if (by < 0) return;  // counters only go up
  std::lock_guard lock(mu_);
  values_[values] += by;
}

double Counter::Value(const LabelValues& values) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(values);
  return it == values_.end() ? 0 : it->second;
}

void Counter::Render(std::string* out) const {
  std::lock_guard lock(mu_);
  Header(out, "counter");
  for (const auto& [labels, v] : values_)
    *out += Series(name_, labels) + " " + FormatValue(v) + "\n";
}

void Counter::Clear() {
  std::lock_guard lock(mu_);
  values_.clear();
}

void Gauge::Set(const LabelValues& values, double v) {
  std::lock_guard lock(mu_);
  values_[values] = v;
}

double Gauge::Value(const LabelValues& values) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(values);
  return it == values_.end() ? 0 : it->second;
}

void Gauge::Render(std::string* out) const {
  std::lock_guard lock(mu_);
  Header(out, "gauge");
  for (const auto& [labels, v] : values_)
    *out += Series(name_, labels) + " " + FormatValue(v) + "\n";
}

void Gauge::Clear() {
  std::lock_guard lock(mu_);
  values_.clear();
}

void Histogram::Observe(const LabelValues& values, double v) {
  std::lock_guard lock(mu_);
  Cells& s = series_[values];
  if (s.counts.empty()) s.counts.assign(buckets_.size(), 0);
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), v);
  if (it != buckets_.end()) ++s.counts[static_cast<size_t>(it - buckets_.begin())];
  ++s.count;
  s.sum += v;
}

uint64_t Histogram::Count(const LabelValues& values) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::Render(std::string* out) const {
  std::lock_guard lock(mu_);
  Header(out, "histogram");
  for (const auto& [labels, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      cumulative += s.counts[i];
      *out += Series(name_ + "_bucket", labels, "le=\"" + FormatValue(buckets_[i]) + "\"") + " " +
              std::to_string(cumulative) + "\n";
    }
    *out += Series(name_ + "_bucket", labels, "le=\"+Inf\"") + " " + std::to_string(s.count) + "\n";
    *out += Series(name_ + "_sum", labels) + " " + FormatValue(s.sum) + "\n";
    *out += Series(name_ + "_count", labels) + " " + std::to_string(s.count) + "\n";
  }
}

void Histogram::Clear() {
  std::lock_guard lock(mu_);
  series_.clear();
}

Result<void> Registry::Check(const std::string& name,
                             const std::vector<std::string>& labels) const {
  static const std::regex kName("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex kLabel("[a-zA-Z_][a-zA-Z0-9_]*");
  if (!std::regex_match(name, kName)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad metric name '" + name + "'");
  }
  for (const auto& l : labels) {
    if (!std::regex_match(l, kLabel) || l.rfind("__", 0) == 0 || l == "le") {
      return MakeError(ErrorCode::kInvalidArgument, "bad label name '" + l + "' on " + name);
    }
  }
  for (const auto& f : families_) {
    if (f->name() == name) {
      return MakeError(ErrorCode::kAlreadyExists, "metric " + name + " registered twice");
    }
  }
  return {};
}

Result<Counter*> Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  if (name.size() < 6 || name.compare(name.size() - 6, 6, "_total") != 0) {
    return MakeError(ErrorCode::kInvalidArgument, "counter " + name + " must end in _total");
  }
  if (auto ok = Check(name, labels); !ok) return tl::unexpected(ok.error());
  auto c = std::make_unique<Counter>(name, help, std::move(labels));
  Counter* raw = c.get();
  families_.push_back(std::move(c));
  return raw;
}

Result<Gauge*> Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  if (auto ok = Check(name, labels); !ok) return tl::unexpected(ok.error());
  auto g = std::make_unique<Gauge>(name, help, std::move(labels));
  Gauge* raw = g.get();
  families_.push_back(std::move(g));
  return raw;
}

Result<Histogram*> Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> labels,
                                          std::vector<double> buckets) {
  std::lock_guard lock(mu_);
  if (auto ok = Check(name, labels); !ok) return tl::unexpected(ok.error());
  if (buckets.empty() || !std::is_sorted(buckets.begin(), buckets.end()) ||
      std::adjacent_find(buckets.begin(), buckets.end()) != buckets.end()) {
    return MakeError(ErrorCode::kInvalidArgument, "histogram " + name + ": bad buckets");
  }
  auto h = std::make_unique<Histogram>(name, help, std::move(labels), std::move(buckets));
  Histogram* raw = h.get();
  families_.push_back(std::move(h));
  return raw;
}

std::vector<const Family*> Registry::Families() const {
  std::lock_guard lock(mu_);
  std::vector<const Family*> out;
  for (const auto& f : families_) out.push_back(f.get());
  return out;
}

std::string Registry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& f : families_) f->Render(&out);
  return out;
}

}  // namespace steer::agent::metrics
