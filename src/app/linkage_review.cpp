#include "app/linkage_review.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/linkage.h"
#include "core/csv.h"
#include "core/time.h"
#include "linkage/persons.h"

namespace rapporteur::app {
namespace {

using nlohmann::json;

// The level of one field as an Agreement, read with the schema's levels (probabilistic.h).
FieldAgreement agreement_of(const linkage::FieldSpec& spec, const linkage::FieldContribution& c) {
  FieldAgreement a{.field = c.field};
  if (c.level == linkage::kLevelMissing) {
    a.agreement = Agreement::kMissing;
    return a;
  }
  if (c.level == linkage::kLevelDisagree) {
    a.agreement = Agreement::kDisagree;
    return a;
  }
  switch (spec.kind) {
    case linkage::FieldKind::kKey:
      a.agreement = Agreement::kEqual;
      break;
    case linkage::FieldKind::kDate:
      a.agreement = c.level == linkage::kDateExact          ? Agreement::kExact
                    : c.level == linkage::kDateMonthDaySwap ? Agreement::kDayMonthSwapped
                    : c.level == linkage::kDateTwoOfThree   ? Agreement::kTwoOfThree
                                                            : Agreement::kYearOnly;
      break;
    case linkage::FieldKind::kName: {
      // Levels 2.. are the Dice thresholds lowest first, then exact (scoring.cpp name_level).
      const int exact = 2 + static_cast<int>(spec.dice_levels.size());
      if (c.level >= exact) {
        a.agreement = Agreement::kExact;
        break;
      }
      const auto i = static_cast<std::size_t>(exact - 1 - c.level);
      a.agreement = Agreement::kSimilar;
      a.dice_from = spec.dice_levels[i];
      a.dice_to = i == 0 ? 1.0 : spec.dice_levels[i - 1];
      break;
    }
  }
  return a;
}

std::string scope_text(int year, const std::string& mandate, const std::string& role) {
  return fmt::format("{} {} {}", year, mandate, role);
}

std::string decision_code(const ReviewPair& pair) {
  return pair.decision ? std::string(store::to_code(*pair.decision)) : std::string();
}

Result<std::int64_t> row_id(std::string_view text) {
  std::int64_t id = 0;
  if (text.size() < 2 || text.front() != 'r') return fail(ErrorCode::kInvalidArgument, "");
  const auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return fail(ErrorCode::kInvalidArgument, "");
  return id;
}

}  // namespace

std::string_view to_code(Agreement agreement) {
  switch (agreement) {
    case Agreement::kMissing:
      return "missing";
    case Agreement::kDisagree:
      return "disagree";
    case Agreement::kSimilar:
      return "similar";
    case Agreement::kExact:
      return "exact";
    case Agreement::kEqual:
      return "equal";
    case Agreement::kDayMonthSwapped:
      return "day_month_swapped";
    case Agreement::kTwoOfThree:
      return "two_of_three";
    case Agreement::kYearOnly:
      return "year_only";
  }
  return "";
}

std::string describe(const FieldAgreement& a) {
  switch (a.agreement) {
    case Agreement::kMissing:
      return "missing";
    case Agreement::kDisagree:
      return "disagree";
    case Agreement::kSimilar:
      return a.dice_to >= 1.0 ? fmt::format("Dice >= {:.2f}", a.dice_from)
                              : fmt::format("Dice {:.2f}-{:.2f}", a.dice_from, a.dice_to);
    case Agreement::kExact:
      return "exact";
    case Agreement::kEqual:
      return "equal";
    case Agreement::kDayMonthSwapped:
      return "day and month swapped";
    case Agreement::kTwoOfThree:
      return "two of year, month, day (or year +-1)";
    case Agreement::kYearOnly:
      return "year only";
  }
  return "";
}

Result<PairReference> parse_pair_reference(std::string_view text) {
  const auto refuse = [&] {
    return fail(ErrorCode::kInvalidArgument,
                "a pair reference: expected two registration row ids as r<id>-r<id>, e.g. r12-r40");
  };
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return refuse();
  const auto a = row_id(text.substr(0, dash));
  const auto b = row_id(text.substr(dash + 1));
  if (!a || !b || *a == *b) return refuse();
  return PairReference{std::min(*a, *b), std::max(*a, *b)};
}

std::string to_reference(const PairReference& pair) { return fmt::format("r{}-r{}", pair.first, pair.second); }

Result<ReviewList> list_review_pairs(store::Store& store, const ReviewRequest& request) {
  if (!(request.band.from >= 0 && request.band.from <= request.band.to && request.band.to <= 1)) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("a review band from {} to {}; expected 0 <= from <= to <= 1",
                                                         request.band.from, request.band.to));
  }
  ASSIGN_OR_RETURN(const auto run, run_linkage(store, {.year = request.year,
                                                       .mandate = request.mandate,
                                                       .role = request.role,
                                                       .method = LinkageMethod::kProbabilistic,
                                                       .review_band = request.band}));
  ReviewList list{.year = request.year, .mandate = request.mandate, .role = request.role, .band = request.band};
  list.threshold = linkage::person_link_options().match_threshold;
  if (!run.probabilistic) {
    list.note = run.note;
    return list;
  }
  ASSIGN_OR_RETURN(const Mandate mandate, parse_mandate(request.mandate));
  ASSIGN_OR_RETURN(const Role role, parse_role(request.role));
  ASSIGN_OR_RETURN(const auto decided,
                   store.linkage_decisions({.year = request.year, .mandate = mandate, .role = role}));
  std::map<std::pair<std::int64_t, std::int64_t>, const store::PairDecisionRow*> decision_of;
  for (const auto& d : decided) decision_of.emplace(std::pair{d.first, d.second}, &d);
  const auto schema = linkage::person_schema();
  const auto& review = run.probabilistic->review;
  list.in_band = static_cast<std::int64_t>(review.size());
  for (const auto& band_pair : review) {
    const auto first = run.record_ids[band_pair.pair.a];
    const auto second = run.record_ids[band_pair.pair.b];
    const PairReference ref{std::min(first, second), std::max(first, second)};
    const auto found = decision_of.find({ref.first, ref.second});
    if (found != decision_of.end()) ++list.decided;
    if (request.limit != 0 && list.pairs.size() >= request.limit) continue;
    ReviewPair pair{
        .reference = to_reference(ref),
        .first_source = run.registrations[first == ref.first ? band_pair.pair.a : band_pair.pair.b].source_code,
        .second_source = run.registrations[first == ref.first ? band_pair.pair.b : band_pair.pair.a].source_code,
        .weight = band_pair.pair.weight,
        .probability = band_pair.pair.probability};
    for (const auto& c : band_pair.explanation.fields) {
      const auto spec = std::find_if(schema.begin(), schema.end(), [&](const auto& f) { return f.name == c.field; });
      assert(spec != schema.end() && "explanations name the schema's fields");
      pair.fields.push_back(agreement_of(*spec, c));
    }
    if (found != decision_of.end()) {
      pair.decision = found->second->decision;
      pair.decided_by = found->second->user_name;
      pair.decided_at = found->second->decided_at;
    }
    list.pairs.push_back(std::move(pair));
  }
  return list;
}

