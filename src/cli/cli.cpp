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

// Links the registrations of one year, mandate and role; only sources that registered someone
// in this selection get a column.
Result<linkage::Histories> link_year(store::Store& store, int year, const std::string& mandate_code,
                                     const std::string& role_code) {
  ASSIGN_OR_RETURN(const Mandate mandate, parse_mandate(mandate_code));
  ASSIGN_OR_RETURN(const Role role, parse_role(role_code));
  ASSIGN_OR_RETURN(const auto registrations, store.registrations({.year = year, .mandate = mandate, .role = role}));
  std::vector<std::string> sources;
  ASSIGN_OR_RETURN(const auto all_sources, store.sources());
  for (const Source& s : all_sources) {
    if (std::any_of(registrations.begin(), registrations.end(),
                    [&](const Registration& r) { return r.source_code == s.code; })) {
      sources.push_back(s.code);
    }
  }
  ASSIGN_OR_RETURN(auto histories, linkage::capture_histories(registrations, sources));
  spdlog::info("{} registrations linked into {} persons", registrations.size(), histories.persons);
  return histories;
}

Result<void> run_linkage_histories(const GlobalOptions& global, const HistoriesOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto histories, link_year(*store, options.year, options.mandate, options.role));
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

// The chosen estimate and what it rests on, for one table.
struct Estimate {
  std::string stratum;
  std::optional<mse::ProfileInterval> profile;
  std::optional<mse::BootstrapResult> bootstrap;
  std::string bootstrap_method;
  mse::CaptureTable table;
  mse::SearchResult search;
  std::vector<std::pair<std::string, std::optional<mse::FitResult>>> sensitivity;
  std::vector<std::string> warnings;
};

