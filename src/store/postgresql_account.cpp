// PostgreSQL store: the yearly account: activities, media appearances and finances.
#include "store/internal/postgresql_store.h"

namespace rapporteur::store::internal {

Result<void> PostgresStore::put_activity(const Activity& a) {
  const std::lock_guard lock(mutex_);
  if (a.date.size() != 10 || a.organisation.empty() || a.title.empty()) {
    return fail(ErrorCode::kInvalidArgument, "an activity needs a date (YYYY-MM-DD), an organisation and a title");
  }
  return db_
      .query(
          "INSERT INTO activities (date, kind, organisation, title, notes) VALUES ($1, $2, $3, $4, $5) "
          "ON CONFLICT (date, kind, organisation, title) DO UPDATE SET notes = excluded.notes",
          Params().add(a.date).add(to_code(a.kind)).add(a.organisation).add(a.title).add(a.notes))
      .map([](const Rows&) {});
}

Result<std::vector<Activity>> PostgresStore::activities(int year) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT date, kind, organisation, title, notes FROM activities "
                                              "WHERE substr(date, 1, 4) = $1 ORDER BY date COLLATE \"C\", id",
                                              Params().add(std::to_string(year))));
  std::vector<Activity> result;
  for (int i = 0; i < rows.size(); ++i) {
    Activity a;
    a.date = rows.text(i, 0);
    ASSIGN_OR_RETURN(a.kind, stored(parse_activity_kind(rows.text(i, 1)), "activities.kind"));
    a.organisation = rows.text(i, 2);
    a.title = rows.text(i, 3);
    a.notes = rows.text(i, 4);
    result.push_back(std::move(a));
  }
  return result;
}

Result<std::vector<int>> PostgresStore::account_years() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(
      const Rows rows,
      db_.query(
          "SELECT CAST(substr(date, 1, 4) AS INTEGER) AS year FROM activities UNION "
          "SELECT CAST(substr(date, 1, 4) AS INTEGER) FROM media_appearances UNION SELECT year FROM finance_years "
          "ORDER BY 1 DESC",
          Params()));
  std::vector<int> years;
  for (int i = 0; i < rows.size(); ++i) years.push_back(std::stoi(rows.text(i, 0)));
  return years;
}

Result<void> PostgresStore::put_media_appearance(const MediaAppearance& m) {
  const std::lock_guard lock(mutex_);
  if (m.date.size() != 10 || m.outlet.empty() || m.topic.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a media appearance needs a date (YYYY-MM-DD), an outlet and a topic");
  }
  return db_
      .query(
          "INSERT INTO media_appearances (date, outlet, kind, topic, link) VALUES ($1, $2, $3, $4, $5) "
          "ON CONFLICT (date, outlet, topic) DO UPDATE SET kind = excluded.kind, link = excluded.link",
          Params().add(m.date).add(m.outlet).add(to_code(m.kind)).add(m.topic).add(m.link))
      .map([](const Rows&) {});
}

Result<void> PostgresStore::remove_activity(const Activity& a) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("DELETE FROM activities WHERE date = $1 AND kind = $2 AND "
                             "organisation = $3 AND title = $4",
                             Params().add(a.date).add(to_code(a.kind)).add(a.organisation).add(a.title)));
  if (rows.changed() == 0) {
    return fail(ErrorCode::kNotFound,
                fmt::format("no {} activity '{}' with {} on {}", to_code(a.kind), a.title, a.organisation, a.date));
  }
  return ok();
}

Result<void> PostgresStore::remove_media_appearance(const MediaAppearance& m) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("DELETE FROM media_appearances WHERE date = $1 AND outlet = $2 AND "
                                              "topic = $3",
                                              Params().add(m.date).add(m.outlet).add(m.topic)));
  if (rows.changed() == 0) {
    return fail(ErrorCode::kNotFound,
                fmt::format("no media appearance in {} on '{}' on {}", m.outlet, m.topic, m.date));
  }
  return ok();
}