std::string to_text(const ReviewList& list) {
  std::string out = fmt::format(
      "Clerical review {}: {} pairs with a match probability from {:g} to {:g} (threshold {:g}), {} decided\n",
      scope_text(list.year, list.mandate, list.role), list.in_band, list.band.from, list.band.to, list.threshold,
      list.decided);
  if (!list.note.empty()) out += fmt::format("Note: {}\n", list.note);
  for (const auto& p : list.pairs) {
    out += fmt::format("{}  {} & {}  weight {:.2f}  probability {:.3f}{}\n", p.reference, p.first_source,
                       p.second_source, p.weight, p.probability,
                       p.decision ? fmt::format("  decided: {} ({})", decision_code(p), p.decided_by) : "");
    for (const auto& f : p.fields) out += fmt::format("  {:<12} {}\n", f.field, describe(f));
  }
  return out;
}

std::string to_csv(const ReviewList& list) {
  const auto schema = linkage::person_schema();
  std::string out = "pair,first_source,second_source,weight,probability,decision";
  for (const auto& f : schema) out += "," + f.name;
  out += '\n';
  for (const auto& p : list.pairs) {
    out += fmt::format("{},{},{},{:.4f},{:.4f},{}", csv_field(p.reference), csv_field(p.first_source),
                       csv_field(p.second_source), p.weight, p.probability, decision_code(p));
    for (const auto& f : schema) {
      const auto found =
          std::find_if(p.fields.begin(), p.fields.end(), [&](const FieldAgreement& a) { return a.field == f.name; });
      out += "," + (found == p.fields.end() ? std::string() : csv_field(describe(*found)));
    }
    out += '\n';
  }
  return out;
}

