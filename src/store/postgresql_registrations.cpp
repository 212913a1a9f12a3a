// PostgreSQL store: sources, regions, populations, batches, rejected rows and registrations.
#include <unordered_map>
#include <unordered_set>

#include "store/internal/keyed_columns.h"
#include "store/internal/postgresql_store.h"

namespace rapporteur::store::internal {
namespace {

constexpr const char* kBatchColumns =
    "SELECT id, source_code, profile, year, file_name, file_sha256, key_id, reader, rows_read, rows_loaded, "
    "rows_rejected, loaded_at, status, replaced_by FROM batches ";

// An unset filter field matches everything; the casts give each parameter its type when the
// filter leaves it NULL.
constexpr const char* kFilterClause =
    "($1::bigint IS NULL OR r.year = $1::bigint) AND ($2::text IS NULL OR r.mandate = $2::text) AND "
    "($3::text IS NULL OR r.role = $3::text) AND ($4::text IS NULL OR s.code = $4::text)";

Params filter_params(const RegistrationFilter& filter) {
  Params params;
  params.add(filter.year ? std::optional<std::int64_t>(*filter.year) : std::nullopt);
  params.add(optional_code(filter.mandate));
  params.add(optional_code(filter.role));
  params.add(filter.source_code);
  return params;
}

constexpr const char* kRegistrationColumns =
    "source_id, person_key, year, mandate, role, exploitation_form, offence_type, sex, age, nationality, "
    "region_code, chain_stage, residence_status, batch_id, name_key, name_bloom, birth_bloom, first_name_bloom, "
    "last_name_bloom, first_name_key, last_name_key, birth_year_key, birth_year_pair_key, "
    "birth_year_pair_odd_key, birth_month_key, birth_day_key, birth_first_of_january, national_id_key, record_id";
constexpr int kRegistrationParams = 29;
// Rows per INSERT: 29 parameters each stays well below PostgreSQL's 65535 per statement, and
// a few round trips per thousand rows instead of one per row.
constexpr std::size_t kRowsPerInsert = 1000;

void add_registration(Params& params, std::int64_t source_id, const Registration& r,
                      std::optional<std::int64_t> batch_id) {
  const ComparisonKeys& c = r.comparison;
  params.add(source_id)
      .add(r.person_key)
      .add(r.year)
      .add(to_code(r.mandate))
      .add(to_code(r.role))
      .add(optional_code(r.exploitation_form))
      .add(optional_code(r.offence_type))
      .add(to_code(r.sex))
      .add(r.age ? std::optional<std::int64_t>(*r.age) : std::nullopt)
      .add(r.nationality)
      .add(r.region_code)
      .add(optional_code(r.chain_stage))
      .add(to_code(r.residence_status))
      .add(batch_id)
      .add(r.name_key)
      .add_bytes(r.name_bloom)
      .add_bytes(r.birth_bloom)
      .add_bytes(c.first_name_bloom)
      .add_bytes(c.last_name_bloom)
      .add(c.first_name_key)
      .add(c.last_name_key)
      .add(c.birth_year_key)
      .add(c.birth_year_pair_key)
      .add(c.birth_year_pair_odd_key)
      .add(c.birth_month_key)
      .add(c.birth_day_key)
      .add(c.birth_first_of_january ? 1 : 0)
      .add(c.national_id_key)
      .add(r.record_id);
}

// "INSERT ... VALUES ($1, ..., $29), ($30, ...)" for `rows` rows.
std::string insert_registrations_sql(std::size_t rows) {
  std::string sql = fmt::format("INSERT INTO registrations ({}) VALUES ", kRegistrationColumns);
  int parameter = 1;
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (int column = 0; column < kRegistrationParams; ++column) {
      sql += column == 0 ? "$" : ", $";
      sql += std::to_string(parameter++);
    }
    sql += ')';
  }
  return sql;
}

}  // namespace

Result<std::vector<Batch>> PostgresStore::select_batches(const std::string& where, const Params& params) {
  ASSIGN_OR_RETURN(const Rows rows, db_.query(kBatchColumns + where + " ORDER BY id", params));
  std::vector<Batch> result;
  for (int i = 0; i < rows.size(); ++i) {
    Batch b;
    b.id = rows.integer(i, 0);
    b.source_code = rows.text(i, 1);
    b.profile = rows.text(i, 2);
    b.year = static_cast<int>(rows.integer(i, 3));
    b.file_name = rows.text(i, 4);
    b.file_sha256 = rows.text(i, 5);
    b.key_id = rows.text(i, 6);
    b.reader = rows.text(i, 7);
    b.rows_read = rows.integer(i, 8);
    b.rows_loaded = rows.integer(i, 9);
    b.rows_rejected = rows.integer(i, 10);
    b.loaded_at = rows.text(i, 11);
    b.status = rows.text(i, 12) == "active" ? BatchStatus::kActive : BatchStatus::kReplaced;
    b.replaced_by = rows.optional_integer(i, 13);
    result.push_back(std::move(b));
  }
  return result;
}

