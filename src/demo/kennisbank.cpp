// The demo knowledge base: sample publications embedded in the binary (src/demo/kennisbank),
// written out as files so the demo loads them through the knowledge base's ingestion like
// any real publication.
#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "demo/demo.h"

namespace rapporteur::demo {
namespace internal {
const std::map<std::string, std::string_view>& embedded_assets();
}  // namespace internal

namespace {

// UTF-8 to Windows-1252 bytes; code points it lacks become '?'.
std::string to_cp1252(std::string_view text) {
  static const std::map<char32_t, unsigned char> kHigh = {
      {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85}, {0x2020, 0x86}, {0x2021, 0x87},
      {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A}, {0x2039, 0x8B}, {0x0152, 0x8C}, {0x017D, 0x8E}, {0x2018, 0x91},
      {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95}, {0x2013, 0x96}, {0x2014, 0x97}, {0x02DC, 0x98},
      {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B}, {0x0153, 0x9C}, {0x017E, 0x9E}, {0x0178, 0x9F}};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    char32_t c = byte;
    std::size_t length = 1;
    if (byte >= 0xF0) {
      length = 4;
    } else if (byte >= 0xE0) {
      length = 3;
    } else if (byte >= 0xC0) {
      length = 2;
    }
    if (length > 1 && i + length <= text.size()) {
      c = byte & (0xFF >> (length + 1));
      for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    i += length;
    if (c < 0x80 || (c >= 0xA0 && c <= 0xFF)) {
      out += static_cast<char>(c);
    } else if (const auto found = kHigh.find(c); found != kHigh.end()) {
      out += static_cast<char>(found->second);
    } else {
      out += '?';
    }
  }
  return out;
}

std::string pdf_string(std::string_view cp1252) {
  std::string out = "(";
  for (const char c : cp1252) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  return out + ")";
}

// Greedy wrapping at `width` characters; a blank line between paragraphs.
std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    std::string_view paragraph = text.substr(at, end - at);
    at = end + 1;
    std::string line;
    while (!paragraph.empty()) {
      const std::size_t space = paragraph.find(' ');
      const std::string_view word = paragraph.substr(0, space);
      paragraph = space == std::string_view::npos ? std::string_view{} : paragraph.substr(space + 1);
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(line);
        line.clear();
      }
      line += line.empty() ? "" : " ";
      line += word;
    }
    lines.push_back(line);
    if (end == text.size()) break;
  }
  return lines;
}

}  // namespace

std::string make_pdf(std::string_view title, std::string_view text) {
  constexpr std::size_t kLinesPerPage = 50;
  const auto lines = wrap(to_cp1252(text), 90);
  std::vector<std::string> objects;  // Object n is objects[n - 1].
  const std::size_t pages = std::max<std::size_t>(1, (lines.size() + kLinesPerPage - 1) / kLinesPerPage);
  // 1 catalog, 2 pages, 3 font, 4 info, then per page: page object and content stream.
  std::string kids;
  for (std::size_t p = 0; p < pages; ++p) kids += fmt::format("{} 0 R ", 5 + 2 * p);
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back(fmt::format("<< /Type /Pages /Kids [{}] /Count {} >>", kids, pages));
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  objects.push_back(fmt::format("<< /Title {} /Producer (Rapporteur demo) >>", pdf_string(to_cp1252(title))));
  for (std::size_t p = 0; p < pages; ++p) {
    std::string stream = "BT /F1 11 Tf 14 TL 56 790 Td\n";
    for (std::size_t l = p * kLinesPerPage; l < std::min(lines.size(), (p + 1) * kLinesPerPage); ++l) {
      stream += pdf_string(lines[l]) + " Tj T*\n";
    }
    stream += "ET";
    objects.push_back(
        fmt::format("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                    "/Contents {} 0 R >>",
                    6 + 2 * p));
    objects.push_back(fmt::format("<< /Length {} >>\nstream\n{}\nendstream", stream.size(), stream));
  }
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += fmt::format("{} 0 obj\n{}\nendobj\n", i + 1, objects[i]);
  }
  const std::size_t xref = pdf.size();
  pdf += fmt::format("xref\n0 {}\n0000000000 65535 f \n", objects.size() + 1);
  for (const std::size_t offset : offsets) pdf += fmt::format("{:010} 00000 n \n", offset);
  pdf +=
      fmt::format("trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{}\n%%EOF\n", objects.size() + 1, xref);
  return pdf;
}

Result<std::vector<std::filesystem::path>> write_kennisbank(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot create: {}", folder.string(), ec.message()));
  std::vector<std::filesystem::path> written;
  const auto write = [&](const std::filesystem::path& path, std::string_view bytes) -> Result<void> {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return fail(ErrorCode::kIo, fmt::format("{}: cannot write", path.string()));
    return ok();
  };
  for (const auto& [name, bytes] : internal::embedded_assets()) {
    std::string file = name.substr(1);
    if (file.ends_with(".toml")) {
      RETURN_IF_ERROR(write(folder / file, bytes));
      continue;
    }
    std::string content(bytes);
    if (file.ends_with(".pdf.txt")) {
      // The text's first line is the title; the PDF carries it as metadata and as text.
      const std::string title = content.substr(0, content.find('\n'));
      content = make_pdf(title, content);
      file.resize(file.size() - 4);
    }
    RETURN_IF_ERROR(write(folder / file, content));
    written.push_back(folder / file);
  }
  return written;
}

}  // namespace rapporteur::demo
