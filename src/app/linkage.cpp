#include "app/linkage.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/linkage_across.h"
#include "linkage/person_ids.h"
#include "linkage/persons.h"

namespace rapporteur::app {
namespace {

bool has_comparison_fields(const Registration& r) {
  const ComparisonKeys& c = r.comparison;
  return !c.first_name_key.empty() || !c.last_name_key.empty() || !c.birth_year_key.empty() ||
         !c.national_id_key.empty();
}

linkage::PersonFields person_fields(const Registration& r, std::uint32_t source) {
  return {.source = source,
          .keys = r.comparison,
          .sex = std::string(to_code(r.sex)),
          .nationality = r.nationality.value_or(""),
          .region = r.region_code.value_or("")};
}

// FNV-1a over the fields with a separator after each, finished by splitmix64's mixer.
class Fingerprint {
 public:
  Fingerprint& add(std::string_view text) {
    for (const char c : text) step(static_cast<unsigned char>(c));
    step(0x1f);
    return *this;
  }
  Fingerprint& add(std::int64_t number) { return add(std::string_view(std::to_string(number))); }
  std::uint64_t value() const { return mix(hash_); }
  static std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }

 private:
  void step(unsigned char c) { hash_ = (hash_ ^ c) * 0x100000001b3ULL; }
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

// The source's record reference (record_id) is left out: it is not linkage content, so a batch
// reloaded with references added keeps its records' person ids.
std::uint64_t fingerprint_of(const Registration& r) {
  Fingerprint f;
  f.add(r.source_code).add(r.person_key).add(r.year).add(to_code(r.mandate)).add(to_code(r.role));
  f.add(r.exploitation_form ? to_code(*r.exploitation_form) : "-");
  f.add(r.offence_type ? to_code(*r.offence_type) : "-");
  f.add(to_code(r.sex)).add(r.age.value_or(-1)).add(r.nationality.value_or("-")).add(r.region_code.value_or("-"));
  f.add(r.chain_stage ? to_code(*r.chain_stage) : "-").add(to_code(r.residence_status));
  f.add(r.name_key.value_or("-")).add(r.name_bloom).add(r.birth_bloom);
  const ComparisonKeys& c = r.comparison;
  f.add(c.first_name_bloom).add(c.last_name_bloom).add(c.first_name_key).add(c.last_name_key);
  f.add(c.birth_year_key).add(c.birth_year_pair_key).add(c.birth_year_pair_odd_key).add(c.birth_month_key);
  f.add(c.birth_day_key).add(c.birth_first_of_january ? 1 : 0).add(c.national_id_key);
  return f.value();
}

}  // namespace

Result<PersonIdChanges> keep_person_ids(store::Store& store, const store::PersonIdScope& scope, LinkageRun& run) {
  const auto fingerprints = record_fingerprints(run.registrations);
  std::int64_t clusters = 0;
  for (const auto c : run.cluster) clusters = std::max<std::int64_t>(clusters, std::int64_t{c} + 1);
  PersonIdChanges changes;
  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const auto stored, store.person_ids(scope));
    ASSIGN_OR_RETURN(const std::int64_t next_id, store.next_person_id());
    std::vector<linkage::PersonIdRow> previous;
    previous.reserve(stored.size());
    for (const auto& row : stored) previous.push_back({row.record, row.person});
    ASSIGN_OR_RETURN(const auto ids,
                     linkage::assign_person_ids(fingerprints, run.cluster, clusters, previous, next_id));
    std::vector<store::PersonIdRow> rows;
    rows.reserve(ids.rows.size());
    for (const auto& row : ids.rows) rows.push_back({row.record, row.person});
    RETURN_IF_ERROR(store.replace_person_ids(scope, rows, ids.next_id));
    run.person_id.clear();
    for (const auto c : run.cluster) run.person_id.push_back(ids.of_cluster[c]);
    changes = {.kept = ids.kept, .unchanged = ids.unchanged, .added = ids.added, .retired = ids.retired};
    return ok();
  }));
  return changes;
}

