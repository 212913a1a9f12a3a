#include "app/linkage_evaluation.h"

#include <unordered_map>

#include "linkage/strata.h"

namespace rapporteur::app {
namespace {

// The MSE total of a year's histories with all strata together.
Result<double> estimate_total(const linkage::Histories& histories, const mse::SelectionOptions& selection) {
  ASSIGN_OR_RETURN(const auto strata, linkage::strata(histories, {}, {}));
  ASSIGN_OR_RETURN(
      const auto estimate,
      mse::select_and_estimate(mse::CaptureTable{histories.sources, strata.front().counts}, selection, ""));
  return estimate.search.models.front().total;
}

}  // namespace

Result<DemoLinkageScore> score_demo_linkage(const demo::World& world, store::Store& store,
                                            const LinkageRequest& request, const mse::SelectionOptions& selection) {
  ASSIGN_OR_RETURN(const auto run, run_linkage(store, request));
  ASSIGN_OR_RETURN(const Mandate mandate, parse_mandate(request.mandate));
  ASSIGN_OR_RETURN(const Role role, parse_role(request.role));
  ASSIGN_OR_RETURN(const auto truth,
                   demo::stored_record_persons(world, store, {.year = request.year, .mandate = mandate, .role = role}));
  // The demo's person identifiers as entity numbers, and as the true clustering.
  std::unordered_map<std::string, std::uint32_t> entity_of;
  std::vector<std::uint64_t> entity;
  std::vector<std::uint32_t> true_cluster;
  for (const auto& person : truth) {
    const auto [it, inserted] = entity_of.emplace(person, static_cast<std::uint32_t>(entity_of.size()));
    entity.push_back(it->second);
    true_cluster.push_back(it->second);
  }
  DemoLinkageScore score;
  score.method = run.method;
  score.pairs = linkage::score_clusters(run.cluster, entity);
  score.registrations = static_cast<std::int64_t>(run.registrations.size());
  score.persons = static_cast<std::int64_t>(run.persons.size());
  score.true_persons = static_cast<std::int64_t>(entity_of.size());
  ASSIGN_OR_RETURN(score.estimate_linked, estimate_total(run.histories, selection));
  ASSIGN_OR_RETURN(const auto true_persons, linkage::persons_of_clusters(run.registrations, run.sources, true_cluster));
  ASSIGN_OR_RETURN(score.estimate_true_table,
                   estimate_total(linkage::histories_of(true_persons, run.sources), selection));
  if (role == Role::kVictim) {
    for (const demo::TruthCell& cell : world.truth) {
      if (cell.year == request.year && cell.mandate == mandate) score.true_population += cell.true_count;
    }
  }
  return score;
}

}  // namespace rapporteur::app
