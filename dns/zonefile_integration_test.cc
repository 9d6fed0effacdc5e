// The zone file provider's output is checked by named-checkzone and served by a real named.
#include <gtest/gtest.h>

#include <filesystem>

#include "steer/dns/propagation.h"
#include "steer/dns/zonefile_provider.h"
#include "steer/testsupport/named_server.h"
#include "test_zone.h"

namespace steer::dns {
namespace {

using std::chrono::milliseconds;
using testsupport::NamedServer;

TEST(ZoneFileIntegrationTest, WrittenZoneIsValidAndServedByNamed) {
  testsupport::NamedOptions options;
  options.zones[0].records = "login IN A 127.0.0.2\nwww 60 IN CNAME login\ntxt IN TXT \"a b\"\n";
  NamedServer named(options);
  named.Stop();
  std::string path = named.ZoneFile(kZone);
  ZoneFileProvider provider(ZoneFileOptions{"zonefile:it", path, kZone});

  auto before = provider.Read(kZone, "login.example.test.", "A");
  ASSERT_TRUE(before && before->has_value()) << (before ? "" : before.error().message);
  RRset want{"login.example.test.", "A", 45, {"127.0.0.3", "127.0.0.4"}};
  auto receipt = provider.Replace(kZone, want);
  ASSERT_TRUE(receipt) << receipt.error().message;
  EXPECT_GT(std::stoul(receipt->change_id), 1u);  // serial bumped from 1

  testsupport::TempDir scratch;
  std::string checker = testsupport::FindExecutable("named-checkzone");
  ASSERT_FALSE(checker.empty());
  int status = testsupport::RunCommand({checker, "example.test", path}, scratch.File("check.log"));
  EXPECT_EQ(status, 0) << testsupport::ReadFile(scratch.File("check.log")) << "\n"
                       << testsupport::ReadFile(path);
  for (const auto& entry : std::filesystem::directory_iterator(named.dir())) {
    EXPECT_EQ(entry.path().filename().string().find(".steer-"), std::string::npos)
        << "temp file left behind: " << entry.path();
  }

  named.Start();
  LdnsQuerier querier;
  auto answer = querier.Query({"127.0.0.1", named.port(), ""}, "login.example.test.", "A",
                              milliseconds(1000));
  ASSERT_TRUE(answer) << answer.error().message;
  ASSERT_TRUE(answer->rrset);
  EXPECT_TRUE(SameRRset(*answer->rrset, want));
  auto cname = querier.Query({"127.0.0.1", named.port(), ""}, "www.example.test.", "CNAME",
                             milliseconds(1000));
  ASSERT_TRUE(cname && cname->rrset);  // the other records survived the rewrite
  EXPECT_EQ(cname->rrset->records, std::vector<std::string>{"login.example.test."});
  auto soa = querier.Query({"127.0.0.1", named.port(), ""}, kZone, "SOA", milliseconds(1000));
  ASSERT_TRUE(soa && soa->rrset);
  EXPECT_NE(soa->rrset->records[0].find(" " + receipt->change_id + " "), std::string::npos);

  // A second write bumps the serial again.
  auto second = provider.Replace(kZone, RRset{"login.example.test.", "A", 45, {"127.0.0.5"}});
  ASSERT_TRUE(second);
  EXPECT_GT(std::stoul(second->change_id), std::stoul(receipt->change_id));
}

TEST(ZoneFileIntegrationTest, AMissingFileIsAZoneThatDoesNotExist) {
  testsupport::TempDir dir;
  ZoneFileProvider provider(ZoneFileOptions{"zonefile:it", dir.File("none.zone"), kZone});
  auto read = provider.Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  auto other = provider.Read("other.test.", "login.other.test.", "A");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
}

TEST(ZoneFileIntegrationTest, NamesOutsideTheOriginAreRefused) {
  testsupport::TempDir dir;
  std::string path = dir.Write("z.zone", testsupport::NamedZoneText({}));
  ZoneFileProvider provider(ZoneFileOptions{"zonefile:it", path, kZone});
  auto receipt = provider.Replace(kZone, RRset{"login.other.test.", "A", 30, {"127.0.0.1"}});
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace steer::dns
