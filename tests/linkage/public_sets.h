// Loads the public linkage benchmarks (../shared/data/linkage, see its README) into
// pseudonymous linkage records the way intake would encode them: names through the
// project's ComparisonEncoder (ICU-normalised, Bloom-encoded, keyed), dates as separately keyed
// year, month and day, other fields as keyed hashes. Shared by tests and benches.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "intake/comparison.h"
#include "intake/pseudonym.h"
#include "linkage/probabilistic.h"

namespace rapporteur::testing {

struct PublicSet {
  linkage::RecordSet records;
  std::vector<std::uint64_t> entity;  // True entity per record.
  linkage::LinkOptions options;
  double encode_seconds = 0;
};

enum class WithSocialSecurityId { kYes, kNo };

namespace public_sets_internal {

inline std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& path, bool skip_space) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // Header.
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells(1);
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == ',') {
        cells.emplace_back();
        if (skip_space) {
          while (i + 1 < line.size() && line[i + 1] == ' ') ++i;
        }
      } else {
        cells.back() += line[i];
      }
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

inline intake::PseudonymKey test_key() {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return intake::PseudonymKey::from_bytes(bytes);
}

inline std::uint64_t key_of(const intake::PseudonymKey& key, std::string_view purpose, std::string_view value) {
  if (value.empty()) return 0;
  return linkage::key_from_hex(key.hmac_hex(std::string(purpose) + ":" + std::string(value))).value();
}

inline linkage::BloomBits bloom(const std::string& bytes) { return linkage::bloom_from_bytes(bytes).value(); }

inline std::uint64_t hex(const std::string& h) { return linkage::key_from_hex(h).value(); }

// Sets the name and date fields (first three fields of the schema) from ComparisonFields.
inline void set_person(linkage::RecordSet& records, std::uint32_t r, const intake::ComparisonFields& c) {
  records.set_name(r, 0, bloom(c.first_name_bloom), hex(c.first_name_key));
  records.set_name(r, 1, bloom(c.last_name_bloom), hex(c.last_name_key));
  if (!c.birth_year_key.empty()) {
    records.set_date(r, 2,
                     {.year = hex(c.birth_year_key),
                      .year_pair = hex(c.birth_year_pair_key),
                      .year_pair_odd = hex(c.birth_year_pair_odd_key),
                      .month = hex(c.birth_month_key),
                      .day = hex(c.birth_day_key),
                      .first_of_january = c.birth_first_of_january});
  }
}

inline std::vector<linkage::FieldSpec> person_fields() {
  return {{.name = "first_name", .kind = linkage::FieldKind::kName, .term_frequency = linkage::TermFrequency::kOn},
          {.name = "last_name", .kind = linkage::FieldKind::kName, .term_frequency = linkage::TermFrequency::kOn},
          {.name = "birth_date", .kind = linkage::FieldKind::kDate}};
}

}  // namespace public_sets_internal

