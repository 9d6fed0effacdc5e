#include "steer/auth/provider.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <regex>
#include <thread>

#include "provider_test_util.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/jwt.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/clock.h"
#include "steer/base/http_server.h"

namespace steer::auth {
namespace {

using testing::kSecret;
using testing::ProviderTest;
using testing::Region;

TEST_F(ProviderTest, DiscoveryHealthAndRouting) {
  Region a(dir_, "a.db", config_, clock_);
  base::ServerRequest get{"GET", "/.well-known/openid-configuration", "", {}, "", "10.0.0.1"};
  auto d = Body(a.provider->Handle(get));
  EXPECT_EQ(d["issuer"], config_.issuer);
  EXPECT_EQ(d["code_challenge_methods_supported"], nlohmann::json::array({"S256"}));
  get.path = "/healthz/ready";
  EXPECT_EQ(a.provider->Handle(get).status, 200);
  get.path = "/nope";
  EXPECT_EQ(a.provider->Handle(get).status, 404);
  get.path = "/token";
  EXPECT_EQ(a.provider->Handle(get).status, 405);
}

TEST_F(ProviderTest, LockoutBlocksEvenTheRightPasswordUntilUnlockOrTimeout) {
  Region a(dir_, "a.db", config_, clock_);
  EXPECT_EQ(a.Password("alice-password-1").status, 200);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(a.Password("wrong").status, 400);
  auto blocked = a.Password("alice-password-1");
  EXPECT_EQ(blocked.status, 400);
  EXPECT_NE(blocked.body.find("temporarily blocked"), std::string::npos);
  EXPECT_EQ(a.Password("alice-password-1", "10.0.0.2").status, 400);  // the account is blocked
  ASSERT_TRUE(a.store->ClearFailures("user:alice"));                  // admin unlock
  EXPECT_EQ(a.Password("alice-password-1", "10.0.0.2").status, 200);
  EXPECT_EQ(a.Password("alice-password-1", "10.0.0.1").status, 400);  // that IP is still blocked
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(a.Password("alice-password-1", "10.0.0.1").status, 200);  // timed out
}

TEST_F(ProviderTest, PerIpLoginThrottleAnswers429) {
  config_.logins_per_minute = 2;
  Region a(dir_, "a.db", config_, clock_);
  EXPECT_EQ(a.Password("alice-password-1").status, 200);
  EXPECT_EQ(a.Password("alice-password-1").status, 200);
  auto r = a.Password("alice-password-1");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(a.Password("alice-password-1", "10.0.0.9").status, 200);
}

TEST_F(ProviderTest, RefreshCrossesRegionsAndReuseIsDetectedWhereItRotated) {
  Region a(dir_, "a.db", config_, clock_), b(dir_, "b.db", config_, clock_);
  auto first = Body(a.Password("alice-password-1"));
  std::string rt1 = first["refresh_token"];
  auto at_b = b.Post("/token", "grant_type=refresh_token&refresh_token=" + rt1);
  ASSERT_EQ(at_b.status, 200) << at_b.body;
  std::string rt2 = Body(at_b)["refresh_token"];
  EXPECT_EQ(b.Post("/token", "grant_type=refresh_token&refresh_token=" + rt1).status, 400);
  EXPECT_EQ(b.Post("/token", "grant_type=refresh_token&refresh_token=" + rt2).status, 400);
}

TEST_F(ProviderTest, FailbackToTheIssuingRegionAcceptsTheNewerToken) {
  Region a(dir_, "a.db", config_, clock_), b(dir_, "b.db", config_, clock_);
  std::string rt1 = Body(a.Password("alice-password-1"))["refresh_token"];
  std::string rt2 =
      Body(b.Post("/token", "grant_type=refresh_token&refresh_token=" + rt1))["refresh_token"];
  auto back = a.Post("/token", "grant_type=refresh_token&refresh_token=" + rt2);
  ASSERT_EQ(back.status, 200) << back.body;  // rotated at B (gen 1), A adopts it
  EXPECT_EQ(a.Post("/token", "grant_type=refresh_token&refresh_token=" + rt1).status, 400);
}

TEST_F(ProviderTest, ExpiredRefreshTokenAndTamperedTokenAreRefused) {
  config_.refresh_ttl = 100;
  Region a(dir_, "a.db", config_, clock_);
  std::string rt = Body(a.Password("alice-password-1"))["refresh_token"];
  std::string bad = rt;
  bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(a.Post("/token", "grant_type=refresh_token&refresh_token=" + bad).status, 400);
  clock_.Advance(std::chrono::seconds(101));
  EXPECT_EQ(a.Post("/token", "grant_type=refresh_token&refresh_token=" + rt).status, 400);
}

TEST_F(ProviderTest, ClientAuthenticationRules) {
  Region a(dir_, "a.db", config_, clock_);
  base::ServerRequest r{"POST",   "/token", "", {}, "grant_type=password&username=alice&password=x",
                        "1.1.1.1"};
  r.headers["content-type"] = "application/x-www-form-urlencoded";
  EXPECT_EQ(a.provider->Handle(r).status, 401);  // no client auth at all
  r.body += std::string("&client_id=cli&client_secret=") + kSecret;
  EXPECT_EQ(a.provider->Handle(r).status, 400);  // post auth ok, wrong password
  r.headers["authorization"] = "Basic " + Base64Encode(std::string("cli:") + kSecret);
  EXPECT_EQ(a.provider->Handle(r).status, 400);  // two methods at once
  EXPECT_NE(a.provider->Handle(r).body.find("invalid_request"), std::string::npos);
  r.body = "grant_type=password&grant_type=password";
  EXPECT_EQ(a.provider->Handle(r).status, 400);  // repeated parameter
}

// Introspection of a user's access token: verified the first time, from the cache the second,
// the same answer both times; the family id stays internal; a revoked token is inactive.
TEST_F(ProviderTest, IntrospectionAnswersTheSameFromTheCacheAndSeesRevocation) {
  Region a(dir_, "a.db", config_, clock_);
  auto tokens = Body(a.Password("alice-password-1"));
  std::string at = tokens["access_token"];
  auto first = Body(a.Post("/introspect", "token=" + at));
  EXPECT_EQ(first["active"], true);
  EXPECT_EQ(first["token_type"], "Bearer");
  EXPECT_EQ(first["username"], "alice");
  EXPECT_EQ(first["preferred_username"], "alice");
  EXPECT_EQ(first["sub"], "sub-alice");
  EXPECT_FALSE(first.contains("gid"));
  EXPECT_FALSE(first.contains("ugen"));
  auto cached = a.Post("/introspect", "token=" + at);
  EXPECT_EQ(Body(cached), first);
  EXPECT_EQ(testing::HeaderOf(cached, "Cache-Control"), "no-store");
  std::string rt = tokens["refresh_token"];
  EXPECT_EQ(a.Post("/revoke", "token=" + rt).status, 200);
  EXPECT_EQ(Body(a.Post("/introspect", "token=" + at)), nlohmann::json({{"active", false}}));
}

// client_credentials: the answer's members and the access token's claims, and scope rules.
TEST_F(ProviderTest, ClientCredentialsIssuesAnAccessTokenForTheGrantedScope) {
  Region a(dir_, "a.db", config_, clock_);
  Client svc;
  svc.client_id = "cli";
  svc.secret_hash = HexEncode(Sha256(kSecret));
  svc.grant_types = {"client_credentials"};
  svc.audience = "urn:api";
  svc.scopes = {"read", "write"};
  ASSERT_TRUE(a.store->PutClient(svc));  // replaces "cli" before anything looked it up
  auto r = a.Post("/token", "grant_type=client_credentials&scope=read");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = Body(r);
  EXPECT_EQ(body.size(), 4u);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], config_.access_ttl);
  EXPECT_EQ(body["scope"], "read");
  auto claims = Body(a.Post("/introspect", "token=" + body["access_token"].get<std::string>()));
  EXPECT_EQ(claims["active"], true);
  EXPECT_EQ(claims["iss"], config_.issuer);
  EXPECT_EQ(claims["sub"], "cli");
  EXPECT_EQ(claims["client_id"], "cli");
  EXPECT_EQ(claims["aud"], "urn:api");
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), config_.access_ttl);
  EXPECT_EQ(claims["jti"].get<std::string>().size(), 22u);
  EXPECT_EQ(Body(a.Post("/token", "grant_type=client_credentials"))["scope"], "read write");
  EXPECT_EQ(a.Post("/token", "grant_type=client_credentials&scope=read%20admin").status, 400);
}

