#include "event_loop.h"

#include <boost/asio/post.hpp>
#include <mutex>
#include <utility>

namespace steer::probes {

namespace asio = boost::asio;

namespace {

constexpr size_t kMaxIdleEasy = 256;

// curl_global_init() is not guaranteed thread-safe, and workers create easy handles on their
// own threads: initialise once, before any of them runs.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

// One socket curl asked us to watch. `what` is curl's current wish (CURL_POLL_*); the waits
// re-arm themselves while the wish lasts. `gone` turns pending handlers into no-ops once
// curl dropped the socket (it may close the fd right after).
struct EventLoop::Socket {
  Socket(asio::io_context& io, curl_socket_t f) : fd(f), desc(io, f) {}
  curl_socket_t fd;
  asio::posix::stream_descriptor desc;
  int what = CURL_POLL_NONE;
  bool read_armed = false;
  bool write_armed = false;
  bool gone = false;
};

EventLoop::EventLoop() : multi_((InitCurlOnce(), curl_multi_init())), timer_(io_) {
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &EventLoop::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &EventLoop::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

EventLoop::~EventLoop() {
  for (auto& [easy, done] : transfers_) curl_multi_remove_handle(multi_, easy);
  transfers_.clear();
  curl_multi_cleanup(multi_);  // may still report CURL_POLL_REMOVE through OnSocket
  for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
  for (auto& [fd, s] : sockets_) {
    s->gone = true;
    s->desc.release();
  }
  sockets_.clear();
}

bool EventLoop::AddTransfer(CURL* easy, TransferDone done) {
  transfers_[easy] = std::move(done);
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    transfers_.erase(easy);
    return false;
  }
  return true;
}

void EventLoop::RemoveTransfer(CURL* easy) {
  if (transfers_.erase(easy) > 0) curl_multi_remove_handle(multi_, easy);
}

CURL* EventLoop::AcquireEasy() {
  if (idle_easy_.empty()) return curl_easy_init();
  CURL* easy = idle_easy_.back();
  idle_easy_.pop_back();
  return easy;
}

void EventLoop::ReleaseEasy(CURL* easy) {
  if (easy == nullptr) return;
  RemoveTransfer(easy);
  // Keep enough idle handles for a normal load; a burst of slow probes (each holding ~20 KB
  // of curl state) must not pin its peak memory forever.
  if (idle_easy_.size() >= kMaxIdleEasy) {
    curl_easy_cleanup(easy);
    return;
  }
  curl_easy_reset(easy);
  idle_easy_.push_back(easy);
}

int EventLoop::OnSocket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
  auto* self = static_cast<EventLoop*>(userp);
  auto it = self->sockets_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (it != self->sockets_.end()) {
      it->second->gone = true;
      it->second->desc.release();  // curl owns the fd; only stop watching it
      self->sockets_.erase(it);
    }
    return 0;
  }
  if (it == self->sockets_.end()) {
    it = self->sockets_.emplace(fd, std::make_shared<Socket>(self->io_, fd)).first;
  }
  it->second->what = what;
  self->Watch(it->second);
  return 0;
}

void EventLoop::Watch(const std::shared_ptr<Socket>& s) {
  bool want_read = s->what == CURL_POLL_IN || s->what == CURL_POLL_INOUT;
  bool want_write = s->what == CURL_POLL_OUT || s->what == CURL_POLL_INOUT;
  if (want_read && !s->read_armed) ArmWait(s, true);
  if (want_write && !s->write_armed) ArmWait(s, false);
}

void EventLoop::ArmWait(const std::shared_ptr<Socket>& s, bool read) {
  (read ? s->read_armed : s->write_armed) = true;
  auto kind =
      read ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write;
  s->desc.async_wait(kind, [this, s, read](const boost::system::error_code& ec) {
    (read ? s->read_armed : s->write_armed) = false;
    if (s->gone || ec == asio::error::operation_aborted) return;
    bool wanted = read ? (s->what & CURL_POLL_IN) != 0 : (s->what & CURL_POLL_OUT) != 0;
    if (!wanted) return;  // curl changed its wish since this wait was armed
    int ev = ec ? CURL_CSELECT_ERR : (read ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
    Action(s->fd, ev);
    // curl may have changed its wish (or dropped the socket) inside Action().
    if (!s->gone) Watch(s);
  });
}

int EventLoop::OnTimer(CURLM*, long timeout_ms, void* userp) {
  auto* self = static_cast<EventLoop*>(userp);
  // Never call curl_multi_socket_action() from inside a curl callback: defer it. Re-arming
  // the timer reprograms the kernel timer (costly in a VM), so "now" is a post() and an
  // unchanged deadline is left alone.
  if (timeout_ms <= 0) {
    if (self->timer_armed_) self->timer_.cancel();
    self->timer_armed_ = false;
    if (timeout_ms == 0 && !self->kick_posted_) {
      self->kick_posted_ = true;
      boost::asio::post(self->io_, [self] {
        self->kick_posted_ = false;
        self->Action(CURL_SOCKET_TIMEOUT, 0);
      });
    }
    return 0;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  if (self->timer_armed_) {
    auto delta = deadline - self->timer_.expiry();
    if (delta < std::chrono::milliseconds(1) && delta > -std::chrono::milliseconds(1)) return 0;
  }
  self->timer_armed_ = true;
  self->timer_.expires_at(deadline);
  self->timer_.async_wait([self](const boost::system::error_code& ec) {
    if (ec) return;
    self->timer_armed_ = false;
    self->Action(CURL_SOCKET_TIMEOUT, 0);
  });
  return 0;
}

void EventLoop::Action(curl_socket_t fd, int ev_bitmask) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, ev_bitmask, &running);
  DrainMessages();
}

void EventLoop::DrainMessages() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    CURLcode result = msg->data.result;
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) continue;
    TransferDone done = std::move(it->second);
    transfers_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    done(result);
  }
}

}  // namespace steer::probes
