// SQLite store: sources, regions, populations, batches, rejected rows and registrations.
#include "store/internal/keyed_columns.h"
#include "store/internal/sqlite_store.h"

namespace rapporteur::store::internal {

template <typename Binder>
Result<std::vector<Batch>> SqliteStore::select_batches(const std::string& where, Binder binder) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("SELECT id, source_code, profile, year, file_name, file_sha256, key_id, reader, "
                               "rows_read, rows_loaded, rows_rejected, loaded_at, status, replaced_by "
                               "FROM batches " +
                               where + " ORDER BY id"));
  binder(stmt);
  std::vector<Batch> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    Batch b;
    b.id = stmt.column_int(0);
    b.source_code = stmt.column_text(1);
    b.profile = stmt.column_text(2);
    b.year = static_cast<int>(stmt.column_int(3));
    b.file_name = stmt.column_text(4);
    b.file_sha256 = stmt.column_text(5);
    b.key_id = stmt.column_text(6);
    b.reader = stmt.column_text(7);
    b.rows_read = stmt.column_int(8);
    b.rows_loaded = stmt.column_int(9);
    b.rows_rejected = stmt.column_int(10);
    b.loaded_at = stmt.column_text(11);
    b.status = stmt.column_text(12) == "active" ? BatchStatus::kActive : BatchStatus::kReplaced;
    b.replaced_by = stmt.column_optional_int(13);
    result.push_back(std::move(b));
  }
  return result;
}

Result<void> SqliteStore::put_source(const Source& source) {
  const std::lock_guard lock(mutex_);
  if (source.code.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a source needs a code");
  }
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO sources (code, name, kind) VALUES (?1, ?2, ?3) "
                                               "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                                               "kind = excluded.kind"));
  return stmt.bind(1, source.code).bind(2, source.name).bind(3, to_code(source.kind)).run();
}

Result<std::vector<Source>> SqliteStore::sources() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT code, name, kind FROM sources ORDER BY code"));
  std::vector<Source> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    ASSIGN_OR_RETURN(const SourceKind kind, stored(parse_source_kind(stmt.column_text(2)), "sources.kind"));
    result.push_back({stmt.column_text(0), stmt.column_text(1), kind});
  }
  return result;
}

Result<void> SqliteStore::put_region(const Region& region) {
  const std::lock_guard lock(mutex_);
  if (region.code.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a region needs a code");
  }
  if (region.parent_code) {
    ASSIGN_OR_RETURN(const bool parent_exists, region_exists(*region.parent_code));
    if (!parent_exists) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("region {}: unknown parent region '{}'", region.code, *region.parent_code));
    }
  }
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO regions (code, name, level, parent_code) "
                                               "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (code) DO UPDATE SET "
                                               "name = excluded.name, level = excluded.level, "
                                               "parent_code = excluded.parent_code"));
  return stmt.bind(1, region.code)
      .bind(2, region.name)
      .bind(3, to_code(region.level))
      .bind(4, region.parent_code)
      .run();
}

Result<std::vector<Region>> SqliteStore::regions() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT code, name, level, parent_code FROM regions ORDER BY code"));
  std::vector<Region> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    ASSIGN_OR_RETURN(const RegionLevel level, stored(parse_region_level(stmt.column_text(2)), "regions.level"));
    result.push_back({stmt.column_text(0), stmt.column_text(1), level, stmt.column_optional_text(3)});
  }
  return result;
}

Result<void> SqliteStore::put_population(const RegionPopulation& population) {
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
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO region_populations (region_code, year, population) "
                                               "VALUES (?1, ?2, ?3) ON CONFLICT (region_code, year) DO UPDATE "
                                               "SET population = excluded.population"));
  return stmt.bind(1, population.region_code).bind(2, population.year).bind(3, population.population).run();
}

Result<std::int64_t> SqliteStore::population(const std::string& region_code, int year) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT population FROM region_populations "
                                               "WHERE region_code = ?1 AND year = ?2"));
  stmt.bind(1, region_code).bind(2, year);
  ASSIGN_OR_RETURN(const bool found, stmt.step());
  if (!found) {
    return fail(ErrorCode::kNotFound, fmt::format("no population for region '{}' in {}", region_code, year));
  }
  return stmt.column_int(0);
}

