#include "app/publish.h"

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

Result<void> record_unrecorded_release(store::Store& store, const std::filesystem::path& folder, const std::string& actor) {
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
  for (const auto& path : request.specs) {
    ASSIGN_OR_RETURN(const auto spec, tables::read_spec(path));
    ASSIGN_OR_RETURN(auto table, tables::build(store, spec));
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
  RETURN_IF_ERROR(store.audit({utc_now_iso(), request.actor, kAction,
                               fmt::format("release {}: {}", result.release.id, names)}));
  return result;
}

}  // namespace rapporteur::app
