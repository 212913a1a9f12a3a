// account and report: the yearly account and the annual report.
#include "cli/internal/command.h"

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "account/account.h"
#include "core/money.h"
#include "kb/kb.h"
#include "web/web.h"

namespace rapporteur::cli {
namespace {

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
  return workspace_of(global).import_account(options.file, out);
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

Result<void> run_account_remove_activity(const GlobalOptions& global, const AccountOptions& options,
                                         std::ostream& out) {
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
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("the finances of {} do not add up ({} mismatches)", options.year, mismatches.size()));
  }
  out << fmt::format("the finances of {} add up: budget {}, spending {}, result {}\n", options.year,
                     format_euro(Cents{finances.budget_total_cents}), format_euro(Cents{finances.spending_total_cents}),
                     format_euro(Cents{finances.result_cents}));
  return ok();
}

Result<void> run_report_annual(const GlobalOptions& global, const AccountOptions& options, std::ostream& out) {
  app::AnnualReportRequest request{.year = options.year,
                                   .output = options.publish ? app::ReportOutput::kPublish
                                             : options.pdf   ? app::ReportOutput::kPdf
                                                             : app::ReportOutput::kHtml,
                                   .folder = options.out};
  if (const auto chart = web::static_asset("/vendor/echarts.min.js")) request.chart_script = std::string(*chart);
  std::unique_ptr<store::Store> store;
  std::unique_ptr<kb::KnowledgeBase> knowledge;
  if (request.output == app::ReportOutput::kPublish) {
    ASSIGN_OR_RETURN(store, open_store(global));
    ASSIGN_OR_RETURN(knowledge, open_kb(*store, global));
  }
  return workspace_of(global, knowledge.get()).annual_report(request, out);
}

}  // namespace

void add_account_commands(CLI::App& app, Action& action) {
  auto account_options = std::make_shared<AccountOptions>();
  CLI::App* account_cmd = app.add_subcommand("account", "The yearly account: activities, media, finances");
  account_cmd->require_subcommand(1);
  CLI::App* account_import =
      account_cmd->add_subcommand("import", "Import a year file (YAML): activities, media, finances");
  account_import->add_option("FILE", account_options->file, "The year file")->required()->check(CLI::ExistingFile);
  CLI::App* account_activity = account_cmd->add_subcommand("add-activity", "Record an activity (advice, meeting, ...)");
  account_activity->add_option("--date", account_options->date, "YYYY-MM-DD")->required();
  account_activity
      ->add_option("--kind", account_options->kind,
                   "advisory_board, steering_committee, expert_meeting, briefing, consultation, "
                   "presentation, cooperation or other")
      ->required();
  account_activity->add_option("--organisation", account_options->organisation)->required();
  account_activity->add_option("--title", account_options->title)->required();
  account_activity->add_option("--notes", account_options->notes);
  CLI::App* account_media = account_cmd->add_subcommand("add-media", "Record a media appearance");
  account_media->add_option("--date", account_options->date, "YYYY-MM-DD")->required();
  account_media->add_option("--outlet", account_options->outlet)->required();
  account_media
      ->add_option("--kind", account_options->kind,
                   "radio, tv, national_paper, regional_paper, international_paper or online")
      ->required();
  account_media->add_option("--topic", account_options->topic)->required();
  account_media->add_option("--link", account_options->link);
  CLI::App* account_remove_activity = account_cmd->add_subcommand(
      "remove-activity", "Remove a recorded activity, named by date, kind, organisation and title");
  account_remove_activity->add_option("--date", account_options->date, "YYYY-MM-DD")->required();
  account_remove_activity->add_option("--kind", account_options->kind)->required();
  account_remove_activity->add_option("--organisation", account_options->organisation)->required();
  account_remove_activity->add_option("--title", account_options->title)->required();
  CLI::App* account_remove_media = account_cmd->add_subcommand(
      "remove-media", "Remove a recorded media appearance, named by date, outlet and topic");
  account_remove_media->add_option("--date", account_options->date, "YYYY-MM-DD")->required();
  account_remove_media->add_option("--outlet", account_options->outlet)->required();
  account_remove_media->add_option("--topic", account_options->topic)->required();
  CLI::App* account_check = account_cmd->add_subcommand("check", "Check that a year's finances add up");
  account_check->add_option("--year", account_options->year)->required()->check(CLI::Range(1990, 2100));
  CLI::App* report_cmd = app.add_subcommand("report", "Reports made from the instance's records");
  report_cmd->require_subcommand(1);
  CLI::App* report_annual =
      report_cmd->add_subcommand("annual", "The annual report (HTML; --pdf prints it with Chromium)");
  report_annual->add_option("--year", account_options->year)->required()->check(CLI::Range(1990, 2100));
  report_annual->add_option("--out", account_options->out, "Folder (default: reports/ beside the database)");
  report_annual->add_flag("--pdf", account_options->pdf, "Also print the PDF with headless Chromium");
  report_annual->add_flag("--publish", account_options->publish, "Print the PDF and add it to the knowledge base");

  const auto on = [&action, account_options](
                      CLI::App* command,
                      Result<void> (*run)(const GlobalOptions&, const AccountOptions&, std::ostream&)) {
    command->callback([&action, account_options, run] {
      action = [account_options, run](Context& c) { return finish(c, run(c.global, *account_options, c.out)); };
    });
  };
  on(account_import, run_account_import);
  on(account_activity, run_account_add_activity);
  on(account_media, run_account_add_media);
  on(account_remove_activity, run_account_remove_activity);
  on(account_remove_media, run_account_remove_media);
  on(account_check, run_account_check);
  on(report_annual, run_report_annual);
}

}  // namespace rapporteur::cli
