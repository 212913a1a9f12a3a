// Codes for the estimate's warnings, so the faces can say them in Dutch: the estimators write
// them in English; each kind gets a stable code and the values it names (list names, numbers,
// methods), in order.
#pragma once

#include <string>
#include <vector>

namespace rapporteur::app {

struct CodedWarning {
  std::string code;                 // E.g. "sparse_list"; "other" for a text no rule knows.
  std::vector<std::string> values;  // The values the text names, in its order.
  std::string text;                 // The English text.
};

// The code and values of one warning of mse (selection, recommended estimate, latent class,
// checks). A warning prefixed "latent class: " keeps its code with "latent_class." before it.
CodedWarning code_warning(const std::string& text);

}  // namespace rapporteur::app
