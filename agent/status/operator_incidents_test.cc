// Operator incidents and maintenance windows: input checks, storage, restart, lifecycle (times
// are plain milliseconds: the book never reads a clock).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "incident_book.h"
#include "public_page.h"
#include "test_times.h"

namespace steer::status {
namespace {

class OperatorIncidentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-opinc-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Reopen();
    actions_.drain = [this](const Maintenance& m) -> Result<void> {
      calls_.push_back("drain " + m.drain_region);
      if (refuse_) return MakeError(ErrorCode::kFailedPrecondition, "min_healthy_regions");
      return {};
    };
    actions_.undrain = [this](const Maintenance& m) -> Result<void> {
      calls_.push_back("undrain " + m.drain_region);
      return {};
    };
  }
  void TearDown() override {
    book_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {  // a restart: a new connection and book on the same file
    book_.reset();
    db_.reset();
    auto db = StatusDb::Open(dir_);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_ = std::move(*db);
    book_ = std::make_unique<IncidentBook>(*db_, IncidentOptions{});
  }
  std::vector<Incident> All() {
    auto all = book_->Since(0);
    EXPECT_TRUE(all.has_value());
    return all ? *all : std::vector<Incident>{};
  }
  std::vector<Maintenance> Windows() {
    auto all = book_->Maintenances(0);
    EXPECT_TRUE(all.has_value());
    return all ? *all : std::vector<Maintenance>{};
  }
  OperatorIncident Sample() {
    return {{"login", "api"}, "", "major", "identified", "Logins fail for some users"};
  }
  MaintenanceRequest Window(std::string region = "") {
    return {{"login"},       "Database upgrade", "We upgrade the database.",
            kT0 + 10 * kMin, kT0 + 40 * kMin,    std::move(region)};
  }

  std::string dir_;
  std::unique_ptr<StatusDb> db_;
  std::unique_ptr<IncidentBook> book_;
  MaintenanceActions actions_;
  std::vector<std::string> calls_;
  bool refuse_ = false;
};

TEST_F(OperatorIncidentsTest, OpenUpdateResolveSurviveARestart) {
  auto id = book_->OpenIncident(Sample(), kT0);
  ASSERT_TRUE(id.has_value()) << id.error().message;
  ASSERT_TRUE(book_->UpdateIncident(*id, "monitoring", "minor", "A fix is deployed", kT0 + kMin));
  Reopen();
  auto open = book_->Open();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  const Incident& i = open->front();
  EXPECT_TRUE(i.operator_made());
  EXPECT_EQ(i.services, (std::vector<std::string>{"login", "api"}));
  EXPECT_TRUE(i.Affects("api"));
  EXPECT_FALSE(i.Affects("internal"));
  EXPECT_EQ(i.name, "Logins fail for some users");
  EXPECT_EQ(i.status, "monitoring");
  EXPECT_EQ(i.impact, "minor");
  ASSERT_EQ(i.updates.size(), 2u);
  EXPECT_EQ(i.updates[0].body, "A fix is deployed");
  EXPECT_EQ(i.updates[1].status, "identified");
  ASSERT_TRUE(book_->ResolveIncident(*id, "", kT0 + 2 * kMin));
  EXPECT_TRUE(book_->Open()->empty());
  ASSERT_EQ(All().size(), 1u);
  EXPECT_EQ(All()[0].resolved_ms, kT0 + 2 * kMin);
  EXPECT_EQ(All()[0].updates[0].status, "resolved");
  // A resolved incident takes no more updates.
  auto again = book_->UpdateIncident(*id, "monitoring", "", "late", kT0 + 3 * kMin);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(OperatorIncidentsTest, BadInputIsRefusedAndStoresNothing) {
  auto bad = [&](OperatorIncident i, const std::string& want) {
    auto r = book_->OpenIncident(i, kT0);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
  };
  OperatorIncident i = Sample();
  i.message = "";
  bad(i, "empty");
  i.message = " \n ";
  bad(i, "empty");
  i.message = std::string(50 * 1024, 'x');
  bad(i, "51200 bytes; at most 4096");
  i = Sample();
  i.message = std::string("caf\xC3", 4);
  bad(i, "not UTF-8");
  i = Sample();
  i.impact = "catastrophic";
  bad(i, "impact 'catastrophic'");
  i = Sample();
  i.status = "resolved";
  bad(i, "status 'resolved'");
  i = Sample();
  i.services.clear();
  bad(i, "at least one service");
  EXPECT_TRUE(All().empty());
  auto id = book_->OpenIncident(Sample(), kT0);
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(book_->UpdateIncident(*id, "monitoring", "", std::string(4097, 'y'), kT0));
  EXPECT_FALSE(book_->UpdateIncident(*id, "fixed", "", "ok", kT0));
  EXPECT_FALSE(book_->UpdateIncident(*id, "monitoring", "huge", "ok", kT0));
  EXPECT_EQ(All()[0].updates.size(), 1u);
  // Exactly the limit is accepted; HTML is kept as text (the page escapes it).
  std::string limit(4096 - 8, 'z');
  EXPECT_TRUE(book_->UpdateIncident(*id, "monitoring", "", "<script>" + limit, kT0));
  EXPECT_EQ(All()[0].updates[0].body.substr(0, 8), "<script>");
}

TEST_F(OperatorIncidentsTest, AnOperatorUpdateOnAnAutomaticIncidentIsNotLostByTheNextDecision) {
  DecisionFacts failover{"login",
                         "failover",
                         "down",
                         "us-east",
                         "eu-west",
                         "us-east",
                         {{"us-east", true, false, 3, 3}, {"eu-west", false, true, 0, 3}}};
  ASSERT_TRUE(book_->Observe(failover, kT0));
  int64_t id = All()[0].id;
  ASSERT_TRUE(book_->ResolveIncident(id, "Fixed by hand", kT0 + kMin));
  // The book's cached open incident is dropped: the same trouble opens a new one instead of
  // writing into the resolved one.
  ASSERT_TRUE(book_->Observe(failover, kT0 + 2 * kMin));
  auto all = All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[1].resolved_ms.has_value());
  EXPECT_EQ(all[1].updates[0].body, "Fixed by hand");
  EXPECT_FALSE(all[0].resolved_ms.has_value());
}

TEST_F(OperatorIncidentsTest, WindowLifecycleDrainsAtStartAndUndrainsAtEnd) {
  auto id = book_->ScheduleMaintenance(Window("us-east"), kT0);
  ASSERT_TRUE(id.has_value()) << id.error().message;
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 9 * kMin, actions_));
  EXPECT_EQ(Windows()[0].status, "scheduled");
  EXPECT_TRUE(calls_.empty());
  auto changed = book_->AdvanceMaintenance(kT0 + 10 * kMin, actions_);
  ASSERT_TRUE(changed.has_value());
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_EQ(calls_, (std::vector<std::string>{"drain us-east"}));
  Reopen();  // the drained flag survives a restart, so the end still undrains
  Maintenance w = Windows()[0];
  EXPECT_EQ(w.status, "in_progress");
  EXPECT_TRUE(w.drained);
  EXPECT_EQ(w.started_ms, kT0 + 10 * kMin);
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 20 * kMin, actions_));
  EXPECT_EQ(calls_.size(), 1u);  // nothing new while in progress
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 40 * kMin, actions_));
  EXPECT_EQ(calls_, (std::vector<std::string>{"drain us-east", "undrain us-east"}));
  w = Windows()[0];
  EXPECT_EQ(w.status, "completed");
  EXPECT_FALSE(w.drained);
  EXPECT_EQ(w.ended_ms, kT0 + 40 * kMin);
  EXPECT_EQ(w.note, "drained us-east; undrained us-east");
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 50 * kMin, actions_));
  EXPECT_EQ(calls_.size(), 2u);
}