Result<Estimate> estimate_table(mse::CaptureTable table, const EstimateOptions& options, std::string stratum) {
  Estimate e;
  e.stratum = std::move(stratum);
  // A list that saw nobody (in this stratum) is left out, with a warning; a fixed model that
  // names it then fails with a clear message.
  std::vector<std::string> empty;
  table = mse::without_empty_lists(table, &empty);
  for (const auto& list : empty) {
    e.warnings.push_back(fmt::format("list {} saw nobody{} and is left out", list, e.stratum.empty() ? "" : " in " + e.stratum));
  }
  if (table.list_count() < 2) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("only {} list(s) saw anyone{}: estimation needs two or more", table.list_count(),
                            e.stratum.empty() ? "" : " in " + e.stratum));
  }
  const mse::Criterion criterion = options.criterion == "aic" ? mse::Criterion::kAic : mse::Criterion::kBic;
  if (!options.model.empty()) {
    ASSIGN_OR_RETURN(const mse::Model model, mse::parse_model(options.model, table.lists));
    ASSIGN_OR_RETURN(mse::FitResult f, mse::fit(table, model));
    if (f.status != mse::FitStatus::kOk) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("model {} is not estimable: {}", options.model, f.message));
    }
    e.search.criterion = criterion;
    e.search.procedure = "fixed model";
    e.search.models.push_back(std::move(f));
    e.search.path.push_back("fixed model " + options.model);
  } else {
    const bool exhaustive = options.search == "exhaustive" || (options.search == "auto" && table.list_count() <= 6);
    if (options.search == "sparse") {
      ASSIGN_OR_RETURN(e.search, mse::sparse_stepwise_search(table, options.pthresh));
    } else if (exhaustive) {
      ASSIGN_OR_RETURN(e.search, mse::exhaustive_search(table, criterion));
    } else {
      ASSIGN_OR_RETURN(e.search, mse::stepwise_search(table, criterion));
    }
  }
  if (!e.search.models.front().infinite_interactions.empty()) {
    e.warnings.push_back("the chosen model has lists that never overlap: their interaction is at minus infinity (extended MLE)");
  }
  e.table = table;
  if (auto profile = mse::profile_interval(e.table, e.search.models.front())) {
    e.profile = *profile;
    if (!profile->high_found) {
      e.warnings.push_back("the upper profile-likelihood bound lies beyond three times the estimate");
    }
  } else {
    e.warnings.push_back("no profile-likelihood interval: " + profile.error().message);
  }
  if (options.bootstrap > 0) {
    // Every replicate redoes the selection that chose the model.
    const std::string procedure = e.search.procedure;
    const mse::Model fixed = e.search.models.front().model;
    const mse::Selection select = [&](const mse::CaptureTable& t) -> Result<mse::FitResult> {
      if (procedure == "fixed model") return mse::fit(t, fixed);
      if (options.search == "sparse") {
        auto sparse = mse::sparse_stepwise_search(t, options.pthresh);
        if (!sparse) return tl::unexpected(sparse.error());
        return sparse->models.front();
      }
      auto searched = procedure == "exhaustive" ? mse::exhaustive_search(t, criterion, 1) : mse::stepwise_search(t, criterion);
      if (!searched) return tl::unexpected(searched.error());
      return searched->models.front();
    };
    const auto method = options.bootstrap_method == "parametric" ? mse::BootstrapMethod::kParametric
                                                                 : mse::BootstrapMethod::kNonparametric;
    auto bootstrapped = mse::bootstrap(e.table, select, e.search.models.front(),
                                       {.method = method, .replicates = options.bootstrap, .seed = options.seed,
                                        .threads = static_cast<int>(std::max(2U, std::thread::hardware_concurrency()))});
    if (bootstrapped) {
      e.bootstrap = std::move(*bootstrapped);
      e.bootstrap_method = options.bootstrap_method;
      if (e.bootstrap->failed > 0) {
        e.warnings.push_back(fmt::format("{} of {} bootstrap replicates had no estimable model and were left out",
                                         e.bootstrap->failed, options.bootstrap));
      }
    } else {
      e.warnings.push_back("bootstrap failed: " + bootstrapped.error().message);
    }
  }
  if (options.no_sensitivity) return e;
  // The choice of procedure often moves the estimate more than sampling error does.
  const auto independence = mse::fit(table, {});
  e.sensitivity.emplace_back("independence", independence && independence->status == mse::FitStatus::kOk
                                                 ? std::optional<mse::FitResult>(*independence) : std::nullopt);
  // One exhaustive search serves both criteria: only the ranking differs.
  std::optional<mse::SearchResult> exhaustive;
  if (table.list_count() <= 6) {
    if (e.search.procedure == "exhaustive") {
      exhaustive = e.search;
    } else if (auto searched = mse::exhaustive_search(table, criterion)) {
      exhaustive = std::move(*searched);
    }
  }
  for (const auto c : {mse::Criterion::kAic, mse::Criterion::kBic}) {
    const std::string name = c == mse::Criterion::kAic ? "AIC" : "BIC";
    const auto stepwise = mse::stepwise_search(table, c);
    e.sensitivity.emplace_back("stepwise " + name, stepwise ? std::optional<mse::FitResult>(stepwise->models.front()) : std::nullopt);
    if (c == mse::Criterion::kAic) {
      const auto sparse = mse::sparse_stepwise_search(table, options.pthresh);
      e.sensitivity.emplace_back("sparse stepwise", sparse ? std::optional<mse::FitResult>(sparse->models.front()) : std::nullopt);
    }
    if (exhaustive) {
      e.sensitivity.emplace_back("exhaustive " + name, mse::reranked(*exhaustive, c).models.front());
    }
  }
  return e;
}

