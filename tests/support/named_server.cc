#include "steer/testsupport/named_server.h"

#include <unistd.h>

#include <stdexcept>

#include "steer/testsupport/pdns_server.h"  // RandomSecret

namespace steer::testsupport {
namespace {

std::string Bare(const std::string& zone) {
  return !zone.empty() && zone.back() == '.' ? zone.substr(0, zone.size() - 1) : zone;
}

}  // namespace

std::string NamedZoneText(const NamedZone& zone) {
  return "$TTL 30\n$ORIGIN " + Bare(zone.name) +
         ".\n@ IN SOA ns1 hostmaster 1 60 60 600 30\n@ IN NS ns1\nns1 IN A 127.0.0.1\n" +
         zone.records + "\n";
}

NamedServer::NamedServer(NamedOptions options)
    : options_(std::move(options)), dir_("steer-named"), secret_(RandomSecret()) {
  for (const auto& zone : options_.zones) {
    if (options_.primary_port == 0) dir_.Write(Bare(zone.name) + ".zone", NamedZoneText(zone));
  }
  port_ = options_.port;
  Start();
}

NamedServer::~NamedServer() { Stop(); }

std::string NamedServer::ZoneFile(const std::string& zone) const {
  return dir_.File(Bare(zone) + ".zone");
}

std::string NamedServer::Log() const { return ReadFile(dir_.File("named.log")); }

void NamedServer::WriteConfig() {
  std::string conf = "key \"" + options_.key_name + "\" { algorithm " + options_.algorithm +
                     "; secret \"" + secret_ + "\"; };\n";
  conf += "options { directory \"" + dir_.path() + "\"; listen-on port " + std::to_string(port_) +
          " { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"" + dir_.File("named.pid") +
          "\"; session-keyfile \"" + dir_.File("session.key") +
          "\"; recursion no; dnssec-validation no; notify-delay 0; "
          "allow-transfer { 127.0.0.0/8; }; notify-source 127.0.0.1; "
          "transfer-source 127.0.0.1; };\ncontrols { };\n";
  for (const auto& zone : options_.zones) {
    std::string name = Bare(zone.name);
    conf += "zone \"" + name + "\" { file \"" + dir_.File(name + ".zone") + "\"; ";
    if (options_.primary_port != 0) {
      conf += "type secondary; primaries { 127.0.0.1 port " +
              std::to_string(options_.primary_port) + "; }; ";
    } else {
      conf += "type primary; update-policy { grant " + options_.key_name + " zonesub ANY; }; ";
      if (!options_.notify_ports.empty()) {
        conf += "notify explicit; also-notify { ";
        for (uint16_t p : options_.notify_ports) {
          conf += "127.0.0.1 port " + std::to_string(p) + "; ";
        }
        conf += "}; ";
      }
    }
    conf += "};\n";
  }
  dir_.Write("named.conf", conf);
}

void NamedServer::Start() {
  std::string binary = FindExecutable("named");
  if (binary.empty()) throw std::runtime_error("named not installed (scripts/setup)");
  bool fixed_port = options_.port != 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (port_ == 0 || (attempt > 0 && !fixed_port)) port_ = FreePort();
    WriteConfig();
    std::vector<std::string> argv = {binary, "-g", "-c", dir_.File("named.conf"), "-n", "1"};
    // As root, named would switch to the packaged `bind` user, who cannot write the temp dir.
    if (geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
    process_ = std::make_unique<ChildProcess>(argv, dir_.File("named.log"));
    bool up = WaitUntil([&] { return !process_->Running() || TcpPortOpen(port_); },
                        std::chrono::milliseconds(10000));
    if (up && process_->Running()) return;
    process_.reset();
  }
  throw std::runtime_error("named did not start; log:\n" + Log());
}

void NamedServer::Stop() { process_.reset(); }

}  // namespace steer::testsupport