TEST_F(OperatorIncidentsTest, ARefusedDrainIsNotUndrained) {
  refuse_ = true;
  ASSERT_TRUE(book_->ScheduleMaintenance(Window("us-east"), kT0));
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 10 * kMin, actions_));
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 40 * kMin, actions_));
  EXPECT_EQ(calls_, (std::vector<std::string>{"drain us-east"}));
  EXPECT_EQ(Windows()[0].note, "drain of us-east refused: min_healthy_regions");
  EXPECT_EQ(Windows()[0].status, "completed");
}

TEST_F(OperatorIncidentsTest, AWindowMissedWhileDownCompletesWithoutDraining) {
  ASSERT_TRUE(book_->ScheduleMaintenance(Window("us-east"), kT0));
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 45 * kMin, actions_));
  EXPECT_TRUE(calls_.empty());
  EXPECT_EQ(Windows()[0].status, "completed");
}

TEST_F(OperatorIncidentsTest, CancelBeforeAndDuring) {
  auto before = book_->ScheduleMaintenance(Window("us-east"), kT0);
  ASSERT_TRUE(before.has_value());
  auto c = book_->CancelMaintenance(*before, kT0 + kMin, actions_);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->status, "cancelled");
  EXPECT_TRUE(Windows().empty());  // dropped from every list
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 10 * kMin, actions_));
  EXPECT_TRUE(calls_.empty());  // a cancelled window never starts

  auto during = book_->ScheduleMaintenance(Window("us-east"), kT0);
  ASSERT_TRUE(during.has_value());
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 10 * kMin, actions_));
  c = book_->CancelMaintenance(*during, kT0 + 15 * kMin, actions_);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(calls_, (std::vector<std::string>{"drain us-east", "undrain us-east"}));
  ASSERT_EQ(Windows().size(), 1u);
  EXPECT_EQ(Windows()[0].status, "completed");
  EXPECT_EQ(Windows()[0].end_ms, kT0 + 15 * kMin);  // ended early
  auto twice = book_->CancelMaintenance(*during, kT0 + 16 * kMin, actions_);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(calls_.size(), 2u);
}

