// SQLite store: the person ids linkage keeps across runs (migration 17) and the clerical
// review's decisions on pairs (migration 19).
#include "store/internal/sqlite_store.h"

namespace rapporteur::store {

namespace internal {
namespace {

constexpr const char* kNextPersonId = "linkage_next_person_id";

Result<void> check_decision(const PairDecisionRow& row) {
  if (row.first <= 0 || row.second <= row.first) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("a decision on rows {} and {}; expected positive row ids, the first the smaller", row.first,
                            row.second));
  }
  if (row.user_name.empty()) return fail(ErrorCode::kInvalidArgument, "a decision without a user name");
  return ok();
}

}  // namespace

Result<std::vector<PersonIdRow>> SqliteStore::person_ids(const PersonIdScope& scope) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT record, person_id FROM linkage_person_ids "
                                               "WHERE year = ?1 AND mandate = ?2 AND role = ?3 ORDER BY record"));
  stmt.bind(1, scope.year).bind(2, to_code(scope.mandate)).bind(3, to_code(scope.role));
  std::vector<PersonIdRow> rows;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    // The fingerprint is stored as SQLite's signed 64-bit integer, bit for bit.
    rows.push_back({static_cast<std::uint64_t>(stmt.column_int(0)), stmt.column_int(1)});
  }
  std::sort(rows.begin(), rows.end(), [](const PersonIdRow& a, const PersonIdRow& b) { return a.record < b.record; });
  return rows;
}

Result<void> SqliteStore::replace_person_ids(const PersonIdScope& scope, const std::vector<PersonIdRow>& rows,
                                             std::int64_t next_id) {
  const std::lock_guard lock(mutex_);
  for (const auto& row : rows) {
    if (row.person <= 0 || row.person >= next_id) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("person id {}; expected one in 1..{}", row.person, next_id - 1));
    }
  }
  return transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(Statement clear,
                     db_.prepare("DELETE FROM linkage_person_ids WHERE year = ?1 AND mandate = ?2 AND role = ?3"));
    RETURN_IF_ERROR(clear.bind(1, scope.year).bind(2, to_code(scope.mandate)).bind(3, to_code(scope.role)).run());
    ASSIGN_OR_RETURN(Statement insert, db_.prepare("INSERT INTO linkage_person_ids (year, mandate, role, record, "
                                                   "person_id) VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const auto& row : rows) {
      insert.reset();
      RETURN_IF_ERROR(insert.bind(1, scope.year)
                          .bind(2, to_code(scope.mandate))
                          .bind(3, to_code(scope.role))
                          .bind(4, static_cast<std::int64_t>(row.record))
                          .bind(5, row.person)
                          .run());
    }
    ASSIGN_OR_RETURN(const std::int64_t stored_next, next_person_id());
    ASSIGN_OR_RETURN(Statement meta, db_.prepare("INSERT INTO instance_meta (key, value) VALUES (?1, ?2) "
                                                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    return meta.bind(1, kNextPersonId).bind(2, std::to_string(std::max(stored_next, next_id))).run();
  });
}

Result<std::int64_t> SqliteStore::next_person_id() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT value FROM instance_meta WHERE key = ?1"));
  stmt.bind(1, kNextPersonId);
  ASSIGN_OR_RETURN(const bool found, stmt.step());
  if (!found) return std::int64_t{1};
  const std::string text = stmt.column_text(0);
  std::int64_t next = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), next);
  if (error != std::errc() || end != text.data() + text.size() || next < 1) {
    return fail(ErrorCode::kStorage, fmt::format("instance setting '{}' is not a positive number", kNextPersonId));
  }
  return next;
}

Result<std::vector<PairDecisionRow>> SqliteStore::linkage_decisions(const PersonIdScope& scope) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("SELECT first_id, second_id, decision, user_name, decided_at FROM linkage_decisions "
                               "WHERE year = ?1 AND mandate = ?2 AND role = ?3 ORDER BY first_id, second_id"));
  stmt.bind(1, scope.year).bind(2, to_code(scope.mandate)).bind(3, to_code(scope.role));
  std::vector<PairDecisionRow> rows;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    PairDecisionRow r{.first = stmt.column_int(0), .second = stmt.column_int(1)};
    ASSIGN_OR_RETURN(r.decision, stored(parse_review_decision(stmt.column_text(2)), "linkage_decisions.decision"));
    r.user_name = stmt.column_text(3);
    r.decided_at = stmt.column_text(4);
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<void> SqliteStore::put_linkage_decision(const PersonIdScope& scope, const PairDecisionRow& row) {
  const std::lock_guard lock(mutex_);
  RETURN_IF_ERROR(check_decision(row));
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("INSERT INTO linkage_decisions (year, mandate, role, first_id, second_id, decision, "
                               "user_name, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                               "ON CONFLICT (year, mandate, role, first_id, second_id) DO UPDATE SET "
                               "decision = excluded.decision, user_name = excluded.user_name, "
                               "decided_at = excluded.decided_at"));
  return stmt.bind(1, scope.year)
      .bind(2, to_code(scope.mandate))
      .bind(3, to_code(scope.role))
      .bind(4, row.first)
      .bind(5, row.second)
      .bind(6, to_code(row.decision))
      .bind(7, row.user_name)
      .bind(8, row.decided_at)
      .run();
}

}  // namespace internal
}  // namespace rapporteur::store
