// linkage: registrations linked into persons (deterministically or probabilistically), their
// capture histories, a report of the run, people found again across years and roles, the
// export of person ids by record reference, and the clerical review of pairs near the
// threshold (review lists them by agreement levels, decide stores a decision).
#include "cli/internal/command.h"

#include <memory>

#include <fmt/format.h>

#include "app/linkage.h"
#include "app/linkage_across.h"
#include "app/linkage_export.h"
#include "app/linkage_review.h"
#include "core/files.h"
#include "linkage/linkage.h"

namespace rapporteur::cli {
namespace {

struct LinkageOptions {
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  std::string method = "probabilistic";
  std::string source;  // export: only this source's records; "" = every source's.
  std::string out;     // export: the CSV file; "" = standard output.
};

Result<app::LinkageRun> run(const GlobalOptions& global, const LinkageOptions& options, std::ostream& err,
                            app::PersonIdUse person_ids = app::PersonIdUse::kNone) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto method, app::parse_linkage_method(options.method));
  err << fmt::format("Linking {} {} registrations of {} ({})...\n", options.mandate, options.role, options.year,
                     options.method);
  ASSIGN_OR_RETURN(auto linked, app::run_linkage(*store, {.year = options.year,
                                                          .mandate = options.mandate,
                                                          .role = options.role,
                                                          .method = method,
                                                          .person_ids = person_ids}));
  if (!linked.note.empty()) err << "Note: " << linked.note << '\n';
  return linked;
}

Result<void> run_histories(const GlobalOptions& global, const LinkageOptions& options, std::ostream& out,
                           std::ostream& err) {
  ASSIGN_OR_RETURN(const auto linked, run(global, options, err));
  out << linkage::to_csv(linked.histories);
  return ok();
}

Result<void> run_summary(const GlobalOptions& global, const LinkageOptions& options, std::ostream& out,
                         std::ostream& err) {
  // A run keeps person ids: the persons of the previous run keep theirs.
  ASSIGN_OR_RETURN(const auto linked, run(global, options, err, app::PersonIdUse::kKeep));
  const auto report = app::report_linkage(linked);
  out << fmt::format("{} registrations linked {} into {} persons", report.registrations, app::to_code(report.method),
                     report.persons);
  if (report.method == app::LinkageMethod::kProbabilistic) {
    out << fmt::format(" ({} candidate pairs, {} links, {} same-source duplicates)", report.candidate_pairs,
                       report.links, report.duplicates);
  }
  out << '\n';
  if (report.person_ids) {
    out << fmt::format("Person ids: {} kept ({} with the same records), {} new, {} retired\n", report.person_ids->kept,
                       report.person_ids->unchanged, report.person_ids->added, report.person_ids->retired);
  }
  return ok();
}

Result<void> run_report(const GlobalOptions& global, const LinkageOptions& options, std::ostream& out,
                        std::ostream& err) {
  ASSIGN_OR_RETURN(const auto linked, run(global, options, err));
  out << app::to_text(app::report_linkage(linked));
  return ok();
}

struct AcrossOptions {
  std::string mandate = "human_trafficking";
  int first_year = 0;
  int last_year = 0;
  std::string method = "probabilistic";
  bool keep_ids = false;
  std::string out;  // With keep_ids: the records with their lasting ids (CSV).
};

Result<void> run_across(const GlobalOptions& global, const AcrossOptions& options, std::ostream& out,
                        std::ostream& err) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto method, app::parse_linkage_method(options.method));
  err << fmt::format("Linking {} victims and suspects of {}-{} together ({})...\n", options.mandate, options.first_year,
                     options.last_year, options.method);
  const bool keep = options.keep_ids || !options.out.empty();
  ASSIGN_OR_RETURN(const auto report,
                   app::link_across(*store, {.mandate = options.mandate,
                                             .first_year = options.first_year,
                                             .last_year = options.last_year,
                                             .method = method,
                                             .person_ids = keep ? app::PersonIdUse::kKeep : app::PersonIdUse::kNone}));
  out << app::to_text(report);
  if (!options.out.empty()) {
    // Record references with lasting person ids are microdata: readable by the owner only.
    RETURN_IF_ERROR(write_file_atomically(options.out, app::records_csv(report), FileAccess::kOwnerOnly));
    err << fmt::format("{} records with their lasting person ids written to {}\n", report.records.size(), options.out);
  }
  return ok();
}

