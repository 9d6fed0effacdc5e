// steer-test-pg [--durable]: a real PostgreSQL 15 (PgServer) for shell-driven tests and
// benchmarks (--durable: fsync on, as in production). Prints
//   dsn=<libpq conninfo of a fresh database, without the password>
//   password_file=<file holding the password>
// then serves until stdin closes or SIGTERM/SIGINT/SIGHUP arrives, and stops the server (by
// PID, temp dir removed) before it exits.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>
#include <thread>

#include "steer/testsupport/pg_server.h"

int main(int argc, char** argv) {
  bool durable = argc > 1 && std::string(argv[1]) == "--durable";
  sigset_t stop;
  sigemptyset(&stop);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop, s);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before any thread: all inherit it
  try {
    steer::testsupport::PgServer pg(durable ? steer::testsupport::PgServer::Durability::kDurable
                                            : steer::testsupport::PgServer::Durability::kFast);
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
