// Numbers, warnings and intervals of estimates in words, Dutch first.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "web/internal/estimate_text.h"

namespace rapporteur::web::internal {
namespace {

bool is_number(const std::string& text) {
  if (text.empty()) return false;
  char* end = nullptr;
  (void)std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// A value of a warning: numbers in the page's notation, method names translated.
std::string value_text(Language language, const std::string& value) {
  if (is_number(value)) {
    const auto dot = value.find('.');
    const int decimals = dot == std::string::npos ? 0 : static_cast<int>(value.size() - dot - 1);
    return format_number(language, std::strtod(value.c_str(), nullptr), decimals);
  }
  return method_name(language, value);
}

// Dutch templates per warning code; {0}, {1}, ... are the warning's values.
const std::map<std::string, std::string>& dutch_templates() {
  static const std::map<std::string, std::string> templates = {
      {"sparse_list", "bron {0} registreerde maar {1} personen: wat zij toevoegt, rust op heel weinig"},
      {"lists_never_overlap",
       "bronnen {0} en {1} registreerden geen enkele persoon samen: hun onderlinge afhankelijkheid is zwak bepaald"},
      {"methods_disagree",
       "de methoden verschillen een factor {0}: {1} geeft {2}, {3} geeft {4}; noem geen enkel getal zonder de andere"},
      {"intervals_disjoint", "de intervallen van {0} ({1} tot {2}) en {3} ({4} tot {5}) overlappen niet"},
      {"empty_list", "bron {0} registreerde niemand en is weggelaten"},
      {"average_stepwise_only",
       "{0} bronnen: het gemiddelde omvat alleen de {1} modellen die een stapsgewijze AIC-zoektocht bezocht, niet "
       "alle"},
      {"sparse_stepwise_failed", "de spaarzame stapsgewijze schatting mislukte"},
      {"hidden_heterogeneity",
       "het AIC-modelgemiddelde ({0}) en de spaarzame stapsgewijze keuze ({1}) verschillen meer dan een factor {2} of "
       "in "
       "hun intervallen: een teken van mensen die voor alle bronnen minder zichtbaar zijn. In de simulatiestudie "
       "gebeurde "
       "dit bij 56,5% van de populaties met zulke verborgen verschillen (12% zonder); daar dekte het interval van het "
       "modelgemiddelde de werkelijke omvang in 86% en het stapsgewijze in 10%. Lees elk interval hier als mogelijk te "
       "laag"},
      {"extended_mle",
       "het gekozen model bevat bronnen die elkaar nooit overlappen: hun interactie staat op min oneindig (uitgebreide "
       "grootste aannemelijkheid)"},
      {"profile_upper_open",
       "de bovengrens van het profielinterval ligt voorbij driemaal de schatting: het interval is "
       "naar boven open"},
      {"profile_failed", "er is geen profiel-aannemelijkheidsinterval"},
      {"bootstrap_replicates_failed",
       "{0} van de {1} bootstrapreplicaties hadden geen schatbaar model en zijn weggelaten"},
      {"bootstrap_failed", "de bootstrap mislukte"},
      {"chains_not_converged",
       "de ketens zijn niet geconvergeerd: split-R-hat van N is {0} (verwacht onder 1,1); draai langer of rapporteer "
       "de "
       "ketens apart"},
      {"few_effective_draws",
       "maar {0} effectieve trekkingen van N (verwacht minstens 100): het interval is onnauwkeurig; draai langer"},
      {"chains_disagree",
       "de ketens zijn het oneens: hun medianen van N lopen van {0} tot {1}; de posterior kan meerdere toppen hebben"},
  };
  return templates;
}

std::string fill(const std::string& pattern, const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' &&
        std::isdigit(static_cast<unsigned char>(pattern[i + 1]))) {
      const auto index = static_cast<std::size_t>(pattern[i + 1] - '0');
      out += index < values.size() ? values[index] : "?";
      i += 2;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace

std::string format_number(Language language, double value, int decimals) {
  if (!std::isfinite(value)) return "–";
  const std::string plain = fmt::format("{:.{}f}", std::abs(value), decimals);
  const auto dot = plain.find('.');
  const std::string whole = plain.substr(0, dot);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += dutch(language) ? '.' : ',';
    grouped += whole[i];
  }
  std::string out = (value < 0 && std::stod(plain) != 0 ? "-" : "") + grouped;
  if (dot != std::string::npos) out += (dutch(language) ? "," : ".") + plain.substr(dot + 1);
  return out;
}

std::string method_name(Language language, const std::string& english) {
  if (!dutch(language)) return english;
  static const std::map<std::string, std::string> names = {
      {"AIC model average", "AIC-modelgemiddelde"},
      {"sparse stepwise (profile)", "spaarzaam stapsgewijs (profielinterval)"},
      {"latent class (median, credible)", "latente klassen (mediaan, geloofwaardigheidsinterval)"},
  };
  const auto found = names.find(english);
  return found == names.end() ? english : found->second;
}

std::string describe_warning(Language language, const std::string& code, const std::vector<std::string>& values,
                             const std::string& english) {
  if (!dutch(language)) return english;
  std::string base = code;
  std::string prefix;
  if (base.starts_with("latent_class.")) {
    base = base.substr(13);
    prefix = "latente-klassenmodel: ";
  }
  const auto found = dutch_templates().find(base);
  if (found == dutch_templates().end()) return english;
  std::vector<std::string> shown;
  for (const auto& v : values) shown.push_back(value_text(language, v));
  return prefix + fill(found->second, shown);
}

std::string interval_in_words(Language language, const app::PublishedFigure& f) {
  const std::string low = format_number(language, f.low);
  const std::string high = format_number(language, f.high);
  if (dutch(language)) {
    if (f.low_open && f.high_open)
      return fmt::format("naar schatting tussen minder dan {} en meer dan {} slachtoffers", low, high);
    if (f.high_open) {
      return fmt::format(
          "naar schatting tussen {} en meer dan {} slachtoffers (de bovengrens is open: het interval loopt "
          "door voorbij {})",
          low, high, high);
    }
    if (f.low_open)
      return fmt::format("naar schatting tussen minder dan {} en {} slachtoffers (de ondergrens is open)", low, high);
    return fmt::format("naar schatting tussen {} en {} slachtoffers", low, high);
  }
  if (f.low_open && f.high_open) return fmt::format("an estimated fewer than {} to more than {} victims", low, high);
  if (f.high_open) {
    return fmt::format(
        "an estimated between {} and more than {} victims (the upper bound is open: the interval goes on "
        "beyond {})",
        low, high, high);
  }
  if (f.low_open)
    return fmt::format("an estimated between fewer than {} and {} victims (the lower bound is open)", low, high);
  return fmt::format("an estimated between {} and {} victims", low, high);
}

}  // namespace rapporteur::web::internal
