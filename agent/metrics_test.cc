#include "steer/agent/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "agent_metrics.h"

namespace steer::agent::metrics {
namespace {

TEST(MetricsEscapeTest, LabelValuesAndHelp) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeHelp("x\\y\nz \"q\""), "x\\\\y\\nz \"q\"");
}

TEST(MetricsEscapeTest, Values) {
  EXPECT_EQ(FormatValue(3), "3");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(-2), "-2");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(MetricsRegistryTest, CounterAndGaugeExposition) {
  Registry r;
  Counter* c = *r.AddCounter("steer_decisions_total", "Policy decisions.", {"service", "action"});
  Gauge* g = *r.AddGauge("steer_region_healthy", "Region health.", {"region"});
  c->Inc({"login", "failover"});
  c->Inc({"login", "failover"}, 2);
  c->Inc({"login", "failover"}, -5);  // ignored: counters never go down
  g->Set({"eu \"west\"\n"}, 1);
  EXPECT_EQ(r.Render(),
            "# HELP steer_decisions_total Policy decisions.\n"
            "# TYPE steer_decisions_total counter\n"
            "steer_decisions_total{service=\"login\",action=\"failover\"} 3\n"
            "# HELP steer_region_healthy Region health.\n"
            "# TYPE steer_region_healthy gauge\n"
            "steer_region_healthy{region=\"eu \\\"west\\\"\\n\"} 1\n");
  g->Clear();
  EXPECT_EQ(g->Value({"eu \"west\"\n"}), 0);
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulative) {
  Registry r;
  Histogram* h =
      *r.AddHistogram("steer_probe_duration_seconds", "Probe duration.", {"probe"}, {0.1, 0.5, 1});
  h->Observe({"api"}, 0.05);
  h->Observe({"api"}, 0.1);  // le is inclusive
  h->Observe({"api"}, 0.7);
  h->Observe({"api"}, 3);
  EXPECT_EQ(r.Render(),
            "# HELP steer_probe_duration_seconds Probe duration.\n"
            "# TYPE steer_probe_duration_seconds histogram\n"
            "steer_probe_duration_seconds_bucket{probe=\"api\",le=\"0.1\"} 2\n"
            "steer_probe_duration_seconds_bucket{probe=\"api\",le=\"0.5\"} 2\n"
            "steer_probe_duration_seconds_bucket{probe=\"api\",le=\"1\"} 3\n"
            "steer_probe_duration_seconds_bucket{probe=\"api\",le=\"+Inf\"} 4\n"
            "steer_probe_duration_seconds_sum{probe=\"api\"} 3.85\n"
            "steer_probe_duration_seconds_count{probe=\"api\"} 4\n");
  EXPECT_EQ(h->Count({"api"}), 4u);
}

TEST(MetricsRegistryTest, UnlabelledSeries) {
  Registry r;
  (*r.AddGauge("steer_leader", "Leader.", {}))->Set({}, 1);
  EXPECT_NE(r.Render().find("\nsteer_leader 1\n"), std::string::npos);
}

TEST(MetricsRegistryTest, RefusesBadNames) {
  Registry r;
  EXPECT_FALSE(r.AddCounter("steer_decisions", "no _total suffix", {}));
  EXPECT_FALSE(r.AddGauge("steer-bad", "dash", {}));
  EXPECT_FALSE(r.AddGauge("steer_ok", "reserved label", {"__x"}));
  EXPECT_FALSE(r.AddHistogram("steer_h", "le is reserved", {"le"}, {1}));
  EXPECT_FALSE(r.AddHistogram("steer_h2", "unsorted", {}, {2, 1}));
  EXPECT_TRUE(r.AddGauge("steer_ok", "fine", {"a"}));
  EXPECT_FALSE(r.AddGauge("steer_ok", "twice", {"a"}));
}

TEST(AgentMetricsTest, RegistersTheDocumentedNames) {
  auto m = AgentMetrics::Create();
  ASSERT_TRUE(m) << m.error().message;
  (*m)->active_region->Set({"login", "a"}, 1);
  (*m)->dns_change_errors->Inc({"login", "pdns"});
  std::string text = (*m)->registry.Render();
  for (const char* name :
       {"steer_probe_duration_seconds", "steer_region_healthy", "steer_service_active_region",
        "steer_decisions_total", "steer_dns_change_duration_seconds",
        "steer_dns_change_errors_total", "steer_probe_phase_duration_seconds",
        "steer_probe_retries_total"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(text.find("steer_service_active_region{service=\"login\",region=\"a\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace steer::agent::metrics
