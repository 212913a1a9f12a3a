// PostgreSQL store: the person ids linkage keeps across runs (migration 17) and the clerical
// review's decisions on pairs (migration 19).
#include <algorithm>
#include <charconv>

#include "store/internal/postgresql_store.h"

namespace rapporteur::store::internal {
namespace {

constexpr const char* kNextPersonId = "linkage_next_person_id";
// Rows per INSERT: five parameters each, far below PostgreSQL's 65535 per statement.
constexpr std::size_t kRowsPerInsert = 1000;

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

Result<std::vector<PairDecisionRow>> PostgresStore::linkage_decisions(const PersonIdScope& scope) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("SELECT first_id, second_id, decision, user_name, decided_at FROM linkage_decisions "
                             "WHERE year = $1 AND mandate = $2 AND role = $3 ORDER BY first_id, second_id",
                             Params().add(scope.year).add(to_code(scope.mandate)).add(to_code(scope.role))));
  std::vector<PairDecisionRow> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    PairDecisionRow r{.first = rows.integer(i, 0), .second = rows.integer(i, 1)};
    ASSIGN_OR_RETURN(r.decision, stored(parse_review_decision(rows.text(i, 2)), "linkage_decisions.decision"));
    r.user_name = rows.text(i, 3);
    r.decided_at = rows.text(i, 4);
    out.push_back(std::move(r));
  }
  return out;
}

Result<void> PostgresStore::put_linkage_decision(const PersonIdScope& scope, const PairDecisionRow& row) {
  const std::lock_guard lock(mutex_);
  RETURN_IF_ERROR(check_decision(row));
  ASSIGN_OR_RETURN(const Rows written,
                   db_.query("INSERT INTO linkage_decisions (year, mandate, role, first_id, second_id, decision, "
                             "user_name, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                             "ON CONFLICT (year, mandate, role, first_id, second_id) DO UPDATE SET "
                             "decision = excluded.decision, user_name = excluded.user_name, "
                             "decided_at = excluded.decided_at",
                             Params()
                                 .add(scope.year)
                                 .add(to_code(scope.mandate))
                                 .add(to_code(scope.role))
                                 .add(row.first)
                                 .add(row.second)
                                 .add(to_code(row.decision))
                                 .add(row.user_name)
                                 .add(row.decided_at)));
  (void)written;
  return ok();
}

}  // namespace rapporteur::store::internal
