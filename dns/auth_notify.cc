#include "auth_notify.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "dns_exchange.h"
#include "steer/base/log.h"

namespace steer::dns::auth {
namespace {

using Clock = std::chrono::steady_clock;

struct Target {
  NotifyTarget where;
  int fd = -1;
  bool pending = false;
  uint32_t serial = 0;
  int attempts = 0;
  Clock::time_point first_sent, next_send;
  uint16_t id = 0;
  internal::RdfPtr mac;          // of the NOTIFY being sent
  std::vector<uint8_t> message;  // sent again unchanged on retries: any answer to it counts
};

int OpenSocket(const NotifyTarget& t) {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, t.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(t.port);
    addr_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, t.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(t.port);
    addr_len = sizeof *v6;
  } else {
    return -1;
  }
  int fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

class UdpNotifier final : public Notifier {
 public:
  explicit UdpNotifier(NotifyOptions options) : options_(std::move(options)) {}
  ~UdpNotifier() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
    for (auto& t : targets_) close(t.fd);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  Result<void> Open() {
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) return MakeError(ErrorCode::kInternal, "NOTIFY: eventfd failed");
    for (const auto& where : options_.targets) {
      Target t;
      t.where = where;
      t.fd = OpenSocket(where);
      if (t.fd < 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         options_.who + ": cannot send NOTIFY to " + where.ToString());
      }
      targets_.push_back(std::move(t));
    }
    thread_ = std::thread([this] { Run(); });
    return {};
  }

  void Notify(uint32_t serial) override {
    {
      std::lock_guard lock(mu_);
      latest_ = serial;
      outstanding_ = !targets_.empty();
    }
    Wake();
  }

  Stats stats() const override {
    std::lock_guard lock(mu_);
    return stats_;
  }

  bool WaitIdle(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    return idle_cv_.wait_for(lock, timeout, [&] { return !outstanding_; });
  }

 private:
  void Wake() {
    uint64_t one = 1;
    if (write(wake_fd_, &one, sizeof one) < 0) return;  // the counter is already non-zero
  }