std::vector<std::uint64_t> record_fingerprints(const std::vector<Registration>& registrations) {
  std::vector<std::uint64_t> result;
  result.reserve(registrations.size());
  std::unordered_map<std::uint64_t, std::uint64_t> repeats;
  for (const Registration& r : registrations) {
    const std::uint64_t base = fingerprint_of(r);
    const std::uint64_t occurrence = repeats[base]++;
    result.push_back(occurrence == 0 ? base : Fingerprint::mix(base ^ (occurrence * 0x9e3779b97f4a7c15ULL)));
  }
  return result;
}

Result<intake::RotationReport> rotate_key(store::Store& store, const std::filesystem::path& key_file) {
  // Per linkage scope that keeps person ids: its registrations' fingerprints before re-keying,
  // in the store's order (by row id, which a rotation keeps).
  struct Scope {
    store::PersonIdScope scope;
    std::vector<std::uint64_t> before;
  };
  std::vector<Scope> scopes;
  const auto fingerprints_of = [&store](const store::PersonIdScope& scope) -> Result<std::vector<std::uint64_t>> {
    if (scope.is_across()) {
      // As link_across saw them: every year and role of the mandate, sources widened.
      ASSIGN_OR_RETURN(const auto years, mandate_years(store, scope.mandate));
      if (!years) return std::vector<std::uint64_t>{};
      ASSIGN_OR_RETURN(const auto widened, widened_registrations(store, scope.mandate, years->first, years->second));
      return record_fingerprints(widened.registrations);
    }
    ASSIGN_OR_RETURN(const auto registrations,
                     store.registrations({.year = scope.year, .mandate = scope.mandate, .role = scope.role}));
    return record_fingerprints(registrations);
  };
  intake::RotationHooks hooks;
  hooks.before_rekey = [&]() -> Result<void> {
    scopes.clear();
    ASSIGN_OR_RETURN(const auto counts, store.registration_counts());
    for (const auto& count : counts) {
      const store::PersonIdScope scope{.year = count.year, .mandate = count.mandate, .role = count.role};
      ASSIGN_OR_RETURN(const auto kept, store.person_ids(scope));
      if (kept.empty()) continue;
      ASSIGN_OR_RETURN(auto before, fingerprints_of(scope));
      scopes.push_back({scope, std::move(before)});
    }
    for (const Mandate mandate : {Mandate::kHumanTrafficking, Mandate::kSexualViolenceAgainstChildren}) {
      const auto scope = store::PersonIdScope::across(mandate);
      ASSIGN_OR_RETURN(const auto kept, store.person_ids(scope));
      if (kept.empty()) continue;
      ASSIGN_OR_RETURN(auto before, fingerprints_of(scope));
      scopes.push_back({scope, std::move(before)});
    }
    return ok();
  };
  hooks.after_rekey = [&]() -> Result<void> {
    ASSIGN_OR_RETURN(const std::int64_t next_id, store.next_person_id());
    for (const Scope& s : scopes) {
      ASSIGN_OR_RETURN(const auto after, fingerprints_of(s.scope));
      if (after.size() != s.before.size()) {
        return fail(ErrorCode::kInternal, "a key rotation changed the number of registrations");
      }
      std::unordered_map<std::uint64_t, std::uint64_t> renamed;
      for (std::size_t i = 0; i < after.size(); ++i) renamed.emplace(s.before[i], after[i]);
      ASSIGN_OR_RETURN(auto rows, store.person_ids(s.scope));
      std::vector<store::PersonIdRow> kept;
      kept.reserve(rows.size());
      for (const auto& row : rows) {
        // A record no longer stored (its batch replaced) keeps no id, as in a linkage run.
        if (const auto found = renamed.find(row.record); found != renamed.end()) {
          kept.push_back({found->second, row.person});
        }
      }
      RETURN_IF_ERROR(store.replace_person_ids(s.scope, kept, next_id));
    }
    return ok();
  };
  return intake::rotate_key(store, key_file, hooks);
}

std::string_view to_code(LinkageMethod method) {
  return method == LinkageMethod::kDeterministic ? "deterministic" : "probabilistic";
}

