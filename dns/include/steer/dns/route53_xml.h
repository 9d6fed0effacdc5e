#pragma once

// Route 53's XML documents (API version 2013-04-01), built and parsed with pugixml. Shared by
// the provider and the local Route 53 fake so both follow the same published shapes. Pure
// functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steer/base/error.h"
#include "steer/dns/rrset.h"

namespace steer::dns::route53 {

inline constexpr char kXmlns[] = "https://route53.amazonaws.com/doc/2013-04-01/";
inline constexpr char kApiPrefix[] = "/2013-04-01";

// One <ResourceRecordSet> as Route 53 lists it.
struct ListedRRset {
  RRset rrset;                 // name decoded from Route 53's \ddd escapes
  bool is_alias = false;       // <AliasTarget> instead of records
  std::string set_identifier;  // routing-policy records (weighted, failover, ...)
};

struct ListPage {
  std::vector<ListedRRset> rrsets;
  bool is_truncated = false;
  std::string next_name;
  std::string next_type;
};

struct ChangeInfo {
  std::string id;      // without the "/change/" prefix
  std::string status;  // PENDING | INSYNC
};

// A change batch: (action, rrset) pairs; action is CREATE, DELETE or UPSERT.
struct Change {
  std::string action;
  RRset rrset;
};

// <ErrorResponse><Error><Code/><Message/></Error></ErrorResponse>, or Route 53's
// <InvalidChangeBatch><Messages><Message/>...</Messages></InvalidChangeBatch>.
struct ErrorDoc {
  std::string code;
  std::string message;  // messages joined with "; "
};

std::string BuildChangeRequest(const std::vector<Change>& changes, std::string_view comment);
Result<std::vector<Change>> ParseChangeRequest(std::string_view xml);

std::string BuildChangeInfoResponse(std::string_view root, const ChangeInfo& info,
                                    std::string_view submitted_at);
Result<ChangeInfo> ParseChangeInfo(std::string_view xml);

std::string BuildListResponse(const ListPage& page, int max_items);
Result<ListPage> ParseListResponse(std::string_view xml);

std::string BuildErrorResponse(const ErrorDoc& error);
std::string BuildInvalidChangeBatch(const std::vector<std::string>& messages);
// Never fails: a body that is not a Route 53 error gives an empty code.
ErrorDoc ParseError(std::string_view xml);

// Route 53 escapes characters outside [a-z0-9-_.] in names as \ddd (octal); "\052" is '*'.
std::string DecodeName(std::string_view name);

}  // namespace steer::dns::route53
