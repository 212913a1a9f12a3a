// Staff sign-in: argon2id password hashes, session tokens with expiry and CSRF tokens, a
// lock-out after repeated failures, and the audit log of who did what.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace rapporteur::auth {

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct AuthOptions {
  std::chrono::minutes session_lifetime{480};
  int max_failed_attempts = 5;             // Consecutive failures before the lock.
  std::chrono::minutes lockout{15};
  Clock clock = [] { return std::chrono::system_clock::now(); };
};

// An argon2id encoded hash of `password` with a random salt (t=3, m=64 MiB, p=1).
Result<std::string> hash_password(std::string_view password);
// True when `password` matches the encoded hash.
bool verify_password(const std::string& encoded, std::string_view password);
// 32 random bytes as hex (OpenSSL RAND_bytes).
std::string random_token();
// A random password of 20 characters from an alphabet without look-alikes.
std::string generate_password();
// Hex SHA-256 of a session token: what the store keeps.
std::string token_hash(std::string_view token);

struct SignedIn {
  std::string token;  // The cookie value; only its hash is stored.
  store::Session session;
  store::User user;
};

// Thread safety: as the store's (all methods may be called concurrently).
class Auth {
 public:
  Auth(store::Store& store, AuthOptions options = {});

  // Creates a user. kInvalidArgument for a name that is not 2-40 letters, digits, '.', '-' or
  // '_', or a password shorter than 12 characters; kConflict when the name exists.
  Result<void> add_user(const std::string& name, store::UserRole role, std::string_view password);

  // Signs in. Fails with kPermissionDenied "wrong name or password" (the same for unknown
  // users, which are hashed against a dummy so timing does not tell), or "locked" during a
  // lock-out; each failure is counted and audited.
  Result<SignedIn> sign_in(const std::string& name, std::string_view password);
  // The session of a cookie token, with its user; kNotFound when unknown or expired.
  Result<std::pair<store::Session, store::User>> session(const std::string& token);
  Result<void> sign_out(const std::string& token);

  // Appends to the audit log with the current time.
  Result<void> audit(const std::string& user_name, const std::string& action, const std::string& detail);

  std::string now_text() const;

 private:
  std::string at(std::chrono::system_clock::time_point time) const;
  store::Store& store_;
  AuthOptions options_;
};

}  // namespace rapporteur::auth
