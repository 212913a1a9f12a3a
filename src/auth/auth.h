// Staff sign-in: argon2id password hashes, session tokens with expiry and CSRF tokens, a
// lock-out after repeated failures, and the audit log of who did what.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "store/staff_store.h"

namespace rapporteur::auth {

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct AuthOptions {
  std::chrono::minutes session_lifetime{480};
  int max_failed_attempts = 5;  // Consecutive failures before the lock.
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

// Who did what, for the audit log (the time is the clock's).
struct AuditNote {
  std::string user_name;
  std::string action;
  std::string detail;
};

struct SignedIn {
  std::string token;  // The cookie value; only its hash is stored.
  store::Session session;
  store::User user;
};

// Thread safety: as the store's (all methods may be called concurrently).
class Auth {
 public:
  Auth(store::StaffStore& store, AuthOptions options = {});

  // Creates a user. kInvalidArgument for a name that is not 2-40 letters, digits, '.', '-' or
  // '_', or a password shorter than 12 characters; kConflict when the name exists.
  Result<void> add_user(const std::string& name, store::UserRole role, std::string_view password);
  // The same, with the audit record of who added the user written in the same transaction:
  // either both are stored or neither, so repeating a failed call repairs it.
  Result<void> add_user(const std::string& name, store::UserRole role, std::string_view password,
                        const AuditNote& audited_as);

  // Signs in. Fails with kPermissionDenied "wrong name or password" (the same for unknown
  // users, which are hashed against a dummy so timing does not tell), or "locked" during a
  // lock-out; each failure is counted and audited. A session and its audit record, and a
  // failure's count and its record, are each written in one transaction.
  Result<SignedIn> sign_in(const std::string& name, std::string_view password);
  // The session of a cookie token, with its user; kNotFound when unknown or expired.
  Result<std::pair<store::Session, store::User>> session(const std::string& token);
  Result<void> sign_out(const std::string& token);

  // Appends to the audit log with the current time.
  Result<void> audit(const std::string& user_name, const std::string& action, const std::string& detail);

  std::string now_text() const;

 private:
  std::string at(std::chrono::system_clock::time_point time) const;
  // A checked user with its password hashed; kInvalidArgument as add_user says.
  Result<store::User> new_user(const std::string& name, store::UserRole role, std::string_view password) const;
  store::StaffStore& store_;
  AuthOptions options_;
};

struct ThrottleOptions {
  int failures = 20;  // Failed sign-ins an address may make in the window.
  std::chrono::seconds window{15 * 60};
  Clock clock = [] { return std::chrono::system_clock::now(); };
};

// Failed sign-ins per client address, on top of the lock-out per account: an address that
// failed `failures` times within the window must wait until its oldest failure leaves it.
// Other addresses are not affected, so one address cannot lock everyone out; a success does
// not clear the count (one valid account must not reset a guessing run). Kept in the store
// when given one (so that the web nodes on one database count an address's failures
// together), else in memory for this process. Thread safety: all methods may be called
// concurrently.
class AddressThrottle {
 public:
  // In memory, for one process.
  explicit AddressThrottle(ThrottleOptions options = {});
  // In `store`, shared by every throttle on the same database; `store` must outlive this.
  AddressThrottle(store::StaffStore& store, ThrottleOptions options);

  // How long `address` must wait before its next attempt; zero when it may try now. Fails
  // with the store's error.
  Result<std::chrono::seconds> retry_after(const std::string& address);
  // Counts a failed sign-in of `address` now. Fails with the store's error.
  Result<void> record_failure(const std::string& address);

 private:
  // Drops failures that left the window; the caller holds mutex_.
  void prune(std::deque<std::chrono::system_clock::time_point>& failures,
             std::chrono::system_clock::time_point now) const;

  ThrottleOptions options_;
  store::StaffStore* store_ = nullptr;  // Null: in memory.
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<std::chrono::system_clock::time_point>> failures_;
};

}  // namespace rapporteur::auth
