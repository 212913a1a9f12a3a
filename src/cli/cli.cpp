#include "cli/cli.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <system_error>
#include <thread>

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <map>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "account/account.h"
#include "app/estimate.h"
#include "app/paths.h"
#include "app/publish.h"
#include "auth/auth.h"
#include "core/money.h"
#include "demo/demo.h"
#include "intake/intake.h"
#include "kb/kb.h"
#include "linkage/linkage.h"
#include "mse/mse.h"
#include "sdc/sdc.h"
#include "tables/tables.h"
#include "store/store.h"
#include "web/web.h"

#ifndef RAPPORTEUR_VERSION
#define RAPPORTEUR_VERSION "0.0.0"
#endif

namespace rapporteur::cli {
namespace {

// The data that ships with the binary: installed under <prefix>/share/rapporteur, or the
// source tree for a binary run from its build folder (app/paths.h).
std::string default_profiles() { return app::data_folder("profiles", RAPPORTEUR_PROFILES_DIR).string(); }
std::string default_tables() { return app::data_folder("tables", RAPPORTEUR_TABLES_DIR).string(); }

struct GlobalOptions {
  std::string db = "var/rapporteur.db";
  std::string key;  // "" = pseudonym.key beside the database.
  std::string profiles = default_profiles();
  std::string tables = default_tables();
  std::string log_level = "info";
  std::string kb;  // "" = kennisbank/ beside the database.

  std::filesystem::path kb_path() const {
    return kb.empty() ? std::filesystem::path(db).replace_filename("kennisbank") : std::filesystem::path(kb);
  }

  std::filesystem::path key_path() const {
    return key.empty() ? std::filesystem::path(db).replace_filename("pseudonym.key") : std::filesystem::path(key);
  }
};

// Shows progress: a bar on a terminal, a line per tenth otherwise.
class Progress {
 public:
  Progress(std::ostream& err, std::string label)
      : err_(err), label_(std::move(label)), terminal_(&err == &std::cerr && ::isatty(STDERR_FILENO)) {}
  void update(double fraction, std::int64_t rows) {
    const int percent = static_cast<int>(fraction * 100);
    if (terminal_) {
      const int filled = percent / 5;
      err_ << fmt::format("\r{} [{}{}] {:3}% {} rows", label_, std::string(filled, '#'),
                          std::string(20 - filled, ' '), percent, rows)
           << std::flush;
      if (percent >= 100) err_ << '\n';
    } else if (percent / 10 > last_tenth_) {
      last_tenth_ = percent / 10;
      err_ << fmt::format("{}: {}% ({} rows)\n", label_, percent, rows);
    }
  }

 private:
  std::ostream& err_;
  std::string label_;
  bool terminal_;
  int last_tenth_ = -1;
};

// A profile given as a path, or as a name in the profiles folder.
Result<intake::SourceProfile> find_profile(const GlobalOptions& global, const std::string& profile) {
  std::filesystem::path path(profile);
  if (!std::filesystem::exists(path)) {
    const auto named = std::filesystem::path(global.profiles) / (profile + ".toml");
    if (std::filesystem::exists(named)) path = named;
  }
  return intake::load_profile(path);
}

// Whether a command may create the instance: only `init` and `demo` do, so a mistyped --db is
// an error rather than a new, empty instance.
enum class Creation { kExistingOnly, kCreateWhenAbsent };

Result<std::unique_ptr<store::Store>> open_store(const GlobalOptions& global,
                                                 Creation creation = Creation::kExistingOnly) {
  const std::filesystem::path path(global.db);
  if (creation == Creation::kExistingOnly && !std::filesystem::exists(path)) {
    return fail(ErrorCode::kNotFound, fmt::format("no instance at '{}' (create one with `rapporteur --db {} init` "
                                                  "or `rapporteur --db {} demo`)",
                                                  global.db, global.db, global.db));
  }
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return fail(ErrorCode::kIo, fmt::format("cannot create folder '{}': {}",
                                              path.parent_path().string(), ec.message()));
    }
  }
  return store::open_sqlite_store(path);
}


Result<std::unique_ptr<kb::KnowledgeBase>> open_kb(store::Store& store, const GlobalOptions& global) {
  return kb::KnowledgeBase::open(store, {.folder = global.kb_path()});
}

struct KbOptions {
  std::string path;
  std::string slug;
  std::string title;
  std::string type;
  std::string date;
  std::string language;
  std::string themes;
  std::string forms;
  std::string summary;
  std::string query;
  std::string status;
  std::string theme;
  std::string form;
  int year = 0;
  std::string sort = "relevance";
  int limit = 10;
  int offset = 0;
  bool json = false;
  int number = 0;
  std::string note;
};

template <typename T, typename Parse>
Result<std::vector<T>> parse_codes(const std::string& joined, Parse parse) {
  std::vector<T> values;
  std::stringstream in(joined);
  std::string code;
  while (std::getline(in, code, ',')) {
    if (code.empty()) continue;
    ASSIGN_OR_RETURN(T value, parse(code));
    values.push_back(value);
  }
  return values;
}

Result<kb::Metadata> metadata_from(const KbOptions& o) {
  kb::Metadata m;
  if (!o.slug.empty()) m.slug = o.slug;
  if (!o.title.empty()) m.title = o.title;
  if (!o.type.empty()) {
    ASSIGN_OR_RETURN(const PublicationType type, parse_publication_type(o.type));
    m.type = type;
  }
  if (!o.date.empty()) m.date = o.date;
  if (!o.language.empty()) m.language = o.language;
  if (!o.themes.empty()) {
    ASSIGN_OR_RETURN(auto mandates, parse_codes<Mandate>(o.themes, parse_mandate));
    m.mandates = std::move(mandates);
  }
  if (!o.forms.empty()) {
    ASSIGN_OR_RETURN(auto forms, parse_codes<ExploitationForm>(o.forms, parse_exploitation_form));
    m.forms = std::move(forms);
  }
  if (!o.summary.empty()) m.summary = o.summary;
  return m;
}

std::string_view outcome_text(kb::AddOutcome outcome) {
  switch (outcome) {
    case kb::AddOutcome::kAdded: return "added";
    case kb::AddOutcome::kUpdated: return "updated";
    case kb::AddOutcome::kUnchanged: return "unchanged (already loaded)";
  }
  return "";
}

void report_added(const kb::AddResult& added, std::ostream& out) {
  out << fmt::format("{}: {}", added.slug, outcome_text(added.outcome));
  if (added.recommendations > 0) out << fmt::format(", {} recommendations", added.recommendations);
  out << '\n';
  for (const auto& warning : added.warnings) out << "warning: " << warning << '\n';
}

Result<void> run_kb_add(const GlobalOptions& global, const KbOptions& options, std::ostream& out, std::ostream& err) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto knowledge, open_kb(*store, global));
  ASSIGN_OR_RETURN(const kb::Metadata metadata, metadata_from(options));
  if (std::filesystem::is_directory(options.path)) {
    if (metadata.slug || metadata.title) {
      return fail(ErrorCode::kInvalidArgument, "--slug and --title apply to one file, not to a folder");
    }
    ASSIGN_OR_RETURN(const auto result, knowledge->add_folder(options.path, metadata));
    for (const auto& added : result.added) report_added(added, out);
    for (const auto& error : result.errors) err << "error: " << error.message << '\n';
    out << fmt::format("{} files loaded, {} refused\n", result.added.size(), result.errors.size());
    if (result.added.empty() && !result.errors.empty()) {
      return fail(ErrorCode::kInvalidArgument, "nothing could be loaded");
    }
    return ok();
  }
  ASSIGN_OR_RETURN(const auto added, knowledge->add_file(options.path, metadata));
  report_added(added, out);
  return ok();
}

