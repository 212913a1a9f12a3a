// kb: publications, recommendations and search.
#include "cli/internal/command.h"

#include <map>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "kb/kb.h"

namespace rapporteur::cli {
namespace {

struct KbOptions {
  std::string path;
  std::string slug;
  std::string title;
  std::string type;
  std::string date;
  std::string language;
  std::string themes;
  std::string forms;
  std::string tables;
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
  if (!o.tables.empty()) {
    ASSIGN_OR_RETURN(auto tables, parse_table_names(o.tables));
    m.tables = std::move(tables);
  }
  return m;
}

std::string_view outcome_text(kb::AddOutcome outcome) {
  switch (outcome) {
    case kb::AddOutcome::kAdded:
      return "added";
    case kb::AddOutcome::kUpdated:
      return "updated";
    case kb::AddOutcome::kUnchanged:
      return "unchanged (already loaded)";
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
  return workspace_of(global, knowledge.get()).rebuild_index(out);
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

}  // namespace

void add_kb_commands(CLI::App& app, Action& action) {
  auto kb_options = std::make_shared<KbOptions>();
  CLI::App* kb_cmd = app.add_subcommand("kb", "Knowledge base: publications, recommendations and search");
  kb_cmd->require_subcommand(1);
  CLI::App* kb_add =
      kb_cmd->add_subcommand("add", "Add or update a publication from a file, or every file of a folder");
  kb_add->add_option("FILE", kb_options->path, "PDF, HTML, Markdown or text file (side-car FILE.toml), or a folder")
      ->required()
      ->check(CLI::ExistingPath);
  kb_add->add_option("--type", kb_options->type, "monitor, study, letter, news, brochure or annual_report");
  kb_add->add_option("--slug", kb_options->slug, "Identifier in URLs (default: from the file name)");
  kb_add->add_option("--title", kb_options->title, "Title (default: from the file)");
  kb_add->add_option("--date", kb_options->date, "Publication date YYYY-MM-DD (default: today)");
  kb_add->add_option("--language", kb_options->language, "nl or en (default: nl)");
  kb_add->add_option("--themes", kb_options->themes, "human_trafficking,sexual_violence_against_children");
  kb_add->add_option("--forms", kb_options->forms, "Exploitation forms: sexual,labour,criminal,other");
  kb_add->add_option("--summary", kb_options->summary, "Summary shown in results");
  kb_add->add_option("--tables", kb_options->tables,
                     "Published tables the publication reports on, e.g. victims-form-sex-age,suspects-chain");
  CLI::App* kb_search = kb_cmd->add_subcommand("search", "Search publications and recommendations");
  kb_search->add_option("QUERY", kb_options->query, "Words, \"phrases\", AND/OR/NOT, +must -mustnot")->required();
  kb_search->add_option("--type", kb_options->type, "Publication type, or 'recommendation'");
  kb_search->add_option("--year", kb_options->year)->check(CLI::Range(1990, 2100));
  kb_search->add_option("--theme", kb_options->theme, "human_trafficking or sexual_violence_against_children");
  kb_search->add_option("--form", kb_options->form, "sexual, labour, criminal or other");
  kb_search->add_option("--status", kb_options->status, "Recommendations: adopted, partly_adopted, rejected, pending");
  kb_search->add_option("--language", kb_options->language, "nl or en");
  kb_search->add_option("--sort", kb_options->sort)->check(CLI::IsMember({"relevance", "date"}))->capture_default_str();
  kb_search->add_option("--limit", kb_options->limit)->check(CLI::Range(1, 100))->capture_default_str();
  kb_search->add_option("--offset", kb_options->offset)->check(CLI::Range(0, 1000000))->capture_default_str();
  kb_search->add_flag("--json", kb_options->json, "Hits and facet counts as JSON");
  CLI::App* kb_follow = kb_cmd->add_subcommand("follow-up", "Record the follow-up of a recommendation");
  kb_follow->add_option("SLUG", kb_options->slug, "The publication")->required();
  kb_follow->add_option("NUMBER", kb_options->number, "The recommendation's number")->required();
  kb_follow->add_option("--date", kb_options->date, "YYYY-MM-DD")->required();
  kb_follow->add_option("--status", kb_options->status, "New status: adopted, partly_adopted, rejected or pending");
  kb_follow->add_option("--note", kb_options->note, "What happened")->required();
  CLI::App* kb_rebuild = kb_cmd->add_subcommand("rebuild", "Rebuild the search index from the store");
  CLI::App* kb_recs = kb_cmd->add_subcommand("recommendations", "Share adopted per year and per addressee");
  kb_recs->add_flag("--json", kb_options->json);

  kb_add->callback([&action, kb_options] {
    action = [kb_options](Context& c) { return finish(c, run_kb_add(c.global, *kb_options, c.out, c.err)); };
  });
  kb_search->callback([&action, kb_options] {
    action = [kb_options](Context& c) { return finish(c, run_kb_search(c.global, *kb_options, c.out)); };
  });
  kb_follow->callback([&action, kb_options] {
    action = [kb_options](Context& c) { return finish(c, run_kb_follow_up(c.global, *kb_options, c.out)); };
  });
  kb_rebuild->callback([&action] { action = [](Context& c) { return finish(c, run_kb_rebuild(c.global, c.out)); }; });
  kb_recs->callback([&action, kb_options] {
    action = [kb_options](Context& c) { return finish(c, run_kb_recommendations(c.global, *kb_options, c.out)); };
  });
}

}  // namespace rapporteur::cli
