// The checker of the write log (see write_check.h).
#include "write_check.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

namespace steer::fault {
namespace {

std::string NormalName(std::string name) {
  while (!name.empty() && name.back() == '.') name.pop_back();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]";
}

std::string TokenText(const std::optional<int64_t>& token) {
  return token ? std::to_string(*token) : std::string("none");
}

bool Landed(const WriteRecord& r) { return r.status >= 200 && r.status < 300; }

class Checker {
 public:
  explicit Checker(const CheckOptions& options) {
    for (const auto& name : options.allow_flip) allow_flip_.insert(NormalName(name));
    allow_unknown_leader_ = options.allow_unknown_leader;
  }

  void Add(const WriteRecord& r, size_t line) {
    line_ = line;
    Count(r);
    if (!Landed(r)) return;
    CheckLeader(r);
    CheckTokenOrder(r);
    for (const auto& set : r.rrsets) CheckFlip(set);
  }

  CheckReport Finish() {
    report_.writers = writers_.size();
    report_.tokens = tokens_.size();
    return std::move(report_);
  }

 private:
  void Violate(std::string kind, std::string message) {
    report_.violations.push_back(Violation{line_, std::move(kind), std::move(message)});
  }

  void Count(const WriteRecord& r) {
    ++report_.writes;
    ++(Landed(r) ? report_.landed : report_.failed);
    writers_.insert(r.writer);
    if (r.writer_token) tokens_.insert(*r.writer_token);
    if (r.leader_token) tokens_.insert(*r.leader_token);
    if (!r.leader_error.empty()) return;
    auto leader = std::make_pair(r.leader, r.leader_token);
    if (last_leader_ && *last_leader_ != leader) ++report_.leader_changes;
    last_leader_ = leader;
  }

  void CheckLeader(const WriteRecord& r) {
    std::string who = r.writer + " " + r.method + " " + r.path;
    if (!r.leader_error.empty()) {
      if (!allow_unknown_leader_) {
        Violate("leader_unknown",
                who + " landed but the leader could not be read: " + r.leader_error);
      }
      return;
    }
    if (!r.leader) {
      Violate("not_leader", who + " landed while no agent was leader");
    } else if (*r.leader != r.writer) {
      Violate("not_leader", who + " landed while the leader was " + *r.leader + " (token " +
                                TokenText(r.leader_token) + ")");
    }
    if (!r.bad_writer_token.empty()) {
      Violate("bad_token", who + " sent fencing token \"" + r.bad_writer_token + "\"");
    } else if (r.writer_token && r.leader && r.writer_token != r.leader_token) {
      Violate("stale_token", who + " sent token " + TokenText(r.writer_token) +
                                 " but the leader's token was " + TokenText(r.leader_token));
    }
  }

  void CheckTokenOrder(const WriteRecord& r) {
    std::optional<int64_t> token = r.writer_token;
    if (!token && r.leader && *r.leader == r.writer) token = r.leader_token;
    if (!token) return;
    if (max_token_ && *token < max_token_->first) {
      Violate("token_backwards", r.writer + " wrote with token " + std::to_string(*token) +
                                     " after " + max_token_->second + " wrote with token " +
                                     std::to_string(max_token_->first));
    }
    if (!max_token_ || *token >= max_token_->first) max_token_ = std::make_pair(*token, r.writer);
  }

  void CheckFlip(const RecordedRRset& set) {
    std::string name = NormalName(set.name);
    if (allow_flip_.count(name)) return;
    std::vector<std::string> value = set.records;
    std::sort(value.begin(), value.end());
    auto& history = history_[name + " " + set.type];
    if (!history.empty() && history.back() == value) return;
    if (history.size() >= 2 && history[history.size() - 2] == value) {
      Violate("flip_flop", set.name + " " + set.type + " went " + Join(value) + " -> " +
                               Join(history.back()) + " -> " + Join(value));
    }
    history.push_back(std::move(value));
  }

  std::set<std::string> allow_flip_;
  bool allow_unknown_leader_ = false;
  size_t line_ = 0;
  CheckReport report_;
  std::set<std::string> writers_;
  std::set<int64_t> tokens_;
  std::optional<std::pair<std::optional<std::string>, std::optional<int64_t>>> last_leader_;
  std::optional<std::pair<int64_t, std::string>> max_token_;  // highest landed token, by whom
  std::map<std::string, std::vector<std::vector<std::string>>> history_;
};

}  // namespace

std::string Violation::ToString() const {
  return "line " + std::to_string(line) + ": " + kind + ": " + message;
}

std::string CheckReport::Summary() const {
  return "writes=" + std::to_string(writes) + " landed=" + std::to_string(landed) +
         " failed=" + std::to_string(failed) + " writers=" + std::to_string(writers) +
         " tokens=" + std::to_string(tokens) + " leader_changes=" + std::to_string(leader_changes) +
         " violations=" + std::to_string(violations.size());
}

CheckReport CheckWrites(const std::vector<WriteRecord>& records, const CheckOptions& options) {
  Checker checker(options);
  for (size_t i = 0; i < records.size(); ++i) {
    checker.Add(records[i], records[i].line ? records[i].line : i + 1);
  }
  return checker.Finish();
}

}  // namespace steer::fault
