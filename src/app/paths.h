// Where an installed or built binary finds its data: the source profiles and table
// definitions that ship with it.
#pragma once

#include <filesystem>
#include <string_view>

namespace rapporteur::app {

// The folder `name` ("profiles" or "tables") of this installation: beside the binary's prefix
// (<prefix>/bin/rapporteur -> <prefix>/share/rapporteur/<name>, as `cmake --install` lays it
// out) when that exists, else `build_fallback` (the source tree the binary was built from), so
// a binary run from its build folder and an installed copy both find their data from any
// working directory.
std::filesystem::path data_folder(std::string_view name, const std::filesystem::path& build_fallback);

}  // namespace rapporteur::app