  void Run() {
    uint32_t working = 0;
    while (true) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
        if (latest_ != working) {
          working = latest_;
          for (auto& t : targets_) Reset(t, working);
        }
      }
      SendDue();
      bool idle = std::none_of(targets_.begin(), targets_.end(), [](auto& t) { return t.pending; });
      if (idle) {
        std::lock_guard lock(mu_);
        if (latest_ == working) outstanding_ = false;
        idle_cv_.notify_all();
      }
      Poll();
    }
  }

  void Reset(Target& t, uint32_t serial) {
    t.pending = true;
    t.serial = serial;
    t.attempts = 0;
    t.next_send = t.first_sent = Clock::now();
  }

  void SendDue() {
    auto now = Clock::now();
    for (auto& t : targets_) {
      if (!t.pending || now < t.next_send) continue;
      if (t.attempts >= options_.max_attempts) {
        base::Logger("dns")->warn("{}: NOTIFY {} serial {} to {}: no answer after {} tries",
                                  options_.who, options_.origin, t.serial, t.where.ToString(),
                                  t.attempts);
        t.pending = false;
        std::lock_guard lock(mu_);
        ++stats_.gave_up;
        continue;
      }
      Send(t, now);
    }
  }

  void Send(Target& t, Clock::time_point now) {
    if (t.attempts == 0) {
      auto wire = Build(t);
      t.message = wire ? std::move(*wire) : std::vector<uint8_t>{};
    }
    if (!t.message.empty() && send(t.fd, t.message.data(), t.message.size(), 0) < 0) {
      base::Logger("dns")->debug("{}: NOTIFY to {}: {}", options_.who, t.where.ToString(),
                                 std::strerror(errno));
    }
    if (t.attempts == 0) t.first_sent = now;
    t.next_send = now + options_.first_retry * (1 << std::min(t.attempts, 20));
    ++t.attempts;
    std::lock_guard lock(mu_);
    ++stats_.sent;
  }

  Result<std::vector<uint8_t>> Build(Target& t) {
    auto pkt = internal::MakeQuery(options_.origin, "SOA");
    if (!pkt) return tl::unexpected(pkt.error());
    ldns_pkt_set_opcode(pkt->get(), LDNS_PACKET_NOTIFY);
    ldns_pkt_set_aa(pkt->get(), true);
    t.id = static_cast<uint16_t>(random_());
    ldns_pkt_set_id(pkt->get(), t.id);
    if (options_.key) {
      if (auto ok = tsig::Sign(pkt->get(), *options_.key, nullptr); !ok) {
        base::Logger("dns")->error("{}: NOTIFY: {}", options_.who, ok.error().message);
        return tl::unexpected(ok.error());
      }
      t.mac.reset(ldns_rdf_clone(tsig::MacOf(pkt->get())));
    }
    return internal::ToWire(pkt->get());
  }

  void Poll() {
    std::vector<pollfd> fds = {{wake_fd_, POLLIN, 0}};
    auto deadline = Clock::time_point::max();
    for (auto& t : targets_) {
      fds.push_back({t.fd, POLLIN, 0});
      if (t.pending) deadline = std::min(deadline, t.next_send);
    }
    int timeout = -1;
    if (deadline != Clock::time_point::max()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    if (poll(fds.data(), fds.size(), timeout) <= 0) return;
    uint64_t drained;
    if ((fds[0].revents & POLLIN) != 0 && read(wake_fd_, &drained, sizeof drained) < 0) return;
    for (size_t i = 1; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLERR)) != 0) Receive(targets_[i - 1]);
    }
  }

  void Receive(Target& t) {
    std::vector<uint8_t> buf(65535);
    ssize_t n;
    while ((n = recv(t.fd, buf.data(), buf.size(), 0)) >= 0) {
      std::vector<uint8_t> reply(buf.begin(), buf.begin() + n);
      if (t.pending) Handle(t, reply);
    }
  }

  void Handle(Target& t, const std::vector<uint8_t>& wire) {
    auto pkt = internal::FromWire(wire);
    if (!pkt || !ldns_pkt_qr(pkt->get()) || ldns_pkt_id(pkt->get()) != t.id) return;
    std::string to = t.where.ToString();
    if (options_.key && !tsig::Verify(pkt->get(), wire, *options_.key, t.mac.get())) {
      base::Logger("dns")->warn("{}: NOTIFY answer from {} not signed with TSIG key {}: ignored",
                                options_.who, to, options_.key->name);
      return;
    }
    int rcode = ldns_pkt_get_rcode(pkt->get());
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t.first_sent);
    if (rcode != LDNS_RCODE_NOERROR) {
      base::Logger("dns")->warn("{}: NOTIFY {} serial {} to {}: answered {}", options_.who,
                                options_.origin, t.serial, to, internal::RcodeName(rcode));
    } else {
      base::Logger("dns")->info("{}: NOTIFY {} serial {} to {}: answered after {} ms", options_.who,
                                options_.origin, t.serial, to, ms.count());
    }
    t.pending = false;
    std::lock_guard lock(mu_);
    ++stats_.answered;
  }

  NotifyOptions options_;
  std::vector<Target> targets_;  // touched only by the thread once it runs
  int wake_fd_ = -1;
  std::mt19937 random_{std::random_device{}()};
  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  uint32_t latest_ = 0;
  bool outstanding_ = false;
  bool stop_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace

std::string NotifyTarget::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<std::unique_ptr<Notifier>> Notifier::Start(NotifyOptions options) {
  auto notifier = std::make_unique<UdpNotifier>(std::move(options));
  if (auto ok = notifier->Open(); !ok) return tl::unexpected(ok.error());
  return std::unique_ptr<Notifier>(std::move(notifier));
}

}  // namespace steer::dns::auth
