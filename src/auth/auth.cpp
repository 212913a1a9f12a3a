#include "auth/auth.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <optional>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "core/crash_point.h"
#include "core/files.h"

namespace rapporteur::auth {
namespace {

// OWASP's argon2id baseline is m=19 MiB, t=2; we spend more, sign-ins are rare.
constexpr std::uint32_t kTime = 3;
constexpr std::uint32_t kMemoryKib = 64 * 1024;
constexpr std::uint32_t kLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

std::string hex(const unsigned char* bytes, std::size_t size) {
  std::string out;
  for (std::size_t i = 0; i < size; ++i) out += fmt::format("{:02x}", bytes[i]);
  return out;
}

bool valid_name(const std::string& name) {
  return name.size() >= 2 && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                  c == '_';
         });
}

// A hash to verify unknown names against, so a wrong name costs as much as a wrong password.
const std::string& dummy_hash() {
  static const std::string hash = *hash_password("not a password of anyone");
  return hash;
}

}  // namespace

Result<std::string> hash_password(std::string_view password) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) return fail(ErrorCode::kInternal, "no randomness");
  const std::size_t length = argon2_encodedlen(kTime, kMemoryKib, kLanes, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(length, '\0');
  const int rc = argon2id_hash_encoded(kTime, kMemoryKib, kLanes, password.data(), password.size(), salt.data(),
                                       salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return fail(ErrorCode::kInternal, fmt::format("argon2id: {}", argon2_error_message(rc)));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool verify_password(const std::string& encoded, std::string_view password) {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  const int rc = RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  assert(rc == 1 && "OpenSSL's generator is seeded by the system");
  (void)rc;
  return hex(bytes.data(), bytes.size());
}

std::string generate_password() {
  static constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::array<unsigned char, 20> bytes{};
  const int rc = RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  assert(rc == 1 && "OpenSSL's generator is seeded by the system");
  (void)rc;
  std::string password;
  // 256 % 56 leaves a slight bias; 20 characters of ~5.8 bits still give over 110 bits.
  for (const unsigned char b : bytes) password += kAlphabet[b % kAlphabet.size()];
  return password;
}

std::string token_hash(std::string_view token) { return sha256_hex(token); }

Auth::Auth(store::StaffStore& store, AuthOptions options) : store_(store), options_(std::move(options)) {}

std::string Auth::at(std::chrono::system_clock::time_point time) const {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(time));
}

std::string Auth::now_text() const { return at(options_.clock()); }

Result<store::User> Auth::new_user(const std::string& name, store::UserRole role, std::string_view password) const {
  if (!valid_name(name)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("user name '{}' must be 2-40 letters, digits, '.', '-' or '_'", name));
  }
  if (password.size() < 12) return fail(ErrorCode::kInvalidArgument, "a password needs at least 12 characters");
  ASSIGN_OR_RETURN(const std::string hash, hash_password(password));
  return store::User{name, role, hash, now_text(), 0, ""};
}

Result<void> Auth::add_user(const std::string& name, store::UserRole role, std::string_view password) {
  ASSIGN_OR_RETURN(const store::User user, new_user(name, role, password));
  return store_.add_user(user);
}

Result<void> Auth::add_user(const std::string& name, store::UserRole role, std::string_view password,
                            const AuditNote& audited_as) {
  // Hashed before the transaction: argon2id takes a while and needs no lock.
  ASSIGN_OR_RETURN(const store::User user, new_user(name, role, password));
  return store_.transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store_.add_user(user));
    crash_point();  // A crash test stops here: neither the user nor its record may remain.
    return audit(audited_as.user_name, audited_as.action, audited_as.detail);
  });
}

