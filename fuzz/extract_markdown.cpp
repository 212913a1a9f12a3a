// Text extraction of the knowledge base (kb/internal/extract.h) from arbitrary bytes read as
// text/markdown: an error, or UTF-8 text and title.
#include "fuzz/fuzz_support.h"
#include "kb/internal/extract.h"

using rapporteur::fuzz::is_utf8;
using rapporteur::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto extracted = rapporteur::kb::internal::extract("text/markdown", rapporteur::fuzz::as_text(data, size));

  if (!extracted) return 0;
  require(is_utf8(extracted->text), "the text is UTF-8");
  require(is_utf8(extracted->title), "the title is UTF-8");
  return 0;
}
