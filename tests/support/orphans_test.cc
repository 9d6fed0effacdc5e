#include "steer/testsupport/orphans.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "steer/testsupport/process.h"

namespace steer::testsupport {
namespace {

bool Alive(pid_t pid) { return kill(pid, 0) == 0; }

// Reaps our child `pid` if it exits within 5 s (never blocks on one that does not).
bool Exits(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return true;
    usleep(10000);
  }
  return false;
}

// A process that names `dir` on its command line, like a server started on a temp dir. Returns
// once it does: until the child has exec'd, its command line is this test's, and a reaper
// that looked then would miss it (the test failed that way on a busy CI host).
pid_t SpawnNaming(const std::string& dir) {
  pid_t pid = fork();
  if (pid == 0) {
    execl("/usr/bin/tail", "tail", "-f", (dir + "/log").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::string cmdline = "/proc/" + std::to_string(pid) + "/cmdline";
  for (int i = 0; i < 500 && ReadFile(cmdline).find(dir) == std::string::npos; ++i) usleep(10000);
  return pid;
}

// A test process killed with SIGKILL: its server (here, tail naming its directory) is reaped
// by the next test process, and the directory removed; a live owner's directory is kept.
TEST(Orphans, ServersOfADeadOwnerAreKilledAndTheirDirectoryRemoved) {
  TempDir base("steer-reap-base");
  std::string dead = base.path() + "/steer-dead", live = base.path() + "/steer-live";
  std::filesystem::create_directories(dead);
  std::filesystem::create_directories(live);
  std::ofstream(dead + "/log") << "";
  std::ofstream(live + "/log") << "";

  pid_t owner = fork();  // an owner that dies at once
  if (owner == 0) {
    RecordOwner(dead);
    _exit(0);
  }
  ASSERT_EQ(waitpid(owner, nullptr, 0), owner);
  RecordOwner(live);  // this process: alive
  pid_t orphan = SpawnNaming(dead), kept = SpawnNaming(live);
  ASSERT_TRUE(Alive(orphan));

  EXPECT_EQ(ReapOrphans(base.path()), 1);
  EXPECT_TRUE(Exits(orphan));  // killed
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_FALSE(std::filesystem::exists(dead + ".owner"));
  EXPECT_TRUE(std::filesystem::exists(live));
  EXPECT_TRUE(Alive(kept));
  kill(kept, SIGKILL);
  waitpid(kept, nullptr, 0);
  if (Alive(orphan)) kill(orphan, SIGKILL);
}

TEST(Orphans, DirectoriesWithoutAnOwnerFileAreNotTouched) {
  TempDir base("steer-reap-base");
  std::string other = base.path() + "/steer-made-by-a-script";
  std::filesystem::create_directories(other);
  EXPECT_EQ(ReapOrphans(base.path()), 0);
  EXPECT_TRUE(std::filesystem::exists(other));
}

}  // namespace
}  // namespace steer::testsupport
