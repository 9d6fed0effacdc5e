#pragma once

// One worker's event loop: an Asio io_context that also drives a libcurl multi handle through
// the multi socket API (CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION; curl's sockets are watched
// with posix::stream_descriptor, no polling loop). Not thread-safe: used from the thread that
// runs io(), except that io().stop() and post() may be called from anywhere.

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace steer::probes {

class EventLoop {
 public:
  // Called once per finished easy handle, with curl's result code.
  using TransferDone = std::function<void(CURLcode)>;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  boost::asio::io_context& io() { return io_; }

  // Adds a configured easy handle; `done` runs on this loop once the transfer finished (the
  // handle is already removed from the multi handle then). Returns false if curl refused it.
  bool AddTransfer(CURL* easy, TransferDone done);
  // Removes a transfer without calling its `done` (used when a prober is destroyed).
  void RemoveTransfer(CURL* easy);

  // Easy handles are pooled per loop, so memory follows the probes in flight rather than the
  // number of targets. A released handle is curl_easy_reset() (its options are gone).
  CURL* AcquireEasy();
  void ReleaseEasy(CURL* easy);

 private:
  struct Socket;

  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* userp, void* socketp);
  static int OnTimer(CURLM* multi, long timeout_ms, void* userp);
  void Watch(const std::shared_ptr<Socket>& s);
  void ArmWait(const std::shared_ptr<Socket>& s, bool read);
  void Action(curl_socket_t fd, int ev_bitmask);
  void DrainMessages();

  boost::asio::io_context io_;
  CURLM* multi_ = nullptr;
  boost::asio::steady_timer timer_;
  std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets_;
  std::unordered_map<CURL*, TransferDone> transfers_;
  std::vector<CURL*> idle_easy_;
  bool timer_armed_ = false;
  bool kick_posted_ = false;
};

}  // namespace steer::probes
