#include "app/publish.h"

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "core/crash_point.h"
#include "core/time.h"

namespace rapporteur::app {
namespace {

constexpr const char* kAction = "publish";

// True when the audit log's recent entries record the release `id` (a table or an estimate
// publication).
Result<bool> recorded(store::Store& store, const std::string& id) {
  ASSIGN_OR_RETURN(const auto entries, store.audit_log(1000));
  for (const auto& e : entries) {
    if ((e.action == kAction || e.action == "publish_estimate") && e.detail.starts_with("release " + id)) return true;
  }
  return false;
}

}  // namespace

tables::PersonClustering table_persons(store::Store& store, LinkageMethod method) {
  auto linked = std::make_shared<std::map<std::vector<std::uint64_t>, std::vector<std::uint32_t>>>();
  return [&store, method, linked](const std::vector<Registration>& registrations,
                                  const std::vector<std::string>& all_sources) -> Result<std::vector<std::uint32_t>> {
    auto fingerprints = record_fingerprints(registrations);
    if (const auto found = linked->find(fingerprints); found != linked->end()) return found->second;
    std::vector<std::string> sources;
    for (const auto& s : all_sources) {
      if (std::any_of(registrations.begin(), registrations.end(),
                      [&s](const Registration& r) { return r.source_code == s; })) {
        sources.push_back(s);
      }
    }
    ReviewInput review;
    const bool one_scope =
        !registrations.empty() && std::all_of(registrations.begin(), registrations.end(), [&](const Registration& r) {
          return r.year == registrations.front().year && r.mandate == registrations.front().mandate &&
                 r.role == registrations.front().role;
        });
    if (method == LinkageMethod::kProbabilistic && one_scope) {
      const Registration& first = registrations.front();
      const store::RegistrationFilter filter{.year = first.year, .mandate = first.mandate, .role = first.role};
      std::vector<store::PairDecisionRow> decided;
      std::vector<Registration> stored;
      std::vector<std::int64_t> ids;
      RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
        ASSIGN_OR_RETURN(decided,
                         store.linkage_decisions({.year = first.year, .mandate = first.mandate, .role = first.role}));
        if (decided.empty()) return ok();
        ASSIGN_OR_RETURN(stored, store.registrations(filter));
        ASSIGN_OR_RETURN(ids, store.registration_ids(filter));
        return ok();
      }));
      if (!decided.empty()) {
        // Decisions name stored rows: they apply only to the registrations as stored now.
        if (stored != registrations || ids.size() != stored.size()) {
          return fail(ErrorCode::kConflict,
                      fmt::format("the registrations of {} changed while its table was built; try again", first.year));
        }
        review.decisions = index_decisions(ids, decided).decisions;
      }
    }
    ASSIGN_OR_RETURN(auto run, link_registrations(registrations, std::move(sources), method, std::nullopt, review));
    linked->emplace(std::move(fingerprints), run.cluster);
    return std::move(run.cluster);
  };
}

Result<void> record_unrecorded_release(store::Store& store, const std::string& actor) {
  ASSIGN_OR_RETURN(const tables::ServedRelease served, tables::served(store));
  if (served.id.empty()) return ok();
  ASSIGN_OR_RETURN(const bool known, recorded(store, served.id));
  if (known) return ok();
  return store.audit({utc_now_iso(), actor, kAction, fmt::format("release {} (adopted, recorded late)", served.id)});
}

Result<void> adopt_published_folder(store::Store& store, const std::filesystem::path& folder,
                                    const std::string& actor) {
  ASSIGN_OR_RETURN(const bool adopted, tables::adopt_folder_release(store, folder));
  if (!adopted) return ok();
  return record_unrecorded_release(store, actor);
}

std::string mirror_published_folder(store::Store& store, const std::filesystem::path& folder) {
  if (folder.empty()) return "";
  const auto mirrored = tables::mirror_release(store, folder);
  if (mirrored) return "";
  return fmt::format("the release is served, but its copy in {} was not updated: {}", folder.string(),
                     mirrored.error().message);
}

Result<PublishResult> publish(store::Store& store, const PublishRequest& request) {
  // A folder published before releases were kept in the store is brought in first, so that
  // this release carries its tables.
  RETURN_IF_ERROR(adopt_published_folder(store, request.folder, request.actor));
  std::vector<tables::BuiltTable> built;
  const auto persons = table_persons(store, request.linkage);
  for (const auto& path : request.specs) {
    ASSIGN_OR_RETURN(const auto spec, tables::read_spec(path));
    ASSIGN_OR_RETURN(auto table, tables::build(store, spec, persons));
    built.push_back(std::move(table));
  }
  PublishResult result;
  ASSIGN_OR_RETURN(result.report, tables::protect(std::move(built)));
  std::vector<tables::ReleaseTable> files;
  for (const auto& t : result.report.tables) {
    files.push_back({t.built.spec.name, tables::to_csv(t.built, t.status, t.shown),
                     tables::to_json(t.built, t.status, t.shown, request.date),
                     [&t, &request](const std::filesystem::path& path) {
                       return tables::write_xlsx(path, t.built, t.status, t.shown, request.date);
                     }});
  }
  std::string names;
  for (const auto& t : result.report.tables) names += (names.empty() ? "" : ", ") + t.built.spec.name;
  // The release and its record in the audit log are one transaction.
  ASSIGN_OR_RETURN(
      result.release, tables::publish_release(store, files, {}, [&](const tables::Release& release) -> Result<void> {
        crash_point();
        return store.audit({utc_now_iso(), request.actor, kAction, fmt::format("release {}: {}", release.id, names)});
      }));
  crash_point();  // Served, the folder's copy not yet updated: the next publication updates it.
  result.warning = mirror_published_folder(store, request.folder);
  return result;
}

}  // namespace rapporteur::app
