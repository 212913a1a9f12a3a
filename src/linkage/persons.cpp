#include "linkage/persons.h"

#include <fmt/format.h>

namespace rapporteur::linkage {
namespace {

// Stored codes are not identifying; a fixed hash (FNV-1a) makes them keys.
std::uint64_t code_key(const std::string& code) {
  if (code.empty() || code == "unknown") return 0;
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : code) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h == 0 ? 1 : h;
}

}  // namespace

std::vector<FieldSpec> person_schema() {
  return {{.name = "first_name", .kind = FieldKind::kName, .term_frequency = TermFrequency::kOn},
          {.name = "last_name", .kind = FieldKind::kName, .term_frequency = TermFrequency::kOn},
          {.name = "birth_date", .kind = FieldKind::kDate},
          {.name = "national_id", .kind = FieldKind::kKey},
          {.name = "sex", .kind = FieldKind::kKey},
          {.name = "nationality", .kind = FieldKind::kKey, .term_frequency = TermFrequency::kOn},
          {.name = "region", .kind = FieldKind::kKey, .term_frequency = TermFrequency::kOn}};
}

Result<RecordSet> person_records(const std::vector<PersonFields>& persons) {
  ASSIGN_OR_RETURN(auto records, RecordSet::create(person_schema()));
  for (std::size_t i = 0; i < persons.size(); ++i) {
    const auto& p = persons[i];
    const auto r = records.add(p.source);
    const auto where = [&](std::string_view field, const Error& e) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("person record {}, field {}: {}", i, field, e.message));
    };
    const auto key = [&](std::string_view field, const std::string& hex) -> Result<std::uint64_t> {
      auto k = key_from_hex(hex);
      if (!k) return where(field, k.error());
      return *k;
    };
    for (const auto& [field, bloom_bytes, hex] :
         {std::tuple{std::size_t{0}, &p.keys.first_name_bloom, &p.keys.first_name_key},
          std::tuple{std::size_t{1}, &p.keys.last_name_bloom, &p.keys.last_name_key}}) {
      auto bits = bloom_from_bytes(*bloom_bytes);
      if (!bits) return where(records.fields()[field].name, bits.error());
      ASSIGN_OR_RETURN(const auto exact, key(records.fields()[field].name, *hex));
      records.set_name(r, field, *bits, exact);
    }
    DateKeys date;
    ASSIGN_OR_RETURN(date.year, key("birth_date", p.keys.birth_year_key));
    ASSIGN_OR_RETURN(date.year_pair, key("birth_date", p.keys.birth_year_pair_key));
    ASSIGN_OR_RETURN(date.year_pair_odd, key("birth_date", p.keys.birth_year_pair_odd_key));
    ASSIGN_OR_RETURN(date.month, key("birth_date", p.keys.birth_month_key));
    ASSIGN_OR_RETURN(date.day, key("birth_date", p.keys.birth_day_key));
    date.first_of_january = p.keys.birth_first_of_january;
    records.set_date(r, 2, date);
    ASSIGN_OR_RETURN(const auto id, key("national_id", p.keys.national_id_key));
    records.set_key(r, 3, id);
    records.set_key(r, 4, code_key(p.sex));
    records.set_key(r, 5, code_key(p.nationality));
    records.set_key(r, 6, code_key(p.region));
  }
  return records;
}

LinkOptions person_link_options() {
  LinkOptions options;
  options.name_swap = NameSwap{"first_name", "last_name"};
  options.blocking = {{"national_id", {{"national_id"}}},
                      {"first_name+last_name", {{"first_name"}, {"last_name"}}, KeyOrder::kAnyOrder},
                      {"last_name+birth_year", {{"last_name"}, {"birth_date", DatePart::kYear}}},
                      {"first_name+birth_date", {{"first_name"}, {"birth_date"}}},
                      {"birth_date+sex", {{"birth_date"}, {"sex"}}}};
  options.training_blocking = {{"first_name", {{"first_name"}}},
                               {"last_name", {{"last_name"}}},
                               {"birth_date", {{"birth_date"}}},
                               {"national_id", {{"national_id"}}}};
  return options;
}

}  // namespace rapporteur::linkage
