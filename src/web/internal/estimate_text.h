// The words and numbers of estimates on web pages: numbers in the page's language (3.168 and
// 2,4 in Dutch), the estimate's warnings said in Dutch from their codes (app/warnings.h), and
// the estimate pages. Internal to web.
#pragma once

#include <string>
#include <vector>

#include "app/published_estimate.h"
#include "web/internal/html.h"
#include "web/internal/pages.h"

namespace rapporteur::web::internal {

// `value` rounded to `decimals`, grouped by thousands: "3.168" / "2,4" in Dutch, "3,168" / "2.4"
// in English.
std::string format_number(Language language, double value, int decimals = 0);

// A warning in the page's language: Dutch from its code and values (a number among the values
// in Dutch notation), the English text in English or for a code without a translation.
std::string describe_warning(Language language, const std::string& code, const std::vector<std::string>& values,
                             const std::string& english);

// A method name as mse writes it ("AIC model average", ...) in the page's language.
std::string method_name(Language language, const std::string& english);

// The interval in plain words, e.g. "naar schatting tussen 2.654 en 3.844 slachtoffers", with
// an open bound stated as open.
std::string interval_in_words(Language language, const app::PublishedFigure& figure);

// An estimate job's JSON output (app::to_json) on the staff job page: per stratum, the national
// estimate and the sum of the strata, every interval the run computed (recommended, profile
// with an open bound as open, log-normal, bootstrap, latent class), why a stratum is not
// estimable, the runner-up models, the sensitivity table and the warnings in the page's
// language; a chart of the recommended estimates.
Html render_estimate_result(Language language, const std::string& output);

// /schattingen: the published estimates per mandate with the trend over the years.
std::string render_estimates(Language language, const std::vector<app::PublishedEstimate>& estimates,
                             bool chart_available);
// /schattingen/<id>: one estimate with its strata, method, caveats and provenance.
std::string render_estimate(Language language, const app::PublishedEstimate& estimate);

}  // namespace rapporteur::web::internal
