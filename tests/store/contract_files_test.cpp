// The store contract, files role: files kept by their SHA-256 and the releases of published
// tables. Every backend must pass these; hashes are the published SHA-256 test vectors (FIPS
// 180-2, "abc") or computed by the test from the bytes it wrote.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace rapporteur::store::testing {
namespace {

constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST_P(StoreContract, FilesAreKeptByTheirSha256AndReadBackByteForByte) {
  EXPECT_EQ(store().put_file("abc").value(), kAbc);
  EXPECT_EQ(store().put_file("abc").value(), kAbc) << "the same bytes again change nothing";
  EXPECT_EQ(store().file(kAbc).value(), std::optional<std::string>("abc"));

  const std::string binary("\x00\xff\x01PK\x03\x04\r\n\x00", 10);
  const std::string hash = store().put_file(binary).value();
  EXPECT_EQ(store().file(hash).value(), std::optional<std::string>(binary)) << "NULs and high bytes kept";

  EXPECT_EQ(store().put_file("").value(), kEmpty);
  EXPECT_EQ(store().file(kEmpty).value(), std::optional<std::string>("")) << "an empty file is a file";
  EXPECT_EQ(store().file(std::string(64, '0')).value(), std::nullopt);
}

TEST_P(StoreContract, AReleaseHoldsOnlyStoredFilesAndIsReadBackByName) {
  const std::string csv = store().put_file("sex,value\nF,12\n").value();
  const std::string json = store().put_file("{\"name\":\"t1\"}").value();
  const ReleaseRecord first{
      .id = "20261207T100000Z-000001",
      .created_at = "2026-12-07T10:00:00Z",
      .files = {{"t1.json", "t1", "20261207T100000Z-000001", json}, {"t1.csv", "t1", "20261207T100000Z-000001", csv}}};
  ASSERT_TRUE(store().add_release(first));

  const ReleaseRecord read = store().release(first.id).value();
  EXPECT_EQ(read.created_at, "2026-12-07T10:00:00Z");
  ASSERT_EQ(read.files.size(), 2u);
  EXPECT_EQ(read.files[0].name, "t1.csv") << "files by name";
  EXPECT_EQ(read.files[0].table, "t1");
  EXPECT_EQ(read.files[0].sha256, csv);
  EXPECT_EQ(read.files[1].name, "t1.json");

  ReleaseRecord unstored{.id = "20261207T110000Z-000002",
                         .created_at = "2026-12-07T11:00:00Z",
                         .files = {{"t1.csv", "t1", "20261207T110000Z-000002", csv},
                                   {"ESTIMATES.json", "", "20261207T110000Z-000002", std::string(64, 'f')}}};
  const auto refused = store().add_release(unstored);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_NE(refused.error().message.find("ESTIMATES.json"), std::string::npos) << refused.error().message;
  EXPECT_EQ(store().release(unstored.id).error().code, ErrorCode::kNotFound) << "nothing of it was added";

  unstored.files.pop_back();
  ASSERT_TRUE(store().add_release(unstored));
  EXPECT_EQ(store().add_release(unstored).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store().release_ids().value(), (std::vector<std::string>{unstored.id, first.id})) << "newest first";

  ASSERT_TRUE(store().remove_release(first.id));
  ASSERT_TRUE(store().remove_release(first.id)) << "removing what is gone is no error";
  EXPECT_EQ(store().release_ids().value(), std::vector<std::string>{unstored.id});
}

TEST_P(StoreContract, FilesNoReleaseOrPublicationRefersToAreRemoved) {
  const std::string kept_by_release = store().put_file("in a release").value();
  const std::string kept_by_publication = store().put_file("%PDF-1.7 attached").value();
  const std::string loose = store().put_file("nobody's").value();
  ASSERT_TRUE(store().add_release(
      {.id = "r1", .created_at = "2026-12-07T10:00:00Z", .files = {{"t1.csv", "t1", "r1", kept_by_release}}}));
  Publication p;
  p.slug = "monitor";
  p.title = "Monitor";
  p.date = "2026-12-01";
  p.language = "nl";
  p.file_sha256 = kept_by_publication;
  p.file_name = "monitor.pdf";
  ASSERT_TRUE(store().put_publication(p));

  EXPECT_EQ(store().remove_unreferenced_files().value(), 1);
  EXPECT_EQ(store().file(loose).value(), std::nullopt);
  EXPECT_TRUE(store().file(kept_by_release).value().has_value());
  EXPECT_TRUE(store().file(kept_by_publication).value().has_value());

  ASSERT_TRUE(store().remove_release("r1"));
  EXPECT_EQ(store().remove_unreferenced_files().value(), 1) << "its files go with the last release holding them";
  EXPECT_EQ(store().file(kept_by_release).value(), std::nullopt);
}

// lock_releases serialises read-then-write transactions of several connections (as several
// nodes publishing at once): no increment is lost. Run under ThreadSanitizer by scripts/test.
TEST_P(StoreContract, TheReleasesLockSerialisesConnections) {
  EXPECT_EQ(store().lock_releases().error().code, ErrorCode::kInvalidArgument) << "only inside a transaction";
  ASSERT_TRUE(store().set_meta("counter", "0"));
  constexpr int kConnections = 3;
  constexpr int kEach = 8;
  std::vector<std::unique_ptr<Store>> connections;
  for (int c = 0; c < kConnections; ++c) {
    auto opened = backend().reopen();
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    connections.push_back(std::move(*opened));
  }
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kConnections; ++c) {
    threads.emplace_back([&, c] {
      Store& s = *connections[c];
      for (int i = 0; i < kEach; ++i) {
        const auto done = s.transact([&]() -> Result<void> {
          RETURN_IF_ERROR(s.lock_releases());
          ASSIGN_OR_RETURN(const std::string value, s.get_meta("counter"));
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
          return s.set_meta("counter", std::to_string(std::stoi(value) + 1));
        });
        if (!done) ++errors;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(store().get_meta("counter").value(), std::to_string(kConnections * kEach));
}

}  // namespace
}  // namespace rapporteur::store::testing
