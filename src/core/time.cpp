#include "core/time.h"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace rapporteur {

std::string utc_now_iso() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                     std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

std::string utc_today() { return utc_now_iso().substr(0, 10); }

}  // namespace rapporteur
