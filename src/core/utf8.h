// UTF-8 validity, for the files whose format requires it (TOML) before a parser reads them.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace rapporteur {

// The offset of the first byte of `text` that is not well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF, no truncated sequence), or nullopt when all of
// it is.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace rapporteur
