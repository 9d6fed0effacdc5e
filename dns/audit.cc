#include "steer/dns/audit.h"

namespace steer::dns {

const char* ChangeOutcomeName(ChangeOutcome outcome) {
  switch (outcome) {
    case ChangeOutcome::kUnchanged:
      return "unchanged";
    case ChangeOutcome::kApplied:
      return "applied";
    case ChangeOutcome::kRefused:
      return "refused";
    case ChangeOutcome::kFailed:
      return "failed";
  }
  return "unknown";
}

}  // namespace steer::dns
