// Staff sign-in: the throttle per address (with an injected clock), the lock-out per account,
// and writes that must land together with their audit record.
#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/auth.h"
#include "store/store.h"
#include "test_support.h"

namespace rapporteur::auth {
namespace {

using rapporteur::testing::TempDir;
using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000));
  Clock clock() {
    return [this] { return now; };
  }
};

TEST(AddressThrottle, RefusesAnAddressAfterItsFailuresUntilTheOldestLeavesTheWindow) {
  FakeClock time;
  AddressThrottle throttle({.failures = 3, .window = 600s, .clock = time.clock()});

  ASSERT_TRUE(throttle.record_failure("10.0.0.1"));
  time.now += 100s;
  ASSERT_TRUE(throttle.record_failure("10.0.0.1"));
  const auto before_third = throttle.retry_after("10.0.0.1").value();
  ASSERT_TRUE(throttle.record_failure("10.0.0.1"));
  const auto after_third = throttle.retry_after("10.0.0.1").value();
  time.now += 499s;
  const auto just_before = throttle.retry_after("10.0.0.1").value();
  time.now += 1s;
  const auto at_expiry = throttle.retry_after("10.0.0.1").value();

  EXPECT_EQ(before_third, 0s);
  EXPECT_EQ(after_third, 500s);  // The first failure (at 0 s) leaves the window at 600 s; now is 100 s.
  EXPECT_EQ(just_before, 1s);
  EXPECT_EQ(at_expiry, 0s);
}

TEST(AddressThrottle, OneAddressDoesNotAffectAnother) {
  FakeClock time;
  AddressThrottle throttle({.failures = 2, .window = 60s, .clock = time.clock()});

  for (int i = 0; i < 10; ++i) ASSERT_TRUE(throttle.record_failure("10.0.0.1"));

  EXPECT_GT(throttle.retry_after("10.0.0.1").value(), 0s);
  EXPECT_EQ(throttle.retry_after("10.0.0.2").value(), 0s);
}

// Two web nodes on one database, each with its throttle: failures recorded by either count
// for both (the window's arithmetic is the in-memory test's above).
TEST(AddressThrottle, ThrottlesOnOneStoreCountAnAddressTogether) {
  TempDir dir;
  auto store = store::open_sqlite_store(dir / "r.db").value();
  FakeClock time;
  AddressThrottle first(*store, {.failures = 3, .window = 600s, .clock = time.clock()});
  AddressThrottle second(*store, {.failures = 3, .window = 600s, .clock = time.clock()});

  ASSERT_TRUE(first.record_failure("10.0.0.1"));
  time.now += 100s;
  ASSERT_TRUE(second.record_failure("10.0.0.1"));
  const auto before_third = first.retry_after("10.0.0.1").value();
  ASSERT_TRUE(first.record_failure("10.0.0.1"));
  const auto on_second = second.retry_after("10.0.0.1").value();
  const auto other_address = second.retry_after("10.0.0.2").value();
  time.now += 500s;
  const auto at_expiry = first.retry_after("10.0.0.1").value();

  EXPECT_EQ(before_third, 0s);
  EXPECT_EQ(on_second, 500s);  // The first failure (at 0 s) leaves the window at 600 s; now is 100 s.
  EXPECT_EQ(other_address, 0s);
  EXPECT_EQ(at_expiry, 0s);
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = std::move(*store::open_sqlite_store(dir_ / "r.db")); }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(AuthTest, AUserIsAddedWithItsAuditRecordOrNotAtAll) {
  Auth auth(*store_);

  const auto added =
      auth.add_user("ada", store::UserRole::kAdmin, "wachtwoord-ada-123", {"cli", "user_add", "ada (admin)"});
  const auto twice =
      auth.add_user("ada", store::UserRole::kAdmin, "wachtwoord-ada-123", {"cli", "user_add", "ada (admin)"});

  ASSERT_TRUE(added.has_value()) << added.error().message;
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  const auto log = store_->audit_log(10);
  ASSERT_TRUE(log.has_value());
  ASSERT_EQ(log->size(), 1u) << "the refused second add leaves no record of its own";
  EXPECT_EQ(log->front().action, "user_add");
  EXPECT_EQ(log->front().user_name, "cli");
}

TEST_F(AuthTest, ASignInStoresItsSessionAndItsRecordTogether) {
  Auth auth(*store_);
  ASSERT_TRUE(auth.add_user("rob", store::UserRole::kResearcher, "wachtwoord-rob-123").has_value());

  const auto signed_in = auth.sign_in("rob", "wachtwoord-rob-123");
  const auto wrong = auth.sign_in("rob", "wachtwoord-fout-123");

  ASSERT_TRUE(signed_in.has_value());
  EXPECT_TRUE(auth.session(signed_in->token).has_value());
  EXPECT_FALSE(wrong.has_value());
  const auto log = store_->audit_log(10);
  ASSERT_TRUE(log.has_value());
  std::vector<std::string> actions;
  for (const auto& entry : *log) actions.push_back(entry.action);
  EXPECT_THAT(actions, ::testing::UnorderedElementsAre("sign_in", "sign_in_failed"));
}

TEST_F(AuthTest, AnAccountIsLockedAfterRepeatedFailures) {
  FakeClock time;
  Auth auth(*store_, {.max_failed_attempts = 3, .lockout = std::chrono::minutes(15), .clock = time.clock()});
  ASSERT_TRUE(auth.add_user("eva", store::UserRole::kEditor, "wachtwoord-eva-123").has_value());

  for (int i = 0; i < 3; ++i) (void)auth.sign_in("eva", "wachtwoord-fout-123");
  const auto locked = auth.sign_in("eva", "wachtwoord-eva-123");
  time.now += std::chrono::minutes(16);
  const auto later = auth.sign_in("eva", "wachtwoord-eva-123");

  ASSERT_FALSE(locked.has_value());
  EXPECT_THAT(locked.error().message, ::testing::StartsWith("locked"));
  EXPECT_TRUE(later.has_value());
}

}  // namespace
}  // namespace rapporteur::auth
