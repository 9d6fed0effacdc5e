#pragma once

// A throw-away PKI for tests: a CA and leaf certificates made with OpenSSL in memory, written
// to PEM files in a temp directory that is removed on destruction. Used by the probes' TLS
// tests, the HTTP client's and the TLS etcd servers. Not thread-safe.

#include <string>
#include <vector>

namespace steer::testsupport {

struct CertFiles {
  std::string cert_pem;  // path
  std::string key_pem;   // path
};

class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& ca_file() const { return ca_file_; }
  const std::string& dir() const { return dir_; }

  // A leaf for `names` (DNS names, or IP addresses) valid from now+not_before_days to
  // now+not_after_days, signed by the CA.
  CertFiles Issue(const std::string& file_stem, const std::vector<std::string>& names,
                  int not_before_days, int not_after_days);

 private:
  std::string dir_;
  std::string ca_file_;
  void* ca_key_ = nullptr;   // EVP_PKEY*
  void* ca_cert_ = nullptr;  // X509*
};

}  // namespace steer::testsupport
