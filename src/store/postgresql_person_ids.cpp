// PostgreSQL store: the person ids linkage keeps across runs (migration 17).
#include <algorithm>
#include <charconv>

#include "store/internal/postgresql_store.h"

namespace rapporteur::store::internal {
namespace {

constexpr const char* kNextPersonId = "linkage_next_person_id";
// Rows per INSERT: five parameters each, far below PostgreSQL's 65535 per statement.
constexpr std::size_t kRowsPerInsert = 1000;

}  // namespace

Result<std::vector<PersonIdRow>> PostgresStore::person_ids(const PersonIdScope& scope) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("SELECT record, person_id FROM linkage_person_ids "
                             "WHERE year = $1 AND mandate = $2 AND role = $3",
                             Params().add(scope.year).add(to_code(scope.mandate)).add(to_code(scope.role))));
  std::vector<PersonIdRow> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    // The fingerprint is stored as a signed 64-bit integer, bit for bit (as in SQLite).
    out.push_back({static_cast<std::uint64_t>(rows.integer(i, 0)), rows.integer(i, 1)});
  }
  // Ordered as unsigned fingerprints, which SQL's signed order is not.
  std::sort(out.begin(), out.end(), [](const PersonIdRow& a, const PersonIdRow& b) { return a.record < b.record; });
  return out;
}

Result<void> PostgresStore::replace_person_ids(const PersonIdScope& scope, const std::vector<PersonIdRow>& rows,
                                               std::int64_t next_id) {
  const std::lock_guard lock(mutex_);
  for (const auto& row : rows) {
    if (row.person <= 0 || row.person >= next_id) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("person id {}; expected one in 1..{}", row.person, next_id - 1));
    }
  }
  return transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const Rows cleared,
                     db_.query("DELETE FROM linkage_person_ids WHERE year = $1 AND mandate = $2 AND role = $3",
                               Params().add(scope.year).add(to_code(scope.mandate)).add(to_code(scope.role))));
    (void)cleared;
    for (std::size_t from = 0; from < rows.size(); from += kRowsPerInsert) {
      const std::size_t to = std::min(rows.size(), from + kRowsPerInsert);
      std::string sql = "INSERT INTO linkage_person_ids (year, mandate, role, record, person_id) VALUES ";
      Params params;
      for (std::size_t i = from; i < to; ++i) {
        const std::size_t base = (i - from) * 5;
        sql += fmt::format("{}(${}, ${}, ${}, ${}, ${})", i == from ? "" : ", ", base + 1, base + 2, base + 3, base + 4,
                           base + 5);
        params.add(scope.year)
            .add(to_code(scope.mandate))
            .add(to_code(scope.role))
            .add(static_cast<std::int64_t>(rows[i].record))
            .add(rows[i].person);
      }
      ASSIGN_OR_RETURN(const Rows inserted, db_.query(sql, params));
      (void)inserted;
    }
    ASSIGN_OR_RETURN(const std::int64_t stored_next, next_person_id());
    ASSIGN_OR_RETURN(const Rows meta,
                     db_.query("INSERT INTO instance_meta (key, value) VALUES ($1, $2) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               Params().add(kNextPersonId).add(std::to_string(std::max(stored_next, next_id)))));
    (void)meta;
    return ok();
  });
}

Result<std::int64_t> PostgresStore::next_person_id() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("SELECT value FROM instance_meta WHERE key = $1", Params().add(kNextPersonId)));
  if (rows.size() == 0) return std::int64_t{1};
  const std::string text = rows.text(0, 0);
  std::int64_t next = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), next);
  if (error != std::errc() || end != text.data() + text.size() || next < 1) {
    return fail(ErrorCode::kStorage, fmt::format("instance setting '{}' is not a positive number", kNextPersonId));
  }
  return next;
}

}  // namespace rapporteur::store::internal