Result<void> run_kb_search(const GlobalOptions& global, const KbOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto knowledge, open_kb(*store, global));
  kb::SearchQuery query;
  query.text = options.query;
  if (!options.type.empty()) query.type = options.type;
  if (options.year != 0) query.year = options.year;
  if (!options.theme.empty()) query.theme = options.theme;
  if (!options.form.empty()) query.form = options.form;
  if (!options.status.empty()) query.status = options.status;
  if (!options.language.empty()) query.language = options.language;
  query.sort = options.sort == "date" ? kb::SortOrder::kDate : kb::SortOrder::kRelevance;
  query.limit = options.limit;
  query.offset = options.offset;
  ASSIGN_OR_RETURN(const auto result, knowledge->search(query));
  if (options.json) {
    out << nlohmann::json::parse(kb::to_json(result)).dump(2) << '\n';
    return ok();
  }
  if (result.suggestion) {
    out << (result.corrected ? fmt::format("Geen resultaten; resultaten voor: {}\n", *result.suggestion)
                             : fmt::format("Bedoelde u: {}?\n", *result.suggestion));
  }
  out << fmt::format("{} results\n", result.total);
  for (const auto& hit : result.hits) {
    std::string snippet;
    for (const auto& part : hit.snippet) snippet += part.highlighted ? "[" + part.text + "]" : part.text;
    out << fmt::format("{:5.1f}  {}  {:<14} {}  ({})\n       {}\n", hit.score, hit.date, hit.type, hit.title, hit.id,
                       snippet);
  }
  for (const auto& [name, counts] : result.facets) {
    if (counts.empty()) continue;
    std::vector<std::string> shown;
    for (const auto& c : counts) shown.push_back(fmt::format("{} ({})", c.value, c.count));
    out << fmt::format("{}: {}\n", name, fmt::join(shown, ", "));
  }
  return ok();
}

Result<void> run_kb_follow_up(const GlobalOptions& global, const KbOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto knowledge, open_kb(*store, global));
  Recommendation::Event event;
  event.date = options.date;
  event.note = options.note;
  if (!options.status.empty()) {
    ASSIGN_OR_RETURN(const ResponseStatus status, parse_response_status(options.status));
    event.status = status;
  }
  RETURN_IF_ERROR(knowledge->follow_up(options.slug, options.number, event));
  out << fmt::format("recommendation {} of {}: follow-up of {} recorded\n", options.number, options.slug, event.date);
  return ok();
}

Result<void> run_kb_rebuild(const GlobalOptions& global, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto knowledge, open_kb(*store, global));
  ASSIGN_OR_RETURN(const std::int64_t documents, knowledge->rebuild());
  out << fmt::format("search index rebuilt: {} documents\n", documents);
  return ok();
}

Result<void> run_kb_recommendations(const GlobalOptions& global, const KbOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto recommendations, store->recommendations());
  const auto overview = kb::summarise(recommendations);
  if (options.json) {
    out << nlohmann::json::parse(kb::to_json(overview)).dump(2) << '\n';
    return ok();
  }
  const auto print = [&](const char* heading, const std::vector<kb::RecommendationSummary>& summaries) {
    out << fmt::format("{:<58} {:>5} {:>7} {:>6} {:>8} {:>7} {:>8}\n", heading, "total", "adopted", "partly",
                       "rejected", "pending", "%adopted");
    for (const auto& s : summaries) {
      out << fmt::format("{:<58} {:>5} {:>7} {:>6} {:>8} {:>7} {:>7.0f}%\n", s.key, s.total, s.adopted, s.partly,
                         s.rejected, s.pending, 100 * s.adopted_share);
    }
    out << '\n';
  };
  print("year", overview.by_year);
  print("addressee", overview.by_addressee);
  return ok();
}

struct AccountOptions {
  std::string file;
  int year = 0;
  std::string date;
  std::string kind;
  std::string organisation;
  std::string title;
  std::string notes;
  std::string outlet;
  std::string topic;
  std::string link;
  std::string out;
  bool pdf = false;
  bool publish = false;
};

Result<void> run_account_import(const GlobalOptions& global, const AccountOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto file, account::read_year_file(options.file));
  ASSIGN_OR_RETURN(const std::size_t stored, account::import_year(*store, file));
  out << fmt::format("{}: {} activities, {} media appearances{} for {} ({} entries stored)\n", options.file,
                     file.activities.size(), file.media.size(), file.finances ? ", finances" : "", file.year, stored);
  if (file.finances) {
    for (const auto& m : account::check_finances(*file.finances)) {
      out << fmt::format("warning: {}: stated {}, computed {}, difference {}\n", m.what,
                         format_euro(Cents{m.stated_cents}), format_euro(Cents{m.computed_cents}),
                         format_euro(Cents{m.difference_cents}));
    }
  }
  return ok();
}

// The activity or media appearance the options name (a removal needs only the natural key;
// the media kind is read when given).
Result<Activity> activity_of(const AccountOptions& options) {
  Activity a;
  a.date = options.date;
  ASSIGN_OR_RETURN(a.kind, parse_activity_kind(options.kind));
  a.organisation = options.organisation;
  a.title = options.title;
  a.notes = options.notes;
  return a;
}

Result<MediaAppearance> media_of(const AccountOptions& options) {
  MediaAppearance m;
  m.date = options.date;
  m.outlet = options.outlet;
  if (!options.kind.empty()) {
    ASSIGN_OR_RETURN(m.kind, parse_media_kind(options.kind));
  }
  m.topic = options.topic;
  m.link = options.link;
  return m;
}

Result<void> run_account_add_activity(const GlobalOptions& global, const AccountOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const Activity a, activity_of(options));
  RETURN_IF_ERROR(store->put_activity(a));
  out << fmt::format("activity of {} recorded\n", a.date);
  return ok();
}

Result<void> run_account_add_media(const GlobalOptions& global, const AccountOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const MediaAppearance m, media_of(options));
  RETURN_IF_ERROR(store->put_media_appearance(m));
  out << fmt::format("media appearance of {} recorded\n", m.date);
  return ok();
}

Result<void> run_account_remove_activity(const GlobalOptions& global, const AccountOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const Activity a, activity_of(options));
  RETURN_IF_ERROR(store->remove_activity(a));
  out << fmt::format("activity of {} removed\n", a.date);
  return ok();
}

Result<void> run_account_remove_media(const GlobalOptions& global, const AccountOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const MediaAppearance m, media_of(options));
  RETURN_IF_ERROR(store->remove_media_appearance(m));
  out << fmt::format("media appearance of {} removed\n", m.date);
  return ok();
}

Result<void> run_account_check(const GlobalOptions& global, const AccountOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const Finances finances, store->finances(options.year));
  const auto mismatches = account::check_finances(finances);
  for (const auto& m : mismatches) {
    out << fmt::format("{}: stated {}, computed {}, difference {}\n", m.what, format_euro(Cents{m.stated_cents}),
                       format_euro(Cents{m.computed_cents}), format_euro(Cents{m.difference_cents}));
  }
  if (!mismatches.empty()) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("the finances of {} do not add up ({} mismatches)",
                                                         options.year, mismatches.size()));
  }
  out << fmt::format("the finances of {} add up: budget {}, spending {}, result {}\n", options.year,
                     format_euro(Cents{finances.budget_total_cents}), format_euro(Cents{finances.spending_total_cents}),
                     format_euro(Cents{finances.result_cents}));
  return ok();
}

