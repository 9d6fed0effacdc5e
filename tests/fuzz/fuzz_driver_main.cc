// The CI form of the fuzz targets: a main() linked with one LLVMFuzzerTestOneInput when the
// tree is built without libFuzzer (GCC release and ASan+UBSan trees). It is NOT coverage
// guided: it replays every corpus file, then feeds blind mutations of them (bit flips, byte
// inserts and deletions, interesting bytes, splices of two files) from a fixed seed for a few
// seconds. A crash kills the process; the input is written first to ./fuzz-crash-<target>
// (ASan's death callback, or a signal handler in a tree without ASan). An input that runs longer
// than -timeout seconds (default 10, as a hang is a defect too) is written to
// ./fuzz-timeout-<target> by a watchdog thread, which then aborts the process.
// The coverage-guided campaign is scripts/fuzz (clang, libFuzzer). See docs/fuzzing.md.
//
// Usage: NAME_fuzz [-seconds=N] [-seed=N] [-max_len=N] [-timeout=N] [-close_fd_mask=N]
//                  CORPUS_DIR_OR_FILE...
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// ASan's runtime (GCC defines __SANITIZE_ADDRESS__, clang has __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define STEER_HAVE_SANITIZER_API 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STEER_HAVE_SANITIZER_API 1
#endif
#endif
#ifdef STEER_HAVE_SANITIZER_API
#include <sanitizer/common_interface_defs.h>
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// The input being run, for the crash and timeout dumps (atomic: the watchdog reads it).
std::atomic<const Bytes*> g_current = nullptr;
std::atomic<uint64_t> g_runs = 0;  // inputs finished; the watchdog sees progress by it
char g_crash_path[512] = "fuzz-crash";
char g_timeout_path[512] = "fuzz-timeout";
int g_err_fd = 2;  // stderr, or its duplicate under -close_fd_mask=2

// Async-signal-safe: open/write/close only.
void DumpCurrentTo(const char* path, const char* why) {
  const Bytes* current = g_current.exchange(nullptr);
  if (current == nullptr) return;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  ssize_t ignored = write(fd, current->data(), current->size());
  (void)ignored;
  close(fd);
  static const char kMsg[] = "fuzz driver: ";
  ignored = write(g_err_fd, kMsg, sizeof(kMsg) - 1);
  ignored = write(g_err_fd, why, std::string_view(why).size());
  ignored = write(g_err_fd, path, std::string_view(path).size());
  ignored = write(g_err_fd, "\n", 1);
}

void DumpCurrent() { DumpCurrentTo(g_crash_path, "crashing input written to "); }

// Aborts when no input finishes for `seconds`, after writing the one that hangs.
void StartWatchdog(int seconds) {
  if (seconds <= 0) return;
  std::thread([seconds] {
    uint64_t seen = g_runs.load();
    int still = 0;
    while (true) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      const uint64_t now = g_runs.load();
      still = now == seen && g_current.load() != nullptr ? still + 1 : 0;
      seen = now;
      if (still < seconds) continue;
      DumpCurrentTo(g_timeout_path, "input still running after -timeout, written to ");
      std::_Exit(70);
    }
  }).detach();
}

#ifndef STEER_HAVE_SANITIZER_API
void OnSignal(int sig) {
  DumpCurrent();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}
#endif

// libFuzzer's -close_fd_mask: 1 silences stdout, 2 stderr (the sanitizers and this driver
// keep reporting on a duplicate of it).
void CloseFds(int mask) {
  int null_fd = open("/dev/null", O_WRONLY);
  if (null_fd < 0) return;
  if (mask & 1) dup2(null_fd, 1);
  if (mask & 2) {
    g_err_fd = dup(2);
#ifdef STEER_HAVE_SANITIZER_API
    __sanitizer_set_report_fd(reinterpret_cast<void*>(static_cast<intptr_t>(g_err_fd)));
#endif
    dup2(null_fd, 2);
  }
  close(null_fd);
}

void Run(const Bytes& input) {
  // An exact-size heap copy, so a read past the end is a heap overflow under ASan.
  Bytes copy(input);
  g_current = &copy;
  LLVMFuzzerTestOneInput(copy.data(), copy.size());
  g_current = nullptr;
  ++g_runs;
}

