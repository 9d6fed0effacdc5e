#include "steer/dns/zonefile_provider.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sstream>

#include "dns_exchange.h"
#include "steer/base/log.h"

namespace steer::dns {
namespace {

std::string Directory(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// YYYYMMDD00 for today; the serial becomes that or old + 1, whichever is larger.
uint32_t NextSerial(uint32_t old) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  uint64_t dated =
      (static_cast<uint64_t>(utc.tm_year + 1900) * 10000 + (utc.tm_mon + 1) * 100 + utc.tm_mday) *
      100;
  if (dated > old && dated <= 0xffffffffu) return static_cast<uint32_t>(dated);
  return old + 1;  // RFC 1982 serial arithmetic: wrapping is allowed
}

Result<void> BumpSerial(RRset& soa) {
  std::istringstream in(soa.records.at(0));
  std::vector<std::string> f;
  for (std::string x; in >> x;) f.push_back(x);
  char* end = nullptr;
  unsigned long serial = f.size() == 7 ? std::strtoul(f[2].c_str(), &end, 10) : 0;
  if (f.size() != 7 || end == nullptr || *end != '\0' || serial > 0xffffffffUL) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed SOA record");
  }
  f[2] = std::to_string(NextSerial(static_cast<uint32_t>(serial)));
  soa.records[0] =
      f[0] + " " + f[1] + " " + f[2] + " " + f[3] + " " + f[4] + " " + f[5] + " " + f[6];
  return {};
}

Error IoError(const std::string& what, const std::string& path, int err) {
  return Error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

// temp file in the same directory, fsync, rename over, fsync the directory: a crash leaves
// either the old or the new file, never a torn one.
Result<void> WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".steer-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return tl::unexpected(IoError("cannot create temp file for", path, errno));
  struct stat st {};
  mode_t mode = stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return tl::unexpected(IoError("cannot write", tmp, err));
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd, mode) != 0 || fsync(fd) != 0 || close(fd) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return tl::unexpected(IoError("cannot sync", tmp, err));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return tl::unexpected(IoError("cannot rename over", path, err));
  }
  int dir = open(Directory(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return tl::unexpected(IoError("cannot open directory of", path, errno));
  int rc = fsync(dir);
  int err = errno;
  close(dir);
  if (rc != 0) return tl::unexpected(IoError("cannot sync directory of", path, err));
  return {};
}

std::string Render(const std::string& origin, const std::vector<RRset>& rrsets) {
  std::string out = "; Written by Steer. Edits are kept as records, comments are not.\n";
  out += "$ORIGIN " + origin + "\n";
  for (const auto& rrset : rrsets) {
    for (const auto& record : rrset.records) {
      out +=
          rrset.name + " " + std::to_string(rrset.ttl) + " IN " + rrset.type + " " + record + "\n";
    }
  }
  return out;
}

}  // namespace

ZoneFileProvider::ZoneFileProvider(ZoneFileOptions options) : options_(std::move(options)) {
  options_.origin = CanonicalName(options_.origin);
}

Result<std::unique_ptr<Provider>> ZoneFileProvider::Create(const config::ProviderConfig& config) {
  if (config.zonefile.path.empty() || config.zonefile.origin.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "provider " + config.name + ": zonefile needs path and origin");
  }
  ZoneFileOptions options;
  options.name = "zonefile:" + config.name;
  options.path = config.zonefile.path;
  options.origin = config.zonefile.origin;
  return std::make_unique<ZoneFileProvider>(std::move(options));
}

Result<void> ZoneFileProvider::CheckZone(const std::string& zone) const {
  if (CanonicalName(zone) != options_.origin) {
    return MakeError(ErrorCode::kNotFound,
                     options_.name + " serves " + options_.origin + ", not " + CanonicalName(zone));
  }
  return {};
}

namespace {

// Adds one record to its RRset in `out` (made at its first record, in file order).
void AddRecord(const ldns_rr* rr, std::vector<RRset>* out) {
  char* owner = ldns_rdf2str(ldns_rr_owner(rr));
  char* type = ldns_rr_type2str(ldns_rr_get_type(rr));
  RRset key{CanonicalName(owner), type, static_cast<int>(ldns_rr_ttl(rr)), {}};
  free(owner);
  free(type);
  auto it = std::find_if(out->begin(), out->end(),
                         [&](const RRset& r) { return r.name == key.name && r.type == key.type; });
  if (it == out->end()) it = out->insert(out->end(), key);
  it->records.push_back(internal::RdataText(rr));
}

}  // namespace

