#include "atom_feed.h"

#include <algorithm>
#include <vector>

namespace steer::status {
namespace {

// status.public_url without trailing slashes.
std::string PageUrl(const PageModel& m) {
  std::string url = m.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The feed's id and the base of the entries' ids.
std::string FeedId(const PageModel& m) {
  return m.url.empty() ? std::string("urn:steer:status") : PageUrl(m) + "/history.atom";
}

std::string Capitalized(std::string word) {
  if (!word.empty() && word[0] >= 'a' && word[0] <= 'z') word[0] = static_cast<char>(word[0] - 32);
  return word;
}

std::string Entry(const PageModel& m, const Incident& i) {
  const std::string id = std::to_string(i.id);
  std::string out = "<entry><id>" + XmlEscape(FeedId(m)) + "#incident-" + id + "</id><title>" +
                    XmlEscape(i.name) + "</title><published>" + IsoTime(i.opened_ms) +
                    "</published><updated>" + IsoTime(i.updated_ms) + "</updated>";
  if (!m.url.empty()) {
    out += "<link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(PageUrl(m)) +
           "/#incident-" + id + "\"/>";
  }
  out += "<category term=\"" + XmlEscape(i.impact) + "\" label=\"Impact: " + XmlEscape(i.impact) +
         "\"/><content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Status: " +
         XmlEscape(i.status) + ". Impact: " + XmlEscape(i.impact) +
         ". Service: " + XmlEscape(i.service) + ".</p>";
  for (const auto& u : i.updates) {
    out += "<p><strong>" + XmlEscape(Capitalized(u.status)) + "</strong> (" +
           IsoTime(u.at_ms).substr(0, 16) + " UTC): " + XmlEscape(u.body) + "</p>";
  }
  return out + "</div></content></entry>";
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;  // not allowed in XML 1.0
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string AtomFeed(const PageModel& m) {
  std::vector<const Incident*> incidents;
  int64_t updated_ms = 0;
  for (const auto& i : m.incidents) {
    incidents.push_back(&i);
    updated_ms = std::max(updated_ms, i.updated_ms);
  }
  std::stable_sort(incidents.begin(), incidents.end(), [](const Incident* a, const Incident* b) {
    return a->opened_ms != b->opened_ms ? a->opened_ms > b->opened_ms : a->id > b->id;
  });
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
      "<id>" +
      XmlEscape(FeedId(m)) + "</id><title>" + XmlEscape(m.title) +
      " - incident history</title><updated>" + IsoTime(updated_ms) + "</updated><author><name>" +
      XmlEscape(m.title) + "</name></author><generator>steerd</generator>";
  if (!m.url.empty()) {
    out += "<link rel=\"self\" type=\"application/atom+xml\" href=\"" + XmlEscape(FeedId(m)) +
           "\"/><link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(PageUrl(m)) +
           "/\"/>";
  }
  for (const Incident* i : incidents) out += Entry(m, *i);
  return out + "</feed>\n";
}

}  // namespace steer::status