// The alg a JWT's header names.
std::string AlgOf(const std::string& jwt) {
  auto header = nlohmann::json::parse(Base64UrlDecode(jwt.substr(0, jwt.find('.'))).value_or(""),
                                      nullptr, false);
  return header.is_object() ? header.value("alg", "") : "";
}

TEST_F(ProviderTest, IdTokensAreSignedWithTheClientsIdTokenAlgorithm) {
  Region rs(dir_, "rs.db", config_, clock_);
  auto rs_tokens = Body(rs.Password("alice-password-1"));
  EXPECT_EQ(AlgOf(rs_tokens["id_token"].get<std::string>()), "RS256");  // the OIDC default
  Region a(dir_, "a.db", config_, clock_);
  Client es = a.store->FindClient("cli").value().value();
  es.id_token_alg = "ES256";
  ASSERT_TRUE(a.store->PutClient(es));  // before the first lookup, so nothing is cached yet
  auto tokens = Body(a.Password("alice-password-1"));
  std::string id = tokens["id_token"].get<std::string>();
  ASSERT_EQ(AlgOf(id), "ES256");
  JwtRules rules;
  rules.issuer = config_.issuer;
  rules.audiences = {"cli"};
  rules.typ = kTypIdToken;
  rules.algorithms = {JwsAlg::kES256};
  rules.now = base::UnixSeconds(clock_);
  auto claims = VerifyJwt(id, KeySet::LoadDir(dir_.string()).value(), rules);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ((*claims)["sub"], "sub-alice");
  auto refreshed = Body(a.Refresh(UrlEncode(tokens["refresh_token"].get<std::string>())));
  EXPECT_EQ(AlgOf(refreshed["id_token"].get<std::string>()), "ES256");
  base::ServerRequest logout{"GET", "/logout", "id_token_hint=" + id, {}, "", "10.0.0.1"};
  EXPECT_EQ(a.provider->Handle(logout).status, 200) << "an ES256 hint is accepted at logout";
}

