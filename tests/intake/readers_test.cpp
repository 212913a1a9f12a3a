#include <sys/resource.h>

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include "intake/internal/tables.h"
#include "test_support.h"

namespace rapporteur::intake::internal {
namespace {

using rapporteur::testing::TempDir;

std::filesystem::path write_bytes(const TempDir& dir, const std::string& name, const std::string& bytes) {
  const auto path = dir / name;
  std::ofstream file(path, std::ios::binary);
  file << bytes;
  return path;
}

std::vector<Row> read_all(RowReader& reader) {
  std::vector<Row> rows;
  Row row;
  while (reader.next(row).value()) rows.push_back(row);
  return rows;
}

TEST(OpenCsv, HandlesBomCrlfQuotedDelimitersAndNewlinesAndEmptyLines) {
  TempDir dir;
  const auto path = write_bytes(dir, "nasty.csv",
                                "\xEF\xBB\xBF"
                                "Naam;Opmerking;Gemeente\r\n"
                                "\"de Vries; Anna\";\"regel 1\r\nregel 2\";GM0363\r\n"
                                "\r\n"
                                "  \r\n"
                                "Jansen;\"zei \"\"nee\"\"\";GM0599\r\n");

  auto reader = open_csv(path, {});
  ASSERT_TRUE(reader.has_value()) << reader.error().message;
  const auto rows = read_all(**reader);

  EXPECT_EQ((*reader)->header(), (std::vector<std::string>{"Naam", "Opmerking", "Gemeente"}));
  EXPECT_NE((*reader)->describe().find("BOM"), std::string::npos);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].number, 2);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"de Vries; Anna", "regel 1\r\nregel 2", "GM0363"}));
  // The quoted newline spans lines 2-3; two empty lines follow; the next record is line 6.
  EXPECT_EQ(rows[1].number, 6);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"Jansen", "zei \"nee\"", "GM0599"}));
}

TEST(OpenCsv, TakesQuotesInsideAFieldLiterallyAndReusesNoStaleFields) {
  TempDir dir;
  // A quote opens a quoted field only at the field's start; text after a closing quote is
  // kept. A short row after a long one has only its own fields.
  const auto path = write_bytes(dir, "quotes.csv",
                                "a;b;c\n"
                                "5\" 8';\"x\"y;\"\"\n"
                                "lang veld met meer dan vijftien tekens;2;3;4\n"
                                "kort\n");

  auto reader = open_csv(path, {});
  ASSERT_TRUE(reader.has_value()) << reader.error().message;
  const auto rows = read_all(**reader);

  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"5\" 8'", "xy", ""}));
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"lang veld met meer dan vijftien tekens", "2", "3", "4"}));
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"kort"}));
  EXPECT_EQ(rows[2].number, 4);
}

TEST(OpenCsv, DetectsAndConvertsWindows1252) {
  TempDir dir;
  // 0xE9 is 'é' and 0x80 the euro sign in Windows-1252; neither is valid UTF-8 on its own.
  const auto path = write_bytes(dir, "cp1252.csv", "Naam,Bedrag\nRen\xE9,\x80 5\n");

  auto reader = open_csv(path, {});
  ASSERT_TRUE(reader.has_value()) << reader.error().message;
  const auto rows = read_all(**reader);

  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields[0], "René");
  EXPECT_EQ(rows[0].fields[1], "€ 5");
  EXPECT_NE((*reader)->describe().find("windows-1252"), std::string::npos);
  EXPECT_NE((*reader)->describe().find("','"), std::string::npos);
}

TEST(OpenCsv, DetectsTabsAndKeepsShortAndLongRows) {
  TempDir dir;
  const auto path = write_bytes(dir, "tabs.tsv", "a\tb\tc\n1\t2\n1\t2\t3\t4\n");

  auto reader = open_csv(path, {});
  ASSERT_TRUE(reader.has_value());
  const auto rows = read_all(**reader);

  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields.size(), 2u);
  EXPECT_EQ(rows[1].fields.size(), 4u);
}

TEST(OpenCsv, ReportsAnUnterminatedQuoteWithItsRow) {
  TempDir dir;
  const auto path = write_bytes(dir, "open.csv", "a;b\n1;2\n3;\"never closed\n");

  auto reader = open_csv(path, {});
  ASSERT_TRUE(reader.has_value());
  Row row;
  ASSERT_TRUE((*reader)->next(row).value());
  const auto broken = (*reader)->next(row);

  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().message.find("row 3"), std::string::npos);
}

TEST(OpenCsv, RefusesAnEmptyFile) {
  TempDir dir;
  const auto path = write_bytes(dir, "empty.csv", "\xEF\xBB\xBF");

  const auto reader = open_csv(path, {});

  ASSERT_FALSE(reader.has_value());
  EXPECT_NE(reader.error().message.find("empty.csv"), std::string::npos);
}

// Found by fuzzing (fuzz/csv_reader.cpp): overlong forms and surrogates passed as UTF-8 and
// reached the store as such. They are not UTF-8 (RFC 3629), so a file holding them is read as
// Windows-1252, and refused when declared UTF-8.
TEST(OpenCsv, TakesOverlongFormsAndSurrogatesForWindows1252) {
  TempDir dir;
  // F0 82 82 AC: an overlong four-byte euro sign; ED A0 80: a surrogate; E0 80 AF: an overlong '/'.
  const auto path =
      write_bytes(dir, "overlong.csv", "id;plaats\n1;a\xF0\x82\x82\xACz\n2;\xED\xA0\x80\n3;\xE0\x80\xAF\n");

  auto reader = open_csv(path, {});
  const auto declared = open_csv(path, {.encoding = "utf-8"});

  ASSERT_TRUE(reader.has_value()) << reader.error().message;
  EXPECT_NE((*reader)->describe().find("windows-1252"), std::string::npos) << (*reader)->describe();
  Row row;
  ASSERT_TRUE((*reader)->next(row).value());
  // Windows-1252: F0 is ð, 82 is the low quote, AC is ¬.
  EXPECT_EQ(row.fields[1], "a\xC3\xB0\xE2\x80\x9A\xE2\x80\x9A\xC2\xACz");
  EXPECT_TRUE(is_utf8(row.fields[1]));
  EXPECT_FALSE(declared.has_value());
}

