#include "steer/base/log.h"

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "steer/base/json_text.h"

namespace steer::base {
namespace {

// JSON lines: one object per record, message escaped properly (a pattern cannot escape).
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto secs = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
    nlohmann::json line = {
        {"ts_ms", secs.count()},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())},
    };
    std::string text = JsonText(line);
    text.push_back('\n');
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

struct LogSettings {
  std::mutex mu;
  spdlog::level::level_enum level = spdlog::level::info;
  LogOutput output = LogOutput::kText;
};

// Function-local so that no static constructor runs before main().
LogSettings& Settings() {
  static LogSettings* settings = new LogSettings();
  return *settings;
}

void Apply(spdlog::logger& logger, spdlog::level::level_enum level, LogOutput output) {
  logger.set_level(level);
  if (output == LogOutput::kJson) {
    logger.set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger.set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  }
}

}  // namespace

Result<void> ConfigureLogging(const std::string& level, LogOutput output) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown log level '" + level + "' (trace, debug, info, warn, error, off)");
  }
  LogSettings& s = Settings();
  std::lock_guard<std::mutex> lock(s.mu);
  s.level = parsed;
  s.output = output;
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { Apply(*l, parsed, output); });
  return {};
}

std::shared_ptr<spdlog::logger> Logger(const std::string& library) {
  LogSettings& s = Settings();
  std::lock_guard<std::mutex> lock(s.mu);
  if (auto existing = spdlog::get(library)) return existing;
  // Logs go to stderr so that stdout stays clean for command output (tables, JSON).
  auto logger = spdlog::stderr_logger_mt(library);
  Apply(*logger, s.level, s.output);
  return logger;
}

}  // namespace steer::base
