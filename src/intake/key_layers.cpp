// The layers of a rotated pseudonymisation key (docs/key-handling.md): the key's id, its file,
// and how a layer re-keys stored values.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <fmt/format.h>

#include "core/files.h"
#include "intake/pseudonym.h"

namespace rapporteur::intake {

struct PseudonymKey::Layer {
  std::array<std::uint8_t, 32> secret{};
  // Bit i of a Bloom filter moves to bit permutation[i].
  std::array<std::uint16_t, kBloomBits> permutation{};
};

namespace {

constexpr std::string_view kHeader = "rapporteur-pseudonym-key v1";

std::array<std::uint8_t, 32> hmac(const std::array<std::uint8_t, 32>& key, std::string_view message) {
  std::array<std::uint8_t, 32> out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out.data(), &length);
  return out;
}

std::string hex(const std::uint8_t* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

bool is_hex(std::string_view text) { return text.find_first_not_of("0123456789abcdef") == std::string_view::npos; }

// A Fisher-Yates shuffle driven by HMAC-SHA256(secret, "bloom-permutation:" + n), drawing by
// rejection so that every permutation is equally likely.
std::array<std::uint16_t, kBloomBits> permutation_of(const std::array<std::uint8_t, 32>& secret) {
  std::array<std::uint16_t, kBloomBits> p{};
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::uint16_t>(i);
  std::array<std::uint8_t, 32> block{};
  std::size_t used = block.size();
  std::uint64_t counter = 0;
  const auto next32 = [&] {
    if (used + 4 > block.size()) {
      block = hmac(secret, fmt::format("bloom-permutation:{}", counter++));
      used = 0;
    }
    std::uint32_t value = 0;
    for (int k = 0; k < 4; ++k) value = (value << 8) | block[used++];
    return value;
  };
  for (std::size_t i = p.size() - 1; i > 0; --i) {
    const std::uint64_t range = i + 1;
    const std::uint64_t limit = (std::uint64_t{1} << 32) - ((std::uint64_t{1} << 32) % range);
    std::uint64_t draw = next32();
    while (draw >= limit) draw = next32();
    std::swap(p[i], p[draw % range]);
  }
  return p;
}

Result<void> rekey_hex(const std::array<std::uint8_t, 32>& secret, std::string_view field, std::string& value) {
  if (value.empty()) return ok();
  if ((value.size() != 64 && value.size() != 16) || !is_hex(value)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} is not a keyed value of 16 or 64 hex digits ({} characters)", field, value.size()));
  }
  const auto mac = hmac(secret, "rotate:" + value);
  value = hex(mac.data(), mac.size()).substr(0, value.size());
  return ok();
}

Result<void> rekey_bloom(const std::array<std::uint16_t, kBloomBits>& permutation, std::string_view field,
                         std::string& bloom) {
  if (bloom.empty()) return ok();
  if (bloom.size() != kBloomBits / 8) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} is not a Bloom filter of {} bytes ({} bytes)", field, kBloomBits / 8, bloom.size()));
  }
  std::string moved(bloom.size(), '\0');
  for (std::size_t bit = 0; bit < kBloomBits; ++bit) {
    if ((static_cast<unsigned char>(bloom[bit / 8]) >> (bit % 8) & 1) == 0) continue;
    const std::size_t to = permutation[bit];
    moved[to / 8] = static_cast<char>(static_cast<unsigned char>(moved[to / 8]) | (1u << (to % 8)));
  }
  bloom = std::move(moved);
  return ok();
}

}  // namespace

void PseudonymKey::add_layer(const std::array<std::uint8_t, 32>& secret) {
  auto layer = std::make_shared<Layer>();
  layer->secret = secret;
  layer->permutation = permutation_of(secret);
  layers_.push_back(std::move(layer));
}

std::string PseudonymKey::id() const {
  // Without layers, SHA-256 of the secret as ever; with layers, of the secret and every layer.
  std::string bytes(reinterpret_cast<const char*>(bytes_.data()), bytes_.size());
  for (const auto& layer : layers_)
    bytes.append(reinterpret_cast<const char*>(layer->secret.data()), layer->secret.size());
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return hex(digest.data(), 8);
}

Result<PseudonymKey> PseudonymKey::with_new_layer() const {
  std::array<std::uint8_t, 32> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    return fail(ErrorCode::kInternal, "the random generator failed to make a key layer");
  }
  PseudonymKey rotated = *this;
  rotated.add_layer(secret);
  OPENSSL_cleanse(secret.data(), secret.size());
  return rotated;
}

Result<void> PseudonymKey::write_file(const std::filesystem::path& path) const {
  std::string text = fmt::format("{}\n{}\n", kHeader, hex(bytes_.data(), bytes_.size()));
  for (const auto& layer : layers_) text += fmt::format("layer {}\n", hex(layer->secret.data(), layer->secret.size()));
  auto written = write_file_atomically(path, text, FileAccess::kOwnerOnly);
  OPENSSL_cleanse(text.data(), text.size());
  return written;
}

Result<void> PseudonymKey::apply_layers(std::size_t first, std::string& person_key,
                                        std::optional<std::string>& name_key, std::string& name_bloom,
                                        std::string& birth_bloom, ComparisonKeys& comparison) const {
  for (std::size_t i = first; i < layers_.size(); ++i) {
    const Layer& layer = *layers_[i];
    RETURN_IF_ERROR(rekey_hex(layer.secret, "person_key", person_key));
    if (name_key) RETURN_IF_ERROR(rekey_hex(layer.secret, "name_key", *name_key));
    RETURN_IF_ERROR(rekey_bloom(layer.permutation, "name_bloom", name_bloom));
    RETURN_IF_ERROR(rekey_bloom(layer.permutation, "birth_bloom", birth_bloom));
    ComparisonKeys& c = comparison;
    RETURN_IF_ERROR(rekey_bloom(layer.permutation, "first_name_bloom", c.first_name_bloom));
    RETURN_IF_ERROR(rekey_bloom(layer.permutation, "last_name_bloom", c.last_name_bloom));
    for (auto [field, value] : {std::pair<std::string_view, std::string*>{"first_name_key", &c.first_name_key},
                                {"last_name_key", &c.last_name_key},
                                {"birth_year_key", &c.birth_year_key},
                                {"birth_year_pair_key", &c.birth_year_pair_key},
                                {"birth_year_pair_odd_key", &c.birth_year_pair_odd_key},
                                {"birth_month_key", &c.birth_month_key},
                                {"birth_day_key", &c.birth_day_key},
                                {"national_id_key", &c.national_id_key}}) {
      RETURN_IF_ERROR(rekey_hex(layer.secret, field, *value));
    }
  }
  return ok();
}

}  // namespace rapporteur::intake
