#include "cli/api_client.h"

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "steer/base/http_client.h"
#include "steer/base/json_text.h"
#include "steer/base/option_error.h"

namespace steer::agent::cli {

namespace po = boost::program_options;

Result<ApiResponse> ApiClient::Send(const std::string& method, const std::string& path,
                                    const std::string& body) const {
  base::HttpRequest req;
  req.method = method;
  req.url = base_ + path;
  req.body = body;
  req.timeout = std::chrono::milliseconds(10000);
  if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
  if (method == "POST") req.headers.emplace_back("Content-Type", "application/json");
  req.ca_file = tls_.ca_file;
  req.cert_file = tls_.cert_file;
  req.key_file = tls_.key_file;
  auto resp = base::SendHttp(req);
  if (!resp) {
    return MakeError(resp.error().code,
                     "cannot reach steerd at " + base_ + ": " + resp.error().message);
  }
  return ApiResponse{resp->status, nlohmann::json::parse(resp->body, nullptr, false)};
}

Result<ApiResponse> ApiClient::Get(const std::string& path) const { return Send("GET", path, ""); }

Result<ApiResponse> ApiClient::Post(const std::string& path, const nlohmann::json& body) const {
  return Send("POST", path, base::JsonText(body));
}

void AddClientOptions(po::options_description& opts, bool json) {
  const char* api = std::getenv("STEER_API");
  opts.add_options()("help,h", "show this help")(
      "api", po::value<std::string>()->default_value(api ? api : "http://127.0.0.1:9053"),
      "steerd API base URL (or $STEER_API)")(
      "token-file", po::value<std::string>(),
      "file holding the API token (or $STEER_TOKEN_FILE, or the token in $STEER_TOKEN)")(
      "cacert", po::value<std::string>(),
      "PEM CA bundle that verifies an https:// API's certificate (or $STEER_CACERT)")(
      "cert", po::value<std::string>(),
      "PEM client certificate for an API with mutual TLS (or $STEER_CERT)")(
      "key", po::value<std::string>(), "PEM private key of --cert (or $STEER_KEY)");
  if (json) opts.add_options()("json", "print JSON instead of a table");
}

bool ParseCommandLine(int argc, char** argv, const po::options_description& opts,
                      const po::positional_options_description& pos, const char* usage,
                      po::variables_map* vm, int* exit) {
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), *vm);
    // --help wins over missing required options, so it is checked before notify().
    if (vm->count("help")) {
      std::cout << usage << "\n" << opts;
      *exit = kExitOk;
      return false;
    }
    po::notify(*vm);
  } catch (po::error& e) {
    std::cerr << "steerctl " << argv[0] << ": " << steer::base::OptionErrorText(e) << "\n\n"
              << usage << "\n"
              << opts;
    *exit = kExitUsage;
    return false;
  }
  return true;
}

namespace {

std::optional<std::string> ReadToken(const po::variables_map& vm) {
  std::string path;
  if (vm.count("token-file")) {
    path = vm["token-file"].as<std::string>();
  } else if (const char* env = std::getenv("STEER_TOKEN_FILE")) {
    path = env;
  } else if (const char* tok = std::getenv("STEER_TOKEN")) {
    return std::string(tok);
  } else {
    std::cerr << "steerctl: an operation needs a token: --token-file FILE\n";
    return std::nullopt;
  }
  std::ifstream f(path);
  std::string token;
  if (!f || !std::getline(f, token)) {
    std::cerr << "steerctl: cannot read token file " << path << "\n";
    return std::nullopt;
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

// --NAME, else $ENV, else "".
std::string FlagOrEnv(const po::variables_map& vm, const char* name, const char* env) {
  if (vm.count(name)) return vm[name].as<std::string>();
  const char* v = std::getenv(env);
  return v ? v : "";
}

std::optional<ApiTls> ReadTls(const po::variables_map& vm, const std::string& api) {
  ApiTls tls{FlagOrEnv(vm, "cacert", "STEER_CACERT"), FlagOrEnv(vm, "cert", "STEER_CERT"),
             FlagOrEnv(vm, "key", "STEER_KEY")};
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    std::cerr << "steerctl: --cert and --key go together\n";
    return std::nullopt;
  }
  bool any = !tls.ca_file.empty() || !tls.cert_file.empty();
  if (any && api.rfind("https://", 0) != 0) {
    std::cerr << "steerctl: --cacert, --cert and --key need an https:// --api URL (got " << api
              << ")\n";
    return std::nullopt;
  }
  return tls;
}

}  // namespace

std::optional<ApiClient> MakeClient(const po::variables_map& vm, bool need_token) {
  std::string api = vm["api"].as<std::string>();
  while (!api.empty() && api.back() == '/') api.pop_back();
  if (api.rfind("http://", 0) != 0 && api.rfind("https://", 0) != 0) api = "http://" + api;
  std::string token;
  if (need_token) {
    auto t = ReadToken(vm);
    if (!t) return std::nullopt;
    token = *t;
  }
  auto tls = ReadTls(vm, api);
  if (!tls) return std::nullopt;
  return ApiClient(api, token, *tls);
}

int ReportOperation(const char* command, const Result<ApiResponse>& r) {
  if (!r) {
    std::cerr << "steerctl " << command << ": " << r.error().message << "\n";
    return kExitFailed;
  }
  const auto& body = r->body;
  std::string message = body.is_object() ? body.value("message", "") : "";
  // Several agents: say which one applied it, and through which it was relayed.
  std::string by;
  if (body.is_object() && body.contains("detail") && body["detail"].is_object()) {
    const auto& d = body["detail"];
    if (d.contains("relayed_by") && d.contains("applied_by")) {
      by = " (applied by leader " + d.value("applied_by", "") + ", relayed by " +
           d.value("relayed_by", "") + ")";
    }
  }
  if (r->status == 200) {
    std::cout << command << ": " << (message.empty() ? "ok" : message) << by << "\n";
    return kExitOk;
  }
  std::string error = body.is_object() ? body.value("error", message) : "";
  if (r->status == 401) error = "the API refused the token (401): check --token-file";
  std::cerr << "steerctl " << command << ": " << (error.empty() ? "failed" : error);
  if (body.is_object() && body.contains("refused_by")) {
    std::cerr << "\n  refused by rule: " << body["refused_by"].get<std::string>();
  }
  std::cerr << " (HTTP " << r->status << ")\n";
  if (body.is_object() && body.contains("detail") && body["detail"].contains("diagnostics")) {
    for (const auto& d : body["detail"]["diagnostics"]) {
      std::cerr << "  " << (d.is_string() ? d.get<std::string>() : base::JsonText(d)) << "\n";
    }
  }
  return kExitFailed;
}

}  // namespace steer::agent::cli
