// The domain model in the field's vocabulary: sources, registrations, persons, regions,
// publications and recommendations. Plain value types; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rapporteur {

// The two mandates of a national rapporteur; every registration falls under exactly one.
enum class Mandate { kHumanTrafficking, kSexualViolenceAgainstChildren };

// Form of exploitation, the classification of human-trafficking registrations.
enum class ExploitationForm { kSexual, kLabour, kCriminal, kOther, kUnknown };

// Offence type, the classification of sexual-violence-against-children registrations.
enum class OffenceType { kHandsOn, kCsam, kGrooming, kSextortion, kOther, kUnknown };

enum class Role { kVictim, kSuspect };

enum class Sex { kFemale, kMale, kOther, kUnknown };

// Stage a suspect reached in the criminal-justice chain, in order.
enum class ChainStage { kReported, kRegistered, kProsecuted, kConvicted };

// Residence status of a victim; kDublinClaimant marks victims who claimed asylum in another
// EU state first (Dublin Regulation), a group the Dutch monitors single out since 2019.
enum class ResidenceStatus { kDutch, kEu, kB8, kAsylum, kDublinClaimant, kUnknown };

// What kind of organisation a source is.
enum class SourceKind {
  kVictimCoordination,
  kPolice,
  kBorderPolice,
  kLabourInspectorate,
  kProsecution,
  kChildProtection,
  kCare,
  kOther,
};

enum class RegionLevel { kMunicipality, kPoliceUnit, kCountry };

// Each enum has a stable lower-case code used in the database, files and the API
// (e.g. "human_trafficking", "labour", "dublin_claimant"). to_code never fails; the parse_*
// functions fail with kInvalidArgument naming the unknown code and the accepted ones.
std::string_view to_code(Mandate value);
std::string_view to_code(ExploitationForm value);
std::string_view to_code(OffenceType value);
std::string_view to_code(Role value);
std::string_view to_code(Sex value);
std::string_view to_code(ChainStage value);
std::string_view to_code(ResidenceStatus value);
std::string_view to_code(SourceKind value);
std::string_view to_code(RegionLevel value);
Result<Mandate> parse_mandate(std::string_view code);
Result<ExploitationForm> parse_exploitation_form(std::string_view code);
Result<OffenceType> parse_offence_type(std::string_view code);
Result<Role> parse_role(std::string_view code);
Result<Sex> parse_sex(std::string_view code);
Result<ChainStage> parse_chain_stage(std::string_view code);
Result<ResidenceStatus> parse_residence_status(std::string_view code);
Result<SourceKind> parse_source_kind(std::string_view code);
Result<RegionLevel> parse_region_level(std::string_view code);

// A registering organisation, identified by a short stable code such as "politie".
struct Source {
  std::string code;
  std::string name;  // Display name, usually Dutch.
  SourceKind kind = SourceKind::kOther;
};

// A municipality, police unit or the country, with its CBS code (GM0363, RE01, NL01).
struct Region {
  std::string code;
  std::string name;
  RegionLevel level = RegionLevel::kMunicipality;
  std::optional<std::string> parent_code;  // Municipality -> police unit -> country.
};

// Population on 1 January of `year` (CBS), the denominator of rates per 100,000.
struct RegionPopulation {
  std::string region_code;
  int year = 0;
  std::int64_t population = 0;
};

// A person is known only by a pseudonymous key (hex HMAC-SHA256 of normalised identifiers,
// made at intake); never a name, national id number or date of birth.
struct Person {
  std::string key;
};

// A registration's pseudonymous comparison fields for probabilistic linkage, made at intake
// (intake/comparison.h): keys are 16 hex digits of keyed hashes, Bloom encodings raw bytes;
// "" marks a missing value. None of them is a name, id number or date.
struct ComparisonKeys {
  std::string first_name_bloom;
  std::string last_name_bloom;
  std::string first_name_key;
  std::string last_name_key;
  std::string birth_year_key;
  std::string birth_year_pair_key;      // Keyed floor(year / 2).
  std::string birth_year_pair_odd_key;  // Keyed floor((year + 1) / 2).
  std::string birth_month_key;          // Month and day share one purpose, so a swap shows.
  std::string birth_day_key;
  bool birth_first_of_january = false;
  std::string national_id_key;  // The keyed national id, "" when the source recorded none.

  friend bool operator==(const ComparisonKeys&, const ComparisonKeys&) = default;
};

// One source's record of one person in one year.
struct Registration {
  std::string source_code;
  std::string person_key;
  int year = 0;
  Mandate mandate = Mandate::kHumanTrafficking;
  Role role = Role::kVictim;
  std::optional<ExploitationForm> exploitation_form;  // Human trafficking only.
  std::optional<OffenceType> offence_type;            // Sexual violence against children only.
  Sex sex = Sex::kUnknown;
  std::optional<int> age;                  // Age in whole years at registration.
  std::optional<std::string> nationality;  // ISO 3166-1 alpha-2, e.g. "NL".
  std::optional<std::string> region_code;  // CBS municipality code, e.g. "GM0363".
  std::optional<ChainStage> chain_stage;   // Suspects only.
  ResidenceStatus residence_status = ResidenceStatus::kUnknown;
  // Second key from name + date of birth when the primary came from a national id, so that
  // records with and without the id can still be linked.
  std::optional<std::string> name_key;
  // Bloom-filter encodings (raw bytes) of the name and the date of birth for fuzzy linkage;
  // empty when the source did not carry them.
  std::string name_bloom;
  std::string birth_bloom;
  // Comparison fields for probabilistic linkage; all empty when the source's load made none.
  ComparisonKeys comparison;
  // The source's own reference for the record (a case number), kept as the source gave it so
  // that the source can check its records against the linkage's person ids; it is not
  // identifying. Unset when the source's profile maps no record_id column or the cell is empty.
  std::optional<std::string> record_id;

