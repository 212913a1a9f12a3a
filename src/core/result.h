// Result<T>: the value-or-error type every capability returns for expected failures.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace rapporteur {

// The kind of a failure; callers branch on it, people read the message.
enum class ErrorCode {
  kInvalidArgument,   // The caller's input is malformed or out of range.
  kNotFound,          // A named thing does not exist.
  kAlreadyExists,     // A unique thing would be created twice.
  kConflict,          // The request contradicts the current state.
  kSchemaTooNew,      // The database was written by a newer binary.
  kIo,                // A file or socket operation failed.
  kStorage,           // The database failed.
  kPermissionDenied,  // The caller lacks the right to do this.
  kInternal,          // A bug or an unexpected third-party failure.
  kCancelled,         // Someone asked the work to stop before it finished.
};

// Returns the stable lower-case name of `code`, e.g. "invalid_argument".
const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // What failed, the offending value and what was expected.
};

// tl::expected with [[nodiscard]]: ignoring a Result is a compile error under -Werror. Built
// from any tl::expected of the same types (what .map() and .and_then() return).
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
  Result(tl::expected<T, Error> other) : tl::expected<T, Error>(std::move(other)) {}  // NOLINT: implicit by design
};

// Builds the unexpected value for a Result of any type.
inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// Returns an empty success for Result<void>.
inline Result<void> ok() { return {}; }

}  // namespace rapporteur

#define RAPPORTEUR_CONCAT_INNER(a, b) a##b
#define RAPPORTEUR_CONCAT(a, b) RAPPORTEUR_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Result) from the enclosing function when it failed.
#define RETURN_IF_ERROR(expr) RETURN_IF_ERROR_IMPL(RAPPORTEUR_CONCAT(rapporteur_status_, __COUNTER__), expr)
#define RETURN_IF_ERROR_IMPL(tmp, expr)                \
  do {                                                 \
    auto&& tmp = (expr);                               \
    if (!tmp) {                                        \
      return ::tl::unexpected(std::move(tmp).error()); \
    }                                                  \
  } while (false)

// Declares `decl` from the value of `expr`, or returns its error from the enclosing function.
#define ASSIGN_OR_RETURN(decl, expr) \
  ASSIGN_OR_RETURN_IMPL(RAPPORTEUR_CONCAT(rapporteur_result_, __COUNTER__), decl, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, decl, expr)       \
  auto tmp = (expr);                                 \
  if (!tmp) {                                        \
    return ::tl::unexpected(std::move(tmp).error()); \
  }                                                  \
  decl = std::move(tmp).value()