Result<LinkageMethod> parse_linkage_method(std::string_view code) {
  if (code == "deterministic") return LinkageMethod::kDeterministic;
  if (code == "probabilistic") return LinkageMethod::kProbabilistic;
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown linkage method '{}'; expected deterministic or probabilistic", code));
}

Result<LinkageRun> link_registrations(std::vector<Registration> registrations, std::vector<std::string> sources,
                                      LinkageMethod method, std::optional<LinkThresholds> thresholds,
                                      const ReviewInput& review) {
  LinkageRun run;
  run.method = method;
  run.registrations = std::move(registrations);
  run.sources = std::move(sources);
  if (method == LinkageMethod::kProbabilistic) {
    const auto without = std::count_if(run.registrations.begin(), run.registrations.end(),
                                       [](const Registration& r) { return !has_comparison_fields(r); });
    if (without > 0) {
      run.method = LinkageMethod::kDeterministic;
      run.note = fmt::format(
          "{} of {} registrations have no comparison fields (loaded before schema 11 or "
          "with --no-bloom): linked deterministically",
          without, run.registrations.size());
      spdlog::warn("{}", run.note);
    }
  }
  if (run.method == LinkageMethod::kDeterministic) {
    run.cluster = linkage::key_clusters(run.registrations);
  } else {
    std::map<std::string, std::uint32_t> source_index;
    for (std::size_t i = 0; i < run.sources.size(); ++i)
      source_index.emplace(run.sources[i], static_cast<std::uint32_t>(i));
    std::vector<linkage::PersonFields> fields;
    fields.reserve(run.registrations.size());
    for (const Registration& r : run.registrations) {
      const auto it = source_index.find(r.source_code);
      if (it == source_index.end()) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("registration from source '{}', which is not among the listed sources", r.source_code));
      }
      fields.push_back(person_fields(r, it->second));
    }
    ASSIGN_OR_RETURN(const auto records, linkage::person_records(fields));
    auto options = linkage::person_link_options();
    if (thresholds) {
      options.match_threshold = thresholds->match;
      options.cluster_support = thresholds->cluster_support;
    }
    options.decisions = review.decisions;
    options.review_band = review.band;
    ASSIGN_OR_RETURN(run.probabilistic, linkage::link_records(records, options));
    run.cluster = run.probabilistic->cluster;
  }
  ASSIGN_OR_RETURN(run.persons, linkage::persons_of_clusters(run.registrations, run.sources, run.cluster));
  run.histories = linkage::histories_of(run.persons, run.sources);
  spdlog::info("{} registrations linked {} into {} persons", run.registrations.size(), to_code(run.method),
               run.persons.size());
  return run;
}

IndexedDecisions index_decisions(const std::vector<std::int64_t>& record_ids,
                                 const std::vector<store::PairDecisionRow>& decided) {
  IndexedDecisions indexed;
  if (decided.empty()) return indexed;
  std::unordered_map<std::int64_t, std::uint32_t> index_of;
  for (std::size_t i = 0; i < record_ids.size(); ++i) index_of.emplace(record_ids[i], static_cast<std::uint32_t>(i));
  for (const auto& d : decided) {
    const auto first = index_of.find(d.first);
    const auto second = index_of.find(d.second);
    // A replaced batch took the record with it: the decision no longer names a record.
    if (first == index_of.end() || second == index_of.end()) {
      ++indexed.ignored;
      continue;
    }
    if (d.decision == store::ReviewDecision::kUnsure) continue;
    indexed.decisions.push_back({first->second, second->second,
                                 d.decision == store::ReviewDecision::kMatch ? linkage::PairDecision::kMatch
                                                                             : linkage::PairDecision::kNonMatch});
  }
  return indexed;
}

