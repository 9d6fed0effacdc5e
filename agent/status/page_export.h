#pragma once

// The status page as static files, for a host that does not go down with the infrastructure
// the page reports on: `status.export_dir`, which steerd rewrites when the page changes
// (PageExporter), and `steerctl status-page export`, which copies a running steerd's public
// listener. Both write through WriteStaticFiles, so the two give the same files.
//
// Each file is replaced atomically (written beside it, fsynced, renamed over it, directory
// fsynced): a static server or a sync to an object store never reads half a file. Files whose
// bytes did not change are not rewritten, so their mtime (and a sync tool's work) stays.
//
// Thread-safety: WriteStaticFiles is a free function (one writer per directory at a time);
// PageExporter's methods may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "steer/base/error.h"

namespace steer::status {

struct StaticFile {
  std::string path;  // relative, '/'-separated: "index.html", "api/v2/summary.json"
  std::string body;
};

// Writes `files` under `dir` (created if missing, with its subdirectories). Returns how many
// files were rewritten. Stops at the first failure, naming the file and the reason; files
// already replaced stay replaced (each is whole), the failed one keeps its old content.
Result<int> WriteStaticFiles(const std::string& dir, const std::vector<StaticFile>& files);

// Renders the page's files and writes them to `dir` every `period` on its own thread, and
// once at Start(). A failure is logged when it starts and when it ends (not every period).
class PageExporter {
 public:
  using RenderFn = std::function<Result<std::vector<StaticFile>>()>;
  PageExporter(std::string dir, std::chrono::milliseconds period, RenderFn render);
  ~PageExporter();  // Stop()
  PageExporter(const PageExporter&) = delete;
  PageExporter& operator=(const PageExporter&) = delete;

  void Start();
  void Stop();  // joins; no write runs after it returns
  // One render and write, on the caller's thread (Start's thread calls it too).
  Result<int> ExportOnce();

 private:
  const std::string dir_;
  const std::chrono::milliseconds period_;
  const RenderFn render_;
  std::mutex mu_;  // guards stop_, failing_; serializes ExportOnce
  std::condition_variable cv_;
  bool stop_ = false;
  bool failing_ = false;
  std::thread thread_;
};

}  // namespace steer::status
