// core's text and file helpers against hand-written expectations: HTML escaping, CSV fields
// (RFC 4180), SHA-256 (FIPS 180-2 test vectors), atomic writes and symbolic link switches,
// and the store's time format.
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "core/csv.h"
#include "core/files.h"
#include "core/html.h"
#include "core/time.h"
#include "test_support.h"

namespace rapporteur {
namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(EscapeHtml, ReplacesTheFiveSpecialCharactersAndNothingElse) {
  EXPECT_EQ(escape_html(R"(<a href="x" title='y'>Tom & Jerry</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
  EXPECT_EQ(escape_html("Nguyễn – Łódź"), "Nguyễn – Łódź");
  EXPECT_EQ(escape_html(""), "");
  EXPECT_EQ(escape_html("&amp;"), "&amp;amp;");  // Escaping twice shows: it is not idempotent.
}

TEST(CsvField, QuotesOnlyWhatNeedsQuoting) {
  EXPECT_EQ(csv_field("Amsterdam"), "Amsterdam");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("zei \"nee\""), "\"zei \"\"nee\"\"\"");
  EXPECT_EQ(csv_field("regel\nregel"), "\"regel\nregel\"");
  EXPECT_EQ(csv_field("regel\rregel"), "\"regel\rregel\"");
  EXPECT_EQ(csv_field(" spatie"), "\" spatie\"");
  EXPECT_EQ(csv_field("spatie "), "\"spatie \"");
  EXPECT_EQ(csv_field(""), "");
}

// A spreadsheet runs a cell beginning with =, +, -, @ (or a tab or CR) as a formula; such a
// value gets a leading apostrophe. Plain numbers stay numbers.
TEST(CsvField, KeepsASpreadsheetFromRunningAValueAsAFormula) {
  EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_field("=1+1"), "'=1+1");
  EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_field("+31 20"), "'+31 20");
  EXPECT_EQ(csv_field("-1+2"), "'-1+2");
  EXPECT_EQ(csv_field("\tx"), "'\tx");
  EXPECT_EQ(csv_field("\rx"), "\"'\rx\"");
  EXPECT_EQ(csv_field("-"), "'-");
  EXPECT_EQ(csv_field("-12"), "-12");
  EXPECT_EQ(csv_field("+3.5"), "+3.5");
  EXPECT_EQ(csv_field("0.25"), "0.25");
  EXPECT_EQ(csv_field("PV-2023-000123"), "PV-2023-000123");
}

TEST(Sha256Hex, MatchesThePublishedTestVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(WriteFileAtomically, ReplacesTheWholeFileAndLeavesNoTemporary) {
  rapporteur::testing::TempDir dir;
  const auto path = dir.path() / "t.csv";
  ASSERT_TRUE(write_file_atomically(path, "oud\n").has_value());
  ASSERT_TRUE(write_file_atomically(path, "nieuw\n", FileAccess::kOwnerOnly).has_value());

  EXPECT_EQ(read(path), "nieuw\n");
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(WriteFileAtomically, FailsNamingThePathWhenTheFolderIsMissing) {
  rapporteur::testing::TempDir dir;
  const auto path = dir.path() / "ontbreekt" / "t.csv";

  const auto written = write_file_atomically(path, "x");

  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().code, ErrorCode::kIo);
  EXPECT_NE(written.error().message.find("ontbreekt"), std::string::npos);
}

TEST(ReplaceSymlink, PointsTheLinkAtTheNewTarget) {
  rapporteur::testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "r1");
  std::filesystem::create_directories(dir.path() / "r2");
  ASSERT_TRUE(replace_symlink(dir.path() / "current", "r1").has_value());
  ASSERT_TRUE(replace_symlink(dir.path() / "current", "r2").has_value());

  EXPECT_EQ(std::filesystem::read_symlink(dir.path() / "current"), "r2");
}

TEST(UtcTime, IsoSecondAndDateAgreeWithTheSystemClock) {
  const std::time_t before = std::time(nullptr);
  const std::string now = utc_now_iso();
  const std::string today = utc_today();

  ASSERT_TRUE(std::regex_match(now, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)"))) << now;
  std::tm parts{};
  ASSERT_NE(strptime(now.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts), nullptr);
  const std::time_t parsed = timegm(&parts);
  EXPECT_LE(std::abs(parsed - before), 2);
  EXPECT_EQ(today, now.substr(0, 10));  // Could differ only across midnight within a microsecond.
}

}  // namespace
}  // namespace rapporteur
