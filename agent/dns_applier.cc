#include "dns_applier.h"

#include "steer/base/log.h"
#include "steer/dns/rrset.h"

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
  if (deps_.on_new_desired) deps_.on_new_desired();
}

ApplyStatus DnsApplier::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void DnsApplier::SetPhase(const std::string& phase, const std::string& error) {
  std::lock_guard lock(mu_);
  status_.phase = phase;
  status_.last_error = error;
  if (phase == "retrying") status_.done = false;  // a failed recheck: no longer served
}

bool DnsApplier::Pause(milliseconds d, uint64_t generation) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stop_ || generation_ != generation; });
  return !stop_ && generation_ == generation;
}

bool DnsApplier::HoldForInFlight() {
  SetPhase("waiting",
           "the previous steerd's last change may still land: no write before its provider "
           "timeout has passed");
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, deps_.not_before, [&] { return stop_; });
  return !stop_;
}

bool DnsApplier::WaitForWork(uint64_t* gen, std::string* region, dns::RRset* rrset) {
  while (true) {
    uint64_t done_gen = 0;
    {
      std::unique_lock lock(mu_);
      auto work = [&] { return stop_ || (desired_ && generation_ != applied_generation_); };
      if (deps_.recheck_interval.count() > 0 && desired_) {
        cv_.wait_for(lock, deps_.recheck_interval, work);
      } else {
        cv_.wait(lock, work);
      }
      if (stop_) return false;
      *gen = generation_;
      *rrset = *desired_;
      *region = status_.region;
      if (generation_ != applied_generation_) return true;
      done_gen = generation_;
    }
    Recheck(done_gen, *region, *rrset);  // the interval passed with nothing new to write
  }
}

void DnsApplier::Run() {
  uint64_t gen = 0;
  dns::RRset rrset;
  std::string region;
  while (WaitForWork(&gen, &region, &rrset)) {
    if (std::chrono::steady_clock::now() < deps_.not_before) {
      if (!HoldForInFlight()) break;
      continue;  // the desired state may have changed meanwhile
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

// The applied desired state, read back and verified again; a failure is retried like a change.
void DnsApplier::Recheck(uint64_t gen, const std::string& region, const dns::RRset& rrset) {
  if (deps_.fence && !deps_.fence()) return;  // not this agent's to write (any more)
  if (Attempt(gen, region, rrset, /*recheck=*/true)) return;
  milliseconds backoff(200);
  do {
    if (!Pause(backoff, gen)) return;
    backoff = std::min(backoff * 2, milliseconds(5000));
  } while (!Attempt(gen, region, rrset));
}

// True when done (applied and verified) or superseded; false to retry. A recheck reports
// only what it had to correct.
bool DnsApplier::Attempt(uint64_t gen, const std::string& region, const dns::RRset& rrset,
                         bool recheck) {
  auto fail = [&](const std::string& error) {
    SetPhase("retrying", error);
    base::Logger("agent")->warn("{} {} via {}: {}", rrset.name, rrset.type, deps_.provider, error);
    if (deps_.on_error) deps_.on_error(error);
    return false;
  };
  if (!recheck) SetPhase("writing");
  auto written = deps_.writer->Replace(zone_, rrset, deps_.fence);
  if (!written) return fail(written.error().message);
  bool drifted = recheck && written->outcome == dns::ChangeOutcome::kApplied;
  if (drifted) ReportDrift(region, *written);
  bool report = !recheck || drifted;
  if (report && deps_.on_written) deps_.on_written(region, *written);
  if (report) SetPhase("verifying");
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
    if (!status_.done || report) status_.done_at = std::chrono::steady_clock::now();
    status_.phase = "done";
    status_.done = true;
    status_.last_error.clear();
  }
  if (report && deps_.on_propagated) {
    deps_.on_propagated(region, took, static_cast<int>(servers_.size()));
  }
  return true;
}

// The provider served something else than the decision; the recheck wrote it back.
void DnsApplier::ReportDrift(const std::string& region, const dns::WriteResult& w) {
  base::Logger("agent")->warn("{} {} via {}: drift: found {}, wrote the decision back",
                              w.after.name, w.after.type, deps_.provider,
                              w.before ? dns::ToString(*w.before) : "(none)");
  {
    std::lock_guard lock(mu_);
    status_.done = false;  // it did not serve the decision: verified again
  }
  if (deps_.on_drift) deps_.on_drift(region, w);
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
