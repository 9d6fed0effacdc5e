// The Atom feed parsed back with pugixml: structure, escaping, ordering, stable ids and bytes.
#include "atom_feed.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "test_times.h"

namespace steer::status {
namespace {

Incident MakeIncident(int64_t id, int64_t opened_ms, std::vector<IncidentUpdate> updates) {
  Incident i;
  i.id = id;
  i.service = "login";
  i.name = "login answers from a standby region";
  i.status = updates.empty() ? "investigating" : updates.front().status;
  i.impact = "minor";
  i.opened_ms = opened_ms;
  i.updated_ms = updates.empty() ? opened_ms : updates.front().at_ms;
  i.updates = std::move(updates);
  return i;
}

PageModel Model() {
  PageModel m;
  m.title = "Example status";
  m.url = "https://status.example.test/";
  m.now_ms = kT0;
  return m;
}

pugi::xml_node Parse(pugi::xml_document& doc, const std::string& xml) {
  pugi::xml_parse_result r = doc.load_string(xml.c_str());
  EXPECT_TRUE(r) << r.description() << " at " << r.offset << " in " << xml;
  pugi::xml_node feed = doc.child("feed");
  EXPECT_STREQ(feed.attribute("xmlns").value(), "http://www.w3.org/2005/Atom");
  return feed;
}

TEST(AtomFeedTest, EmptyFeedIsValidAtomWithAFixedUpdatedTime) {
  PageModel m = Model();
  m.url.clear();
  pugi::xml_document doc;
  pugi::xml_node feed = Parse(doc, AtomFeed(m));
  EXPECT_STREQ(feed.child_value("id"), "urn:steer:status");
  EXPECT_STREQ(feed.child_value("title"), "Example status - incident history");
  EXPECT_STREQ(feed.child_value("updated"), "1970-01-01T00:00:00.000Z");
  EXPECT_STREQ(feed.child("author").child_value("name"), "Example status");
  EXPECT_FALSE(feed.child("entry"));
  EXPECT_FALSE(feed.child("link"));  // no public URL, no links
}

TEST(AtomFeedTest, NewestOpenedFirstEachWithItsTimeline) {
  PageModel m = Model();
  m.incidents.push_back(MakeIncident(
      1, kT0 - 3'600'000,
      {{11, kT0 - 3'000'000, "resolved", "b"}, {10, kT0 - 3'600'000, "identified", "a"}}));
  m.incidents.push_back(MakeIncident(3, kT0 - 60'000, {{30, kT0 - 60'000, "investigating", "c"}}));
  m.incidents.push_back(MakeIncident(2, kT0 - 600'000, {}));
  m.incidents[0].resolved_ms = kT0 - 3'000'000;
  pugi::xml_document doc;
  pugi::xml_node feed = Parse(doc, AtomFeed(m));
  EXPECT_STREQ(feed.child_value("id"), "https://status.example.test/history.atom");
  EXPECT_STREQ(feed.child_value("updated"), "2026-01-30T23:59:00.000Z");  // newest update
  EXPECT_STREQ(feed.find_child_by_attribute("link", "rel", "self").attribute("href").value(),
               "https://status.example.test/history.atom");
  std::vector<std::string> ids;
  for (pugi::xml_node e : feed.children("entry")) ids.push_back(e.child_value("id"));
  EXPECT_EQ(ids, (std::vector<std::string>{"https://status.example.test/history.atom#incident-3",
                                           "https://status.example.test/history.atom#incident-2",
                                           "https://status.example.test/history.atom#incident-1"}));
  pugi::xml_node oldest = feed.last_child();
  EXPECT_STREQ(oldest.child_value("published"), "2026-01-30T23:00:00.000Z");
  EXPECT_STREQ(oldest.child_value("updated"), "2026-01-30T23:10:00.000Z");
  EXPECT_STREQ(oldest.child("link").attribute("href").value(),
               "https://status.example.test/#incident-1");
  pugi::xml_node div = oldest.child("content").child("div");
  EXPECT_STREQ(oldest.child("content").attribute("type").value(), "xhtml");
  EXPECT_STREQ(div.attribute("xmlns").value(), "http://www.w3.org/1999/xhtml");
  size_t paragraphs = 0;
  for (pugi::xml_node p : div.children("p")) paragraphs += !p.empty();
  ASSERT_EQ(paragraphs, 3u);  // the summary and one per update
  EXPECT_STREQ(div.child("p").child_value(), "Status: resolved. Impact: minor. Service: login.");
  pugi::xml_node first = div.child("p").next_sibling("p");
  EXPECT_STREQ(first.child_value("strong"), "Resolved");
  EXPECT_EQ(std::string(first.child("strong").next_sibling().value()),
            " (2026-01-30T23:10 UTC): b");
  EXPECT_STREQ(first.next_sibling("p").child_value("strong"), "Identified");
}

TEST(AtomFeedTest, OperatorAndPolicyTextIsEscapedAndAlwaysParses) {
  PageModel m = Model();
  m.title = "Tom & Jerry's <status>";
  Incident i = MakeIncident(
      7, kT0, {{70, kT0, "identified", "<script>alert(1)</script> & \"quoted\"\x01 \x1b[0m"}});
  i.name = "</title><entry>injected</entry>";
  m.incidents.push_back(i);
  const std::string xml = AtomFeed(m);
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_EQ(xml.find("<entry>injected"), std::string::npos);
  pugi::xml_document doc;
  pugi::xml_node feed = Parse(doc, xml);
  EXPECT_STREQ(feed.child_value("title"), "Tom & Jerry's <status> - incident history");
  size_t entries = 0;
  for (pugi::xml_node e : feed.children("entry")) {
    ++entries;
    EXPECT_STREQ(e.child_value("title"), "</title><entry>injected</entry>");
    pugi::xml_node p = e.child("content").child("div").child("p").next_sibling("p");
    EXPECT_EQ(std::string(p.child("strong").next_sibling().value()),
              " (2026-01-31T00:00 UTC): <script>alert(1)</script> & \"quoted\" [0m");
    EXPECT_FALSE(p.child("script"));
  }
  EXPECT_EQ(entries, 1u);
}

TEST(AtomFeedTest, SameHistoryGivesTheSameBytesWhateverTheRenderTime) {
  PageModel m = Model();
  m.incidents.push_back(MakeIncident(1, kT0 - 60'000, {{1, kT0 - 60'000, "identified", "x"}}));
  const std::string first = AtomFeed(m);
  m.now_ms += 3'600'000;
  EXPECT_EQ(AtomFeed(m), first);
}