TEST(OpenCsv, RefusesInvalidUtf8WhenUtf8IsDeclared) {
  TempDir dir;
  const auto path = write_bytes(dir, "bad.csv", "a\n\xE9\n");

  EXPECT_FALSE(open_csv(path, {.encoding = "utf-8"}).has_value());
}

std::filesystem::path write_workbook(const TempDir& dir) {
  const auto path = dir / "book.xlsx";
  lxw_workbook* workbook = workbook_new(path.c_str());
  lxw_worksheet* cover = workbook_add_worksheet(workbook, "Voorblad");
  worksheet_write_string(cover, 0, 0, "Toelichting", nullptr);
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Registraties");
  lxw_format* date = workbook_add_format(workbook);
  format_set_num_format(date, "dd-mm-yyyy");
  worksheet_write_string(sheet, 0, 0, "Naam", nullptr);
  worksheet_write_string(sheet, 0, 1, "Geboortedatum", nullptr);
  worksheet_write_string(sheet, 0, 2, "Aantal", nullptr);
  worksheet_write_string(sheet, 1, 0, "Zoë", nullptr);
  lxw_datetime born{2001, 3, 4, 0, 0, 0};
  worksheet_write_datetime(sheet, 1, 1, &born, date);
  worksheet_write_number(sheet, 1, 2, 7, nullptr);
  // Row 3 left empty; row 4 has a gap in column B.
  worksheet_write_string(sheet, 3, 0, "Ömer", nullptr);
  worksheet_write_number(sheet, 3, 2, 2, nullptr);
  workbook_close(workbook);
  return path;
}

TEST(OpenXlsx, ReadsANamedSheetWithSharedStringsAndDates) {
  TempDir dir;
  const auto path = write_workbook(dir);

  auto reader = open_xlsx(path, "Registraties");
  ASSERT_TRUE(reader.has_value()) << reader.error().message;
  const auto rows = read_all(**reader);

  EXPECT_EQ((*reader)->header(), (std::vector<std::string>{"Naam", "Geboortedatum", "Aantal"}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].number, 2);
  EXPECT_EQ(rows[0].fields[0], "Zoë");
  // 4 March 2001 is day 36954 in Excel's 1900 date system.
  EXPECT_EQ(rows[0].fields[1], "36954");
  EXPECT_EQ(rows[0].fields[2], "7");
  EXPECT_EQ(rows[1].number, 4);
  EXPECT_EQ(rows[1].fields[0], "Ömer");
  EXPECT_EQ(rows[1].fields[1], "");
}

TEST(OpenXlsx, ReadsTheFirstSheetByDefaultAndNamesMissingSheets) {
  TempDir dir;
  const auto path = write_workbook(dir);

  auto first = open_xlsx(path, "");
  const auto missing = open_xlsx(path, "Blad9");

  ASSERT_TRUE(first.has_value());
  EXPECT_NE((*first)->describe().find("Voorblad"), std::string::npos);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("'Registraties'"), std::string::npos);
}

// Found by fuzzing (fuzz/xlsx_reader.cpp): the reader allocated whatever size a part's entry in
// the zip directory claimed. Here the directory claims 2 GiB for the workbook's index; the
// file must be refused as damaged, reading only what the part really inflates to.
TEST(OpenXlsx, RefusesAPartWhoseDeclaredSizeIsALie) {
  TempDir dir;
  const auto path = write_workbook(dir);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Central directory entries: signature PK\1\2, the uncompressed size at offset 24, the name's
  // length at 28 and the name at 46 (APPNOTE.TXT 4.3.12).
  bool patched = false;
  for (std::size_t at = bytes.find("PK\x01\x02"); at != std::string::npos; at = bytes.find("PK\x01\x02", at + 4)) {
    const auto u16 = [&](std::size_t offset) {
      return static_cast<std::size_t>(static_cast<unsigned char>(bytes[at + offset])) |
             static_cast<std::size_t>(static_cast<unsigned char>(bytes[at + offset + 1])) << 8;
    };
    if (bytes.compare(at + 46, u16(28), "xl/workbook.xml") != 0) continue;
    bytes[at + 24] = '\x00';
    bytes[at + 25] = '\x00';
    bytes[at + 26] = '\x00';
    bytes[at + 27] = '\x80';
    patched = true;
  }
  ASSERT_TRUE(patched);
  const auto lying = write_bytes(dir, "lying.xlsx", bytes);
  rusage before{};
  getrusage(RUSAGE_SELF, &before);

  const auto reader = open_xlsx(lying, "");

  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  // Peak resident memory in KiB: allocating what the directory claims would add 2 GiB.
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 256L * 1024) << "the reader allocated what the archive claimed";
  ASSERT_FALSE(reader.has_value());
  EXPECT_EQ(reader.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(reader.error().message.find("damaged"), std::string::npos) << reader.error().message;
}

TEST(OpenXlsx, RefusesAFileThatIsNotAWorkbook) {
  TempDir dir;
  const auto path = write_bytes(dir, "fake.xlsx", "Naam;Gemeente\n");

  const auto reader = open_xlsx(path, "");

  ASSERT_FALSE(reader.has_value());
  EXPECT_EQ(reader.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapporteur::intake::internal
