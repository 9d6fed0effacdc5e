#include "steer/testsupport/orphans.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace steer::testsupport {
namespace {

// DIR's owner is recorded beside it, in DIR.owner: inside, it would be one more file in a
// directory whose contents some tests check.
std::filesystem::path OwnerFile(const std::filesystem::path& dir) {
  return dir.string() + ".owner";
}

// Field 22 of /proc/PID/stat (start time in clock ticks since boot): with the pid, it names
// a process even after the pid is reused. "" when the process is gone or a zombie (dead, not
// yet waited for).
std::string StartTime(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');  // the command name may contain spaces
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3 && field == "Z") return "";
  }
  return field;
}

std::string CommandLine(const std::filesystem::path& proc) {
  std::ifstream in(proc / "cmdline");
  std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& c : cmd) {
    if (c == '\0') c = ' ';
  }
  return cmd;
}

bool OwnerAlive(const std::filesystem::path& dir) {
  std::ifstream in(OwnerFile(dir));
  pid_t pid = 0;
  std::string start;
  if (!(in >> pid >> start)) return true;  // not ours, or being written: leave it
  return StartTime(pid) == start;
}

void KillNaming(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::atoi(name.c_str());
    if (pid == getpid()) continue;
    if (CommandLine(e.path()).find(dir) != std::string::npos) kill(pid, SIGKILL);
  }
}

}  // namespace

void RecordOwner(const std::string& dir) {
  std::ofstream out(OwnerFile(dir));
  out << getpid() << " " << StartTime(getpid()) << "\n";
}

void ForgetOwner(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove(OwnerFile(dir), ec);
}

int ReapOrphans(const std::string& base) {
  int reaped = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(base, ec)) {
    const std::string name = e.path().filename();
    if (name.rfind("steer-", 0) != 0 || !e.is_directory(ec)) continue;
    if (!std::filesystem::exists(OwnerFile(e.path()), ec) || OwnerAlive(e.path())) continue;
    // "dir/" so that /tmp/steer-x does not match /tmp/steer-xy.
    KillNaming(e.path().string() + "/");
    std::filesystem::remove_all(e.path(), ec);
    std::filesystem::remove(OwnerFile(e.path()), ec);
    ++reaped;
  }
  return reaped;
}

void ReapOrphansOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* base = std::getenv("TMPDIR");
    ReapOrphans(base && *base ? base : "/tmp");
  });
}

}  // namespace steer::testsupport
