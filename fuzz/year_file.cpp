// The yearly account's year files (YAML, account/account.h) on arbitrary bytes: an error
// naming the file, or entries all dated in the file's year.
#include "account/account.h"
#include "fuzz/fuzz_support.h"

using rapporteur::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = rapporteur::fuzz::write_input("year.yaml", data, size);

  const auto file = rapporteur::account::read_year_file(path);

  if (!file) {
    require(file.error().message.find("year.yaml") != std::string::npos, "an error names the file");
    return 0;
  }
  const std::string year = std::to_string(file->year);
  for (const auto& activity : file->activities)
    require(activity.date.starts_with(year), "activities dated in the year");
  for (const auto& media : file->media) require(media.date.starts_with(year), "media dated in the year");
  return 0;
}
