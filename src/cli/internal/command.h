// What the command files share: the global options, the context a command runs in, the
// registration of each command group, and helpers to open the instance. Internal to cli.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "app/workspace.h"
#include "cli/cli.h"
#include "core/result.h"
#include "intake/profile.h"
#include "kb/kb.h"
#include "store/store.h"

#ifndef RAPPORTEUR_VERSION
#define RAPPORTEUR_VERSION "0.0.0"
#endif

namespace rapporteur::cli {

// The data that ships with the binary: installed under <prefix>/share/rapporteur, or the
// source tree for a binary run from its build folder (app/paths.h).
std::string default_profiles();
std::string default_tables();

struct GlobalOptions {
  std::string db = "var/rapporteur.db";
  std::string key;  // "" = pseudonym.key beside the database.
  std::string profiles = default_profiles();
  std::string tables = default_tables();
  std::string log_level = "info";
  std::string kb;  // "" = kennisbank/ beside the database.
  // Where the instance's files are when `db` is a PostgreSQL URL (beside the file otherwise).
  std::string files = "var";

  // `name` in the instance's folder: beside the SQLite file, or in `files` for PostgreSQL.
  std::filesystem::path beside_db(const std::string& name) const {
    if (store::is_postgresql_url(db)) return std::filesystem::path(files) / name;
    return std::filesystem::path(db).replace_filename(name);
  }

  // The database for messages: a PostgreSQL URL without its password.
  std::string db_for_display() const { return store::printable_location(db); }

  std::filesystem::path kb_path() const { return kb.empty() ? beside_db("kennisbank") : std::filesystem::path(kb); }

  std::filesystem::path key_path() const {
    return key.empty() ? beside_db("pseudonym.key") : std::filesystem::path(key);
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
      err_ << fmt::format("\r{} [{}{}] {:3}% {} rows", label_, std::string(filled, '#'), std::string(20 - filled, ' '),
                          percent, rows)
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

// Where a command runs: the global options and the process's streams.
struct Context {
  GlobalOptions& global;
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
};

// The command chosen on the command line, run after parsing and logging are set up; returns
// the exit status.
using Action = std::function<int(Context&)>;

// Each command group adds its subcommands (and owns their options); the one parsed stores its
// action in `action`.
void add_instance_commands(CLI::App& app, Action& action);
void add_intake_commands(CLI::App& app, Action& action);
void add_linkage_commands(CLI::App& app, Action& action);
void add_estimate_commands(CLI::App& app, Action& action);
void add_table_commands(CLI::App& app, Action& action);
void add_kb_commands(CLI::App& app, Action& action);
void add_account_commands(CLI::App& app, Action& action);
void add_store_commands(CLI::App& app, Action& action);
void add_sdc_commands(CLI::App& app, Action& action);

// kExitOk, or the error on one line of `err` and kExitFailure.
int finish(Context& context, const Result<void>& result);

// Whether a command may create the instance: only `init` and `demo` do, so a mistyped --db is
// an error rather than a new, empty instance.
enum class Creation { kExistingOnly, kCreateWhenAbsent };

// The instance's store; kNotFound when it does not exist and `creation` does not allow it.
Result<std::unique_ptr<store::Store>> open_store(const GlobalOptions& global,
                                                 Creation creation = Creation::kExistingOnly);
// The instance's knowledge base.
Result<std::unique_ptr<kb::KnowledgeBase>> open_kb(store::Store& store, const GlobalOptions& global);

// The instance's folders and files beside its database, as the workspace uses them.
app::InstancePaths instance_paths(const GlobalOptions& global);
// The staff workspace's typed calls on this instance (each opens its own store connection);
// `knowledge_base` may be null for calls that do not need it.
app::Workspace workspace_of(const GlobalOptions& global, kb::KnowledgeBase* knowledge_base = nullptr);

}  // namespace rapporteur::cli
