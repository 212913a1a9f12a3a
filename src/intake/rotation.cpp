#include "intake/rotation.h"

#include <fmt/format.h>

#include "core/crash_point.h"
#include "core/files.h"
#include "intake/pseudonym.h"

namespace rapporteur::intake {

namespace {

std::filesystem::path next_file(const std::filesystem::path& key_file) { return key_file.string() + ".next"; }

Result<void> replace_key_file(const std::filesystem::path& key_file) {
  std::error_code ec;
  std::filesystem::rename(next_file(key_file), key_file, ec);
  if (ec) {
    return fail(ErrorCode::kIo, fmt::format("cannot replace key file '{}': {}", key_file.string(), ec.message()));
  }
  RETURN_IF_ERROR(sync_folder(key_file.parent_path().empty() ? "." : key_file.parent_path()));
  crash_point();  // The new key is in force.
  return ok();
}

}  // namespace

Result<RotationReport> rotate_key(store::Store& store, const std::filesystem::path& key_file,
                                  const RotationHooks& hooks) {
  ASSIGN_OR_RETURN(const PseudonymKey current, PseudonymKey::read_file(key_file));
  const auto stored = store.get_meta("pseudonym_key_id");
  RotationReport report;
  report.old_key_id = current.id();

  std::error_code ec;
  if (std::filesystem::exists(next_file(key_file), ec)) {
    ASSIGN_OR_RETURN(const PseudonymKey pending, PseudonymKey::read_file(next_file(key_file)));
    if (stored && *stored == pending.id()) {
      // The database was re-keyed; only the key file was not yet replaced.
      RETURN_IF_ERROR(replace_key_file(key_file));
      report.new_key_id = pending.id();
      report.finished_interrupted = true;
      return report;
    }
    std::filesystem::remove(next_file(key_file), ec);  // A rotation that never committed.
  }
  if (stored && *stored != current.id()) {
    return fail(ErrorCode::kConflict,
                fmt::format("this instance's pseudonyms were made with key {}, not with the key in "
                            "'{}' ({}); nothing was rotated",
                            *stored, key_file.string(), current.id()));
  }

  ASSIGN_OR_RETURN(const PseudonymKey rotated, current.with_new_layer());
  RETURN_IF_ERROR(rotated.write_file(next_file(key_file)));
  report.new_key_id = rotated.id();
  const std::size_t layer = rotated.layer_count() - 1;
  auto committed = store.transact([&]() -> Result<void> {
    if (hooks.before_rekey) RETURN_IF_ERROR(hooks.before_rekey());
    ASSIGN_OR_RETURN(auto values, store.keyed_values());
    for (store::KeyedValues& v : values) {
      if (auto rekeyed =
              rotated.apply_layers(layer, v.person_key, v.name_key, v.name_bloom, v.birth_bloom, v.comparison);
          !rekeyed) {
        return fail(ErrorCode::kInvalidArgument, fmt::format("registration {}: {}", v.id, rekeyed.error().message));
      }
    }
    report.registrations = static_cast<std::int64_t>(values.size());
    // An instance with no data yet records the new key too, so the old one is refused.
    RETURN_IF_ERROR(store.rekey_registrations(values, rotated.id()));
    return hooks.after_rekey ? hooks.after_rekey() : ok();
  });
  if (!committed) {
    std::filesystem::remove(next_file(key_file), ec);
    return tl::unexpected(committed.error());
  }
  RETURN_IF_ERROR(replace_key_file(key_file));
  return report;
}

}  // namespace rapporteur::intake
