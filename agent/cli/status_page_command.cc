// steerctl status-page export: the public status page of a running steerd (its status.listen)
// as static files, for a host that does not go down with the infrastructure the page reports
// on. Every document is fetched first; only when all were fetched are they written (each file
// replaced atomically, unchanged ones left alone), so a failed export changes nothing.
// Exit 0: written; 1: a fetch or a write failed; 2: usage.
#include <boost/program_options.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/flags.h"
#include "status/page_export.h"
#include "status/public_page.h"
#include "steer/base/http_client.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;

// Every document of the page at `base_url`, or the first failure.
Result<std::vector<status::StaticFile>> FetchPage(const std::string& base_url) {
  std::vector<status::StaticFile> files;
  for (const std::string& path : status::StaticFilePaths()) {
    base::HttpRequest req;
    req.url = base_url + "/" + path;
    auto got = base::SendHttp(req);
    if (!got) return MakeError(got.error().code, req.url + ": " + got.error().message);
    if (got->status != 200) {
      return MakeError(ErrorCode::kUnavailable,
                       req.url + ": HTTP " + std::to_string(got->status) + " (not a status page?)");
    }
    files.push_back({path, std::move(got->body)});
  }
  return files;
}

int Export(const std::string& from, const std::string& out) {
  std::string base_url = from;
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  auto files = FetchPage(base_url);
  if (!files) {
    std::fprintf(stderr, "steerctl status-page export: %s; nothing written\n",
                 files.error().message.c_str());
    return kExitFailed;
  }
  auto written = status::WriteStaticFiles(out, *files);
  if (!written) {
    std::fprintf(stderr, "steerctl status-page export: %s\n", written.error().message.c_str());
    return kExitFailed;
  }
  std::printf("exported %zu files from %s to %s (%d changed)\n", files->size(), base_url.c_str(),
              out.c_str(), *written);
  return kExitOk;
}

}  // namespace

int RunStatusPage(int argc, char** argv) {
  po::options_description opts(
      "steerctl status-page export --from URL --out DIR\n"
      "Copies a running steerd's public status page (status.listen) into DIR as static files\n"
      "(index.html and api/v2/*.json), the same bytes the listener serves");
  opts.add_options()("help,h", "show this help")("action", po::value<std::string>(), "export")(
      "from", po::value<std::string>(), "the status listener's URL, e.g. http://127.0.0.1:8080")(
      "out", po::value<std::string>(), "directory to write (created if missing)");
  po::positional_options_description pos;
  pos.add("action", 1);
  po::variables_map vm;
  if (auto code = ParseFlags("status-page", argc, argv, opts, &vm, &pos)) return *code;
  if (!vm.count("action") || vm["action"].as<std::string>() != "export") {
    return UsageError("status-page", "the only action is `export`", opts);
  }
  if (!vm.count("from") || !vm.count("out")) {
    return UsageError("status-page", "--from and --out are required", opts);
  }
  return Export(vm["from"].as<std::string>(), vm["out"].as<std::string>());
}

}  // namespace steer::agent::cli
