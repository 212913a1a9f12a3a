// Table definitions (TOML, tables/tables.h) on arbitrary text: an error or a specification,
// never a crash or an exception escaping.
#include "fuzz/fuzz_support.h"
#include "tables/tables.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(rapporteur::fuzz::as_text(data, size));

  const auto spec = rapporteur::tables::parse_spec(text, "fuzz.toml");

  if (!spec) rapporteur::fuzz::require(!spec.error().message.empty(), "an error says why");
  return 0;
}
