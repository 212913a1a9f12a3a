#include "intake/pseudonym.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace rapporteur::intake {

namespace internal {

// HMAC-SHA256 (RFC 2104) with the pad blocks absorbed once: each MAC then copies two digest
// states instead of re-keying, and the digest is fetched from the provider only once (the
// one-shot HMAC() of OpenSSL 3 spends most of its time in fetches, locks and allocations).
struct HmacState {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* inner = nullptr;
  EVP_MD_CTX* outer = nullptr;

  explicit HmacState(const std::array<std::uint8_t, 32>& key) {
    md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    inner = EVP_MD_CTX_new();
    outer = EVP_MD_CTX_new();
    std::array<std::uint8_t, 64> ipad{};
    std::array<std::uint8_t, 64> opad{};
    for (std::size_t i = 0; i < 64; ++i) {
      const std::uint8_t k = i < key.size() ? key[i] : 0;
      ipad[i] = static_cast<std::uint8_t>(k ^ 0x36);
      opad[i] = static_cast<std::uint8_t>(k ^ 0x5c);
    }
    EVP_DigestInit_ex2(inner, md, nullptr);
    EVP_DigestUpdate(inner, ipad.data(), ipad.size());
    EVP_DigestInit_ex2(outer, md, nullptr);
    EVP_DigestUpdate(outer, opad.data(), opad.size());
    OPENSSL_cleanse(ipad.data(), ipad.size());
    OPENSSL_cleanse(opad.data(), opad.size());
  }
  HmacState(const HmacState&) = delete;
  HmacState& operator=(const HmacState&) = delete;
  ~HmacState() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
    EVP_MD_free(md);
  }

  std::array<std::uint8_t, 32> mac(std::string_view message) const {
    // One working context per thread, freed when the thread ends (loads hash on a worker).
    struct Free {
      void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
    };
    thread_local const std::unique_ptr<EVP_MD_CTX, Free> owned(EVP_MD_CTX_new());
    EVP_MD_CTX* work = owned.get();
    std::array<std::uint8_t, 32> inner_digest{};
    std::array<std::uint8_t, 32> out{};
    unsigned int length = 0;
    EVP_MD_CTX_copy_ex(work, inner);
    EVP_DigestUpdate(work, message.data(), message.size());
    EVP_DigestFinal_ex(work, inner_digest.data(), &length);
    EVP_MD_CTX_copy_ex(work, outer);
    EVP_DigestUpdate(work, inner_digest.data(), inner_digest.size());
    EVP_DigestFinal_ex(work, out.data(), &length);
    return out;
  }
};

}  // namespace internal

namespace {

constexpr std::string_view kHeader = "rapporteur-pseudonym-key v1";

void to_hex_into(const std::uint8_t* bytes, std::size_t size, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out.resize(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
}

std::string to_hex(const std::uint8_t* bytes, std::size_t size) {
  std::string out;
  to_hex_into(bytes, size, out);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::array<std::uint8_t, 32> hmac256(const std::uint8_t* key, std::size_t key_size, std::string_view message) {
  std::array<std::uint8_t, 32> out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key, static_cast<int>(key_size), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out.data(), &length);
  return out;
}

// UTF-8 sequences of Latin-1 Supplement and Latin Extended-A letters folded to ASCII.
// Written by hand: ICU is not in the stack, and names need only these blocks.
std::string_view fold(char32_t c) {
  switch (c) {
    case U'à':
    case U'á':
    case U'â':
    case U'ã':
    case U'ä':
    case U'å':
    case U'ā':
    case U'ă':
    case U'ą':
      return "a";
    case U'æ':
      return "ae";
    case U'ç':
    case U'ć':
    case U'č':
    case U'ĉ':
      return "c";
    case U'ď':
    case U'đ':
    case U'ð':
      return "d";
    case U'è':
    case U'é':
    case U'ê':
    case U'ë':
    case U'ē':
    case U'ė':
    case U'ę':
    case U'ě':
      return "e";
    case U'ğ':
    case U'ģ':
      return "g";
    case U'ì':
    case U'í':
    case U'î':
    case U'ï':
    case U'ī':
    case U'į':
    case U'ı':
      return "i";
    case U'ĳ':
      return "ij";
    case U'ķ':
      return "k";
    case U'ľ':
    case U'ł':
    case U'ļ':
      return "l";
    case U'ñ':
    case U'ń':
    case U'ň':
    case U'ņ':
      return "n";
    case U'ò':
    case U'ó':
    case U'ô':
    case U'õ':
    case U'ö':
    case U'ø':
    case U'ō':
    case U'ő':
      return "o";
    case U'œ':
      return "oe";
    case U'ř':
    case U'ŕ':
      return "r";
    case U'ß':
      return "ss";
    case U'ś':
    case U'š':
    case U'ş':
    case U'ș':
      return "s";
    case U'ť':
    case U'ţ':
    case U'ț':
      return "t";
    case U'ù':
    case U'ú':
    case U'û':
    case U'ü':
    case U'ū':
    case U'ů':
    case U'ű':
    case U'ų':
      return "u";
    case U'ý':
    case U'ÿ':
      return "y";
    case U'ź':
    case U'ż':
    case U'ž':
      return "z";
    case U'þ':
      return "th";
    default:
      return {};
  }
}

}  // namespace

Result<PseudonymKey> PseudonymKey::create_file(const std::filesystem::path& path) {
  std::array<std::uint8_t, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return fail(ErrorCode::kInternal, "the system random generator failed");
  }
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  // O_EXCL: never overwrite a key; losing it makes every stored pseudonym unlinkable.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return fail(ErrorCode::kAlreadyExists,
                  fmt::format("key file '{}' already exists; it is never overwritten", path.string()));
    }
    return fail(ErrorCode::kIo, fmt::format("cannot create key file '{}': {}", path.string(), std::strerror(errno)));
  }
  const std::string text = fmt::format("{}\n{}\n", kHeader, to_hex(bytes.data(), bytes.size()));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    std::filesystem::remove(path);
    return fail(ErrorCode::kIo, fmt::format("cannot write key file '{}'", path.string()));
  }
  return from_bytes(bytes);
}

