// SQLite backend of the Store interface.
#include <cassert>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "store/internal/migrations.h"
#include "store/internal/sqlite.h"
#include "store/store.h"

namespace rapporteur::store {
namespace {

using internal::Database;
using internal::Statement;
using internal::try_pack_key;
using internal::unpack_key;

std::string join_mandates(const std::vector<Mandate>& mandates) {
  std::string joined;
  for (const Mandate mandate : mandates) {
    joined += joined.empty() ? "" : ",";
    joined += to_code(mandate);
  }
  return joined;
}

std::string join_forms(const std::vector<ExploitationForm>& forms) {
  std::string joined;
  for (const ExploitationForm form : forms) {
    joined += joined.empty() ? "" : ",";
    joined += to_code(form);
  }
  return joined;
}

Result<std::vector<ExploitationForm>> split_forms(std::string_view joined) {
  std::vector<ExploitationForm> forms;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    ASSIGN_OR_RETURN(const ExploitationForm form, parse_exploitation_form(joined.substr(0, comma)));
    forms.push_back(form);
    joined = comma == std::string_view::npos ? std::string_view{} : joined.substr(comma + 1);
  }
  return forms;
}

Result<std::vector<Mandate>> split_mandates(std::string_view joined) {
  std::vector<Mandate> mandates;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    ASSIGN_OR_RETURN(const Mandate mandate, parse_mandate(joined.substr(0, comma)));
    mandates.push_back(mandate);
    joined = comma == std::string_view::npos ? std::string_view{} : joined.substr(comma + 1);
  }
  return mandates;
}

// Reads a stored enum code back; a bad code means the database was edited by hand or a bug.
template <typename T>
Result<T> stored(Result<T> parsed, std::string_view column) {
  if (!parsed) {
    return fail(ErrorCode::kStorage,
                fmt::format("corrupt value in column {}: {}", column, parsed.error().message));
  }
  return parsed;
}

template <typename T, typename Parser>
Result<std::optional<T>> stored_optional(const std::optional<std::string>& code, Parser parser,
                                         std::string_view column) {
  if (!code) {
    return std::optional<T>();
  }
  ASSIGN_OR_RETURN(T value, stored(parser(*code), column));
  return std::optional<T>(value);
}

// The code of an optional enum value; views static text.
// Binds a person key in its stored form (see try_pack_key); `packed` must outlive the next run.
void bind_key(Statement& statement, int index, const std::string& key, std::string& packed) {
  if (try_pack_key(key, packed)) {
    statement.bind_blob_borrowed(index, packed);
  } else {
    statement.bind_borrowed(index, key);
  }
}

