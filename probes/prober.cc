#include "steer/probes/prober.h"

#include "dns_prober.h"
#include "event_loop.h"
#include "http_prober.h"
#include "tcp_prober.h"
#include "tls_prober.h"

namespace steer::probes {

Result<std::unique_ptr<Prober>> MakeProber(const Target& target, EventLoop& loop) {
  if (target.probe.timeout.count() <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "timeout must be positive");
  }
  switch (target.probe.type) {
    case config::ProbeType::kHttp:
      return HttpProber::Create(target, loop);
    case config::ProbeType::kTcp:
      return TcpProber::Create(target, loop);
    case config::ProbeType::kDns:
      return DnsProber::Create(target, loop);
    case config::ProbeType::kTls:
      return TlsProber::Create(target, loop);
  }
  return MakeError(ErrorCode::kInvalidArgument, "unknown probe type");
}

Observation ProbeOnce(const Target& target, const std::string& vantage) {
  Observation out;
  out.target_id = target.id;
  out.vantage = vantage;
  out.time = std::chrono::system_clock::now();
  EventLoop loop;
  {
    auto prober = MakeProber(target, loop);
    if (!prober) {
      out.error = ErrorClass::kInternal;
      out.message = prober.error().message;
      return out;
    }
    (*prober)->Start([&out](Observation obs) {
      obs.target_id = out.target_id;
      obs.vantage = out.vantage;
      obs.time = out.time;
      out = std::move(obs);
    });
    loop.io().run();
  }
  return out;
}

}  // namespace steer::probes