Result<std::int64_t> SqliteStore::add_registrations(const std::vector<Registration>& registrations,
                                                    std::optional<std::int64_t> batch_id) {
  for (std::size_t i = 0; i < registrations.size(); ++i) {
    if (auto valid = validate(registrations[i]); !valid) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("registration {}: {}", i, valid.error().message));
    }
  }
  const std::lock_guard lock(mutex_);
  std::int64_t inserted = 0;
  RETURN_IF_ERROR(transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const auto source_ids, id_map("SELECT code, id FROM sources"));
    ASSIGN_OR_RETURN(const auto region_codes, id_map("SELECT code, 1 FROM regions"));
    ASSIGN_OR_RETURN(Statement insert,
                     db_.prepare("INSERT INTO registrations (source_id, person_key, year, mandate, role, "
                                 "exploitation_form, offence_type, sex, age, nationality, region_code, "
                                 "chain_stage, residence_status, batch_id, name_key, name_bloom, birth_bloom, "
                                 "first_name_bloom, last_name_bloom, first_name_key, last_name_key, "
                                 "birth_year_key, birth_year_pair_key, birth_year_pair_odd_key, birth_month_key, "
                                 "birth_day_key, birth_first_of_january, national_id_key, record_id) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                                 "?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"));
    std::string person_key;  // The packed keys of the row being inserted (storage reused).
    std::string name_key;
    for (std::size_t i = 0; i < registrations.size(); ++i) {
      const Registration& r = registrations[i];
      const auto source = source_ids.find(r.source_code);
      if (source == source_ids.end()) {
        return fail(ErrorCode::kInvalidArgument, fmt::format("registration {}: unknown source '{}'", i, r.source_code));
      }
      if (r.region_code && !region_codes.count(*r.region_code)) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("registration {}: unknown region '{}'", i, *r.region_code));
      }
      const std::optional<std::int64_t> age = r.age ? std::optional<std::int64_t>(*r.age) : std::nullopt;
      // Every parameter is bound for every row, in place: the registrations outlive the run.
      bind_key(insert, 2, r.person_key, person_key);
      if (r.name_key) {
        bind_key(insert, 15, *r.name_key, name_key);
      } else {
        insert.bind_null(15);
      }
      insert.bind(1, source->second)
          .bind(3, r.year)
          .bind_borrowed(4, to_code(r.mandate))
          .bind_borrowed(5, to_code(r.role))
          .bind_borrowed(6, optional_code(r.exploitation_form))
          .bind_borrowed(7, optional_code(r.offence_type))
          .bind_borrowed(8, to_code(r.sex))
          .bind(9, age)
          .bind_borrowed(10, r.nationality)
          .bind_borrowed(11, r.region_code)
          .bind_borrowed(12, optional_code(r.chain_stage))
          .bind_borrowed(13, to_code(r.residence_status))
          .bind(14, batch_id)
          .bind_blob_borrowed(16, r.name_bloom)
          .bind_blob_borrowed(17, r.birth_bloom);
      const ComparisonKeys& c = r.comparison;
      insert.bind_blob_borrowed(18, c.first_name_bloom)
          .bind_blob_borrowed(19, c.last_name_bloom)
          .bind_borrowed(20, c.first_name_key)
          .bind_borrowed(21, c.last_name_key)
          .bind_borrowed(22, c.birth_year_key)
          .bind_borrowed(23, c.birth_year_pair_key)
          .bind_borrowed(24, c.birth_year_pair_odd_key)
          .bind_borrowed(25, c.birth_month_key)
          .bind_borrowed(26, c.birth_day_key)
          .bind(27, c.birth_first_of_january ? 1 : 0)
          .bind_borrowed(28, c.national_id_key)
          .bind_borrowed(29, r.record_id);
      RETURN_IF_ERROR(insert.run_rebinding_all());
      ++inserted;
    }
    return ok();
  }));
  return inserted;
}

Result<std::int64_t> SqliteStore::create_batch(const Batch& batch) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("INSERT INTO batches (source_code, profile, year, file_name, file_sha256, "
                               "key_id, reader, loaded_at, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                               "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'active')"));
  RETURN_IF_ERROR(stmt.bind(1, batch.source_code)
                      .bind(2, batch.profile)
                      .bind(3, batch.year)
                      .bind(4, batch.file_name)
                      .bind(5, batch.file_sha256)
                      .bind(6, batch.key_id)
                      .bind(7, batch.reader)
                      .run());
  return db_.last_insert_rowid();
}