Result<SignedIn> Auth::sign_in(const std::string& name, std::string_view password) {
  const auto denied = [] { return fail(ErrorCode::kPermissionDenied, "wrong name or password"); };
  auto user = store_.user(name);
  if (!user) {
    if (user.error().code != ErrorCode::kNotFound) return tl::unexpected(user.error());
    (void)verify_password(dummy_hash(), password);
    (void)audit(name.substr(0, 40), "sign_in_failed", "unknown user");
    return denied();
  }
  const std::string now = now_text();
  if (!user->locked_until.empty() && user->locked_until > now) {
    (void)audit(name, "sign_in_refused", "locked until " + user->locked_until);
    return fail(ErrorCode::kPermissionDenied, "locked: too many failed sign-ins; try again later");
  }
  if (!verify_password(user->password_hash, password)) {
    const int failures = user->failed_attempts + 1;
    const std::string locked =
        failures >= options_.max_failed_attempts ? at(options_.clock() + options_.lockout) : std::string();
    RETURN_IF_ERROR(store_.transact([&]() -> Result<void> {
      RETURN_IF_ERROR(store_.record_sign_in_attempt(name, locked.empty() ? failures : 0, locked));
      return audit(name, "sign_in_failed",
                   locked.empty() ? fmt::format("attempt {}", failures) : "locked until " + locked);
    }));
    return denied();
  }
  SignedIn signed_in;
  signed_in.token = random_token();
  signed_in.session = {token_hash(signed_in.token), name, random_token(),
                       at(options_.clock() + options_.session_lifetime)};
  signed_in.user = *user;
  RETURN_IF_ERROR(store_.transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store_.record_sign_in_attempt(name, 0, ""));
    RETURN_IF_ERROR(store_.add_session(signed_in.session));
    return audit(name, "sign_in", "");
  }));
  return signed_in;
}

Result<std::pair<store::Session, store::User>> Auth::session(const std::string& token) {
  if (token.size() != 64) return fail(ErrorCode::kNotFound, "no such session");
  ASSIGN_OR_RETURN(store::Session session, store_.session(token_hash(token), now_text()));
  ASSIGN_OR_RETURN(store::User user, store_.user(session.user_name));
  return std::make_pair(std::move(session), std::move(user));
}

Result<void> Auth::sign_out(const std::string& token) {
  ASSIGN_OR_RETURN(const auto found, session(token));
  // One transaction: the kill test (write_crash_test.cpp) found a sign-out killed between the
  // two writes, its session gone and its audit record never written.
  return store_.transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store_.delete_session(found.first.token_hash));
    return audit(found.first.user_name, "sign_out", "");
  });
}

Result<void> Auth::audit(const std::string& user_name, const std::string& action, const std::string& detail) {
  return store_.audit({now_text(), user_name, action, detail});
}

AddressThrottle::AddressThrottle(ThrottleOptions options) : options_(std::move(options)) {}

AddressThrottle::AddressThrottle(store::StaffStore& store, ThrottleOptions options)
    : options_(std::move(options)), store_(&store) {}

void AddressThrottle::prune(std::deque<std::chrono::system_clock::time_point>& failures,
                            std::chrono::system_clock::time_point now) const {
  while (!failures.empty() && failures.front() + options_.window <= now) failures.pop_front();
}

Result<std::chrono::seconds> AddressThrottle::retry_after(const std::string& address) {
  const auto now = options_.clock();
  std::optional<std::chrono::system_clock::time_point> oldest;
  if (store_ != nullptr) {
    // Failures after now - window: the ones prune() would keep.
    ASSIGN_OR_RETURN(const auto failures, store_->address_failures(address, now - options_.window));
    if (static_cast<int>(failures.size()) < options_.failures) return std::chrono::seconds(0);
    oldest = failures.front();
  } else {
    const std::lock_guard lock(mutex_);
    const auto found = failures_.find(address);
    if (found == failures_.end()) return std::chrono::seconds(0);
    prune(found->second, now);
    if (found->second.empty()) {
      failures_.erase(found);
      return std::chrono::seconds(0);
    }
    if (static_cast<int>(found->second.size()) < options_.failures) return std::chrono::seconds(0);
    oldest = found->second.front();
  }
  // Rounded up: the attempt must come after the oldest failure has left the window.
  return std::chrono::ceil<std::chrono::seconds>(*oldest + options_.window - now);
}

Result<void> AddressThrottle::record_failure(const std::string& address) {
  const auto now = options_.clock();
  // Kept only as long as the window: older rows are removed with each new failure.
  if (store_ != nullptr) return store_->add_address_failure(address, now, now - options_.window);
  const std::lock_guard lock(mutex_);
  auto& failures = failures_[address];
  prune(failures, now);
  failures.push_back(now);
  // Bounded memory: a failure is kept only as long as the window; addresses with none left
  // are dropped when the table grows.
  if (failures_.size() > 10'000) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  return ok();
}

}  // namespace rapporteur::auth
