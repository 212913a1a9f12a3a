// Pseudonymisation at intake: identifiers become keyed hashes and Bloom-filter encodings
// before anything is stored. The secret key lives in a file outside the database.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.h"
#include "core/result.h"

namespace rapporteur::intake {

namespace internal {
struct HmacState;
}  // namespace internal

// The secret of an instance. Thread-safe for concurrent use; copies share the same secret.
class PseudonymKey {
 public:
  // Creates a key file with 32 random bytes (OpenSSL RAND_bytes), mode 0600, refusing to
  // overwrite an existing file (kAlreadyExists) and failing with kIo when it cannot be written.
  static Result<PseudonymKey> create_file(const std::filesystem::path& path);
  // Reads a key file; fails with kIo when unreadable, kInvalidArgument when malformed, and
  // kPermissionDenied when group or others may read it.
  static Result<PseudonymKey> read_file(const std::filesystem::path& path);
  // A key from raw bytes, for tests.
  static PseudonymKey from_bytes(const std::array<std::uint8_t, 32>& bytes);

  // A short public fingerprint (16 hex digits of SHA-256 of the key), stored with each batch
  // so that data pseudonymised with different keys are never mixed.
  std::string id() const;
  // HMAC-SHA256 (RFC 2104) of `message` under the key, as 64 lower-case hex digits.
  std::string hmac_hex(std::string_view message) const;
  // The same, written into `out` (reusing its storage).
  void hmac_hex_into(std::string_view message, std::string& out) const;
  // HMAC-SHA256 of `message` under a subkey derived for `purpose`, as raw bytes.
  std::array<std::uint8_t, 32> derived_hmac(std::string_view purpose, std::string_view message) const;

  // Rotation (docs/key-handling.md): a key is a base secret and the layers that rotations
  // added, oldest first. Every keyed value is made with the base secret (the functions above)
  // and then passed through each layer in turn (apply_layers), so a rotation can re-key stored
  // values without the identifiers they came from. A key file without layers is a key as
  // before rotation existed, with the same id().
  std::size_t layer_count() const { return layers_.size(); }
  // A copy with one more layer of 32 random bytes (OpenSSL RAND_bytes); kInternal when the
  // generator fails.
  Result<PseudonymKey> with_new_layer() const;
  // Writes the key (base and layers) to `path` whole (a temporary file, fsync, rename), mode
  // 0600, replacing what is there. kIo when it cannot.
  Result<void> write_file(const std::filesystem::path& path) const;
  // Passes the keyed values of one registration through layers [first, layer_count()): hex keys
  // (64 or 16 digits) become as many digits of HMAC-SHA256(layer, "rotate:" + key), whatever
  // their field, so values equal before are equal after, also across fields compared crossed;
  // Bloom filters (kBloomBits bits) have their bits moved by the layer's secret permutation,
  // which keeps every Dice coefficient exactly. Empty values stay empty. Fails with
  // kInvalidArgument, naming the field, for a value of another length.
  Result<void> apply_layers(std::size_t first, std::string& person_key, std::optional<std::string>& name_key,
                            std::string& name_bloom, std::string& birth_bloom, ComparisonKeys& comparison) const;

 private:
  struct Layer;

  PseudonymKey() = default;
  void add_layer(const std::array<std::uint8_t, 32>& secret);

  std::array<std::uint8_t, 32> bytes_{};
  std::vector<std::shared_ptr<const Layer>> layers_;
  // The digest states after absorbing the key's inner and outer pads, computed once.
  std::shared_ptr<const internal::HmacState> state_;
};

// Identifying fields of one record, as read from an extract: views into the row, never
// copied, stored or logged.
struct Identifiers {
  std::optional<std::string_view> national_id;
  std::optional<std::string_view> first_name;
  std::optional<std::string_view> last_name;
  std::optional<std::string_view> birth_date;  // ISO YYYY-MM-DD, already validated.
};

// Lower-case, Latin diacritics folded (é -> e, ß -> ss), everything but letters dropped,
// e.g. "Van der Berg-Öztürk " -> "vanderbergozturk".
std::string normalise_name(std::string_view name);
// Digits only, leading zeros kept: " 012.345.678 " -> "012345678".
std::string normalise_national_id(std::string_view id);

struct PersonKeys {
  std::string primary;                  // From the national id where present, else name + date.
  std::optional<std::string> name_key;  // From name + date of birth when all three are present.
};

// Computes the keys of a person; fails with kInvalidArgument when neither a national id nor
// the full name with a date of birth is present.
Result<PersonKeys> person_keys(const PseudonymKey& key, const Identifiers& ids);
// The same, written into `keys` (reusing its storage; for bulk loads).
Result<void> person_keys_into(const PseudonymKey& key, const Identifiers& ids, PersonKeys& keys);

// A cryptographic long-term key style Bloom filter (Schnell, Bachteler and Reiher 2009):
// 1000 bits, 20 hash functions by double hashing of keyed HMAC-SHA1 and HMAC-MD5 over the
// padded bigrams of the normalised text, with keys derived per field. Returned as 125 raw
// bytes; empty input gives "".
inline constexpr int kBloomBits = 1000;
inline constexpr int kBloomHashes = 20;

// Encodes one field. Remembers each bigram's bit positions (they depend only on the key and
// the field), so that a large extract costs a few HMACs per distinct bigram, not per row.
// Thread-compatible: one encoder per thread.
class BloomEncoder {
 public:
  BloomEncoder(const PseudonymKey& key, std::string field);
  std::string encode(std::string_view normalised);

 private:
  // The filter's bits as 64-bit words: a bigram's 20 bits are ORed in as one mask.
  using Mask = std::array<std::uint64_t, (kBloomBits + 63) / 64>;
  const Mask& mask(unsigned char first, unsigned char second);

  std::array<std::uint8_t, 32> sha_key_{};
  std::array<std::uint8_t, 32> md5_key_{};
  // The mask of each bigram seen, found through its two bytes (0: not yet computed).
  std::vector<std::uint32_t> slot_of_;
  std::vector<Mask> masks_;
};

// One-off encoding; see BloomEncoder.
std::string bloom_encode(const PseudonymKey& key, std::string_view field, std::string_view normalised);

// Dice coefficient of two encodings of equal length: 2|A and B| / (|A| + |B|), in [0, 1].
double dice(std::string_view a, std::string_view b);

}  // namespace rapporteur::intake