// FEBRL4: dataset4a (source 0) against dataset4b (source 1); entity = the N of rec-N-....
inline PublicSet load_febrl4(const std::filesystem::path& folder, WithSocialSecurityId ssn) {
  using namespace public_sets_internal;  // NOLINT: test helper scope only.
  using linkage::FieldKind;
  const auto started = std::chrono::steady_clock::now();
  auto fields = person_fields();
  fields.push_back({.name = "street_number", .kind = FieldKind::kKey});
  fields.push_back({.name = "address_1", .kind = FieldKind::kName, .term_frequency = linkage::TermFrequency::kOn});
  fields.push_back({.name = "suburb", .kind = FieldKind::kName, .term_frequency = linkage::TermFrequency::kOn});
  fields.push_back({.name = "postcode", .kind = FieldKind::kKey, .term_frequency = linkage::TermFrequency::kOn});
  fields.push_back({.name = "state", .kind = FieldKind::kKey});
  if (ssn == WithSocialSecurityId::kYes) fields.push_back({.name = "soc_sec_id", .kind = FieldKind::kKey});
  auto records = linkage::RecordSet::create(fields).value();
  const auto key = test_key();
  intake::ComparisonEncoder encoder(key);
  intake::BloomEncoder address_encoder(key, "address");
  std::vector<std::uint64_t> entity;
  std::uint32_t source = 0;
  for (const char* file : {"dataset4a.csv", "dataset4b.csv"}) {
    for (const auto& row : read_csv(folder / file, true)) {
      if (row.size() < 11) continue;
      const std::uint32_t r = records.add(source);
      const std::string& id = row[0];
      entity.push_back(std::stoull(id.substr(4, id.find('-', 4) - 4)));
      std::string date;
      if (row[9].size() == 8) date = row[9].substr(0, 4) + "-" + row[9].substr(4, 2) + "-" + row[9].substr(6, 2);
      intake::Identifiers ids;
      if (!row[1].empty()) ids.first_name = row[1];
      if (!row[2].empty()) ids.last_name = row[2];
      if (!date.empty()) ids.birth_date = date;
      auto encoded = encoder.encode(ids);
      if (!encoded) {  // An impossible date (FEBRL's generator makes a few): name only.
        ids.birth_date.reset();
        encoded = encoder.encode(ids);
      }
      set_person(records, r, *encoded);
      records.set_key(r, 3, key_of(key, "street-number", row[3]));
      const auto text = [&](std::size_t field, const std::string& value, std::string_view purpose) {
        const std::string normalised = intake::transliterate_name(value);
        if (normalised.empty()) return;
        records.set_name(r, field, bloom(address_encoder.encode(normalised)), key_of(key, purpose, normalised));
      };
      text(4, row[4], "address");
      text(5, row[6], "suburb");
      records.set_key(r, 6, key_of(key, "postcode", row[7]));
      records.set_key(r, 7, key_of(key, "state", row[8]));
      if (ssn == WithSocialSecurityId::kYes) records.set_key(r, 8, key_of(key, "ssn", row[10]));
    }
    ++source;
  }
  PublicSet set{std::move(records), std::move(entity), {}, 0};
  set.options.scope = linkage::PairScope::kAcrossSources;
  set.options.duplicate_threshold = 2;
  set.options.name_swap = linkage::NameSwap{"first_name", "last_name"};
  set.options.blocking = {{"first_name", {{"first_name"}}},
                          {"last_name", {{"last_name"}}},
                          {"birth_date", {{"birth_date"}}},
                          {"postcode+street_number", {{"postcode"}, {"street_number"}}},
                          {"suburb+birth_year", {{"suburb"}, {"birth_date", linkage::DatePart::kYear}}},
                          {"address_1", {{"address_1"}}}};
  if (ssn == WithSocialSecurityId::kYes) set.options.blocking.push_back({"soc_sec_id", {{"soc_sec_id"}}});
  set.encode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return set;
}

// RLdata500 / RLdata10000 (dedup): every record is its own source, so any two may link.
inline PublicSet load_rldata(const std::filesystem::path& file) {
  using namespace public_sets_internal;  // NOLINT: test helper scope only.
  const auto started = std::chrono::steady_clock::now();
  auto records = linkage::RecordSet::create(person_fields()).value();
  const auto key = test_key();
  intake::ComparisonEncoder encoder(key);
  std::vector<std::uint64_t> entity;
  for (const auto& row : read_csv(file, false)) {
    if (row.size() < 9) continue;
    const std::uint32_t r = records.add(static_cast<std::uint32_t>(entity.size()));
    entity.push_back(std::stoull(row[8]));
    const std::string first = row[1] + (row[2].empty() ? "" : " " + row[2]);
    const std::string last = row[3] + (row[4].empty() ? "" : " " + row[4]);
    const auto two = [](const std::string& v) { return v.size() == 1 ? "0" + v : v; };
    const std::string date = row[5] + "-" + two(row[6]) + "-" + two(row[7]);
    intake::Identifiers ids{.first_name = first, .last_name = last, .birth_date = date};
    auto encoded = encoder.encode(ids);
    if (!encoded) {
      ids.birth_date.reset();
      encoded = encoder.encode(ids);
    }
    set_person(records, r, *encoded);
  }
  PublicSet set{std::move(records), std::move(entity), {}, 0};
  set.options.name_swap = linkage::NameSwap{"first_name", "last_name"};
  set.options.blocking = {{"first_name+last_name", {{"first_name"}, {"last_name"}}},
                          {"last_name+birth_year", {{"last_name"}, {"birth_date", linkage::DatePart::kYear}}},
                          {"first_name+birth_year", {{"first_name"}, {"birth_date", linkage::DatePart::kYear}}},
                          {"birth_date", {{"birth_date"}}}};
  set.options.training_blocking = {
      {"first_name", {{"first_name"}}}, {"last_name", {{"last_name"}}}, {"birth_date", {{"birth_date"}}}};
  set.encode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return set;
}

}  // namespace rapporteur::testing
