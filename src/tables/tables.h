// Monitor tables: counts of linked persons over any combination of year, region, form (or
// offence), sex and age group, with every hierarchy's margins, defined declaratively (a TOML
// file per table), protected by disclosure control and written for publication.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "sdc/sdc.h"
#include "store/registration_store.h"

namespace rapporteur::tables {

enum class Method { kSuppression, kCellKey };

// A published table's definition. Dimensions, in order, from: "year", "region", "form" (the
// exploitation form, or the offence type under the children's mandate), "sex", "age" and, for
// suspects, "stage" (the furthest stage of the criminal-justice chain).
struct TableSpec {
  std::string name;   // File-name safe; the table's identifier.
  std::string title;  // Dutch.
  std::string title_en;
  Mandate mandate = Mandate::kHumanTrafficking;
  Role role = Role::kVictim;
  std::vector<std::string> dimensions;
  int first_year = 0;
  int last_year = 0;
  RegionLevel region_level = RegionLevel::kMunicipality;  // Leaves of the region hierarchy.
  sdc::Rule rule;
  Method method = Method::kSuppression;
  std::vector<std::string> footnotes;
};

// Reads a table definition. Fails with kInvalidArgument naming the file and the key that is
// missing or wrong, and with kIo when the file cannot be read.
Result<TableSpec> read_spec(const std::filesystem::path& path);
Result<TableSpec> parse_spec(const std::string& toml_text, const std::string& file_name);

// The unprotected table: persons linked per year across sources (a person counted once per
// year, so totals over years are person-years), with each cell's key for the cell-key method.
struct BuiltTable {
  TableSpec spec;
  sdc::Table table;
  std::vector<double> cell_keys;     // Fraction of the sum of the cell's record keys.
  std::vector<std::string> sources;  // Sources that contributed registrations.
};

// Who is one person among the registrations of one year of a table's mandate and role: per
// registration a cluster number (parallel to `registrations`; equal numbers are one person).
// `sources` lists every source of the store. The caller chooses the linkage (the platform's
// tables use the estimate's probabilistic linkage, injected by app::table_persons), so that the
// published counts and the estimate count the same persons.
using PersonClustering = std::function<Result<std::vector<std::uint32_t>>(
    const std::vector<Registration>& registrations, const std::vector<std::string>& sources)>;

// Exact-key counting: registrations sharing a person key or a name key are one person
// (linkage::key_clusters), the tables' counting before issue #16.
PersonClustering exact_keys();

// Counts the persons `persons` finds in each year. The years of the spec's range before the
// first and after the last with a registration of its mandate and role are left out (nothing
// was delivered about them), with a footnote naming them; the built spec has the narrowed
// range. Fails with kNotFound when no year has a registration, with kInvalidArgument for an
// unknown dimension or when `persons` gives a cluster list of the wrong length, with
// `persons`' errors, and with the store's errors.
Result<BuiltTable> build(store::RegistrationStore& store, const TableSpec& spec, const PersonClustering& persons);

// A protected table, ready to publish: per cell its status and the value to show (nothing
// when suppressed; the perturbed count under the cell-key method).
struct ProtectedTable {
  BuiltTable built;
  std::vector<sdc::Status> status;
  std::vector<std::optional<std::int64_t>> shown;
};

struct ProtectionReport {
  std::vector<ProtectedTable> tables;
  sdc::Protection protection;
  sdc::Audit audit;  // Of every linked set; its cells and groups name tables by their index in `tables`.
};

// Protects tables together (cells they share get one status) and audits the result; only
// tables of the same mandate and role can share cells. Tables using the cell-key method are
// perturbed instead (each cell on its own key). Fails with sdc's errors, with
// kInvalidArgument when tables that share cells have different rules, and with kConflict
// when the audit does not pass.
// `audit_options` chooses how the audit works (e.g. exact_intervals for a review that shows
// each suppressed cell's exact interval, at two programmes per cell).
Result<ProtectionReport> protect(std::vector<BuiltTable> tables, const sdc::AuditOptions& audit_options = {});

// The table as JSON: name, titles, unit, rule, sources, date, footnotes, its dimensions with
// their hierarchies (code, parent, label) and every cell (coordinates, value or null, status).
// `shown` empty: the unprotected values (restricted side only).
std::string to_json(const BuiltTable& table, const std::vector<sdc::Status>& status,
                    const std::vector<std::optional<std::int64_t>>& shown, const std::string& date);

// One CSV row per cell: a column per dimension (codes), the labels, the value ('x' when
// suppressed, as CBS writes it) and the status.
std::string to_csv(const BuiltTable& table, const std::vector<sdc::Status>& status,
                   const std::vector<std::optional<std::int64_t>>& shown);

// The review of a protection, for the staff who must account for every suppression (never
// for publication: it holds the true values). One CSV row per cell of every table: the table,
// the codes and labels, the true value, the status, why (for a primary: the rule it breaks;
// for a secondary: that it protects other cells), and for every suppressed cell an interval
// the audit proved the attacker cannot narrow the cell beyond (the audit certifies bounds
// rather than solving each exactly, so the attacker's true interval may be wider; "inf" when
// unbounded), beside the interval a primary must reach.
std::string to_review_csv(const ProtectionReport& report);

// The same as a workbook with a sheet of cells and a sheet of metadata. Fails with kIo.
Result<void> write_xlsx(const std::filesystem::path& path, const BuiltTable& table,
                        const std::vector<sdc::Status>& status, const std::vector<std::optional<std::int64_t>>& shown,
                        const std::string& date);

// One cell of a plain sheet: a number when `number` is set, else `text`.
struct SheetCell {
  std::optional<double> number;
  std::string text;
};

// Writes a workbook of one sheet named `sheet` (its first row bold, as a header) and a sheet
// "Toelichting" with `notes`, one a row; for views of published tables. Fails with kIo when
// the file cannot be written.
Result<void> write_sheet_xlsx(const std::filesystem::path& path, const std::string& sheet,
                              const std::vector<std::vector<SheetCell>>& rows, const std::vector<std::string>& notes);

// The Dutch label of a code of a dimension ("form" codes, sex, age group), or the code.
std::string label_of(const std::string& dimension, const std::string& code);

}  // namespace rapporteur::tables
