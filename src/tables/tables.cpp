#include "tables/tables.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml.hpp>

#include "linkage/linkage.h"

#include "core/utf8.h"

namespace rapporteur::tables {
namespace {

const std::map<std::string, std::string>& labels() {
  static const std::map<std::string, std::string> kLabels{
      {"form:total", "alle vormen"},
      {"form:sexual", "seksuele uitbuiting"},
      {"form:labour", "arbeidsuitbuiting"},
      {"form:criminal", "criminele uitbuiting"},
      {"form:other", "overige uitbuiting"},
      {"form:unknown", "vorm onbekend"},
      {"form:hands_on", "hands-on misbruik"},
      {"form:csam", "afbeeldingen van seksueel kindermisbruik"},
      {"form:grooming", "grooming"},
      {"form:sextortion", "sextortion"},
      {"sex:total", "totaal"},
      {"sex:female", "vrouw"},
      {"sex:male", "man"},
      {"sex:unknown", "overig/onbekend"},
      {"age:total", "alle leeftijden"},
      {"age:minor", "minderjarig"},
      {"age:adult", "meerderjarig"},
      {"age:unknown", "leeftijd onbekend"},
      {"year:total", "alle jaren (personen per jaar opgeteld)"},
      {"region:unknown", "gemeente onbekend"},
      {"stage:total", "alle verdachten"},
      {"stage:reported", "verder niet dan aangifte/melding"},
      {"stage:registered", "verder niet dan ingeschreven bij het OM"},
      {"stage:prosecuted", "vervolgd, (nog) niet veroordeeld"},
      {"stage:convicted", "veroordeeld"},
      {"stage:unknown", "stadium onbekend"}};
  return kLabels;
}

Result<sdc::Dimension> dimension_of(store::RegistrationStore& store, const TableSpec& spec, const std::string& name) {
  std::vector<std::pair<std::string, std::string>> codes;
  std::vector<std::string> names;
  const auto add = [&](std::string code, std::string parent, std::string label) {
    codes.emplace_back(std::move(code), std::move(parent));
    names.push_back(std::move(label));
  };
  if (name == "year") {
    add("total", "", label_of("year", "total"));
    for (int y = spec.first_year; y <= spec.last_year; ++y) add(std::to_string(y), "total", std::to_string(y));
  } else if (name == "region") {
    ASSIGN_OR_RETURN(const auto regions, store.regions());
    const auto country =
        std::find_if(regions.begin(), regions.end(), [](const Region& r) { return r.level == RegionLevel::kCountry; });
    if (country == regions.end()) return fail(ErrorCode::kNotFound, "the store has no country region");
    add(country->code, "", country->name);
    for (const Region& unit : regions) {
      if (unit.level != RegionLevel::kPoliceUnit) continue;
      add(unit.code, country->code, unit.name);
      if (spec.region_level != RegionLevel::kMunicipality) continue;
      for (const Region& m : regions) {
        if (m.level == RegionLevel::kMunicipality && m.parent_code == unit.code) add(m.code, unit.code, m.name);
      }
    }
    add("unknown", country->code, label_of("region", "unknown"));
  } else if (name == "form") {
    add("total", "", label_of("form", "total"));
    if (spec.mandate == Mandate::kHumanTrafficking) {
      for (const auto f : {ExploitationForm::kSexual, ExploitationForm::kLabour, ExploitationForm::kCriminal,
                           ExploitationForm::kOther, ExploitationForm::kUnknown}) {
        add(std::string(to_code(f)), "total", label_of("form", std::string(to_code(f))));
      }
    } else {
      for (const auto f : {OffenceType::kHandsOn, OffenceType::kCsam, OffenceType::kGrooming, OffenceType::kSextortion,
                           OffenceType::kOther, OffenceType::kUnknown}) {
        add(std::string(to_code(f)), "total", label_of("form", std::string(to_code(f))));
      }
    }
  } else if (name == "sex") {
    for (const char* c : {"total", "female", "male", "unknown"})
      add(c, std::string(c) == "total" ? "" : "total", label_of("sex", c));
  } else if (name == "stage") {
    // The furthest stage of the criminal-justice chain any source recorded: additive, so it
    // can be protected; the funnel (at least this far) is its cumulative sum.
    for (const char* c : {"total", "reported", "registered", "prosecuted", "convicted", "unknown"}) {
      add(c, std::string(c) == "total" ? "" : "total", label_of("stage", c));
    }
  } else if (name == "age") {
    for (const char* c : {"total", "minor", "adult", "unknown"})
      add(c, std::string(c) == "total" ? "" : "total", label_of("age", c));
  } else {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("table {}: unknown dimension '{}' (expected year, region, form, sex, age or stage)",
                            spec.name, name));
  }
  return sdc::make_dimension(name, codes, names);
}

}  // namespace

