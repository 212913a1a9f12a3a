// SQLite store: the yearly account: activities, media appearances and finances.
#include "store/internal/sqlite_store.h"

namespace rapporteur::store::internal {

Result<void> SqliteStore::put_activity(const Activity& a) {
  const std::lock_guard lock(mutex_);
  if (a.date.size() != 10 || a.organisation.empty() || a.title.empty()) {
    return fail(ErrorCode::kInvalidArgument, "an activity needs a date (YYYY-MM-DD), an organisation and a title");
  }
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO activities (date, kind, organisation, title, notes) "
                                               "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (date, kind, organisation, "
                                               "title) DO UPDATE SET notes = excluded.notes"));
  return stmt.bind(1, a.date).bind(2, to_code(a.kind)).bind(3, a.organisation).bind(4, a.title).bind(5, a.notes).run();
}

Result<std::vector<Activity>> SqliteStore::activities(int year) {
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

Result<std::vector<int>> SqliteStore::account_years() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_.prepare(
          "SELECT CAST(substr(date, 1, 4) AS INTEGER) AS year FROM activities UNION "
          "SELECT CAST(substr(date, 1, 4) AS INTEGER) FROM media_appearances UNION SELECT year FROM finance_years "
          "ORDER BY 1 DESC"));
  std::vector<int> years;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    years.push_back(static_cast<int>(stmt.column_int(0)));
  }
  return years;
}

Result<void> SqliteStore::put_media_appearance(const MediaAppearance& m) {
  const std::lock_guard lock(mutex_);
  if (m.date.size() != 10 || m.outlet.empty() || m.topic.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a media appearance needs a date (YYYY-MM-DD), an outlet and a topic");
  }
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO media_appearances (date, outlet, kind, topic, link) "
                                               "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (date, outlet, topic) "
                                               "DO UPDATE SET kind = excluded.kind, link = excluded.link"));
  return stmt.bind(1, m.date).bind(2, m.outlet).bind(3, to_code(m.kind)).bind(4, m.topic).bind(5, m.link).run();
}

Result<void> SqliteStore::remove_activity(const Activity& a) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("DELETE FROM activities WHERE date = ?1 AND kind = ?2 AND "
                                               "organisation = ?3 AND title = ?4"));
  RETURN_IF_ERROR(stmt.bind(1, a.date).bind(2, to_code(a.kind)).bind(3, a.organisation).bind(4, a.title).run());
  if (db_.changes() == 0) {
    return fail(ErrorCode::kNotFound,
                fmt::format("no {} activity '{}' with {} on {}", to_code(a.kind), a.title, a.organisation, a.date));
  }
  return ok();
}

Result<void> SqliteStore::remove_media_appearance(const MediaAppearance& m) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("DELETE FROM media_appearances WHERE date = ?1 AND outlet = ?2 AND topic = ?3"));
  RETURN_IF_ERROR(stmt.bind(1, m.date).bind(2, m.outlet).bind(3, m.topic).run());
  if (db_.changes() == 0) {
    return fail(ErrorCode::kNotFound,
                fmt::format("no media appearance in {} on '{}' on {}", m.outlet, m.topic, m.date));
  }
  return ok();
}

Result<std::vector<MediaAppearance>> SqliteStore::media_appearances(int year) {
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

Result<void> SqliteStore::put_finances(const Finances& f) {
  if (f.year < 1990 || f.year > 2100) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("finances: year {} is outside 1990..2100", f.year));
  }
  return transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(Statement drop, db_.prepare("DELETE FROM finance_years WHERE year = ?1"));
    RETURN_IF_ERROR(drop.bind(1, f.year).run());
    ASSIGN_OR_RETURN(Statement year, db_.prepare("INSERT INTO finance_years (year, budget_total, spending_total, "
                                                 "result, notes) VALUES (?1, ?2, ?3, ?4, ?5)"));
    RETURN_IF_ERROR(year.bind(1, f.year)
                        .bind(2, f.budget_total_cents)
                        .bind(3, f.spending_total_cents)
                        .bind(4, f.result_cents)
                        .bind(5, f.notes)
                        .run());
    ASSIGN_OR_RETURN(Statement budget, db_.prepare("INSERT INTO budget_lines (year, position, funder, description, "
                                                   "kind, amount) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    for (std::size_t i = 0; i < f.budget.size(); ++i) {
      const auto& line = f.budget[i];
      RETURN_IF_ERROR(budget.bind(1, f.year)
                          .bind(2, static_cast<std::int64_t>(i))
                          .bind(3, line.funder)
                          .bind(4, line.description)
                          .bind(5, to_code(line.kind))
                          .bind(6, line.amount_cents)
                          .run());
    }
    ASSIGN_OR_RETURN(Statement spending, db_.prepare("INSERT INTO spending_lines (year, position, category, "
                                                     "description, amount) VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (std::size_t i = 0; i < f.spending.size(); ++i) {
      const auto& line = f.spending[i];
      RETURN_IF_ERROR(spending.bind(1, f.year)
                          .bind(2, static_cast<std::int64_t>(i))
                          .bind(3, to_code(line.category))
                          .bind(4, line.description)
                          .bind(5, line.amount_cents)
                          .run());
    }
    return ok();
  });
}

Result<Finances> SqliteStore::finances(int year) {
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
    ASSIGN_OR_RETURN(line.category,
                     stored(parse_spending_category(spending.column_text(0)), "spending_lines.category"));
    line.description = spending.column_text(1);
    line.amount_cents = spending.column_int(2);
    f.spending.push_back(std::move(line));
  }
  return f;
}

}  // namespace rapporteur::store::internal
