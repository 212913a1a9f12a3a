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

tables::PersonClustering table_persons(LinkageMethod method) {
  auto linked = std::make_shared<std::map<std::vector<std::uint64_t>, std::vector<std::uint32_t>>>();
  return [method, linked](const std::vector<Registration>& registrations,
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
    ASSIGN_OR_RETURN(auto run, link_registrations(registrations, std::move(sources), method));
    linked->emplace(std::move(fingerprints), run.cluster);
    return std::move(run.cluster);
  };
}

Result<void> record_unrecorded_release(store::Store& store, const std::filesystem::path& folder,
                                       const std::string& actor) {
  const std::string served = tables::served_release(folder);
  if (served.empty()) return ok();
  ASSIGN_OR_RETURN(const bool known, recorded(store, served));
  if (known) return ok();
  return store.audit({utc_now_iso(), actor, kAction, fmt::format("release {} (recorded after a crash)", served)});
}

Result<PublishResult> publish(store::Store& store, const PublishRequest& request) {
  // A release served without its record (a crash right after the switch) is recorded first.
  RETURN_IF_ERROR(record_unrecorded_release(store, request.folder, request.actor));
  std::vector<tables::BuiltTable> built;
  const auto persons = table_persons(request.linkage);
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
  ASSIGN_OR_RETURN(result.release, tables::publish_release(request.folder, files));
  crash_point();  // Served but not yet recorded: the next publish records it.
  std::string names;
  for (const auto& t : result.report.tables) names += (names.empty() ? "" : ", ") + t.built.spec.name;
  RETURN_IF_ERROR(
      store.audit({utc_now_iso(), request.actor, kAction, fmt::format("release {}: {}", result.release.id, names)}));
  return result;
}

}  // namespace rapporteur::app
