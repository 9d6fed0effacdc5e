#pragma once

// Servers left behind by a test process that died without running its destructors (SIGKILL
// by a CI timeout, a crash, a debugger's trap). Patroni starts its postmaster detached and
// every server helper runs its server as a child: when the test process dies, they all keep
// running and keep their ports. So every TempDir records its owner (pid and start time) beside
// the directory (DIR.owner), and the first TempDir a process creates reaps the directories of
// dead owners:
// every process whose command line names such a directory is killed (SIGKILL), then the
// directory is removed. Directories of live owners (a parallel ctest) are left alone.
// Test-only; thread-safe.

#include <string>

namespace steer::testsupport {

// Writes the owner file of `dir` (a fresh TempDir): `dir`.owner.
void RecordOwner(const std::string& dir);
// Removes it again (the TempDir is gone).
void ForgetOwner(const std::string& dir);

// Reaps the dead owners' directories directly under `base` whose names start with "steer-";
// returns how many directories were reaped.
int ReapOrphans(const std::string& base);

// ReapOrphans($TMPDIR or /tmp) once per process.
void ReapOrphansOnce();

}  // namespace steer::testsupport