void AddFiles(const fs::path& p, std::vector<Bytes>* out) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(p)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());  // a fixed order: the mutations are reproducible
    for (const auto& f : files) AddFiles(f, out);
    return;
  }
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz driver: cannot read %s\n", p.c_str());
    std::exit(2);
  }
  out->emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class Mutator {
 public:
  Mutator(uint64_t seed, size_t max_len) : rng_(seed), max_len_(max_len) {}

  Bytes Mutate(const std::vector<Bytes>& corpus) {
    Bytes b = corpus.empty() ? Bytes() : corpus[Pick(corpus.size())];
    int rounds = 1 + static_cast<int>(Pick(4));
    for (int i = 0; i < rounds; ++i) MutateOnce(&b, corpus);
    if (b.size() > max_len_) b.resize(max_len_);
    return b;
  }

 private:
  size_t Pick(size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }

  uint8_t Interesting() {
    static const uint8_t kBytes[] = {0,   1,   0x7f, 0x80, 0xff, '"', '\\', '{', '}',  '[',
                                     ']', ',', ':',  '\n', '\r', '%', '&',  '=', ';',  '<',
                                     '>', '.', '-',  '0',  '9',  ' ', '\'', '#', 0xc0, 0xc3};
    return kBytes[Pick(sizeof(kBytes))];
  }

  void MutateOnce(Bytes* b, const std::vector<Bytes>& corpus) {
    switch (Pick(7)) {
      case 0:  // flip a bit
        if (!b->empty()) (*b)[Pick(b->size())] ^= static_cast<uint8_t>(1u << Pick(8));
        break;
      case 1:  // insert a random or interesting byte
        b->insert(b->begin() + static_cast<long>(Pick(b->size() + 1)),
                  Pick(2) ? Interesting() : static_cast<uint8_t>(Pick(256)));
        break;
      case 2:  // delete a run
        if (!b->empty()) {
          size_t at = Pick(b->size());
          size_t n = 1 + Pick(std::min<size_t>(8, b->size() - at));
          b->erase(b->begin() + static_cast<long>(at), b->begin() + static_cast<long>(at + n));
        }
        break;
      case 3:  // overwrite with an interesting byte
        if (!b->empty()) (*b)[Pick(b->size())] = Interesting();
        break;
      case 4:  // duplicate a chunk
        if (!b->empty() && b->size() < max_len_) {
          size_t at = Pick(b->size());
          size_t n = 1 + Pick(std::min<size_t>(64, b->size() - at));
          Bytes chunk(b->begin() + static_cast<long>(at), b->begin() + static_cast<long>(at + n));
          b->insert(b->begin() + static_cast<long>(Pick(b->size() + 1)), chunk.begin(),
                    chunk.end());
        }
        break;
      case 5: {  // splice: our head, another file's tail
        if (corpus.empty()) break;
        const Bytes& other = corpus[Pick(corpus.size())];
        b->resize(Pick(b->size() + 1));
        b->insert(b->end(), other.begin() + static_cast<long>(Pick(other.size() + 1)), other.end());
        break;
      }
      default:  // truncate
        b->resize(Pick(b->size() + 1));
        break;
    }
  }

  std::mt19937_64 rng_;
  size_t max_len_;
};

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  uint64_t seed = 18;
  size_t max_len = 4096;
  int close_fd_mask = 0;
  int timeout = 10;
  std::vector<Bytes> corpus;
  std::string name = fs::path(argv[0]).filename().string();
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.starts_with("-seconds=")) {
      seconds = std::atof(argv[i] + 9);
    } else if (a.starts_with("-seed=")) {
      seed = std::strtoull(argv[i] + 6, nullptr, 10);
    } else if (a.starts_with("-close_fd_mask=")) {
      close_fd_mask = std::atoi(argv[i] + 15);
    } else if (a.starts_with("-timeout=")) {
      timeout = std::atoi(argv[i] + 9);
    } else if (a.starts_with("-max_len=")) {
      max_len = std::strtoull(argv[i] + 9, nullptr, 10);
    } else if (a.starts_with("-")) {
      std::fprintf(stderr, "fuzz driver: unknown flag %s\n", argv[i]);
      return 2;
    } else {
      AddFiles(argv[i], &corpus);
    }
  }
  // Absolute: a target may change the working directory.
  std::snprintf(g_crash_path, sizeof(g_crash_path), "%s",
                (fs::current_path() / ("fuzz-crash-" + name)).c_str());
  std::snprintf(g_timeout_path, sizeof(g_timeout_path), "%s",
                (fs::current_path() / ("fuzz-timeout-" + name)).c_str());
#ifdef STEER_HAVE_SANITIZER_API
  __sanitizer_set_death_callback(DumpCurrent);
#endif
#ifndef STEER_HAVE_SANITIZER_API
  // Without ASan (the release tree) a crash is a signal; ASan has its own handlers.
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, OnSignal);
#endif

  CloseFds(close_fd_mask);
  StartWatchdog(timeout);
  for (const Bytes& input : corpus) Run(input);
  Mutator mutator(seed, max_len);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long runs = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    Run(mutator.Mutate(corpus));
    ++runs;
  }
  std::fflush(stdout);
  char line[256];
  int n = std::snprintf(
      line, sizeof(line),
      "%s: %zu corpus inputs replayed, %ld mutations in %.1fs (seed %llu): no crash\n",
      name.c_str(), corpus.size(), runs, seconds, static_cast<unsigned long long>(seed));
  ssize_t ignored = write(g_err_fd, line, static_cast<size_t>(std::min(n, 255)));
  (void)ignored;
  return 0;
}
