// Writes the demo world's registrations as the sources' own extracts: each source in its own
// format (see profiles/), with the faults real exports have.
#include <iconv.h>

#include <algorithm>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "demo/demo.h"
#include "demo/internal/regions.h"

namespace rapporteur::demo {
namespace {

struct Date {
  int year = 0, month = 0, day = 0;
};

Date parse_iso(const std::string& iso) {
  return {std::stoi(iso.substr(0, 4)), std::stoi(iso.substr(5, 2)), std::stoi(iso.substr(8, 2))};
}

bool is_valid_iso(const std::string& iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return false;
  const Date d = parse_iso(iso);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  if (d.month < 1 || d.month > 12 || d.day < 1) return false;
  return d.day <= (d.month == 2 && !leap ? 28 : kDays[d.month - 1]);
}

std::string dutch_date(const std::string& iso) {
  const Date d = parse_iso(iso);
  return fmt::format("{:02}-{:02}-{:04}", d.day, d.month, d.year);
}

std::string form_label(ExploitationForm form) {
  switch (form) {
    case ExploitationForm::kSexual:
      return "seksuele uitbuiting";
    case ExploitationForm::kLabour:
      return "arbeidsuitbuiting";
    case ExploitationForm::kCriminal:
      return "criminele uitbuiting";
    case ExploitationForm::kOther:
      return "overige uitbuiting";
    case ExploitationForm::kUnknown:
      return "onbekend";
  }
  return "onbekend";
}

std::string kmar_form_label(ExploitationForm form) {
  switch (form) {
    case ExploitationForm::kSexual:
      return "seksueel";
    case ExploitationForm::kLabour:
      return "arbeid";
    case ExploitationForm::kCriminal:
      return "crimineel";
    case ExploitationForm::kOther:
      return "overig";
    case ExploitationForm::kUnknown:
      return "onbekend";
  }
  return "onbekend";
}

std::string offence_label(OffenceType type) {
  switch (type) {
    case OffenceType::kHandsOn:
      return "hands-on misbruik";
    case OffenceType::kCsam:
      return "kinderpornografisch materiaal";
    case OffenceType::kGrooming:
      return "grooming";
    case OffenceType::kSextortion:
      return "sextortion";
    case OffenceType::kOther:
      return "overig";
    case OffenceType::kUnknown:
      return "onbekend";
  }
  return "onbekend";
}

std::string sex_label(Sex sex) {
  switch (sex) {
    case Sex::kFemale:
      return "Vrouw";
    case Sex::kMale:
      return "Man";
    case Sex::kOther:
      return "Anders";
    case Sex::kUnknown:
      return "Onbekend";
  }
  return "Onbekend";
}

std::string kmar_sex_label(Sex sex) {
  switch (sex) {
    case Sex::kFemale:
      return "V";
    case Sex::kMale:
      return "M";
    case Sex::kOther:
      return "X";
    case Sex::kUnknown:
      return "O";
  }
  return "O";
}

std::string stage_label(ChainStage stage) {
  switch (stage) {
    case ChainStage::kReported:
      return "aangemeld";
    case ChainStage::kRegistered:
      return "ingeschreven";
    case ChainStage::kProsecuted:
      return "vervolgd";
    case ChainStage::kConvicted:
      return "veroordeeld";
  }
  return "";
}

std::string residence_label(ResidenceStatus status) {
  switch (status) {
    case ResidenceStatus::kDutch:
      return "Nederlands";
    case ResidenceStatus::kEu:
      return "EU-burger";
    case ResidenceStatus::kB8:
      return "B8";
    case ResidenceStatus::kAsylum:
      return "asiel";
    case ResidenceStatus::kDublinClaimant:
      return "Dublinclaimant";
    case ResidenceStatus::kUnknown:
      return "onbekend";
  }
  return "onbekend";
}

std::string country_name(const std::string& code) {
  static const std::map<std::string, std::string> kNames{
      {"NL", "Nederland"}, {"NG", "Nigeria"}, {"RO", "Roemenië"}, {"HU", "Hongarije"}, {"BG", "Bulgarije"},
      {"UG", "Oeganda"},   {"CN", "China"},   {"TH", "Thailand"}, {"BR", "Brazilië"},  {"UA", "Oekraïne"},
      {"PL", "Polen"},     {"MA", "Marokko"}, {"IN", "India"},    {"VN", "Vietnam"},   {"PH", "Filipijnen"},
      {"TR", "Turkije"},   {"ER", "Eritrea"}, {"DZ", "Algerije"}, {"SY", "Syrië"},     {"SR", "Suriname"},
      {"DE", "Duitsland"}, {"BE", "België"}};
  const auto it = kNames.find(code);
  return it == kNames.end() ? code : it->second;
}

std::string municipality_name(const std::string& code) {
  for (const auto& m : internal::municipalities()) {
    if (m.code == code) return std::string(m.name);
  }
  return code;
}

// The fields of one row, already in the source's vocabulary, keyed by column header.
using Fields = std::map<std::string, std::string>;

// Country and municipality written as names or as codes, per source.
struct Places {
  bool country_names = false;
  bool municipality_names = false;
};

Fields politie_like(const Registration& r, const RecordedIdentity& id, Places places) {
  Fields f;
  f["BSN"] = id.national_id;
  f["Voornaam"] = id.first_name;
  f["Achternaam"] = id.last_name;
  f["Geb.datum"] = dutch_date(id.birth_date);
  f["Geslacht"] = sex_label(r.sex);
  f["Mandaat"] = r.mandate == Mandate::kHumanTrafficking ? "mensenhandel" : "seksueel geweld tegen kinderen";
  f["Rol"] = r.role == Role::kVictim ? "slachtoffer" : "verdachte";
  f["Vorm uitbuiting"] = r.exploitation_form ? form_label(*r.exploitation_form) : "";
  f["Delicttype"] = r.offence_type ? offence_label(*r.offence_type) : "";
  f["Nationaliteit"] = r.nationality ? (places.country_names ? country_name(*r.nationality) : *r.nationality) : "";
  f["Gemeente"] = r.region_code ? (places.municipality_names ? municipality_name(*r.region_code) : *r.region_code) : "";
  f["Ketenfase"] = r.chain_stage ? stage_label(*r.chain_stage) : "";
  return f;
}

// Applies a row's deliberate fault in the given columns.
void apply_flaw(Fields& f, RecordFlaw flaw, const std::string& birth_column, const std::string& id_column,
                const std::string& class_column, const std::string& region_column, bool iso_dates, int year) {
  switch (flaw) {
    case RecordFlaw::kNone:
      break;
    case RecordFlaw::kUnknownLabel:
      f[class_column] = "seksueele uitbuiting";
      break;
    case RecordFlaw::kImpossibleDate:
      f[birth_column] = iso_dates ? fmt::format("{}-02-30", year - 20) : fmt::format("31-02-{}", year - 20);
      break;
    case RecordFlaw::kNoIdentity:
      f[birth_column] = "";
      if (!id_column.empty()) f[id_column] = "";
      break;
    case RecordFlaw::kUnknownMunicipality:
      if (region_column.empty())
        f[class_column] = "onbekende vorm";
      else
        f[region_column] = f[region_column].starts_with("GM") || f[region_column].empty() ? "GM9999" : "Atlantis";
      break;
  }
}

std::string csv_field(const std::string& value, char delimiter) {
  if (value.find_first_of(std::string(1, delimiter) + "\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

Result<std::string> to_windows1252(const std::string& utf8) {
  iconv_t cd = iconv_open("WINDOWS-1252//TRANSLIT", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return fail(ErrorCode::kInternal, "iconv cannot write WINDOWS-1252");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* o = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1))
    return fail(ErrorCode::kInternal, "cannot convert a demo row to Windows-1252");
  out.resize(out.size() - out_left);
  return out;
}

struct CsvStyle {
  char delimiter = ';';
  bool bom = false;
  bool crlf = false;
  bool windows1252 = false;
};

Result<void> write_csv(const std::filesystem::path& path, const std::vector<std::string>& columns,
                       const std::vector<Fields>& rows, const CsvStyle& style) {
  std::string text = style.bom ? "\xEF\xBB\xBF" : "";
  const std::string eol = style.crlf ? "\r\n" : "\n";
  const auto line = [&](const std::vector<std::string>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) text += style.delimiter;
      text += csv_field(values[i], style.delimiter);
    }
    text += eol;
  };
  line(columns);
  for (const Fields& row : rows) {
    std::vector<std::string> values;
    for (const auto& c : columns) values.push_back(row.count(c) ? row.at(c) : "");
    line(values);
  }
  if (style.windows1252) {
    ASSIGN_OR_RETURN(text, to_windows1252(text));
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file.flush()) return fail(ErrorCode::kIo, fmt::format("cannot write '{}'", path.string()));
  return ok();
}

// Columns holding dates are written as spreadsheet dates when `date_cells` is set.
Result<void> write_xlsx(const std::filesystem::path& path, const std::string& sheet,
                        const std::vector<std::string>& columns, const std::vector<Fields>& rows,
                        const std::vector<std::string>& date_columns, bool date_cells) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  const std::string tmpdir = path.parent_path().string();
  options.tmpdir = const_cast<char*>(tmpdir.c_str());
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (!workbook) return fail(ErrorCode::kIo, fmt::format("cannot create '{}'", path.string()));
  lxw_worksheet* worksheet = workbook_add_worksheet(workbook, sheet.c_str());
  lxw_format* date_format = workbook_add_format(workbook);
  format_set_num_format(date_format, "dd-mm-yyyy");
  for (std::size_t c = 0; c < columns.size(); ++c) {
    worksheet_write_string(worksheet, 0, static_cast<lxw_col_t>(c), columns[c].c_str(), nullptr);
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto it = rows[r].find(columns[c]);
      if (it == rows[r].end() || it->second.empty()) continue;
      const auto col = static_cast<lxw_col_t>(c);
      const bool is_date = std::find(date_columns.begin(), date_columns.end(), columns[c]) != date_columns.end();
      // An ISO value in a date column becomes a real date cell; faults stay text.
      if (is_date && date_cells && is_valid_iso(it->second)) {
        const Date d = parse_iso(it->second);
        lxw_datetime datetime{d.year, d.month, d.day, 0, 0, 0};
        worksheet_write_datetime(worksheet, row, col, &datetime, date_format);
      } else if (is_date && it->second.size() == 10 && it->second[4] == '-') {
        worksheet_write_string(worksheet, row, col, dutch_date(it->second).c_str(), nullptr);
      } else {
        worksheet_write_string(worksheet, row, col, it->second.c_str(), nullptr);
      }
    }
  }
  if (workbook_close(workbook) != LXW_NO_ERROR) {
    return fail(ErrorCode::kIo, fmt::format("cannot write '{}'", path.string()));
  }
  return ok();
}

