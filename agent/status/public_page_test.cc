// The public listener through a real socket and the curl client.
#include "public_page.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <set>

#include "steer/base/http_client.h"
#include "test_times.h"

namespace steer::status {
namespace {

using nlohmann::json;

class PublicPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-page-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto db = StatusDb::Open(dir_);
    ASSERT_TRUE(db.has_value());
    db_ = std::move(*db);
    clock_.SetWall(std::chrono::system_clock::time_point(std::chrono::milliseconds(kT0)));
    uptime_ = std::make_unique<UptimeStore>(*db_, clock_, UptimeOptions{});
    IncidentOptions io;
    io.public_regions = {"us-east", "eu-west"};
    incidents_ = std::make_unique<IncidentBook>(*db_, io);
    now_ = {{"login", "operational", kT0, {{"us-east", "operational"}, {"eu-west", "operational"}}},
            {"internal", "operational", kT0, {}}};
  }
  void TearDown() override {
    server_.reset();
    page_.reset();
    incidents_.reset();
    uptime_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Serve(PublicPageOptions o) {
    page_ = std::make_unique<PublicPage>(
        o, *uptime_, *incidents_,
        [this] {
          if (on_render_) on_render_();
          return now_;
        },
        clock_);
    auto server = base::HttpServer::Start(
        {}, [this](const base::ServerRequest& r) { return page_->Handle(r); });
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
  }
  base::HttpResponse Get(const std::string& path, base::Headers headers = {},
                         const std::string& method = "GET") {
    base::HttpRequest req;
    req.method = method;
    req.url = "http://" + server_->address() + path;
    req.headers = std::move(headers);
    auto r = base::SendHttp(req);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : base::HttpResponse{};
  }
  PublicPageOptions Options() {
    PublicPageOptions o;
    o.title = "Example <status>";
    o.url = "https://status.example.test";
    o.services = {"login"};
    o.regions = {"us-east"};
    return o;
  }

  std::string dir_;
  base::FakeClock clock_;
  std::unique_ptr<StatusDb> db_;
  std::unique_ptr<UptimeStore> uptime_;
  std::unique_ptr<IncidentBook> incidents_;
  std::vector<ServiceNow> now_;
  std::function<void()> on_render_;  // called by every render, in the middle of it
  std::unique_ptr<PublicPage> page_;
  std::unique_ptr<base::HttpServer> server_;
};

TEST_F(PublicPageTest, SummaryHasTheStatuspageV2Shape) {
  Serve(Options());
  auto r = Get("/api/v2/summary.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  json j = json::parse(r.body);
  EXPECT_EQ(j["page"]["name"], "Example <status>");
  EXPECT_EQ(j["page"]["url"], "https://status.example.test");
  EXPECT_EQ(j["page"]["updated_at"], "2026-01-31T00:00:00.000Z");
  EXPECT_EQ(j["status"]["indicator"], "none");
  EXPECT_EQ(j["status"]["description"], "All Systems Operational");
  // login (a group of its public region), then login in us-east; not "internal", not eu-west.
  ASSERT_EQ(j["components"].size(), 2u);
  EXPECT_EQ(j["components"][0]["name"], "login");
  EXPECT_EQ(j["components"][0]["group"], true);
  EXPECT_EQ(j["components"][0]["components"], json::array({"login/us-east"}));
  EXPECT_EQ(j["components"][1]["name"], "login in us-east");
  EXPECT_EQ(j["components"][1]["group_id"], "login");
  EXPECT_EQ(j["components"][1]["status"], "operational");
  EXPECT_TRUE(j["incidents"].is_array());
  EXPECT_TRUE(j["scheduled_maintenances"].is_array());
  EXPECT_EQ(r.body.find("internal"), std::string::npos);
  EXPECT_EQ(r.body.find("eu-west"), std::string::npos);
}

TEST_F(PublicPageTest, IncidentsAndStatusFollowTheDecisions) {
  DecisionFacts f{"login",
                  "failover",
                  "down",
                  "us-east",
                  "eu-west",
                  "us-east",
                  {{"us-east", true, false, 3, 3}, {"eu-west", false, true, 0, 3}}};
  ASSERT_TRUE(incidents_->Observe(f, kT0 - 60'000));
  now_[0].status = "degraded_performance";
  now_[0].regions[0].second = "major_outage";
  Serve(Options());
  json j = json::parse(Get("/api/v2/incidents.json").body);
  ASSERT_EQ(j["incidents"].size(), 1u);
  const json& i = j["incidents"][0];
  EXPECT_EQ(i["status"], "identified");
  EXPECT_EQ(i["impact"], "minor");
  EXPECT_TRUE(i["resolved_at"].is_null());
  ASSERT_EQ(i["incident_updates"].size(), 1u);
  EXPECT_EQ(i["incident_updates"][0]["body"],
            "us-east was judged down by 3/3 vantage points; login now answers from eu-west.");
  EXPECT_EQ(json::parse(Get("/api/v2/incidents/unresolved.json").body)["incidents"].size(), 1u);
  json s = json::parse(Get("/api/v2/status.json").body);
  // Served from a healthy standby: degraded, a minor incident; a region alone does not make
  // the page's indicator major.
  EXPECT_EQ(s["status"]["indicator"], "minor");
  json c = json::parse(Get("/api/v2/components.json").body);
  EXPECT_EQ(c["components"][1]["status"], "major_outage");
  json m = json::parse(Get("/api/v2/scheduled-maintenances.json").body);
  EXPECT_EQ(m["scheduled_maintenances"], json::array());
  std::string html = Get("/").body;
  EXPECT_NE(html.find("Active incidents"), std::string::npos);
  EXPECT_NE(html.find("login now answers from eu-west."), std::string::npos);
}

// Statuspage shows a component in a maintenance window in progress as under_maintenance: the
// service, and of its regions the one the window drains (every region without one).
TEST_F(PublicPageTest, AMaintenanceInProgressShowsUnderMaintenance) {
  MaintenanceRequest w{{"login"}, "Database upgrade", "Upgrading", kT0, kT0 + 3'600'000, "eu-west"};
  ASSERT_TRUE(incidents_->ScheduleMaintenance(w, kT0));
  ASSERT_TRUE(incidents_->AdvanceMaintenance(kT0, {}));
  PublicPageOptions o = Options();
  o.regions = {"us-east", "eu-west"};
  Serve(o);
  json c = json::parse(Get("/api/v2/components.json").body);
  ASSERT_EQ(c["components"].size(), 3u);
  EXPECT_EQ(c["components"][0]["status"], "under_maintenance");  // login
  EXPECT_EQ(c["components"][1]["status"], "operational");        // login in us-east
  EXPECT_EQ(c["components"][2]["status"], "under_maintenance");  // login in eu-west
  json s = json::parse(Get("/api/v2/summary.json").body);
  EXPECT_EQ(s["components"][0]["status"], "under_maintenance");
  EXPECT_EQ(s["status"]["indicator"], "none");  // maintenance is not an outage
  std::string html = Get("/").body;
  EXPECT_NE(html.find("<span class=\"st under_maintenance\">Under maintenance</span>"),
            std::string::npos);
  // Completed: the components show their own status again.
  ASSERT_TRUE(incidents_->AdvanceMaintenance(kT0 + 3'600'000, {}));
  clock_.Advance(std::chrono::seconds(5));
  c = json::parse(Get("/api/v2/components.json").body);
  EXPECT_EQ(c["components"][0]["status"], "operational");
  EXPECT_EQ(c["components"][2]["status"], "operational");
}

TEST_F(PublicPageTest, HtmlHasNinetyBarsEscapesTextAndLoadsNothingElse) {
  for (int day = 0; day < 3; ++day) {
    clock_.SetWall(std::chrono::system_clock::time_point(
        std::chrono::milliseconds(kT0 - day * kDayMs - kHourMs)));
    ASSERT_TRUE(uptime_->Record("login", day != 1));
  }
  clock_.SetWall(std::chrono::system_clock::time_point(std::chrono::milliseconds(kT0)));
  ASSERT_TRUE(uptime_->Flush());
  Serve(Options());
  auto r = Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "text/html; charset=utf-8");
  const std::string& html = r.body;
  size_t bars = 0;
  for (size_t at = 0; (at = html.find("<li class=\"", at)) != std::string::npos; ++at) ++bars;
  EXPECT_EQ(bars, 90u);
  EXPECT_NE(html.find("<title>Example &lt;status&gt;</title>"), std::string::npos);
  EXPECT_EQ(html.find("<status>"), std::string::npos);
  EXPECT_NE(html.find("2026-01-30: 100.00% up, 0 min with downtime"), std::string::npos);
  EXPECT_NE(html.find("2026-01-29: 0.00% up, 1 min with downtime"), std::string::npos);
  EXPECT_NE(html.find("prefers-color-scheme:dark"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_NE(r.Header("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
}

TEST_F(PublicPageTest, EtagGives304AndCacheExpires) {
  Serve(Options());
  auto first = Get("/api/v2/status.json");
  const std::string etag = first.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first.Header("Cache-Control"), "public, max-age=5");
  auto again = Get("/api/v2/status.json", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  // A change shows once the cached copy is older than max_age.
  now_[0].status = "major_outage";
  EXPECT_EQ(Get("/api/v2/status.json", {{"If-None-Match", etag}}).status, 304);
  clock_.Advance(std::chrono::seconds(5));
  auto changed = Get("/api/v2/status.json", {{"If-None-Match", etag}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.Header("ETag"), etag);
  EXPECT_EQ(json::parse(changed.body)["status"]["indicator"], "critical");
}

// Once the copy has expired, the request that renders the next one does it outside the lock:
// a request arriving meanwhile is served the previous copy at once instead of waiting (a large
// page takes long to render; every request used to wait for it).
TEST_F(PublicPageTest, ARequestDuringARenderIsServedThePreviousCopy) {
  Serve(Options());
  auto first = Get("/api/v2/status.json");
  ASSERT_EQ(first.status, 200);
  now_[0].status = "major_outage";
  clock_.Advance(std::chrono::seconds(5));
  base::ServerRequest req;
  req.method = "GET";
  req.path = "/api/v2/status.json";
  std::future<base::ServerResponse> during;
  bool served_meanwhile = false;
  bool once = true;
  on_render_ = [&] {
    if (!std::exchange(once, false)) return;
    during = std::async(std::launch::async, [&] { return page_->Handle(req); });
    // Bounded: before the fix the request waits on the render, which waits here.
    served_meanwhile = during.wait_for(std::chrono::seconds(3)) == std::future_status::ready;
  };
  auto next = Get("/api/v2/status.json");
  ASSERT_TRUE(during.valid());
  base::ServerResponse meanwhile = during.get();
  EXPECT_TRUE(served_meanwhile);
  EXPECT_EQ(json::parse(meanwhile.Body())["status"]["indicator"], "none");  // the previous copy
  EXPECT_EQ(json::parse(next.body)["status"]["indicator"], "critical");     // the new one
  // The rendered copy is then served to everyone, its body shared, not copied.
  EXPECT_EQ(page_->Handle(req).shared_body, page_->Handle(req).shared_body);
}

TEST_F(PublicPageTest, HistoryAtomIsTheIncidentFeedWithCachingHeaders) {
  DecisionFacts f{"login",
                  "failover",
                  "down",
                  "us-east",
                  "eu-west",
                  "us-east",
                  {{"us-east", true, false, 3, 3}, {"eu-west", false, true, 0, 3}}};
  ASSERT_TRUE(incidents_->Observe(f, kT0 - 60'000));
  Serve(Options());
  auto r = Get("/history.atom");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "application/atom+xml; charset=utf-8");
  EXPECT_EQ(r.Header("Cache-Control"), "public, max-age=5");
  EXPECT_NE(r.body.find("<title>Example &lt;status&gt; - incident history</title>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<id>https://status.example.test/history.atom#incident-"),
            std::string::npos);
  EXPECT_NE(r.body.find("login now answers from eu-west."), std::string::npos);
  // The page names its feed (relative: the same for the listener and the static copy) and the
  // entry links to the incident's anchor on the page.
  EXPECT_NE(Get("/").body.find("<link rel=\"alternate\" type=\"application/atom+xml\" "
                               "title=\"Incident history\" href=\"history.atom\">"),
            std::string::npos);
  json i = json::parse(Get("/api/v2/incidents.json").body)["incidents"][0];
  EXPECT_NE(Get("/").body.find("<article id=\"incident-" + i["id"].get<std::string>() + "\""),
            std::string::npos);
  EXPECT_EQ(Get("/history.atom", {{"If-None-Match", r.Header("ETag")}}).status, 304);
}

TEST_F(PublicPageTest, ReadOnlyAndNothingElse) {
  Serve(Options());
  EXPECT_EQ(Get("/api/v2/summary.json", {}, "POST").status, 405);
  EXPECT_EQ(Get("/v1/status").status, 404);
  EXPECT_EQ(Get("/metrics").status, 404);
  EXPECT_EQ(Get("/api/v2/summary.json", {}, "HEAD").status, 200);
}

TEST_F(PublicPageTest, StaticFilesAreWhatTheListenerServes) {
  Serve(Options());
  auto files = page_->StaticFiles();
  ASSERT_TRUE(files.has_value()) << files.error().message;
  std::set<std::string> paths;
  for (const StaticFile& f : *files) {
    paths.insert(f.path);
    EXPECT_EQ(Get("/" + f.path).body, f.body) << f.path;
  }
  EXPECT_EQ(paths,
            (std::set<std::string>{
                "index.html", "api/v2/summary.json", "api/v2/status.json", "api/v2/components.json",
                "api/v2/incidents.json", "api/v2/incidents/unresolved.json",
                "api/v2/scheduled-maintenances.json", "api/v2/scheduled-maintenances/upcoming.json",
                "api/v2/scheduled-maintenances/active.json", "history.atom"}));
  EXPECT_EQ(Get("/").body, Get("/index.html").body);
}

}  // namespace
}  // namespace steer::status