nlohmann::json fit_json(const mse::FitResult& f, const std::vector<std::string>& lists) {
  return {{"terms", mse::describe(f.model, lists)},
          {"estimable", f.status == mse::FitStatus::kOk},
          {"message", f.message},
          {"estimate_total", f.status == mse::FitStatus::kOk ? nlohmann::json(f.total) : nlohmann::json(nullptr)},
          {"estimate_unobserved", f.status == mse::FitStatus::kOk ? nlohmann::json(f.unobserved) : nlohmann::json(nullptr)},
          {"ci_low", f.status == mse::FitStatus::kOk ? nlohmann::json(f.ci_low) : nlohmann::json(nullptr)},
          {"ci_high", f.status == mse::FitStatus::kOk ? nlohmann::json(f.ci_high) : nlohmann::json(nullptr)},
          {"ci_method", "log-normal"},
          {"deviance", f.status == mse::FitStatus::kOk ? nlohmann::json(f.deviance) : nlohmann::json(nullptr)},
          {"aic", f.status == mse::FitStatus::kOk ? nlohmann::json(f.aic) : nlohmann::json(nullptr)},
          {"bic", f.status == mse::FitStatus::kOk ? nlohmann::json(f.bic) : nlohmann::json(nullptr)},
          {"parameters", f.parameters}};
}

void print_estimate(const Estimate& e, std::optional<std::int64_t> population, std::ostream& out) {
  const mse::FitResult& best = e.search.models.front();
  const auto& lists = e.table.lists;
  const std::string criterion = e.search.criterion == mse::Criterion::kAic ? "AIC" : "BIC";
  const bool sparse = e.search.procedure.starts_with("sparse");
  out << fmt::format("{} ({}{}; BIC sample size = {} observed people)\n",
                     e.stratum.empty() ? "Estimate" : "Stratum " + e.stratum, e.search.procedure,
                     sparse ? "" : " by " + criterion, e.table.observed());
  out << fmt::format("  lists: {}\n  model: {}\n", fmt::join(lists, ", "), mse::describe(best.model, lists));
  out << fmt::format("  observed {}  unobserved {:.0f}  total {:.0f}\n", e.table.observed(), best.unobserved, best.total);
  if (e.profile) {
    out << fmt::format("  95% CI {:.0f} to {}{:.0f} (multinomial profile likelihood, as Rcapture closedpCI.t; maximum at {:.1f})\n",
                       e.profile->low, e.profile->high_found ? "" : ">", e.profile->high, e.profile->estimate);
  }
  out << fmt::format("  95% CI {:.0f} to {:.0f} (log-normal on the unobserved count)\n", best.ci_low, best.ci_high);
  if (e.bootstrap) {
    out << fmt::format("  95% CI {:.0f} to {:.0f} ({} bootstrap BCa, {} replicates with re-selection; percentile {:.0f} to {:.0f})\n",
                       e.bootstrap->bca_low, e.bootstrap->bca_high, e.bootstrap_method, e.bootstrap->totals.size(),
                       e.bootstrap->percentile_low, e.bootstrap->percentile_high);
  }
  if (population && *population > 0) {
    // The rate's interval is the total's first interval (profile likelihood when there is one).
    const double per = 1e5 / static_cast<double>(*population);
    out << fmt::format("  per 100,000 inhabitants: {:.1f} (95% CI {:.1f} to {:.1f}; population {})\n", best.total * per,
                       (e.profile ? e.profile->low : best.ci_low) * per,
                       (e.profile ? e.profile->high : best.ci_high) * per, *population);
  }
  out << "  runner-up models:\n";
  for (std::size_t i = 0; i < std::min<std::size_t>(6, e.search.models.size()); ++i) {
    const auto& f = e.search.models[i];
    if (f.status != mse::FitStatus::kOk) break;
    out << fmt::format("    {:>2}. {:<40} {} {:10.2f}  total {:8.0f}\n", i + 1, mse::describe(f.model, lists), criterion,
                       mse::criterion_value(f, e.search.criterion), f.total);
  }
  out << "  search path:\n";
  for (const auto& step : e.search.path) out << "    " << step << '\n';
  out << "  sensitivity (estimate under each procedure):\n";
  for (const auto& [name, f] : e.sensitivity) {
    out << (f ? fmt::format("    {:<16} {:8.0f}  ({:.0f} to {:.0f})  {}\n", name, f->total, f->ci_low, f->ci_high,
                            mse::describe(f->model, lists))
              : fmt::format("    {:<16} not estimable\n", name));
  }
  for (const auto& w : e.warnings) out << "  warning: " << w << '\n';
}

