#include "incident_book.h"

#include <algorithm>
#include <cstdio>

namespace steer::status {

using base::Stmt;

namespace {

// "5 min", "90 s" (whole minutes in minutes, else in seconds).
std::string Span(int64_t ms) {
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + " min";
  return std::to_string(ms / 1000) + " s";
}

int ImpactRank(const std::string& impact) {
  static const char* kOrder[] = {"none", "minor", "major", "critical"};
  for (int i = 0; i < 4; ++i) {
    if (impact == kOrder[i]) return i;
  }
  return 0;
}

const RegionFacts* FindRegion(const DecisionFacts& f, const std::string& name) {
  for (const auto& r : f.regions) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// " by 3/3 vantage points (auth and db failed)"; component names only (never an address's).
std::string Votes(const RegionFacts* r) {
  if (r == nullptr || r->voters == 0) return "";
  std::string out =
      " by " + std::to_string(r->down_votes) + "/" + std::to_string(r->voters) + " vantage points";
  std::vector<std::string> named;
  for (const auto& c : r->failing) {
    if (!c.empty() && c[0] != '@') named.push_back(c);  // "@192.0.2.1": an address's own probe
  }
  for (size_t i = 0; i < named.size(); ++i) {
    out += (i == 0 ? " (" : i + 1 == named.size() ? " and " : ", ") + named[i];
  }
  return named.empty() ? out : out + " failed)";
}

}  // namespace

bool Incident::Affects(const std::string& svc) const {
  if (!operator_made()) return service == svc;
  return std::find(services.begin(), services.end(), svc) != services.end();
}

IncidentBook::IncidentBook(StatusDb& db, IncidentOptions options)
    : db_(db), options_(std::move(options)) {}

// Regions the policy does not make public are not named.
std::string IncidentBook::Name(const std::string& region, const DecisionFacts& f) const {
  if (region == "*") return "every region";
  if (options_.public_regions.count(region)) return region;
  return region == f.preferred ? "the primary region" : "a standby region";
}

std::optional<IncidentBook::Story> IncidentBook::Trouble(const DecisionFacts& f, int64_t now_ms) {
  std::optional<Story> region_down;
  for (const auto& r : f.regions) {
    const std::string key = f.service + "/" + r.name;
    if (!r.down) {
      down_since_.erase(key);
      continue;
    }
    int64_t since = down_since_.emplace(key, now_ms).first->second;
    if (!region_down && now_ms - since >= options_.region_down_after_ms) {
      region_down = Story{"investigating", "minor",
                          Name(r.name, f) + " has been down for more than " +
                              std::to_string(options_.region_down_after_ms / 60'000) + " min; " +
                              f.service + " answers from " + Name(f.to, f) + "."};
    }
  }
  if (f.action == "serve_all" || f.cause == "all_down_serve_all") {
    return Story{"identified", "major",
                 "Every region is down or unknown; " + f.service +
                     " now answers from every region at once (fail open)."};
  }
  if (f.cause == "all_down_keep") {
    return Story{"investigating", "major",
                 "Every region is down or unknown; " + f.service + " keeps answering from " +
                     Name(f.to, f) + "."};
  }
  if (f.action == "failover" && f.cause == "down") {
    return Story{"identified", "minor",
                 Name(f.from, f) + " was judged down" + Votes(FindRegion(f, f.from)) + "; " +
                     f.service + " now answers from " + Name(f.to, f) + "."};
  }
  return region_down;
}

Result<void> IncidentBook::Observe(const DecisionFacts& f, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (!last_prune_ms_ || now_ms - *last_prune_ms_ >= 3'600'000 || now_ms < *last_prune_ms_) {
    last_prune_ms_ = now_ms;
    if (auto r = Prune(now_ms - options_.retention_ms); !r) return r;
  }
  std::optional<Story> trouble = Trouble(f, now_ms);
  const RegionFacts* serving = FindRegion(f, f.to);
  const bool calm = !trouble && f.to == f.preferred && serving != nullptr && serving->healthy;
  if (!calm) healthy_since_.erase(f.service);
  const int64_t healthy_since = calm ? healthy_since_.emplace(f.service, now_ms).first->second : 0;
  auto db_lock = db_.lock();
  auto open = OpenFor(f.service);
  if (!open) return tl::unexpected(open.error());
  if (trouble) {
    if (!*open) return Start(f, *trouble, now_ms);
    if ((*open)->updates.empty() || (*open)->updates.front().body != trouble->body) {
      return AddUpdate(**open, *trouble, now_ms, false);
    }
    return {};
  }
  if (!*open || !calm) return {};
  const Incident& i = **open;
  if (now_ms - healthy_since >= options_.resolve_after_ms) {
    return AddUpdate(i,
                     {"resolved", i.impact,
                      "Resolved: " + f.service + " has answered from " + Name(f.preferred, f) +
                          ", healthy, for " + Span(options_.resolve_after_ms) + "."},
                     now_ms, true);
  }
  if (i.status == "monitoring") return {};
  return AddUpdate(i,
                   {"monitoring", i.impact,
                    f.service + " answers from " + Name(f.preferred, f) +
                        " again and it is healthy; monitoring."},
                   now_ms, false);
}

Result<void> IncidentBook::NoteVerified(const std::string& service, const std::string& region,
                                        int nameservers, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto db_lock = db_.lock();
  auto open = OpenFor(service);
  if (!open) return tl::unexpected(open.error());
  if (!*open || (*open)->updates.empty()) return {};
  const Incident& i = **open;
  const IncidentUpdate& newest = i.updates.front();
  const std::string said = service + " answers from " +
                           (options_.public_regions.count(region) ? region : "its new region") +
                           " on every nameserver";
  if (newest.body.rfind(said, 0) == 0) return {};
  char took[32];
  std::snprintf(took, sizeof took, "%.2f s", static_cast<double>(now_ms - newest.at_ms) / 1000);
  const std::string n = std::to_string(nameservers);
  return AddUpdate(i,
                   {i.status, i.impact,
                    said + " (" + n + "/" + n + "), verified " + took + " after the decision."},
                   now_ms, false);
}

Result<void> IncidentBook::Start(const DecisionFacts& f, const Story& s, int64_t now_ms) {
  VersionBump bump{version_};  // when the write is done: a leader publishes it
  std::string name = f.service + ": ";
  if (s.impact == "major") {
    name += "every region down";
  } else if (f.action == "failover") {
    name += "failover away from " + Name(f.from, f);
  } else {
    name += "a region is down";
  }
  Incident i{0, f.service, name, s.status, s.impact, now_ms, now_ms, std::nullopt, {}, {}};
  Result<void> r = db_.Transaction([&]() -> Result<void> {
    Stmt ins(db_.stmts(),
             "INSERT INTO incidents (service, name, status, impact, opened_ms, updated_ms) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
    if (auto w = ins.Bind(1, f.service)
                     .Bind(2, name)
                     .Bind(3, s.status)
                     .Bind(4, s.impact)
                     .Bind(5, now_ms)
                     .Run();
        !w) {
      return w;
    }
    i.id = sqlite3_last_insert_rowid(db_.stmts().db());
    Stmt up(db_.stmts(),
            "INSERT INTO incident_updates (incident_id, at_ms, status, body) "
            "VALUES (?1, ?2, ?3, ?4)");
    if (auto w = up.Bind(1, i.id).Bind(2, now_ms).Bind(3, s.status).Bind(4, s.body).Run(); !w) {
      return w;
    }
    i.updates.push_back({sqlite3_last_insert_rowid(db_.stmts().db()), now_ms, s.status, s.body});
    return {};
  });
  if (r) open_[f.service] = std::move(i);
  return r;
}

Result<void> IncidentBook::AddUpdate(const Incident& i, const Story& s, int64_t now_ms,
                                     bool resolve) {
  VersionBump bump{version_};  // when the write is done: a leader publishes it
  const std::string impact = ImpactRank(s.impact) > ImpactRank(i.impact) ? s.impact : i.impact;
  IncidentUpdate newest{0, now_ms, s.status, s.body};
  Result<void> r = db_.Transaction([&]() -> Result<void> {
    Stmt set(db_.stmts(),
             "UPDATE incidents SET status = ?2, impact = ?3, updated_ms = ?4, "
             "resolved_ms = ?5 WHERE id = ?1");
    set.Bind(1, i.id).Bind(2, s.status).Bind(3, impact).Bind(4, now_ms);
    if (resolve) {
      set.Bind(5, now_ms);
    } else {
      set.BindNull(5);
    }
    if (auto w = set.Run(); !w) return w;
    Stmt up(db_.stmts(),
            "INSERT INTO incident_updates (incident_id, at_ms, status, body) "
            "VALUES (?1, ?2, ?3, ?4)");
    if (auto w = up.Bind(1, i.id).Bind(2, now_ms).Bind(3, s.status).Bind(4, s.body).Run(); !w) {
      return w;
    }
    newest.id = sqlite3_last_insert_rowid(db_.stmts().db());
    return {};
  });
  if (!r) return r;
  if (resolve) {
    open_[i.service] = std::nullopt;
    return r;
  }
  Incident next = i;
  next.status = s.status;
  next.impact = impact;
  next.updated_ms = now_ms;
  next.updates = {newest};  // the cache keeps the newest update only
  open_[i.service] = std::move(next);
  return r;
}

// The open incident of `service` with its newest update; cached after the first read (this
// book is the only writer).
Result<std::optional<Incident>> IncidentBook::OpenFor(const std::string& service) {
  if (auto it = open_.find(service); it != open_.end()) return it->second;
  auto loaded = LoadOpen(service);
  if (loaded) open_[service] = *loaded;
  return loaded;
}

Result<std::optional<Incident>> IncidentBook::LoadOpen(const std::string& service) {
  Stmt s(db_.stmts(),
         "SELECT id, service, name, status, impact, opened_ms, updated_ms FROM incidents "
         "WHERE service = ?1 AND resolved_ms IS NULL ORDER BY id DESC LIMIT 1");
  if (!s.ok()) return s.Fail();
  s.Bind(1, service);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Incident>();
  if (rc != SQLITE_ROW) return s.Fail();
  Incident i{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6), {}, {}, {}};
  Stmt u(db_.stmts(),
         "SELECT id, at_ms, status, body FROM incident_updates WHERE incident_id = ?1 "
         "ORDER BY id DESC LIMIT 1");
  u.Bind(1, i.id);
  if (u.Step() == SQLITE_ROW) i.updates.push_back({u.Int(0), u.Int(1), u.Text(2), u.Text(3)});
  return std::optional<Incident>(std::move(i));
}

Result<std::vector<Incident>> IncidentBook::Query(const char* sql, int64_t arg) {
  auto db_lock = db_.lock();
  std::vector<Incident> out;
  {
    Stmt s(db_.stmts(), sql);
    if (!s.ok()) return s.Fail();
    s.Bind(1, arg);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      Incident i{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4),
                 s.Int(5), s.Int(6),  {},        {},        {}};
      if (!s.IsNull(7)) i.resolved_ms = s.Int(7);
      out.push_back(std::move(i));
    }
    if (rc != SQLITE_DONE) return s.Fail();
  }
  for (auto& i : out) {
    Stmt u(db_.stmts(),
           "SELECT id, at_ms, status, body FROM incident_updates WHERE incident_id = ?1 "
           "ORDER BY id DESC");
    u.Bind(1, i.id);
    int rc;
    while ((rc = u.Step()) == SQLITE_ROW) {
      i.updates.push_back({u.Int(0), u.Int(1), u.Text(2), u.Text(3)});
    }
    if (rc != SQLITE_DONE) return u.Fail();
    if (!i.operator_made()) continue;
    Stmt v(db_.stmts(),
           "SELECT service FROM incident_services WHERE incident_id = ?1 ORDER BY rowid");
    v.Bind(1, i.id);
    while ((rc = v.Step()) == SQLITE_ROW) i.services.push_back(v.Text(0));
    if (rc != SQLITE_DONE) return v.Fail();
  }
  return out;
}

Result<std::vector<Incident>> IncidentBook::Open() {
  return Query(
      "SELECT id, service, name, status, impact, opened_ms, updated_ms, resolved_ms "
      "FROM incidents WHERE resolved_ms IS NULL AND ?1 = ?1 ORDER BY id DESC",
      0);
}

Result<std::vector<Incident>> IncidentBook::Since(int64_t since_ms) {
  return Query(
      "SELECT id, service, name, status, impact, opened_ms, updated_ms, resolved_ms "
      "FROM incidents WHERE opened_ms >= ?1 ORDER BY id DESC",
      since_ms);
}

Result<void> IncidentBook::Prune(int64_t before_ms) {
  VersionBump bump{version_};  // when the write is done: a leader publishes it
  auto db_lock = db_.lock();
  return db_.Transaction([&]() -> Result<void> {
    Stmt u(db_.stmts(),
           "DELETE FROM incident_updates WHERE incident_id IN "
           "(SELECT id FROM incidents WHERE resolved_ms < ?1)");
    if (auto r = u.Bind(1, before_ms).Run(); !r) return r;
    Stmt v(db_.stmts(),
           "DELETE FROM incident_services WHERE incident_id IN "
           "(SELECT id FROM incidents WHERE resolved_ms < ?1)");
    if (auto r = v.Bind(1, before_ms).Run(); !r) return r;
    Stmt i(db_.stmts(), "DELETE FROM incidents WHERE resolved_ms < ?1");
    if (auto r = i.Bind(1, before_ms).Run(); !r) return r;
    Stmt m(db_.stmts(), "DELETE FROM maintenances WHERE status != 'scheduled' AND end_ms < ?1");
    return m.Bind(1, before_ms).Run();
  });
}

}  // namespace steer::status