  friend bool operator==(const Registration&, const Registration&) = default;
};

// The most characters (Unicode code points) a source's record reference may have.
inline constexpr std::size_t kMaxRecordIdLength = 64;

// Checks that `record_id` can be kept as a source's record reference: not empty, well-formed
// UTF-8, at most kMaxRecordIdLength characters, no control character. Fails with
// kInvalidArgument saying which; the message never quotes the value.
Result<void> validate_record_id(std::string_view record_id);

// Checks the invariants a registration must satisfy before it is stored: year in
// 1990..2100, the classification that matches its mandate (and not the other one), age in
// 0..120, a chain stage only for suspects, nationality as two upper-case letters, a record
// reference as validate_record_id requires.
// Fails with kInvalidArgument naming the field and the offending value.
Result<void> validate(const Registration& registration);

// Returns true when `age` is under 18. Callers treat a missing age as unknown, not adult.
inline bool is_minor(int age) { return age < 18; }

enum class PublicationType { kMonitor, kStudy, kLetter, kNews, kBrochure, kAnnualReport };
std::string_view to_code(PublicationType value);
Result<PublicationType> parse_publication_type(std::string_view code);

struct Publication {
  std::string slug;  // Stable identifier in URLs, e.g. "slachtoffermonitor-2019-2023".
  std::string title;
  PublicationType type = PublicationType::kStudy;
  std::string date;      // ISO 8601 calendar date, YYYY-MM-DD.
  std::string language;  // "nl" or "en".
  std::vector<Mandate> mandates;
  std::string summary;
  std::vector<ExploitationForm> forms;  // Exploitation forms the publication is about, if any.
  std::string body;                     // Full text, as extracted from the source file.
  // The attached file, stored content-addressed by the knowledge base; empty when none.
  std::string file_sha256;
  std::string file_name;      // Original base name, for downloads.
  std::string media_type;     // E.g. "application/pdf".
  std::string source_sha256;  // Hash of the file the publication was ingested from.
  // The published monitor tables the publication reports on, by name (e.g.
  // "victims-form-sex-age"): its page links to them and theirs to it.
  std::vector<std::string> tables;
};

// Whether `name` can name a monitor table: 1 to 64 lower-case ASCII letters, digits and hyphens.
bool valid_table_name(std::string_view name);
// Table names as a person types them: separated by commas and/or white space ("" gives none).
// Fails with kInvalidArgument naming the first that is not a table name.
Result<std::vector<std::string>> parse_table_names(std::string_view text);

enum class ResponseStatus { kPending, kAdopted, kPartlyAdopted, kRejected };
std::string_view to_code(ResponseStatus value);
Result<ResponseStatus> parse_response_status(std::string_view code);

struct Recommendation {
  std::string publication_slug;
  int number = 0;  // Number within its publication, from 1.
  std::string text;
  std::string addressee;  // E.g. "Minister van Justitie en Veiligheid".
  int year = 0;
  ResponseStatus status = ResponseStatus::kPending;
  // Follow-up: dated notes, each optionally changing the status; oldest first. The status
  // history is the sequence of events that carry a status.
  struct Event {
    std::string date;  // YYYY-MM-DD.
    std::optional<ResponseStatus> status;
    std::string note;
  };
  std::vector<Event> history;
};

// ---- The institute's yearly account -------------------------------------------------------

// What kind of work outside its own publications an activity was.
enum class ActivityKind {
  kAdvisoryBoard,
  kSteeringCommittee,
  kExpertMeeting,
  kBriefing,      // E.g. a briefing to parliament.
  kConsultation,  // A response to a public consultation.
  kPresentation,
  kCooperation,  // A partnership, e.g. a data partnership with the statistics office.
  kOther,
};
std::string_view to_code(ActivityKind value);
Result<ActivityKind> parse_activity_kind(std::string_view code);

struct Activity {
  std::string date;  // YYYY-MM-DD.
  ActivityKind kind = ActivityKind::kOther;
  std::string organisation;
  std::string title;
  std::string notes;
};

enum class MediaKind { kRadio, kTv, kNationalPaper, kRegionalPaper, kInternationalPaper, kOnline };
std::string_view to_code(MediaKind value);
Result<MediaKind> parse_media_kind(std::string_view code);

struct MediaAppearance {
  std::string date;  // YYYY-MM-DD.
  std::string outlet;
  MediaKind kind = MediaKind::kOnline;
  std::string topic;
  std::string link;  // May be empty.
};

enum class FundingKind { kStructural, kIncidental };
std::string_view to_code(FundingKind value);
Result<FundingKind> parse_funding_kind(std::string_view code);

enum class SpendingCategory { kStaff, kOperations, kResearch, kOther };
std::string_view to_code(SpendingCategory value);
Result<SpendingCategory> parse_spending_category(std::string_view code);

struct BudgetLine {
  std::string funder;
  std::string description;
  FundingKind kind = FundingKind::kStructural;
  std::int64_t amount_cents = 0;
};

struct SpendingLine {
  SpendingCategory category = SpendingCategory::kOther;
  std::string description;
  std::int64_t amount_cents = 0;
};

// The finances of one year as stated in the accounts, with the lines that must add up to
// the stated totals (checked, never assumed).
struct Finances {
  int year = 0;
  std::int64_t budget_total_cents = 0;
  std::int64_t spending_total_cents = 0;
  std::int64_t result_cents = 0;  // Stated result: budget minus spending.
  std::vector<BudgetLine> budget;
  std::vector<SpendingLine> spending;
  std::string notes;
};

}  // namespace rapporteur