std::string label_of(const std::string& dimension, const std::string& code) {
  const auto it = labels().find(dimension + ":" + code);
  return it == labels().end() ? code : it->second;
}

Result<TableSpec> parse_spec(const std::string& toml_text, const std::string& file_name) {
  const auto bad = [&](const std::string& why) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", file_name, why));
  };
  // TOML is UTF-8; toml11 reads past the end of its buffer on some invalid UTF-8 inside a
  // string (found by fuzzing fuzz/table_spec.cpp), so such a file never reaches it.
  if (const auto invalid = first_invalid_utf8(toml_text)) {
    return bad(fmt::format("not UTF-8 at byte {}; TOML files must be UTF-8", *invalid));
  }
  toml::value root;
  try {
    std::istringstream in(toml_text);
    root = toml::parse(in, file_name);
  } catch (const std::exception& e) {
    return bad(std::string("not valid TOML: ") + e.what());
  }
  TableSpec spec;
  try {
    spec.name = toml::find<std::string>(root, "name");
    spec.title = toml::find<std::string>(root, "title");
    spec.title_en = toml::find_or<std::string>(root, "title_en", spec.title);
    auto mandate = parse_mandate(toml::find_or<std::string>(root, "mandate", "human_trafficking"));
    if (!mandate) return bad("mandate: " + mandate.error().message);
    spec.mandate = *mandate;
    auto role = parse_role(toml::find_or<std::string>(root, "role", "victim"));
    if (!role) return bad("role: " + role.error().message);
    spec.role = *role;
    spec.dimensions = toml::find<std::vector<std::string>>(root, "dimensions");
    const auto years = toml::find<std::vector<int>>(root, "years");
    if (years.size() != 2 || years[0] > years[1]) return bad("years: expected [first, last]");
    spec.first_year = years[0];
    spec.last_year = years[1];
    const std::string level = toml::find_or<std::string>(root, "region_level", "municipality");
    if (level == "municipality")
      spec.region_level = RegionLevel::kMunicipality;
    else if (level == "police_unit")
      spec.region_level = RegionLevel::kPoliceUnit;
    else
      return bad(fmt::format("region_level '{}': expected municipality or police_unit", level));
    spec.footnotes = toml::find_or<std::vector<std::string>>(root, "footnotes", {});
    if (root.contains("protection")) {
      const auto& p = toml::find(root, "protection");
      spec.rule.min_frequency = toml::find_or<std::int64_t>(p, "min_frequency", 10);
      spec.rule.protection_percent = toml::find_or<double>(p, "protection_percent", 30.0);
      spec.rule.min_level = toml::find_or<std::int64_t>(p, "min_level", 1);
      const std::string zeros = toml::find_or<std::string>(p, "zeros", "safe");
      if (zeros != "safe" && zeros != "secondary" && zeros != "unsafe") {
        return bad(fmt::format("protection.zeros '{}': expected safe, secondary or unsafe", zeros));
      }
      spec.rule.zeros = zeros == "safe"        ? sdc::ZeroCells::kSafe
                        : zeros == "secondary" ? sdc::ZeroCells::kSecondary
                                               : sdc::ZeroCells::kUnsafe;
      const std::string method = toml::find_or<std::string>(p, "method", "suppression");
      if (method != "suppression" && method != "cell_key")
        return bad(fmt::format("protection.method '{}': expected suppression or cell_key", method));
      spec.method = method == "suppression" ? Method::kSuppression : Method::kCellKey;
    }
  } catch (const std::exception& e) {
    return bad(e.what());
  }
  if (spec.name.empty() || spec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
    return bad(fmt::format("name '{}' must be lower-case letters, digits, '-' or '_'", spec.name));
  }
  if (spec.dimensions.empty()) return bad("dimensions: at least one");
  for (std::size_t i = 0; i < spec.dimensions.size(); ++i) {
    const auto& d = spec.dimensions[i];
    if (d != "year" && d != "region" && d != "form" && d != "sex" && d != "age" && d != "stage") {
      return bad(fmt::format("dimensions: unknown '{}' (expected year, region, form, sex, age or stage)", d));
    }
    if (std::count(spec.dimensions.begin(), spec.dimensions.end(), d) > 1)
      return bad(fmt::format("dimensions: '{}' twice", d));
  }
  if (spec.rule.min_frequency < 1) return bad("protection.min_frequency must be at least 1");
  return spec;
}

