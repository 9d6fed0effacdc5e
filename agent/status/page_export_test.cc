// WriteStaticFiles and PageExporter on a real temporary directory.
#include "page_export.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace steer::status {
namespace {

namespace fs = std::filesystem;

class PageExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-export-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Read(const std::string& rel) {
    std::ifstream in(fs::path(dir_) / rel, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::vector<std::string> Listing() {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir_).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string dir_;
};

TEST_F(PageExportTest, WritesEveryFileAndOnlyChangedOnesAgain) {
  std::vector<StaticFile> files = {{"index.html", "<html>1</html>"},
                                   {"api/v2/summary.json", "{\"a\":1}"}};
  auto n = WriteStaticFiles(dir_ + "/site", files);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(Read("site/index.html"), "<html>1</html>");
  EXPECT_EQ(Read("site/api/v2/summary.json"), "{\"a\":1}");

  files[1].body = "{\"a\":2}";
  n = WriteStaticFiles(dir_ + "/site", files);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 1);  // index.html unchanged: not rewritten
  EXPECT_EQ(Read("site/api/v2/summary.json"), "{\"a\":2}");
  // No temporary file is left behind.
  EXPECT_EQ(Listing(), (std::vector<std::string>{"site/api/v2/summary.json", "site/index.html"}));
}

TEST_F(PageExportTest, AFailureNamesTheFileAndKeepsItsOldContent) {
  ASSERT_TRUE(WriteStaticFiles(dir_, {{"index.html", "old"}}).has_value());
  // A directory where the temporary file must be created makes the write fail.
  fs::create_directories(fs::path(dir_) / ("index.html.tmp-" + std::to_string(getpid())));
  auto r = WriteStaticFiles(dir_, {{"index.html", "new"}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(dir_ + "/index.html.tmp-"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(Read("index.html"), "old");
}

TEST_F(PageExportTest, AFileInPlaceOfTheDirectoryIsAClearError) {
  std::ofstream(fs::path(dir_) / "api") << "x";
  auto r = WriteStaticFiles(dir_, {{"api/v2/summary.json", "{}"}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(dir_ + "/api/v2: create:"), std::string::npos)
      << r.error().message;
}

TEST_F(PageExportTest, ExporterWritesAtStartAndReportsRenderFailures) {
  int calls = 0;
  bool fail = false;
  PageExporter exporter(dir_, std::chrono::hours(1), [&]() -> Result<std::vector<StaticFile>> {
    ++calls;
    if (fail) return MakeError(ErrorCode::kUnavailable, "database is locked");
    return std::vector<StaticFile>{{"index.html", "v" + std::to_string(calls)}};
  });
  auto first = exporter.ExportOnce();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(Read("index.html"), "v1");
  fail = true;
  auto second = exporter.ExportOnce();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message, "database is locked");
  EXPECT_EQ(Read("index.html"), "v1");
  fail = false;
  EXPECT_EQ(exporter.ExportOnce().value(), 1);
  EXPECT_EQ(Read("index.html"), "v3");
}

}  // namespace
}  // namespace steer::status
