#include "atom_feed.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "steer/base/html.h"

namespace steer::status {
namespace {

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

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
         (i.operator_made() ? ". Services: " + XmlEscape(Joined(i.services))
                            : ". Service: " + XmlEscape(i.service)) +
         ".</p>";
  for (const auto& u : i.updates) {
    out += "<p><strong>" + XmlEscape(Capitalized(u.status)) + "</strong> (" +
           IsoTime(u.at_ms).substr(0, 16) + " UTC): " + XmlEscape(u.body) + "</p>";
  }
  return out + "</div></content></entry>";
}

// The length of the well-formed UTF-8 sequence at the start of `t` whose code point XML 1.0
// allows (not a surrogate, U+FFFE or U+FFFF), or 0.
size_t AllowedUtf8(std::string_view t) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(t[i]); };
  const auto cont = [&](size_t i) { return i < t.size() && (b(i) & 0xC0) == 0x80; };
  if (b(0) < 0xC2) return 0;  // a continuation byte or an overlong two-byte form
  if (b(0) < 0xE0) return cont(1) ? 2 : 0;
  if (b(0) < 0xF0) {
    if (!cont(1) || !cont(2)) return 0;
    const uint32_t cp = (b(0) & 0x0Fu) << 12 | (b(1) & 0x3Fu) << 6 | (b(2) & 0x3Fu);
    return cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp >= 0xFFFE ? 0 : 3;
  }
  if (b(0) > 0xF4 || !cont(1) || !cont(2) || !cont(3)) return 0;
  const uint32_t cp = (b(0) & 0x07u) << 18 | (b(1) & 0x3Fu) << 12;
  return cp < 0x10000 || cp > 0x10FFFF ? 0 : 4;
}

}  // namespace

// What XML 1.0 cannot carry is dropped (control characters) or replaced (malformed UTF-8),
// then the markup characters are escaped as in HTML.
std::string XmlEscape(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string clean;
  clean.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const size_t n = AllowedUtf8(text.substr(i));
      clean += n ? text.substr(i, n) : kReplacement;
      i += n ? n : 1;
      continue;
    }
    ++i;
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;  // not allowed in XML 1.0
    clean += c;
  }
  return base::HtmlEscape(clean);
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
