#include "write_check.h"

#include <gtest/gtest.h>

#include <sstream>

namespace steer::fault {
namespace {

// One hand-written log line: `writer` wrote `records` for login A while `leader` held the
// lease with `token`; `extra` adds or overrides fields (JSON members, comma-led).
std::string Line(const std::string& writer, const std::string& leader, int token,
                 const std::string& records, const std::string& extra = "") {
  std::string leader_json = leader.empty() ? "null" : "\"" + leader + "\"";
  std::string token_json = leader.empty() ? "null" : std::to_string(token);
  return "{\"t_ms\":1,\"writer\":\"" + writer + "\",\"leader\":" + leader_json +
         ",\"leader_token\":" + token_json +
         ",\"method\":\"PATCH\",\"path\":\"/api/v1/servers/localhost/zones/example.test.\"," +
         "\"rrsets\":[{\"name\":\"login.example.test.\",\"type\":\"A\",\"changetype\":" +
         "\"REPLACE\",\"records\":" + records + "}]" +
         (extra.find("\"status\"") == std::string::npos ? ",\"status\":204" : "") + extra + "}\n";
}

CheckReport Check(const std::string& log, const CheckOptions& options = {}) {
  std::istringstream in(log);
  auto records = ReadLog(in);
  EXPECT_TRUE(records) << records.error().message;
  return records ? CheckWrites(*records, options) : CheckReport{};
}

std::string Kinds(const CheckReport& report) {
  std::string out;
  for (const auto& v : report.violations) out += v.kind + "@" + std::to_string(v.line) + " ";
  return out;
}

TEST(WriteCheckTest, CleanLogPassesAndCounts) {
  std::string log = Line("a", "a", 7, R"(["10.0.0.1"])") +
                    Line("a", "a", 7, R"(["10.0.0.1"])", R"(,"writer_token":7)") + "\n" +
                    Line("b", "b", 9, R"(["10.0.0.2"])") +
                    Line("c", "b", 9, R"(["10.0.0.3"])", R"(,"status":503,"injected":"fail503")") +
                    Line("b", "b", 9, R"(["10.0.0.3"])", R"(,"writer_token":9)");
  CheckReport report = Check(log);
  EXPECT_TRUE(report.ok()) << Kinds(report);
  EXPECT_EQ(report.writes, 5u);
  EXPECT_EQ(report.landed, 4u);
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(report.writers, 3u);
  EXPECT_EQ(report.tokens, 2u);
  EXPECT_EQ(report.leader_changes, 1u);
  EXPECT_EQ(report.Summary(),
            "writes=5 landed=4 failed=1 writers=3 tokens=2 leader_changes=1 violations=0");
}

TEST(WriteCheckTest, WriterThatIsNotTheLeaderIsAViolation) {
  CheckReport report = Check(Line("a", "a", 7, R"(["1"])") + Line("a", "b", 9, R"(["2"])") +
                             Line("b", "", 0, R"(["3"])"));
  ASSERT_EQ(report.violations.size(), 2u) << Kinds(report);
  EXPECT_EQ(report.violations[0].ToString(),
            "line 2: not_leader: a PATCH /api/v1/servers/localhost/zones/example.test. landed "
            "while the leader was b (token 9)");
  EXPECT_EQ(report.violations[1].kind, "not_leader");
  EXPECT_EQ(report.violations[1].line, 3u);
  EXPECT_NE(report.violations[1].message.find("no agent was leader"), std::string::npos);
}

TEST(WriteCheckTest, AWriteThatDidNotLandIsNotJudged) {
  CheckReport report = Check(Line("a", "b", 9, R"(["2"])", R"(,"status":503)") +
                             Line("a", "b", 9, R"(["2"])", R"(,"status":422)"));
  EXPECT_TRUE(report.ok()) << Kinds(report);
  EXPECT_EQ(report.failed, 2u);
}

TEST(WriteCheckTest, WriterTokenThatIsNotTheLeadersIsStale) {
  // Same vantage re-elected (token 7 -> 12), but the write carries its old term's token.
  CheckReport report = Check(Line("a", "a", 12, R"(["1"])", R"(,"writer_token":7)") +
                             Line("a", "a", 12, R"(["2"])", R"(,"writer_token":"x7")"));
  ASSERT_EQ(Kinds(report), "stale_token@1 bad_token@2 ");
  EXPECT_NE(report.violations[0].message.find("sent token 7 but the leader's token was 12"),
            std::string::npos);
}

TEST(WriteCheckTest, TokensGoingBackwardsAcrossWritesAreDetected) {
  // The proxy saw b lead with 9, then a write landed whose own token says 7 (leader read 7
  // as well: a stale read or a log out of order); the highest landed token never drops.
  CheckReport report = Check(Line("b", "b", 9, R"(["2"])") + Line("a", "a", 7, R"(["1"])") +
                             Line("b", "b", 9, R"(["3"])"));
  ASSERT_EQ(Kinds(report), "token_backwards@2 ");
  EXPECT_EQ(report.violations[0].message, "a wrote with token 7 after b wrote with token 9");
}

TEST(WriteCheckTest, FlipFlopIsDetectedUnlessAllowed) {
  std::string log = Line("a", "a", 7, R"(["1","2"])") + Line("a", "a", 7, R"(["1","2"])") +
                    Line("a", "a", 7, R"(["3"])") + Line("a", "a", 7, R"(["2","1"])") +
                    Line("a", "a", 7, R"(["4"])");
  CheckReport report = Check(log);
  ASSERT_EQ(Kinds(report), "flip_flop@4 ");
  EXPECT_EQ(report.violations[0].message, "login.example.test. A went [1,2] -> [3] -> [1,2]");
  EXPECT_TRUE(Check(log, CheckOptions{{"LOGIN.example.test"}, false}).ok());
}

TEST(WriteCheckTest, DeleteCountsAsEmptyRecordsForFlipFlop) {
  std::string del = R"(,"rrsets":[{"name":"login.example.test.","type":"A",)"
                    R"("changetype":"DELETE","records":["ignored"]}])";
  CheckReport report = Check(Line("a", "a", 7, R"(["1"])") + Line("a", "a", 7, "[]", del) +
                             Line("a", "a", 7, R"(["1"])"));
  ASSERT_EQ(Kinds(report), "flip_flop@3 ");
}

TEST(WriteCheckTest, UnreadableLeaderIsAViolationUnlessAllowed) {
  std::string log = Line("a", "", 0, R"(["1"])", R"(,"leader_error":"etcd: unavailable")");
  EXPECT_EQ(Kinds(Check(log)), "leader_unknown@1 ");
  CheckReport allowed = Check(log, CheckOptions{{}, true});
  EXPECT_TRUE(allowed.ok());
  EXPECT_EQ(allowed.leader_changes, 0u);
}

TEST(WriteCheckTest, MalformedLineIsAnErrorNamingIt) {
  std::istringstream in(Line("a", "a", 7, "[]") + "{\"writer\":\"a\"\n");
  auto records = ReadLog(in);
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().message, "line 2: not a JSON object");
}

TEST(WriteCheckTest, RecordRoundTripsThroughItsJsonLine) {
  WriteRecord r;
  r.t_ms = 5;
  r.done_ms = 6;
  r.writer = "b";
  r.writer_ip = "10.0.0.2";
  r.writer_token = 9;
  r.leader = "b";
  r.leader_token = 9;
  r.method = "PATCH";
  r.path = "/p";
  r.status = 204;
  r.injected = "hold_ms=100";
  r.rrsets = {{"x.test.", "A", "REPLACE", {"1", "2"}}};
  auto back = ParseJsonLine(ToJsonLine(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(ToJsonLine(*back), ToJsonLine(r));
  EXPECT_NE(ToJsonLine(r).find("\"writer_header\":null"), std::string::npos);
}

TEST(WriteCheckTest, PdnsPatchBodyGivesEnabledRecords) {
  auto sets = ParsePdnsRrsets(
      R"({"rrsets":[{"name":"a.test.","type":"A","ttl":30,"changetype":"REPLACE","records":[)"
      R"({"content":"1","disabled":false},{"content":"2","disabled":true},{"content":"3"}]}]})");
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].records, (std::vector<std::string>{"1", "3"}));
  EXPECT_TRUE(ParsePdnsRrsets("not json").empty());
}

}  // namespace
}  // namespace steer::fault
