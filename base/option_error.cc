#include "steer/base/option_error.h"

#include <map>

namespace steer::base {
namespace po = boost::program_options;
namespace {

// Reaches the error's placeholder values, which Boost keeps protected and offers no getter for.
// Never constructed: only its scope is used, to name the protected member.
class Substitutions : public po::error_with_option_name {
 public:
  static std::map<std::string, std::string>& Of(po::error_with_option_name& e) {
    return e.*(&Substitutions::m_substitutions);
  }
};

std::string PercentEncodePercent(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '%') {
      out += "%25";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string OptionErrorText(po::error& e) {
  if (auto* named = dynamic_cast<po::error_with_option_name*>(&e)) {
    for (auto& [name, value] : Substitutions::Of(*named)) value = PercentEncodePercent(value);
  }
  return e.what();
}

}  // namespace steer::base