Result<void> run_export(const GlobalOptions& global, const LinkageOptions& options, std::ostream& out,
                        std::ostream& err) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto method, app::parse_linkage_method(options.method));
  err << fmt::format("Linking {} {} registrations of {} ({}) and exporting person ids...\n", options.mandate,
                     options.role, options.year, options.method);
  app::PersonIdExportRequest request{
      .year = options.year, .mandate = options.mandate, .role = options.role, .method = method};
  if (!options.source.empty()) request.source = options.source;
  ASSIGN_OR_RETURN(const auto exported, app::export_person_ids(*store, request));
  if (!exported.note.empty()) err << "Note: " << exported.note << '\n';
  const std::string csv = app::to_csv(exported);
  if (options.out.empty()) {
    out << csv;
  } else {
    // Record references with person ids are microdata: readable by the owner only.
    RETURN_IF_ERROR(write_file_atomically(options.out, csv, FileAccess::kOwnerOnly));
  }
  err << fmt::format("{} rows, {} without a record reference{}\n", exported.rows.size(), exported.without_record_id,
                     options.out.empty() ? "" : fmt::format(", written to {}", options.out));
  return ok();
}

struct ReviewOptions {
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  std::size_t limit = 0;
  double from = 0.1;
  double to = 0.9;
  std::string format = "text";
  std::string pair;
  std::string decision;
};

Result<void> run_review(const GlobalOptions& global, const ReviewOptions& options, std::ostream& out,
                        std::ostream& err) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  err << fmt::format("Linking {} {} registrations of {} (probabilistic) for the clerical review...\n", options.mandate,
                     options.role, options.year);
  ASSIGN_OR_RETURN(const auto list, app::list_review_pairs(*store, {.year = options.year,
                                                                    .mandate = options.mandate,
                                                                    .role = options.role,
                                                                    .band = {.from = options.from, .to = options.to},
                                                                    .limit = options.limit}));
  out << (options.format == "csv" ? app::to_csv(list) : app::to_text(list));
  if (options.format == "csv") {
    err << fmt::format("{} pairs in the band, {} listed, {} decided\n", list.in_band, list.pairs.size(), list.decided);
  }
  return ok();
}

Result<void> run_decide(const GlobalOptions& global, const ReviewOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto row, app::decide_pair(*store, {.year = options.year,
                                                             .mandate = options.mandate,
                                                             .role = options.role,
                                                             .pair = options.pair,
                                                             .decision = options.decision,
                                                             .user = "cli"}));
  out << fmt::format("{} {} {} {}: {} (the next linkage run follows it)\n", options.year, options.mandate, options.role,
                     app::to_reference({row.first, row.second}), store::to_code(row.decision));
  return ok();
}

void add_review_selection(CLI::App* command, ReviewOptions& options) {
  command->add_option("--year", options.year)->required()->check(CLI::Range(1990, 2100));
  command->add_option("--mandate", options.mandate)
      ->check(CLI::IsMember({"human_trafficking", "sexual_violence_against_children"}))
      ->capture_default_str();
  command->add_option("--role", options.role)->check(CLI::IsMember({"victim", "suspect"}))->capture_default_str();
}

void add_selection(CLI::App* command, LinkageOptions& options) {
  command->add_option("--year", options.year)->required()->check(CLI::Range(1990, 2100));
  command->add_option("--mandate", options.mandate)
      ->check(CLI::IsMember({"human_trafficking", "sexual_violence_against_children"}))
      ->capture_default_str();
  command->add_option("--role", options.role)->check(CLI::IsMember({"victim", "suspect"}))->capture_default_str();
  command->add_option("--method", options.method, "How registrations are linked into persons")
      ->check(CLI::IsMember({"probabilistic", "deterministic"}))
      ->capture_default_str();
}

}  // namespace