Result<void> run_report_annual(const GlobalOptions& global, const AccountOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  account::ReportOptions report_options;
  if (const auto chart = web::static_asset("/vendor/echarts.min.js")) report_options.chart_script = std::string(*chart);
  ASSIGN_OR_RETURN(const auto report, account::build_annual_report(*store, options.year, report_options));
  const std::filesystem::path folder =
      options.out.empty() ? std::filesystem::path(global.db).replace_filename("reports") : std::filesystem::path(options.out);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot create: {}", folder.string(), ec.message()));
  const auto html = folder / fmt::format("jaarverslag-{}.html", options.year);
  {
    const auto temporary = html.string() + ".tmp";
    std::ofstream file(temporary, std::ios::trunc);
    file << report.html;
    if (!file.flush()) return fail(ErrorCode::kIo, fmt::format("{}: cannot write", temporary));
    file.close();
    std::filesystem::rename(temporary, html, ec);
    if (ec) return fail(ErrorCode::kIo, fmt::format("{}: {}", html.string(), ec.message()));
  }
  out << fmt::format("annual report {}: {} publications, {} recommendations ({} adopted), {} activities, {} media "
                     "appearances{}\n{}\n",
                     options.year, report.figures.publications, report.figures.recommendations,
                     report.figures.recommendations_adopted, report.figures.activities, report.figures.media,
                     report.figures.mismatches.empty() ? "" : fmt::format(", {} finance mismatches marked",
                                                                          report.figures.mismatches.size()),
                     html.string());
  if (!options.pdf && !options.publish) return ok();
  const auto pdf = folder / fmt::format("jaarverslag-{}.pdf", options.year);
  RETURN_IF_ERROR(account::print_pdf(html, pdf));
  out << pdf.string() << '\n';
  if (options.publish) {
    ASSIGN_OR_RETURN(const auto knowledge, open_kb(*store, global));
    kb::Metadata metadata;
    metadata.slug = fmt::format("jaarverslag-{}", options.year);
    metadata.title = fmt::format("Jaarverslag {}", options.year);
    metadata.type = PublicationType::kAnnualReport;
    metadata.mandates = std::vector<Mandate>{Mandate::kHumanTrafficking, Mandate::kSexualViolenceAgainstChildren};
    metadata.summary = fmt::format("Activiteiten, publicaties, aanbevelingen, advieswerk, media en financiën in {}.",
                                   options.year);
    ASSIGN_OR_RETURN(const auto added, knowledge->add_file(pdf, metadata));
    out << fmt::format("published in the knowledge base as {} ({})\n", added.slug,
                       added.outcome == kb::AddOutcome::kUnchanged ? "unchanged" : "added or updated");
  }
  return ok();
}

Result<void> run_init(const GlobalOptions& global, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global, Creation::kCreateWhenAbsent));
  out << fmt::format("Initialised {} (schema version {})\n", global.db, store->schema_version());
  return ok();
}

struct DemoOptions {
  std::uint64_t seed = 2026;
  int first_year = 2019;
  int last_year = 2023;
  std::string truth;
};

Result<intake::PseudonymKey> open_or_create_key(const GlobalOptions& global, std::ostream& err) {
  const auto path = global.key_path();
  if (std::filesystem::exists(path)) return intake::PseudonymKey::read_file(path);
  ASSIGN_OR_RETURN(auto key, intake::PseudonymKey::create_file(path));
  err << fmt::format("Created pseudonymisation key {} (id {}); keep it safe and out of backups "
                     "of the database\n", path.string(), key.id());
  return key;
}

Result<void> run_demo(const GlobalOptions& global, const DemoOptions& options, std::ostream& out,
                      std::ostream& err) {
  ASSIGN_OR_RETURN(const auto store, open_store(global, Creation::kCreateWhenAbsent));
  if (auto seed = store->get_meta("demo_seed"); seed && *seed == std::to_string(options.seed)) {
    out << fmt::format("The demo world with seed {} is already loaded in {}\n", options.seed,
                       global.db);
    return ok();
  }
  ASSIGN_OR_RETURN(const auto key, open_or_create_key(global, err));
  ASSIGN_OR_RETURN(const demo::World world,
                   demo::generate_world({options.seed, options.first_year, options.last_year}));
  const auto extracts = std::filesystem::path(global.db).replace_filename("demo-extracts");
  std::int64_t loaded = 0;
  std::int64_t rejected = 0;
  ASSIGN_OR_RETURN(
      const auto reports,
      demo::load_world(world, *store, key,
                       {.extracts_folder = extracts,
                        .profiles_folder = global.profiles,
                        .on_loaded = [&](const demo::ExtractFile& file, const intake::LoadReport& report) {
                          loaded += report.rows_loaded;
                          rejected += report.rows_rejected;
                          err << fmt::format("Loaded {} ({}): {} rows, {} loaded, {} quarantined (batch {})\n",
                                             file.path.filename().string(), report.reader, report.rows_read,
                                             report.rows_loaded, report.rows_rejected, report.batch_id);
                        }}));
  const std::filesystem::path truth_path =
      options.truth.empty() ? std::filesystem::path(global.db).replace_filename("demo-truth.json")
                            : std::filesystem::path(options.truth);
  // Write then rename, so the truth file is either whole or absent.
  const std::filesystem::path temporary = truth_path.string() + ".tmp";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << demo::truth_json(world) << '\n';
    if (!file.flush()) {
      return fail(ErrorCode::kIo, fmt::format("cannot write '{}'", temporary.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, truth_path, ec);
  if (ec) {
    return fail(ErrorCode::kIo, fmt::format("cannot write '{}': {}", truth_path.string(), ec.message()));
  }
  ASSIGN_OR_RETURN(const std::int64_t persons, store->count_persons());
  out << fmt::format(
      "Loaded the demo world (seed {}, {}-{}) into {} through intake: {} extracts in {}, {} rows "
      "loaded, {} quarantined, {} pseudonymised persons\nTruth written to {}\n",
      options.seed, options.first_year, options.last_year, global.db, reports.size(),
      extracts.string(), loaded, rejected, persons, truth_path.string());

  // The knowledge base: sample publications, ingested like real ones.
  const auto kennisbank = std::filesystem::path(global.db).replace_filename("demo-kennisbank");
  ASSIGN_OR_RETURN(const auto files, demo::write_kennisbank(kennisbank));
  ASSIGN_OR_RETURN(const auto knowledge, open_kb(*store, global));
  ASSIGN_OR_RETURN(const auto added, knowledge->add_folder(kennisbank, {}));
  for (const auto& error : added.errors) err << "error: " << error.message << '\n';
  std::size_t recommendations = 0;
  for (const auto& a : added.added) recommendations += a.recommendations;
  out << fmt::format("Loaded {} of {} demo publications with {} recommendations into the knowledge base {}\n",
                     added.added.size(), files.size(), recommendations, global.kb_path().string());
  if (!added.errors.empty()) return fail(ErrorCode::kInvalidArgument, "some demo publications could not be loaded");
  return ok();
}

Result<void> run_key_init(const GlobalOptions& global, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto key, intake::PseudonymKey::create_file(global.key_path()));
  out << fmt::format("Created {} (mode 0600, key id {})\n", global.key_path().string(), key.id());
  return ok();
}

Result<void> run_source_check(const GlobalOptions& global, const std::string& profile_name, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto profile, find_profile(global, profile_name));
  std::string columns;
  for (const auto& [field, column] : profile.columns) {
    columns += fmt::format("\n  {:<18} <- '{}'{}", intake::field_key(field), column,
                           intake::is_identifying(field)                ? " (identifying: pseudonymised)"
                           : intake::is_identifying(profile, field) ? " (identifying: never shown in errors)"
                                                                        : "");
  }
  for (const auto& column : profile.identifying_columns) {
    columns += fmt::format("\n  {:<18} '{}' (identifying: never shown in errors)", "marked", column);
  }
  out << fmt::format("Profile '{}' is valid: source {} ({}), {}{}", profile.name, profile.source.code,
                     profile.source.name, profile.format == intake::FileFormat::kXlsx ? "xlsx" : "csv",
                     columns)
      << '\n';
  return ok();
}