Result<PseudonymKey> PseudonymKey::read_file(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return fail(ErrorCode::kIo, fmt::format("cannot read key file '{}': {} (create one with "
                                            "'rapporteur key init')",
                                            path.string(), std::strerror(errno)));
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return fail(ErrorCode::kPermissionDenied,
                fmt::format("key file '{}' is readable by others (mode {:o}); run chmod 600", path.string(),
                            info.st_mode & 0777));
  }
  std::ifstream file(path);
  std::string header;
  std::string hex;
  std::getline(file, header);
  std::getline(file, hex);
  if (header != kHeader || hex.size() != 64) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("key file '{}' is not a rapporteur pseudonym key", path.string()));
  }
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("key file '{}' holds a non-hex character", path.string()));
    }
    bytes[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  PseudonymKey key = from_bytes(bytes);
  // The layers that rotations added, one "layer HEX" line each, oldest first.
  for (std::string line; std::getline(file, line);) {
    if (line.empty()) continue;
    std::array<std::uint8_t, 32> layer{};
    bool valid = line.size() == 6 + 64 && line.starts_with("layer ");
    for (std::size_t i = 0; valid && i < layer.size(); ++i) {
      const int high = hex_value(line[6 + 2 * i]);
      const int low = hex_value(line[6 + 2 * i + 1]);
      valid = high >= 0 && low >= 0;
      layer[i] = static_cast<std::uint8_t>(high * 16 + low);
    }
    if (!valid) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("key file '{}' has a line that is not 'layer' and 64 hex digits", path.string()));
    }
    key.add_layer(layer);
  }
  return key;
}

PseudonymKey PseudonymKey::from_bytes(const std::array<std::uint8_t, 32>& bytes) {
  PseudonymKey key;
  key.bytes_ = bytes;
  key.state_ = std::make_shared<const internal::HmacState>(bytes);
  return key;
}

std::string PseudonymKey::hmac_hex(std::string_view message) const {
  std::string out;
  hmac_hex_into(message, out);
  return out;
}

void PseudonymKey::hmac_hex_into(std::string_view message, std::string& out) const {
  const auto mac = state_->mac(message);
  to_hex_into(mac.data(), mac.size(), out);
}

std::array<std::uint8_t, 32> PseudonymKey::derived_hmac(std::string_view purpose, std::string_view message) const {
  const auto subkey = hmac256(bytes_.data(), bytes_.size(), purpose);
  return hmac256(subkey.data(), subkey.size(), message);
}

std::string normalise_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size();) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if (byte < 0x80) {
      // ASCII letters without the C library's locale lookups.
      if (byte >= 'a' && byte <= 'z')
        out += static_cast<char>(byte);
      else if (byte >= 'A' && byte <= 'Z')
        out += static_cast<char>(byte - 'A' + 'a');
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence (2 or 3 bytes cover the Latin blocks we fold).
    char32_t c = 0;
    std::size_t length = 1;
    if ((byte & 0xE0) == 0xC0 && i + 1 < name.size()) {
      c = static_cast<char32_t>(((byte & 0x1F) << 6) | (static_cast<unsigned char>(name[i + 1]) & 0x3F));
      length = 2;
    } else if ((byte & 0xF0) == 0xE0 && i + 2 < name.size()) {
      c = static_cast<char32_t>(((byte & 0x0F) << 12) | ((static_cast<unsigned char>(name[i + 1]) & 0x3F) << 6) |
                                (static_cast<unsigned char>(name[i + 2]) & 0x3F));
      length = 3;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
    }
    // Upper-case Latin-1 letters sit 0x20 below their lower-case forms (except × and ß).
    if (c >= U'À' && c <= U'Þ' && c != U'×') c += 0x20;
    // Latin Extended-A pairs upper and lower case as adjacent code points; which of the two
    // is upper case flips at U+0139 and back at U+014A.
    const bool even_upper = (c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177);
    const bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if ((even_upper && c % 2 == 0 && c != 0x130) || (odd_upper && c % 2 == 1)) c += 1;
    if (c == 0x178) c = U'ÿ';
    out += fold(c);
    i += length;
  }
  return out;
}

