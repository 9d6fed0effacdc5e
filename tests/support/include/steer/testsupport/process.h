#pragma once

// Test helpers for running real servers: a temp directory removed on destruction, free
// loopback ports, and a child process that is always stopped (by its PID) when the owner
// goes away. Test-only code: failures throw std::runtime_error so a fixture's SetUp fails
// loudly. Not thread-safe; one owner per object.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace steer::testsupport {

// mkdtemp under $TMPDIR (or /tmp); removed recursively by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "steer-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string File(const std::string& name) const;
  // Writes `text` to File(name) and returns its path.
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

// A port that was free on 127.0.0.1 for both TCP and UDP a moment ago (bound to 0 and
// released). Servers that fail to bind it are restarted on another by the helpers.
uint16_t FreePort();

// True when a TCP connection to 127.0.0.1:port succeeds.
bool TcpPortOpen(uint16_t port);

// A child started with posix_spawn, stdout and stderr appended to `log_file`. The destructor
// sends SIGTERM, waits up to 5 s, then SIGKILL, and reaps it.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_file);
  // Socket activation as systemd does it: the child gets `listen_fd` as descriptor 3, with
  // LISTEN_FDS=1 and LISTEN_PID set to its own PID (through /bin/sh, which execs argv).
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_file, int listen_fd);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True while the child has not exited (reaps it if it has).
  bool Running();
  void Stop();
  // Stops the child with SIGSTOP / resumes with SIGCONT (a hung server).
  void Pause();
  void Resume();
  // Forgets the child without signalling it (the caller has reaped it).
  void Release() { pid_ = -1; }
  // The child's wait status (see waitpid) once Running() or Stop() reaped it; nullopt before
  // that and after Release().
  std::optional<int> wait_status() const { return wait_status_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> wait_status_;
};

// Polls `ready` every 10 ms until true or the timeout; false on timeout.
template <typename Fn>
bool WaitUntil(Fn&& ready, std::chrono::milliseconds timeout);

// Runs `command` with /bin/sh and returns what it wrote to stdout and stderr ("popen failed"
// when it could not start). For command-line clients such as dig and delv.
std::string RunCommand(const std::string& command);

// Reads a whole file ("" if it cannot be read).
std::string ReadFile(const std::string& path);

// Finds an executable on PATH plus /usr/sbin and /sbin; "" when absent.
std::string FindExecutable(const std::string& name);

}  // namespace steer::testsupport

#include <thread>

namespace steer::testsupport {

template <typename Fn>
bool WaitUntil(Fn&& ready, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace steer::testsupport

namespace steer::testsupport {

// Runs a command to completion (stdout/stderr appended to `log_file`); returns its exit
// status, or -1 when it was killed by a signal or did not finish within `timeout`.
int RunCommand(const std::vector<std::string>& argv, const std::string& log_file,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));

}  // namespace steer::testsupport
