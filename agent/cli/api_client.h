#pragma once

// The operator subcommands' shared client of steerd's HTTP API: the --api/--token-file
// options, authenticated requests, and uniform reporting of an operation's outcome
// (refusals name the rule that refused). Single-threaded (one command per process).

#include <boost/program_options.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "steer/base/error.h"

namespace steer::agent::cli {

struct ApiResponse {
  long status = 0;
  nlohmann::json body;  // null when the body was not JSON
};

// TLS files for an https:// API ("" = the default: the system CA store, no client
// certificate).
struct ApiTls {
  std::string ca_file;    // --cacert: verifies steerd's certificate
  std::string cert_file;  // --cert: client certificate (mutual TLS)
  std::string key_file;   // --key
};

class ApiClient {
 public:
  ApiClient(std::string base, std::string token, ApiTls tls = {})
      : base_(std::move(base)), token_(std::move(token)), tls_(std::move(tls)) {}

  Result<ApiResponse> Get(const std::string& path) const;
  Result<ApiResponse> Post(const std::string& path, const nlohmann::json& body) const;

 private:
  Result<ApiResponse> Send(const std::string& method, const std::string& path,
                           const std::string& body) const;
  std::string base_;
  std::string token_;
  ApiTls tls_;
};

// Adds --help, --api, --token-file, --cacert, --cert and --key (and --json when `json`) to
// `opts`.
void AddClientOptions(boost::program_options::options_description& opts, bool json);

// Parses argv; on --help prints usage and returns kExitOk in *exit; on bad flags prints to
// stderr and returns kExitUsage. Returns true when the command should proceed.
bool ParseCommandLine(int argc, char** argv,
                      const boost::program_options::options_description& opts,
                      const boost::program_options::positional_options_description& pos,
                      const char* usage, boost::program_options::variables_map* vm, int* exit);

// The client for --api, with the token from --token-file, $STEER_TOKEN_FILE or $STEER_TOKEN
// (needed only for operations) and the TLS files of --cacert/--cert/--key (or $STEER_CACERT,
// $STEER_CERT, $STEER_KEY; only with an https:// API, --cert and --key together). Prints the
// reason and returns nullopt on error.
std::optional<ApiClient> MakeClient(const boost::program_options::variables_map& vm,
                                    bool need_token);

// Prints an operation's outcome; returns the exit code (0 ok, 1 refused/failed).
int ReportOperation(const char* command, const Result<ApiResponse>& response);

}  // namespace steer::agent::cli
