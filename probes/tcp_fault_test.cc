// TCP probes against real local listeners that answer, refuse, stay silent or say the wrong
// thing.
#include <gtest/gtest.h>

#include "testing/probe_test_util.h"

namespace steer::probes {
namespace {

using testing::AddressTarget;
using testing::TcpServer;

class TcpFault : public testing::FdLeakTest {};

Target Tcp(const std::string& address, int timeout_ms = 2000) {
  return AddressTarget(config::ProbeType::kTcp, address, timeout_ms);
}

TEST_F(TcpFault, ConnectOnlyPasses) {
  TcpServer server(testing::RespondWith(""));
  auto obs = ProbeOnce(Tcp(server.address()));
  EXPECT_TRUE(obs.ok) << obs.message;
  EXPECT_GT(obs.phases.connect.count(), 0);
}

TEST_F(TcpFault, RefusedIsConnect) {
  auto obs = ProbeOnce(Tcp("127.0.0.1:" + std::to_string(testing::ClosedPort())));
  EXPECT_EQ(obs.error, ErrorClass::kConnect) << obs.message;
}

TEST_F(TcpFault, SendAndExpectReply) {
  TcpServer server(testing::RespondWith("+PONG\r\n"));
  Target t = Tcp(server.address());
  t.probe.send = "PING\r\n";
  t.probe.expect_reply = "PONG";
  auto obs = ProbeOnce(t);
  EXPECT_TRUE(obs.ok) << obs.message;
  EXPECT_GT(obs.phases.first_byte.count(), 0);
}

TEST_F(TcpFault, WrongReplyIsReplyMismatch) {
  TcpServer server(testing::RespondWith("-ERR\r\n"));
  Target t = Tcp(server.address());
  t.probe.send = "PING\r\n";
  t.probe.expect_reply = "PONG";
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kReplyMismatch);
}

TEST_F(TcpFault, SilentServerIsTimeout) {
  TcpServer server(testing::NeverAnswer());
  Target t = Tcp(server.address(), 300);
  t.probe.expect_reply = "220";
  auto obs = ProbeOnce(t);
  EXPECT_EQ(obs.error, ErrorClass::kTimeout);
  EXPECT_LT(obs.phases.total, std::chrono::milliseconds(1500));
}

TEST_F(TcpFault, TrickleWithoutTheExpectedTextIsTimeout) {
  TcpServer server(testing::Trickle("hello", 20));
  Target t = Tcp(server.address(), 300);
  t.probe.send = "x";
  t.probe.expect_reply = "READY";
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kTimeout);
}

TEST_F(TcpFault, ResetIsConnect) {
  TcpServer server(testing::ResetMidResponse("par"));
  Target t = Tcp(server.address());
  t.probe.send = "x";
  t.probe.expect_reply = "never";
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kConnect);
}

TEST_F(TcpFault, MalformedAddressIsInternal) {
  EXPECT_EQ(ProbeOnce(Tcp("127.0.0.1")).error, ErrorClass::kInternal);
  EXPECT_EQ(ProbeOnce(Tcp("127.0.0.1:99999")).error, ErrorClass::kInternal);
}

}  // namespace
}  // namespace steer::probes
