#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "systemd_notify.h"

namespace steer::agent {
namespace {

// A datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  NotifySocket() {
    char tmpl[] = "/tmp/steer-notify-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/notify";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~NotifySocket() {
    close(fd_);
    std::filesystem::remove_all(dir_);
  }
  const std::string& path() const { return path_; }
  // Every datagram received so far, in order.
  std::vector<std::string> Drain() {
    std::vector<std::string> out;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd_, buf, sizeof buf, 0)) > 0) out.emplace_back(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  std::string dir_, path_;
  int fd_;
};

class SystemdNotifyTest : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
  }
};

TEST_F(SystemdNotifyTest, SendsReadyStatusWatchdogStopping) {
  NotifySocket sock;
  setenv("NOTIFY_SOCKET", sock.path().c_str(), 1);
  setenv("WATCHDOG_USEC", "2000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  SystemdNotifier n;
  EXPECT_EQ(n.ping_interval(), std::chrono::seconds(1));
  n.Ready("serving 2 services\nfine");
  n.Status("failover login a -> b");
  auto t0 = SystemdNotifier::Clock::time_point(std::chrono::seconds(100));
  n.MaybePetWatchdog(t0);
  n.MaybePetWatchdog(t0 + std::chrono::milliseconds(500));  // too soon: suppressed
  n.MaybePetWatchdog(t0 + std::chrono::milliseconds(1000));
  n.Stopping();
  EXPECT_EQ(sock.Drain(), (std::vector<std::string>{"READY=1\nSTATUS=serving 2 services fine",
                                                    "STATUS=failover login a -> b", "WATCHDOG=1",
                                                    "WATCHDOG=1", "STOPPING=1"}));
}

TEST_F(SystemdNotifyTest, WatchdogOffWithoutEnvironment) {
  SystemdNotifier n;
  EXPECT_EQ(n.ping_interval().count(), 0);
  n.Ready("no systemd here");  // must not fail or block
}

// `systemd-analyze verify` on the shipped unit, with ExecStart pointed at an executable that
// exists here (verify checks the binary path; the unit's keys are what is under test).
std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int Verify(const std::string& unit_text) {
  char tmpl[] = "/tmp/steer-unit-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/steerd.service";
  std::ofstream(path) << unit_text;
  // The service Requires= its socket unit; verify finds it beside the service.
  const char* src = std::getenv("STEER_SOURCE_DIR");
  std::string socket = dir + "/steerd.socket";
  std::ofstream(socket) << ReadFile(std::string(src ? src : ".") + "/packaging/steerd.socket");
  pid_t pid = fork();
  if (pid == 0) {
    execlp("systemd-analyze", "systemd-analyze", "verify", socket.c_str(), path.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::filesystem::remove_all(dir);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string UnitWithExec(const std::string& exe) {
  const char* src = std::getenv("STEER_SOURCE_DIR");
  std::string text = ReadFile(std::string(src ? src : ".") + "/packaging/steerd.service");
  size_t at = text.find("/usr/bin/steerd");
  if (at != std::string::npos) text.replace(at, std::string("/usr/bin/steerd").size(), exe);
  return text;
}

TEST(SteerdUnitTest, SystemdAnalyzeVerifyPasses) {
  std::string self = std::filesystem::read_symlink("/proc/self/exe");
  std::string unit = UnitWithExec(self);
  ASSERT_NE(unit.find("ExecStart=" + self), std::string::npos);
  EXPECT_EQ(Verify(unit), 0);
  // verify really checks: a missing binary fails it.
  EXPECT_NE(Verify(UnitWithExec("/nonexistent/steerd")), 0);
}

TEST(SteerdUnitTest, CarriesTheHardening) {
  std::string unit = UnitWithExec("/usr/bin/steerd");
  for (const char* line :
       {"Type=notify\n", "WatchdogSec=", "StateDirectory=steer\n", "User=steer\n",
        "ProtectSystem=strict\n", "NoNewPrivileges=yes\n", "CapabilityBoundingSet=\n",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n", "SystemCallFilter=@system-service\n",
        "ExecReload=/bin/kill -HUP $MAINPID\n"}) {
    EXPECT_NE(unit.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace steer::agent
