// steerctl report uptime: availability per service and region over a month or a date range
// (maintenance windows left out and listed apart), the incidents opened in it, the DNS changes
// made in it, the failovers with their time to detect and to fail over, and the minutes each
// service answered from each region, read from a steerd state
// directory (its state.db; read while steerd runs, which WAL mode allows). Reads only.
// Exit 0: report printed (an empty range prints an empty report); 1: unreadable state or an
// unknown service; 2: usage (bad dates, a range that ends before it starts).
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/command.h"
#include "cli/flags.h"
#include "state_store.h"
#include "status/status_db.h"
#include "status/uptime_report.h"
#include "steer/base/clock.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;

bool OfService(const std::string& series, const std::string& service) {
  return service.empty() || series == service || series.rfind(service + "/", 0) == 0;
}

// The whole audit log, oldest first, paging back: ids follow the order of appends, not of the
// wall clock (which can be stepped), so an entry older than the range does not mean that every
// earlier id is. The range is applied by the callers.
Result<std::vector<status::AuditFact>> AuditLog(StateStore& store, const std::string& service) {
  std::vector<status::AuditFact> out;
  HistoryQuery q;
  q.service = service;
  q.limit = 1000;
  for (;;) {
    auto page = store.History(q);
    if (!page) return tl::unexpected(page.error());
    for (const AuditEntry& e : *page) {
      out.push_back(
          {status::EpochMs(e.when), AuditKindName(e.kind), e.service, e.what, e.why, e.ok});
    }
    if (page->size() < static_cast<size_t>(q.limit)) break;
    q.before_id = page->back().id;
  }
  std::reverse(out.begin(), out.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  return out;
}

// DNS changes that landed in `range`, oldest first.
std::vector<status::ChangeRecord> Changes(const std::vector<status::AuditFact>& log,
                                          const status::ReportRange& range) {
  std::vector<status::ChangeRecord> out;
  for (const auto& e : log) {
    if (e.kind == "dns_change" && e.ok && e.at_ms >= range.from_ms && e.at_ms < range.to_ms) {
      out.push_back({e.at_ms, e.service, e.what});
    }
  }
  return out;
}

// The windows of `series`' service, as the availability leaves them out.
std::vector<status::Window> WindowsOf(const std::string& series,
                                      const std::vector<status::Maintenance>& windows) {
  std::vector<status::Window> out;
  const std::string service = series.substr(0, series.find('/'));
  for (const auto& m : windows) {
    if (std::find(m.services.begin(), m.services.end(), service) == m.services.end()) continue;
    out.push_back({m.start_ms, m.ended_ms ? std::min(m.end_ms, *m.ended_ms) : m.end_ms});
  }
  return out;
}

// Windows that overlap the range and have started (or are still to start within it).
Result<std::vector<status::Maintenance>> Windows(status::IncidentBook& book,
                                                 const std::string& service,
                                                 const status::ReportRange& range) {
  auto all = book.Maintenances(range.from_ms);
  if (!all) return tl::unexpected(all.error());
  std::vector<status::Maintenance> out;
  for (auto& m : *all) {
    bool of = service.empty() ||
              std::find(m.services.begin(), m.services.end(), service) != m.services.end();
    if (of && m.start_ms < range.to_ms) out.push_back(std::move(m));
  }
  return out;
}

Result<status::UptimeReport> Build(const std::string& state, const std::string& service,
                                   const status::ReportRange& range) {
  if (!std::filesystem::exists(state + "/state.db")) {
    return MakeError(ErrorCode::kNotFound, state +
                                               "/state.db does not exist (--state is "
                                               "steerd's state directory)");
  }
  auto db = status::StatusDb::Open(state);
  if (!db) return tl::unexpected(db.error());
  base::SystemClock clock;
  status::UptimeStore uptime(**db, clock, {});
  status::IncidentBook incidents(**db, {});
  status::UptimeReport r;
  r.range = range;
  auto windows = Windows(incidents, service, range);
  if (!windows) return tl::unexpected(windows.error());
  r.maintenances = std::move(*windows);
  auto series = uptime.Series();
  if (!series) return tl::unexpected(series.error());
  bool known = service.empty();
  for (const std::string& s : *series) {
    if (!OfService(s, service)) continue;
    known = true;
    auto rows = uptime.Buckets(s, range.from_ms, range.to_ms);
    if (!rows) return tl::unexpected(rows.error());
    status::SeriesAvailability a = status::Availability(s, *rows, WindowsOf(s, r.maintenances));
    if (a.minutes + a.excluded_minutes > 0) r.series.push_back(std::move(a));
  }
  if (!known) return MakeError(ErrorCode::kNotFound, "no uptime history of service " + service);
  auto opened = incidents.Since(range.from_ms);
  if (!opened) return tl::unexpected(opened.error());
  for (auto& i : *opened) {
    if (i.opened_ms < range.to_ms && (service.empty() || i.Affects(service))) {
      r.incidents.push_back(i);
    }
  }
  auto store = StateStore::Open(state);
  if (!store) return tl::unexpected(store.error());
  auto log = AuditLog(**store, service);
  if (!log) return tl::unexpected(log.error());
  r.changes = Changes(*log, range);
  r.failovers = status::Failovers(*log, range);
  r.served = status::ServedMinutes(*log, range, status::EpochMs(clock.WallNow()));
  return r;
}

// --month, --from/--to, or the current UTC month.
Result<status::ReportRange> RangeOf(const po::variables_map& vm) {
  if (vm.count("month")) return status::MonthRange(vm["month"].as<std::string>());
  if (vm.count("from") || vm.count("to")) {
    if (!vm.count("from") || !vm.count("to")) {
      return MakeError(ErrorCode::kInvalidArgument, "--from and --to go together");
    }
    return status::DayRange(vm["from"].as<std::string>(), vm["to"].as<std::string>());
  }
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char month[8];
  std::strftime(month, sizeof month, "%Y-%m", std::gmtime(&now));
  return status::MonthRange(month);
}

}  // namespace

