#include "app/sdc_table.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/csv.h"

namespace rapporteur::app {
namespace {

using nlohmann::json;

constexpr std::int64_t kExactIntervalsUpTo = 1000;

std::string where_of(const sdc::Table& table, std::size_t cell) {
  const auto at = table.positions(cell);
  std::string text;
  for (std::size_t d = 0; d < at.size(); ++d) {
    text += fmt::format("{}{}={}", d ? ", " : "", table.dimensions[d].name,
                        table.dimensions[d].codes[static_cast<std::size_t>(at[d])]);
  }
  return text;
}

json key_of(const sdc::Table& table, std::size_t cell) {
  json key = json::array();
  for (std::size_t d = 0; const int p : table.positions(cell))
    key.push_back(table.dimensions[d++].codes[static_cast<std::size_t>(p)]);
  return key;
}

json dimensions_json(const sdc::Table& table) {
  json dims = json::array();
  for (const auto& dim : table.dimensions) {
    json hierarchy = json::object();
    for (std::size_t c = 0; c < dim.codes.size(); ++c) {
      if (dim.parents[c] >= 0) hierarchy[dim.codes[static_cast<std::size_t>(dim.parents[c])]].push_back(dim.codes[c]);
    }
    dims.push_back({{"name", dim.name}, {"hierarchy", hierarchy}});
  }
  return dims;
}

Result<void> check_rule(const sdc::Rule& rule) {
  if (rule.min_frequency < 1) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("minimum frequency {}: expected at least 1", rule.min_frequency));
  }
  if (!(rule.protection_percent >= 0 && rule.protection_percent <= 100)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("protection percent {}: expected 0..100", rule.protection_percent));
  }
  if (rule.min_level < 0) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("minimum protection level {}: expected 0 or more", rule.min_level));
  }
  return ok();
}

}  // namespace

Result<SdcProtectResult> protect_table(const SdcProtectRequest& request) {
  RETURN_IF_ERROR(check_rule(request.rule));
  ASSIGN_OR_RETURN(auto outside, read_table(request.source));
  SdcProtectResult result;
  result.table = std::move(outside.table);
  std::vector<sdc::Edition> editions;
  for (const auto& path : request.editions) {
    ASSIGN_OR_RETURN(auto edition, read_table({.format = TableFormat::kJson, .path = path}));
    if (!edition.status) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}: an edition must give each cell's published status", path.string()));
    }
    result.edition_tables.push_back(edition.table);
    editions.push_back({std::move(edition.table), std::move(*edition.status)});
  }
  ASSIGN_OR_RETURN(const auto joint, sdc::protect_over_editions(editions, {{result.table}, request.rule, {}}));
  for (const auto& r : joint.revisions) {
    const auto& old = result.edition_tables[r.edition];
    result.revisions.push_back(
        {r.edition, r.cell, where_of(old, r.cell), r.published_value, r.new_value, r.was_published});
  }
  result.protection = joint.protection;
  result.status = joint.protection.status.back();
  // Exact intervals for the report where two programmes per suppressed cell stay cheap.
  const bool small = joint.protection.primary_cells + joint.protection.secondary_cells <= kExactIntervalsUpTo;
  ASSIGN_OR_RETURN(result.audit, sdc::audit(joint.problem, joint.protection.status, sdc::attacker_for(request.rule),
                                            {.exact_intervals = small}));
  if (!result.audit.passed()) {
    return fail(ErrorCode::kInternal,
                fmt::format("the protected table fails its own audit ({} violations)", result.audit.violations));
  }
  return result;
}

std::string to_pattern_csv(const sdc::Table& table, const std::vector<sdc::Status>& status) {
  std::string out;
  for (const auto& dim : table.dimensions) out += csv_field(dim.name) + ',';
  out += "value\n";
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    for (std::size_t d = 0; const int p : table.positions(i)) {
      out += csv_field(table.dimensions[d++].codes[static_cast<std::size_t>(p)]) + ',';
    }
    out += sdc::is_suppressed(status[i]) ? "x" : std::to_string(table.values[i]);
    out += '\n';
  }
  return out;
}

namespace {

json pattern(const sdc::Table& table, const std::vector<sdc::Status>& status, const sdc::Rule& rule, bool restricted) {
  json cells = json::array();
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    json cell = {{"key", key_of(table, i)}};
    if (restricted) cell["true"] = table.values[i];
    cell["published"] = sdc::is_suppressed(status[i]) ? json(nullptr) : json(table.values[i]);
    if (restricted) cell["status"] = status[i] == sdc::Status::kForced ? "safe" : sdc::to_code(status[i]);
    cells.push_back(std::move(cell));
  }
  return {{"name", table.name},
          {"format", "sdc-audit/1"},
          {"mode", "suppression"},
          {"protection",
           {{"percent", rule.protection_percent},
            {"min_level", rule.min_level},
            {"min_frequency", rule.min_frequency - 1}}},
          {"attacker",
           {{"nonnegative", true}, {"integer", true}, {"suppressed_min", sdc::attacker_for(rule).suppressed_min}}},
          {"dimensions", dimensions_json(table)},
          {"cells", cells}};
}

}  // namespace

std::string to_pattern_json(const sdc::Table& table, const std::vector<sdc::Status>& status, const sdc::Rule& rule) {
  return pattern(table, status, rule, false).dump(1) + '\n';
}

