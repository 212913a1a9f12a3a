// PostgreSQL store: publications and recommendations with their follow-up.
#include <map>

#include "store/internal/postgresql_store.h"

namespace rapporteur::store::internal {

Result<void> PostgresStore::put_publication(const Publication& publication) {
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
  return db_
      .query(
          "INSERT INTO publications (slug, title, type, date, language, mandates, summary, forms, body, "
          "file_sha256, file_name, media_type, source_sha256, tables) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (slug) DO UPDATE SET "
          "title = excluded.title, type = excluded.type, date = excluded.date, "
          "language = excluded.language, mandates = excluded.mandates, summary = excluded.summary, "
          "forms = excluded.forms, body = excluded.body, file_sha256 = excluded.file_sha256, "
          "file_name = excluded.file_name, media_type = excluded.media_type, "
          "source_sha256 = excluded.source_sha256, tables = excluded.tables",
          Params()
              .add(publication.slug)
              .add(publication.title)
              .add(to_code(publication.type))
              .add(publication.date)
              .add(publication.language)
              .add(join_mandates(publication.mandates))
              .add(publication.summary)
              .add(join_forms(publication.forms))
              .add(publication.body)
              .add(publication.file_sha256)
              .add(publication.file_name)
              .add(publication.media_type)
              .add(publication.source_sha256)
              .add(join_table_names(publication.tables)))
      .map([](const Rows&) {});
}

Result<std::vector<Publication>> PostgresStore::publications() {
  const std::lock_guard lock(mutex_);
  return read_publications("", std::nullopt);
}

Result<std::vector<Publication>> PostgresStore::publication_list() {
  const std::lock_guard lock(mutex_);
  return read_publications("", std::nullopt, Bodies::kLeaveOut);
}

Result<Publication> PostgresStore::publication(const std::string& slug) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found, read_publications("WHERE slug = $1", slug));
  if (found.empty()) return fail(ErrorCode::kNotFound, fmt::format("no publication '{}'", slug));
  return std::move(found.front());
}

Result<std::optional<std::string>> PostgresStore::publication_from_source(const std::string& source_sha256) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT slug FROM publications WHERE source_sha256 = $1 "
                                              "ORDER BY id LIMIT 1",
                                              Params().add(source_sha256)));
  if (rows.size() == 0) return std::optional<std::string>{};
  return std::optional<std::string>(rows.text(0, 0));
}

Result<void> PostgresStore::put_recommendation(const Recommendation& recommendation) {
  const std::lock_guard lock(mutex_);
  return transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const Rows found, db_.query("SELECT id FROM publications WHERE slug = $1",
                                                 Params().add(recommendation.publication_slug)));
    if (found.size() == 0) {
      return fail(ErrorCode::kNotFound, fmt::format("recommendation {}: no publication '{}'", recommendation.number,
                                                    recommendation.publication_slug));
    }
    ASSIGN_OR_RETURN(const Rows written,
                     db_.query("INSERT INTO recommendations (publication_id, number, text, addressee, year, status) "
                               "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (publication_id, number) DO UPDATE SET "
                               "text = excluded.text, addressee = excluded.addressee, year = excluded.year, "
                               "status = excluded.status RETURNING id",
                               Params()
                                   .add(found.integer(0, 0))
                                   .add(recommendation.number)
                                   .add(recommendation.text)
                                   .add(recommendation.addressee)
                                   .add(recommendation.year)
                                   .add(to_code(recommendation.status))));
    if (recommendation.history.empty()) return ok();
    // The history given replaces the stored one: the caller passes the whole record.
    const std::int64_t id = written.integer(0, 0);
    RETURN_IF_ERROR(db_.query("DELETE FROM recommendation_events WHERE recommendation_id = $1", Params().add(id)));
    for (const auto& event : recommendation.history) RETURN_IF_ERROR(insert_event(id, event));
    return ok();
  });
}

Result<void> PostgresStore::add_recommendation_event(const std::string& publication_slug, int number,
                                                     const Recommendation::Event& event) {
  const std::lock_guard lock(mutex_);
  return transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const Rows found, db_.query("SELECT r.id FROM recommendations r JOIN publications p "
                                                 "ON p.id = r.publication_id WHERE p.slug = $1 AND r.number = $2",
                                                 Params().add(publication_slug).add(number)));
    if (found.size() == 0) {
      return fail(ErrorCode::kNotFound,
                  fmt::format("no recommendation {} in publication '{}'", number, publication_slug));
    }
    const std::int64_t id = found.integer(0, 0);
    RETURN_IF_ERROR(insert_event(id, event));
    if (!event.status) return ok();
    RETURN_IF_ERROR(db_.query("UPDATE recommendations SET status = $1 WHERE id = $2",
                              Params().add(to_code(*event.status)).add(id)));
    return ok();
  });
}