// Splits linked capture histories into one table per stratum (or one for all). Dimension
// "region" is the police unit of the person's municipality (`police_unit_of`), "unknown" when
// the sources recorded none (the Labour Inspectorate reports centrally).
Result<std::vector<std::pair<std::string, mse::CaptureTable>>> tables_from_histories(
    const linkage::Histories& histories, const std::string& by,
    const std::map<std::string, std::string>& police_unit_of) {
  std::vector<std::string> dims;
  for (std::size_t start = 0; start < by.size();) {
    const auto comma = by.find(',', start);
    dims.push_back(by.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? by.size() : comma + 1;
  }
  for (const auto& d : dims) {
    if (d != "form" && d != "sex" && d != "age" && d != "region") {
      return fail(ErrorCode::kInvalidArgument, fmt::format("--by '{}': expected form, sex, age and/or region", d));
    }
  }
  const auto value = [&](const linkage::CaptureHistory& row, const std::string& d) -> std::string {
    if (d == "form") return row.classification;
    if (d == "sex") return std::string(to_code(row.sex));
    if (d == "age") return row.age_group;
    const auto unit = police_unit_of.find(row.region);
    return unit == police_unit_of.end() ? "unknown" : unit->second;
  };
  std::map<std::string, mse::CaptureTable> tables;
  for (const auto& row : histories.rows) {
    std::string key;
    for (const auto& d : dims) key += (key.empty() ? "" : "/") + value(row, d);
    auto& table = tables[key];
    if (table.lists.empty()) {
      table.lists = histories.sources;
      table.counts.assign(std::size_t{1} << histories.sources.size(), 0);
    }
    std::size_t pattern = 0;
    for (std::size_t i = 0; i < row.seen.size(); ++i) pattern |= row.seen[i] ? std::size_t{1} << i : 0;
    table.counts[pattern] += row.count;
  }
  return std::vector<std::pair<std::string, mse::CaptureTable>>(tables.begin(), tables.end());
}

// The police unit of every municipality (and of every police unit itself).
Result<std::map<std::string, std::string>> police_units(store::Store& store) {
  ASSIGN_OR_RETURN(const auto regions, store.regions());
  std::map<std::string, std::string> unit_of;
  for (const Region& r : regions) {
    if (r.level == RegionLevel::kPoliceUnit) unit_of[r.code] = r.code;
  }
  for (const Region& r : regions) {
    if (r.level == RegionLevel::kMunicipality && r.parent_code && unit_of.count(*r.parent_code)) {
      unit_of[r.code] = *r.parent_code;
    }
  }
  return unit_of;
}

// The police unit a stratum name such as "RE01" or "sexual/RE01" is about, if any.
std::optional<std::string> region_of_stratum(const std::string& stratum, const std::string& by) {
  std::size_t position = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= by.size(); ++i) {
    if (i == by.size() || by[i] == ',') {
      if (by.substr(start, i - start) == "region") {
        std::size_t from = 0;
        for (std::size_t k = 0; k < position; ++k) from = stratum.find('/', from) + 1;
        const auto to = stratum.find('/', from);
        return stratum.substr(from, to == std::string::npos ? std::string::npos : to - from);
      }
      ++position;
      start = i + 1;
    }
  }
  return std::nullopt;
}