Result<void> PostgresStore::put_source(const Source& source) {
  const std::lock_guard lock(mutex_);
  if (source.code.empty()) return fail(ErrorCode::kInvalidArgument, "a source needs a code");
  return db_
      .query(
          "INSERT INTO sources (code, name, kind) VALUES ($1, $2, $3) ON CONFLICT (code) DO UPDATE "
          "SET name = excluded.name, kind = excluded.kind",
          Params().add(source.code).add(source.name).add(to_code(source.kind)))
      .map([](const Rows&) {});
}

Result<std::vector<Source>> PostgresStore::sources() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT code, name, kind FROM sources ORDER BY code COLLATE \"C\""));
  std::vector<Source> result;
  for (int i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(const SourceKind kind, stored(parse_source_kind(rows.text(i, 2)), "sources.kind"));
    result.push_back({rows.text(i, 0), rows.text(i, 1), kind});
  }
  return result;
}

Result<bool> PostgresStore::region_exists(const std::string& code) {
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT 1 FROM regions WHERE code = $1", Params().add(code)));
  return rows.size() > 0;
}

Result<void> PostgresStore::put_region(const Region& region) {
  const std::lock_guard lock(mutex_);
  if (region.code.empty()) return fail(ErrorCode::kInvalidArgument, "a region needs a code");
  if (region.parent_code) {
    ASSIGN_OR_RETURN(const bool parent_exists, region_exists(*region.parent_code));
    if (!parent_exists) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("region {}: unknown parent region '{}'", region.code, *region.parent_code));
    }
  }
  return db_
      .query(
          "INSERT INTO regions (code, name, level, parent_code) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, "
          "parent_code = excluded.parent_code",
          Params().add(region.code).add(region.name).add(to_code(region.level)).add(region.parent_code))
      .map([](const Rows&) {});
}

Result<std::vector<Region>> PostgresStore::regions() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("SELECT code, name, level, parent_code FROM regions ORDER BY code COLLATE \"C\""));
  std::vector<Region> result;
  for (int i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(const RegionLevel level, stored(parse_region_level(rows.text(i, 2)), "regions.level"));
    result.push_back({rows.text(i, 0), rows.text(i, 1), level, rows.optional_text(i, 3)});
  }
  return result;
}

Result<void> PostgresStore::put_population(const RegionPopulation& population) {
  const std::lock_guard lock(mutex_);
  if (population.population < 0) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("population of {} in {} is negative ({})", population.region_code, population.year,
                            population.population));
  }
  ASSIGN_OR_RETURN(const bool exists, region_exists(population.region_code));
  if (!exists) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("population for unknown region '{}'", population.region_code));
  }
  return db_
      .query(
          "INSERT INTO region_populations (region_code, year, population) VALUES ($1, $2, $3) "
          "ON CONFLICT (region_code, year) DO UPDATE SET population = excluded.population",
          Params().add(population.region_code).add(population.year).add(population.population))
      .map([](const Rows&) {});
}

Result<std::int64_t> PostgresStore::population(const std::string& region_code, int year) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT population FROM region_populations WHERE region_code = $1 "
                                              "AND year = $2",
                                              Params().add(region_code).add(year)));
  if (rows.size() == 0) {
    return fail(ErrorCode::kNotFound, fmt::format("no population for region '{}' in {}", region_code, year));
  }
  return rows.integer(0, 0);
}

Result<std::int64_t> PostgresStore::add_registrations(const std::vector<Registration>& registrations,
                                                      std::optional<std::int64_t> batch_id) {
  for (std::size_t i = 0; i < registrations.size(); ++i) {
    if (auto valid = validate(registrations[i]); !valid) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("registration {}: {}", i, valid.error().message));
    }
  }
  const std::lock_guard lock(mutex_);
  std::int64_t inserted = 0;
  RETURN_IF_ERROR(transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const Rows source_rows, db_.query("SELECT code, id FROM sources"));
    std::unordered_map<std::string, std::int64_t> source_ids;
    for (int i = 0; i < source_rows.size(); ++i) source_ids.emplace(source_rows.text(i, 0), source_rows.integer(i, 1));
    ASSIGN_OR_RETURN(const Rows region_rows, db_.query("SELECT code FROM regions"));
    std::unordered_set<std::string> region_codes;
    for (int i = 0; i < region_rows.size(); ++i) region_codes.insert(region_rows.text(i, 0));
    const std::string full_insert = insert_registrations_sql(kRowsPerInsert);
    for (std::size_t start = 0; start < registrations.size(); start += kRowsPerInsert) {
      const std::size_t end = std::min(registrations.size(), start + kRowsPerInsert);
      Params params;
      for (std::size_t i = start; i < end; ++i) {
        const Registration& r = registrations[i];
        const auto source = source_ids.find(r.source_code);
        if (source == source_ids.end()) {
          return fail(ErrorCode::kInvalidArgument,
                      fmt::format("registration {}: unknown source '{}'", i, r.source_code));
        }
        if (r.region_code && !region_codes.count(*r.region_code)) {
          return fail(ErrorCode::kInvalidArgument,
                      fmt::format("registration {}: unknown region '{}'", i, *r.region_code));
        }
        add_registration(params, source->second, r, batch_id);
      }
      const std::size_t rows = end - start;
      ASSIGN_OR_RETURN(const Rows done,
                       db_.query(rows == kRowsPerInsert ? full_insert : insert_registrations_sql(rows), params));
      inserted += done.changed();
    }
    return ok();
  }));
  return inserted;
}