Result<void> SqliteStore::finish_batch(std::int64_t id, std::int64_t rows_read, std::int64_t rows_loaded,
                                       std::int64_t rows_rejected) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("UPDATE batches SET rows_read = ?2, rows_loaded = ?3, "
                                               "rows_rejected = ?4 WHERE id = ?1"));
  return stmt.bind(1, id).bind(2, rows_read).bind(3, rows_loaded).bind(4, rows_rejected).run();
}

Result<Batch> SqliteStore::batch(std::int64_t id) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found, select_batches("WHERE id = ?1", [&](Statement& s) { s.bind(1, id); }));
  if (found.empty()) {
    return fail(ErrorCode::kNotFound, fmt::format("no batch {}", id));
  }
  return found.front();
}

Result<std::vector<Batch>> SqliteStore::batches() {
  const std::lock_guard lock(mutex_);
  return select_batches("", [](Statement&) {});
}

Result<std::optional<Batch>> SqliteStore::active_batch(const std::string& source_code, const std::string& profile,
                                                       int year) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found,
                   select_batches("WHERE source_code = ?1 AND profile = ?2 AND year = ?3 AND "
                                  "status = 'active'",
                                  [&](Statement& s) { s.bind(1, source_code).bind(2, profile).bind(3, year); }));
  if (found.empty()) return std::optional<Batch>();
  return std::optional<Batch>(found.front());
}

Result<void> SqliteStore::replace_batch(std::int64_t old_id, std::int64_t new_id) {
  const std::lock_guard lock(mutex_);
  return transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(Statement mark, db_.prepare("UPDATE batches SET status = 'replaced', "
                                                 "replaced_by = ?2 WHERE id = ?1"));
    RETURN_IF_ERROR(mark.bind(1, old_id).bind(2, new_id).run());
    ASSIGN_OR_RETURN(Statement remove, db_.prepare("DELETE FROM registrations WHERE batch_id = ?1"));
    return remove.bind(1, old_id).run();
  });
}

Result<void> SqliteStore::add_row_errors(const std::vector<RowError>& errors) {
  const std::lock_guard lock(mutex_);
  return transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO quarantine (batch_id, row_number, column_name, "
                                                 "reason, value) VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const RowError& e : errors) {
      RETURN_IF_ERROR(stmt.bind(1, e.batch_id)
                          .bind(2, static_cast<std::int64_t>(e.row))
                          .bind(3, e.column)
                          .bind(4, e.reason)
                          .bind(5, e.value)
                          .run());
    }
    return ok();
  });
}

Result<std::vector<RowError>> SqliteStore::row_errors(std::int64_t batch_id) {
  const std::lock_guard lock(mutex_);
  RETURN_IF_ERROR(batch(batch_id));
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT row_number, column_name, reason, value FROM quarantine "
                                               "WHERE batch_id = ?1 ORDER BY row_number, id"));
  stmt.bind(1, batch_id);
  std::vector<RowError> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    result.push_back({batch_id, static_cast<long>(stmt.column_int(0)), stmt.column_text(1), stmt.column_text(2),
                      stmt.column_text(3)});
  }
  return result;
}

Result<std::int64_t> SqliteStore::count_registrations(const RegistrationFilter& filter) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare(fmt::format("SELECT count(*) FROM registrations r JOIN sources s "
                                                           "ON s.id = r.source_id WHERE {}",
                                                           kFilterClause)));
  bind_filter(stmt, filter);
  ASSIGN_OR_RETURN(const bool row, stmt.step());
  assert(row && "count(*) always yields a row");
  (void)row;
  return stmt.column_int(0);
}

Result<std::vector<std::int64_t>> SqliteStore::registration_ids(const RegistrationFilter& filter) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare(fmt::format("SELECT r.id FROM registrations r JOIN sources s ON s.id = r.source_id "
                                           "WHERE {} ORDER BY r.id",
                                           kFilterClause)));
  bind_filter(stmt, filter);
  std::vector<std::int64_t> ids;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    ids.push_back(stmt.column_int(0));
  }
  return ids;
}

