#include "auth_ixfr.h"

#include <algorithm>

#include "auth_zone.h"
#include "dns_wire.h"

namespace steer::dns::auth {
namespace {

void AddAll(const std::string& owner, const WireRRset& rrset, std::vector<WireRecord>* out) {
  for (const auto& rdata : rrset.rdata) out->push_back({owner, rrset.type, rrset.ttl, rdata});
}

const WireRRset* FindType(const std::vector<WireRRset>* node, uint16_t type) {
  if (node == nullptr) return nullptr;
  for (const auto& rrset : *node) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

bool Has(const WireRRset& rrset, const std::string& rdata) {
  return std::find(rrset.rdata.begin(), rrset.rdata.end(), rdata) != rrset.rdata.end();
}

// The records of one name that differ between two snapshots (the SOA travels separately).
void DiffNode(const std::string& owner, const std::vector<WireRRset>* before,
              const std::vector<WireRRset>* after, ZoneStep* step) {
  if (before != nullptr) {
    for (const auto& old_set : *before) {
      if (old_set.type == wire::kTypeSoa) continue;
      const WireRRset* new_set = FindType(after, old_set.type);
      if (new_set == nullptr || new_set->ttl != old_set.ttl) {
        AddAll(owner, old_set, &step->removed);
        if (new_set != nullptr) AddAll(owner, *new_set, &step->added);
        continue;
      }
      for (const auto& rdata : old_set.rdata) {
        if (!Has(*new_set, rdata))
          step->removed.push_back({owner, old_set.type, old_set.ttl, rdata});
      }
      for (const auto& rdata : new_set->rdata) {
        if (!Has(old_set, rdata))
          step->added.push_back({owner, new_set->type, new_set->ttl, rdata});
      }
    }
  }
  if (after == nullptr) return;
  for (const auto& new_set : *after) {
    if (new_set.type != wire::kTypeSoa && FindType(before, new_set.type) == nullptr) {
      AddAll(owner, new_set, &step->added);
    }
  }
}

WireRecord Soa(const Zone& zone) {
  return {zone.apex, wire::kTypeSoa, zone.soa.ttl, zone.soa.rdata[0]};
}

}  // namespace

std::shared_ptr<const ZoneHistory> NextHistory(const Zone& before, const Zone& after) {
  auto step = std::make_shared<ZoneStep>();
  step->from = before.serial;
  step->to = after.serial;
  step->from_soa = Soa(before);
  step->to_soa = Soa(after);
  for (const auto& [owner, node] : before.nodes) {
    auto it = after.nodes.find(owner);
    DiffNode(owner, &node, it == after.nodes.end() ? nullptr : &it->second, step.get());
  }
  for (const auto& [owner, node] : after.nodes) {
    if (!before.nodes.contains(owner)) DiffNode(owner, nullptr, &node, step.get());
  }
  const size_t records = step->removed.size() + step->added.size();
  if (records > kMaxRecords) return nullptr;
  auto history = std::make_shared<ZoneHistory>();
  if (before.history != nullptr) *history = *before.history;
  history->steps.push_back(std::move(step));
  history->records += records;
  size_t drop = 0;
  while (history->steps.size() - drop > kMaxSteps || history->records > kMaxRecords) {
    const ZoneStep& oldest = *history->steps[drop++];
    history->records -= oldest.removed.size() + oldest.added.size();
  }
  history->steps.erase(history->steps.begin(),
                       history->steps.begin() + static_cast<std::ptrdiff_t>(drop));
  return history;
}

std::vector<const ZoneStep*> StepsSince(const Zone& zone, uint32_t serial) {
  std::vector<const ZoneStep*> out;
  if (zone.history == nullptr) return out;
  const auto& steps = zone.history->steps;
  auto first = std::find_if(steps.begin(), steps.end(),
                            [serial](const auto& s) { return s->from == serial; });
  for (auto it = first; it != steps.end(); ++it) out.push_back(it->get());
  if (!out.empty() && out.back()->to != zone.serial) out.clear();  // not this zone's history
  return out;
}

}  // namespace steer::dns::auth
