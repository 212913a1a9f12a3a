// sdc: disclosure control for a table from outside the store (a CSV of cells with hierarchy
// files, the shared JSON format, or microdata with named dimensions): protect it, alone or
// together with editions already published, and write the pattern and the audit.
#include "cli/internal/command.h"

#include <memory>
#include <optional>
#include <random>

#include <fmt/format.h>

#include "app/sdc_table.h"
#include "core/files.h"

namespace rapporteur::cli {
namespace {

struct SdcOptions {
  std::string input;
  std::string format;  // "" = from the extension: .json is JSON, else cells.
  std::string dimensions;
  std::vector<std::string> hierarchies;  // DIM=FILE
  std::string value_column = "count";
  std::string total_code = "Total";
  std::optional<std::int64_t> min_frequency;
  std::optional<double> percent;
  std::optional<std::int64_t> min_level;
  std::optional<std::string> zeros;
  std::vector<std::string> editions;
  std::string csv_out;
  std::string json_out;
  std::string record_out;
  std::string audit_out;
};

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  std::string current;
  for (const char c : text + ",") {
    if (c != ',') {
      current += c;
    } else if (!current.empty()) {
      names.push_back(current);
      current.clear();
    }
  }
  return names;
}

Result<app::TableSource> source_of(const SdcOptions& o) {
  app::TableSource source;
  source.path = o.input;
  const std::string format = o.format.empty() ? (source.path.extension() == ".json" ? "json" : "cells") : o.format;
  source.format = format == "json"        ? app::TableFormat::kJson
                  : format == "microdata" ? app::TableFormat::kMicrodata
                                          : app::TableFormat::kCells;
  source.dimensions = split_names(o.dimensions);
  source.value_column = o.value_column;
  source.total_code = o.total_code;
  for (const auto& h : o.hierarchies) {
    const auto eq = h.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == h.size()) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("--hierarchy '{}': expected DIMENSION=FILE", h));
    }
    source.hierarchies.push_back({h.substr(0, eq), h.substr(eq + 1)});
  }
  if (source.format != app::TableFormat::kJson && source.dimensions.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--dimensions: name the columns that are the table's dimensions");
  }
  return source;
}

Result<void> run_protect(const SdcOptions& o, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto source, source_of(o));
  sdc::Rule rule;
  if (source.format == app::TableFormat::kJson) {
    ASSIGN_OR_RETURN(const auto peek, app::read_table(source));
    if (peek.rule) rule = *peek.rule;
  }
  if (o.min_frequency) rule.min_frequency = *o.min_frequency;
  if (o.percent) rule.protection_percent = *o.percent;
  if (o.min_level) rule.min_level = *o.min_level;
  if (o.zeros) {
    rule.zeros = *o.zeros == "unsafe"      ? sdc::ZeroCells::kUnsafe
                 : *o.zeros == "secondary" ? sdc::ZeroCells::kSecondary
                                           : sdc::ZeroCells::kSafe;
  }
  app::SdcProtectRequest request{source, rule, {}};
  for (const auto& e : o.editions) request.editions.emplace_back(e);
  ASSIGN_OR_RETURN(const auto result, app::protect_table(request));
  if (!o.csv_out.empty())
    RETURN_IF_ERROR(write_file_atomically(o.csv_out, app::to_pattern_csv(result.table, result.status)));
  if (!o.json_out.empty()) {
    RETURN_IF_ERROR(write_file_atomically(o.json_out, app::to_pattern_json(result.table, result.status, rule)));
  }
  if (!o.record_out.empty()) {
    RETURN_IF_ERROR(write_file_atomically(o.record_out, app::to_edition_json(result.table, result.status, rule),
                                          FileAccess::kOwnerOnly));
  }
  if (!o.audit_out.empty()) {
    RETURN_IF_ERROR(write_file_atomically(o.audit_out, app::to_audit_json(result), FileAccess::kOwnerOnly));
  }
  out << app::to_summary(result);
  if (o.csv_out.empty() && o.json_out.empty()) out << app::to_pattern_csv(result.table, result.status);
  return ok();
}

struct ReleaseOptions {
  std::string mechanism = "geometric";
  double epsilon = 1.0;
  double rho = 0.5;
  std::optional<std::uint64_t> seed;
  int replicates = 200;
};