void add_linkage_commands(CLI::App& app, Action& action) {
  CLI::App* linkage_cmd = app.add_subcommand("linkage", "Link registrations into persons");
  linkage_cmd->require_subcommand(1);
  auto options = std::make_shared<LinkageOptions>();
  CLI::App* histories = linkage_cmd->add_subcommand("histories", "Capture histories of a year (CSV)");
  CLI::App* run_cmd = linkage_cmd->add_subcommand(
      "run", "Link a year, keep person ids from the previous run, say how many persons were found");
  CLI::App* report = linkage_cmd->add_subcommand(
      "report", "Link a year and report: links per weight band, blocking counts, overlap per source pair, clusters");
  auto across_options = std::make_shared<AcrossOptions>();
  CLI::App* across = linkage_cmd->add_subcommand(
      "across", "Link victims and suspects of several years together: who was registered before, who is both");
  across->add_option("--first-year", across_options->first_year)->required()->check(CLI::Range(1990, 2100));
  across->add_option("--last-year", across_options->last_year)->required()->check(CLI::Range(1990, 2100));
  across->add_option("--mandate", across_options->mandate)
      ->check(CLI::IsMember({"human_trafficking", "sexual_violence_against_children"}))
      ->capture_default_str();
  across->add_option("--method", across_options->method, "How registrations are linked into persons")
      ->check(CLI::IsMember({"probabilistic", "deterministic"}))
      ->capture_default_str();
  across->add_flag("--keep-ids", across_options->keep_ids,
                   "Give persons lasting ids over every year and role of the mandate, kept from the last such run "
                   "(a new year's registrations join the persons already known)");
  across->add_option("--out", across_options->out,
                     "With lasting ids: write source,year,role,record_id,person_id of every record (CSV, owner-only)");
  across->callback([&action, across_options] {
    action = [across_options](Context& c) { return finish(c, run_across(c.global, *across_options, c.out, c.err)); };
  });
  CLI::App* export_cmd = linkage_cmd->add_subcommand(
      "export", "Link a year, keep person ids, and list each record's source, record reference and person id (CSV)");
  for (CLI::App* command : {histories, run_cmd, report, export_cmd}) add_selection(command, *options);
  export_cmd->add_option("--source", options->source, "Only this source's records (what the source receives)");
  export_cmd->add_option("--out", options->out, "CSV file (default: standard output)");

  auto review_options = std::make_shared<ReviewOptions>();
  CLI::App* review = linkage_cmd->add_subcommand(
      "review", "List the pairs near the threshold for a clerical review, by agreement levels only (no names)");
  add_review_selection(review, *review_options);
  review->add_option("--limit", review_options->limit, "At most this many pairs, the most uncertain first (0: all)")
      ->capture_default_str();
  review->add_option("--from", review_options->from, "Lowest match probability of the band")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  review->add_option("--to", review_options->to, "Highest match probability of the band")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  review->add_option("--format", review_options->format)->check(CLI::IsMember({"text", "csv"}))->capture_default_str();
  review->callback([&action, review_options] {
    action = [review_options](Context& c) { return finish(c, run_review(c.global, *review_options, c.out, c.err)); };
  });
  CLI::App* decide = linkage_cmd->add_subcommand(
      "decide", "Record a clerical decision on a pair; the next linkage run of the year follows it");
  add_review_selection(decide, *review_options);
  decide->add_option("--pair", review_options->pair, "The pair's reference as review lists it (r<id>-r<id>)")
      ->required();
  decide->add_option("--decision", review_options->decision)
      ->required()
      ->check(CLI::IsMember({"match", "non-match", "unsure"}));
  decide->callback([&action, review_options] {
    action = [review_options](Context& c) { return finish(c, run_decide(c.global, *review_options, c.out)); };
  });

  histories->callback([&action, options] {
    action = [options](Context& c) { return finish(c, run_histories(c.global, *options, c.out, c.err)); };
  });
  run_cmd->callback([&action, options] {
    action = [options](Context& c) { return finish(c, run_summary(c.global, *options, c.out, c.err)); };
  });
  report->callback([&action, options] {
    action = [options](Context& c) { return finish(c, run_report(c.global, *options, c.out, c.err)); };
  });
  export_cmd->callback([&action, options] {
    action = [options](Context& c) { return finish(c, run_export(c.global, *options, c.out, c.err)); };
  });
}

}  // namespace rapporteur::cli