std::string to_json(const ReviewList& list) {
  json pairs = json::array();
  for (const auto& p : list.pairs) {
    json fields = json::array();
    for (const auto& f : p.fields) {
      json field = {{"field", f.field}, {"level", to_code(f.agreement)}, {"description", describe(f)}};
      if (f.agreement == Agreement::kSimilar) {
        field["dice_from"] = f.dice_from;
        field["dice_to"] = f.dice_to;
      }
      fields.push_back(std::move(field));
    }
    pairs.push_back({{"reference", p.reference},
                     {"sources", {p.first_source, p.second_source}},
                     {"weight", p.weight},
                     {"probability", p.probability},
                     {"decision", p.decision ? json(decision_code(p)) : json(nullptr)},
                     {"fields", std::move(fields)}});
  }
  return json{{"year", list.year},           {"mandate", list.mandate},
              {"role", list.role},           {"band", {{"from", list.band.from}, {"to", list.band.to}}},
              {"threshold", list.threshold}, {"in_band", list.in_band},
              {"decided", list.decided},     {"note", list.note},
              {"pairs", std::move(pairs)}}
      .dump(2);
}

Result<store::PairDecisionRow> decide_pair(store::Store& store, const DecisionRequest& request) {
  ASSIGN_OR_RETURN(const Mandate mandate, parse_mandate(request.mandate));
  ASSIGN_OR_RETURN(const Role role, parse_role(request.role));
  ASSIGN_OR_RETURN(const auto pair, parse_pair_reference(request.pair));
  ASSIGN_OR_RETURN(const auto decision, store::parse_review_decision(request.decision));
  if (request.user.empty()) return fail(ErrorCode::kInvalidArgument, "a decision without a user");
  const store::PairDecisionRow row{.first = pair.first,
                                   .second = pair.second,
                                   .decision = decision,
                                   .user_name = request.user,
                                   .decided_at = utc_now_iso()};
  const std::string scope = scope_text(request.year, request.mandate, request.role);
  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const auto ids, store.registration_ids({.year = request.year, .mandate = mandate, .role = role}));
    for (const auto id : {pair.first, pair.second}) {
      if (!std::binary_search(ids.begin(), ids.end(), id)) {
        return fail(ErrorCode::kNotFound, fmt::format("record r{} is not a registration of {}", id, scope));
      }
    }
    RETURN_IF_ERROR(store.put_linkage_decision({.year = request.year, .mandate = mandate, .role = role}, row));
    return store.audit({row.decided_at, row.user_name, "linkage_decision",
                        fmt::format("{} {}: {}", scope, to_reference(pair), store::to_code(decision))});
  }));
  return row;
}

}  // namespace rapporteur::app