namespace {

// Appends the digits of a national id number to `out`: the normalisation of such numbers.
void append_national_id(std::string_view id, std::string& out) {
  for (const char c : id) {
    if (c >= '0' && c <= '9') out += c;
  }
}

}  // namespace

std::string normalise_national_id(std::string_view id) {
  std::string digits;
  append_national_id(id, digits);
  return digits;
}

Result<PersonKeys> person_keys(const PseudonymKey& key, const Identifiers& ids) {
  PersonKeys keys;
  RETURN_IF_ERROR(person_keys_into(key, ids, keys));
  return keys;
}

Result<void> person_keys_into(const PseudonymKey& key, const Identifiers& ids, PersonKeys& keys) {
  // The message buffer holds identifiers: one per thread, wiped after each use.
  thread_local std::string message;
  const auto wipe = [&] {
    OPENSSL_cleanse(message.data(), message.size());
    message.clear();
  };
  const std::string first = ids.first_name ? normalise_name(*ids.first_name) : "";
  const std::string last = ids.last_name ? normalise_name(*ids.last_name) : "";
  const bool has_name_and_date = !first.empty() && !last.empty() && ids.birth_date;
  if (has_name_and_date) {
    message.append("nd:").append(first).append("|").append(last).append("|").append(*ids.birth_date);
    if (!keys.name_key) keys.name_key.emplace();
    key.hmac_hex_into(message, *keys.name_key);
    wipe();
  } else {
    keys.name_key.reset();
  }
  constexpr std::string_view kIdPrefix = "id:";
  message.append(kIdPrefix);
  if (ids.national_id) append_national_id(*ids.national_id, message);
  if (message.size() > kIdPrefix.size()) {
    key.hmac_hex_into(message, keys.primary);
  } else if (keys.name_key) {
    keys.primary = *keys.name_key;
  } else {
    wipe();
    return fail(ErrorCode::kInvalidArgument, "no national id and no complete first name, last name and date of birth");
  }
  wipe();
  return ok();
}

BloomEncoder::BloomEncoder(const PseudonymKey& key, std::string field)
    : sha_key_(key.derived_hmac("bloom-sha1:" + field, "")),
      md5_key_(key.derived_hmac("bloom-md5:" + field, "")),
      slot_of_(1 << 16, 0),
      masks_(1) {}  // Slot 0 stands for "not computed".

const BloomEncoder::Mask& BloomEncoder::mask(unsigned char first, unsigned char second) {
  const std::size_t index = static_cast<std::size_t>(first) << 8 | second;
  if (slot_of_[index] != 0) return masks_[slot_of_[index]];
  const unsigned char bigram[2] = {first, second};
  unsigned char sha[EVP_MAX_MD_SIZE];
  unsigned char md5[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), sha_key_.data(), static_cast<int>(sha_key_.size()), bigram, sizeof bigram, sha, &length);
  HMAC(EVP_md5(), md5_key_.data(), static_cast<int>(md5_key_.size()), bigram, sizeof bigram, md5, &length);
  std::uint64_t h1 = 0;
  std::uint64_t h2 = 0;
  std::memcpy(&h1, sha, sizeof h1);
  std::memcpy(&h2, md5, sizeof h2);
  Mask m{};
  for (int k = 0; k < kBloomHashes; ++k) {
    const auto position = static_cast<std::size_t>((h1 + static_cast<std::uint64_t>(k) * h2) % kBloomBits);
    m[position / 64] |= std::uint64_t{1} << (position % 64);
  }
  slot_of_[index] = static_cast<std::uint32_t>(masks_.size());
  masks_.push_back(m);
  return masks_.back();
}

std::string BloomEncoder::encode(std::string_view normalised) {
  if (normalised.empty()) {
    return {};
  }
  // The bigrams of the text padded with a blank on either side.
  Mask bits{};
  const auto add = [&](char first, char second) {
    const Mask& m = mask(static_cast<unsigned char>(first), static_cast<unsigned char>(second));
    for (std::size_t w = 0; w < bits.size(); ++w) bits[w] |= m[w];
  };
  add(' ', normalised.front());
  for (std::size_t i = 0; i + 1 < normalised.size(); ++i) add(normalised[i], normalised[i + 1]);
  add(normalised.back(), ' ');
  // Bit p is bit p % 8 of byte p / 8.
  std::string bytes(kBloomBits / 8, '\0');
  for (std::size_t b = 0; b < bytes.size(); ++b) {
    bytes[b] = static_cast<char>(bits[b / 8] >> (8 * (b % 8)) & 0xFF);
  }
  return bytes;
}

std::string bloom_encode(const PseudonymKey& key, std::string_view field, std::string_view normalised) {
  return BloomEncoder(key, std::string(field)).encode(normalised);
}

double dice(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) {
    return 0.0;
  }
  int both = 0;
  int total = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    both += std::popcount(static_cast<unsigned>(x & y));
    total += std::popcount(static_cast<unsigned>(x)) + std::popcount(static_cast<unsigned>(y));
  }
  return total == 0 ? 0.0 : 2.0 * both / total;
}

}  // namespace rapporteur::intake