Result<LinkageRun> run_linkage(store::Store& store, const LinkageRequest& request) {
  ASSIGN_OR_RETURN(const Mandate mandate, parse_mandate(request.mandate));
  ASSIGN_OR_RETURN(const Role role, parse_role(request.role));
  const store::RegistrationFilter filter{.year = request.year, .mandate = mandate, .role = role};
  const store::PersonIdScope scope{.year = request.year, .mandate = mandate, .role = role};
  std::vector<Registration> registrations;
  std::vector<std::int64_t> record_ids;
  std::vector<store::PairDecisionRow> decided;
  // One transaction, so that the row ids and the decisions belong to the registrations read.
  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(registrations, store.registrations(filter));
    ASSIGN_OR_RETURN(record_ids, store.registration_ids(filter));
    if (request.method == LinkageMethod::kProbabilistic && request.decisions == ReviewDecisionUse::kApply) {
      ASSIGN_OR_RETURN(decided, store.linkage_decisions(scope));
    }
    return ok();
  }));
  if (record_ids.size() != registrations.size()) {
    return fail(ErrorCode::kConflict, "registrations changed while they were read; try again");
  }
  std::vector<std::string> sources;
  ASSIGN_OR_RETURN(const auto all_sources, store.sources());
  for (const Source& s : all_sources) {
    if (std::any_of(registrations.begin(), registrations.end(),
                    [&](const Registration& r) { return r.source_code == s.code; })) {
      sources.push_back(s.code);
    }
  }
  auto indexed = index_decisions(record_ids, decided);
  ReviewInput review{.decisions = std::move(indexed.decisions), .band = request.review_band};
  const std::int64_t ignored = indexed.ignored;
  ASSIGN_OR_RETURN(auto run, link_registrations(std::move(registrations), std::move(sources), request.method,
                                                request.thresholds, review));
  run.record_ids = std::move(record_ids);
  if (run.probabilistic) {
    run.decisions_applied = static_cast<std::int64_t>(review.decisions.size());
    run.decisions_ignored = ignored;
  }
  if (request.person_ids == PersonIdUse::kKeep) {
    ASSIGN_OR_RETURN(run.person_id_changes, keep_person_ids(store, scope, run));
  }
  return run;
}

Result<linkage::Histories> link_year(store::Store& store, int year, const std::string& mandate_code,
                                     const std::string& role_code, LinkageMethod method) {
  ASSIGN_OR_RETURN(auto run,
                   run_linkage(store, {.year = year, .mandate = mandate_code, .role = role_code, .method = method}));
  return std::move(run.histories);
}

LinkageReport report_linkage(const LinkageRun& run) {
  LinkageReport report;
  report.method = run.method;
  report.note = run.note;
  report.person_ids = run.person_id_changes;
  report.registrations = static_cast<std::int64_t>(run.registrations.size());
  report.persons = static_cast<std::int64_t>(run.persons.size());
  for (const Registration& r : run.registrations) {
    if (r.comparison.national_id_key.empty() && r.comparison.birth_year_key.empty() && has_comparison_fields(r)) {
      ++report.weakly_linkable;
    }
  }
  std::map<std::uint32_t, std::int64_t> size_of;
  for (const auto c : run.cluster) ++size_of[c];
  std::map<std::int64_t, std::int64_t> by_size;
  for (const auto& [c, size] : size_of) ++by_size[size];
  report.clusters_by_size.assign(by_size.begin(), by_size.end());
  for (std::size_t s = 0; s < run.sources.size(); ++s) {
    report.persons_per_source.emplace_back(run.sources[s], std::count_if(run.persons.begin(), run.persons.end(),
                                                                         [&](const auto& p) { return p.seen[s]; }));
    for (std::size_t t = s + 1; t < run.sources.size(); ++t) {
      report.overlaps.push_back({run.sources[s], run.sources[t],
                                 std::count_if(run.persons.begin(), run.persons.end(),
                                               [&](const auto& p) { return p.seen[s] && p.seen[t]; })});
    }
  }
  if (!run.probabilistic) return report;
  const linkage::LinkResult& result = *run.probabilistic;
  report.candidate_pairs = result.candidate_pairs;
  report.links = static_cast<std::int64_t>(result.links.size());
  report.duplicates = static_cast<std::int64_t>(result.duplicates.size());
  report.rejected_weak_bridges = result.rejected_weak_bridges;
  report.rejected_same_source = result.rejected_same_source;
  report.rejected_non_match = result.rejected_non_match;
  report.refused_matches = result.refused_matches;
  report.decisions_applied = run.decisions_applied;
  report.decisions_ignored = run.decisions_ignored;
  report.prior = result.model.prior;
  report.em_iterations = result.model.em_iterations;
  report.converged = result.model.converged;
  report.blocking = result.blocking;
  double posterior_sum = 0;
  for (const auto& link : result.links) posterior_sum += link.probability;
  report.expected_precision = result.links.empty() ? 1.0 : posterior_sum / static_cast<double>(result.links.size());
  // Bands of 5 log2 units from the threshold up; the top band is open.
  constexpr std::array kEdges{40.0, 30.0, 25.0, 20.0, 15.0, 10.0, 5.0, 0.0};
  double upper = std::numeric_limits<double>::infinity();
  for (const double edge : kEdges) {
    report.bands.push_back({edge, upper, 0});
    upper = edge;
  }
  report.bands.push_back({-std::numeric_limits<double>::infinity(), 0.0, 0});
  for (const auto& link : result.links) {
    for (auto& band : report.bands) {
      if (link.weight >= band.from && link.weight < band.to) {
        ++band.links;
        break;
      }
    }
  }
  return report;
}

