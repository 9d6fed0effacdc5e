// steerctl status-page export against a real HTTP server that plays a status listener.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/command.h"
#include "status/public_page.h"
#include "steer/base/http_server.h"

namespace steer::agent::cli {
int RunStatusPage(int argc, char** argv);

namespace {

namespace fs = std::filesystem;

class StatusPageExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-export-cli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto server = base::HttpServer::Start({}, [this](const base::ServerRequest& r) {
      base::ServerResponse out;
      if (r.path == missing_) {
        out.status = 404;
        return out;
      }
      out.body = "body of " + r.path;
      return out;
    });
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  int Export(const std::string& out) {
    std::vector<std::string> args = {
        "status-page", "export", "--from", "http://" + server_->address() + "/", "--out", out};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return RunStatusPage(static_cast<int>(argv.size()), argv.data());
  }
  std::string Read(const std::string& rel) {
    std::ifstream in(fs::path(dir_) / rel, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_;
  std::string missing_;  // a path the server answers 404
  std::unique_ptr<base::HttpServer> server_;
};

TEST_F(StatusPageExportTest, WritesEveryDocumentTheListenerServes) {
  ASSERT_EQ(Export(dir_ + "/site"), kExitOk);
  for (const std::string& path : status::StaticFilePaths()) {
    EXPECT_EQ(Read("site/" + path), "body of /" + path);
  }
  EXPECT_EQ(Read("site/index.html"), "body of /index.html");
  EXPECT_EQ(Read("site/api/v2/summary.json"), "body of /api/v2/summary.json");
}

TEST_F(StatusPageExportTest, AFailedFetchWritesNothing) {
  missing_ = "/api/v2/incidents.json";
  EXPECT_EQ(Export(dir_ + "/site"), kExitFailed);
  EXPECT_FALSE(fs::exists(dir_ + "/site"));
}

TEST_F(StatusPageExportTest, UsageErrors) {
  std::vector<std::string> args = {"status-page", "publish"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  EXPECT_EQ(RunStatusPage(2, argv.data()), kExitUsage);
  args = {"status-page", "export", "--out", dir_};
  argv.clear();
  for (auto& a : args) argv.push_back(a.data());
  EXPECT_EQ(RunStatusPage(4, argv.data()), kExitUsage);
}

}  // namespace
}  // namespace steer::agent::cli