TEST_F(ProviderTest, Es256IdTokensWithoutAnEs256KeyAreAServerErrorNotAnRs256Token) {
  std::filesystem::remove(dir_ / "current-es256.pem");
  Region a(dir_, "a.db", config_, clock_);
  Client es = a.store->FindClient("cli").value().value();
  es.id_token_alg = "ES256";
  ASSERT_TRUE(a.store->PutClient(es));  // before the first lookup, so nothing is cached yet
  auto r = a.Password("alice-password-1");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Body(r)["error_description"], "signing failed");
}

// Raw bytes to the real server; returns the status line.
std::string RawExchange(uint16_t port, const std::string& request) {
  namespace net = boost::asio;
  net::io_context io;
  net::ip::tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  boost::system::error_code ec;
  net::write(s, net::buffer(request), ec);
  std::string out(256, '\0');
  size_t n = s.read_some(net::buffer(out), ec);
  out.resize(n);
  return out.substr(0, out.find("\r\n"));
}

TEST_F(ProviderTest, ServerRejectsOversizedAndMalformedRequestsAndKeepsServing) {
  Region a(dir_, "a.db", config_, clock_);
  base::HttpServerOptions opts = AuthdServerOptions(config_);
  opts.port = 0;
  opts.max_body_bytes = 4096;
  auto server = base::HttpServer::Start(
      opts, [&](const base::ServerRequest& r) { return a.provider->Handle(r); });
  ASSERT_TRUE(server) << server.error().message;
  uint16_t port = (*server)->port();
  std::string big(10000, 'a');
  EXPECT_EQ(
      RawExchange(port, "POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n" + big),
      "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(RawExchange(port, "GARBAGE\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(RawExchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX: " + std::string(9000, 'h') +
                                  "\r\n\r\n"),
            "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(RawExchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.1 200 OK");
  (*server)->Stop();
}

TEST_F(ProviderTest, HtmlPagesCarryCspAndCookiesAreHardened) {
  config_.tls_cert_file = "x";  // as if TLS: cookies must be Secure
  Region a(dir_, "a.db", config_, clock_);
  base::ServerRequest r{
      "GET",
      "/authorize",
      "client_id=cli&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code&"
      "scope=openid&state=s",
      {},
      "",
      "10.0.0.1"};
  Client cli = a.store->FindClient("cli").value().value();
  cli.grant_types.push_back("authorization_code");
  ASSERT_TRUE(a.store->PutClient(cli));  // before the first lookup, so nothing is cached yet
  auto page = a.provider->Handle(r);
  ASSERT_EQ(page.status, 200) << page.body;
  std::string csp, cookie;
  for (const auto& [k, v] : page.headers) {
    if (k == "Content-Security-Policy") csp = v;
    if (k == "Set-Cookie") cookie = v;
  }
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
  EXPECT_NE(page.body.find("name=\"csrf\""), std::string::npos);
}

TEST_F(ProviderTest, ServerRefusesPlainHttpOffLoopback) {
  config_.listen_address = "0.0.0.0";
  base::HttpServerOptions opts = AuthdServerOptions(config_);
  opts.port = 0;
  EXPECT_FALSE(base::HttpServer::Start(
      opts, [](const base::ServerRequest&) { return base::ServerResponse{}; }));
}

}  // namespace
}  // namespace steer::auth
