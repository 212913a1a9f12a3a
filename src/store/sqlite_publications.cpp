// SQLite store: publications and recommendations with their follow-up.
#include "store/internal/sqlite_store.h"

namespace rapporteur::store::internal {

Result<void> SqliteStore::put_publication(const Publication& publication) {
  const std::lock_guard lock(mutex_);
  if (publication.slug.empty() || publication.title.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a publication needs a slug and a title");
  }
  if (publication.language != "nl" && publication.language != "en") {
    return fail(ErrorCode::kInvalidArgument, fmt::format("publication {}: language '{}' is not 'nl' or 'en'",
                                                         publication.slug, publication.language));
  }
  for (const std::string& name : publication.tables) {
    if (!valid_table_name(name)) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("publication {}: '{}' is not a table name", publication.slug, name));
    }
  }
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("INSERT INTO publications (slug, title, type, date, language, mandates, summary, "
                               "forms, body, file_sha256, file_name, media_type, source_sha256, tables) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                               "ON CONFLICT (slug) DO UPDATE SET "
                               "title = excluded.title, type = excluded.type, date = excluded.date, "
                               "language = excluded.language, mandates = excluded.mandates, "
                               "summary = excluded.summary, forms = excluded.forms, body = excluded.body, "
                               "file_sha256 = excluded.file_sha256, file_name = excluded.file_name, "
                               "media_type = excluded.media_type, source_sha256 = excluded.source_sha256, "
                               "tables = excluded.tables"));
  return stmt.bind(1, publication.slug)
      .bind(2, publication.title)
      .bind(3, to_code(publication.type))
      .bind(4, publication.date)
      .bind(5, publication.language)
      .bind(6, join_mandates(publication.mandates))
      .bind(7, publication.summary)
      .bind(8, join_forms(publication.forms))
      .bind(9, publication.body)
      .bind(10, publication.file_sha256)
      .bind(11, publication.file_name)
      .bind(12, publication.media_type)
      .bind(13, publication.source_sha256)
      .bind(14, join_table_names(publication.tables))
      .run();
}

Result<std::vector<Publication>> SqliteStore::publications() {
  const std::lock_guard lock(mutex_);
  return read_publications("", std::nullopt);
}

Result<std::vector<Publication>> SqliteStore::publication_list() {
  const std::lock_guard lock(mutex_);
  return read_publications("", std::nullopt, Bodies::kLeaveOut);
}

Result<Publication> SqliteStore::publication(const std::string& slug) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found, read_publications("WHERE slug = ?1", slug));
  if (found.empty()) return fail(ErrorCode::kNotFound, fmt::format("no publication '{}'", slug));
  return std::move(found.front());
}

Result<std::optional<std::string>> SqliteStore::publication_from_source(const std::string& source_sha256) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("SELECT slug FROM publications WHERE source_sha256 = ?1 ORDER BY id LIMIT 1"));
  stmt.bind(1, source_sha256);
  ASSIGN_OR_RETURN(const bool row, stmt.step());
  if (!row) return std::optional<std::string>{};
  return std::optional<std::string>(stmt.column_text(0));
}

Result<void> SqliteStore::put_recommendation(const Recommendation& recommendation) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement find, db_.prepare("SELECT id FROM publications WHERE slug = ?1"));
  find.bind(1, recommendation.publication_slug);
  ASSIGN_OR_RETURN(const bool found, find.step());
  if (!found) {
    return fail(ErrorCode::kNotFound, fmt::format("recommendation {}: no publication '{}'", recommendation.number,
                                                  recommendation.publication_slug));
  }
  const std::int64_t publication_id = find.column_int(0);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("INSERT INTO recommendations (publication_id, number, text, addressee, year, "
                               "status) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (publication_id, number) "
                               "DO UPDATE SET text = excluded.text, addressee = excluded.addressee, "
                               "year = excluded.year, status = excluded.status"));
  RETURN_IF_ERROR(stmt.bind(1, publication_id)
                      .bind(2, recommendation.number)
                      .bind(3, recommendation.text)
                      .bind(4, recommendation.addressee)
                      .bind(5, recommendation.year)
                      .bind(6, to_code(recommendation.status))
                      .run());
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

Result<void> SqliteStore::add_recommendation_event(const std::string& publication_slug, int number,
                                                   const Recommendation::Event& event) {
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

Result<std::vector<Recommendation>> SqliteStore::recommendations() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT p.slug, r.number, r.text, r.addressee, r.year, r.status, r.id "
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
    ASSIGN_OR_RETURN(event.status,
                     stored_optional<ResponseStatus>(events.column_optional_text(2), parse_response_status,
                                                     "recommendation_events.status"));
    event.note = events.column_text(3);
    result[at->second].history.push_back(std::move(event));
  }
  return result;
}

Result<void> SqliteStore::insert_event(std::int64_t recommendation_id, const Recommendation::Event& event) {
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO recommendation_events (recommendation_id, date, "
                                               "status, note) VALUES (?1, ?2, ?3, ?4)"));
  std::optional<std::string> status;
  if (event.status) status = std::string(to_code(*event.status));
  return stmt.bind(1, recommendation_id).bind(2, event.date).bind(3, status).bind(4, event.note).run();
}

// Publications matching `where` (bound to ?1 = `argument` when given), newest first.
Result<std::vector<Publication>> SqliteStore::read_publications(const std::string& where,
                                                                const std::optional<std::string>& argument,
                                                                SqliteStore::Bodies bodies) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare(std::string("SELECT slug, title, type, date, language, mandates, summary, forms, ") +
                               (bodies == Bodies::kRead ? "body, " : "'', ") +
                               "file_sha256, file_name, media_type, source_sha256, tables FROM publications " + where +
                               " ORDER BY date DESC, slug"));
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
    ASSIGN_OR_RETURN(p.tables, stored(split_table_names(stmt.column_text(13)), "publications.tables"));
    result.push_back(std::move(p));
  }
  return result;
}

}  // namespace rapporteur::store::internal
