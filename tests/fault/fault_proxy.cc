#include "fault_proxy.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "steer/base/http_client.h"

namespace steer::fault {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::pair<FaultKind, const char*> kNames[] = {
    {FaultKind::kForward, "forward"}, {FaultKind::kStatus, "status"},
    {FaultKind::kSlow, "slow"},       {FaultKind::kLateAnswer, "late_answer"},
    {FaultKind::kReset, "reset"},     {FaultKind::kResetAfter, "reset_after"},
    {FaultKind::kGarbage, "garbage"}, {FaultKind::kSwallow, "swallow"},
};

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response MakeResponse(int status, std::string content_type, std::string body) {
  Response response{static_cast<http::status>(status), 11};
  if (!content_type.empty()) response.set(http::field::content_type, content_type);
  response.keep_alive(false);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace

const char* FaultKindName(FaultKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "?";
}

Result<FaultKind> ParseFaultKind(const std::string& name) {
  for (const auto& [k, n] : kNames) {
    if (name == n) return k;
  }
  return MakeError(ErrorCode::kInvalidArgument, "unknown fault kind '" + name + "'");
}

struct FaultProxy::State {
  std::string upstream;
  net::io_context io;
  tcp::acceptor acceptor{io};
  uint16_t port = 0;
  std::thread accept_thread;
  mutable std::mutex mu;
  std::condition_variable stop_cv;
  bool stopping = false;                                 // guarded by mu
  std::vector<std::thread> connections;                  // guarded by mu
  std::map<std::string, std::deque<ProxyFault>> script;  // guarded by mu
  std::vector<ProxyLogEntry> log;                        // guarded by mu

  void AcceptLoop();
  void Serve(tcp::socket socket);
  ProxyFault Next(const std::string& method);
  // Sleeps up to `d`; false when the proxy stops meanwhile.
  bool Pause(std::chrono::milliseconds d);
  Response Forward(const Request& request, ProxyLogEntry& entry);
  Response Control(const Request& request);
  std::string LogLines() const;  // GET /_fault/log: one JSON object per line
  std::optional<Response> Apply(const ProxyFault& fault, const Request& request,
                                ProxyLogEntry& entry);
};

void FaultProxy::State::AcceptLoop() {
  while (true) {
    boost::system::error_code ec;
    tcp::socket socket(io);
    acceptor.accept(socket, ec);
    std::lock_guard<std::mutex> lock(mu);
    if (stopping) return;
    if (ec) continue;
    connections.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
  }
}

ProxyFault FaultProxy::State::Next(const std::string& method) {
  std::lock_guard<std::mutex> lock(mu);
  for (const std::string& key : {method, std::string("*")}) {
    auto it = script.find(key);
    if (it == script.end() || it->second.empty()) continue;
    ProxyFault fault = it->second.front();
    it->second.pop_front();
    return fault;
  }
  return ProxyFault{};
}

bool FaultProxy::State::Pause(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu);
  return !stop_cv.wait_for(lock, d, [this] { return stopping; });
}

Response FaultProxy::State::Forward(const Request& request, ProxyLogEntry& entry) {
  base::HttpRequest out;
  out.method = std::string(request.method_string());
  out.url = upstream + std::string(request.target());
  for (const auto& field : request) {
    std::string name(field.name_string());
    if (http::field::host == field.name() || http::field::connection == field.name() ||
        http::field::content_length == field.name()) {
      continue;
    }
    out.headers.emplace_back(name, std::string(field.value()));
  }
  out.body = request.body();
  out.timeout = std::chrono::seconds(30);
  entry.forwarded = true;
  Result<base::HttpResponse> answer = base::SendHttp(out);
  if (!answer) return MakeResponse(502, "text/plain", answer.error().message);
  entry.upstream_status = answer->status;
  Response response = MakeResponse(answer->status, answer->Header("Content-Type"), "");
  if (answer->status != 204 && answer->status != 304) {
    response.body() = answer->body;
    response.prepare_payload();
  }
  return response;
}

std::string FaultProxy::State::LogLines() const {
  std::string lines;
  std::lock_guard<std::mutex> lock(mu);
  for (const ProxyLogEntry& e : log) {
    auto ms = [](Clock::time_point t) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    };
    lines += nlohmann::json{{"method", e.method},
                            {"target", e.target},
                            {"fault", FaultKindName(e.fault)},
                            {"forwarded", e.forwarded},
                            {"upstream_status", e.upstream_status},
                            {"arrived_ms", ms(e.arrived)},
                            {"answered_ms", ms(e.answered)}}
                 .dump() +
             "\n";
  }
  return lines;
}

