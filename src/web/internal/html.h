// HTML that is escaped by default: dynamic text becomes Html only through escape(), and only
// string literals in our source are trusted as markup.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "core/html.h"

namespace rapporteur::web::internal {

class Html {
 public:
  Html() = default;
  // Trusted markup: only literals written in our code (arrays of char, not std::string).
  template <std::size_t N>
  Html(const char (&literal)[N]) : text_(literal, N - 1) {}  // NOLINT: implicit on purpose.

  static Html escape(std::string_view text);

  Html& operator+=(const Html& other) {
    text_ += other.text_;
    return *this;
  }
  friend Html operator+(Html left, const Html& right) { return left += right; }
  const std::string& str() const { return text_; }

 private:
  template <std::size_t N, typename... Args>
  friend Html html(const char (&pattern)[N], const Args&... args);
  static Html trusted(std::string text) {
    Html html;
    html.text_ = std::move(text);
    return html;
  }
  std::string text_;
};

// Formats a literal pattern with Html arguments (strings must be escaped first).
template <std::size_t N, typename... Args>
Html html(const char (&pattern)[N], const Args&... args) {
  static_assert((std::is_same_v<Args, Html> && ...), "escape text with Html::escape first");
  return Html::trusted(fmt::format(fmt::runtime(std::string_view(pattern, N - 1)), args.str()...));
}

inline Html Html::escape(std::string_view text) { return trusted(escape_html(text)); }

}  // namespace rapporteur::web::internal