// The source's own reference for its `ordinal`-th record of `year` (from 1), in the style of
// each source's case numbers; all synthetic. The labour inspectorate's signals carry none
// until a case is opened (every 25th), so the demo has registrations without a reference.
std::string record_reference(const std::string& source, int year, std::size_t ordinal) {
  if (source == "politie") return fmt::format("PV-{}-{:06}", year, ordinal);
  if (source == "om") return fmt::format("13/{:06}-{:02}", ordinal, year % 100);
  if (source == "comensha") return fmt::format("CMS-{}-{:06}", year, ordinal);
  if (source == "nla") return ordinal % 25 == 0 ? "" : fmt::format("nla-sig-{}-{:05}", year, ordinal);
  if (source == "kmar") return fmt::format("KM{}{:05}", year, ordinal);
  return fmt::format("JB-{:06}/{}", ordinal, year);
}

Result<ExtractFile> write_source(const World& world, const std::string& source, int year,
                                 const std::filesystem::path& folder) {
  std::vector<Fields> rows;
  for (std::size_t i = 0; i < world.registrations.size(); ++i) {
    const Registration& r = world.registrations[i];
    if (r.source_code != source || r.year != year) continue;
    const RecordedIdentity& id = world.identities[i];
    const std::string reference = record_reference(source, year, rows.size() + 1);
    Fields f;
    if (source == "politie") {
      f = politie_like(r, id, {.country_names = true});
      f["Datum registratie"] = dutch_date(id.registration_date);
      f["Registratienummer"] = reference;
      apply_flaw(f, id.flaw, "Geb.datum", "BSN", r.exploitation_form ? "Vorm uitbuiting" : "Delicttype", "Gemeente",
                 false, year);
    } else if (source == "om") {
      const Fields p = politie_like(r, id, {});
      f = {{"BSN", p.at("BSN")},
           {"Voornaam", p.at("Voornaam")},
           {"Achternaam", p.at("Achternaam")},
           {"Geboortedatum", p.at("Geb.datum")},
           {"Geslacht", p.at("Geslacht")},
           {"Zaaktype", p.at("Mandaat")},
           {"Rol", p.at("Rol")},
           {"Vorm uitbuiting", p.at("Vorm uitbuiting")},
           {"Delicttype", p.at("Delicttype")},
           {"Afdoening", p.at("Ketenfase")},
           {"Nationaliteit", p.at("Nationaliteit")},
           {"Gemeente", p.at("Gemeente")},
           {"Datum inschrijving", dutch_date(id.registration_date)},
           {"Parketnummer", reference}};
      apply_flaw(f, id.flaw, "Geboortedatum", "BSN", r.exploitation_form ? "Vorm uitbuiting" : "Delicttype", "Gemeente",
                 false, year);
    } else if (source == "comensha") {
      const Fields p = politie_like(r, id, {.country_names = true, .municipality_names = true});
      f = {{"BSN", p.at("BSN")},
           {"Voornaam", p.at("Voornaam")},
           {"Achternaam", p.at("Achternaam")},
           {"Geboortedatum", p.at("Geb.datum")},
           {"Geslacht", p.at("Geslacht")},
           {"Vorm uitbuiting", p.at("Vorm uitbuiting")},
           {"Nationaliteit", p.at("Nationaliteit")},
           {"Gemeente", p.at("Gemeente")},
           {"Verblijfsstatus", residence_label(r.residence_status)},
           {"Datum melding", dutch_date(id.registration_date)},
           {"Dossiernummer", reference}};
      apply_flaw(f, id.flaw, "Geboortedatum", "BSN", "Vorm uitbuiting", "Gemeente", false, year);
    } else if (source == "nla") {
      f = {{"bsn", id.national_id},
           {"voornaam", id.first_name},
           {"achternaam", id.last_name},
           {"geboortedatum", id.birth_date},
           {"geslacht", sex_label(r.sex)},
           {"vorm", r.exploitation_form ? form_label(*r.exploitation_form) : ""},
           {"nationaliteit", r.nationality.value_or("")},
           {"datum_signaal", id.registration_date},
           {"zaaknummer", reference}};
      apply_flaw(f, id.flaw, "geboortedatum", "bsn", "vorm", "", true, year);
    } else if (source == "kmar") {
      f = {{"Achternaam", id.last_name},
           {"Voornaam", id.first_name},
           {"Geboortedatum", id.birth_date},
           {"Geslacht", kmar_sex_label(r.sex)},
           {"Vorm", r.exploitation_form ? kmar_form_label(*r.exploitation_form) : ""},
           {"Nationaliteit", r.nationality.value_or("")},
           {"Gemeentecode", r.region_code.value_or("")},
           {"Verblijfsstatus", residence_label(r.residence_status)},
           {"Datum", id.registration_date},
           {"Zaaknummer", reference}};
      apply_flaw(f, id.flaw, "Geboortedatum", "", "Vorm", "Gemeentecode", true, year);
    } else if (source == "jeugdbescherming") {
      const Fields p = politie_like(r, id, {.municipality_names = true});
      f = {{"BSN", p.at("BSN")},
           {"Voornaam", p.at("Voornaam")},
           {"Achternaam", p.at("Achternaam")},
           {"Geboortedatum", id.birth_date},
           {"Geslacht", p.at("Geslacht")},
           {"Mandaat", p.at("Mandaat")},
           {"Vorm uitbuiting", p.at("Vorm uitbuiting")},
           {"Delicttype", p.at("Delicttype")},
           {"Nationaliteit", r.nationality.value_or("")},
           {"Gemeente", p.at("Gemeente")},
           {"Datum melding", id.registration_date},
           {"Dossiernummer", reference}};
      apply_flaw(f, id.flaw, "Geboortedatum", "BSN", r.exploitation_form ? "Vorm uitbuiting" : "Delicttype", "Gemeente",
                 true, year);
    }
    rows.push_back(std::move(f));
  }
  ExtractFile file;
  file.source_code = source;
  file.profile = source + ".toml";
  file.year = year;
  file.rows = static_cast<std::int64_t>(rows.size());
  if (source == "politie") {
    file.path = folder / fmt::format("politie-{}.csv", year);
    RETURN_IF_ERROR(
        write_csv(file.path,
                  {"BSN", "Voornaam", "Achternaam", "Geb.datum", "Geslacht", "Mandaat", "Rol", "Vorm uitbuiting",
                   "Delicttype", "Nationaliteit", "Gemeente", "Ketenfase", "Datum registratie", "Registratienummer"},
                  rows, {.delimiter = ';', .bom = true, .crlf = true}));
  } else if (source == "om") {
    file.path = folder / fmt::format("om-{}.csv", year);
    RETURN_IF_ERROR(
        write_csv(file.path,
                  {"BSN", "Voornaam", "Achternaam", "Geboortedatum", "Geslacht", "Zaaktype", "Rol", "Vorm uitbuiting",
                   "Delicttype", "Afdoening", "Nationaliteit", "Gemeente", "Datum inschrijving", "Parketnummer"},
                  rows, {.delimiter = ';'}));
  } else if (source == "comensha") {
    file.path = folder / fmt::format("comensha-{}.csv", year);
    RETURN_IF_ERROR(write_csv(file.path,
                              {"BSN", "Voornaam", "Achternaam", "Geboortedatum", "Geslacht", "Vorm uitbuiting",
                               "Nationaliteit", "Gemeente", "Verblijfsstatus", "Datum melding", "Dossiernummer"},
                              rows, {.delimiter = ',', .crlf = true, .windows1252 = true}));
  } else if (source == "nla") {
    file.path = folder / fmt::format("nla-{}.tsv", year);
    RETURN_IF_ERROR(write_csv(file.path,
                              {"bsn", "voornaam", "achternaam", "geboortedatum", "geslacht", "vorm", "nationaliteit",
                               "datum_signaal", "zaaknummer"},
                              rows, {.delimiter = '\t'}));
  } else if (source == "kmar") {
    file.path = folder / fmt::format("kmar-{}.xlsx", year);
    RETURN_IF_ERROR(write_xlsx(file.path, "Registraties",
                               {"Achternaam", "Voornaam", "Geboortedatum", "Geslacht", "Vorm", "Nationaliteit",
                                "Gemeentecode", "Verblijfsstatus", "Datum", "Zaaknummer"},
                               rows, {"Geboortedatum", "Datum"}, true));
  } else {
    file.path = folder / fmt::format("jeugdbescherming-{}.xlsx", year);
    RETURN_IF_ERROR(
        write_xlsx(file.path, "Blad1",
                   {"BSN", "Voornaam", "Achternaam", "Geboortedatum", "Geslacht", "Mandaat", "Vorm uitbuiting",
                    "Delicttype", "Nationaliteit", "Gemeente", "Datum melding", "Dossiernummer"},
                   rows, {"Geboortedatum", "Datum melding"}, false));
  }
  return file;
}

}  // namespace

Result<std::vector<ExtractFile>> write_extracts(const World& world, const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return fail(ErrorCode::kIo, fmt::format("cannot create '{}': {}", folder.string(), ec.message()));
  std::vector<ExtractFile> files;
  for (int year = world.options.first_year; year <= world.options.last_year; ++year) {
    for (const Source& source : world.sources) {
      ASSIGN_OR_RETURN(ExtractFile file, write_source(world, source.code, year, folder));
      files.push_back(std::move(file));
    }
  }
  return files;
}

}  // namespace rapporteur::demo
