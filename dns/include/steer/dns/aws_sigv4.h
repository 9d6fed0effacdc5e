#pragma once

// AWS Signature Version 4 (HMAC-SHA256), as published in the AWS General Reference and
// checked against AWS's SigV4 test suite. Used by the Route 53 provider to sign requests and
// by the Route 53 fake to verify them. Pure functions: thread-safe, no I/O, no clock (the
// request time is passed in). Nothing here logs; a secret only ever enters SigningKey().

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steer/base/error.h"

namespace steer::dns::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

// The credential scope: date/region/service/aws4_request.
struct SigV4Scope {
  std::string amz_date;  // ISO 8601 basic, UTC: 20150830T123600Z
  std::string region;    // us-east-1
  std::string service;   // route53

  std::string Date() const { return amz_date.substr(0, 8); }
  std::string ToString() const;  // 20150830/us-east-1/route53/aws4_request
};

// The parts of an HTTP request that are signed. Every header in `headers` is signed, so the
// caller must send exactly these (host and x-amz-date included).
struct SigV4Request {
  std::string method;  // GET, POST
  std::string path;    // not yet URI-encoded: "/example space/" is encoded here
  std::string query;   // without '?'; keys and values are percent-decoded, then re-encoded
  HeaderList headers;
  std::string body;
};

// Lowercase hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);
// Raw HMAC-SHA256(key, data), 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// RFC 3986 encoding as SigV4 wants it: every byte except A-Z a-z 0-9 - . _ ~ becomes %XX
// (uppercase hex); '/' is kept when `keep_slash`.
std::string UriEncode(std::string_view text, bool keep_slash);
// %XX -> byte; invalid escapes are kept literally ('+' is not a space in SigV4).
std::string PercentDecode(std::string_view text);

// Removes "." and ".." segments and empty segments (non-S3 services), then encodes.
std::string CanonicalUri(std::string_view path);
// Pairs sorted by encoded key, then encoded value; "a=1&b=" form.
std::string CanonicalQuery(std::string_view query);

struct CanonicalHeaderBlock {
  std::string canonical;       // "host:example.com\nx-amz-date:...\n"
  std::string signed_headers;  // "host;x-amz-date"
};
// Lowercase names, sorted; values trimmed with inner runs of spaces collapsed; repeated
// names joined with ','.
CanonicalHeaderBlock CanonicalHeaders(const HeaderList& headers);

std::string CanonicalRequest(const SigV4Request& request);
std::string StringToSign(const SigV4Scope& scope, std::string_view canonical_request);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
std::string SigningKey(std::string_view secret_access_key, const SigV4Scope& scope);
// Lowercase hex signature of the request.
std::string Signature(const SigV4Credentials& credentials, const SigV4Scope& scope,
                      const SigV4Request& request);
// "AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=a;b, Signature=hex"
std::string AuthorizationHeader(const SigV4Credentials& credentials, const SigV4Scope& scope,
                                const SigV4Request& request);

// 20150830T123600Z for a UTC time point.
std::string FormatAmzDate(std::chrono::system_clock::time_point when);

// An Authorization header taken apart, for the server side (the fake verifies with it).
struct ParsedAuthorization {
  std::string access_key_id;
  std::string date;  // 20150830
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;
};
Result<ParsedAuthorization> ParseAuthorization(std::string_view header);

}  // namespace steer::dns::aws