struct IntakeLoadOptions {
  std::string file;
  std::string profile;
  int year = 0;
  bool replace = false;
  bool no_bloom = false;
};

Result<void> run_intake_load(const GlobalOptions& global, const IntakeLoadOptions& options,
                             std::ostream& out, std::ostream& err) {
  ASSIGN_OR_RETURN(const auto profile, find_profile(global, options.profile));
  ASSIGN_OR_RETURN(const auto key, intake::PseudonymKey::read_file(global.key_path()));
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  Progress progress(err, std::filesystem::path(options.file).filename().string());
  ASSIGN_OR_RETURN(
      const auto report,
      intake::load_extract(*store, key, profile,
                           {.file = options.file,
                            .year = options.year,
                            .replace = options.replace ? intake::ReplaceMode::kReplace : intake::ReplaceMode::kRefuse,
                            .encodings = options.no_bloom ? intake::Encodings::kWithoutBloomFilters
                                                          : intake::Encodings::kWithBloomFilters,
                            .progress = [&](double fraction, std::int64_t rows) { progress.update(fraction, rows); }}));
  if (report.already_loaded) {
    out << fmt::format("Already loaded as batch {} (same file): nothing to do\n", report.batch_id);
    return ok();
  }
  out << fmt::format("Batch {}: {} ({}), {} {}: {} rows read, {} loaded, {} quarantined{}\n",
                     report.batch_id, std::filesystem::path(options.file).filename().string(), report.reader,
                     profile.source.code, options.year, report.rows_read, report.rows_loaded,
                     report.rows_rejected,
                     report.replaced_batch ? fmt::format("; replaces batch {}", *report.replaced_batch) : "");
  if (report.rows_rejected > 0) {
    out << fmt::format("See the rejected rows with: rapporteur intake errors {}\n", report.batch_id);
  }
  if (report.rows_loaded == 0) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("no row of {} could be loaded (batch {} holds the reasons)", options.file,
                            report.batch_id));
  }
  return ok();
}

std::string csv_escape(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

Result<void> run_intake_errors(const GlobalOptions& global, std::int64_t batch_id, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto batch, store->batch(batch_id));
  ASSIGN_OR_RETURN(const auto errors, store->row_errors(batch_id));
  out << "file,row,column,value,reason\n";
  for (const auto& e : errors) {
    out << fmt::format("{},{},{},{},{}\n", csv_escape(batch.file_name), e.row, csv_escape(e.column),
                       csv_escape(e.value), csv_escape(e.reason));
  }
  return ok();
}

Result<void> run_intake_batches(const GlobalOptions& global, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto batches, store->batches());
  out << "batch,source,profile,year,file,sha256,key_id,rows_read,rows_loaded,rows_rejected,loaded_at,status\n";
  for (const auto& b : batches) {
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", b.id, b.source_code, b.profile, b.year,
                       csv_escape(b.file_name), b.file_sha256, b.key_id, b.rows_read, b.rows_loaded,
                       b.rows_rejected, b.loaded_at,
                       b.status == store::BatchStatus::kActive ? "active"
                                                               : fmt::format("replaced by {}", b.replaced_by.value_or(0)));
  }
  return ok();
}

struct HistoriesOptions {
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
};

Result<void> run_linkage_histories(const GlobalOptions& global, const HistoriesOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto histories, app::link_year(*store, options.year, options.mandate, options.role));
  out << linkage::to_csv(histories);
  return ok();
}

// Blocks SIGINT and SIGTERM in every thread (threads inherit the mask) and turns them into a
// call of server.stop() from a dedicated thread, so no work happens in a signal handler.
class SignalStopper {
 public:
  explicit SignalStopper(web::Server& server) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    thread_ = std::thread([this, &server] {
      int signal = 0;
      while (sigwait(&set_, &signal) == EINTR) {
      }
      if (signal != SIGUSR1) {
        spdlog::info("received {}, stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        server.stop();
      }
    });
  }
  SignalStopper(const SignalStopper&) = delete;
  SignalStopper& operator=(const SignalStopper&) = delete;
  ~SignalStopper() {
    pthread_kill(thread_.native_handle(), SIGUSR1);  // Wakes the waiter if no signal came.
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }

 private:
  sigset_t set_{};
  sigset_t previous_{};
  std::thread thread_;
};

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  bool secure_cookies = false;
};

enum class Logging { kConfigure, kKeep };
int run_with(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, Logging logging);

struct UserOptions {
  std::string name;
  std::string role = "researcher";
  bool password_stdin = false;
};

Result<void> run_user_add(const GlobalOptions& global, const UserOptions& options, std::istream& in, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const store::UserRole role, store::parse_user_role(options.role));
  std::string password;
  if (options.password_stdin) {
    std::getline(in, password);
  } else {
    password = auth::generate_password();
  }
  auth::Auth sign_in(*store);
  RETURN_IF_ERROR(sign_in.add_user(options.name, role, password,
                                   {"cli", "user_add", fmt::format("{} ({})", options.name, options.role)}));
  if (options.password_stdin) {
    out << fmt::format("user {} ({}) added\n", options.name, options.role);
  } else {
    out << fmt::format("user {} ({}) added; one-time password: {}\n", options.name, options.role, password);
  }
  return ok();
}

Result<void> run_serve(const GlobalOptions& global, const ServeOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto knowledge, open_kb(*store, global));
  auth::Auth sign_in(*store);
  // Staff jobs run the same commands as this CLI, against the same instance.
  const std::vector<std::string> prefix = {"rapporteur", "--db", global.db, "--kb", global.kb_path().string(),
                                           "--profiles", global.profiles, "--key", global.key_path().string()};
  web::Server server(*store, {.host = options.host,
                              .port = options.port,
                              // Staff upload extracts; public routes take no bodies but sign-in.
                              .max_request_bytes = std::size_t{256} << 20,
                              .published_folder = std::filesystem::path(global.db).replace_filename("published").string(),
                              .knowledge_base = knowledge.get(),
                              .auth = &sign_in,
                              .run_command = [prefix](const std::vector<std::string>& args, std::ostream& job_out,
                                                      std::ostream& job_err) {
                                std::vector<std::string> full = prefix;
                                full.insert(full.end(), args.begin(), args.end());
                                return run_with(full, job_out, job_err, Logging::kKeep);
                              },
                              .uploads_folder = std::filesystem::path(global.db).replace_filename("uploads").string(),
                              .profiles_folder = global.profiles,
                              .tables_folder = global.tables,
                              .reports_folder = std::filesystem::path(global.db).replace_filename("reports").string(),
                              .secure_cookies = options.secure_cookies});
  SignalStopper stopper(server);
  ASSIGN_OR_RETURN(const int port, server.bind());
  out << fmt::format("Serving {} on http://{}:{}/\n", global.db, options.host, port) << std::flush;
  RETURN_IF_ERROR(server.serve());
  spdlog::info("server stopped");
  return ok();
}

struct EstimateOptions {
  std::string table;
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  std::string by;
  std::string model;
  std::string search = "auto";
  std::string criterion = "bic";
  double pthresh = 0.02;
  bool json = false;
  bool csv = false;
  bool no_sensitivity = false;
  bool joint = false;
  std::string stratum_lists = "all";
  int bootstrap = 0;
  std::string bootstrap_method = "nonparametric";
  std::uint64_t seed = 1;
};

