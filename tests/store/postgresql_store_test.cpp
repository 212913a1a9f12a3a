// What only the PostgreSQL backend does: opening (migrations under a lock, refusing an empty
// or newer database), its URL handling, and its dialect of the one migration list. The
// behaviour every backend shares is in the contract suite (contract_*_test.cpp).
#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/internal/migrations.h"
#include "store/store_backends.h"

namespace rapporteur::store::testing {
namespace {

TEST(PostgresqlUrl, IsRecognisedByItsScheme) {
  EXPECT_TRUE(is_postgresql_url("postgresql://localhost/rapporteur"));
  EXPECT_TRUE(is_postgresql_url("postgres:///rapporteur?host=/run/postgresql"));
  EXPECT_FALSE(is_postgresql_url("var/rapporteur.db"));
  EXPECT_FALSE(is_postgresql_url("postgresql.db"));
}

TEST(PostgresqlUrl, PrintsWithoutItsPassword) {
  EXPECT_EQ(printable_location("postgresql://app:s3cret@db.example:5432/rapporteur"),
            "postgresql://app:***@db.example:5432/rapporteur");
  EXPECT_EQ(printable_location("postgresql://db.example/rapporteur?user=app&password=s3cret&sslmode=require"),
            "postgresql://db.example/rapporteur?user=app&password=***&sslmode=require");
  EXPECT_EQ(printable_location("postgresql://app@db.example/rapporteur"), "postgresql://app@db.example/rapporteur");
  EXPECT_EQ(printable_location("var/x:y@z.db"), "var/x:y@z.db");
}

TEST(OpenPostgresqlStore, MigratesAnEmptySchemaToTheLatestVersion) {
  std::string skip;
  const auto schema = PostgresSchema::create(skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(schema, nullptr);

  const auto store = open_store(schema->url());

  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->schema_version(), latest_schema_version());
  // One row per migration (numbers may skip ones another branch adds: internal/migrations.h).
  EXPECT_EQ(query_postgres_text(schema->url(), "SELECT count(*) FROM schema_migrations"),
            std::to_string(internal::migrations().size()));
  EXPECT_EQ(query_postgres_text(schema->url(), "SELECT max(version) FROM schema_migrations"),
            std::to_string(latest_schema_version()));
  // Ids are 64-bit identities and blobs bytea, as the dialect rewrite makes them.
  EXPECT_EQ(query_postgres_text(schema->url(),
                                "SELECT data_type FROM information_schema.columns WHERE "
                                "table_schema = current_schema() AND table_name = 'registrations' "
                                "AND column_name = 'name_bloom'"),
            "bytea");
  EXPECT_EQ(query_postgres_text(schema->url(),
                                "SELECT is_identity FROM information_schema.columns WHERE "
                                "table_schema = current_schema() AND table_name = 'jobs' "
                                "AND column_name = 'id'"),
            "YES");
}

TEST(OpenPostgresqlStore, NodesStartingTogetherMigrateOnce) {
  std::string skip;
  const auto schema = PostgresSchema::create(skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(schema, nullptr);
  const std::string url = schema->url();

  std::vector<std::future<Result<std::unique_ptr<Store>>>> nodes;
  for (int i = 0; i < 4; ++i) {
    nodes.push_back(std::async(std::launch::async, [&url] { return open_postgresql_store(url); }));
  }

  for (auto& node : nodes) {
    const auto opened = node.get();
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ((*opened)->schema_version(), latest_schema_version());
  }
  EXPECT_EQ(query_postgres_text(url, "SELECT count(*) FROM schema_migrations"),
            std::to_string(internal::migrations().size()));
}

TEST(OpenPostgresqlStore, StopsAtATargetVersionAndUpgradesLaterKeepingData) {
  std::string skip;
  const auto schema = PostgresSchema::create(skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(schema, nullptr);
  {
    auto v6 = open_postgresql_store(schema->url(), {.target_version = 6});
    ASSERT_TRUE(v6.has_value()) << v6.error().message;
    ASSERT_EQ((*v6)->schema_version(), 6);
    ASSERT_TRUE((*v6)->put_source({"kmar", "Koninklijke Marechaussee", SourceKind::kBorderPolice}));
  }

  const auto store = open_postgresql_store(schema->url());

  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->schema_version(), latest_schema_version());
  ASSERT_EQ((*store)->sources().value().size(), 1u);
  EXPECT_EQ((*store)->sources().value()[0].code, "kmar");
}

TEST(OpenPostgresqlStore, RefusesAnEmptyDatabaseWhenAskedTo) {
  std::string skip;
  const auto schema = PostgresSchema::create(skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(schema, nullptr);

  const auto store = open_postgresql_store(schema->url(), {.empty = StoreOptions::Empty::kRefuse});

  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(query_postgres_text(schema->url(), "SELECT to_regclass('schema_migrations') IS NULL"), "t");
}

TEST(OpenPostgresqlStore, RefusesADatabaseNewerThanTheBinary) {
  std::string skip;
  const auto schema = PostgresSchema::create(skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(schema, nullptr);
  { ASSERT_TRUE(open_postgresql_store(schema->url()).has_value()); }
  ASSERT_EQ(run_postgres_sql(schema->url(), "INSERT INTO schema_migrations VALUES (999, 'future', 'x')"), "");

  const auto store = open_postgresql_store(schema->url());

  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kSchemaTooNew);
}

TEST(OpenPostgresqlStore, AnUnreachableServerIsAStorageErrorWithoutThePassword) {
  const auto store = open_postgresql_store("postgresql://app:s3cret@/rapporteur?host=/nonexistent-folder");

  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kStorage);
  EXPECT_EQ(store.error().message.find("s3cret"), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace rapporteur::store::testing
