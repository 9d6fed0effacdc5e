// Component benchmark: one JWS signature and one JWT verification through steer::auth, to
// compare with `openssl speed rsa2048 ecdsap256` and see what the HTTP path adds.
#include <benchmark/benchmark.h>

#include "steer/auth/jwt.h"

namespace steer::auth {
namespace {

void BM_Sign(benchmark::State& state, JwsAlg alg) {
  auto key = SigningKey::Generate(alg).value();
  nlohmann::json claims = {{"iss", "https://login.example.com"},
                           {"sub", "svc"},
                           {"aud", "api"},
                           {"exp", 4102444800},
                           {"jti", "abcdefghijklmnop"}};
  for (auto _ : state) benchmark::DoNotOptimize(SignJwt(*key, kTypAccessToken, claims));
}
BENCHMARK_CAPTURE(BM_Sign, RS256, JwsAlg::kRS256)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_Sign, ES256, JwsAlg::kES256)->Threads(1)->Threads(2)->UseRealTime();

void BM_Verify(benchmark::State& state, JwsAlg alg) {
  auto key = SigningKey::Generate(alg).value();
  KeySet keys;
  keys.Add(KeySlot::kCurrent, key);
  std::string token =
      SignJwt(*key, kTypAccessToken, {{"iss", "i"}, {"aud", "a"}, {"exp", 4102444800}}).value();
  JwtRules rules;
  rules.issuer = "i";
  rules.typ = kTypAccessToken;
  rules.now = 1'800'000'000;
  for (auto _ : state) benchmark::DoNotOptimize(VerifyJwt(token, keys, rules));
}
BENCHMARK_CAPTURE(BM_Verify, RS256, JwsAlg::kRS256);
BENCHMARK_CAPTURE(BM_Verify, ES256, JwsAlg::kES256);

}  // namespace
}  // namespace steer::auth

BENCHMARK_MAIN();
