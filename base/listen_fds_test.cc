// InheritedListenSocket() when socket activation was meant but no socket reached this process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "steer/base/http_server.h"

namespace steer::base {
namespace {

class ListenFdsEnv : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
  }
};

TEST_F(ListenFdsEnv, ZeroDescriptorsIsAnError) {
  setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
  setenv("LISTEN_FDS", "0", 1);
  auto fd = InheritedListenSocket();
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().message,
            "socket activation: a socket was to be passed but none was: LISTEN_FDS=0: no "
            "descriptor (check the socket unit's ListenStream=)");
  EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr);  // unset either way
}

TEST_F(ListenFdsEnv, AnotherProcessesSocketsAreAnError) {
  setenv("LISTEN_PID", "1", 1);
  setenv("LISTEN_FDS", "1", 1);
  auto fd = InheritedListenSocket();
  ASSERT_FALSE(fd);
  EXPECT_NE(fd.error().message.find("LISTEN_FDS=1 for process 1, not this one (" +
                                    std::to_string(getpid()) + ")"),
            std::string::npos)
      << fd.error().message;
}

TEST_F(ListenFdsEnv, MissingPidIsAnError) {
  setenv("LISTEN_FDS", "1", 1);
  auto fd = InheritedListenSocket();
  ASSERT_FALSE(fd);
  EXPECT_NE(fd.error().message.find("LISTEN_FDS=1 without LISTEN_PID"), std::string::npos)
      << fd.error().message;
}

TEST_F(ListenFdsEnv, NoEnvironmentMeansBindListen) {
  EXPECT_EQ(InheritedListenSocket().value(), -1);
}

}  // namespace
}  // namespace steer::base