namespace internal {

Result<std::vector<RRset>> ReadZoneFile(const std::string& path, const std::string& origin_name,
                                        const std::string& who) {
  FILE* fp = std::fopen(path.c_str(), "r");
  if (fp == nullptr) {
    if (errno == ENOENT) {
      return MakeError(ErrorCode::kNotFound, who + ": zone file " + path + " does not exist");
    }
    return tl::unexpected(IoError("cannot open", path, errno));
  }
  // Record by record rather than ldns_zone_new_frm_fp_l: on a syntax error that one frees the
  // zone but not the SOA it has already read (ldns 1.8.3 leaks it; LeakSanitizer sees it).
  ldns_rdf* origin = ldns_dname_new_frm_str(origin_name.c_str());
  ldns_rdf* prev = nullptr;
  uint32_t ttl = 3600;
  int line = 0;
  std::vector<RRset> out;
  ldns_status status = LDNS_STATUS_OK;
  while (status == LDNS_STATUS_OK && !std::feof(fp)) {
    ldns_rr* rr = nullptr;
    ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
    if (s == LDNS_STATUS_OK) {
      AddRecord(rr, &out);
      ldns_rr_free(rr);
    } else if (s != LDNS_STATUS_SYNTAX_EMPTY && s != LDNS_STATUS_SYNTAX_TTL &&
               s != LDNS_STATUS_SYNTAX_ORIGIN) {
      ldns_rr_free(rr);
      status = s;
    }
  }
  std::fclose(fp);
  ldns_rdf_deep_free(origin);
  ldns_rdf_deep_free(prev);
  if (status != LDNS_STATUS_OK) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + ":" + std::to_string(line) + ": " + ldns_get_errorstr_by_id(status));
  }
  // The SOA first, as the zone's first RRset, wherever the file has it.
  auto soa = std::find_if(out.begin(), out.end(), [](const RRset& r) { return r.type == "SOA"; });
  if (soa != out.end()) std::rotate(out.begin(), soa, soa + 1);
  if (out.empty() || out[0].type != "SOA") {
    return MakeError(ErrorCode::kInvalidArgument, path + ": zone has no SOA record");
  }
  return out;
}

}  // namespace internal

Result<std::vector<RRset>> ZoneFileProvider::LoadLocked() {
  return internal::ReadZoneFile(options_.path, options_.origin, options_.name);
}

Result<std::vector<RRset>> ZoneFileProvider::List(const std::string& zone) {
  if (auto ok = CheckZone(zone); !ok) return tl::unexpected(ok.error());
  std::lock_guard<std::mutex> lock(mu_);
  return LoadLocked();
}

Result<std::optional<RRset>> ZoneFileProvider::Read(const std::string& zone,
                                                    const std::string& name,
                                                    const std::string& type) {
  auto rrsets = List(zone);
  if (!rrsets) return tl::unexpected(rrsets.error());
  RRset key = RRset{name, type, 0, {}}.Normalized();
  for (const auto& rrset : *rrsets) {
    if (rrset.name == key.name && rrset.type == key.type) return rrset.Normalized();
  }
  return std::optional<RRset>();
}

Result<ChangeReceipt> ZoneFileProvider::Replace(const std::string& zone, const RRset& rrset_in) {
  if (auto ok = CheckZone(zone); !ok) return tl::unexpected(ok.error());
  RRset rrset = rrset_in.Normalized();
  std::string suffix = "." + options_.origin;
  if (rrset.name != options_.origin &&
      (rrset.name.size() <= suffix.size() ||
       rrset.name.compare(rrset.name.size() - suffix.size(), suffix.size(), suffix) != 0)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     rrset.name + " is outside the zone " + options_.origin);
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto rrsets = LoadLocked();
  if (!rrsets) return tl::unexpected(rrsets.error());
  auto it = std::find_if(rrsets->begin(), rrsets->end(), [&](const RRset& r) {
    return r.name == rrset.name && r.type == rrset.type;
  });
  if (it != rrsets->end()) {
    *it = rrset;
  } else {
    rrsets->push_back(rrset);
  }
  if (auto bumped = BumpSerial(rrsets->front()); !bumped) return tl::unexpected(bumped.error());
  if (auto written = WriteAtomically(options_.path, Render(options_.origin, *rrsets)); !written) {
    return tl::unexpected(written.error());
  }
  std::istringstream soa(rrsets->front().records[0]);
  std::string mname, rname, serial;
  soa >> mname >> rname >> serial;
  base::Logger("dns")->debug("{}: wrote {} (serial {})", options_.name, options_.path, serial);
  return ChangeReceipt{serial, 1};
}

}  // namespace steer::dns
