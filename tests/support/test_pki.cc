#include "steer/testsupport/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace steer::testsupport {
namespace {

EVP_PKEY* NewKey() { return EVP_EC_gen("P-256"); }

void AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509* NewCert(EVP_PKEY* key, const std::string& cn, int not_before_days, int not_after_days) {
  static long serial = 1;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(not_before_days) * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(not_after_days) * 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

void WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  if (cert != nullptr) PEM_write_X509(f, cert);
  if (key != nullptr) PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

}  // namespace

TestPki::TestPki() {
  char tmpl[] = "/tmp/steer-pki-XXXXXX";
  dir_ = mkdtemp(tmpl);
  EVP_PKEY* key = NewKey();
  X509* ca = NewCert(key, "Steer Test CA", -1, 30);
  X509_set_issuer_name(ca, X509_get_subject_name(ca));
  AddExt(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
  AddExt(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExt(ca, ca, NID_subject_key_identifier, "hash");
  X509_sign(ca, key, EVP_sha256());
  ca_file_ = dir_ + "/ca.pem";
  WritePem(ca_file_, ca, nullptr);
  ca_key_ = key;
  ca_cert_ = ca;
}

TestPki::~TestPki() {
  X509_free(static_cast<X509*>(ca_cert_));
  EVP_PKEY_free(static_cast<EVP_PKEY*>(ca_key_));
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

CertFiles TestPki::Issue(const std::string& file_stem, const std::vector<std::string>& names,
                         int not_before_days, int not_after_days) {
  auto* ca = static_cast<X509*>(ca_cert_);
  EVP_PKEY* key = NewKey();
  X509* cert = NewCert(key, names.empty() ? "leaf" : names[0], not_before_days, not_after_days);
  X509_set_issuer_name(cert, X509_get_subject_name(ca));
  std::string san;
  for (const auto& n : names) {
    bool ip = n.find_first_not_of("0123456789.") == std::string::npos || n.find(':') != n.npos;
    san += (san.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + n;
  }
  if (!san.empty()) AddExt(cert, ca, NID_subject_alt_name, san);
  AddExt(cert, ca, NID_basic_constraints, "CA:FALSE");
  AddExt(cert, ca, NID_authority_key_identifier, "keyid");
  X509_sign(cert, static_cast<EVP_PKEY*>(ca_key_), EVP_sha256());
  CertFiles out{dir_ + "/" + file_stem + ".crt", dir_ + "/" + file_stem + ".key"};
  WritePem(out.cert_pem, cert, nullptr);
  WritePem(out.key_pem, nullptr, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace steer::testsupport
