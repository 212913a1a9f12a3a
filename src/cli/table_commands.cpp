// table and publish: monitor tables, their protection, audit and release.
#include "cli/internal/command.h"

#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/publish.h"
#include "core/files.h"
#include "sdc/sdc.h"
#include "tables/tables.h"

namespace rapporteur::cli {
namespace {

struct TableOptions {
  std::vector<std::string> specs;
  bool json = false;
  std::string jj;
  std::string out_dir;
  std::string published;
  std::string date;
  std::string review;
  bool exact_intervals = false;
  std::string linkage = "probabilistic";  // How persons are counted (app::table_persons).
};

// A table definition given as a path, or as a name in the tables folder.
std::filesystem::path spec_path(const GlobalOptions& global, const std::string& spec) {
  if (std::filesystem::exists(spec)) return spec;
  return std::filesystem::path(global.tables) / (spec + ".toml");
}

Result<std::vector<tables::BuiltTable>> build_tables(const GlobalOptions& global, store::Store& store,
                                                     const TableOptions& options) {
  ASSIGN_OR_RETURN(const auto method, app::parse_linkage_method(options.linkage));
  const auto persons = app::table_persons(store, method);
  std::vector<tables::BuiltTable> built;
  for (const auto& s : options.specs) {
    ASSIGN_OR_RETURN(const auto spec, tables::read_spec(spec_path(global, s)));
    ASSIGN_OR_RETURN(auto table, tables::build(store, spec, persons));
    built.push_back(std::move(table));
  }
  return built;
}

// The unprotected table: restricted side only.
Result<void> run_table_show(const GlobalOptions& global, const TableOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto built, build_tables(global, *store, options));
  for (const auto& t : built) {
    const std::vector<sdc::Status> status(t.table.values.size(), sdc::Status::kSafe);
    out << (options.json ? tables::to_json(t, status, {}, options.date) + "\n" : tables::to_csv(t, status, {}));
  }
  return ok();
}

Result<void> run_table_protect(const GlobalOptions& global, const TableOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto method, app::parse_linkage_method(options.linkage));
  app::ProtectRequest request{
      .specs = options.specs,
      .review = options.review,
      .intervals = options.exact_intervals ? app::Intervals::kExact : app::Intervals::kCertified,
      .linkage = method};
  ASSIGN_OR_RETURN(const auto report, workspace_of(global).protect(request, out));
  if (!options.jj.empty()) {
    sdc::Problem problem;
    std::vector<std::vector<sdc::Status>> status;
    for (const auto& t : report.tables) {
      if (t.built.spec.mandate != report.tables.front().built.spec.mandate ||
          t.built.spec.role != report.tables.front().built.spec.role) {
        return fail(ErrorCode::kInvalidArgument, "--jj writes one linked set: give tables of one mandate and role");
      }
      problem.tables.push_back(t.built.table);
      problem.rule = t.built.spec.rule;
      status.push_back(t.status);
    }
    RETURN_IF_ERROR(write_file_atomically(options.jj, sdc::to_jj(problem, status)));
    out << "JJ file written to " << options.jj << '\n';
  }
  return ok();
}