std::optional<std::string_view> optional_code(const auto& value) {
  if (!value) {
    return std::nullopt;
  }
  return to_code(*value);
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Database db, int version) : db_(std::move(db)), version_(version) {}

  int schema_version() const override { return version_; }

  Result<void> transact(const std::function<Result<void>()>& work) override {
    const std::lock_guard lock(mutex_);
    const int depth = depth_;
    const std::string savepoint = fmt::format("sp{}", depth);
    RETURN_IF_ERROR(db_.exec(depth == 0 ? std::string("BEGIN IMMEDIATE")
                                        : "SAVEPOINT " + savepoint));
    ++depth_;
    Result<void> result = work();
    --depth_;
    if (result) {
      Result<void> committed = db_.exec(depth == 0 ? std::string("COMMIT") : "RELEASE " + savepoint);
      if (committed) {
        return ok();
      }
      result = std::move(committed);
    }
    // Roll back everything the work wrote; the original error is what the caller needs.
    if (depth == 0) {
      (void)db_.exec("ROLLBACK");
    } else {
      (void)db_.exec(fmt::format("ROLLBACK TO {0}; RELEASE {0}", savepoint));
    }
    return result;
  }

  Result<void> set_meta(const std::string& key, const std::string& value) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("INSERT INTO instance_meta (key, value) VALUES (?1, ?2) "
                                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    return stmt.bind(1, key).bind(2, value).run();
  }

  Result<std::string> get_meta(const std::string& key) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT value FROM instance_meta WHERE key = ?1"));
    stmt.bind(1, key);
    ASSIGN_OR_RETURN(const bool found, stmt.step());
    if (!found) {
      return fail(ErrorCode::kNotFound, fmt::format("no instance setting '{}'", key));
    }
    return stmt.column_text(0);
  }

  Result<void> put_source(const Source& source) override {
    const std::lock_guard lock(mutex_);
    if (source.code.empty()) {
      return fail(ErrorCode::kInvalidArgument, "a source needs a code");
    }
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("INSERT INTO sources (code, name, kind) VALUES (?1, ?2, ?3) "
                                 "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                                 "kind = excluded.kind"));
    return stmt.bind(1, source.code).bind(2, source.name).bind(3, to_code(source.kind)).run();
  }

  Result<std::vector<Source>> sources() override {
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

  Result<void> put_region(const Region& region) override {
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
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("INSERT INTO regions (code, name, level, parent_code) "
                                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (code) DO UPDATE SET "
                                 "name = excluded.name, level = excluded.level, "
                                 "parent_code = excluded.parent_code"));
    return stmt.bind(1, region.code).bind(2, region.name).bind(3, to_code(region.level))
        .bind(4, region.parent_code).run();
  }

  Result<std::vector<Region>> regions() override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("SELECT code, name, level, parent_code FROM regions ORDER BY code"));
    std::vector<Region> result;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      ASSIGN_OR_RETURN(const RegionLevel level, stored(parse_region_level(stmt.column_text(2)), "regions.level"));
      result.push_back({stmt.column_text(0), stmt.column_text(1), level, stmt.column_optional_text(3)});
    }
    return result;
  }

  Result<void> put_population(const RegionPopulation& population) override {
    const std::lock_guard lock(mutex_);
    if (population.population < 0) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("population of {} in {} is negative ({})", population.region_code,
                              population.year, population.population));
    }
    ASSIGN_OR_RETURN(const bool exists, region_exists(population.region_code));
    if (!exists) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("population for unknown region '{}'", population.region_code));
    }
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("INSERT INTO region_populations (region_code, year, population) "
                                 "VALUES (?1, ?2, ?3) ON CONFLICT (region_code, year) DO UPDATE "
                                 "SET population = excluded.population"));
    return stmt.bind(1, population.region_code).bind(2, population.year)
        .bind(3, population.population).run();
  }

  Result<std::int64_t> population(const std::string& region_code, int year) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("SELECT population FROM region_populations "
                                 "WHERE region_code = ?1 AND year = ?2"));
    stmt.bind(1, region_code).bind(2, year);
    ASSIGN_OR_RETURN(const bool found, stmt.step());
    if (!found) {
      return fail(ErrorCode::kNotFound,
                  fmt::format("no population for region '{}' in {}", region_code, year));
    }
    return stmt.column_int(0);
  }

  Result<std::int64_t> add_registrations(const std::vector<Registration>& registrations,
                                         std::optional<std::int64_t> batch_id) override {
    for (std::size_t i = 0; i < registrations.size(); ++i) {
      if (auto valid = validate(registrations[i]); !valid) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("registration {}: {}", i, valid.error().message));
      }
    }
    const std::lock_guard lock(mutex_);
    std::int64_t inserted = 0;
    RETURN_IF_ERROR(transact([&]() -> Result<void> {
      ASSIGN_OR_RETURN(const auto source_ids, id_map("SELECT code, id FROM sources"));
      ASSIGN_OR_RETURN(const auto region_codes, id_map("SELECT code, 1 FROM regions"));
      ASSIGN_OR_RETURN(
          Statement insert,
          db_.prepare("INSERT INTO registrations (source_id, person_key, year, mandate, role, "
                      "exploitation_form, offence_type, sex, age, nationality, region_code, "
                      "chain_stage, residence_status, batch_id, name_key, name_bloom, birth_bloom, "
                      "first_name_bloom, last_name_bloom, first_name_key, last_name_key, "
                      "birth_year_key, birth_year_pair_key, birth_year_pair_odd_key, birth_month_key, "
                      "birth_day_key, birth_first_of_january, national_id_key) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                      "?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)"));
      std::string person_key;  // The packed keys of the row being inserted (storage reused).
      std::string name_key;
      for (std::size_t i = 0; i < registrations.size(); ++i) {
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
        const std::optional<std::int64_t> age =
            r.age ? std::optional<std::int64_t>(*r.age) : std::nullopt;
        // Every parameter is bound for every row, in place: the registrations outlive the run.
        bind_key(insert, 2, r.person_key, person_key);
        if (r.name_key) {
          bind_key(insert, 15, *r.name_key, name_key);
        } else {
          insert.bind_null(15);
        }
        insert.bind(1, source->second).bind(3, r.year)
            .bind_borrowed(4, to_code(r.mandate)).bind_borrowed(5, to_code(r.role))
            .bind_borrowed(6, optional_code(r.exploitation_form))
            .bind_borrowed(7, optional_code(r.offence_type))
            .bind_borrowed(8, to_code(r.sex)).bind(9, age).bind_borrowed(10, r.nationality)
            .bind_borrowed(11, r.region_code).bind_borrowed(12, optional_code(r.chain_stage))
            .bind_borrowed(13, to_code(r.residence_status)).bind(14, batch_id)
            .bind_blob_borrowed(16, r.name_bloom).bind_blob_borrowed(17, r.birth_bloom);
        const ComparisonKeys& c = r.comparison;
        insert.bind_blob_borrowed(18, c.first_name_bloom).bind_blob_borrowed(19, c.last_name_bloom)
            .bind_borrowed(20, c.first_name_key).bind_borrowed(21, c.last_name_key)
            .bind_borrowed(22, c.birth_year_key).bind_borrowed(23, c.birth_year_pair_key)
            .bind_borrowed(24, c.birth_year_pair_odd_key).bind_borrowed(25, c.birth_month_key)
            .bind_borrowed(26, c.birth_day_key).bind(27, c.birth_first_of_january ? 1 : 0)
            .bind_borrowed(28, c.national_id_key);
        RETURN_IF_ERROR(insert.run_rebinding_all());
        ++inserted;
      }
      return ok();
    }));
    return inserted;
  }

  Result<std::int64_t> create_batch(const Batch& batch) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(
        Statement stmt,
        db_.prepare("INSERT INTO batches (source_code, profile, year, file_name, file_sha256, "
                    "key_id, reader, loaded_at, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'active')"));
    RETURN_IF_ERROR(stmt.bind(1, batch.source_code).bind(2, batch.profile).bind(3, batch.year)
                        .bind(4, batch.file_name).bind(5, batch.file_sha256).bind(6, batch.key_id)
                        .bind(7, batch.reader).run());
    return db_.last_insert_rowid();
  }

  Result<void> finish_batch(std::int64_t id, std::int64_t rows_read, std::int64_t rows_loaded,
                            std::int64_t rows_rejected) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("UPDATE batches SET rows_read = ?2, rows_loaded = ?3, "
                                 "rows_rejected = ?4 WHERE id = ?1"));
    return stmt.bind(1, id).bind(2, rows_read).bind(3, rows_loaded).bind(4, rows_rejected).run();
  }

  Result<Batch> batch(std::int64_t id) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(auto found, select_batches("WHERE id = ?1", [&](Statement& s) { s.bind(1, id); }));
    if (found.empty()) {
      return fail(ErrorCode::kNotFound, fmt::format("no batch {}", id));
    }
    return found.front();
  }

  Result<std::vector<Batch>> batches() override {
    const std::lock_guard lock(mutex_);
    return select_batches("", [](Statement&) {});
  }

  Result<std::optional<Batch>> active_batch(const std::string& source_code, const std::string& profile,
                                            int year) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(auto found,
                     select_batches("WHERE source_code = ?1 AND profile = ?2 AND year = ?3 AND "
                                    "status = 'active'",
                                    [&](Statement& s) { s.bind(1, source_code).bind(2, profile).bind(3, year); }));
    if (found.empty()) return std::optional<Batch>();
    return std::optional<Batch>(found.front());
  }

  Result<void> replace_batch(std::int64_t old_id, std::int64_t new_id) override {
    const std::lock_guard lock(mutex_);
    return transact([&]() -> Result<void> {
      ASSIGN_OR_RETURN(Statement mark, db_.prepare("UPDATE batches SET status = 'replaced', "
                                                   "replaced_by = ?2 WHERE id = ?1"));
      RETURN_IF_ERROR(mark.bind(1, old_id).bind(2, new_id).run());
      ASSIGN_OR_RETURN(Statement remove, db_.prepare("DELETE FROM registrations WHERE batch_id = ?1"));
      return remove.bind(1, old_id).run();
    });
  }

  Result<void> add_row_errors(const std::vector<RowError>& errors) override {
    const std::lock_guard lock(mutex_);
    return transact([&]() -> Result<void> {
      ASSIGN_OR_RETURN(Statement stmt,
                       db_.prepare("INSERT INTO quarantine (batch_id, row_number, column_name, "
                                   "reason, value) VALUES (?1, ?2, ?3, ?4, ?5)"));
      for (const RowError& e : errors) {
        RETURN_IF_ERROR(stmt.bind(1, e.batch_id).bind(2, static_cast<std::int64_t>(e.row))
                            .bind(3, e.column).bind(4, e.reason).bind(5, e.value).run());
      }
      return ok();
    });
  }

  Result<std::vector<RowError>> row_errors(std::int64_t batch_id) override {
    const std::lock_guard lock(mutex_);
    RETURN_IF_ERROR(batch(batch_id));
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("SELECT row_number, column_name, reason, value FROM quarantine "
                                 "WHERE batch_id = ?1 ORDER BY row_number, id"));
    stmt.bind(1, batch_id);
    std::vector<RowError> result;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      result.push_back({batch_id, static_cast<long>(stmt.column_int(0)), stmt.column_text(1),
                        stmt.column_text(2), stmt.column_text(3)});
    }
    return result;
  }

  Result<std::int64_t> count_registrations(const RegistrationFilter& filter) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare(fmt::format("SELECT count(*) FROM registrations r JOIN sources s "
                                             "ON s.id = r.source_id WHERE {}", kFilterClause)));
    bind_filter(stmt, filter);
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    assert(row && "count(*) always yields a row");
    (void)row;
    return stmt.column_int(0);
  }

  Result<std::vector<Registration>> registrations(const RegistrationFilter& filter) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(
        Statement stmt,
        db_.prepare(fmt::format(
            "SELECT s.code, r.person_key, r.year, r.mandate, r.role, r.exploitation_form, "
            "r.offence_type, r.sex, r.age, r.nationality, r.region_code, r.chain_stage, "
            "r.residence_status, r.name_key, r.name_bloom, r.birth_bloom, r.first_name_bloom, "
            "r.last_name_bloom, r.first_name_key, r.last_name_key, r.birth_year_key, "
            "r.birth_year_pair_key, r.birth_year_pair_odd_key, r.birth_month_key, r.birth_day_key, "
            "r.birth_first_of_january, r.national_id_key "
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
      ASSIGN_OR_RETURN(r.exploitation_form,
                       stored_optional<ExploitationForm>(stmt.column_optional_text(5),
                                                         parse_exploitation_form, "exploitation_form"));
      ASSIGN_OR_RETURN(r.offence_type, stored_optional<OffenceType>(stmt.column_optional_text(6),
                                                                    parse_offence_type, "offence_type"));
      ASSIGN_OR_RETURN(r.sex, stored(parse_sex(stmt.column_text(7)), "sex"));
      if (const auto age = stmt.column_optional_int(8)) {
        r.age = static_cast<int>(*age);
      }
      r.nationality = stmt.column_optional_text(9);
      r.region_code = stmt.column_optional_text(10);
      ASSIGN_OR_RETURN(r.chain_stage, stored_optional<ChainStage>(stmt.column_optional_text(11),
                                                                  parse_chain_stage, "chain_stage"));
      ASSIGN_OR_RETURN(r.residence_status,
                       stored(parse_residence_status(stmt.column_text(12)), "residence_status"));
      if (!stmt.column_is_null(13)) r.name_key = unpack_key(stmt, 13);
      r.name_bloom = stmt.column_blob(14);
      r.birth_bloom = stmt.column_blob(15);
      ComparisonKeys& c = r.comparison;
      c.first_name_bloom = stmt.column_blob(16);
      c.last_name_bloom = stmt.column_blob(17);
      c.first_name_key = stmt.column_optional_text(18).value_or("");
      c.last_name_key = stmt.column_optional_text(19).value_or("");
      c.birth_year_key = stmt.column_optional_text(20).value_or("");
      c.birth_year_pair_key = stmt.column_optional_text(21).value_or("");
      c.birth_year_pair_odd_key = stmt.column_optional_text(22).value_or("");
      c.birth_month_key = stmt.column_optional_text(23).value_or("");
      c.birth_day_key = stmt.column_optional_text(24).value_or("");
      c.birth_first_of_january = stmt.column_int(25) != 0;
      c.national_id_key = stmt.column_optional_text(26).value_or("");
      result.push_back(std::move(r));
    }
    return result;
  }

  Result<std::vector<RegistrationCount>> registration_counts() override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("SELECT year, mandate, role, count(*), count(DISTINCT person_key) "
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

  Result<std::int64_t> count_persons() override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT count(DISTINCT person_key) FROM registrations"));
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    assert(row && "count(*) always yields a row");
    (void)row;
    return stmt.column_int(0);
  }

  Result<void> put_publication(const Publication& publication) override {
    const std::lock_guard lock(mutex_);
    if (publication.slug.empty() || publication.title.empty()) {
      return fail(ErrorCode::kInvalidArgument, "a publication needs a slug and a title");
    }
    if (publication.language != "nl" && publication.language != "en") {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("publication {}: language '{}' is not 'nl' or 'en'", publication.slug,
                              publication.language));
    }
    ASSIGN_OR_RETURN(
        Statement stmt,
        db_.prepare("INSERT INTO publications (slug, title, type, date, language, mandates, summary, "
                    "forms, body, file_sha256, file_name, media_type, source_sha256) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                    "ON CONFLICT (slug) DO UPDATE SET "
                    "title = excluded.title, type = excluded.type, date = excluded.date, "
                    "language = excluded.language, mandates = excluded.mandates, "
                    "summary = excluded.summary, forms = excluded.forms, body = excluded.body, "
                    "file_sha256 = excluded.file_sha256, file_name = excluded.file_name, "
                    "media_type = excluded.media_type, source_sha256 = excluded.source_sha256"));
    return stmt.bind(1, publication.slug).bind(2, publication.title).bind(3, to_code(publication.type))
        .bind(4, publication.date).bind(5, publication.language)
        .bind(6, join_mandates(publication.mandates)).bind(7, publication.summary)
        .bind(8, join_forms(publication.forms)).bind(9, publication.body)
        .bind(10, publication.file_sha256).bind(11, publication.file_name)
        .bind(12, publication.media_type).bind(13, publication.source_sha256).run();
  }

  Result<std::vector<Publication>> publications() override {
    const std::lock_guard lock(mutex_);
    return read_publications("", std::nullopt);
  }

  Result<std::vector<Publication>> publication_list() override {
    const std::lock_guard lock(mutex_);
    return read_publications("", std::nullopt, Bodies::kLeaveOut);
  }

  Result<Publication> publication(const std::string& slug) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(auto found, read_publications("WHERE slug = ?1", slug));
    if (found.empty()) return fail(ErrorCode::kNotFound, fmt::format("no publication '{}'", slug));
    return std::move(found.front());
  }

  Result<std::optional<std::string>> publication_from_source(const std::string& source_sha256) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("SELECT slug FROM publications WHERE source_sha256 = ?1 ORDER BY id LIMIT 1"));
    stmt.bind(1, source_sha256);
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) return std::optional<std::string>{};
    return std::optional<std::string>(stmt.column_text(0));
  }

  Result<void> put_recommendation(const Recommendation& recommendation) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement find, db_.prepare("SELECT id FROM publications WHERE slug = ?1"));
    find.bind(1, recommendation.publication_slug);
    ASSIGN_OR_RETURN(const bool found, find.step());
    if (!found) {
      return fail(ErrorCode::kNotFound, fmt::format("recommendation {}: no publication '{}'",
                                                    recommendation.number,
                                                    recommendation.publication_slug));
    }
    const std::int64_t publication_id = find.column_int(0);
    ASSIGN_OR_RETURN(
        Statement stmt,
        db_.prepare("INSERT INTO recommendations (publication_id, number, text, addressee, year, "
                    "status) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (publication_id, number) "
                    "DO UPDATE SET text = excluded.text, addressee = excluded.addressee, "
                    "year = excluded.year, status = excluded.status"));
    RETURN_IF_ERROR(stmt.bind(1, publication_id).bind(2, recommendation.number).bind(3, recommendation.text)
                        .bind(4, recommendation.addressee).bind(5, recommendation.year)
                        .bind(6, to_code(recommendation.status)).run());
    if (recommendation.history.empty()) return ok();
    // The history given replaces the stored one: the caller passes the whole record.
    ASSIGN_OR_RETURN(Statement id_of, db_.prepare("SELECT id FROM recommendations WHERE publication_id = ?1 "
                                                  "AND number = ?2"));
    id_of.bind(1, publication_id).bind(2, recommendation.number);
    ASSIGN_OR_RETURN(const bool has_id, id_of.step());
    assert(has_id && "the row was just written");
    (void)has_id;
    const std::int64_t id = id_of.column_int(0);
    ASSIGN_OR_RETURN(Statement clear, db_.prepare("DELETE FROM recommendation_events WHERE recommendation_id = ?1"));
    RETURN_IF_ERROR(clear.bind(1, id).run());
    for (const auto& event : recommendation.history) RETURN_IF_ERROR(insert_event(id, event));
    return ok();
  }

  Result<void> add_recommendation_event(const std::string& publication_slug, int number,
                                        const Recommendation::Event& event) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement find, db_.prepare("SELECT r.id FROM recommendations r JOIN publications p "
                                                 "ON p.id = r.publication_id WHERE p.slug = ?1 AND r.number = ?2"));
    find.bind(1, publication_slug).bind(2, number);
    ASSIGN_OR_RETURN(const bool found, find.step());
    if (!found) {
      return fail(ErrorCode::kNotFound,
                  fmt::format("no recommendation {} in publication '{}'", number, publication_slug));
    }
    const std::int64_t id = find.column_int(0);
    RETURN_IF_ERROR(insert_event(id, event));
    if (!event.status) return ok();
    ASSIGN_OR_RETURN(Statement update, db_.prepare("UPDATE recommendations SET status = ?1 WHERE id = ?2"));
    return update.bind(1, to_code(*event.status)).bind(2, id).run();
  }

  Result<std::vector<Recommendation>> recommendations() override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("SELECT p.slug, r.number, r.text, r.addressee, r.year, r.status, r.id "
                                 "FROM recommendations r JOIN publications p "
                                 "ON p.id = r.publication_id ORDER BY r.year, p.slug, r.number"));
    std::vector<Recommendation> result;
    std::map<std::int64_t, std::size_t> index_of;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      Recommendation r;
      r.publication_slug = stmt.column_text(0);
      r.number = static_cast<int>(stmt.column_int(1));
      r.text = stmt.column_text(2);
      r.addressee = stmt.column_text(3);
      r.year = static_cast<int>(stmt.column_int(4));
      ASSIGN_OR_RETURN(r.status, stored(parse_response_status(stmt.column_text(5)), "recommendations.status"));
      index_of[stmt.column_int(6)] = result.size();
      result.push_back(std::move(r));
    }
    ASSIGN_OR_RETURN(Statement events, db_.prepare("SELECT recommendation_id, date, status, note FROM "
                                                   "recommendation_events ORDER BY date, id"));
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, events.step());
      if (!row) break;
      const auto at = index_of.find(events.column_int(0));
      if (at == index_of.end()) continue;
      Recommendation::Event event;
      event.date = events.column_text(1);
      ASSIGN_OR_RETURN(event.status, stored_optional<ResponseStatus>(events.column_optional_text(2),
                                                                     parse_response_status,
                                                                     "recommendation_events.status"));
      event.note = events.column_text(3);
      result[at->second].history.push_back(std::move(event));
    }
    return result;
  }

  Result<void> put_activity(const Activity& a) override {
    const std::lock_guard lock(mutex_);
    if (a.date.size() != 10 || a.organisation.empty() || a.title.empty()) {
      return fail(ErrorCode::kInvalidArgument, "an activity needs a date (YYYY-MM-DD), an organisation and a title");
    }
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO activities (date, kind, organisation, title, notes) "
                                                 "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (date, kind, organisation, "
                                                 "title) DO UPDATE SET notes = excluded.notes"));
    return stmt.bind(1, a.date).bind(2, to_code(a.kind)).bind(3, a.organisation).bind(4, a.title).bind(5, a.notes).run();
  }

  Result<std::vector<Activity>> activities(int year) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT date, kind, organisation, title, notes FROM activities "
                                                 "WHERE substr(date, 1, 4) = ?1 ORDER BY date, id"));
    stmt.bind(1, std::to_string(year));
    std::vector<Activity> result;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      Activity a;
      a.date = stmt.column_text(0);
      ASSIGN_OR_RETURN(a.kind, stored(parse_activity_kind(stmt.column_text(1)), "activities.kind"));
      a.organisation = stmt.column_text(2);
      a.title = stmt.column_text(3);
      a.notes = stmt.column_text(4);
      result.push_back(std::move(a));
    }
    return result;
  }

  Result<void> put_media_appearance(const MediaAppearance& m) override {
    const std::lock_guard lock(mutex_);
    if (m.date.size() != 10 || m.outlet.empty() || m.topic.empty()) {
      return fail(ErrorCode::kInvalidArgument, "a media appearance needs a date (YYYY-MM-DD), an outlet and a topic");
    }
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO media_appearances (date, outlet, kind, topic, link) "
                                                 "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (date, outlet, topic) "
                                                 "DO UPDATE SET kind = excluded.kind, link = excluded.link"));
    return stmt.bind(1, m.date).bind(2, m.outlet).bind(3, to_code(m.kind)).bind(4, m.topic).bind(5, m.link).run();
  }

  Result<void> remove_activity(const Activity& a) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("DELETE FROM activities WHERE date = ?1 AND kind = ?2 AND "
                                                 "organisation = ?3 AND title = ?4"));
    RETURN_IF_ERROR(stmt.bind(1, a.date).bind(2, to_code(a.kind)).bind(3, a.organisation).bind(4, a.title).run());
    if (db_.changes() == 0) {
      return fail(ErrorCode::kNotFound, fmt::format("no {} activity '{}' with {} on {}", to_code(a.kind), a.title,
                                                    a.organisation, a.date));
    }
    return ok();
  }

  Result<void> remove_media_appearance(const MediaAppearance& m) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("DELETE FROM media_appearances WHERE date = ?1 AND outlet = ?2 AND topic = ?3"));
    RETURN_IF_ERROR(stmt.bind(1, m.date).bind(2, m.outlet).bind(3, m.topic).run());
    if (db_.changes() == 0) {
      return fail(ErrorCode::kNotFound, fmt::format("no media appearance in {} on '{}' on {}", m.outlet, m.topic, m.date));
    }
    return ok();
  }

  Result<std::vector<MediaAppearance>> media_appearances(int year) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT date, outlet, kind, topic, link FROM media_appearances "
                                                 "WHERE substr(date, 1, 4) = ?1 ORDER BY date, id"));
    stmt.bind(1, std::to_string(year));
    std::vector<MediaAppearance> result;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      MediaAppearance m;
      m.date = stmt.column_text(0);
      m.outlet = stmt.column_text(1);
      ASSIGN_OR_RETURN(m.kind, stored(parse_media_kind(stmt.column_text(2)), "media_appearances.kind"));
      m.topic = stmt.column_text(3);
      m.link = stmt.column_text(4);
      result.push_back(std::move(m));
    }
    return result;
  }

  Result<void> put_finances(const Finances& f) override {
    if (f.year < 1990 || f.year > 2100) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("finances: year {} is outside 1990..2100", f.year));
    }
    return transact([&]() -> Result<void> {
      ASSIGN_OR_RETURN(Statement drop, db_.prepare("DELETE FROM finance_years WHERE year = ?1"));
      RETURN_IF_ERROR(drop.bind(1, f.year).run());
      ASSIGN_OR_RETURN(Statement year, db_.prepare("INSERT INTO finance_years (year, budget_total, spending_total, "
                                                   "result, notes) VALUES (?1, ?2, ?3, ?4, ?5)"));
      RETURN_IF_ERROR(year.bind(1, f.year).bind(2, f.budget_total_cents).bind(3, f.spending_total_cents)
                          .bind(4, f.result_cents).bind(5, f.notes).run());
      ASSIGN_OR_RETURN(Statement budget, db_.prepare("INSERT INTO budget_lines (year, position, funder, description, "
                                                     "kind, amount) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
      for (std::size_t i = 0; i < f.budget.size(); ++i) {
        const auto& line = f.budget[i];
        RETURN_IF_ERROR(budget.bind(1, f.year).bind(2, static_cast<std::int64_t>(i)).bind(3, line.funder)
                            .bind(4, line.description).bind(5, to_code(line.kind)).bind(6, line.amount_cents).run());
      }
      ASSIGN_OR_RETURN(Statement spending, db_.prepare("INSERT INTO spending_lines (year, position, category, "
                                                       "description, amount) VALUES (?1, ?2, ?3, ?4, ?5)"));
      for (std::size_t i = 0; i < f.spending.size(); ++i) {
        const auto& line = f.spending[i];
        RETURN_IF_ERROR(spending.bind(1, f.year).bind(2, static_cast<std::int64_t>(i))
                            .bind(3, to_code(line.category)).bind(4, line.description).bind(5, line.amount_cents).run());
      }
      return ok();
    });
  }

  Result<Finances> finances(int year) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement head, db_.prepare("SELECT budget_total, spending_total, result, notes FROM "
                                                 "finance_years WHERE year = ?1"));
    head.bind(1, year);
    ASSIGN_OR_RETURN(const bool found, head.step());
    if (!found) return fail(ErrorCode::kNotFound, fmt::format("no finances for {}", year));
    Finances f;
    f.year = year;
    f.budget_total_cents = head.column_int(0);
    f.spending_total_cents = head.column_int(1);
    f.result_cents = head.column_int(2);
    f.notes = head.column_text(3);
    ASSIGN_OR_RETURN(Statement budget, db_.prepare("SELECT funder, description, kind, amount FROM budget_lines "
                                                   "WHERE year = ?1 ORDER BY position"));
    budget.bind(1, year);
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, budget.step());
      if (!row) break;
      BudgetLine line;
      line.funder = budget.column_text(0);
      line.description = budget.column_text(1);
      ASSIGN_OR_RETURN(line.kind, stored(parse_funding_kind(budget.column_text(2)), "budget_lines.kind"));
      line.amount_cents = budget.column_int(3);
      f.budget.push_back(std::move(line));
    }
    ASSIGN_OR_RETURN(Statement spending, db_.prepare("SELECT category, description, amount FROM spending_lines "
                                                     "WHERE year = ?1 ORDER BY position"));
    spending.bind(1, year);
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, spending.step());
      if (!row) break;
      SpendingLine line;
      ASSIGN_OR_RETURN(line.category, stored(parse_spending_category(spending.column_text(0)), "spending_lines.category"));
      line.description = spending.column_text(1);
      line.amount_cents = spending.column_int(2);
      f.spending.push_back(std::move(line));
    }
    return f;
  }

  Result<void> add_user(const User& u) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement find, db_.prepare("SELECT 1 FROM users WHERE name = ?1"));
    find.bind(1, u.name);
    ASSIGN_OR_RETURN(const bool exists, find.step());
    if (exists) return fail(ErrorCode::kConflict, fmt::format("user '{}' exists", u.name));
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO users (name, role, password_hash, created_at) "
                                                 "VALUES (?1, ?2, ?3, ?4)"));
    return stmt.bind(1, u.name).bind(2, to_code(u.role)).bind(3, u.password_hash).bind(4, u.created_at).run();
  }

  Result<User> user(const std::string& name) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(auto found, read_users("WHERE name = ?1", name));
    if (found.empty()) return fail(ErrorCode::kNotFound, "no such user");
    return std::move(found.front());
  }

  Result<std::vector<User>> users() override {
    const std::lock_guard lock(mutex_);
    return read_users("", std::nullopt);
  }

  Result<void> record_sign_in_attempt(const std::string& name, int failed_attempts,
                                      const std::string& locked_until) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("UPDATE users SET failed_attempts = ?2, locked_until = ?3 WHERE name = ?1"));
    return stmt.bind(1, name).bind(2, failed_attempts).bind(3, locked_until).run();
  }

  Result<void> add_session(const Session& session) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO sessions (token_hash, user_name, csrf_token, expires_at) "
                                                 "VALUES (?1, ?2, ?3, ?4)"));
    return stmt.bind(1, session.token_hash).bind(2, session.user_name).bind(3, session.csrf_token)
        .bind(4, session.expires_at).run();
  }

  Result<Session> session(const std::string& token_hash, const std::string& now) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT user_name, csrf_token, expires_at FROM sessions "
                                                 "WHERE token_hash = ?1 AND expires_at > ?2"));
    stmt.bind(1, token_hash).bind(2, now);
    ASSIGN_OR_RETURN(const bool found, stmt.step());
    if (!found) return fail(ErrorCode::kNotFound, "no such session");
    return Session{token_hash, stmt.column_text(0), stmt.column_text(1), stmt.column_text(2)};
  }

  Result<void> delete_session(const std::string& token_hash) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("DELETE FROM sessions WHERE token_hash = ?1"));
    return stmt.bind(1, token_hash).run();
  }

  Result<void> audit(const AuditEntry& entry) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO audit_log (at, user_name, action, detail) "
                                                 "VALUES (?1, ?2, ?3, ?4)"));
    return stmt.bind(1, entry.at).bind(2, entry.user_name).bind(3, entry.action).bind(4, entry.detail).run();
  }

  Result<std::vector<AuditEntry>> audit_log(int limit) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT at, user_name, action, detail FROM audit_log "
                                                 "ORDER BY id DESC LIMIT ?1"));
    stmt.bind(1, limit);
    std::vector<AuditEntry> result;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      result.push_back({stmt.column_text(0), stmt.column_text(1), stmt.column_text(2), stmt.column_text(3)});
    }
    return result;
  }

  Result<std::int64_t> add_job(const JobRecord& job) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare("INSERT INTO jobs (kind, title, owner, started, status, link, link_text) "
                                 "VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6)"));
    RETURN_IF_ERROR(stmt.bind(1, job.kind).bind(2, job.title).bind(3, job.owner).bind(4, job.started)
                        .bind(5, job.link).bind(6, job.link_text).run());
    return db_.last_insert_rowid();
  }

  Result<void> finish_job(std::int64_t id, const std::string& status, const std::string& output,
                          const std::string& messages, const std::string& finished) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("UPDATE jobs SET status = ?2, output = ?3, messages = ?4, "
                                                 "finished = ?5 WHERE id = ?1"));
    RETURN_IF_ERROR(stmt.bind(1, id).bind(2, status).bind(3, output).bind(4, messages).bind(5, finished).run());
    if (db_.changes() == 0) return fail(ErrorCode::kNotFound, fmt::format("no job {}", id));
    return ok();
  }

  Result<std::vector<JobRecord>> jobs(int limit) override {
    const std::lock_guard lock(mutex_);
    return read_jobs("ORDER BY id DESC LIMIT ?1", limit);
  }

  Result<JobRecord> job(std::int64_t id) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(auto found, read_jobs("WHERE id = ?1", id));
    if (found.empty()) return fail(ErrorCode::kNotFound, fmt::format("no job {}", id));
    return std::move(found.front());
  }

  Result<std::int64_t> interrupt_running_jobs(const std::string& now) override {
    const std::lock_guard lock(mutex_);
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("UPDATE jobs SET status = 'interrupted', finished = ?1 "
                                                 "WHERE status = 'running'"));
    RETURN_IF_ERROR(stmt.bind(1, now).run());
    return db_.changes();
  }

 private:
  Result<std::vector<JobRecord>> read_jobs(const char* clause, std::int64_t argument) {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare(fmt::format("SELECT id, kind, title, owner, started, finished, status, output, "
                                             "messages, link, link_text FROM jobs {}", clause)));
    stmt.bind(1, argument);
    std::vector<JobRecord> result;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      result.push_back({stmt.column_int(0), stmt.column_text(1), stmt.column_text(2), stmt.column_text(3),
                        stmt.column_text(4), stmt.column_text(5), stmt.column_text(6), stmt.column_text(7),
                        stmt.column_text(8), stmt.column_text(9), stmt.column_text(10)});
    }
    return result;
  }

  Result<std::vector<User>> read_users(const std::string& where, const std::optional<std::string>& argument) {
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT name, role, password_hash, created_at, failed_attempts, "
                                                 "locked_until FROM users " + where + " ORDER BY name"));
    if (argument) stmt.bind(1, *argument);
    std::vector<User> result;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      User u;
      u.name = stmt.column_text(0);
      ASSIGN_OR_RETURN(u.role, stored(parse_user_role(stmt.column_text(1)), "users.role"));
      u.password_hash = stmt.column_text(2);
      u.created_at = stmt.column_text(3);
      u.failed_attempts = static_cast<int>(stmt.column_int(4));
      u.locked_until = stmt.column_text(5);
      result.push_back(std::move(u));
    }
    return result;
  }

  Result<void> insert_event(std::int64_t recommendation_id, const Recommendation::Event& event) {
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO recommendation_events (recommendation_id, date, "
                                                 "status, note) VALUES (?1, ?2, ?3, ?4)"));
    std::optional<std::string> status;
    if (event.status) status = std::string(to_code(*event.status));
    return stmt.bind(1, recommendation_id).bind(2, event.date).bind(3, status).bind(4, event.note).run();
  }

  enum class Bodies { kRead, kLeaveOut };

  // Publications matching `where` (bound to ?1 = `argument` when given), newest first.
  Result<std::vector<Publication>> read_publications(const std::string& where,
                                                     const std::optional<std::string>& argument,
                                                     Bodies bodies = Bodies::kRead) {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.prepare(std::string("SELECT slug, title, type, date, language, mandates, summary, forms, ") +
                                 (bodies == Bodies::kRead ? "body, " : "'', ") +
                                 "file_sha256, file_name, media_type, source_sha256 FROM publications " +
                                 where + " ORDER BY date DESC, slug"));
    if (argument) stmt.bind(1, *argument);
    std::vector<Publication> result;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      Publication p;
      p.slug = stmt.column_text(0);
      p.title = stmt.column_text(1);
      ASSIGN_OR_RETURN(p.type, stored(parse_publication_type(stmt.column_text(2)), "publications.type"));
      p.date = stmt.column_text(3);
      p.language = stmt.column_text(4);
      ASSIGN_OR_RETURN(p.mandates, stored(split_mandates(stmt.column_text(5)), "publications.mandates"));
      p.summary = stmt.column_text(6);
      ASSIGN_OR_RETURN(p.forms, stored(split_forms(stmt.column_text(7)), "publications.forms"));
      p.body = stmt.column_text(8);
      p.file_sha256 = stmt.column_text(9);
      p.file_name = stmt.column_text(10);
      p.media_type = stmt.column_text(11);
      p.source_sha256 = stmt.column_text(12);
      result.push_back(std::move(p));
    }
    return result;
  }

  static constexpr const char* kFilterClause =
      "(?1 IS NULL OR r.year = ?1) AND (?2 IS NULL OR r.mandate = ?2) AND "
      "(?3 IS NULL OR r.role = ?3) AND (?4 IS NULL OR s.code = ?4)";

  static void bind_filter(Statement& stmt, const RegistrationFilter& filter) {
    stmt.bind(1, filter.year ? std::optional<std::int64_t>(*filter.year) : std::nullopt);
    stmt.bind(2, optional_code(filter.mandate));
    stmt.bind(3, optional_code(filter.role));
    stmt.bind(4, filter.source_code);
  }

  Result<bool> region_exists(const std::string& code) {
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT 1 FROM regions WHERE code = ?1"));
    stmt.bind(1, code);
    return stmt.step();
  }

  // Runs `sql` selecting (text, integer) pairs into a map.
  Result<std::unordered_map<std::string, std::int64_t>> id_map(const char* sql) {
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare(sql));
    std::unordered_map<std::string, std::int64_t> ids;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) break;
      ids.emplace(stmt.column_text(0), stmt.column_int(1));
    }
    return ids;
  }

  template <typename Binder>
  Result<std::vector<Batch>> select_batches(const std::string& where, Binder binder) {
    ASSIGN_OR_RETURN(
        Statement stmt,
        db_.prepare("SELECT id, source_code, profile, year, file_name, file_sha256, key_id, reader, "
                    "rows_read, rows_loaded, rows_rejected, loaded_at, status, replaced_by "
                    "FROM batches " + where + " ORDER BY id"));
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

  std::recursive_mutex mutex_;
  Database db_;
  int version_;
  int depth_ = 0;  // Open transaction levels; guarded by mutex_.
};