Result<TableSpec> read_spec(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kIo, fmt::format("{}: cannot open file", path.string()));
  std::stringstream text;
  text << in.rdbuf();
  return parse_spec(text.str(), path.string());
}

PersonClustering exact_keys() {
  return [](const std::vector<Registration>& registrations,
            const std::vector<std::string>&) -> Result<std::vector<std::uint32_t>> {
    return linkage::key_clusters(registrations);
  };
}

Result<BuiltTable> build(store::RegistrationStore& store, const TableSpec& requested,
                         const PersonClustering& persons_of) {
  // The registrations of each year of the range. Years before the first and after the last
  // with any registration of the table's mandate and role had nothing delivered: they are left
  // out (and named in a footnote) rather than published as years with no victims.
  std::vector<std::vector<Registration>> by_year;
  for (int year = requested.first_year; year <= requested.last_year; ++year) {
    ASSIGN_OR_RETURN(auto registrations,
                     store.registrations({.year = year, .mandate = requested.mandate, .role = requested.role}));
    by_year.push_back(std::move(registrations));
  }
  TableSpec spec = requested;
  const auto delivered = [](const std::vector<Registration>& year) { return !year.empty(); };
  const auto first = std::find_if(by_year.begin(), by_year.end(), delivered);
  if (first == by_year.end()) {
    return fail(ErrorCode::kNotFound,
                fmt::format("table {}: no {} {} registrations in {}-{}", spec.name, to_code(spec.role),
                            to_code(spec.mandate), spec.first_year, spec.last_year));
  }
  const auto last = std::find_if(by_year.rbegin(), by_year.rend(), delivered).base();
  spec.first_year = requested.first_year + static_cast<int>(first - by_year.begin());
  spec.last_year = requested.first_year + static_cast<int>(last - by_year.begin()) - 1;
  by_year = std::vector<std::vector<Registration>>(std::make_move_iterator(first), std::make_move_iterator(last));
  const auto span = [](int from, int to) { return from == to ? std::to_string(from) : fmt::format("{}-{}", from, to); };
  if (spec.first_year > requested.first_year || spec.last_year < requested.last_year) {
    std::vector<std::string> left_out;
    if (spec.first_year > requested.first_year) left_out.push_back(span(requested.first_year, spec.first_year - 1));
    if (spec.last_year < requested.last_year) left_out.push_back(span(spec.last_year + 1, requested.last_year));
    spec.footnotes.push_back(
        fmt::format("Geen gegevens aangeleverd over {}; die jaren zijn weggelaten.", fmt::join(left_out, " en ")));
  }
  BuiltTable built;
  built.spec = spec;
  built.table.name = spec.name;
  for (const auto& d : spec.dimensions) {
    ASSIGN_OR_RETURN(auto dim, dimension_of(store, spec, d));
    built.table.dimensions.push_back(std::move(dim));
  }
  built.table.values.assign(built.table.cell_count(), 0);
  std::vector<double> key_sums(built.table.cell_count(), 0.0);
  ASSIGN_OR_RETURN(const auto regions, store.regions());
  std::map<std::string, std::string> unit_of;
  for (const Region& r : regions) {
    if (r.level == RegionLevel::kMunicipality && r.parent_code) unit_of[r.code] = *r.parent_code;
  }
  ASSIGN_OR_RETURN(const auto all_sources, store.sources());
  std::vector<std::string> sources;
  for (const auto& s : all_sources) sources.push_back(s.code);
  std::vector<std::map<std::string, int>> position(built.table.dimensions.size());
  for (std::size_t d = 0; d < position.size(); ++d) {
    for (std::size_t c = 0; c < built.table.dimensions[d].codes.size(); ++c)
      position[d][built.table.dimensions[d].codes[c]] = static_cast<int>(c);
  }
  std::vector<char> contributed(sources.size(), 0);
  for (int year = spec.first_year; year <= spec.last_year; ++year) {
    const auto& registrations = by_year[static_cast<std::size_t>(year - spec.first_year)];
    for (const auto& r : registrations) {
      const auto at = std::find(sources.begin(), sources.end(), r.source_code) - sources.begin();
      if (at < static_cast<std::ptrdiff_t>(sources.size())) contributed[static_cast<std::size_t>(at)] = 1;
    }
    ASSIGN_OR_RETURN(const auto cluster, persons_of(registrations, sources));
    if (cluster.size() != registrations.size()) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("table {}, year {}: the linkage gave {} clusters for {} registrations", spec.name, year,
                              cluster.size(), registrations.size()));
    }
    ASSIGN_OR_RETURN(const auto persons, linkage::persons_of_clusters(registrations, sources, cluster));
    for (const auto& p : persons) {
      // Each dimension's chain from the leaf to the root.
      std::vector<std::vector<int>> chains;
      for (std::size_t d = 0; d < built.table.dimensions.size(); ++d) {
        const auto& name = built.table.dimensions[d].name;
        std::string code;
        if (name == "year")
          code = std::to_string(year);
        else if (name == "region") {
          code = p.region;
          if (spec.region_level == RegionLevel::kPoliceUnit)
            code = unit_of.count(p.region) ? unit_of[p.region] : "unknown";
        } else if (name == "form")
          code = p.classification;
        else if (name == "sex")
          code = p.sex == Sex::kFemale ? "female" : p.sex == Sex::kMale ? "male" : "unknown";
        else if (name == "stage")
          code = p.furthest_stage ? std::string(to_code(*p.furthest_stage)) : "unknown";
        else
          code = p.age_group;
        auto it = position[d].find(code);
        if (it == position[d].end()) it = position[d].find("unknown");
        if (it == position[d].end()) {
          return fail(ErrorCode::kInvalidArgument,
                      fmt::format("table {}: value '{}' has no place in dimension {}", spec.name, code, name));
        }
        std::vector<int> chain;
        for (int c = it->second; c >= 0; c = built.table.dimensions[d].parents[static_cast<std::size_t>(c)])
          chain.push_back(c);
        chains.push_back(std::move(chain));
      }
      const double key = sdc::record_key(p.key);
      std::vector<int> at(chains.size(), 0);
      std::function<void(std::size_t)> visit = [&](std::size_t d) {
        if (d == chains.size()) {
          const std::size_t i = built.table.index(at);
          ++built.table.values[i];
          key_sums[i] += key;
          return;
        }
        for (const int c : chains[d]) {
          at[d] = c;
          visit(d + 1);
        }
      };
      visit(0);
    }
  }
  built.cell_keys.resize(key_sums.size());
  for (std::size_t i = 0; i < key_sums.size(); ++i) built.cell_keys[i] = key_sums[i] - std::floor(key_sums[i]);
  for (std::size_t s = 0; s < sources.size(); ++s) {
    if (contributed[s]) built.sources.push_back(sources[s]);
  }
  return built;
}

