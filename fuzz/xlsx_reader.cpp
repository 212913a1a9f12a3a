// The XLSX reader of intake (intake/internal/tables.h) on arbitrary bytes (a zip of XML
// parts): it must fail with an error or yield rows of valid UTF-8 with rising row numbers.
#include "fuzz/fuzz_support.h"
#include "intake/internal/tables.h"

using rapporteur::fuzz::require;
namespace internal = rapporteur::intake::internal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = rapporteur::fuzz::write_input("extract.xlsx", data, size);

  auto reader = internal::open_xlsx(path, "");
  if (!reader) return 0;

  internal::Row row;
  long last = 1;
  for (;;) {
    const auto more = (*reader)->next(row);
    if (!more || !*more) break;
    require(row.number > last, "row numbers rise");
    last = row.number;
    for (const auto& field : row.fields) require(rapporteur::fuzz::is_utf8(field), "fields are UTF-8");
    const double progress = (*reader)->progress();
    require(progress >= 0 && progress <= 1, "progress within [0, 1]");
  }
  return 0;
}
