#include "steer/testsupport/named_server.h"

#include <unistd.h>

#include <algorithm>
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
    : options_(std::move(options)),
      dir_("steer-named"),
      secret_(options_.tsig_secret.empty() ? RandomSecret() : options_.tsig_secret) {
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
          "\"; recursion no; dnssec-validation no; notify-delay 0; reuseport no; "
          "allow-transfer { 127.0.0.0/8; }; notify-source 127.0.0.1; "
          "transfer-source 127.0.0.1; };\ncontrols { };\n";
  for (const auto& zone : options_.zones) {
    std::string name = Bare(zone.name);
    conf += "zone \"" + name + "\" { file \"" + dir_.File(name + ".zone") + "\"; ";
    if (options_.primary_port != 0) {
      conf += "type secondary; primaries { 127.0.0.1 port " +
              std::to_string(options_.primary_port) +
              (options_.primary_tsig ? " key \"" + options_.key_name + "\"" : "") + "; }; ";
      if (options_.primary_tsig) conf += "notify no; ";
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
    size_t from = Log().size();  // a restarted server appends to the same log
    auto fresh = [&] { return Log().substr(std::min(from, Log().size())); };
    process_ = std::make_unique<ChildProcess>(argv, dir_.File("named.log"));
    // An open port alone is not proof: between FreePort() and named's bind another test's
    // server can take the port. BIND binds with SO_REUSEPORT by default, so both would then
    // listen and the kernel would split queries between them (seen in CI: a BADSIG from
    // another test's named, which has another TSIG secret). With `reuseport no` named logs
    // "address in use" instead and keeps running without the port; it logs "running" once
    // it has bound every listener.
    bool up = WaitUntil(
        [&] { return !process_->Running() || fresh().find(" running\n") != std::string::npos; },
        std::chrono::milliseconds(10000));
    bool stolen = fresh().find("address in use") != std::string::npos;
    if (up && process_->Running() && !stolen && TcpPortOpen(port_)) return;
    process_.reset();
  }
  throw std::runtime_error("named did not start; log:\n" + Log());
}

void NamedServer::Stop() { process_.reset(); }

}  // namespace steer::testsupport