Result<ProtectionReport> protect(std::vector<BuiltTable> tables, const sdc::AuditOptions& audit_options) {
  ProtectionReport report;
  // Tables share cells only when they count the same population (mandate and role): each
  // such group is one suppression problem; tables of other groups are unrelated.
  std::map<std::pair<Mandate, Role>, std::vector<std::size_t>> groups;
  for (std::size_t t = 0; t < tables.size(); ++t) {
    if (tables[t].spec.method == Method::kSuppression)
      groups[{tables[t].spec.mandate, tables[t].spec.role}].push_back(t);
  }
  std::vector<std::vector<sdc::Status>> status(tables.size());
  for (const auto& [population, members] : groups) {
    sdc::Problem problem;
    for (const auto t : members) {
      if (!problem.tables.empty() && (tables[t].spec.rule.min_frequency != problem.rule.min_frequency ||
                                      tables[t].spec.rule.zeros != problem.rule.zeros)) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("table {} shares cells with {} but has another protection rule", tables[t].spec.name,
                                problem.tables.front().name));
      }
      problem.rule = tables[t].spec.rule;
      problem.tables.push_back(tables[t].table);
    }
    ASSIGN_OR_RETURN(const auto protection, sdc::protect(problem));
    ASSIGN_OR_RETURN(const auto audited,
                     sdc::audit(problem, protection.status, sdc::attacker_for(problem.rule), audit_options));
    if (!audited.passed()) {
      return fail(ErrorCode::kConflict,
                  fmt::format("the audit found {} violations; nothing is published", audited.violations));
    }
    for (std::size_t i = 0; i < members.size(); ++i) status[members[i]] = protection.status[i];
    report.protection.primary_cells += protection.primary_cells;
    report.protection.secondary_cells += protection.secondary_cells;
    report.protection.secondary_units += protection.secondary_units;
    report.protection.repair_rounds += protection.repair_rounds;
    report.protection.released += protection.released;
    report.protection.linear_programmes += protection.linear_programmes;
    report.protection.improvement_trials += protection.improvement_trials;
    report.protection.improvement_cut = report.protection.improvement_cut || protection.improvement_cut;
    // The audit numbers tables within this problem; the report numbers them in `tables`.
    for (auto cell : audited.cells) {
      cell.table = members[cell.table];
      report.audit.cells.push_back(std::move(cell));
    }
    for (auto group : audited.group_disclosures) {
      group.table = members[group.table];
      report.audit.group_disclosures.push_back(std::move(group));
    }
    report.audit.violations += audited.violations;
    report.audit.exact_secondaries += audited.exact_secondaries;
    report.audit.batched_lps += audited.batched_lps;
    report.audit.exact_lps += audited.exact_lps;
  }
  for (std::size_t t = 0; t < tables.size(); ++t) {
    ProtectedTable p;
    const auto& values = tables[t].table.values;
    p.shown.resize(values.size());
    if (tables[t].spec.method == Method::kSuppression) {
      p.status = status[t];
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (p.status[i] == sdc::Status::kSafe || p.status[i] == sdc::Status::kForced) p.shown[i] = values[i];
      }
    } else {
      p.status.assign(values.size(), sdc::Status::kSafe);
      for (std::size_t i = 0; i < values.size(); ++i) {
        ASSIGN_OR_RETURN(p.shown[i], sdc::perturb(values[i], tables[t].cell_keys[i], {}));
      }
    }
    p.built = std::move(tables[t]);
    report.tables.push_back(std::move(p));
  }
  return report;
}

}  // namespace rapporteur::tables
