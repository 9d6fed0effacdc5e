#include "dns_applier.h"

#include "steer/base/log.h"

namespace steer::agent {

using std::chrono::milliseconds;

DnsApplier::DnsApplier(std::string zone, std::vector<dns::NameServer> servers,
                       milliseconds propagation_timeout, ApplierDeps deps)
    : zone_(std::move(zone)),
      servers_(std::move(servers)),
      propagation_timeout_(propagation_timeout),
      deps_(std::move(deps)) {
  status_.total = static_cast<int>(servers_.size());
  worker_ = std::thread([this] { Run(); });
}

DnsApplier::~DnsApplier() { Stop(); }

void DnsApplier::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void DnsApplier::SetDesired(const std::string& region, const dns::RRset& rrset) {
  {
    std::lock_guard lock(mu_);
    if (desired_ && dns::SameRRset(*desired_, rrset)) return;
    desired_ = rrset;
    ++generation_;
    status_ =
        ApplyStatus{region, rrset.records, "writing",   0, static_cast<int>(servers_.size()), false,
                    "",     rrset.ttl,     std::nullopt};
  }
  cv_.notify_all();
}

ApplyStatus DnsApplier::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void DnsApplier::SetPhase(const std::string& phase, const std::string& error) {
  std::lock_guard lock(mu_);
  status_.phase = phase;
  status_.last_error = error;
}

bool DnsApplier::Pause(milliseconds d, uint64_t generation) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stop_ || generation_ != generation; });
  return !stop_ && generation_ == generation;
}

void DnsApplier::Run() {
  while (true) {
    uint64_t gen;
    dns::RRset rrset;
    std::string region;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || (desired_ && generation_ != applied_generation_); });
      if (stop_) return;
      gen = generation_;
      rrset = *desired_;
      region = status_.region;
    }
    milliseconds backoff(200);
    while (!Attempt(gen, region, rrset)) {
      if (!Pause(backoff, gen)) break;
      backoff = std::min(backoff * 2, milliseconds(5000));
    }
    std::lock_guard lock(mu_);
    if (generation_ == gen) applied_generation_ = gen;
  }
}

// True when done (applied and verified) or superseded; false to retry.
bool DnsApplier::Attempt(uint64_t gen, const std::string& region, const dns::RRset& rrset) {
  auto fail = [&](const std::string& error) {
    SetPhase("retrying", error);
    base::Logger("agent")->warn("{} {}: {}", rrset.name, rrset.type, error);
    if (deps_.on_error) deps_.on_error(error);
    return false;
  };
  SetPhase("writing");
  auto written = deps_.writer->Replace(zone_, rrset, deps_.fence);
  if (!written) return fail(written.error().message);
  if (deps_.on_written) deps_.on_written(region, *written);
  SetPhase("verifying");
  auto started = std::chrono::steady_clock::now();
  if (!Verify(gen, rrset)) {
    std::lock_guard lock(mu_);
    if (generation_ != gen || stop_) return true;  // superseded
    return false;
  }
  auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  {
    std::lock_guard lock(mu_);
    if (generation_ != gen) return true;
    status_.phase = "done";
    status_.done = true;
    status_.done_at = std::chrono::steady_clock::now();
    status_.last_error.clear();
  }
  if (deps_.on_propagated) deps_.on_propagated(region, took);
  return true;
}

// Asks every server in rounds until all answer `rrset`'s records, publishing the count.
bool DnsApplier::Verify(uint64_t gen, const dns::RRset& rrset) {
  auto deadline = std::chrono::steady_clock::now() + propagation_timeout_;
  while (true) {
    auto round = deps_.checker->Snapshot(rrset.name, rrset.type, servers_, milliseconds(500));
    int matching = 0;
    std::string lagging;
    for (const auto& r : round) {
      if (r.last_answer && dns::SameRecords(*r.last_answer, rrset)) {
        ++matching;
      } else if (lagging.empty()) {
        lagging = r.server.ToString() + (r.last_error.empty() ? "" : " (" + r.last_error + ")");
      }
    }
    {
      std::lock_guard lock(mu_);
      if (generation_ != gen || stop_) return false;
      status_.matching = matching;
    }
    if (matching == static_cast<int>(servers_.size())) return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      SetPhase("retrying", "propagation: " + std::to_string(matching) + "/" +
                               std::to_string(servers_.size()) + " nameservers; lagging " +
                               lagging);
      return false;
    }
    if (!Pause(milliseconds(50), gen)) return false;
  }
}

}  // namespace steer::agent
