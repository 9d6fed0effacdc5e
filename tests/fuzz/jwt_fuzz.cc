// libFuzzer target: any bytes as a JWT presented to steer-authd (auth::VerifyJwt: the compact
// serialization, base64url, the JOSE header, the signature, then the claims), under the rules
// of an access token and of an id_token_hint (no expiry check). The keys are fixed test keys
// (below, generated for this target only) so that the seed corpus's signed tokens verify and
// the claim checks are reached.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "steer/auth/jwt.h"
#include "steer/auth/key_set.h"
#include "steer/auth/signing_key.h"

namespace {

using steer::auth::JwsAlg;

// Test keys of this fuzz target only; they sign nothing else.
constexpr char kEcPem[] = R"(
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZwtgW/8wS59ryq0J
n3AWWtNGrASav1RO5w29OLz3hy+hRANCAATIhnHwwz/4tKqrg/vwbbXGtzdKjaKv
nh1ys4mrsFtClIagBS+2wmn3DncRw5pmjCeQf7BIKw2zTCl7y4yEGkfn
-----END PRIVATE KEY-----
)";
constexpr char kRsaPem[] = R"(
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDdEx5ACNZA6HxZ
iIiBVeYSztI6Ck19wSI5ue/ciqsgzlMlqJUYS/NNn+QRlK/4HZb5Fz1EHNsKf6TS
TfNvHDvgZ6UmtV1m7ISkJeBY+Se7+MdErxuFz3aZjXX05SwVlwEJNe/WNOeVZFi0
6B0Atq0T9Au3Gb/uno93PH7q/dUO8m8N53ihIfjbNqba9Q1c8gJBr5elb4738mAp
6oYwmV3GplzwxaPIwxZGv+AxtTqvJUZ5+AT8PqiPVD3tGPcQM6tufTkR6GhysVJK
0M/ESRxnCBnQRpSLit12tJuBXDFeYRR8axyrWQdS5T4NjuhaeexH33qrFcZ2Jxia
L60sqhrvAgMBAAECggEAA42HGk+7Rqt10az/vTlLQZP4F2dP6B3HFhvy3pPdKRyU
Dc/NnPwxpH4G3dPs+ePRFBVD1d8pdgNFSocEVKtCQngPVKITsFma4fOHatzJ5mCu
X3Pl5QcWXD0TS5q1tqlD0+ua6KpgYNy1hStg3SzXT4p5H5JW+5yWRfcOT2pVgyZp
/aKJb2+o9EnUXRVg2rKMVZMmxXF4iGfQTdRFlFvTwBRU3f0emOn/fZ0ZIHaUGoLL
Vy6qdjYmO/1Y3TVFYOvyMv114HREwTo2zv50bov5TvjkfAG9JLdDEsSBOZvedtUT
dbOlVoV6T0cLi5TDHJGnuEYKJZRui1yXzphjPKYSwQKBgQD84H3Ep6ZYWCPE65km
7+kKpewP5bWef/M8UpnVUCuZ09RjNj92xTL3y0Ct6LsYT8LNs1I678P6dkbeGf12
ljVWsW+pXbKRkUG5rtBpJQNsOL0ojZ/nO00aTgUHMp4kf02EZClLaYOJ9YsMSafa
+z1YsJaIsfpDKGvz9mKvWksC2QKBgQDfzhRL6c9xyCys8zLRsPA5KvVnmFQyIBxv
IJ4EHL12kMDEvPU+Ubi0mhd44Sr7l4TypiaMglixUT7AWnqG+UKaGfKmuNloDgkz
zOe19A7nVN8625N53F7ethA1HKrjAapghwLt+PqbZT/uRCoUwGyrgMt16sticm/1
a+L7jPLfBwKBgASHqPka37n5ajqe1dGCvrP4IPBv9v7t39eWyzatBvrsdoOIdz6T
bcROmcwDvUZEN4Mj0TdJEEOuVrqn0IiNTEtPRmbMTOSaq4i9/vHDPfp0Ub8mOlUU
FN+BwklMuNSCi0rx2GOHclnIUkNYFm+vzHuIPkoYlhkZ4kUuhroJbgqRAoGAErzf
SCfQPXeD/gryk0ncIv0sxLqlOfkkSE2TzUZWuomOCirD4a7X5w8Lrgw0HBJoiCRP
D+6N3HKv7Uzl+0z9PYe0oC7TzPl33cVnFP3VDZs2gWgG5eoEa2MU4k1/JThrel9z
aFczLDWC78D3QPuHXaiP4FSDKL/qDcM1otf/MZsCgYA8vg6svQ8/fLkunucCUaf0
Ld1x2j2PF0wUGhTZbNw0/jQfmESvnyv24AFPGl37l9/aQymUSc/wrCrZBulRwrJ+
I5YYIKZFdNhNAcLcOXhrVTZJO7m5cT+8lJiw6y0zlKqu0BSB/CeV2hILHbnwTpy9
5qn3/Tcgb0WDPnqUtx/CAA==
-----END PRIVATE KEY-----
)";

const steer::auth::KeySet& Keys() {
  static const steer::auth::KeySet* keys = [] {
    auto* set = new steer::auth::KeySet();
    auto ec = steer::auth::SigningKey::FromPrivatePem(kEcPem, JwsAlg::kES256);
    auto rsa = steer::auth::SigningKey::FromPrivatePem(kRsaPem, JwsAlg::kRS256);
    if (!ec || !rsa) std::abort();
    set->Add(steer::auth::KeySlot::kCurrent, *ec);
    set->Add(steer::auth::KeySlot::kCurrent, *rsa);
    return set;
  }();
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token(reinterpret_cast<const char*>(data), size);
  steer::auth::JwtRules access;
  access.issuer = "https://login.test";
  access.audiences = {"api"};
  access.typ = steer::auth::kTypAccessToken;
  access.now = 1'800'000'000;
  auto a = steer::auth::VerifyJwt(token, Keys(), access);
  steer::auth::JwtRules hint = access;
  hint.audiences.clear();
  hint.typ = steer::auth::kTypIdToken;
  hint.check_expiry = false;
  auto h = steer::auth::VerifyJwt(token, Keys(), hint);
  if (a && !a->is_object()) std::abort();  // verified claims are a JSON object
  if (h && !h->is_object()) std::abort();
  return 0;
}
