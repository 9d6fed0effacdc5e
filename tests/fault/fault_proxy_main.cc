// steer_fault_proxy: FaultProxy (fault_proxy.h) as a process, driven by its control endpoint.
//
//   steer_fault_proxy --upstream http://127.0.0.1:8081
//     Listens on 127.0.0.1, a free port: the first line on stdout. Serves until SIGTERM/SIGINT.
//     curl -d '{"method":"PATCH","faults":[{"kind":"status","status":429}]}'
//         http://127.0.0.1:$PORT/_fault/script   (more in tests/fault/README.md)
//     curl http://127.0.0.1:$PORT/_fault/log
#include <signal.h>

#include <iostream>
#include <string>

#include "fault_proxy.h"

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "--upstream") {
    std::cerr << "usage: steer_fault_proxy --upstream URL\n";
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before any thread: only sigwait sees them
  auto proxy = steer::fault::FaultProxy::Start(argv[2]);
  if (!proxy) {
    std::cerr << "steer_fault_proxy: " << proxy.error().message << "\n";
    return 1;
  }
  std::cout << (*proxy)->port() << std::endl;
  int signal = 0;
  sigwait(&stop, &signal);
  (*proxy)->Stop();
  return 0;
}