// Estimates through app::estimate and prints the report as text, JSON or CSV.
Result<void> run_estimate(const GlobalOptions& global, const EstimateOptions& options, std::ostream& out) {
  app::EstimateRequest request;
  request.table_file = options.table;
  request.year = options.year;
  request.mandate = options.mandate;
  request.role = options.role;
  request.by = options.by;
  request.selection.model = options.model;
  request.selection.search = options.search == "exhaustive" ? mse::SearchChoice::kExhaustive
                             : options.search == "stepwise" ? mse::SearchChoice::kStepwise
                             : options.search == "sparse"   ? mse::SearchChoice::kSparse
                                                            : mse::SearchChoice::kAuto;
  request.selection.criterion = options.criterion == "aic" ? mse::Criterion::kAic : mse::Criterion::kBic;
  request.selection.pthresh = options.pthresh;
  request.selection.bootstrap = options.bootstrap;
  request.selection.bootstrap_method =
      options.bootstrap_method == "parametric" ? mse::BootstrapMethod::kParametric : mse::BootstrapMethod::kNonparametric;
  request.selection.seed = options.seed;
  request.selection.sensitivity = options.no_sensitivity ? mse::Sensitivity::kSkip : mse::Sensitivity::kInclude;
  request.joint = options.joint ? app::Joint::kOneModel : app::Joint::kSeparate;
  request.stratum_lists = options.stratum_lists;
  std::unique_ptr<store::Store> store;
  if (options.table.empty()) {
    ASSIGN_OR_RETURN(store, open_store(global));
  }
  ASSIGN_OR_RETURN(const auto report, app::estimate(store.get(), request));
  out << (options.json ? app::to_json(report) : options.csv ? app::to_csv(report) : app::to_text(report));
  return ok();
}

struct TableOptions {
  std::vector<std::string> specs;
  bool json = false;
  std::string jj;
  std::string out_dir;
  std::string published;
  std::string date;
  std::string review;
  bool exact_intervals = false;
};

// A table definition given as a path, or as a name in the tables folder.
std::filesystem::path spec_path(const GlobalOptions& global, const std::string& spec) {
  if (std::filesystem::exists(spec)) return spec;
  return std::filesystem::path(global.tables) / (spec + ".toml");
}

Result<std::vector<tables::BuiltTable>> build_tables(const GlobalOptions& global, store::Store& store,
                                                     const std::vector<std::string>& specs) {
  std::vector<tables::BuiltTable> built;
  for (const auto& s : specs) {
    ASSIGN_OR_RETURN(const auto spec, tables::read_spec(spec_path(global, s)));
    ASSIGN_OR_RETURN(auto table, tables::build(store, spec));
    built.push_back(std::move(table));
  }
  return built;
}

// The unprotected table: restricted side only.
enum class FileAccess { kDefault, kOwnerOnly };

// Writes `text` to a temporary name and renames it, so a reader never sees half a file; with
// kOwnerOnly the file is mode 0600 before anything is written to it.
Result<void> write_whole(const std::filesystem::path& path, const std::string& text, FileAccess access = FileAccess::kDefault) {
  const auto temporary = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    std::error_code ec;
    if (access == FileAccess::kOwnerOnly) {
      std::filesystem::permissions(temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
    }
    if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot restrict access: {}", temporary.string(), ec.message()));
    file << text;
    if (!file.flush()) return fail(ErrorCode::kIo, fmt::format("{}: cannot write", temporary.string()));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot rename: {}", path.string(), ec.message()));
  return ok();
}

Result<void> run_table_show(const GlobalOptions& global, const TableOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto built, build_tables(global, *store, options.specs));
  for (const auto& t : built) {
    const std::vector<sdc::Status> status(t.table.values.size(), sdc::Status::kSafe);
    out << (options.json ? tables::to_json(t, status, {}, options.date) + "\n" : tables::to_csv(t, status, {}));
  }
  return ok();
}

void print_protection(const tables::ProtectionReport& report, std::ostream& out) {
  std::int64_t cells = 0;
  for (const auto& t : report.tables) cells += static_cast<std::int64_t>(t.built.table.values.size());
  out << fmt::format("{} table(s), {} cells: {} primary and {} secondary suppressions ({} units suppressed secondarily; "
                     "{} released again), {} repair rounds, {} linear programmes\n",
                     report.tables.size(), cells, report.protection.primary_cells, report.protection.secondary_cells,
                     report.protection.secondary_units, report.protection.released, report.protection.repair_rounds,
                     report.protection.linear_programmes);
  out << fmt::format("audit: {} suppressed cells, {} violations, {} exactly recoverable secondaries (warning), "
                     "{} batched and {} exact linear programmes\n",
                     report.audit.cells.size(), report.audit.violations, report.audit.exact_secondaries,
                     report.audit.batched_lps, report.audit.exact_lps);
}

Result<void> run_table_protect(const GlobalOptions& global, const TableOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(auto built, build_tables(global, *store, options.specs));
  sdc::Problem problem;
  for (const auto& t : built) {
    if (!options.jj.empty() && (t.spec.mandate != built.front().spec.mandate || t.spec.role != built.front().spec.role)) {
      return fail(ErrorCode::kInvalidArgument, "--jj writes one linked set: give tables of one mandate and role");
    }
    problem.tables.push_back(t.table);
    problem.rule = t.spec.rule;
  }
  sdc::AuditOptions audit_options;
  audit_options.exact_intervals = options.exact_intervals;
  ASSIGN_OR_RETURN(const auto report, tables::protect(std::move(built), audit_options));
  print_protection(report, out);
  if (!options.review.empty()) {
    // True values of small cells: readable by the owner only, like the key file.
    RETURN_IF_ERROR(write_whole(options.review, tables::to_review_csv(report), FileAccess::kOwnerOnly));
    out << "review written to " << options.review << '\n';
  }
  if (!options.jj.empty()) {
    std::vector<std::vector<sdc::Status>> status;
    for (const auto& t : report.tables) status.push_back(t.status);
    std::ofstream jj(options.jj);
    jj << sdc::to_jj(problem, status);
    if (!jj) return fail(ErrorCode::kIo, fmt::format("{}: cannot write", options.jj));
    out << "JJ file written to " << options.jj << '\n';
  }
  return ok();
}

