// The institute's yearly account: registers of activities, media appearances and finances
// kept through the year, consistency checks of the finances, and the annual report built from
// the registers and the knowledge base (HTML, printed to PDF by headless Chromium).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "store/store.h"

namespace rapporteur::account {

// A stated figure that the lines do not support.
struct Mismatch {
  std::string what;  // E.g. "budget lines vs stated budget total".
  std::int64_t stated_cents = 0;
  std::int64_t computed_cents = 0;
  std::int64_t difference_cents = 0;  // stated - computed.
};

// Checks that the budget lines add up to the stated budget total, the spending lines to the
// stated spending total, and that the stated result equals stated budget minus stated
// spending. Returns every mismatch (none when consistent). Sums are exact (integer cents);
// a sum that would overflow is reported as a mismatch, never wrapped.
std::vector<Mismatch> check_finances(const Finances& finances);

// One year's registers as read from a YAML file:
//
//   year: 2023
//   activities:
//     - {date: 2023-02-01, kind: advisory_board, organisation: ..., title: ..., notes: ...}
//   media:
//     - {date: 2023-03-04, outlet: NOS, kind: tv, topic: ..., link: ...}
//   finances:
//     budget_total: "4.100.000,00"    # euros, Dutch or plain notation, exact to the cent
//     spending_total: "4.050.000,00"
//     result: "50.000,00"
//     budget: [{funder: ..., description: ..., kind: structural, amount: "3.800.000"}]
//     spending: [{category: staff, description: ..., amount: "2.900.000"}]
//
// Every entry must be dated in `year`.
struct YearFile {
  int year = 0;
  std::vector<Activity> activities;
  std::vector<MediaAppearance> media;
  std::optional<Finances> finances;
};

// Reads a year file. Fails with kInvalidArgument naming the file, the entry (e.g.
// "media[3].kind") and the reason; kIo when it cannot be read.
Result<YearFile> read_year_file(const std::filesystem::path& path);

// Stores a year file in one transaction: activities and media are put by their natural keys
// (a re-import updates, never duplicates), finances replace the year's. Returns the number of
// entries stored.
Result<std::size_t> import_year(store::Store& store, const YearFile& file);

struct ReportOptions {
  // The chart library's JavaScript (ECharts), inlined so the HTML stands alone; empty: the
  // report has tables only.
  std::string chart_script;
};

// The figures of an annual report, as counted from the registers; also what the tests check.
struct ReportFigures {
  int year = 0;
  std::int64_t publications = 0;
  std::map<std::string, std::int64_t> publications_by_type;
  std::int64_t recommendations = 0;  // Made in the year.
  std::int64_t recommendations_adopted = 0;
  std::int64_t recommendations_partly = 0;
  std::int64_t activities = 0;
  std::map<std::string, std::int64_t> activities_by_kind;
  std::int64_t media = 0;
  std::map<std::string, std::int64_t> media_by_kind;
  std::array<std::int64_t, 12> media_by_month{};
  std::optional<Finances> finances;
  std::vector<Mismatch> mismatches;
};

struct AnnualReport {
  ReportFigures figures;
  std::string html;  // A complete, standalone Dutch HTML document.
};

// Builds the report of `year` from the store: overview, publications of the year,
// recommendations with status and share adopted, advisory work, media (by kind and month,
// with a chart), cooperation, finances (tables, a chart of budget against spending, the result,
// and every mismatch marked). Fails with the store's errors.
Result<AnnualReport> build_annual_report(store::Store& store, int year, const ReportOptions& options);

// Prints `html_file` to `pdf_file` with headless Chromium (`chromium` on PATH or
// /usr/bin/chromium). Fails with kIo when Chromium is missing, fails or writes no PDF.
Result<void> print_pdf(const std::filesystem::path& html_file, const std::filesystem::path& pdf_file);

}  // namespace rapporteur::account