std::string to_edition_json(const sdc::Table& table, const std::vector<sdc::Status>& status, const sdc::Rule& rule) {
  auto out = pattern(table, status, rule, true);
  out["restricted"] = "holds the true values of suppressed cells: not for publication";
  return out.dump(1) + '\n';
}

std::string to_audit_json(const SdcProtectResult& result) {
  const std::size_t current = result.edition_tables.size();
  const auto table_of = [&](std::size_t t) -> const sdc::Table& {
    return t < current ? result.edition_tables[t] : result.table;
  };
  const auto bound = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  json cells = json::array();
  for (const auto& c : result.audit.cells) {
    cells.push_back({{"edition", c.table < current ? json(c.table) : json(nullptr)},
                     {"key", key_of(table_of(c.table), c.cell)},
                     {"status", sdc::to_code(c.status)},
                     {"value", c.value},
                     {"low", bound(c.low)},
                     {"high", bound(c.high)},
                     {"problem", c.problem}});
  }
  json groups = json::array();
  for (const auto& g : result.audit.group_disclosures) groups.push_back(g.description);
  json revisions = json::array();
  for (const auto& r : result.revisions) {
    revisions.push_back({{"edition", r.edition},
                         {"cell", r.where},
                         {"was", r.was_published ? "published" : "suppressed"},
                         {"published_value", r.was_published ? json(r.published_value) : json(nullptr)},
                         {"new_value", r.new_value}});
  }
  const json out = {{"restricted", "holds the true values of suppressed cells: not for publication"},
                    {"table", result.table.name},
                    {"cells", result.table.values.size()},
                    {"primary", result.protection.primary_cells},
                    {"secondary", result.protection.secondary_cells},
                    {"violations", result.audit.violations},
                    {"exact_secondaries", result.audit.exact_secondaries},
                    {"passed", result.audit.passed()},
                    {"suppressed", cells},
                    {"group_disclosures", groups},
                    {"revisions", revisions}};
  return out.dump(1) + '\n';
}

std::string to_summary(const SdcProtectResult& result) {
  std::int64_t primary = 0;
  std::int64_t secondary = 0;
  for (const auto s : result.status) {
    primary += s == sdc::Status::kPrimary ? 1 : 0;
    secondary += s == sdc::Status::kSecondary ? 1 : 0;
  }
  std::string text = fmt::format(
      "{}: {} cells, {} primary and {} secondary suppressions; audit {} ({} violations, {} "
      "secondaries exactly recoverable)\n",
      result.table.name, result.table.values.size(), primary, secondary, result.audit.passed() ? "passed" : "FAILED",
      result.audit.violations, result.audit.exact_secondaries);
  if (!result.edition_tables.empty()) {
    text += fmt::format("protected together with {} published edition(s); {} revised cell(s)\n",
                        result.edition_tables.size(), result.revisions.size());
  }
  for (const auto& r : result.revisions) {
    text += fmt::format("revision: edition {}, {} ({})\n", r.edition + 1, r.where,
                        r.was_published ? "was published" : "was suppressed");
  }
  return text;
}

Result<SdcReleaseResult> release_table(const SdcReleaseRequest& request) {
  ASSIGN_OR_RETURN(auto outside, read_table(request.source));
  ASSIGN_OR_RETURN(auto release, sdc::release_private(outside.table, request.budget, request.seed, request.replicates));
  return SdcReleaseResult{std::move(outside.table), std::move(release)};
}

std::string to_release_json(const SdcReleaseResult& result) {
  const auto& r = result.release;
  const bool gaussian = r.budget.mechanism == sdc::Mechanism::kDiscreteGaussian;
  json accuracy = json::array();
  for (const auto& a : r.accuracy) {
    json level = json::object();
    for (std::size_t d = 0; d < a.level.size(); ++d) level[result.table.dimensions[d].name] = a.level[d];
    accuracy.push_back({{"depth", level},
                        {"cells", a.cells},
                        {"leaves_per_cell", a.leaves_per_cell},
                        {"rmse", a.rmse},
                        {"mean_absolute_error", a.mean_absolute_error},
                        {"bias", a.bias}});
  }
  json cells = json::array();
  for (std::size_t i = 0; i < r.values.size(); ++i)
    cells.push_back({{"key", key_of(result.table, i)}, {"published", r.values[i]}});
  const json out = {{"name", result.table.name},
                    {"format", "sdc-audit/1"},
                    {"mode", "differential_privacy"},
                    {"privacy",
                     {{"mechanism", sdc::to_code(r.budget.mechanism)},
                      {"unit", "one person, counted in one leaf cell (add or remove one)"},
                      {"guarantee", gaussian ? "rho-zCDP" : "epsilon-DP"},
                      {gaussian ? "rho" : "epsilon", gaussian ? r.budget.rho : r.budget.epsilon},
                      {"leaf_noise_variance", r.leaf_noise_variance},
                      {"post_processing",
                       "leaves clamped at 0; every margin the sum of its leaves (integer, non-negative, additive)"}}},
                    {"accuracy", accuracy},
                    {"dimensions", dimensions_json(result.table)},
                    {"cells", cells}};
  return out.dump(1) + '\n';
}

std::string to_release_csv(const SdcReleaseResult& result) {
  std::vector<sdc::Status> none(result.table.values.size(), sdc::Status::kSafe);
  sdc::Table released = result.table;
  released.values = result.release.values;
  return to_pattern_csv(released, none);
}

}  // namespace rapporteur::app