// Audits a published JSON file's pattern against the true values in the store.
Result<void> run_table_audit(const GlobalOptions& global, const TableOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto built, build_tables(global, *store, options.specs));
  if (built.size() != 1) return fail(ErrorCode::kInvalidArgument, "audit one table at a time");
  std::ifstream in(options.published);
  if (!in) return fail(ErrorCode::kIo, fmt::format("{}: cannot open file", options.published));
  nlohmann::json published;
  try {
    published = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: not JSON: {}", options.published, e.what()));
  }
  const auto& table = built.front().table;
  std::vector<sdc::Status> status(table.values.size(), sdc::Status::kSafe);
  std::map<std::vector<std::string>, std::size_t> index;
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    const auto at = table.positions(i);
    std::vector<std::string> key;
    for (std::size_t d = 0; d < at.size(); ++d) key.push_back(table.dimensions[d].codes[static_cast<std::size_t>(at[d])]);
    index[key] = i;
  }
  for (const auto& cell : published["cells"]) {
    const auto key = cell["key"].get<std::vector<std::string>>();
    const auto it = index.find(key);
    if (it == index.end()) return fail(ErrorCode::kInvalidArgument, fmt::format("{}: a cell the table does not have", options.published));
    const auto code = cell["status"].get<std::string>();
    status[it->second] = code == "primary" ? sdc::Status::kPrimary : code == "secondary" ? sdc::Status::kSecondary : sdc::Status::kSafe;
    if (!cell["value"].is_null() && cell["value"].get<std::int64_t>() != table.values[it->second]) {
      return fail(ErrorCode::kConflict, fmt::format("{}: a published value differs from the store's", options.published));
    }
  }
  const auto& rule = built.front().spec.rule;
  ASSIGN_OR_RETURN(const auto audited, sdc::audit({{table}, rule, {}}, {status}, sdc::attacker_for(rule)));
  if (options.json) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& c : audited.cells) {
      cells.push_back({{"cell", c.cell}, {"status", std::string(sdc::to_code(c.status))}, {"low", c.low},
                       {"high", std::isfinite(c.high) ? nlohmann::json(c.high) : nlohmann::json(nullptr)}, {"problem", c.problem}});
    }
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : audited.group_disclosures) {
      groups.push_back({{"parent", g.parent}, {"cells", g.cells}, {"sum", g.sum}, {"description", g.description}});
    }
    out << nlohmann::json{{"passed", audited.passed()}, {"violations", audited.violations},
                          {"group_disclosures", groups}, {"cells", cells}}.dump(1) << '\n';
  } else {
    out << fmt::format("audit of {}: {} suppressed cells, {} violations{}\n", options.published, audited.cells.size(),
                       audited.violations, audited.passed() ? " (passed)" : "");
    for (const auto& c : audited.cells) {
      if (!c.problem.empty()) out << fmt::format("  cell {} ({}): {}\n", c.cell, c.value, c.problem);
    }
    for (const auto& g : audited.group_disclosures) out << "  " << g.description << '\n';
  }
  if (!audited.passed()) return fail(ErrorCode::kConflict, "the published pattern does not pass the audit");
  return ok();
}

// Protects, audits and releases the tables together (app::publish); nothing is released when
// the audit fails.
Result<void> run_publish(const GlobalOptions& global, const TableOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  app::PublishRequest request;
  for (const auto& s : options.specs) request.specs.push_back(spec_path(global, s));
  request.folder =
      options.out_dir.empty() ? std::filesystem::path(global.db).replace_filename("published") : std::filesystem::path(options.out_dir);
  request.date = options.date;
  ASSIGN_OR_RETURN(const auto published, app::publish(*store, request));
  print_protection(published.report, out);
  for (const auto& t : published.report.tables) {
    std::int64_t secondary = 0;
    for (const auto s : t.status) secondary += s == sdc::Status::kSecondary ? 1 : 0;
    out << fmt::format("published {} ({} cells, {} secondary suppressions): {}.csv, .json, .xlsx\n", t.built.spec.name,
                       t.status.size(), secondary, (request.folder / t.built.spec.name).string());
  }
  out << fmt::format("release {} is served ({} tables)\n", published.release.id, published.release.tables.size());
  return ok();
}

void configure_logging(std::ostream& err, const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err, /*force_flush=*/true);
  auto logger = std::make_shared<spdlog::logger>("rapporteur", std::move(sink));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace


int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return run_with(args, out, err, Logging::kConfigure);
}