Result<std::vector<MediaAppearance>> PostgresStore::media_appearances(int year) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT date, outlet, kind, topic, link FROM media_appearances "
                                              "WHERE substr(date, 1, 4) = $1 ORDER BY date COLLATE \"C\", id",
                                              Params().add(std::to_string(year))));
  std::vector<MediaAppearance> result;
  for (int i = 0; i < rows.size(); ++i) {
    MediaAppearance m;
    m.date = rows.text(i, 0);
    m.outlet = rows.text(i, 1);
    ASSIGN_OR_RETURN(m.kind, stored(parse_media_kind(rows.text(i, 2)), "media_appearances.kind"));
    m.topic = rows.text(i, 3);
    m.link = rows.text(i, 4);
    result.push_back(std::move(m));
  }
  return result;
}

Result<void> PostgresStore::put_finances(const Finances& f) {
  if (f.year < 1990 || f.year > 2100) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("finances: year {} is outside 1990..2100", f.year));
  }
  return transact([&]() -> Result<void> {
    RETURN_IF_ERROR(db_.query("DELETE FROM finance_years WHERE year = $1", Params().add(f.year)));
    RETURN_IF_ERROR(db_.query(
        "INSERT INTO finance_years (year, budget_total, spending_total, result, notes) "
        "VALUES ($1, $2, $3, $4, $5)",
        Params().add(f.year).add(f.budget_total_cents).add(f.spending_total_cents).add(f.result_cents).add(f.notes)));
    for (std::size_t i = 0; i < f.budget.size(); ++i) {
      const auto& line = f.budget[i];
      RETURN_IF_ERROR(
          db_.query("INSERT INTO budget_lines (year, position, funder, description, kind, amount) "
                    "VALUES ($1, $2, $3, $4, $5, $6)",
                    Params()
                        .add(f.year)
                        .add(static_cast<std::int64_t>(i))
                        .add(line.funder)
                        .add(line.description)
                        .add(to_code(line.kind))
                        .add(line.amount_cents)));
    }
    for (std::size_t i = 0; i < f.spending.size(); ++i) {
      const auto& line = f.spending[i];
      RETURN_IF_ERROR(
          db_.query("INSERT INTO spending_lines (year, position, category, description, amount) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    Params()
                        .add(f.year)
                        .add(static_cast<std::int64_t>(i))
                        .add(to_code(line.category))
                        .add(line.description)
                        .add(line.amount_cents)));
    }
    return ok();
  });
}

Result<Finances> PostgresStore::finances(int year) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows head, db_.query("SELECT budget_total, spending_total, result, notes FROM "
                                              "finance_years WHERE year = $1",
                                              Params().add(year)));
  if (head.size() == 0) return fail(ErrorCode::kNotFound, fmt::format("no finances for {}", year));
  Finances f;
  f.year = year;
  f.budget_total_cents = head.integer(0, 0);
  f.spending_total_cents = head.integer(0, 1);
  f.result_cents = head.integer(0, 2);
  f.notes = head.text(0, 3);
  ASSIGN_OR_RETURN(const Rows budget, db_.query("SELECT funder, description, kind, amount FROM budget_lines "
                                                "WHERE year = $1 ORDER BY position",
                                                Params().add(year)));
  for (int i = 0; i < budget.size(); ++i) {
    BudgetLine line;
    line.funder = budget.text(i, 0);
    line.description = budget.text(i, 1);
    ASSIGN_OR_RETURN(line.kind, stored(parse_funding_kind(budget.text(i, 2)), "budget_lines.kind"));
    line.amount_cents = budget.integer(i, 3);
    f.budget.push_back(std::move(line));
  }
  ASSIGN_OR_RETURN(const Rows spending, db_.query("SELECT category, description, amount FROM spending_lines "
                                                  "WHERE year = $1 ORDER BY position",
                                                  Params().add(year)));
  for (int i = 0; i < spending.size(); ++i) {
    SpendingLine line;
    ASSIGN_OR_RETURN(line.category, stored(parse_spending_category(spending.text(i, 0)), "spending_lines.category"));
    line.description = spending.text(i, 1);
    line.amount_cents = spending.integer(i, 2);
    f.spending.push_back(std::move(line));
  }
  return f;
}

}  // namespace rapporteur::store::internal