// Audits a published JSON file's pattern against the true values in the store.
Result<void> run_table_audit(const GlobalOptions& global, const TableOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto built, build_tables(global, *store, options));
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
    for (std::size_t d = 0; d < at.size(); ++d)
      key.push_back(table.dimensions[d].codes[static_cast<std::size_t>(at[d])]);
    index[key] = i;
  }
  for (const auto& cell : published["cells"]) {
    const auto key = cell["key"].get<std::vector<std::string>>();
    const auto it = index.find(key);
    if (it == index.end())
      return fail(ErrorCode::kInvalidArgument, fmt::format("{}: a cell the table does not have", options.published));
    const auto code = cell["status"].get<std::string>();
    status[it->second] = code == "primary"     ? sdc::Status::kPrimary
                         : code == "secondary" ? sdc::Status::kSecondary
                                               : sdc::Status::kSafe;
    if (!cell["value"].is_null() && cell["value"].get<std::int64_t>() != table.values[it->second]) {
      return fail(ErrorCode::kConflict,
                  fmt::format("{}: a published value differs from the store's", options.published));
    }
  }
  const auto& rule = built.front().spec.rule;
  ASSIGN_OR_RETURN(const auto audited, sdc::audit({{table}, rule, {}}, {status}, sdc::attacker_for(rule)));
  if (options.json) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& c : audited.cells) {
      cells.push_back({{"cell", c.cell},
                       {"status", std::string(sdc::to_code(c.status))},
                       {"low", c.low},
                       {"high", std::isfinite(c.high) ? nlohmann::json(c.high) : nlohmann::json(nullptr)},
                       {"problem", c.problem}});
    }
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : audited.group_disclosures) {
      groups.push_back({{"parent", g.parent}, {"cells", g.cells}, {"sum", g.sum}, {"description", g.description}});
    }
    out << nlohmann::json{{"passed", audited.passed()},
                          {"violations", audited.violations},
                          {"group_disclosures", groups},
                          {"cells", cells}}
               .dump(1)
        << '\n';
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
  ASSIGN_OR_RETURN(const auto method, app::parse_linkage_method(options.linkage));
  return workspace_of(global).publish(options.specs, options.date, options.out_dir, out, method).map([](const auto&) {
  });
}

}  // namespace

void add_table_commands(CLI::App& app, Action& action) {
  auto table_options = std::make_shared<TableOptions>();
  CLI::App* table_cmd = app.add_subcommand("table", "Monitor tables and their disclosure control");
  table_cmd->require_subcommand(1);
  CLI::App* table_show =
      table_cmd->add_subcommand("show", "The unprotected table (restricted side only), CSV or --json");
  table_show->add_option("SPEC", table_options->specs, "Table definition (path or name in tables/)")->required();
  table_show->add_flag("--json", table_options->json, "JSON instead of CSV");
  CLI::App* table_protect = table_cmd->add_subcommand("protect", "Protect tables together and audit the pattern");
  table_protect->add_option("SPEC", table_options->specs, "Table definitions (linked when several)")->required();
  table_protect->add_option("--jj", table_options->jj, "Also write the tables and relations in tau-ARGUS's JJ format");
  table_protect->add_option("--review", table_options->review,
                            "Also write a CSV with every cell's true value, status, reason and audited interval "
                            "(staff only: mode 0600)");
  table_protect->add_flag("--exact-intervals", table_options->exact_intervals,
                          "Audit every suppressed cell exactly (two linear programmes per cell), so that the review "
                          "shows exact intervals rather than certified ones");
  CLI::App* table_audit = table_cmd->add_subcommand("audit", "Audit a published table's pattern against the store");
  table_audit->add_option("SPEC", table_options->specs, "Table definition")->required();
  table_audit->add_option("--published", table_options->published, "The published JSON file")->required();
  table_audit->add_flag("--json", table_options->json, "JSON output");
  CLI::App* publish = app.add_subcommand("publish", "Protect, audit and write tables as CSV, XLSX and JSON");
  publish->add_option("SPEC", table_options->specs, "Table definitions (linked when several)")->required();
  publish->add_option("--out", table_options->out_dir, "Folder (default: published/ beside the database)");
  publish->add_option("--date", table_options->date, "Publication date (default: today)");

  for (CLI::App* command : {table_show, table_protect, table_audit, publish}) {
    command
        ->add_option("--linkage", table_options->linkage,
                     "How registrations are linked into persons (deterministic: exact keys only)")
        ->check(CLI::IsMember({"probabilistic", "deterministic"}))
        ->capture_default_str();
  }

  const auto on = [&action, table_options](CLI::App* command, Result<void> (*run)(const GlobalOptions&,
                                                                                  const TableOptions&, std::ostream&)) {
    command->callback([&action, table_options, run] {
      action = [table_options, run](Context& c) { return finish(c, run(c.global, *table_options, c.out)); };
    });
  };
  on(table_show, run_table_show);
  on(table_protect, run_table_protect);
  on(table_audit, run_table_audit);
  on(publish, run_publish);
}

}  // namespace rapporteur::cli
