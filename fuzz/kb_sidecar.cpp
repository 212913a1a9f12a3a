// The knowledge base's side-car metadata files (TOML, kb/kb.h) on arbitrary bytes.
#include "fuzz/fuzz_support.h"
#include "kb/kb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = rapporteur::fuzz::write_input("document.md.toml", data, size);

  const auto metadata = rapporteur::kb::read_sidecar(path);

  if (!metadata) rapporteur::fuzz::require(!metadata.error().message.empty(), "an error says why");
  return 0;
}
