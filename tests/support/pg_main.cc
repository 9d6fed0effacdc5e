// steer-test-pg: a real PostgreSQL 15 (PgServer) for shell-driven tests. Prints
//   dsn=<libpq conninfo of a fresh database, without the password>
//   password_file=<file holding the password>
// then serves until stdin closes or SIGTERM/SIGINT/SIGHUP arrives, and stops the server (by
// PID, temp dir removed) before it exits.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <thread>

#include "steer/testsupport/pg_server.h"

int main() {
  sigset_t stop;
  sigemptyset(&stop);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop, s);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before any thread: all inherit it
  try {
    steer::testsupport::PgServer pg;
    std::printf("dsn=%s\npassword_file=%s\n", pg.Dsn(pg.CreateDatabase()).c_str(),
                pg.password_file().c_str());
    std::fflush(stdout);
    std::thread([] {
      char c;
      while (read(0, &c, 1) > 0) {
      }
      kill(getpid(), SIGTERM);
    }).detach();
    int sig = 0;
    sigwait(&stop, &sig);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "steer-test-pg: %s\n", e.what());
    return 1;
  }
  return 0;
}
