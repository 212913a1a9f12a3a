// SQLite store: the keyed values of registrations, read and rewritten by a key rotation.
#include "store/internal/keyed_columns.h"
#include "store/internal/sqlite_store.h"

namespace rapporteur::store::internal {

Result<std::vector<KeyedValues>> SqliteStore::keyed_values() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("SELECT id, person_key, name_key, name_bloom, birth_bloom, first_name_bloom, "
                               "last_name_bloom, first_name_key, last_name_key, birth_year_key, birth_year_pair_key, "
                               "birth_year_pair_odd_key, birth_month_key, birth_day_key, national_id_key "
                               "FROM registrations ORDER BY id"));
  std::vector<KeyedValues> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    KeyedValues v;
    v.id = stmt.column_int(0);
    v.person_key = unpack_key(stmt, 1);
    if (!stmt.column_is_null(2)) v.name_key = unpack_key(stmt, 2);
    v.name_bloom = stmt.column_blob(3);
    v.birth_bloom = stmt.column_blob(4);
    read_comparison_keys(
        v.comparison, 5, [&](int column) { return stmt.column_blob(column); },
        [&](int column) { return stmt.column_optional_text(column); });
    v.comparison.national_id_key = stmt.column_optional_text(14).value_or("");
    result.push_back(std::move(v));
  }
  return result;
}

Result<void> SqliteStore::rekey_registrations(const std::vector<KeyedValues>& values, const std::string& key_id) {
  const std::lock_guard lock(mutex_);
  std::string sql = "UPDATE registrations SET person_key = ?1, name_key = ?2";
  int parameter = 3;
  for (const char* column : kKeyedColumns) {
    sql += fmt::format(", {0} = CASE WHEN {0} IS NULL THEN NULL ELSE ?{1} END", column, parameter++);
  }
  sql += fmt::format(" WHERE id = ?{}", parameter);
  ASSIGN_OR_RETURN(Statement update, db_.prepare(sql));
  std::string person_key;
  std::string name_key;
  for (const KeyedValues& v : values) {
    bind_key(update, 1, v.person_key, person_key);
    if (v.name_key) {
      bind_key(update, 2, *v.name_key, name_key);
    } else {
      update.bind_null(2);
    }
    const ComparisonKeys& c = v.comparison;
    update.bind_blob_borrowed(3, v.name_bloom)
        .bind_blob_borrowed(4, v.birth_bloom)
        .bind_blob_borrowed(5, c.first_name_bloom)
        .bind_blob_borrowed(6, c.last_name_bloom)
        .bind_borrowed(7, c.first_name_key)
        .bind_borrowed(8, c.last_name_key)
        .bind_borrowed(9, c.birth_year_key)
        .bind_borrowed(10, c.birth_year_pair_key)
        .bind_borrowed(11, c.birth_year_pair_odd_key)
        .bind_borrowed(12, c.birth_month_key)
        .bind_borrowed(13, c.birth_day_key)
        .bind_borrowed(14, c.national_id_key)
        .bind(15, v.id);
    RETURN_IF_ERROR(update.run_rebinding_all());
    if (db_.changes() != 1) return fail(ErrorCode::kNotFound, fmt::format("registration {} does not exist", v.id));
  }
  ASSIGN_OR_RETURN(Statement batches, db_.prepare("UPDATE batches SET key_id = ?1"));
  RETURN_IF_ERROR(batches.bind(1, key_id).run());
  ASSIGN_OR_RETURN(Statement meta, db_.prepare("INSERT INTO instance_meta (key, value) VALUES ('pseudonym_key_id', ?1) "
                                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  return meta.bind(1, key_id).run();
}

}  // namespace rapporteur::store::internal
