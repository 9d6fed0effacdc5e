#include "steer/testsupport/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "steer/testsupport/orphans.h"

extern char** environ;

namespace steer::testsupport {
namespace {

std::runtime_error Failure(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  ReapOrphansOnce();
  if (mkdtemp(templ.data()) == nullptr) throw Failure("mkdtemp " + templ);
  path_ = templ;
  RecordOwner(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  ForgetOwner(path_);
}

std::string TempDir::File(const std::string& name) const { return path_ + "/" + name; }

std::string TempDir::Write(const std::string& name, const std::string& text) const {
  std::string path = File(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

uint16_t FreePort() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = Loopback(0);
    socklen_t len = sizeof(addr);
    if (tcp < 0 || bind(tcp, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        getsockname(tcp, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      if (tcp >= 0) close(tcp);
      throw Failure("bind a free TCP port");
    }
    uint16_t port = ntohs(addr.sin_port);
    // The same number must be free for UDP too (DNS servers bind both).
    int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in uaddr = Loopback(port);
    bool ok = udp >= 0 && bind(udp, reinterpret_cast<sockaddr*>(&uaddr), sizeof(uaddr)) == 0;
    if (udp >= 0) close(udp);
    close(tcp);
    if (ok) return port;
  }
  throw std::runtime_error("no free port found");
}

bool TcpPortOpen(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr = Loopback(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_file)
    : ChildProcess(argv, log_file, -1) {}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_file,
                           int listen_fd) {
  std::vector<std::string> command = argv;
  if (listen_fd >= 0) {
    // $$ is the shell's PID, which exec keeps.
    command.insert(command.begin(),
                   {"/bin/sh", "-c", "export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$@\"", "sh"});
  }
  std::vector<char*> args;
  for (const auto& a : command) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // dup2 onto 3 clears close-on-exec, except from 3 itself: move it first.
  int source = listen_fd == 3 ? fcntl(listen_fd, F_DUPFD_CLOEXEC, 4) : listen_fd;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (source >= 0) posix_spawn_file_actions_adddup2(&actions, source, 3);
  int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (source != listen_fd) close(source);
  if (rc != 0) {
    errno = rc;
    throw Failure("posix_spawn " + argv[0]);
  }
}

ChildProcess::~ChildProcess() { Stop(); }

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    wait_status_ = status;
    return false;
  }
  return true;
}

void ChildProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);
  kill(pid_, SIGTERM);
  bool exited = WaitUntil([&] { return !Running(); }, std::chrono::milliseconds(5000));
  if (!exited && pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_) wait_status_ = status;
  }
  pid_ = -1;
}

void ChildProcess::Pause() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void ChildProcess::Resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string FindExecutable(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = dir + "/" + name;
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace steer::testsupport

namespace steer::testsupport {

int RunCommand(const std::vector<std::string>& argv, const std::string& log_file,
               std::chrono::milliseconds timeout) {
  ChildProcess child(argv, log_file);
  pid_t pid = child.pid();
  int status = 0;
  bool done = WaitUntil(
      [&] {
        pid_t r = waitpid(pid, &status, WNOHANG);
        return r == pid;
      },
      timeout);
  if (!done) return -1;  // ~ChildProcess kills it
  // Reaped here: keep the destructor from signalling a recycled PID.
  child.Release();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace steer::testsupport
