// Moving and keeping the database: migrate (to another backend), backup and restore. Each
// copies the whole database with store::copy_store and prints what it checked.
#include "cli/internal/command.h"

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "store/copy.h"

namespace rapporteur::cli {
namespace {

void print_report(const store::CopyReport& report, std::ostream& out) {
  std::int64_t rows = 0;
  for (const auto& table : report.tables) {
    out << fmt::format("  {:<22} {:>9} rows  sha256 {}\n", table.name, table.rows, table.sha256);
    rows += table.rows;
  }
  out << fmt::format("{} rows in {} tables copied and checked (schema version {})\n", rows, report.tables.size(),
                     report.schema_version);
}

Result<void> run_migrate(const GlobalOptions& global, const std::string& to, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto report, store::copy_store(global.db, to));
  out << fmt::format("Copied {} to {}:\n", global.db_for_display(), store::printable_location(to));
  print_report(report, out);
  return ok();
}

Result<void> run_backup(const GlobalOptions& global, const std::string& file, std::ostream& out) {
  if (store::is_postgresql_url(file)) {
    return fail(ErrorCode::kInvalidArgument, "a backup is an SQLite file; to copy into PostgreSQL use `migrate --to`");
  }
  if (std::filesystem::exists(file)) {
    return fail(ErrorCode::kConflict, fmt::format("'{}' exists; a backup goes into a new file", file));
  }
  auto report = store::copy_store(global.db, file);
  if (!report) {
    std::error_code ignored;  // No half-made backup is left behind.
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file + suffix, ignored);
    return tl::unexpected(report.error());
  }
  out << fmt::format("Backed up {} to {}:\n", global.db_for_display(), file);
  print_report(*report, out);
  return ok();
}

Result<void> run_restore(const GlobalOptions& global, const std::string& from, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto report, store::copy_store(from, global.db));
  out << fmt::format("Restored {} from {}:\n", global.db_for_display(), store::printable_location(from));
  print_report(report, out);
  return ok();
}

}  // namespace

void add_store_commands(CLI::App& app, Action& action) {
  auto target = std::make_shared<std::string>();
  CLI::App* migrate = app.add_subcommand(
      "migrate", "Copy the whole database into another, empty one (e.g. SQLite to PostgreSQL) and check it");
  migrate->add_option("--to", *target, "An SQLite file or a postgresql:// URL")->required();
  migrate->callback([&action, target] {
    action = [target](Context& c) { return finish(c, run_migrate(c.global, *target, c.out)); };
  });

  auto backup_file = std::make_shared<std::string>();
  CLI::App* backup = app.add_subcommand(
      "backup", "Write a consistent snapshot of the database to a new SQLite file (while the instance serves)");
  backup->add_option("--to", *backup_file, "The new SQLite file")->required();
  backup->callback([&action, backup_file] {
    action = [backup_file](Context& c) { return finish(c, run_backup(c.global, *backup_file, c.out)); };
  });

  auto source = std::make_shared<std::string>();
  CLI::App* restore = app.add_subcommand("restore", "Copy a backup (or another database) into the empty --db");
  restore->add_option("--from", *source, "An SQLite backup file or a postgresql:// URL")->required();
  restore->callback([&action, source] {
    action = [source](Context& c) { return finish(c, run_restore(c.global, *source, c.out)); };
  });
}

}  // namespace rapporteur::cli
