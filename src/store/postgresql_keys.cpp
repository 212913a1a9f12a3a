// PostgreSQL store: the keyed values of registrations, read and rewritten by a key rotation.
#include "store/internal/keyed_columns.h"
#include "store/internal/postgresql_store.h"

namespace rapporteur::store::internal {

Result<std::vector<KeyedValues>> PostgresStore::keyed_values() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("SELECT id, person_key, name_key, name_bloom, birth_bloom, first_name_bloom, "
                             "last_name_bloom, first_name_key, last_name_key, birth_year_key, birth_year_pair_key, "
                             "birth_year_pair_odd_key, birth_month_key, birth_day_key, national_id_key "
                             "FROM registrations ORDER BY id"));
  std::vector<KeyedValues> result;
  result.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    KeyedValues v;
    v.id = rows.integer(i, 0);
    v.person_key = rows.text(i, 1);
    v.name_key = rows.optional_text(i, 2);
    v.name_bloom = rows.bytes(i, 3);
    v.birth_bloom = rows.bytes(i, 4);
    read_comparison_keys(
        v.comparison, 5, [&](int column) { return rows.bytes(i, column); },
        [&](int column) { return rows.optional_text(i, column); });
    v.comparison.national_id_key = rows.optional_text(i, 14).value_or("");
    result.push_back(std::move(v));
  }
  return result;
}

Result<void> PostgresStore::rekey_registrations(const std::vector<KeyedValues>& values, const std::string& key_id) {
  const std::lock_guard lock(mutex_);
  // The blooms are bytea ($3-$6), the keys text; a column that is NULL stays NULL.
  std::string sql = "UPDATE registrations SET person_key = $1, name_key = $2";
  int parameter = 3;
  for (const char* column : kKeyedColumns) {
    sql += fmt::format(", {0} = CASE WHEN {0} IS NULL THEN NULL ELSE ${1} END", column, parameter++);
  }
  sql += fmt::format(" WHERE id = ${}", parameter);
  return transact([&]() -> Result<void> {
    for (const KeyedValues& v : values) {
      const ComparisonKeys& c = v.comparison;
      Params params;
      params.add(v.person_key)
          .add(v.name_key)
          .add_bytes(v.name_bloom)
          .add_bytes(v.birth_bloom)
          .add_bytes(c.first_name_bloom)
          .add_bytes(c.last_name_bloom)
          .add(c.first_name_key)
          .add(c.last_name_key)
          .add(c.birth_year_key)
          .add(c.birth_year_pair_key)
          .add(c.birth_year_pair_odd_key)
          .add(c.birth_month_key)
          .add(c.birth_day_key)
          .add(c.national_id_key)
          .add(v.id);
      ASSIGN_OR_RETURN(const Rows updated, db_.query(sql + " RETURNING id", params));
      if (updated.size() != 1) return fail(ErrorCode::kNotFound, fmt::format("registration {} does not exist", v.id));
    }
    ASSIGN_OR_RETURN(const Rows batches, db_.query("UPDATE batches SET key_id = $1", Params().add(key_id)));
    (void)batches;
    ASSIGN_OR_RETURN(const Rows meta,
                     db_.query("INSERT INTO instance_meta (key, value) VALUES ('pseudonym_key_id', $1) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               Params().add(key_id)));
    (void)meta;
    return ok();
  });
}

}  // namespace rapporteur::store::internal
