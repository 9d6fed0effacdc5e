#include "steer/auth/web_origin.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "steer/auth/crypto_util.h"
#include "steer/auth/sqlite_store.h"

namespace steer::auth {
namespace {

TEST(WebOrigin, NormalisesToWhatABrowserSends) {
  EXPECT_EQ(NormalizeWebOrigin("HTTPS://App.Example.COM").value(), "https://app.example.com");
  EXPECT_EQ(NormalizeWebOrigin("https://app.example.com:443").value(), "https://app.example.com");
  EXPECT_EQ(NormalizeWebOrigin("https://app.example.com:8443").value(),
            "https://app.example.com:8443");
  EXPECT_EQ(NormalizeWebOrigin("http://localhost:3000").value(), "http://localhost:3000");
  EXPECT_EQ(NormalizeWebOrigin("http://127.0.0.1:80").value(), "http://127.0.0.1");
  EXPECT_EQ(NormalizeWebOrigin("http://[0:0:0:0:0:0:0:1]:5173").value(), "http://[::1]:5173");
  EXPECT_EQ(NormalizeWebOrigin("https://xn--bcher-kva.example").value(),
            "https://xn--bcher-kva.example");
}

TEST(WebOrigin, RefusesAnythingThatIsNotAnOriginWithAClearMessage) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c :
       {Case{"app.example.com", "no scheme"}, Case{"ftp://app.example.com", "scheme must be https"},
        Case{"https://app.example.com/", "not even a trailing '/'"},
        Case{"https://app.example.com/cb", "no path"},
        Case{"https://app.example.com?x=1", "no path, query"},
        Case{"https://app.example.com#f", "fragment"},
        Case{"https://u:p@app.example.com", "user info"},
        Case{"http://app.example.com", "only for a loopback host"},
        Case{"http://10.0.0.1:8080", "only for a loopback host"},
        Case{"https://app.example.com:0", "port must be 1-65535"},
        Case{"https://app.example.com:65536", "port must be 1-65535"},
        Case{"https://app.example.com:", "port must be 1-65535"},
        Case{"https://app.example.com:8x", "port must be 1-65535"},
        Case{"https://", "the host must be"}, Case{"https://bücher.example", "xn-- form"},
        Case{"https://[::1", "the host must be"},
        Case{"https://*.example.com", "the host must be"}}) {
    auto got = NormalizeWebOrigin(c.text);
    ASSERT_FALSE(got) << c.text << " was accepted as " << *got;
    EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(got.error().message.find(c.why), std::string::npos) << got.error().message;
    EXPECT_NE(got.error().message.find(c.text), std::string::npos) << got.error().message;
  }
}

class WebOriginIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("steer-origins-" + RandomToken(6) + ".db");
    store_ = SqliteStore::Open(path_.string()).value();
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_.string() + suffix);
  }
  void AddClient(const std::string& id, std::vector<std::string> origins) {
    Client c;
    c.client_id = id;
    c.web_origins = std::move(origins);
    ASSERT_TRUE(store_->PutClient(c));
  }
  std::filesystem::path path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(WebOriginIndexTest, KnowsEveryClientsOriginsAndNothingElse) {
  AddClient("a", {"https://a.example.com", "http://127.0.0.1:3000"});
  AddClient("b", {"https://b.example.com"});
  AddClient("c", {});
  WebOriginIndex index(*store_, 5);
  EXPECT_TRUE(index.Contains("https://a.example.com"));
  EXPECT_TRUE(index.Contains("http://127.0.0.1:3000"));
  EXPECT_TRUE(index.Contains("https://b.example.com"));
  EXPECT_FALSE(index.Contains("https://evil.example.com"));
  EXPECT_FALSE(index.Contains("https://a.example.com/"));  // exact match only
  EXPECT_FALSE(index.Contains("null"));                    // opaque origins never
  EXPECT_FALSE(index.Contains(""));
}

TEST_F(WebOriginIndexTest, IsCachedForItsTtlLikeTheClientCache) {
  AddClient("a", {"https://a.example.com"});
  WebOriginIndex cached(*store_, 3600), fresh(*store_, 0);
  EXPECT_FALSE(cached.Contains("https://new.example.com"));
  EXPECT_FALSE(fresh.Contains("https://new.example.com"));
  AddClient("new", {"https://new.example.com"});
  EXPECT_FALSE(cached.Contains("https://new.example.com"));  // until the TTL passes
  EXPECT_TRUE(fresh.Contains("https://new.example.com"));
  ASSERT_TRUE(store_->RemoveClient("new"));
  EXPECT_FALSE(fresh.Contains("https://new.example.com"));
}

}  // namespace
}  // namespace steer::auth
