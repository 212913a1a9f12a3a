#include "core/domain.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "core/utf8.h"

namespace rapporteur {
namespace {

template <typename Enum, std::size_t N>
using CodeTable = std::array<std::pair<Enum, std::string_view>, N>;

template <typename Enum, std::size_t N>
std::string_view code_of(const CodeTable<Enum, N>& table, Enum value) {
  for (const auto& [item, code] : table) {
    if (item == value) {
      return code;
    }
  }
  assert(false && "every enumerator has a code");
  return {};
}

template <typename Enum, std::size_t N>
Result<Enum> parse_code(const CodeTable<Enum, N>& table, std::string_view what, std::string_view code) {
  std::string accepted;
  for (const auto& [item, item_code] : table) {
    if (item_code == code) {
      return item;
    }
    accepted += accepted.empty() ? "" : ", ";
    accepted += item_code;
  }
  return fail(ErrorCode::kInvalidArgument, fmt::format("unknown {} '{}'; expected one of: {}", what, code, accepted));
}

constexpr CodeTable<Mandate, 2> kMandates{{
    {Mandate::kHumanTrafficking, "human_trafficking"},
    {Mandate::kSexualViolenceAgainstChildren, "sexual_violence_against_children"},
}};
constexpr CodeTable<ExploitationForm, 5> kForms{{
    {ExploitationForm::kSexual, "sexual"},
    {ExploitationForm::kLabour, "labour"},
    {ExploitationForm::kCriminal, "criminal"},
    {ExploitationForm::kOther, "other"},
    {ExploitationForm::kUnknown, "unknown"},
}};
constexpr CodeTable<OffenceType, 6> kOffences{{
    {OffenceType::kHandsOn, "hands_on"},
    {OffenceType::kCsam, "csam"},
    {OffenceType::kGrooming, "grooming"},
    {OffenceType::kSextortion, "sextortion"},
    {OffenceType::kOther, "other"},
    {OffenceType::kUnknown, "unknown"},
}};
constexpr CodeTable<Role, 2> kRoles{{{Role::kVictim, "victim"}, {Role::kSuspect, "suspect"}}};
constexpr CodeTable<Sex, 4> kSexes{{
    {Sex::kFemale, "female"},
    {Sex::kMale, "male"},
    {Sex::kOther, "other"},
    {Sex::kUnknown, "unknown"},
}};
constexpr CodeTable<ChainStage, 4> kStages{{
    {ChainStage::kReported, "reported"},
    {ChainStage::kRegistered, "registered"},
    {ChainStage::kProsecuted, "prosecuted"},
    {ChainStage::kConvicted, "convicted"},
}};
constexpr CodeTable<ResidenceStatus, 6> kResidence{{
    {ResidenceStatus::kDutch, "dutch"},
    {ResidenceStatus::kEu, "eu"},
    {ResidenceStatus::kB8, "b8"},
    {ResidenceStatus::kAsylum, "asylum"},
    {ResidenceStatus::kDublinClaimant, "dublin_claimant"},
    {ResidenceStatus::kUnknown, "unknown"},
}};
constexpr CodeTable<SourceKind, 8> kSourceKinds{{
    {SourceKind::kVictimCoordination, "victim_coordination"},
    {SourceKind::kPolice, "police"},
    {SourceKind::kBorderPolice, "border_police"},
    {SourceKind::kLabourInspectorate, "labour_inspectorate"},
    {SourceKind::kProsecution, "prosecution"},
    {SourceKind::kChildProtection, "child_protection"},
    {SourceKind::kCare, "care"},
    {SourceKind::kOther, "other"},
}};
constexpr CodeTable<RegionLevel, 3> kLevels{{
    {RegionLevel::kMunicipality, "municipality"},
    {RegionLevel::kPoliceUnit, "police_unit"},
    {RegionLevel::kCountry, "country"},
}};
constexpr CodeTable<PublicationType, 6> kPublicationTypes{{
    {PublicationType::kMonitor, "monitor"},
    {PublicationType::kStudy, "study"},
    {PublicationType::kLetter, "letter"},
    {PublicationType::kNews, "news"},
    {PublicationType::kBrochure, "brochure"},
    {PublicationType::kAnnualReport, "annual_report"},
}};
constexpr CodeTable<ResponseStatus, 4> kResponses{{
    {ResponseStatus::kPending, "pending"},
    {ResponseStatus::kAdopted, "adopted"},
    {ResponseStatus::kPartlyAdopted, "partly_adopted"},
    {ResponseStatus::kRejected, "rejected"},
}};

constexpr CodeTable<ActivityKind, 8> kActivityKinds{{
    {ActivityKind::kAdvisoryBoard, "advisory_board"},
    {ActivityKind::kSteeringCommittee, "steering_committee"},
    {ActivityKind::kExpertMeeting, "expert_meeting"},
    {ActivityKind::kBriefing, "briefing"},
    {ActivityKind::kConsultation, "consultation"},
    {ActivityKind::kPresentation, "presentation"},
    {ActivityKind::kCooperation, "cooperation"},
    {ActivityKind::kOther, "other"},
}};
constexpr CodeTable<MediaKind, 6> kMediaKinds{{
    {MediaKind::kRadio, "radio"},
    {MediaKind::kTv, "tv"},
    {MediaKind::kNationalPaper, "national_paper"},
    {MediaKind::kRegionalPaper, "regional_paper"},
    {MediaKind::kInternationalPaper, "international_paper"},
    {MediaKind::kOnline, "online"},
}};
constexpr CodeTable<FundingKind, 2> kFundingKinds{{
    {FundingKind::kStructural, "structural"},
    {FundingKind::kIncidental, "incidental"},
}};
constexpr CodeTable<SpendingCategory, 4> kSpendingCategories{{
    {SpendingCategory::kStaff, "staff"},
    {SpendingCategory::kOperations, "operations"},
    {SpendingCategory::kResearch, "research"},
    {SpendingCategory::kOther, "other"},
}};

bool is_country_code(std::string_view code) {
  return code.size() == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z';
}

}  // namespace

std::string_view to_code(Mandate value) { return code_of(kMandates, value); }
std::string_view to_code(ExploitationForm value) { return code_of(kForms, value); }
std::string_view to_code(OffenceType value) { return code_of(kOffences, value); }
std::string_view to_code(Role value) { return code_of(kRoles, value); }
std::string_view to_code(Sex value) { return code_of(kSexes, value); }
std::string_view to_code(ChainStage value) { return code_of(kStages, value); }
std::string_view to_code(ResidenceStatus value) { return code_of(kResidence, value); }
std::string_view to_code(SourceKind value) { return code_of(kSourceKinds, value); }
std::string_view to_code(RegionLevel value) { return code_of(kLevels, value); }
std::string_view to_code(PublicationType value) { return code_of(kPublicationTypes, value); }
std::string_view to_code(ResponseStatus value) { return code_of(kResponses, value); }
std::string_view to_code(ActivityKind value) { return code_of(kActivityKinds, value); }
std::string_view to_code(MediaKind value) { return code_of(kMediaKinds, value); }
std::string_view to_code(FundingKind value) { return code_of(kFundingKinds, value); }
std::string_view to_code(SpendingCategory value) { return code_of(kSpendingCategories, value); }
Result<ActivityKind> parse_activity_kind(std::string_view code) {
  return parse_code(kActivityKinds, "activity kind", code);
}
Result<MediaKind> parse_media_kind(std::string_view code) { return parse_code(kMediaKinds, "media kind", code); }
Result<FundingKind> parse_funding_kind(std::string_view code) {
  return parse_code(kFundingKinds, "funding kind", code);
}
Result<SpendingCategory> parse_spending_category(std::string_view code) {
  return parse_code(kSpendingCategories, "spending category", code);
}

Result<Mandate> parse_mandate(std::string_view code) { return parse_code(kMandates, "mandate", code); }
Result<ExploitationForm> parse_exploitation_form(std::string_view code) {
  return parse_code(kForms, "exploitation form", code);
}
Result<OffenceType> parse_offence_type(std::string_view code) { return parse_code(kOffences, "offence type", code); }
Result<Role> parse_role(std::string_view code) { return parse_code(kRoles, "role", code); }
Result<Sex> parse_sex(std::string_view code) { return parse_code(kSexes, "sex", code); }
Result<ChainStage> parse_chain_stage(std::string_view code) { return parse_code(kStages, "chain stage", code); }
Result<ResidenceStatus> parse_residence_status(std::string_view code) {
  return parse_code(kResidence, "residence status", code);
}
Result<SourceKind> parse_source_kind(std::string_view code) { return parse_code(kSourceKinds, "source kind", code); }
Result<RegionLevel> parse_region_level(std::string_view code) { return parse_code(kLevels, "region level", code); }
Result<PublicationType> parse_publication_type(std::string_view code) {
  return parse_code(kPublicationTypes, "publication type", code);
}
Result<ResponseStatus> parse_response_status(std::string_view code) {
  return parse_code(kResponses, "response status", code);
}

Result<void> validate(const Registration& registration) {
  const auto invalid = [](std::string message) { return fail(ErrorCode::kInvalidArgument, std::move(message)); };
  if (registration.source_code.empty()) {
    return invalid("registration has no source");
  }
  if (registration.person_key.empty()) {
    return invalid("registration has no person key");
  }
  if (registration.year < 1990 || registration.year > 2100) {
    return invalid(fmt::format("year {} is outside 1990..2100", registration.year));
  }
  const bool trafficking = registration.mandate == Mandate::kHumanTrafficking;
  if (trafficking && !registration.exploitation_form) {
    return invalid("a human-trafficking registration needs an exploitation form");
  }
  if (trafficking && registration.offence_type) {
    return invalid("an offence type belongs to sexual violence against children, not trafficking");
  }
  if (!trafficking && !registration.offence_type) {
    return invalid("a sexual-violence-against-children registration needs an offence type");
  }
  if (!trafficking && registration.exploitation_form) {
    return invalid("an exploitation form belongs to human trafficking, not sexual violence");
  }
  if (registration.age && (*registration.age < 0 || *registration.age > 120)) {
    return invalid(fmt::format("age {} is outside 0..120", *registration.age));
  }
  if (registration.chain_stage && registration.role != Role::kSuspect) {
    return invalid("only suspects have a stage in the criminal-justice chain");
  }
  if (registration.nationality && !is_country_code(*registration.nationality)) {
    return invalid(fmt::format("nationality '{}' is not an ISO 3166-1 alpha-2 code", *registration.nationality));
  }
  if (registration.record_id) {
    if (auto valid = validate_record_id(*registration.record_id); !valid) {
      return invalid(fmt::format("record_id: {}", valid.error().message));
    }
  }
  return ok();
}

Result<void> validate_record_id(std::string_view record_id) {
  const auto invalid = [](std::string message) { return fail(ErrorCode::kInvalidArgument, std::move(message)); };
  if (record_id.empty()) return invalid("a record reference is empty");
  if (first_invalid_utf8(record_id)) return invalid("a record reference is not well-formed UTF-8");
  std::size_t characters = 0;
  for (const char byte : record_id) {
    const auto code = static_cast<unsigned char>(byte);
    // Control characters: C0 and DEL. (C1 controls are two-byte sequences 0xC2 0x80..0x9F.)
    if (code < 0x20 || code == 0x7f) return invalid("a record reference holds a control character");
    // Count code points by their lead bytes; continuation bytes are 10xxxxxx.
    if ((code & 0xc0) != 0x80) ++characters;
  }
  for (std::size_t i = 0; i + 1 < record_id.size(); ++i) {
    const auto lead = static_cast<unsigned char>(record_id[i]);
    const auto next = static_cast<unsigned char>(record_id[i + 1]);
    if (lead == 0xc2 && next >= 0x80 && next <= 0x9f) return invalid("a record reference holds a control character");
  }
  if (characters > kMaxRecordIdLength) {
    return invalid(
        fmt::format("a record reference has {} characters, at most {} are kept", characters, kMaxRecordIdLength));
  }
  return ok();
}

bool valid_table_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Result<std::vector<std::string>> parse_table_names(std::string_view text) {
  std::vector<std::string> names;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find_first_of(", \t\r\n", at), text.size());
    const std::string_view name = text.substr(at, end - at);
    if (!name.empty()) {
      if (!valid_table_name(name)) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("'{}' is not a table name (lower-case letters, digits and hyphens)", name));
      }
      if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
    }
    at = end + 1;
  }
  return names;
}

}  // namespace rapporteur