namespace {
int run_with(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, Logging logging) {
  CLI::App app{"Rapporteur: monitor, estimate, protect and inform on human trafficking and "
               "sexual violence against children.",
               "rapporteur"};
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("--db", global.db, "SQLite database of the instance")->capture_default_str();
  app.add_option("--key", global.key, "Pseudonymisation key file (default: pseudonym.key beside the database)");
  app.add_option("--profiles", global.profiles, "Folder of source profiles")->capture_default_str();
  app.add_option("--tables", global.tables, "Folder of table definitions")->capture_default_str();
  app.add_option("--kb", global.kb, "Knowledge base folder: search index and files (default: kennisbank/ beside the database)");
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  app.add_subcommand("init", "Create the database, or migrate it to this binary's schema");

  DemoOptions demo_options;
  CLI::App* demo = app.add_subcommand("demo", "Fill the instance with the synthetic demo world");
  demo->add_option("--seed", demo_options.seed, "Random seed; the same seed gives the same world")
      ->capture_default_str();
  demo->add_option("--first-year", demo_options.first_year)->capture_default_str()->check(CLI::Range(2015, 2030));
  demo->add_option("--last-year", demo_options.last_year)->capture_default_str()->check(CLI::Range(2015, 2030));
  demo->add_option("--truth", demo_options.truth,
                   "Where to write the true population sizes (default: demo-truth.json beside the database)");

  ServeOptions serve_options;
  CLI::App* serve = app.add_subcommand("serve", "Serve the public site and the API");
  serve->add_option("--host", serve_options.host)->capture_default_str();
  serve->add_flag("--secure-cookies", serve_options.secure_cookies, "Mark cookies Secure (when served behind TLS)");
  serve->add_option("--port", serve_options.port, "TCP port; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));

  app.add_subcommand("version", "Print the version and the schema version");

  EstimateOptions estimate_options;
  CLI::App* estimate = app.add_subcommand("estimate", "Multiple systems estimation of the number no source saw");
  auto* table_option = estimate->add_option("--table", estimate_options.table, "A capture-history CSV (0/1 columns and count)")
                           ->check(CLI::ExistingFile);
  auto* year_option = estimate->add_option("--year", estimate_options.year, "Estimate from the linked registrations of this year")
                          ->check(CLI::Range(1990, 2100));
  table_option->excludes(year_option);
  estimate->add_option("--mandate", estimate_options.mandate)
      ->check(CLI::IsMember({"human_trafficking", "sexual_violence_against_children"}))->capture_default_str();
  estimate->add_option("--role", estimate_options.role)->check(CLI::IsMember({"victim", "suspect"}))->capture_default_str();
  estimate->add_option("--by", estimate_options.by,
                       "Strata: any of form,sex,age,region (with --year), or a covariate column (with --table)");
  estimate->add_flag("--joint", estimate_options.joint,
                     "One model over all strata (with --by and --model): stratum effects, shared pairs");
  estimate->add_option("--stratum-lists", estimate_options.stratum_lists,
                       "With --joint: lists whose chance differs by stratum ('all', 'none' or 'A,B')")
      ->capture_default_str();
  estimate->add_option("--model", estimate_options.model, "Fit one model: 'independence' or pairs such as 'A:B,C:D'");
  estimate->add_option("--search", estimate_options.search,
                       "auto (exhaustive up to 6 lists), exhaustive, stepwise, or sparse (Chan, Silverman and Vincent)")
      ->check(CLI::IsMember({"auto", "exhaustive", "stepwise", "sparse"}))->capture_default_str();
  estimate->add_option("--pthresh", estimate_options.pthresh, "p-value threshold of the sparse stepwise search")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  estimate->add_option("--criterion", estimate_options.criterion)->check(CLI::IsMember({"aic", "bic"}))->capture_default_str();
  auto* json_flag = estimate->add_flag("--json", estimate_options.json, "Machine-readable JSON");
  estimate->add_flag("--csv", estimate_options.csv, "One CSV line per stratum")->excludes(json_flag);
  estimate->add_option("--bootstrap", estimate_options.bootstrap,
                       "Bootstrap replicates (BCa and percentile intervals, model choice redone in each)")
      ->check(CLI::Range(10, 100000));
  estimate->add_option("--bootstrap-method", estimate_options.bootstrap_method,
                       "nonparametric (resample the people seen) or parametric (Poisson draws from the chosen model)")
      ->check(CLI::IsMember({"nonparametric", "parametric"}))->capture_default_str();
  estimate->add_option("--seed", estimate_options.seed, "Seed of the bootstrap")->capture_default_str();
  estimate->add_flag("--no-sensitivity", estimate_options.no_sensitivity,
                     "Skip the table of estimates under the other procedures (faster)");

  CLI::App* key = app.add_subcommand("key", "Manage the pseudonymisation key");
  key->require_subcommand(1);
  CLI::App* key_init = key->add_subcommand("init", "Create a new key file (mode 0600); never overwrites");

  CLI::App* source = app.add_subcommand("source", "Source profiles");
  source->require_subcommand(1);
  std::string profile_to_check;
  CLI::App* source_check = source->add_subcommand("check", "Validate a source profile");
  source_check->add_option("PROFILE", profile_to_check, "Profile file, or a name in the profiles folder")->required();

  CLI::App* intake_cmd = app.add_subcommand("intake", "Load sources' extracts");
  intake_cmd->require_subcommand(1);
  IntakeLoadOptions load_options;
  CLI::App* intake_load = intake_cmd->add_subcommand("load", "Load one extract (CSV or XLSX) as a batch");
  intake_load->add_option("FILE", load_options.file, "The extract")->required()->check(CLI::ExistingFile);
  intake_load->add_option("--profile", load_options.profile, "Profile file, or a name in the profiles folder")->required();
  intake_load->add_option("--year", load_options.year, "Registration year of the extract")->required()->check(CLI::Range(1990, 2100));
  intake_load->add_flag("--replace", load_options.replace, "Replace the active batch of this source, profile and year");
  intake_load->add_flag("--no-bloom", load_options.no_bloom, "Skip the Bloom-filter encodings for fuzzy linkage");
  std::int64_t errors_batch = 0;
  CLI::App* intake_errors = intake_cmd->add_subcommand("errors", "List the rejected rows of a batch (CSV)");
  intake_errors->add_option("BATCH", errors_batch, "Batch number")->required();
  CLI::App* intake_batches = intake_cmd->add_subcommand("batches", "List the batches and their provenance (CSV)");

  CLI::App* linkage_cmd = app.add_subcommand("linkage", "Link registrations into persons");
  linkage_cmd->require_subcommand(1);
  HistoriesOptions histories_options;
  CLI::App* histories = linkage_cmd->add_subcommand("histories", "Capture histories of a year (CSV)");
  histories->add_option("--year", histories_options.year)->required()->check(CLI::Range(1990, 2100));
  histories->add_option("--mandate", histories_options.mandate)
      ->check(CLI::IsMember({"human_trafficking", "sexual_violence_against_children"}))
      ->capture_default_str();
  histories->add_option("--role", histories_options.role)->check(CLI::IsMember({"victim", "suspect"}))->capture_default_str();

  TableOptions table_options;
  CLI::App* table_cmd = app.add_subcommand("table", "Monitor tables and their disclosure control");
  table_cmd->require_subcommand(1);
  CLI::App* table_show = table_cmd->add_subcommand("show", "The unprotected table (restricted side only), CSV or --json");
  table_show->add_option("SPEC", table_options.specs, "Table definition (path or name in tables/)")->required();
  table_show->add_flag("--json", table_options.json, "JSON instead of CSV");
  CLI::App* table_protect = table_cmd->add_subcommand("protect", "Protect tables together and audit the pattern");
  table_protect->add_option("SPEC", table_options.specs, "Table definitions (linked when several)")->required();
  table_protect->add_option("--jj", table_options.jj, "Also write the tables and relations in tau-ARGUS's JJ format");
  table_protect->add_option("--review", table_options.review,
                            "Also write a CSV with every cell's true value, status, reason and audited interval "
                            "(staff only: mode 0600)");
  table_protect->add_flag("--exact-intervals", table_options.exact_intervals,
                          "Audit every suppressed cell exactly (two linear programmes per cell), so that the review "
                          "shows exact intervals rather than certified ones");
  CLI::App* table_audit = table_cmd->add_subcommand("audit", "Audit a published table's pattern against the store");
  table_audit->add_option("SPEC", table_options.specs, "Table definition")->required();
  table_audit->add_option("--published", table_options.published, "The published JSON file")->required();
  table_audit->add_flag("--json", table_options.json, "JSON output");
  CLI::App* publish = app.add_subcommand("publish", "Protect, audit and write tables as CSV, XLSX and JSON");
  publish->add_option("SPEC", table_options.specs, "Table definitions (linked when several)")->required();
  publish->add_option("--out", table_options.out_dir, "Folder (default: published/ beside the database)");
  publish->add_option("--date", table_options.date, "Publication date (default: today)");

  UserOptions user_options;
  CLI::App* user_cmd = app.add_subcommand("user", "Staff accounts");
  user_cmd->require_subcommand(1);
  CLI::App* user_add = user_cmd->add_subcommand("add", "Add a user; prints a one-time password unless --password-stdin");
  user_add->add_option("NAME", user_options.name)->required();
  user_add->add_option("--role", user_options.role, "admin, researcher or editor")
      ->check(CLI::IsMember({"admin", "researcher", "editor"}))->capture_default_str();
  user_add->add_flag("--password-stdin", user_options.password_stdin, "Read the password from the first line of stdin");

  KbOptions kb_options;
  CLI::App* kb_cmd = app.add_subcommand("kb", "Knowledge base: publications, recommendations and search");
  kb_cmd->require_subcommand(1);
  CLI::App* kb_add = kb_cmd->add_subcommand("add", "Add or update a publication from a file, or every file of a folder");
  kb_add->add_option("FILE", kb_options.path, "PDF, HTML, Markdown or text file (side-car FILE.toml), or a folder")
      ->required()->check(CLI::ExistingPath);
  kb_add->add_option("--type", kb_options.type, "monitor, study, letter, news, brochure or annual_report");
  kb_add->add_option("--slug", kb_options.slug, "Identifier in URLs (default: from the file name)");
  kb_add->add_option("--title", kb_options.title, "Title (default: from the file)");
  kb_add->add_option("--date", kb_options.date, "Publication date YYYY-MM-DD (default: today)");
  kb_add->add_option("--language", kb_options.language, "nl or en (default: nl)");
  kb_add->add_option("--themes", kb_options.themes, "human_trafficking,sexual_violence_against_children");
  kb_add->add_option("--forms", kb_options.forms, "Exploitation forms: sexual,labour,criminal,other");
  kb_add->add_option("--summary", kb_options.summary, "Summary shown in results");
  CLI::App* kb_search = kb_cmd->add_subcommand("search", "Search publications and recommendations");
  kb_search->add_option("QUERY", kb_options.query, "Words, \"phrases\", AND/OR/NOT, +must -mustnot")->required();
  kb_search->add_option("--type", kb_options.type, "Publication type, or 'recommendation'");
  kb_search->add_option("--year", kb_options.year)->check(CLI::Range(1990, 2100));
  kb_search->add_option("--theme", kb_options.theme, "human_trafficking or sexual_violence_against_children");
  kb_search->add_option("--form", kb_options.form, "sexual, labour, criminal or other");
  kb_search->add_option("--status", kb_options.status, "Recommendations: adopted, partly_adopted, rejected, pending");
  kb_search->add_option("--language", kb_options.language, "nl or en");
  kb_search->add_option("--sort", kb_options.sort)->check(CLI::IsMember({"relevance", "date"}))->capture_default_str();
  kb_search->add_option("--limit", kb_options.limit)->check(CLI::Range(1, 100))->capture_default_str();
  kb_search->add_option("--offset", kb_options.offset)->check(CLI::Range(0, 1000000))->capture_default_str();
  kb_search->add_flag("--json", kb_options.json, "Hits and facet counts as JSON");
  CLI::App* kb_follow = kb_cmd->add_subcommand("follow-up", "Record the follow-up of a recommendation");
  kb_follow->add_option("SLUG", kb_options.slug, "The publication")->required();
  kb_follow->add_option("NUMBER", kb_options.number, "The recommendation's number")->required();
  kb_follow->add_option("--date", kb_options.date, "YYYY-MM-DD")->required();
  kb_follow->add_option("--status", kb_options.status, "New status: adopted, partly_adopted, rejected or pending");
  kb_follow->add_option("--note", kb_options.note, "What happened")->required();
  CLI::App* kb_rebuild = kb_cmd->add_subcommand("rebuild", "Rebuild the search index from the store");
  CLI::App* kb_recs = kb_cmd->add_subcommand("recommendations", "Share adopted per year and per addressee");
  kb_recs->add_flag("--json", kb_options.json);

  AccountOptions account_options;
  CLI::App* account_cmd = app.add_subcommand("account", "The yearly account: activities, media, finances");
  account_cmd->require_subcommand(1);
  CLI::App* account_import = account_cmd->add_subcommand("import", "Import a year file (YAML): activities, media, finances");
  account_import->add_option("FILE", account_options.file, "The year file")->required()->check(CLI::ExistingFile);
  CLI::App* account_activity = account_cmd->add_subcommand("add-activity", "Record an activity (advice, meeting, ...)");
  account_activity->add_option("--date", account_options.date, "YYYY-MM-DD")->required();
  account_activity->add_option("--kind", account_options.kind,
                               "advisory_board, steering_committee, expert_meeting, briefing, consultation, "
                               "presentation, cooperation or other")->required();
  account_activity->add_option("--organisation", account_options.organisation)->required();
  account_activity->add_option("--title", account_options.title)->required();
  account_activity->add_option("--notes", account_options.notes);
  CLI::App* account_media = account_cmd->add_subcommand("add-media", "Record a media appearance");
  account_media->add_option("--date", account_options.date, "YYYY-MM-DD")->required();
  account_media->add_option("--outlet", account_options.outlet)->required();
  account_media->add_option("--kind", account_options.kind,
                            "radio, tv, national_paper, regional_paper, international_paper or online")->required();
  account_media->add_option("--topic", account_options.topic)->required();
  account_media->add_option("--link", account_options.link);
  CLI::App* account_remove_activity =
      account_cmd->add_subcommand("remove-activity", "Remove a recorded activity, named by date, kind, organisation and title");
  account_remove_activity->add_option("--date", account_options.date, "YYYY-MM-DD")->required();
  account_remove_activity->add_option("--kind", account_options.kind)->required();
  account_remove_activity->add_option("--organisation", account_options.organisation)->required();
  account_remove_activity->add_option("--title", account_options.title)->required();
  CLI::App* account_remove_media =
      account_cmd->add_subcommand("remove-media", "Remove a recorded media appearance, named by date, outlet and topic");
  account_remove_media->add_option("--date", account_options.date, "YYYY-MM-DD")->required();
  account_remove_media->add_option("--outlet", account_options.outlet)->required();
  account_remove_media->add_option("--topic", account_options.topic)->required();
  CLI::App* account_check = account_cmd->add_subcommand("check", "Check that a year's finances add up");
  account_check->add_option("--year", account_options.year)->required()->check(CLI::Range(1990, 2100));
  CLI::App* report_cmd = app.add_subcommand("report", "Reports made from the instance's records");
  report_cmd->require_subcommand(1);
  CLI::App* report_annual = report_cmd->add_subcommand("annual", "The annual report (HTML; --pdf prints it with Chromium)");
  report_annual->add_option("--year", account_options.year)->required()->check(CLI::Range(1990, 2100));
  report_annual->add_option("--out", account_options.out, "Folder (default: reports/ beside the database)");
  report_annual->add_flag("--pdf", account_options.pdf, "Also print the PDF with headless Chromium");
  report_annual->add_flag("--publish", account_options.publish, "Print the PDF and add it to the knowledge base");

  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    const auto subcommands = app.get_subcommands();
    out << (subcommands.empty() ? app.help() : subcommands.front()->help());
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "rapporteur: " << e.what() << " (see rapporteur --help)\n";
    return kExitUsage;
  }
  // A job run by the server keeps the server's logger: the default logger is process-wide.
  if (logging == Logging::kConfigure) configure_logging(err, global.log_level);

  Result<void> result = ok();
  if (app.got_subcommand("init")) {
    result = run_init(global, out);
  } else if (app.got_subcommand("demo")) {
    if (demo_options.first_year > demo_options.last_year) {
      err << "rapporteur: --first-year must not be after --last-year (see rapporteur demo --help)\n";
      return kExitUsage;
    }
    result = run_demo(global, demo_options, out, err);
  } else if (app.got_subcommand("serve")) {
    result = run_serve(global, serve_options, out);
  } else if (key_init->parsed()) {
    result = run_key_init(global, out);
  } else if (source_check->parsed()) {
    result = run_source_check(global, profile_to_check, out);
  } else if (intake_load->parsed()) {
    result = run_intake_load(global, load_options, out, err);
  } else if (intake_errors->parsed()) {
    result = run_intake_errors(global, errors_batch, out);
  } else if (intake_batches->parsed()) {
    result = run_intake_batches(global, out);
  } else if (estimate->parsed()) {
    if (estimate_options.table.empty() && estimate_options.year == 0) {
      err << "rapporteur: estimate needs --table FILE or --year Y (see rapporteur estimate --help)\n";
      return kExitUsage;
    }
    result = run_estimate(global, estimate_options, out);
  } else if (histories->parsed()) {
    result = run_linkage_histories(global, histories_options, out);
  } else if (table_show->parsed()) {
    result = run_table_show(global, table_options, out);
  } else if (table_protect->parsed()) {
    result = run_table_protect(global, table_options, out);
  } else if (table_audit->parsed()) {
    result = run_table_audit(global, table_options, out);
  } else if (publish->parsed()) {
    result = run_publish(global, table_options, out);
  } else if (user_add->parsed()) {
    result = run_user_add(global, user_options, std::cin, out);
  } else if (kb_add->parsed()) {
    result = run_kb_add(global, kb_options, out, err);
  } else if (kb_search->parsed()) {
    result = run_kb_search(global, kb_options, out);
  } else if (kb_follow->parsed()) {
    result = run_kb_follow_up(global, kb_options, out);
  } else if (kb_rebuild->parsed()) {
    result = run_kb_rebuild(global, out);
  } else if (kb_recs->parsed()) {
    result = run_kb_recommendations(global, kb_options, out);
  } else if (account_import->parsed()) {
    result = run_account_import(global, account_options, out);
  } else if (account_activity->parsed()) {
    result = run_account_add_activity(global, account_options, out);
  } else if (account_media->parsed()) {
    result = run_account_add_media(global, account_options, out);
  } else if (account_remove_activity->parsed()) {
    result = run_account_remove_activity(global, account_options, out);
  } else if (account_remove_media->parsed()) {
    result = run_account_remove_media(global, account_options, out);
  } else if (account_check->parsed()) {
    result = run_account_check(global, account_options, out);
  } else if (report_annual->parsed()) {
    result = run_report_annual(global, account_options, out);
  } else if (app.got_subcommand("version")) {
    out << fmt::format("rapporteur {} (schema version {})\n", RAPPORTEUR_VERSION,
                       store::latest_schema_version());
  }
  if (!result) {
    err << "rapporteur: " << result.error().message << '\n';
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

}  // namespace rapporteur::cli
