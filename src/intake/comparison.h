// Comparison fields for probabilistic linkage, computed at intake from a record's name and
// date of birth: Bloom-filter encodings and keyed hashes only, never the values themselves.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/domain.h"
#include "core/result.h"
#include "intake/pseudonym.h"

namespace rapporteur::intake {

// Transliterates to Latin ASCII with ICU ("Any-Latin; Latin-ASCII"), lower-cases, and keeps
// letters and single blanks between words: "Nguyễn Văn" -> "nguyen van", "Łukasz" ->
// "lukasz", "Öztürk" -> "ozturk", "Иванов" -> "ivanov". The same in every thread-safe call
// (one ICU transliterator per thread).
std::string transliterate_name(std::string_view name);

// A surname or given name as compared: transliterated, name particles (van, de, van der, ter,
// von, al, el, bin, ...) and blanks dropped, so "van der Berg", "Berg, van der" and
// "Berg" compare as "berg" (written as one word, "Vanderberg" stays whole). A name that is
// only particles ("Le", "De") is kept whole.
std::string comparison_name(std::string_view name);

// The pseudonymous comparison fields of one record (core's ComparisonKeys: keys are the first
// 16 hex digits of an HMAC-SHA256 under the instance key with a purpose prefix; Bloom encodings
// are raw bytes, see BloomEncoder; empty strings mark missing values). The encoder leaves
// national_id_key empty: intake derives it from the person key.
using ComparisonFields = ComparisonKeys;

// Encodes comparison fields. First and last names share one Bloom key and one hash purpose,
// so that names written the other way round can be compared crossed. Thread-compatible: one
// encoder per thread.
class ComparisonEncoder {
 public:
  explicit ComparisonEncoder(const PseudonymKey& key);

  // Fields from the identifiers present; `ids.birth_date` must be ISO YYYY-MM-DD when
  // present. Fails with kInvalidArgument when the date is not of that form.
  Result<ComparisonFields> encode(const Identifiers& ids);

 private:
  std::string key_hex(std::string_view purpose, std::string_view value) const;

  PseudonymKey key_;
  BloomEncoder names_;
};

}  // namespace rapporteur::intake