std::string to_text(const LinkageReport& report) {
  std::string out = fmt::format("Linkage: {}\n", to_code(report.method));
  if (!report.note.empty()) out += fmt::format("Note: {}\n", report.note);
  out += fmt::format("{} registrations ({} weakly linkable: a name without id number or date of birth) -> {} persons\n",
                     report.registrations, report.weakly_linkable, report.persons);
  if (report.person_ids) {
    out += fmt::format("Person ids: {} kept ({} with the same records), {} new, {} retired\n", report.person_ids->kept,
                       report.person_ids->unchanged, report.person_ids->added, report.person_ids->retired);
  }
  out += "Clusters by size:";
  for (const auto& [size, clusters] : report.clusters_by_size) out += fmt::format(" {}:{}", size, clusters);
  out += "\nPersons per source:";
  for (const auto& [source, persons] : report.persons_per_source) out += fmt::format(" {} {}", source, persons);
  out += "\nOverlap per source pair (persons registered by both):\n";
  for (const auto& o : report.overlaps) out += fmt::format("  {} & {}: {}\n", o.first, o.second, o.persons);
  if (report.method != LinkageMethod::kProbabilistic) return out;
  out += fmt::format("Model: prior {:.3g}, EM {} iterations{}\n", report.prior, report.em_iterations,
                     report.converged ? "" : " (not converged)");
  out += fmt::format(
      "Candidate pairs {}, links {} (expected precision {:.4f}), same-source duplicates {}, "
      "links not followed: {} weak bridges, {} same source\n",
      report.candidate_pairs, report.links, report.expected_precision, report.duplicates, report.rejected_weak_bridges,
      report.rejected_same_source);
  out += fmt::format(
      "Clerical review: {} decisions applied, {} ignored (a record has gone); {} links not followed for a "
      "non-match, {} matches not followed (a non-match forbids them)\n",
      report.decisions_applied, report.decisions_ignored, report.rejected_non_match, report.refused_matches);
  out += "Blocking (pairs / new / oversized blocks):\n";
  for (const auto& b : report.blocking) {
    out += fmt::format("  {}: {} / {} / {}\n", b.rule, b.pairs, b.new_pairs, b.oversized_blocks);
  }
  out += "Links per weight band (log2):\n";
  for (const auto& band : report.bands) {
    if (band.links == 0) continue;
    const std::string from = std::isinf(band.from) ? "below" : fmt::format("{:g}", band.from);
    const std::string to = std::isinf(band.to) ? "up" : fmt::format("{:g}", band.to);
    out += fmt::format("  {} .. {}: {}\n", from, to, band.links);
  }
  return out;
}

}  // namespace rapporteur::app
