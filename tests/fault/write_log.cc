// The write log's JSON lines (see write_check.h).
#include <nlohmann/json.hpp>

#include "write_check.h"

namespace steer::fault {
namespace {

using nlohmann::json;

template <typename T>
json OrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json OrNull(const std::string& value) { return value.empty() ? json(nullptr) : json(value); }

std::string StringOr(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t IntOr(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::vector<RecordedRRset> RrsetsFrom(const json& array) {
  std::vector<RecordedRRset> out;
  if (!array.is_array()) return out;
  for (const auto& r : array) {
    if (!r.is_object()) continue;
    RecordedRRset set{StringOr(r, "name"), StringOr(r, "type"), StringOr(r, "changetype"), {}};
    auto records = r.find("records");
    if (records != r.end() && records->is_array()) {
      for (const auto& rec : *records) {
        if (rec.is_string()) {
          set.records.push_back(rec.get<std::string>());
        } else if (rec.is_object() && !rec.value("disabled", false)) {
          set.records.push_back(StringOr(rec, "content"));
        }
      }
    }
    if (set.changetype == "DELETE") set.records.clear();
    out.push_back(std::move(set));
  }
  return out;
}

// writer_token: an integer, null, or (a malformed header) a string.
void ReadWriterToken(const json& j, WriteRecord& r) {
  auto it = j.find("writer_token");
  if (it == j.end() || it->is_null()) return;
  if (it->is_number_integer()) {
    r.writer_token = it->get<int64_t>();
  } else {
    r.bad_writer_token = it->is_string() ? it->get<std::string>() : it->dump();
  }
}

}  // namespace

std::string ToJsonLine(const WriteRecord& r) {
  json rrsets = json::array();
  for (const auto& s : r.rrsets) {
    rrsets.push_back(
        {{"name", s.name}, {"type", s.type}, {"changetype", s.changetype}, {"records", s.records}});
  }
  json writer_token =
      r.bad_writer_token.empty() ? OrNull(r.writer_token) : json(r.bad_writer_token);
  json j = {{"t_ms", r.t_ms},
            {"done_ms", r.done_ms},
            {"writer", r.writer},
            {"writer_ip", r.writer_ip},
            {"writer_header", OrNull(r.writer_header)},
            {"writer_token", writer_token},
            {"leader", OrNull(r.leader)},
            {"leader_token", OrNull(r.leader_token)},
            {"leader_error", OrNull(r.leader_error)},
            {"method", r.method},
            {"path", r.path},
            {"status", r.status},
            {"injected", OrNull(r.injected)},
            {"rrsets", rrsets}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<WriteRecord> ParseJsonLine(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "not a JSON object");
  }
  if (!j.contains("writer") || !j.contains("status")) {
    return MakeError(ErrorCode::kInvalidArgument, "missing \"writer\" or \"status\"");
  }
  WriteRecord r;
  r.t_ms = IntOr(j, "t_ms");
  r.done_ms = IntOr(j, "done_ms");
  r.writer = StringOr(j, "writer");
  r.writer_ip = StringOr(j, "writer_ip");
  r.writer_header = StringOr(j, "writer_header");
  ReadWriterToken(j, r);
  if (j.contains("leader") && j["leader"].is_string()) r.leader = j["leader"].get<std::string>();
  if (j.contains("leader_token") && j["leader_token"].is_number_integer()) {
    r.leader_token = j["leader_token"].get<int64_t>();
  }
  r.leader_error = StringOr(j, "leader_error");
  r.method = StringOr(j, "method");
  r.path = StringOr(j, "path");
  r.status = static_cast<int>(IntOr(j, "status"));
  r.injected = StringOr(j, "injected");
  if (j.contains("rrsets")) r.rrsets = RrsetsFrom(j["rrsets"]);
  return r;
}

Result<std::vector<WriteRecord>> ReadLog(std::istream& in) {
  std::vector<WriteRecord> out;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto record = ParseJsonLine(line);
    if (!record) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "line " + std::to_string(number) + ": " + record.error().message);
    }
    record->line = number;
    out.push_back(std::move(*record));
  }
  return out;
}

std::vector<RecordedRRset> ParsePdnsRrsets(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("rrsets")) return {};
  return RrsetsFrom(j["rrsets"]);
}

}  // namespace steer::fault
