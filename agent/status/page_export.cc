#include "page_export.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "steer/base/log.h"

namespace steer::status {
namespace {

namespace fs = std::filesystem;

Error FileError(const fs::path& p, const std::string& what, int err) {
  return Error{ErrorCode::kUnavailable, p.string() + ": " + what + ": " + std::strerror(err)};
}

bool SameContent(const fs::path& p, const std::string& body) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str() == body;
}

Result<void> SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(FileError(dir, "open", errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return tl::unexpected(FileError(dir, "fsync", err));
  return {};
}

// Writes `body` to a temporary file beside `p`, fsyncs it and renames it over `p`.
Result<void> ReplaceFile(const fs::path& p, const std::string& body) {
  fs::path tmp = p;
  tmp += ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return tl::unexpected(FileError(tmp, "create", errno));
  size_t done = 0;
  while (done < body.size()) {
    ssize_t n = ::write(fd, body.data() + done, body.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return tl::unexpected(FileError(tmp, "write", err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return tl::unexpected(FileError(tmp, "fsync", err));
  }
  if (::rename(tmp.c_str(), p.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return tl::unexpected(FileError(p, "rename", err));
  }
  return SyncDir(p.parent_path());
}

}  // namespace

Result<int> WriteStaticFiles(const std::string& dir, const std::vector<StaticFile>& files) {
  int written = 0;
  for (const StaticFile& f : files) {
    fs::path p = fs::path(dir) / f.path;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) {
      return tl::unexpected(
          Error{ErrorCode::kUnavailable, p.parent_path().string() + ": create: " + ec.message()});
    }
    if (SameContent(p, f.body)) continue;
    if (auto r = ReplaceFile(p, f.body); !r) return tl::unexpected(r.error());
    ++written;
  }
  return written;
}

PageExporter::PageExporter(std::string dir, std::chrono::milliseconds period, RenderFn render)
    : dir_(std::move(dir)), period_(period), render_(std::move(render)) {}

PageExporter::~PageExporter() { Stop(); }

Result<int> PageExporter::ExportOnce() {
  std::lock_guard lock(mu_);
  auto files = render_();
  Result<int> r = files ? WriteStaticFiles(dir_, *files) : tl::unexpected(files.error());
  auto log = base::Logger("agent");
  if (!r && !failing_) log->error("status.export_dir: {}", r.error().message);
  if (r && failing_) log->info("status.export_dir: written again to {}", dir_);
  failing_ = !r;
  return r;
}

void PageExporter::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      (void)ExportOnce();
      lock.lock();
      cv_.wait_for(lock, period_, [this] { return stop_; });
    }
  });
}

void PageExporter::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace steer::status
