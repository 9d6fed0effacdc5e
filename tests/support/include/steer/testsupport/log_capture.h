#pragma once

// Captures everything one or more spdlog loggers write, for tests that check what was (or was
// never) logged — e.g. that no secret ever appears. Adds a sink to each named logger (created
// through steer::base::Logger if needed) and removes it on destruction. Sets the loggers to
// trace level while capturing so that debug lines are checked too. Thread-safe sink.

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace steer::testsupport {

class LogCapture {
 public:
  explicit LogCapture(const std::vector<std::string>& loggers);
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string Text() const;

 private:
  std::ostringstream buffer_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  std::vector<std::pair<std::shared_ptr<spdlog::logger>, spdlog::level::level_enum>> loggers_;
};

}  // namespace steer::testsupport
