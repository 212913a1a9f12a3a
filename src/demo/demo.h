// The demo world: a deterministic synthetic population of victims and suspects under both
// mandates, registered (or not) by six sources with person-level chances, calibrated on
// published Dutch figures (shared/data/nl_figures.json). Contains no real personal data.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "intake/intake.h"
#include "store/store.h"

namespace rapporteur::demo {

struct WorldOptions {
  std::uint64_t seed = 2026;
  int first_year = 2019;
  int last_year = 2023;
  // Spread (log-scale standard deviation) of the person-level visibility shared by all
  // sources: unobserved heterogeneity that makes registers overlap more than independence
  // predicts. 0 leaves only the heterogeneity between observable strata (form, age,
  // nationality) and the direct dependence of the prosecution service on the police.
  double visibility_sigma = 0.7;
};

// The true size of one victim stratum in one year, and how many of its people at least one
// source registered. Strata: classification (exploitation form or offence type), sex, and
// "minor" or "adult" at registration.
struct TruthCell {
  int year = 0;
  Mandate mandate = Mandate::kHumanTrafficking;
  std::string classification;
  Sex sex = Sex::kUnknown;
  std::string age_group;
  std::int64_t true_count = 0;
  std::int64_t registered = 0;
};

// Deliberate faults in a demo extract row, so that quarantine has realistic work to do.
enum class RecordFlaw { kNone, kUnknownLabel, kImpossibleDate, kNoIdentity, kUnknownMunicipality };

// How one source recorded a person's (synthetic) identity in its extract; parallel to
// World::registrations. Never stored: intake pseudonymises it.
struct RecordedIdentity {
  std::string first_name;
  std::string last_name;          // Sometimes with a typo, as in real registers.
  std::string birth_date;         // ISO YYYY-MM-DD.
  std::string national_id;        // Empty when the source recorded none.
  std::string registration_date;  // ISO; within the registration's year.
  RecordFlaw flaw = RecordFlaw::kNone;

  friend bool operator==(const RecordedIdentity&, const RecordedIdentity&) = default;
};

struct World {
  WorldOptions options;
  std::vector<Source> sources;
  std::vector<Region> regions;  // Parents before children.
  std::vector<RegionPopulation> populations;
  // What each source meant to record. person_key is the demo's own identifier of the person
  // (ground truth for linkage), not a pseudonym: extracts carry identities instead.
  std::vector<Registration> registrations;
  std::vector<RecordedIdentity> identities;  // Parallel to registrations.
  std::vector<TruthCell> truth;              // Victims only, ordered by year, mandate and stratum.
  // The institute's yearly account for every year: activities, media appearances and
  // finances whose lines add up (all synthetic).
  std::vector<Activity> activities;
  std::vector<MediaAppearance> media;
  std::vector<Finances> finances;
};

// Generates the world for `options`; the same options give the identical world on every run
// and machine. Fails with kInvalidArgument when the year range is empty or outside 2015..2030.
Result<World> generate_world(const WorldOptions& options);

// One extract written for the demo: a source's registrations of one year, in its own format.
struct ExtractFile {
  std::string source_code;
  std::string profile;  // File name of its profile in the profiles folder.
  int year = 0;
  std::filesystem::path path;
  std::int64_t rows = 0;
};

// Writes every source's extract for every year into `folder` (created if absent): CSV with
// ';' and BOM (police), ',' in Windows-1252 (CoMensha), tab-separated (Labour Inspectorate),
// XLSX with date cells (KMar) or text dates (child protection). Fails with kIo.
Result<std::vector<ExtractFile>> write_extracts(const World& world, const std::filesystem::path& folder);

struct LoadWorldOptions {
  std::filesystem::path extracts_folder;  // Where the extracts are written.
  std::filesystem::path profiles_folder;  // The project's profiles/ folder.
  // Called after each extract is loaded.
  std::function<void(const ExtractFile&, const intake::LoadReport&)> on_loaded;
};

// Loads the world into `store` in one transaction: regions and populations directly
// (reference data), registrations through intake from the extracts
// written by write_extracts, pseudonymised with `key`. Records the seed as instance setting
// "demo_seed". Fails with kConflict when the store already holds registrations, and with
// intake's errors when an extract cannot be loaded; nothing is stored then.
Result<std::vector<intake::LoadReport>> load_world(const World& world, store::Store& store,
                                                   const intake::PseudonymKey& key, const LoadWorldOptions& options);

// Returns the truth as JSON: seed, years, per year and mandate the true and registered
// totals with their strata, and under "records" the record-level truth (record_truth: per
// extract the person behind each row). It never enters the store, only a separate file.
std::string truth_json(const World& world);

// Record-level truth of one extract: the demo's own identifier of the person behind each
// data row, in row order (the first data row is the file's row 2).
struct ExtractTruth {
  std::string source_code;
  int year = 0;
  std::vector<std::string> persons;
};

// The record-level truth of every extract write_extracts writes, by year then source.
std::vector<ExtractTruth> record_truth(const World& world);

// The demo's identifier of the person behind each registration that
// `store.registrations(filter)` returns, in that order: registrations with equal identifiers
// are one person. `store` must hold `world` as load_world loaded it (quarantined rows are
// skipped through the batches' row errors). Fails with kInvalidArgument when a stored
// registration matches no row of the world, and with the store's errors.
Result<std::vector<std::string>> stored_record_persons(const World& world, store::Store& store,
                                                       const store::RegistrationFilter& filter);

// Writes the demo knowledge base into `folder` (created if absent): about thirty sample
// publications written for the demo, in Dutch and English, as Markdown, HTML, text and PDF
// files, each with its side-car FILE.toml (metadata, recommendations, follow-up). Returns
// the files written, side-cars excluded. Fails with kIo when the folder cannot be written.
Result<std::vector<std::filesystem::path>> write_kennisbank(const std::filesystem::path& folder);

// A minimal PDF 1.4 document (A4, Helvetica, WinAnsi encoding) holding `text`, wrapped and
// paginated, with `title` in its metadata. Characters outside Windows-1252 become '?'.
// For demo and test documents; paragraphs are separated by blank lines.
std::string make_pdf(std::string_view title, std::string_view text);

}  // namespace rapporteur::demo