Result<std::int64_t> PostgresStore::create_batch(const Batch& batch) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("INSERT INTO batches (source_code, profile, year, file_name, file_sha256, key_id, "
                             "reader, loaded_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                             "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'active') "
                             "RETURNING id",
                             Params()
                                 .add(batch.source_code)
                                 .add(batch.profile)
                                 .add(batch.year)
                                 .add(batch.file_name)
                                 .add(batch.file_sha256)
                                 .add(batch.key_id)
                                 .add(batch.reader)));
  return rows.integer(0, 0);
}

Result<void> PostgresStore::finish_batch(std::int64_t id, std::int64_t rows_read, std::int64_t rows_loaded,
                                         std::int64_t rows_rejected) {
  const std::lock_guard lock(mutex_);
  return db_
      .query("UPDATE batches SET rows_read = $2, rows_loaded = $3, rows_rejected = $4 WHERE id = $1",
             Params().add(id).add(rows_read).add(rows_loaded).add(rows_rejected))
      .map([](const Rows&) {});
}

Result<Batch> PostgresStore::batch(std::int64_t id) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found, select_batches("WHERE id = $1", Params().add(id)));
  if (found.empty()) return fail(ErrorCode::kNotFound, fmt::format("no batch {}", id));
  return found.front();
}

Result<std::vector<Batch>> PostgresStore::batches() {
  const std::lock_guard lock(mutex_);
  return select_batches("", Params());
}

Result<std::optional<Batch>> PostgresStore::active_batch(const std::string& source_code, const std::string& profile,
                                                         int year) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found, select_batches("WHERE source_code = $1 AND profile = $2 AND year = $3 AND "
                                              "status = 'active'",
                                              Params().add(source_code).add(profile).add(year)));
  if (found.empty()) return std::optional<Batch>();
  return std::optional<Batch>(found.front());
}

Result<void> PostgresStore::replace_batch(std::int64_t old_id, std::int64_t new_id) {
  const std::lock_guard lock(mutex_);
  return transact([&]() -> Result<void> {
    RETURN_IF_ERROR(db_.query("UPDATE batches SET status = 'replaced', replaced_by = $2 WHERE id = $1",
                              Params().add(old_id).add(new_id)));
    RETURN_IF_ERROR(db_.query("DELETE FROM registrations WHERE batch_id = $1", Params().add(old_id)));
    return ok();
  });
}

Result<void> PostgresStore::add_row_errors(const std::vector<RowError>& errors) {
  const std::lock_guard lock(mutex_);
  return transact([&]() -> Result<void> {
    for (const RowError& e : errors) {
      RETURN_IF_ERROR(db_.query(
          "INSERT INTO quarantine (batch_id, row_number, column_name, reason, value) "
          "VALUES ($1, $2, $3, $4, $5)",
          Params().add(e.batch_id).add(static_cast<std::int64_t>(e.row)).add(e.column).add(e.reason).add(e.value)));
    }
    return ok();
  });
}

Result<std::vector<RowError>> PostgresStore::row_errors(std::int64_t batch_id) {
  const std::lock_guard lock(mutex_);
  RETURN_IF_ERROR(batch(batch_id));
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT row_number, column_name, reason, value FROM quarantine "
                                              "WHERE batch_id = $1 ORDER BY row_number, id",
                                              Params().add(batch_id)));
  std::vector<RowError> result;
  for (int i = 0; i < rows.size(); ++i) {
    result.push_back(
        {batch_id, static_cast<long>(rows.integer(i, 0)), rows.text(i, 1), rows.text(i, 2), rows.text(i, 3)});
  }
  return result;
}

