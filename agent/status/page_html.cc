// The public status page as one self-contained HTML document: server-rendered, no script, no
// external assets; colours follow prefers-color-scheme; every text from data is escaped. Text
// colours meet WCAG AA contrast (4.5:1) on the page and the cards in both schemes (checked by
// axe-core in tests/status/browser.sh).
#include <cmath>
#include <cstdio>

#include "page_model.h"

namespace steer::status {

namespace {

constexpr const char* kStyle = R"css(
:root{--bg:#fff;--fg:#1d2330;--muted:#5b6576;--line:#d8dce3;--ok:#177a42;--minor:#8f5e12;
--partial:#b24d1c;--major:#c53030;--none:#a0a7b4;--card:#f6f7f9;--on-state:#fff;--maint:#2b6cb0}
@media (prefers-color-scheme:dark){:root{--bg:#12151b;--fg:#e6e9ef;--muted:#a3acba;
--line:#2c323d;--ok:#38b26b;--minor:#d69e2e;--partial:#ed8936;--major:#f56565;--none:#4a5261;
--card:#1a1e26;--on-state:#12151b;--maint:#63b3ed}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);
font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:52rem;margin:0 auto;padding:1.5rem 1rem}h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.15rem;margin:2rem 0 .75rem}.banner{padding:1rem;border-radius:.5rem;
color:var(--on-state);font-weight:600}.banner.none{background:var(--ok)}.banner.minor{background:var(--minor)}
.banner.major{background:var(--partial)}.banner.critical{background:var(--major)}
.svc{border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:.75rem 0;
background:var(--card)}.row{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}
.name{font-weight:600}.st{font-weight:600}.st.operational{color:var(--ok)}
.st.degraded_performance{color:var(--minor)}.st.partial_outage{color:var(--partial)}
.st.major_outage{color:var(--major)}.st.under_maintenance{color:var(--maint)}.bars{display:flex;gap:2px;list-style:none;padding:0;
margin:.75rem 0 .25rem;height:2rem}.bars li{flex:1;border-radius:2px;background:var(--none)}
.bars li.ok{background:var(--ok)}.bars li.minor{background:var(--minor)}
.bars li.partial{background:var(--partial)}.bars li.major{background:var(--major)}
.legend{display:flex;justify-content:space-between;color:var(--muted);font-size:.85rem}
.regions{list-style:none;padding:0;margin:.5rem 0 0;color:var(--muted);font-size:.9rem}
.inc{border-left:4px solid var(--partial);padding:.25rem 1rem;margin:1rem 0}
.inc.resolved{border-color:var(--line)}.inc.maint{border-color:var(--minor)}.upd{margin:.5rem 0}.upd b{text-transform:capitalize}
time,.muted{color:var(--muted);font-size:.85rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
)css";

std::string Percent(double ratio) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f%%", std::floor(ratio * 10000.0) / 100.0);
  return buf;
}

const char* StatusWords(const std::string& status) {
  if (status == "operational") return "Operational";
  if (status == "degraded_performance") return "Degraded performance";
  if (status == "partial_outage") return "Partial outage";
  if (status == "major_outage") return "Major outage";
  if (status == "under_maintenance") return "Under maintenance";
  return "Unknown";
}

const char* BarClass(const UptimeBucket& d) {
  if (!d.has_data()) return "nodata";
  if (d.bad_minutes == 0) return "ok";
  if (d.bad_minutes <= 5) return "minor";
  if (d.bad_minutes <= 60) return "partial";
  return "major";
}

std::string Bars(const ComponentView& c) {
  std::string out = "<ul class=\"bars\" aria-label=\"Daily uptime of " + HtmlEscape(c.name) +
                    ", last " + std::to_string(c.days.size()) + " days\">";
  for (const auto& d : c.days) {
    std::string label = IsoDay(d.start_ms) + ": ";
    label += d.has_data() ? Percent(d.ratio()) + " up, " + std::to_string(d.bad_minutes) +
                                " min with downtime"
                          : "no data";
    out += "<li class=\"" + std::string(BarClass(d)) + "\" title=\"" + label +
           "\"><span class=\"sr\">" + label + "</span></li>";
  }
  return out + "</ul>";
}

std::string Service(const PageModel& m, const ComponentView& c) {
  std::string out = "<section class=\"svc\" aria-label=\"" + HtmlEscape(c.name) +
                    "\"><div class=\"row\"><span class=\"name\">" + HtmlEscape(c.name) +
                    "</span><span class=\"st " + c.status + "\">" + StatusWords(c.status) +
                    "</span></div>" + Bars(c) + "<div class=\"legend\"><span>" +
                    std::to_string(c.days.size()) + " days ago</span><span>" +
                    Percent(UptimeRatio(c.days)) + " uptime</span><span>Today</span></div>";
  if (!c.children.empty()) {
    out += "<ul class=\"regions\">";
    for (const auto& r : m.components) {
      if (r.group_id != c.id) continue;
      out += "<li>" + HtmlEscape(r.name) + ": <span class=\"st " + r.status + "\">" +
             StatusWords(r.status) + "</span></li>";
    }
    out += "</ul>";
  }
  return out + "</section>";
}

std::string IncidentHtml(const Incident& i) {
  std::string out = "<article id=\"incident-" + std::to_string(i.id) + "\" class=\"inc" +
                    std::string(i.resolved_ms ? " resolved" : "") + "\"><h3>" + HtmlEscape(i.name) +
                    "</h3><p class=\"muted\">Impact: " + HtmlEscape(i.impact) + "</p>";
  for (const auto& u : i.updates) {
    out += "<div class=\"upd\"><b>" + HtmlEscape(u.status) + "</b> — " + HtmlEscape(u.body) +
           " <time datetime=\"" + IsoTime(u.at_ms) + "\">" + IsoTime(u.at_ms).substr(0, 16) +
           " UTC</time></div>";
  }
  return out + "</article>";
}

// Upcoming and in-progress windows; the services they name, never the region they drain.
std::string MaintenanceHtml(const Maintenance& w) {
  std::string services;
  for (const auto& s : w.services) services += (services.empty() ? "" : ", ") + HtmlEscape(s);
  const bool now = w.status == "in_progress";
  return "<article class=\"inc maint\"><h3>" + HtmlEscape(w.title) + "</h3><p class=\"muted\">" +
         (now ? "In progress" : "Scheduled") + " · " + services + " · <time datetime=\"" +
         IsoTime(w.start_ms) + "\">" + IsoTime(w.start_ms).substr(0, 16) +
         " UTC</time> to <time datetime=\"" + IsoTime(w.end_ms) + "\">" +
         IsoTime(w.end_ms).substr(0, 16) + " UTC</time></p><div class=\"upd\">" +
         HtmlEscape(w.message) + "</div></article>";
}

}  // namespace

std::string PageHtml(const PageModel& m) {
  std::string out =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"color-scheme\" content=\"light dark\">"
      "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Incident history\" "
      "href=\"history.atom\"><title>" +
      HtmlEscape(m.title) + "</title><style>" + kStyle + "</style></head><body><main><h1>" +
      HtmlEscape(m.title) + "</h1><p class=\"banner " + m.indicator + "\" role=\"status\">" +
      HtmlEscape(m.description) + "</p>";
  std::string active, past;
  for (const auto& i : m.incidents) (i.resolved_ms ? past : active) += IncidentHtml(i);
  if (!active.empty()) out += "<h2>Active incidents</h2>" + active;
  out += "<h2>Services</h2>";
  for (const auto& c : m.components) {
    if (c.group_id.empty()) out += Service(m, c);
  }
  std::string windows;
  for (const auto& w : m.maintenances) {
    if (w.status == "scheduled" || w.status == "in_progress") windows += MaintenanceHtml(w);
  }
  out += "<h2>Scheduled maintenance</h2>" +
         (windows.empty() ? std::string("<p class=\"muted\">None scheduled.</p>") : windows);
  out += "<h2>Past incidents</h2>" +
         (past.empty() ? std::string("<p class=\"muted\">No incidents in this period.</p>") : past);
  out += "<p class=\"muted\">Updated <time datetime=\"" + IsoTime(m.now_ms) + "\">" +
         IsoTime(m.now_ms).substr(0, 19) + " UTC</time>.</p></main></body></html>\n";
  return out;
}

}  // namespace steer::status
