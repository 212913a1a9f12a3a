// One field of RFC 4180 CSV.
#pragma once

#include <string>
#include <string_view>

namespace rapporteur {

// `value` as a CSV field: as it is, or in double quotes (inner quotes doubled) when it holds a
// comma, a quote, a CR or an LF, or begins or ends with a space.
//
// A value a spreadsheet would take as a formula (beginning with '=', '+', '-', '@', a tab or
// a CR, and not a plain number such as "-12" or "+3.5") gets a leading apostrophe, so that
// opening the file cannot run it (OWASP, "CSV Injection"). Text from outside reaches our CSV
// files (a source's record reference, an uploaded table's labels, a file name).
std::string csv_field(std::string_view value);

}  // namespace rapporteur