Result<std::int64_t> PostgresStore::count_registrations(const RegistrationFilter& filter) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query(fmt::format("SELECT count(*) FROM registrations r JOIN sources s "
                                                          "ON s.id = r.source_id WHERE {}",
                                                          kFilterClause),
                                              filter_params(filter)));
  return rows.integer(0, 0);
}

Result<std::vector<std::int64_t>> PostgresStore::registration_ids(const RegistrationFilter& filter) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query(fmt::format("SELECT r.id FROM registrations r JOIN sources s ON s.id = r.source_id "
                                         "WHERE {} ORDER BY r.id",
                                         kFilterClause),
                             filter_params(filter)));
  std::vector<std::int64_t> ids;
  ids.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.integer(i, 0));
  return ids;
}

Result<std::vector<Registration>> PostgresStore::registrations(const RegistrationFilter& filter) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(
      const Rows rows,
      db_.query(fmt::format("SELECT s.code, r.person_key, r.year, r.mandate, r.role, r.exploitation_form, "
                            "r.offence_type, r.sex, r.age, r.nationality, r.region_code, r.chain_stage, "
                            "r.residence_status, r.name_key, r.name_bloom, r.birth_bloom, r.first_name_bloom, "
                            "r.last_name_bloom, r.first_name_key, r.last_name_key, r.birth_year_key, "
                            "r.birth_year_pair_key, r.birth_year_pair_odd_key, r.birth_month_key, "
                            "r.birth_day_key, r.birth_first_of_january, r.national_id_key, r.record_id "
                            "FROM registrations r JOIN sources s ON s.id = r.source_id WHERE {} ORDER BY r.id",
                            kFilterClause),
                filter_params(filter)));
  std::vector<Registration> result;
  result.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    Registration r;
    r.source_code = rows.text(i, 0);
    r.person_key = rows.text(i, 1);
    r.year = static_cast<int>(rows.integer(i, 2));
    ASSIGN_OR_RETURN(r.mandate, stored(parse_mandate(rows.text(i, 3)), "mandate"));
    ASSIGN_OR_RETURN(r.role, stored(parse_role(rows.text(i, 4)), "role"));
    ASSIGN_OR_RETURN(r.exploitation_form, stored_optional<ExploitationForm>(
                                              rows.optional_text(i, 5), parse_exploitation_form, "exploitation_form"));
    ASSIGN_OR_RETURN(r.offence_type,
                     stored_optional<OffenceType>(rows.optional_text(i, 6), parse_offence_type, "offence_type"));
    ASSIGN_OR_RETURN(r.sex, stored(parse_sex(rows.text(i, 7)), "sex"));
    if (const auto age = rows.optional_integer(i, 8)) r.age = static_cast<int>(*age);
    r.nationality = rows.optional_text(i, 9);
    r.region_code = rows.optional_text(i, 10);
    ASSIGN_OR_RETURN(r.chain_stage,
                     stored_optional<ChainStage>(rows.optional_text(i, 11), parse_chain_stage, "chain_stage"));
    ASSIGN_OR_RETURN(r.residence_status, stored(parse_residence_status(rows.text(i, 12)), "residence_status"));
    r.name_key = rows.optional_text(i, 13);
    r.name_bloom = rows.bytes(i, 14);
    r.birth_bloom = rows.bytes(i, 15);
    ComparisonKeys& c = r.comparison;
    read_comparison_keys(
        c, 16, [&](int column) { return rows.bytes(i, column); },
        [&](int column) { return rows.optional_text(i, column); });
    c.birth_first_of_january = rows.integer(i, 25) != 0;
    c.national_id_key = rows.optional_text(i, 26).value_or("");
    r.record_id = rows.optional_text(i, 27);
    result.push_back(std::move(r));
  }
  return result;
}

Result<std::vector<RegistrationCount>> PostgresStore::registration_counts() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("SELECT year, mandate, role, count(*), count(DISTINCT person_key) FROM registrations "
                             "GROUP BY year, mandate, role "
                             "ORDER BY year, mandate COLLATE \"C\", role COLLATE \"C\""));
  std::vector<RegistrationCount> result;
  for (int i = 0; i < rows.size(); ++i) {
    RegistrationCount count;
    count.year = static_cast<int>(rows.integer(i, 0));
    ASSIGN_OR_RETURN(count.mandate, stored(parse_mandate(rows.text(i, 1)), "mandate"));
    ASSIGN_OR_RETURN(count.role, stored(parse_role(rows.text(i, 2)), "role"));
    count.registrations = rows.integer(i, 3);
    count.persons = rows.integer(i, 4);
    result.push_back(count);
  }
  return result;
}

Result<std::int64_t> PostgresStore::count_persons() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT count(DISTINCT person_key) FROM registrations"));
  return rows.integer(0, 0);
}

}  // namespace rapporteur::store::internal
