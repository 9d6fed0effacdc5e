#include "steer/testsupport/log_capture.h"

#include <algorithm>

#include "steer/base/log.h"

namespace steer::testsupport {

LogCapture::LogCapture(const std::vector<std::string>& loggers)
    : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(buffer_, /*force_flush=*/true)) {
  for (const auto& name : loggers) {
    auto logger = steer::base::Logger(name);
    loggers_.emplace_back(logger, logger->level());
    logger->sinks().push_back(sink_);
    logger->set_level(spdlog::level::trace);
  }
}

LogCapture::~LogCapture() {
  for (auto& [logger, level] : loggers_) {
    auto& sinks = logger->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    logger->set_level(level);
  }
}

std::string LogCapture::Text() const {
  sink_->flush();
  return buffer_.str();
}

}  // namespace steer::testsupport
