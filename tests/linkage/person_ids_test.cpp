#include "linkage/person_ids.h"

#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

namespace rapporteur::linkage {
namespace {

TEST(AssignPersonIds, MatchesClustersToEarlierPersonsByOverlap) {
  // Earlier: records 1, 2 were person 5; 3 was person 7; 4, 5 were person 9.
  const std::vector<PersonIdRow> previous = {{1, 5}, {2, 5}, {3, 7}, {4, 9}, {5, 9}};
  // Now: {1, 2} unchanged; 3 and 4 joined; 5 alone; 6 is a new record.
  const std::vector<std::uint64_t> records = {1, 2, 3, 4, 5, 6};
  const std::vector<std::uint32_t> cluster = {0, 0, 1, 1, 2, 3};

  const auto ids = assign_person_ids(records, cluster, 4, previous, 1);

  ASSERT_TRUE(ids.has_value()) << ids.error().message;
  // Hand-worked: {1, 2} shares 2 with person 5; {3, 4} shares 1 with 7 and 1 with 9 (tie: the
  // smaller id, 7); {5} shares 1 with 9, now free; {6} is new: one above the largest, 10.
  EXPECT_EQ(ids->of_cluster, (std::vector<std::int64_t>{5, 7, 9, 10}));
  EXPECT_EQ(ids->kept, 3);
  EXPECT_EQ(ids->unchanged, 1);
  EXPECT_EQ(ids->added, 1);
  EXPECT_EQ(ids->retired, 0);
  EXPECT_EQ(ids->next_id, 11);
  EXPECT_EQ(ids->rows, (std::vector<PersonIdRow>{{1, 5}, {2, 5}, {3, 7}, {4, 7}, {5, 9}, {6, 10}}));
}

TEST(AssignPersonIds, NeverReusesARetiredId) {
  // Person 12 was the largest id; its record is gone. The next store-wide id is 20.
  const std::vector<PersonIdRow> previous = {{1, 3}, {2, 12}};

  const auto ids = assign_person_ids({1, 8}, {0, 1}, 2, previous, 20);

  ASSERT_TRUE(ids.has_value());
  EXPECT_EQ(ids->of_cluster, (std::vector<std::int64_t>{3, 20}));
  EXPECT_EQ(ids->retired, 1);
  EXPECT_EQ(ids->next_id, 21);
}

TEST(AssignPersonIds, EveryUnchangedPersonKeepsItsIdUnderRandomChanges) {
  // Independent truth: the set of records of each earlier person, compared as sets. 200
  // rounds of random earlier clusterings, then random merges, splits, removals and new records.
  std::mt19937_64 random(16);
  int unchanged_checked = 0;
  for (int round = 0; round < 200; ++round) {
    const std::uint64_t n = 5 + random() % 60;
    std::vector<PersonIdRow> previous;
    std::int64_t person = 1 + static_cast<std::int64_t>(random() % 5);
    for (std::uint64_t r = 0; r < n; ++r) {
      if (random() % 3 == 0) person += 1 + static_cast<std::int64_t>(random() % 3);
      previous.push_back({r * 11 + 1, person});
    }
    std::vector<std::uint64_t> records;
    std::vector<std::uint32_t> cluster;
    std::map<std::int64_t, std::uint32_t> cluster_of_person;
    std::uint32_t clusters = 0;
    for (const auto& row : previous) {
      if (random() % 10 == 0) continue;  // Removed.
      records.push_back(row.record);
      const auto change = random() % 10;
      if (change == 0) {
        cluster.push_back(clusters++);  // Split off.
      } else if (change == 1 && clusters > 0) {
        cluster.push_back(static_cast<std::uint32_t>(random() % clusters));  // Moved elsewhere.
      } else {
        const auto [it, added] = cluster_of_person.emplace(row.person, clusters);
        if (added) ++clusters;
        cluster.push_back(it->second);
      }
    }
    for (int extra = 0; extra < 3; ++extra) {
      records.push_back(1'000'000 + static_cast<std::uint64_t>(extra));
      cluster.push_back(random() % 2 == 0 || clusters == 0 ? clusters++
                                                           : static_cast<std::uint32_t>(random() % clusters));
    }

    const auto ids = assign_person_ids(records, cluster, clusters, previous, 1);

    ASSERT_TRUE(ids.has_value()) << ids.error().message;
    std::map<std::int64_t, std::set<std::uint64_t>> before;
    for (const auto& row : previous) before[row.person].insert(row.record);
    std::map<std::uint32_t, std::set<std::uint64_t>> now;
    for (std::size_t r = 0; r < records.size(); ++r) now[cluster[r]].insert(records[r]);
    std::set<std::int64_t> given;
    for (const auto& [c, members] : now) {
      EXPECT_TRUE(given.insert(ids->of_cluster[c]).second) << "round " << round << ": an id given twice";
      for (const auto& [p, earlier] : before) {
        if (earlier == members) {
          EXPECT_EQ(ids->of_cluster[c], p) << "round " << round << ": an unchanged person";
          ++unchanged_checked;
        }
      }
    }
  }
  EXPECT_GT(unchanged_checked, 500) << "the rounds must leave many persons unchanged to test anything";
}

TEST(AssignPersonIds, RejectsMismatchedInput) {
  EXPECT_FALSE(assign_person_ids({1, 2}, {0}, 1, {}, 1).has_value());
  EXPECT_FALSE(assign_person_ids({1}, {3}, 1, {}, 1).has_value());
  EXPECT_FALSE(assign_person_ids({1, 1}, {0, 0}, 1, {}, 1).has_value());
  EXPECT_FALSE(assign_person_ids({1}, {0}, 1, {{1, 0}}, 1).has_value());
}

}  // namespace
}  // namespace rapporteur::linkage