// One model over all strata (--joint): a main effect per stratum, the lists of
// --stratum-lists varying by stratum, and the --model pairs shared by all strata.
Result<void> run_joint_estimate(const std::vector<std::pair<std::string, mse::CaptureTable>>& tables,
                                const EstimateOptions& options, std::optional<std::int64_t> population,
                                std::ostream& out) {
  if (options.by.empty() || tables.size() < 2) {
    return fail(ErrorCode::kInvalidArgument, "--joint needs --by with at least two strata");
  }
  mse::StratifiedTable table;
  table.lists = tables.front().second.lists;
  for (const auto& [stratum, t] : tables) {
    table.strata.push_back(stratum);
    table.counts.push_back(t.counts);
  }
  mse::StratifiedModel model;
  ASSIGN_OR_RETURN(model.pairs, mse::parse_model(options.model, table.lists));
  if (options.stratum_lists == "all") {
    for (int i = 0; i < static_cast<int>(table.lists.size()); ++i) model.stratum_lists.push_back(i);
  } else if (options.stratum_lists != "none") {
    std::stringstream names(options.stratum_lists);
    for (std::string name; std::getline(names, name, ',');) {
      const auto it = std::find(table.lists.begin(), table.lists.end(), name);
      if (it == table.lists.end()) {
        return fail(ErrorCode::kInvalidArgument, fmt::format("--stratum-lists: '{}' is not a list of the table", name));
      }
      model.stratum_lists.push_back(static_cast<int>(it - table.lists.begin()));
    }
  }
  for (const int i : model.stratum_lists) {
    for (std::size_t s = 0; s < table.strata.size(); ++s) {
      std::int64_t seen = 0;
      for (std::size_t p = 1; p < table.counts[s].size(); ++p) seen += ((p >> i) & 1) ? table.counts[s][p] : 0;
      if (seen == 0) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("list {} saw nobody in stratum {}, so its chance cannot vary by stratum: leave it out of "
                                "--stratum-lists", table.lists[static_cast<std::size_t>(i)], table.strata[s]));
      }
    }
  }
  ASSIGN_OR_RETURN(const mse::StratifiedFit fitted, mse::fit_stratified(table, model));
  if (fitted.status != mse::FitStatus::kOk) {
    return fail(ErrorCode::kInvalidArgument, "the joint model is not estimable: " + fitted.message);
  }
  const std::string terms = mse::describe(model.pairs, table.lists);
  std::vector<std::string> varying;
  for (const int i : model.stratum_lists) varying.push_back(table.lists[static_cast<std::size_t>(i)]);
  if (options.json) {
    nlohmann::json strata = nlohmann::json::array();
    for (std::size_t s = 0; s < table.strata.size(); ++s) {
      std::int64_t observed = 0;
      for (std::size_t p = 1; p < table.counts[s].size(); ++p) observed += table.counts[s][p];
      strata.push_back({{"stratum", table.strata[s]}, {"observed", observed}, {"estimate_unobserved", fitted.unobserved[s]},
                        {"estimate_total", static_cast<double>(observed) + fitted.unobserved[s]}});
    }
    nlohmann::json result{{"procedure", "joint model over strata"}, {"by", options.by}, {"terms", terms},
                          {"stratum_lists", varying}, {"lists", table.lists}, {"observed", table.observed()},
                          {"estimate_total", fitted.total}, {"estimate_unobserved", fitted.total - static_cast<double>(table.observed())},
                          {"ci_low", fitted.ci_low}, {"ci_high", fitted.ci_high},
                          {"ci_method", "log-normal on the summed unobserved counts (delta method)"},
                          {"deviance", fitted.deviance}, {"aic", fitted.aic}, {"bic", fitted.bic},
                          {"parameters", fitted.parameters}, {"strata", strata}, {"warnings", nlohmann::json::array()}};
    if (population && *population > 0) {
      result["population"] = *population;
      result["rate_per_100k"] = fitted.total / static_cast<double>(*population) * 1e5;
    }
    out << result.dump(2) << '\n';
    return ok();
  }
  out << fmt::format("Joint model over strata by {} ({} strata; lists varying by stratum: {})\n", options.by,
                     table.strata.size(), varying.empty() ? "none" : fmt::format("{}", fmt::join(varying, ", ")));
  out << fmt::format("  lists: {}\n  shared pairs: {}\n", fmt::join(table.lists, ", "), terms);
  for (std::size_t s = 0; s < table.strata.size(); ++s) {
    std::int64_t observed = 0;
    for (std::size_t p = 1; p < table.counts[s].size(); ++p) observed += table.counts[s][p];
    out << fmt::format("  {:<24} observed {:>7}  unobserved {:>9.0f}  total {:>9.0f}\n", table.strata[s], observed,
                       fitted.unobserved[s], static_cast<double>(observed) + fitted.unobserved[s]);
  }
  out << fmt::format("  total {:.0f} (95% CI {:.0f} to {:.0f}, log-normal); deviance {:.2f}, AIC {:.2f}, BIC {:.2f}, {} parameters\n",
                     fitted.total, fitted.ci_low, fitted.ci_high, fitted.deviance, fitted.aic, fitted.bic, fitted.parameters);
  if (population && *population > 0) {
    out << fmt::format("  per 100,000 inhabitants: {:.1f}\n", fitted.total / static_cast<double>(*population) * 1e5);
  }
  return ok();
}

