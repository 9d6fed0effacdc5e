#pragma once

// Parsing the simulator's trace CSV (private to steer_policies).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "steer/base/error.h"
#include "steer/policies/health.h"

namespace steer::policies {

struct TraceRow {
  int line = 0;
  Time t{0};
  bool is_operator = false;
  std::string vantage;
  int region = -1;     // layout index; operator rows: -1 when the region column is empty
  int component = -1;  // layout index within the region (observations)
  bool ok = false;
  std::string error;
  std::string command;                      // operator rows
  std::map<std::string, std::string> args;  // operator rows
  std::string region_name;                  // operator rows: as written
};

inline constexpr std::string_view kOperator = "@operator";

// The error of a bad trace line: "trace line N: msg" (kInvalidArgument).
tl::unexpected<Error> TraceLineError(int line, const std::string& msg);

// Checks every row against the layout; the first problem is reported as "trace line N: ...".
Result<std::vector<TraceRow>> ParseTrace(std::string_view text, const Layout& layout);

}  // namespace steer::policies