TEST(XmlEscapeTest, EscapesMarkupAndDropsWhatXmlForbids) {
  EXPECT_EQ(XmlEscape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  EXPECT_EQ(XmlEscape(std::string("t\tn\nr\rz\0x\x7f", 10)), "t\tn\nr\rzx\x7f");
  EXPECT_EQ(XmlEscape("é ü € 😀"), "é ü € 😀");
}

TEST(XmlEscapeTest, MalformedUtf8BecomesTheReplacementCharacter) {
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  EXPECT_EQ(XmlEscape("a\x80"
                      "b"),
            "a" + r + "b");                                 // a stray continuation byte
  EXPECT_EQ(XmlEscape("\xC0\xAF"), r + r);                  // overlong '/'
  EXPECT_EQ(XmlEscape("\xE0\x80\xAF"), r + r + r);          // overlong, three bytes
  EXPECT_EQ(XmlEscape("\xED\xA0\x80"), r + r + r);          // a surrogate
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBE"), r + r + r);          // U+FFFE
  EXPECT_EQ(XmlEscape("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
  EXPECT_EQ(XmlEscape("\xE2\x82"), r + r);                  // cut short
  EXPECT_EQ(XmlEscape("\xC3"), r);
  PageModel m = Model();
  m.title = "bad \xFF\xC3( title";
  pugi::xml_document doc;
  EXPECT_STREQ(Parse(doc, AtomFeed(m)).child_value("title"),
               "bad \xEF\xBF\xBD\xEF\xBF\xBD( title - incident history");
}

}  // namespace
}  // namespace steer::status