Result<std::vector<Registration>> SqliteStore::registrations(const RegistrationFilter& filter) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_.prepare(fmt::format("SELECT s.code, r.person_key, r.year, r.mandate, r.role, r.exploitation_form, "
                              "r.offence_type, r.sex, r.age, r.nationality, r.region_code, r.chain_stage, "
                              "r.residence_status, r.name_key, r.name_bloom, r.birth_bloom, r.first_name_bloom, "
                              "r.last_name_bloom, r.first_name_key, r.last_name_key, r.birth_year_key, "
                              "r.birth_year_pair_key, r.birth_year_pair_odd_key, r.birth_month_key, r.birth_day_key, "
                              "r.birth_first_of_january, r.national_id_key, r.record_id "
                              "FROM registrations r JOIN sources s ON s.id = r.source_id WHERE {} ORDER BY r.id",
                              kFilterClause)));
  bind_filter(stmt, filter);
  std::vector<Registration> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    Registration r;
    r.source_code = stmt.column_text(0);
    r.person_key = unpack_key(stmt, 1);
    r.year = static_cast<int>(stmt.column_int(2));
    ASSIGN_OR_RETURN(r.mandate, stored(parse_mandate(stmt.column_text(3)), "mandate"));
    ASSIGN_OR_RETURN(r.role, stored(parse_role(stmt.column_text(4)), "role"));
    ASSIGN_OR_RETURN(
        r.exploitation_form,
        stored_optional<ExploitationForm>(stmt.column_optional_text(5), parse_exploitation_form, "exploitation_form"));
    ASSIGN_OR_RETURN(r.offence_type,
                     stored_optional<OffenceType>(stmt.column_optional_text(6), parse_offence_type, "offence_type"));
    ASSIGN_OR_RETURN(r.sex, stored(parse_sex(stmt.column_text(7)), "sex"));
    if (const auto age = stmt.column_optional_int(8)) {
      r.age = static_cast<int>(*age);
    }
    r.nationality = stmt.column_optional_text(9);
    r.region_code = stmt.column_optional_text(10);
    ASSIGN_OR_RETURN(r.chain_stage,
                     stored_optional<ChainStage>(stmt.column_optional_text(11), parse_chain_stage, "chain_stage"));
    ASSIGN_OR_RETURN(r.residence_status, stored(parse_residence_status(stmt.column_text(12)), "residence_status"));
    if (!stmt.column_is_null(13)) r.name_key = unpack_key(stmt, 13);
    r.name_bloom = stmt.column_blob(14);
    r.birth_bloom = stmt.column_blob(15);
    ComparisonKeys& c = r.comparison;
    read_comparison_keys(
        c, 16, [&](int column) { return stmt.column_blob(column); },
        [&](int column) { return stmt.column_optional_text(column); });
    c.birth_first_of_january = stmt.column_int(25) != 0;
    c.national_id_key = stmt.column_optional_text(26).value_or("");
    r.record_id = stmt.column_optional_text(27);
    result.push_back(std::move(r));
  }
  return result;
}

Result<std::vector<RegistrationCount>> SqliteStore::registration_counts() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT year, mandate, role, count(*), count(DISTINCT person_key) "
                                               "FROM registrations GROUP BY year, mandate, role "
                                               "ORDER BY year, mandate, role"));
  std::vector<RegistrationCount> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    RegistrationCount count;
    count.year = static_cast<int>(stmt.column_int(0));
    ASSIGN_OR_RETURN(count.mandate, stored(parse_mandate(stmt.column_text(1)), "mandate"));
    ASSIGN_OR_RETURN(count.role, stored(parse_role(stmt.column_text(2)), "role"));
    count.registrations = stmt.column_int(3);
    count.persons = stmt.column_int(4);
    result.push_back(count);
  }
  return result;
}

Result<std::int64_t> SqliteStore::count_persons() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT count(DISTINCT person_key) FROM registrations"));
  ASSIGN_OR_RETURN(const bool row, stmt.step());
  assert(row && "count(*) always yields a row");
  (void)row;
  return stmt.column_int(0);
}

void SqliteStore::bind_filter(Statement& stmt, const RegistrationFilter& filter) {
  stmt.bind(1, filter.year ? std::optional<std::int64_t>(*filter.year) : std::nullopt);
  stmt.bind(2, optional_code(filter.mandate));
  stmt.bind(3, optional_code(filter.role));
  stmt.bind(4, filter.source_code);
}

Result<bool> SqliteStore::region_exists(const std::string& code) {
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT 1 FROM regions WHERE code = ?1"));
  stmt.bind(1, code);
  return stmt.step();
}

// Runs `sql` selecting (text, integer) pairs into a map.
Result<std::unordered_map<std::string, std::int64_t>> SqliteStore::id_map(const char* sql) {
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare(sql));
  std::unordered_map<std::string, std::int64_t> ids;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    ids.emplace(stmt.column_text(0), stmt.column_int(1));
  }
  return ids;
}

}  // namespace rapporteur::store::internal
