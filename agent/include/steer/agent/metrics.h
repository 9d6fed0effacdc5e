#pragma once

// A small metrics registry with Prometheus text exposition (format 0.0.4): counters, gauges
// and histograms, each a family of series keyed by label values. Names are checked against
// Prometheus conventions at registration (counters end in _total, label names are valid);
// a bad name is a programming error and returns an Error.
//
// Thread-safety: registration and Render() take the registry's mutex; each family has its own
// mutex, so updates from the probe, decision and API threads never contend on one lock.
// References returned by Add*() stay valid for the registry's lifetime.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "steer/base/error.h"

namespace steer::agent::metrics {

using LabelValues = std::vector<std::string>;

class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  virtual ~Family() = default;
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends this family's HELP, TYPE and samples.
  virtual void Render(std::string* out) const = 0;
  // Forgets every series (e.g. a region removed by a reload).
  virtual void Clear() = 0;

 protected:
  // `name{a="x",b="y"}` with `extra` appended as a last label (for le=).
  std::string Series(const std::string& name, const LabelValues& values,
                     const std::string& extra = "") const;
  void Header(std::string* out, const char* type) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mu_;
};

class Counter : public Family {
 public:
  using Family::Family;
  void Inc(const LabelValues& values, double by = 1);
  double Value(const LabelValues& values) const;
  void Render(std::string* out) const override;
  void Clear() override;

 private:
  std::map<LabelValues, double> values_;
};

class Gauge : public Family {
 public:
  using Family::Family;
  void Set(const LabelValues& values, double v);
  double Value(const LabelValues& values) const;
  void Render(std::string* out) const override;
  void Clear() override;

 private:
  std::map<LabelValues, double> values_;
};

class Histogram : public Family {
 public:
  Histogram(std::string name, std::string help, std::vector<std::string> label_names,
            std::vector<double> buckets)
      : Family(std::move(name), std::move(help), std::move(label_names)),
        buckets_(std::move(buckets)) {}
  void Observe(const LabelValues& values, double v);
  uint64_t Count(const LabelValues& values) const;
  void Render(std::string* out) const override;
  void Clear() override;

 private:
  struct Cells {
    std::vector<uint64_t> counts;  // per bucket, not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  std::vector<double> buckets_;
  std::map<LabelValues, Cells> series_;
};

class Registry {
 public:
  Result<Counter*> AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> labels);
  Result<Gauge*> AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> labels);
  Result<Histogram*> AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> labels, std::vector<double> buckets);
  // The whole exposition, families in registration order.
  std::string Render() const;
  // The registered families, in registration order (docs/metrics.md is checked against them).
  std::vector<const Family*> Families() const;

 private:
  Result<void> Check(const std::string& name, const std::vector<std::string>& labels) const;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
};

// Escaping per the exposition format: label values escape \ " and newline; HELP escapes \ and
// newline.
std::string EscapeLabelValue(const std::string& v);
std::string EscapeHelp(const std::string& v);
// Go-compatible float rendering: integers without a decimal point, +Inf, -Inf, NaN.
std::string FormatValue(double v);

}  // namespace steer::agent::metrics