Result<void> run_release(const SdcOptions& o, const ReleaseOptions& r, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto source, source_of(o));
  app::SdcReleaseRequest request{source, {}, 0, r.replicates};
  request.budget.mechanism = r.mechanism == "gaussian" ? sdc::Mechanism::kDiscreteGaussian : sdc::Mechanism::kGeometric;
  request.budget.epsilon = r.epsilon;
  request.budget.rho = r.rho;
  // A fresh secret seed unless one is given (to repeat a run on the restricted side).
  request.seed = r.seed ? *r.seed : (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  ASSIGN_OR_RETURN(const auto result, app::release_table(request));
  if (!o.csv_out.empty()) RETURN_IF_ERROR(write_file_atomically(o.csv_out, app::to_release_csv(result)));
  if (!o.json_out.empty()) RETURN_IF_ERROR(write_file_atomically(o.json_out, app::to_release_json(result)));
  out << fmt::format("{}: {} cells released with the {} mechanism ({})\n", result.table.name,
                     result.table.values.size(), sdc::to_code(request.budget.mechanism),
                     request.budget.mechanism == sdc::Mechanism::kGeometric ? fmt::format("epsilon {}", r.epsilon)
                                                                            : fmt::format("rho {} zCDP", r.rho));
  if (o.csv_out.empty() && o.json_out.empty()) out << app::to_release_csv(result);
  return ok();
}

void add_input(CLI::App* command, SdcOptions& o) {
  command->add_option("INPUT", o.input, "The table: CSV of cells, JSON (shared format) or microdata CSV")->required();
  command->add_option("--format", o.format, "cells, json or microdata (default: json for .json, else cells)")
      ->check(CLI::IsMember({"cells", "json", "microdata"}));
  command->add_option("--dimensions", o.dimensions, "CSV: the dimension columns, comma-separated, in order");
  command->add_option("--hierarchy", o.hierarchies,
                      "DIMENSION=FILE: a .hrc (tau-ARGUS) or .toml hierarchy; repeatable");
  command->add_option("--value", o.value_column, "CSV of cells: the count column")->capture_default_str();
  command->add_option("--total", o.total_code, "The total's code of flat and .hrc dimensions")->capture_default_str();
}

}  // namespace

void add_sdc_commands(CLI::App& app, Action& action) {
  CLI::App* sdc_cmd = app.add_subcommand("sdc", "Disclosure control for a table from outside the store");
  sdc_cmd->require_subcommand(1);
  auto o = std::make_shared<SdcOptions>();
  CLI::App* protect = sdc_cmd->add_subcommand("protect", "Suppress, audit, and write the pattern and the audit");
  add_input(protect, *o);
  protect->add_option("--min-frequency", o->min_frequency, "Cells with 1 .. N-1 units are unsafe (default 10)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  protect->add_option("--percent", o->percent, "Protection level: percent of the value (default 30)")
      ->check(CLI::Range(0.0, 100.0));
  protect->add_option("--min-level", o->min_level, "Protection level: at least this many units (default 1)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  protect->add_option("--zeros", o->zeros, "Zero cells: safe (published), secondary (may hide others) or unsafe")
      ->check(CLI::IsMember({"safe", "secondary", "unsafe"}));
  protect->add_option("--edition", o->editions,
                      "An edition already published (its --record file); its cells keep their status; repeatable");
  protect->add_option("--csv", o->csv_out, "Write the published pattern as CSV ('x' where suppressed)");
  protect->add_option("--json", o->json_out, "Write the published pattern as JSON (shared format, no true values)");
  protect->add_option("--record", o->record_out, "Write this edition's restricted record, for next year's --edition");
  protect->add_option("--audit", o->audit_out, "Write the restricted audit as JSON (intervals of suppressed cells)");
  protect->callback([&action, o] { action = [o](Context& c) { return finish(c, run_protect(*o, c.out)); }; });

  auto r = std::make_shared<ReleaseOptions>();
  CLI::App* release = sdc_cmd->add_subcommand(
      "release", "Release with differential privacy: integer, non-negative, additive, accuracy per level");
  add_input(release, *o);
  release->add_option("--mechanism", r->mechanism, "geometric (epsilon-DP) or gaussian (discrete, rho-zCDP)")
      ->check(CLI::IsMember({"geometric", "gaussian"}))
      ->capture_default_str();
  release->add_option("--epsilon", r->epsilon, "Geometric: the privacy budget")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  release->add_option("--rho", r->rho, "Discrete Gaussian: the zCDP budget")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  release->add_option("--seed", r->seed, "Repeat a release (secret: never publish it; default: a fresh random seed)");
  release->add_option("--replicates", r->replicates, "Simulations for the accuracy per level")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  release->add_option("--csv", o->csv_out, "Write the released table as CSV");
  release->add_option("--json", o->json_out, "Write the released table with its budget and accuracy as JSON");
  release->callback([&action, o, r] { action = [o, r](Context& c) { return finish(c, run_release(*o, *r, c.out)); }; });
}

}  // namespace rapporteur::cli
