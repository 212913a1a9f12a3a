// Text extraction from the files the knowledge base ingests. Internal to kb.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace rapporteur::kb::internal {

struct Extracted {
  std::string media_type;  // application/pdf, text/html, text/markdown or text/plain.
  std::string title;       // From the PDF's metadata, <title> or <h1>, a '#' heading, or "".
  std::string text;        // UTF-8, paragraphs separated by blank lines.
};

// The media type of a file from its name's extension (.pdf, .html/.htm, .md/.markdown,
// .txt); "" when unsupported.
std::string media_type_of(std::string_view file_name);

// Extracts the text of `bytes` of the given media type. Fails with kInvalidArgument for a PDF
// that cannot be read (corrupt: "not a readable PDF"; encrypted: "encrypted"), and for a file
// without any text. Text that is not UTF-8 is read as Windows-1252.
Result<Extracted> extract(std::string_view media_type, std::string_view bytes);

}  // namespace rapporteur::kb::internal
