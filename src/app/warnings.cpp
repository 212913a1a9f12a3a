#include "app/warnings.h"

#include <array>
#include <regex>
#include <vector>

namespace rapporteur::app {
namespace {

struct Rule {
  const char* code;
  const char* pattern;  // Matched against the whole text; its groups are the values.
};

// One rule per warning mse writes (src/mse/checks.cpp, selection.cpp, recommended.cpp,
// latent_class.cpp); tests/app/warnings_test.cpp checks that each kind gets its code.
constexpr std::array kRules = {
    Rule{"sparse_list", R"(list (.+) saw only (\d+) people: what it adds rests on very little)"},
    Rule{"lists_never_overlap", R"(lists (.+) and (.+) never share a person: .*)"},
    Rule{"methods_disagree",
         R"(the methods disagree by a factor of ([0-9.]+): (.+) gives (\d+), (.+) gives (\d+); .*)"},
    Rule{"intervals_disjoint",
         R"(the intervals of (.+) \((\d+) to (\d+)\) and (.+) \((\d+) to (\d+)\) do not overlap)"},
    Rule{"empty_list", R"(list (.+) saw nobody(?: in .+)? and (?:was|is) left out)"},
    Rule{"average_stepwise_only",
         R"((\d+) lists: the average covers only the (\d+) models a stepwise AIC search visited.*)"},
    Rule{"sparse_stepwise_failed", R"(the sparse stepwise estimate failed: (.*))"},
    Rule{
        "hidden_heterogeneity",
        R"(the AIC model average \((\d+)\) and the sparse stepwise choice \((\d+)\) differ by more than a factor of ([0-9.]+) .*)"},
    Rule{"extended_mle", R"(the chosen model has lists that never overlap: .*)"},
    Rule{"profile_upper_open", R"(the upper profile-likelihood bound lies beyond three times the estimate)"},
    Rule{"profile_failed", R"(no profile-likelihood interval: (.*))"},
    Rule{"bootstrap_replicates_failed",
         R"((\d+) of (\d+) bootstrap replicates had no estimable model and were left out)"},
    Rule{"bootstrap_failed", R"(bootstrap failed: (.*))"},
    Rule{"chains_not_converged", R"(the chains have not converged: split R-hat of N is ([0-9.]+) .*)"},
    Rule{"few_effective_draws", R"(only (\d+) effective draws of N .*)"},
    Rule{"chains_disagree", R"(the chains disagree: their medians of N range from (\d+) to (\d+); .*)"},
};

// The rules compiled once: pages render warnings on many server threads, and compiling a
// std::regex touches libstdc++'s shared ctype cache (a race ThreadSanitizer reports).
const std::vector<std::regex>& compiled_rules() {
  static const std::vector<std::regex> compiled = [] {
    std::vector<std::regex> all;
    all.reserve(kRules.size());
    for (const Rule& rule : kRules) all.emplace_back(rule.pattern);
    return all;
  }();
  return compiled;
}

}  // namespace

CodedWarning code_warning(const std::string& text) {
  CodedWarning coded{"other", {}, text};
  std::string body = text;
  std::string prefix;
  if (body.starts_with("latent class: ")) {
    body = body.substr(14);
    prefix = "latent_class.";
  }
  const std::vector<std::regex>& compiled = compiled_rules();
  for (std::size_t r = 0; r < kRules.size(); ++r) {
    std::smatch match;
    if (std::regex_match(body, match, compiled[r])) {
      coded.code = prefix + kRules[r].code;
      for (std::size_t g = 1; g < match.size(); ++g) coded.values.push_back(match[g].str());
      return coded;
    }
  }
  return coded;
}

}  // namespace rapporteur::app