Result<std::vector<Recommendation>> PostgresStore::recommendations() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT p.slug, r.number, r.text, r.addressee, r.year, r.status, r.id "
                                              "FROM recommendations r JOIN publications p ON p.id = r.publication_id "
                                              "ORDER BY r.year, p.slug COLLATE \"C\", r.number"));
  std::vector<Recommendation> result;
  std::map<std::int64_t, std::size_t> index_of;
  for (int i = 0; i < rows.size(); ++i) {
    Recommendation r;
    r.publication_slug = rows.text(i, 0);
    r.number = static_cast<int>(rows.integer(i, 1));
    r.text = rows.text(i, 2);
    r.addressee = rows.text(i, 3);
    r.year = static_cast<int>(rows.integer(i, 4));
    ASSIGN_OR_RETURN(r.status, stored(parse_response_status(rows.text(i, 5)), "recommendations.status"));
    index_of[rows.integer(i, 6)] = result.size();
    result.push_back(std::move(r));
  }
  ASSIGN_OR_RETURN(const Rows events, db_.query("SELECT recommendation_id, date, status, note FROM "
                                                "recommendation_events ORDER BY date COLLATE \"C\", id"));
  for (int i = 0; i < events.size(); ++i) {
    const auto at = index_of.find(events.integer(i, 0));
    if (at == index_of.end()) continue;
    Recommendation::Event event;
    event.date = events.text(i, 1);
    ASSIGN_OR_RETURN(event.status, stored_optional<ResponseStatus>(events.optional_text(i, 2), parse_response_status,
                                                                   "recommendation_events.status"));
    event.note = events.text(i, 3);
    result[at->second].history.push_back(std::move(event));
  }
  return result;
}

Result<void> PostgresStore::insert_event(std::int64_t recommendation_id, const Recommendation::Event& event) {
  std::optional<std::string> status;
  if (event.status) status = std::string(to_code(*event.status));
  return db_
      .query(
          "INSERT INTO recommendation_events (recommendation_id, date, status, note) "
          "VALUES ($1, $2, $3, $4)",
          Params().add(recommendation_id).add(event.date).add(status).add(event.note))
      .map([](const Rows&) {});
}

Result<std::vector<Publication>> PostgresStore::read_publications(const std::string& where,
                                                                  const std::optional<std::string>& argument,
                                                                  Bodies bodies) {
  Params params;
  if (argument) params.add(*argument);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query(std::string("SELECT slug, title, type, date, language, mandates, summary, forms, ") +
                                 (bodies == Bodies::kRead ? "body, " : "'', ") +
                                 "file_sha256, file_name, media_type, source_sha256, tables FROM publications " +
                                 where + " ORDER BY date COLLATE \"C\" DESC, slug COLLATE \"C\"",
                             params));
  std::vector<Publication> result;
  for (int i = 0; i < rows.size(); ++i) {
    Publication p;
    p.slug = rows.text(i, 0);
    p.title = rows.text(i, 1);
    ASSIGN_OR_RETURN(p.type, stored(parse_publication_type(rows.text(i, 2)), "publications.type"));
    p.date = rows.text(i, 3);
    p.language = rows.text(i, 4);
    ASSIGN_OR_RETURN(p.mandates, stored(split_mandates(rows.text(i, 5)), "publications.mandates"));
    p.summary = rows.text(i, 6);
    ASSIGN_OR_RETURN(p.forms, stored(split_forms(rows.text(i, 7)), "publications.forms"));
    p.body = rows.text(i, 8);
    p.file_sha256 = rows.text(i, 9);
    p.file_name = rows.text(i, 10);
    p.media_type = rows.text(i, 11);
    p.source_sha256 = rows.text(i, 12);
    ASSIGN_OR_RETURN(p.tables, stored(split_table_names(rows.text(i, 13)), "publications.tables"));
    result.push_back(std::move(p));
  }
  return result;
}

}  // namespace rapporteur::store::internal