TEST_F(OperatorIncidentsTest, BadWindowsAreRefusedAndStoreNothing) {
  auto bad = [&](MaintenanceRequest m, const std::string& want) {
    auto r = book_->ScheduleMaintenance(m, kT0);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
  };
  MaintenanceRequest m = Window();
  m.end_ms = m.start_ms - kMin;
  bad(m, "ends before it starts");
  m = Window();
  m.end_ms = m.start_ms;
  bad(m, "ends before it starts");
  m = Window();
  m.start_ms = kT0 - 2 * kMin;
  bad(m, "starts in the past");
  m = Window();
  m.message = std::string(50'000, 'x');
  bad(m, "at most 4096");
  m = Window();
  m.services.clear();
  bad(m, "at least one service");
  EXPECT_TRUE(Windows().empty());
}

// The page and its JSON: an operator's incident with HTML in its message, and windows in each
// state. Rendered from the model, as the listener and the export serve it.
TEST_F(OperatorIncidentsTest, PageShowsOperatorIncidentsAndWindowsEscaped) {
  base::FakeClock clock;
  clock.SetWall(std::chrono::system_clock::time_point(std::chrono::milliseconds(kT0 + 20 * kMin)));
  UptimeStore uptime(*db_, clock, UptimeOptions{});
  OperatorIncident i = Sample();
  i.message = "<script>alert(1)</script> & more";
  ASSERT_TRUE(book_->OpenIncident(i, kT0));
  OperatorIncident hidden{{"internal"}, "Internal only", "minor", "investigating", "not public"};
  ASSERT_TRUE(book_->OpenIncident(hidden, kT0));
  ASSERT_TRUE(book_->ScheduleMaintenance(Window("us-east"), kT0));  // in progress at +20 min
  MaintenanceRequest later = Window();
  later.title = "Later <b>work</b>";
  later.start_ms = kT0 + 60 * kMin;
  later.end_ms = kT0 + 70 * kMin;
  ASSERT_TRUE(book_->ScheduleMaintenance(later, kT0));
  ASSERT_TRUE(book_->AdvanceMaintenance(kT0 + 20 * kMin, actions_));
  PublicPageOptions o;
  o.services = {"login"};
  std::vector<ServiceNow> now = {{"login", "operational", kT0, {}},
                                 {"internal", "operational", kT0, {}}};
  PublicPage page(
      o, uptime, *book_, [&] { return now; }, clock);
  auto files = page.StaticFiles();
  ASSERT_TRUE(files.has_value()) << files.error().message;
  std::map<std::string, std::string> doc;
  for (const auto& f : *files) doc[f.path] = f.body;

  using nlohmann::json;
  json summary = json::parse(doc["api/v2/summary.json"]);
  ASSERT_EQ(summary["incidents"].size(), 1u);  // the "internal" one is not public
  const json& inc = summary["incidents"][0];
  EXPECT_EQ(inc["impact"], "major");
  EXPECT_EQ(inc["status"], "identified");
  EXPECT_EQ(inc["incident_updates"][0]["body"], "<script>alert(1)</script> & more");
  ASSERT_EQ(inc["components"].size(), 1u);
  EXPECT_EQ(inc["components"][0]["id"], "login");
  EXPECT_EQ(summary["status"]["indicator"], "major");
  ASSERT_EQ(summary["scheduled_maintenances"].size(), 2u);
  const json& active = summary["scheduled_maintenances"][0];
  EXPECT_EQ(active["status"], "in_progress");
  EXPECT_EQ(active["impact"], "maintenance");
  EXPECT_EQ(active["scheduled_for"], "2026-01-31T00:10:00.000Z");
  EXPECT_EQ(active["scheduled_until"], "2026-01-31T00:40:00.000Z");
  ASSERT_EQ(active["incident_updates"].size(), 2u);
  EXPECT_EQ(active["incident_updates"][0]["status"], "in_progress");
  EXPECT_EQ(active["incident_updates"][1]["body"], "We upgrade the database.");
  EXPECT_EQ(summary["scheduled_maintenances"][1]["status"], "scheduled");
  EXPECT_EQ(json::parse(doc["api/v2/scheduled-maintenances/active.json"])["scheduled_maintenances"]
                .size(),
            1u);
  EXPECT_EQ(
      json::parse(
          doc["api/v2/scheduled-maintenances/upcoming.json"])["scheduled_maintenances"][0]["name"],
      "Later <b>work</b>");
  for (const auto& [path, body] : doc) {
    EXPECT_EQ(body.find("us-east"), std::string::npos) << path;  // the drained region is private
    EXPECT_EQ(body.find("not public"), std::string::npos) << path;
  }

  const std::string& html = doc["index.html"];
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"), std::string::npos);
  EXPECT_NE(html.find("Later &lt;b&gt;work&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("In progress"), std::string::npos);
  EXPECT_EQ(html.find("None scheduled."), std::string::npos);
}

}  // namespace
}  // namespace steer::status

namespace steer::status {
namespace {

TEST(ParseRfc3339Test, AcceptsZonesAndFractionsRefusesTheRest) {
  EXPECT_EQ(ParseRfc3339("2026-01-31T00:10:00Z"), kT0 + 10 * kMin);
  EXPECT_EQ(ParseRfc3339("2026-01-31T01:10:00.250+01:00"), kT0 + 10 * kMin + 250);
  EXPECT_EQ(ParseRfc3339("2026-01-30T23:10:00-01:00"), kT0 + 10 * kMin);
  for (const char* bad :
       {"2026-01-31", "2026-01-31 00:10:00Z", "2026-02-31T00:00:00Z", "2026-01-31T00:10:00",
        "2026-01-31T00:10:00+0100", "tomorrow", "2026-01-31T24:00:00Z", "1969-12-31T00:00:00Z"}) {
    auto r = ParseRfc3339(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message.find("RFC 3339"), std::string::npos);
  }
}

}  // namespace
}  // namespace steer::status