Result<int> read_user_version(Database& db) {
  ASSIGN_OR_RETURN(Statement stmt, db.prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(const bool row, stmt.step());
  assert(row && "PRAGMA user_version always yields a row");
  (void)row;
  return static_cast<int>(stmt.column_int(0));
}

Result<void> apply_migration(Database& db, const internal::Migration& migration) {
  RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  // Another process may have migrated while this one waited for the lock.
  auto current = read_user_version(db);
  Result<void> result = current ? ok() : Result<void>(tl::unexpected(current.error()));
  if (current && *current < migration.version) {
    result = db.exec(migration.sql);
    if (result) {
      auto record = db.prepare(
          "INSERT INTO schema_migrations (version, description, applied_at) "
          "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
      result = record ? record->bind(1, migration.version).bind(2, std::string_view(migration.description)).run()
                      : Result<void>(tl::unexpected(record.error()));
    }
    if (result) {
      result = db.exec(fmt::format("PRAGMA user_version = {}", migration.version));
    }
  }
  if (result) {
    result = db.exec("COMMIT");
  }
  if (!result) {
    (void)db.exec("ROLLBACK");
    return fail(ErrorCode::kStorage, fmt::format("migration {} ({}) failed: {}", migration.version,
                                                 migration.description, result.error().message));
  }
  return ok();
}

}  // namespace

std::string_view to_code(UserRole role) {
  switch (role) {
    case UserRole::kAdmin: return "admin";
    case UserRole::kResearcher: return "researcher";
    case UserRole::kEditor: return "editor";
  }
  return "";
}

Result<UserRole> parse_user_role(std::string_view code) {
  if (code == "admin") return UserRole::kAdmin;
  if (code == "researcher") return UserRole::kResearcher;
  if (code == "editor") return UserRole::kEditor;
  return fail(ErrorCode::kInvalidArgument, fmt::format("unknown role '{}' (expected admin, researcher or editor)", code));
}

int latest_schema_version() { return internal::migrations().back().version; }

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                 const StoreOptions& options) {
  ASSIGN_OR_RETURN(Database db, Database::open(path.string()));
  RETURN_IF_ERROR(db.exec(fmt::format("PRAGMA busy_timeout = {}", options.busy_timeout.count())));
  // FULL makes every commit durable across power loss, not only across a process crash.
  // A 64 MiB page cache keeps the indexes of large batch loads in memory.
  RETURN_IF_ERROR(db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536; "
                          "PRAGMA foreign_keys = ON"));
  ASSIGN_OR_RETURN(const int found, read_user_version(db));
  const int latest = latest_schema_version();
  if (found > latest) {
    return fail(ErrorCode::kSchemaTooNew,
                fmt::format("database '{}' has schema version {}, newer than this binary supports "
                            "({}); use a newer rapporteur",
                            path.string(), found, latest));
  }
  const int target = options.target_version.value_or(latest);
  if (target < 1 || target > latest) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("target schema version {} is outside 1..{}", target, latest));
  }
  for (const internal::Migration& migration : internal::migrations()) {
    if (migration.version > found && migration.version <= target) {
      RETURN_IF_ERROR(apply_migration(db, migration));
    }
  }
  if (found < target) {
    // A migration may rewrite rows to remove data (version 10 removes quarantined values):
    // copy its pages into the database file and empty the log, which would otherwise keep
    // the old pages until it is overwritten.
    RETURN_IF_ERROR(db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  ASSIGN_OR_RETURN(const int version, read_user_version(db));
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(db), version));
}

}  // namespace rapporteur::store
