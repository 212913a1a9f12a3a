// Source profiles (TOML, intake/profile.h) on arbitrary bytes: an error or a profile, never a
// crash or an exception escaping.
#include "fuzz/fuzz_support.h"
#include "intake/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = rapporteur::fuzz::write_input("profile.toml", data, size);

  const auto profile = rapporteur::intake::load_profile(path);

  if (!profile) rapporteur::fuzz::require(!profile.error().message.empty(), "an error says why");
  return 0;
}
