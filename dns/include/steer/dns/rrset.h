#pragma once

// The unit every DNS provider reads and writes: a whole RRset (all records of one name and
// type). Steer never writes a single record of an RRset; a change always replaces the full
// set, so no resolver can observe a half-applied change. Plain data, safe to copy and to read
// from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "steer/base/error.h"

namespace steer::dns {

struct RRset {
  std::string name;                  // FQDN, lower case, with the trailing dot
  std::string type = "A";            // upper case: A, AAAA, CNAME, TXT, ...
  int ttl = 30;                      // seconds
  std::vector<std::string> records;  // record data in canonical presentation format

  // Lower-cases the name and adds the trailing dot, upper-cases the type, sorts and dedups
  // the records, lower-cases names inside CNAME/NS/MX/... data. Idempotent.
  RRset Normalized() const;
};

// Same name, type, TTL and the same records (order ignored).
bool SameRRset(const RRset& a, const RRset& b);

// Same records (order ignored), TTL and name not compared: what a resolver would answer.
bool SameRecords(const RRset& a, const RRset& b);

// "login.example.test. 30 A 127.0.0.2,127.0.0.3" for logs and messages.
std::string ToString(const RRset& rrset);

// Adds the trailing dot and lower-cases: "Login.Example.test" -> "login.example.test.".
std::string CanonicalName(std::string_view name);

// Checks name, type, TTL and that every record parses for its type (A, AAAA, CNAME, TXT, NS,
// MX, SRV, PTR, CAA are understood; other types are passed through). An RRset with no records
// is invalid: Steer never leaves a name with no answers.
Result<void> Validate(const RRset& rrset);

}  // namespace steer::dns
