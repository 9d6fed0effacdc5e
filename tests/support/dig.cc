#include "steer/testsupport/dig.h"

#include "steer/testsupport/process.h"

namespace steer::testsupport {

std::string Dig(uint16_t port, const std::string& args, int time_s) {
  return RunCommand("dig @127.0.0.1 -p " + std::to_string(port) +
                    " +norec +time=" + std::to_string(time_s) + " +tries=1 " + args);
}

}  // namespace steer::testsupport
