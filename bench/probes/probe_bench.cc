// steer_probe_bench: runs the probe engine against N copies of one HTTP target for a fixed
// time and prints one JSON line: probes done, CPU-µs per probe (getrusage of this process),
// start lateness percentiles and peak RSS. bench/probes/run.sh drives it; it is also the load
// driver for blackbox_exporter's /probe endpoint (--reuse keeps that connection alive).
#include <sys/resource.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "steer/base/clock.h"
#include "steer/base/option_error.h"
#include "steer/base/random.h"
#include "steer/probes/engine.h"

namespace {

namespace po = boost::program_options;
using steer::probes::Engine;
using steer::probes::Observation;
using steer::probes::Target;

double CpuSeconds() {
  rusage ru = {};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

long StatusKb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return 0;
}

std::vector<Target> MakeTargets(const po::variables_map& vm) {
  std::vector<Target> targets;
  int n = vm["targets"].as<int>();
  for (int i = 0; i < n; ++i) {
    Target t;
    t.id = static_cast<uint64_t>(i + 1);
    t.probe.name = "t" + std::to_string(i);
    t.probe.url = vm["url"].as<std::string>();
    t.probe.interval = std::chrono::milliseconds(vm["interval-ms"].as<int>());
    t.probe.timeout = std::chrono::milliseconds(vm["timeout-ms"].as<int>());
    t.probe.reuse_connection = vm.count("reuse") > 0;
    if (vm.count("body-contains")) {
      t.probe.expect.body_contains = vm["body-contains"].as<std::string>();
    }
    targets.push_back(std::move(t));
  }
  return targets;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("usage: steer_probe_bench --url URL [options]");
  opts.add_options()("help,h", "show this help")("url", po::value<std::string>(), "target URL")(
      "targets", po::value<int>()->default_value(100), "number of targets (all the same URL)")(
      "interval-ms", po::value<int>()->default_value(100), "per-target interval")(
      "timeout-ms", po::value<int>()->default_value(1000), "per-probe timeout")(
      "duration-s", po::value<int>()->default_value(10), "measured run time")(
      "warmup-s", po::value<int>()->default_value(1), "unmeasured run time first")(
      "workers", po::value<int>()->default_value(0), "worker threads (0 = cores)")(
      "max-in-flight", po::value<int>()->default_value(1000),
      "probes in flight per worker, at most")("reuse", "keep connections alive (load-driver mode)")(
      "body-contains", po::value<std::string>(), "body must contain this");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
  } catch (po::error& e) {
    std::cerr << steer::base::OptionErrorText(e) << "\n" << opts;
    return 2;
  }
  if (vm.count("help") || !vm.count("url")) {
    std::cout << opts;
    return vm.count("help") ? 0 : 2;
  }
  std::atomic<uint64_t> ok{0}, failed{0};
  std::atomic<bool> measuring{false};
  std::string first_error;
  std::atomic<bool> have_error{false};
  auto sink = [&](const Observation& o) {
    if (!measuring.load(std::memory_order_relaxed)) return;
    (o.ok ? ok : failed).fetch_add(1, std::memory_order_relaxed);
    if (!o.ok && !have_error.exchange(true)) first_error = o.message;
  };
  steer::base::SystemClock clock;
  steer::base::SystemRandom random;
  auto engine = Engine::Create({vm["workers"].as<int>(), "bench", vm["max-in-flight"].as<int>()},
                               MakeTargets(vm), sink, clock, random);
  if (!engine) {
    std::cerr << engine.error().message << "\n";
    return 2;
  }
  (*engine)->Start();
  std::this_thread::sleep_for(std::chrono::seconds(vm["warmup-s"].as<int>()));
  auto before = (*engine)->Stats();
  double cpu0 = CpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  measuring = true;
  std::this_thread::sleep_for(std::chrono::seconds(vm["duration-s"].as<int>()));
  measuring = false;
  double cpu = CpuSeconds() - cpu0;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto after = (*engine)->Stats();
  (*engine)->Stop();
  uint64_t done = ok + failed;
  nlohmann::json out = {{"probes", done},
                        {"ok", ok.load()},
                        {"failed", failed.load()},
                        {"inconclusive", after.inconclusive - before.inconclusive},
                        {"first_error", first_error},
                        {"wall_s", wall},
                        {"cpu_s", cpu},
                        {"probes_per_s", static_cast<double>(done) / wall},
                        {"cpu_us_per_probe", done ? cpu * 1e6 / static_cast<double>(done) : 0.0},
                        {"skipped_late", after.skipped_late - before.skipped_late},
                        {"skipped_full", after.skipped_full - before.skipped_full},
                        {"max_in_flight", after.max_in_flight},
                        {"lateness_p50_us", after.start_lateness.Quantile(0.50).count()},
                        {"lateness_p99_us", after.start_lateness.Quantile(0.99).count()},
                        {"lateness_max_us", after.start_lateness.max().count()},
                        {"rss_kb", StatusKb("VmRSS")},
                        {"hwm_kb", StatusKb("VmHWM")},
                        {"workers", (*engine)->workers()}};
  std::cout << out.dump() << "\n";
  return 0;
}
