#pragma once

// The write log of steer_write_recorder and the checker that proves, from the outside, the
// safety property of issue #12: only the leader writes DNS, with a current fencing token, and
// no service flip-flops. Test-only code (tests/fault), used by the recorder's `check` command.
//
// A log is one JSON object per line (see ToJsonLine), in the order the recorder finished the
// writes. The checker judges only writes that landed (HTTP status 2xx from the provider):
//   not_leader      the writer was not the leader in etcd (or no one was) when the write left
//                   the proxy for the provider
//   stale_token     the writer sent X-Steer-Fencing-Token and it is not the leader's token
//   bad_token       the writer's token header is not an integer
//   token_backwards a write's token (the writer's, else the leader's) is below one that
//                   already landed: a stale leader wrote after a newer one
//   leader_unknown  the recorder could not read the leader (unless allowed)
//   flip_flop       a name's records went X -> Y -> X (unless the name is allowed)
// Pure functions; thread-compatible.

#include <cstdint>
#include <istream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "steer/base/error.h"

namespace steer::fault {

struct RecordedRRset {
  std::string name;  // as sent, e.g. "login.example.test."
  std::string type;  // "A"
  std::string changetype;
  std::vector<std::string> records;  // contents of enabled records; [] for DELETE
};

struct WriteRecord {
  size_t line = 0;      // 1-based line in the log (0 = not read from a file)
  int64_t t_ms = 0;     // wall clock when the request reached the proxy
  int64_t done_ms = 0;  // wall clock when the provider answered
  std::string writer;   // vantage name (--writer map, else X-Steer-Vantage, else the IP)
  std::string writer_ip;
  std::string writer_header;            // X-Steer-Vantage ("" = absent)
  std::optional<int64_t> writer_token;  // X-Steer-Fencing-Token
  std::string bad_writer_token;         // the header's text when it is not an integer
  std::optional<std::string> leader;    // the leader key's value; nullopt = no leader key
  std::optional<int64_t> leader_token;  // the leader key's create_revision
  std::string leader_error;             // non-empty: the leader could not be read
  std::string method;
  std::string path;
  int status = 0;        // the provider's status, or the injected / proxy error status
  std::string injected;  // "" | "fail503" | "hold_ms=N"
  std::vector<RecordedRRset> rrsets;
};

// One line of JSON (no newline): {t_ms, done_ms, writer, writer_ip, writer_header,
// writer_token, leader, leader_token, leader_error, method, path, status, injected, rrsets}.
// Absent optional values are null.
std::string ToJsonLine(const WriteRecord& record);
Result<WriteRecord> ParseJsonLine(const std::string& line);
// Every non-blank line; the first malformed line is an error naming its number.
Result<std::vector<WriteRecord>> ReadLog(std::istream& in);

// The rrsets of a PowerDNS PATCH body ({"rrsets":[{name,type,changetype,records:[{content,
// disabled}]}]}); [] when the body is not such JSON.
std::vector<RecordedRRset> ParsePdnsRrsets(const std::string& body);

struct CheckOptions {
  std::set<std::string> allow_flip;  // names (trailing dot optional, any case)
  bool allow_unknown_leader = false;
};

struct Violation {
  size_t line = 0;
  std::string kind;  // see the file comment
  std::string message;
  std::string ToString() const;  // "line 7: not_leader: ..."
};

struct CheckReport {
  size_t writes = 0;          // records in the log
  size_t landed = 0;          // 2xx
  size_t failed = 0;          // not 2xx (refused, injected, upstream down)
  size_t writers = 0;         // distinct writers
  size_t tokens = 0;          // distinct fencing tokens seen (writers' and leaders')
  size_t leader_changes = 0;  // (leader, token) changes between successive readable records
  std::vector<Violation> violations;

  bool ok() const { return violations.empty(); }
  // "writes=N landed=N failed=N writers=N tokens=N leader_changes=N violations=N"
  std::string Summary() const;
};

CheckReport CheckWrites(const std::vector<WriteRecord>& records, const CheckOptions& options);

}  // namespace steer::fault
