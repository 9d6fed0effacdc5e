#include "pg_rotations.h"

#include <charconv>

#include "pg_pool.h"

namespace steer::auth::pg {
namespace {

// Schema migration 5's function; outcomes as in migration 3: 0 rotated, 1 reused, 2 revoked.
const Statement kRotateBatch{
    "rotate_batch",
    "SELECT steer_rotate_refresh_batch($1::text[], $2::text[], $3::bigint[], $4::text[], "
    "$5::bigint[])"};

Result<RefreshOutcome> OutcomeOf(int code) {
  switch (code) {
    case 0:
      return RefreshOutcome::kRotated;
    case 1:
      return RefreshOutcome::kReused;
    case 2:
      return RefreshOutcome::kRevoked;
    default:
      return MakeError(ErrorCode::kInternal,
                       "postgres: unknown rotation outcome " + std::to_string(code));
  }
}

}  // namespace

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string IntArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

Result<std::vector<int>> ParseIntArray(const std::string& text) {
  auto bad = [&] { return MakeError(ErrorCode::kInternal, "postgres: not an INT[]: " + text); };
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return bad();
  std::vector<int> out;
  const char* p = text.data() + 1;
  const char* end = text.data() + text.size() - 1;
  while (p < end) {
    int v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || (next != end && *next != ',')) return bad();
    out.push_back(v);
    p = next == end ? end : next + 1;
    if (next != end && p == end) return bad();  // a trailing comma
  }
  return out;
}

Result<std::vector<RefreshOutcome>> RotateBatch(Pool& pool, const std::vector<Rotation>& batch) {
  std::vector<std::string> family, presented, next;
  std::vector<int64_t> gen, expires;
  for (const Rotation& r : batch) {
    family.push_back(r.family);
    presented.push_back(r.presented);
    gen.push_back(r.gen);
    next.push_back(r.next);
    expires.push_back(r.expires_at);
  }
  std::vector<std::string> params = {TextArray(family), TextArray(presented), IntArray(gen),
                                     TextArray(next), IntArray(expires)};
  return pool.Run(/*idempotent=*/false, [&](Lease& lease) -> Result<std::vector<RefreshOutcome>> {
    auto rows = lease.Exec(kRotateBatch, params);
    if (!rows) return tl::unexpected(rows.error());
    auto codes = ParseIntArray(rows->Text(0, 0));
    if (!codes) return tl::unexpected(codes.error());
    if (codes->size() != batch.size()) {
      return MakeError(ErrorCode::kInternal, "postgres: rotation batch answered " +
                                                 std::to_string(codes->size()) + " outcomes for " +
                                                 std::to_string(batch.size()));
    }
    std::vector<RefreshOutcome> out;
    for (int code : *codes) {
      auto o = OutcomeOf(code);
      if (!o) return tl::unexpected(o.error());
      out.push_back(*o);
    }
    return out;
  });
}

}  // namespace steer::auth::pg
