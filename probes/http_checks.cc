#include "http_checks.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <sstream>

#include "json_path.h"

namespace steer::probes {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string RangesText(const std::vector<config::StatusRange>& ranges) {
  std::ostringstream out;
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0) out << ",";
    out << ranges[i].low;
    if (ranges[i].high != ranges[i].low) out << "-" << ranges[i].high;
  }
  return out.str();
}

}  // namespace

std::optional<std::string> FindHeader(const std::string& headers, const std::string& name) {
  std::string_view rest(headers);
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (EqualsIgnoreCase(Trim(line.substr(0, colon)), name)) {
      return std::string(Trim(line.substr(colon + 1)));
    }
  }
  return std::nullopt;
}

Result<HttpChecker> HttpChecker::Create(const config::HttpExpect& expect) {
  HttpChecker checker(expect);
  if (!expect.body_regex.empty()) {
    try {
      checker.body_regex_.emplace(expect.body_regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "invalid body_regex '" + expect.body_regex + "': " + e.what());
    }
  }
  for (const auto& cond : expect.json) {
    auto probe = EvaluateJsonPath(nlohmann::json::object(), cond.path);
    if (!probe) return tl::unexpected(probe.error());
  }
  return checker;
}

CheckOutcome HttpChecker::Check(const HttpResponse& response) const {
  bool status_ok = expect_->status.empty();
  for (const auto& r : expect_->status) {
    if (response.status >= r.low && response.status <= r.high) status_ok = true;
  }
  if (!status_ok) {
    return {ErrorClass::kHttpStatus,
            "status " + std::to_string(response.status) + " not in " + RangesText(expect_->status)};
  }
  if (auto out = CheckHeaders(response.headers); out.error != ErrorClass::kNone) return out;
  if (auto out = CheckBody(response); out.error != ErrorClass::kNone) return out;
  if (expect_->max_latency && response.total > *expect_->max_latency) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(response.total).count();
    return {ErrorClass::kLatency, "took " + std::to_string(ms) + " ms, max " +
                                      std::to_string(expect_->max_latency->count()) + " ms"};
  }
  return {};
}

CheckOutcome HttpChecker::CheckHeaders(const std::string& headers) const {
  for (const auto& [name, want] : expect_->headers) {
    auto value = FindHeader(headers, name);
    if (!value) return {ErrorClass::kHeaderMismatch, "header " + name + " missing"};
    if (value->find(want) == std::string::npos) {
      return {ErrorClass::kHeaderMismatch, "header " + name + " does not contain '" + want + "'"};
    }
  }
  return {};
}

CheckOutcome HttpChecker::CheckBody(const HttpResponse& response) const {
  const std::string& body = response.body;
  std::string cut = response.body_truncated ? " (body truncated)" : "";
  if (!expect_->body_contains.empty() && body.find(expect_->body_contains) == std::string::npos) {
    return {ErrorClass::kBodyMismatch,
            "body does not contain '" + expect_->body_contains + "'" + cut};
  }
  if (body_regex_ && !std::regex_search(body, *body_regex_)) {
    return {ErrorClass::kBodyMismatch, "body does not match /" + expect_->body_regex + "/" + cut};
  }
  if (expect_->json.empty()) return {};
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return {ErrorClass::kBodyMismatch, "body is not valid JSON" + cut};
  for (const auto& cond : expect_->json) {
    auto value = EvaluateJsonPath(doc, cond.path);
    if (!value || !*value) return {ErrorClass::kBodyMismatch, cond.path + " not found"};
    if (!cond.equals.empty() && JsonValueText(**value) != cond.equals) {
      return {ErrorClass::kBodyMismatch,
              cond.path + " is '" + JsonValueText(**value) + "', want '" + cond.equals + "'"};
    }
  }
  return {};
}

}  // namespace steer::probes