Response FaultProxy::State::Control(const Request& request) {
  if (request.method() == http::verb::get && request.target() == "/_fault/log") {
    return MakeResponse(200, "application/x-ndjson", LogLines());
  }
  if (request.method() != http::verb::post || request.target() != "/_fault/script") {
    return MakeResponse(404, "text/plain", "unknown control endpoint\n");
  }
  nlohmann::json doc = nlohmann::json::parse(request.body(), nullptr, false);
  std::vector<ProxyFault> faults;
  try {
    for (const auto& f : doc.at("faults")) {
      ProxyFault fault;
      Result<FaultKind> kind = ParseFaultKind(f.at("kind").get<std::string>());
      if (!kind) return MakeResponse(400, "text/plain", kind.error().message + "\n");
      fault.kind = *kind;
      fault.status = f.value("status", 503);
      fault.retry_after = f.value("retry_after", "");
      fault.delay = std::chrono::milliseconds(f.value("delay_ms", 0));
      faults.push_back(fault);
    }
    std::lock_guard<std::mutex> lock(mu);
    auto& queue = script[doc.at("method").get<std::string>()];
    queue.insert(queue.end(), faults.begin(), faults.end());
  } catch (const nlohmann::json::exception& e) {
    return MakeResponse(400, "text/plain", std::string("bad script: ") + e.what() + "\n");
  }
  return MakeResponse(200, "application/json", "{}");
}

// The answer to write, or nullopt to reset the connection.
std::optional<Response> FaultProxy::State::Apply(const ProxyFault& fault, const Request& request,
                                                 ProxyLogEntry& entry) {
  switch (fault.kind) {
    case FaultKind::kStatus: {
      Response response =
          MakeResponse(fault.status, "application/json", R"({"error":"injected fault"})");
      if (!fault.retry_after.empty()) response.set(http::field::retry_after, fault.retry_after);
      return response;
    }
    case FaultKind::kGarbage:
      return MakeResponse(200, "application/json", R"({"rrsets": [{"name": <garbage)");
    case FaultKind::kSwallow:
      return MakeResponse(204, "", "");
    case FaultKind::kReset:
      return std::nullopt;
    case FaultKind::kSlow:
      if (!Pause(fault.delay)) return std::nullopt;
      return Forward(request, entry);
    case FaultKind::kLateAnswer: {
      Response response = Forward(request, entry);
      if (!Pause(fault.delay)) return std::nullopt;
      return response;
    }
    case FaultKind::kResetAfter:
      Forward(request, entry);
      return std::nullopt;
    case FaultKind::kForward:
      return Forward(request, entry);
  }
  return std::nullopt;
}

void FaultProxy::State::Serve(tcp::socket socket) {
  timeval limit{10, 0};  // a client that sends nothing does not hold Stop() for long
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  boost::beast::flat_buffer buffer;
  Request request;
  boost::system::error_code ec;
  http::read(socket, buffer, request, ec);
  if (ec) return;
  std::optional<Response> response;
  if (std::string(request.target()).rfind("/_fault/", 0) == 0) {
    response = Control(request);
    http::write(socket, *response, ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    return;
  }
  ProxyLogEntry entry;
  entry.method = std::string(request.method_string());
  entry.target = std::string(request.target());
  entry.arrived = Clock::now();
  ProxyFault fault = Next(entry.method);
  entry.fault = fault.kind;
  size_t index = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    index = log.size();
    log.push_back(entry);
  }
  response = Apply(fault, request, entry);
  // Stamped before the answer leaves: the client may read it (and start its Retry-After wait)
  // before a write that returns late on a loaded host, so a stamp taken after the write made
  // an honoured Retry-After look 1-2 ms short (ProviderFaultsTest, CI).
  entry.answered = Clock::now();
  if (response) {
    http::write(socket, *response, ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
  } else {
    socket.set_option(net::socket_base::linger(true, 0), ec);  // close sends RST
    socket.close(ec);
  }
  std::lock_guard<std::mutex> lock(mu);
  log[index] = entry;
}

FaultProxy::FaultProxy(std::unique_ptr<State> state) : state_(std::move(state)) {}

FaultProxy::~FaultProxy() { Stop(); }

Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(std::string upstream) {
  auto state = std::make_unique<State>();
  state->upstream = std::move(upstream);
  boost::system::error_code ec;
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return MakeError(ErrorCode::kIo, "fault proxy: listen on 127.0.0.1: " + ec.message());
  state->port = state->acceptor.local_endpoint().port();
  state->accept_thread = std::thread([s = state.get()] { s->AcceptLoop(); });
  return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(state)));
}

uint16_t FaultProxy::port() const { return state_->port; }

std::string FaultProxy::url() const { return "http://127.0.0.1:" + std::to_string(port()); }

void FaultProxy::Script(const std::string& method, std::vector<ProxyFault> faults) {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto& queue = state_->script[method];
  queue.insert(queue.end(), faults.begin(), faults.end());
}

std::vector<ProxyLogEntry> FaultProxy::Log() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->log;
}

int FaultProxy::Count(const std::string& method, bool forwarded_only) const {
  int n = 0;
  for (const ProxyLogEntry& e : Log()) {
    if (e.method == method && (!forwarded_only || e.forwarded)) ++n;
  }
  return n;
}

void FaultProxy::Stop() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopping) return;
    state_->stopping = true;
  }
  state_->stop_cv.notify_all();
  boost::system::error_code ec;
  tcp::socket wake(state_->io);  // unblocks accept()
  wake.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), state_->port), ec);
  state_->accept_thread.join();
  wake.close(ec);
  state_->acceptor.close(ec);
  std::vector<std::thread> connections;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    connections.swap(state_->connections);
  }
  for (std::thread& t : connections) t.join();
}

}  // namespace steer::fault
