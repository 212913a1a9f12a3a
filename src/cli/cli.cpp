// The command table: global options, each command group's subcommands, parsing, logging,
// and running the chosen command.
#include "cli/cli.h"

#include <memory>
#include <string>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "cli/internal/command.h"

namespace rapporteur::cli {
namespace {

void configure_logging(std::ostream& err, const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err, /*force_flush=*/true);
  auto logger = std::make_shared<spdlog::logger>("rapporteur", std::move(sink));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Rapporteur: monitor, estimate, protect and inform on human trafficking and "
      "sexual violence against children.",
      "rapporteur"};
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("--db", global.db, "The instance's database: an SQLite file or a postgresql:// URL")
      ->capture_default_str();
  app.add_option("--files", global.files,
                 "Folder of the instance's files (key, knowledge base, releases, reports, uploads) when --db "
                 "is a PostgreSQL URL; beside the SQLite file otherwise")
      ->capture_default_str();
  app.add_option("--key", global.key, "Pseudonymisation key file (default: pseudonym.key beside the database)");
  app.add_option("--profiles", global.profiles, "Folder of source profiles")->capture_default_str();
  app.add_option("--tables", global.tables, "Folder of table definitions")->capture_default_str();
  app.add_option("--kb", global.kb,
                 "Knowledge base folder: search index and files (default: kennisbank/ beside the database)");
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  Action action;
  add_instance_commands(app, action);
  add_estimate_commands(app, action);
  add_intake_commands(app, action);
  add_linkage_commands(app, action);
  add_table_commands(app, action);
  add_kb_commands(app, action);
  add_account_commands(app, action);
  add_store_commands(app, action);
  add_sdc_commands(app, action);

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
  configure_logging(err, global.log_level);
  Context context{global, out, err, std::cin};
  return action ? action(context) : kExitOk;
}

}  // namespace rapporteur::cli