Result<void> run_estimate(const GlobalOptions& global, const EstimateOptions& options, std::ostream& out) {
  std::vector<std::pair<std::string, mse::CaptureTable>> tables;
  std::optional<std::int64_t> population;
  std::map<std::string, std::int64_t> stratum_population;  // Strata that are about one region.
  if (!options.table.empty()) {
    std::ifstream file(options.table);
    if (!file) return fail(ErrorCode::kIo, fmt::format("{}: cannot open file", options.table));
    std::stringstream text;
    text << file.rdbuf();
    if (!options.by.empty()) {
      // A covariate column of the file as strata.
      ASSIGN_OR_RETURN(const auto stratified, mse::parse_stratified_table(text.str(), options.table, options.by));
      for (std::size_t s = 0; s < stratified.strata.size(); ++s) {
        tables.emplace_back(stratified.strata[s], mse::CaptureTable{stratified.lists, stratified.counts[s]});
      }
    } else {
      ASSIGN_OR_RETURN(auto table, mse::parse_capture_table(text.str(), options.table));
      tables.emplace_back("", std::move(table));
    }
  } else {
    ASSIGN_OR_RETURN(const auto store, open_store(global));
    ASSIGN_OR_RETURN(const auto histories, link_year(*store, options.year, options.mandate, options.role));
    if (histories.persons == 0) {
      return fail(ErrorCode::kNotFound, fmt::format("no {} {} registrations in {}", options.mandate, options.role, options.year));
    }
    if (histories.sources.size() < 2) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("only {} source(s) registered anyone in {}: estimation needs two or more lists", histories.sources.size(), options.year));
    }
    ASSIGN_OR_RETURN(const auto unit_of, police_units(*store));
    ASSIGN_OR_RETURN(tables, tables_from_histories(histories, options.by, unit_of));
    if (auto p = store->population("NL01", options.year)) population = *p;
    if (options.joint) return run_joint_estimate(tables, options, population, out);
    for (const auto& [stratum, table] : tables) {
      const auto region = region_of_stratum(stratum, options.by);
      if (!region) continue;
      if (auto p = store->population(*region, options.year)) stratum_population[stratum] = *p;
    }
  }
  if (options.joint) return run_joint_estimate(tables, options, population, out);
  nlohmann::json strata = nlohmann::json::array();
  double total = 0;
  for (auto& [stratum, table] : tables) {
    auto estimate = estimate_table(std::move(table), options, stratum);
    if (!estimate) {
      if (tables.size() == 1) return tl::unexpected(estimate.error());
      if (options.csv) {
        if (strata.empty()) out << "stratum,terms,observed,unobserved,total,ci_low,ci_high,aic,bic\n";
        out << fmt::format("{},not estimable,,,,,,,\n", stratum);
      } else if (!options.json) {
        out << fmt::format("Stratum {}: not estimable: {}\n", stratum, estimate.error().message);
      }
      strata.push_back({{"stratum", stratum}, {"error", estimate.error().message}});
      continue;
    }
    total += estimate->search.models.front().total;
    if (options.json) {
      nlohmann::json models = nlohmann::json::array();
      for (const auto& f : estimate->search.models) models.push_back(fit_json(f, estimate->table.lists));
      nlohmann::json entry = fit_json(estimate->search.models.front(), estimate->table.lists);
      if (estimate->profile) {
        entry["lognormal_ci_low"] = entry["ci_low"];
        entry["lognormal_ci_high"] = entry["ci_high"];
        entry["ci_low"] = estimate->profile->low;
        entry["ci_high"] = estimate->profile->high;
        entry["ci_upper_found"] = estimate->profile->high_found;
        entry["ci_method"] = "profile likelihood (multinomial, Rcapture closedpCI.t)";
      }
      if (estimate->bootstrap) {
        entry["bootstrap"] = {{"replicates", estimate->bootstrap->totals.size()},
                              {"failed", estimate->bootstrap->failed},
                              {"seed", options.seed},
                              {"method", estimate->bootstrap_method},
                              {"bca_low", estimate->bootstrap->bca_low},
                              {"bca_high", estimate->bootstrap->bca_high},
                              {"percentile_low", estimate->bootstrap->percentile_low},
                              {"percentile_high", estimate->bootstrap->percentile_high},
                              {"bias_correction", estimate->bootstrap->bias_correction},
                              {"acceleration", estimate->bootstrap->acceleration}};
      }
      entry["stratum"] = stratum;
      const auto rate_population = tables.size() == 1 ? population
                                   : stratum_population.count(stratum) ? std::optional(stratum_population.at(stratum))
                                                                       : std::nullopt;
      if (rate_population && *rate_population > 0) {
        const double per = 1e5 / static_cast<double>(*rate_population);
        entry["population"] = *rate_population;
        entry["rate_per_100k"] = estimate->search.models.front().total * per;
        entry["rate_ci_low"] = entry["ci_low"].get<double>() * per;
        entry["rate_ci_high"] = entry["ci_high"].get<double>() * per;
      }
      entry["lists"] = estimate->table.lists;
      entry["observed"] = estimate->table.observed();
      entry["procedure"] = estimate->search.procedure;
      entry["criterion"] = estimate->search.criterion == mse::Criterion::kAic ? "aic" : "bic";
      entry["bic_sample_size"] = estimate->table.observed();
      entry["path"] = estimate->search.path;
      entry["warnings"] = estimate->warnings;
      entry["models"] = std::move(models);
      strata.push_back(std::move(entry));
    } else if (options.csv) {
      const auto& f = estimate->search.models.front();
      if (strata.empty()) out << "stratum,terms,observed,unobserved,total,ci_low,ci_high,aic,bic\n";
      strata.push_back(stratum);
      out << fmt::format("{},{},{},{:.2f},{:.2f},{:.2f},{:.2f},{:.4f},{:.4f}\n", stratum,
                         mse::describe(f.model, estimate->table.lists), estimate->table.observed(), f.unobserved,
                         f.total, f.ci_low, f.ci_high, f.aic, f.bic);
    } else {
      print_estimate(*estimate,
                     tables.size() == 1 ? population
                     : stratum_population.count(stratum) ? std::optional(stratum_population.at(stratum))
                                                         : std::nullopt,
                     out);
    }
  }
  if (options.json) {
    out << (strata.size() == 1 ? strata.front() : nlohmann::json{{"strata", strata}, {"total_of_strata", total}}).dump(2) << '\n';
  } else if (!options.csv && tables.size() > 1) {
    out << fmt::format("Sum of the strata's estimates: {:.0f}{}\n", total,
                       population ? fmt::format(" ({:.1f} per 100,000)", total / static_cast<double>(*population) * 1e5) : "");
  }
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