int RunReport(int argc, char** argv) {
  po::options_description opts(
      "steerctl report uptime --state DIR [--service S] [--month YYYY-MM | --from YYYY-MM-DD "
      "--to YYYY-MM-DD] [--json | --csv]\nAvailability per service and region (by minutes; minutes "
      "in maintenance windows left out, the windows listed apart), incidents, DNS changes, "
      "failovers with time to detect and to fail over (p50/max), minutes served from each "
      "region, from steerd's state directory");
  opts.add_options()("help,h", "show this help")("kind", po::value<std::string>(), "uptime")(
      "state", po::value<std::string>(), "steerd's state directory (agent.state_dir)")(
      "service", po::value<std::string>()->default_value(""), "one service (default: all)")(
      "month", po::value<std::string>(), "a UTC month, YYYY-MM (default: the current one)")(
      "from", po::value<std::string>(), "first UTC day, YYYY-MM-DD")(
      "to", po::value<std::string>(), "last UTC day, YYYY-MM-DD (included)")("json", "print JSON")(
      "csv", "print CSV, one line per series");
  po::positional_options_description pos;
  pos.add("kind", 1);
  po::variables_map vm;
  if (auto code = ParseFlags("report", argc, argv, opts, &vm, &pos)) return *code;
  if (!vm.count("kind") || vm["kind"].as<std::string>() != "uptime") {
    return UsageError("report", "the only report is `uptime`", opts);
  }
  if (!vm.count("state")) return UsageError("report", "--state is required", opts);
  if (vm.count("month") && (vm.count("from") || vm.count("to"))) {
    return UsageError("report", "--month or --from/--to, not both", opts);
  }
  auto range = RangeOf(vm);
  if (!range) return UsageError("report", range.error().message, opts);
  auto report = Build(vm["state"].as<std::string>(), vm["service"].as<std::string>(), *range);
  if (!report) {
    std::fprintf(stderr, "steerctl report: %s\n", report.error().message.c_str());
    return kExitFailed;
  }
  std::string out = vm.count("json")  ? status::ReportJson(*report)
                    : vm.count("csv") ? status::ReportCsv(*report)
                                      : status::ReportText(*report);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace steer::agent::cli
