#include "cli/internal/command.h"

#include <filesystem>

#include "app/paths.h"

namespace rapporteur::cli {

std::string default_profiles() { return app::data_folder("profiles", RAPPORTEUR_PROFILES_DIR).string(); }
std::string default_tables() { return app::data_folder("tables", RAPPORTEUR_TABLES_DIR).string(); }

Result<std::unique_ptr<store::Store>> open_store(const GlobalOptions& global, Creation creation) {
  if (store::is_postgresql_url(global.db)) {
    const auto empty = creation == Creation::kExistingOnly ? store::StoreOptions::Empty::kRefuse
                                                           : store::StoreOptions::Empty::kCreateSchema;
    if (creation == Creation::kCreateWhenAbsent) {
      std::error_code ec;
      std::filesystem::create_directories(global.files, ec);
      if (ec) return fail(ErrorCode::kIo, fmt::format("cannot create folder '{}': {}", global.files, ec.message()));
    }
    auto opened = store::open_postgresql_store(global.db, {.empty = empty});
    if (!opened && opened.error().code == ErrorCode::kNotFound) {
      return fail(ErrorCode::kNotFound, fmt::format("no instance in {} (create one with `rapporteur --db URL init` "
                                                    "or `rapporteur --db URL demo`)",
                                                    global.db_for_display()));
    }
    return opened;
  }
  const std::filesystem::path path(global.db);
  if (creation == Creation::kExistingOnly && !std::filesystem::exists(path)) {
    return fail(ErrorCode::kNotFound, fmt::format("no instance at '{}' (create one with `rapporteur --db {} init` "
                                                  "or `rapporteur --db {} demo`)",
                                                  global.db, global.db, global.db));
  }
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return fail(ErrorCode::kIo,
                  fmt::format("cannot create folder '{}': {}", path.parent_path().string(), ec.message()));
    }
  }
  return store::open_sqlite_store(path);
}

Result<std::unique_ptr<kb::KnowledgeBase>> open_kb(store::Store& store, const GlobalOptions& global) {
  return kb::KnowledgeBase::open(store, {.folder = global.kb_path()});
}

app::InstancePaths instance_paths(const GlobalOptions& global) {
  return {.key = global.key_path(),
          .profiles = global.profiles,
          .tables = global.tables,
          .published = global.beside_db("published"),
          .reports = global.beside_db("reports"),
          .uploads = global.beside_db("uploads")};
}

app::Workspace workspace_of(const GlobalOptions& global, kb::KnowledgeBase* knowledge_base) {
  return app::Workspace([global] { return open_store(global); }, knowledge_base, instance_paths(global));
}

int finish(Context& context, const Result<void>& result) {
  if (result) return kExitOk;
  context.err << "rapporteur: " << result.error().message << '\n';
  return kExitFailure;
}

}  // namespace rapporteur::cli
