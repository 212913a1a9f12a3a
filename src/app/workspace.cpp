#include "app/workspace.h"

#include <cctype>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "account/account.h"
#include "core/files.h"
#include "core/money.h"
#include "core/time.h"
#include "sdc/sdc.h"

namespace rapporteur::app {

std::string describe_protection(const tables::ProtectionReport& report) {
  std::int64_t cells = 0;
  for (const auto& t : report.tables) cells += static_cast<std::int64_t>(t.built.table.values.size());
  return fmt::format(
      "{} table(s), {} cells: {} primary and {} secondary suppressions ({} units suppressed secondarily; "
      "{} released again), {} repair rounds, {} improvement trials{}, {} linear programmes\n"
      "audit: {} suppressed cells, {} violations, {} exactly recoverable secondaries (warning), "
      "{} batched and {} exact linear programmes\n",
      report.tables.size(), cells, report.protection.primary_cells, report.protection.secondary_cells,
      report.protection.secondary_units, report.protection.released, report.protection.repair_rounds,
      report.protection.improvement_trials, report.protection.improvement_cut ? " (stopped at the work limit)" : "",
      report.protection.linear_programmes, report.audit.cells.size(), report.audit.violations,
      report.audit.exact_secondaries, report.audit.batched_lps, report.audit.exact_lps);
}

Workspace::Workspace(StoreOpener open_store, kb::KnowledgeBase* knowledge_base, InstancePaths paths)
    : open_store_(std::move(open_store)), knowledge_base_(knowledge_base), paths_(std::move(paths)) {}

std::filesystem::path Workspace::spec_path(const std::string& spec) const {
  if (std::filesystem::exists(spec)) return spec;
  return paths_.tables / (spec + ".toml");
}

Result<intake::SourceProfile> Workspace::find_profile(const std::string& profile) const {
  std::filesystem::path path(profile);
  if (!std::filesystem::exists(path)) {
    const auto named = paths_.profiles / (profile + ".toml");
    if (std::filesystem::exists(named)) path = named;
  }
  return intake::load_profile(path);
}

Result<void> Workspace::load_extract(const LoadExtractRequest& request, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto profile, find_profile(request.profile));
  ASSIGN_OR_RETURN(const auto key, intake::PseudonymKey::read_file(paths_.key));
  ASSIGN_OR_RETURN(const auto store, open_store_());
  // The batch's audit record is stored with the batch, in its transaction, or not at all.
  const auto audited = [&](const intake::LoadReport& loaded) -> Result<void> {
    if (request.actor.empty()) return ok();
    return store->audit(
        {utc_now_iso(), request.actor, "intake_batch",
         fmt::format("batch {}: profile {}, year {}, {} rows read, {} loaded, {} quarantined{}", loaded.batch_id,
                     profile.source.code, request.year, loaded.rows_read, loaded.rows_loaded, loaded.rows_rejected,
                     loaded.replaced_batch ? fmt::format(", replaces batch {}", *loaded.replaced_batch) : "")});
  };
  ASSIGN_OR_RETURN(const auto report, intake::load_extract(*store, key, profile,
                                                           {.file = request.file,
                                                            .year = request.year,
                                                            .replace = request.replace,
                                                            .encodings = request.encodings,
                                                            .progress = request.progress,
                                                            .before_commit = audited}));
  if (report.already_loaded) {
    out << fmt::format("Already loaded as batch {} (same file): nothing to do\n", report.batch_id);
    return ok();
  }
  out << fmt::format(
      "Batch {}: {} ({}), {} {}: {} rows read, {} loaded, {} quarantined{}{}\n", report.batch_id,
      request.file.filename().string(), report.reader, profile.source.code, request.year, report.rows_read,
      report.rows_loaded, report.rows_rejected,
      report.rows_weakly_linkable > 0
          ? fmt::format("; {} weakly linkable (a name without id number or date of birth)", report.rows_weakly_linkable)
          : "",
      report.replaced_batch ? fmt::format("; replaces batch {}", *report.replaced_batch) : "");
  if (report.rows_rejected > 0) {
    out << fmt::format("See the rejected rows with: rapporteur intake errors {}\n", report.batch_id);
  }
  if (report.rows_loaded == 0) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("no row of {} could be loaded (batch {} holds the reasons)",
                                                         request.file.string(), report.batch_id));
  }
  return ok();
}

Result<void> Workspace::estimate_json(const EstimateRequest& request, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store_());
  ASSIGN_OR_RETURN(const auto report, estimate(store.get(), request));
  out << to_json(report);
  return ok();
}

Result<PublishedEstimate> Workspace::publish_estimate(PublishEstimateRequest request, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store_());
  if (request.folder.empty()) request.folder = paths_.published;
  ASSIGN_OR_RETURN(auto published, app::publish_estimate(*store, request));
  out << to_json(published);
  if (!published.warning.empty()) spdlog::warn("{}", published.warning);
  return published;
}

Result<tables::ProtectionReport> Workspace::protect(const ProtectRequest& request, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store_());
  std::vector<tables::BuiltTable> built;
  const auto persons = table_persons(*store, request.linkage);
  for (const auto& s : request.specs) {
    ASSIGN_OR_RETURN(const auto spec, tables::read_spec(spec_path(s)));
    ASSIGN_OR_RETURN(auto table, tables::build(*store, spec, persons));
    built.push_back(std::move(table));
  }
  sdc::AuditOptions audit_options;
  audit_options.exact_intervals = request.intervals == Intervals::kExact;
  ASSIGN_OR_RETURN(auto report, tables::protect(std::move(built), audit_options));
  out << describe_protection(report);
  if (!request.review.empty()) {
    // True values of small cells: readable by the owner only, like the key file.
    RETURN_IF_ERROR(write_file_atomically(request.review, tables::to_review_csv(report), FileAccess::kOwnerOnly));
    out << "review written to " << request.review.string() << '\n';
  }
  return report;
}

Result<PublishResult> Workspace::publish(const std::vector<std::string>& specs, const std::string& date,
                                         const std::filesystem::path& folder, std::ostream& out,
                                         LinkageMethod linkage) {
  PublishRequest request;
  request.linkage = linkage;
  for (const auto& s : specs) request.specs.push_back(spec_path(s));
  request.folder = folder.empty() ? paths_.published : folder;
  request.date = date;
  ASSIGN_OR_RETURN(const auto store, open_store_());
  ASSIGN_OR_RETURN(auto published, app::publish(*store, request));
  out << describe_protection(published.report);
  for (const auto& t : published.report.tables) {
    std::int64_t secondary = 0;
    for (const auto s : t.status) secondary += s == sdc::Status::kSecondary ? 1 : 0;
    out << fmt::format("published {} ({} cells, {} secondary suppressions): {}.csv, .json, .xlsx\n", t.built.spec.name,
                       t.status.size(), secondary, (request.folder / t.built.spec.name).string());
  }
  out << fmt::format("release {} is served ({} tables)\n", published.release.id, published.release.tables.size());
  if (!published.warning.empty()) spdlog::warn("{}", published.warning);
  return published;
}

Result<void> Workspace::rebuild_index(std::ostream& out) {
  if (knowledge_base_ == nullptr) return fail(ErrorCode::kNotFound, "this instance has no knowledge base");
  const std::lock_guard lock(kb_write_mutex_);
  ASSIGN_OR_RETURN(const std::int64_t documents, knowledge_base_->rebuild());
  out << fmt::format("search index rebuilt: {} documents\n", documents);
  return ok();
}

namespace {

// Lower-case ASCII letters and digits joined by single hyphens, at most 80 characters; other
// characters (accents included) separate words.
std::string slug_of_name(std::string_view name) {
  std::string slug;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 && u < 0x80) {
      slug += static_cast<char>(std::tolower(u));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 80) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug.empty() ? "publicatie" : slug;
}

}  // namespace

Result<kb::AddResult> Workspace::add_publication(const PublicationUpload& upload) {
  if (knowledge_base_ == nullptr) return fail(ErrorCode::kNotFound, "this instance has no knowledge base");
  kb::Metadata metadata = upload.metadata;
  if (!metadata.file_name) metadata.file_name = upload.original_name;  // Not the generated name it is kept under.
  if (!metadata.slug) {
    const bool titled = metadata.title && !metadata.title->empty();
    metadata.slug =
        slug_of_name(titled ? *metadata.title : std::filesystem::path(upload.original_name).stem().string());
  }
  ASSIGN_OR_RETURN(const auto store, open_store_());
  const std::lock_guard lock(kb_write_mutex_);
  if (auto existing = store->publication(*metadata.slug); existing) {
    return fail(ErrorCode::kAlreadyExists,
                fmt::format("{}: a publication with slug '{}' already exists; change it on its own form",
                            upload.original_name, *metadata.slug));
  } else if (existing.error().code != ErrorCode::kNotFound) {
    return tl::unexpected(existing.error());
  }
  auto added = knowledge_base_->add_file(upload.file, metadata);
  if (!added) {
    // The generated name means nothing to the sender; the message names their file instead.
    Error error = added.error();
    const std::string generated = upload.file.string();
    if (error.message.starts_with(generated)) error.message.replace(0, generated.size(), upload.original_name);
    return tl::unexpected(std::move(error));
  }
  return added;
}

Result<void> Workspace::import_account(const std::filesystem::path& path, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto file, account::read_year_file(path));
  ASSIGN_OR_RETURN(const auto store, open_store_());
  ASSIGN_OR_RETURN(const std::size_t stored, account::import_year(*store, file));
  out << fmt::format("{}: {} activities, {} media appearances{} for {} ({} entries stored)\n", path.string(),
                     file.activities.size(), file.media.size(), file.finances ? ", finances" : "", file.year, stored);
  if (file.finances) {
    for (const auto& m : account::check_finances(*file.finances)) {
      out << fmt::format("warning: {}: stated {}, computed {}, difference {}\n", m.what,
                         format_euro(Cents{m.stated_cents}), format_euro(Cents{m.computed_cents}),
                         format_euro(Cents{m.difference_cents}));
    }
  }
  return ok();
}

Result<void> Workspace::annual_report(const AnnualReportRequest& request, std::ostream& out) {
  account::ReportOptions report_options;
  report_options.chart_script = request.chart_script;
  ASSIGN_OR_RETURN(const auto store, open_store_());
  ASSIGN_OR_RETURN(const auto report, account::build_annual_report(*store, request.year, report_options));
  const std::filesystem::path folder = request.folder.empty() ? paths_.reports : request.folder;
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot create: {}", folder.string(), ec.message()));
  const auto html = folder / fmt::format("jaarverslag-{}.html", request.year);
  RETURN_IF_ERROR(write_file_atomically(html, report.html));
  out << fmt::format(
      "annual report {}: {} publications, {} recommendations ({} adopted), {} activities, {} media "
      "appearances{}\n{}\n",
      request.year, report.figures.publications, report.figures.recommendations, report.figures.recommendations_adopted,
      report.figures.activities, report.figures.media,
      report.figures.mismatches.empty()
          ? ""
          : fmt::format(", {} finance mismatches marked", report.figures.mismatches.size()),
      html.string());
  if (request.output == ReportOutput::kHtml) return ok();
  const auto pdf = folder / fmt::format("jaarverslag-{}.pdf", request.year);
  RETURN_IF_ERROR(account::print_pdf(html, pdf));
  out << pdf.string() << '\n';
  if (request.output == ReportOutput::kPublish) {
    if (knowledge_base_ == nullptr) return fail(ErrorCode::kNotFound, "this instance has no knowledge base");
    kb::Metadata metadata;
    metadata.slug = fmt::format("jaarverslag-{}", request.year);
    metadata.title = fmt::format("Jaarverslag {}", request.year);
    metadata.type = PublicationType::kAnnualReport;
    metadata.mandates = std::vector<Mandate>{Mandate::kHumanTrafficking, Mandate::kSexualViolenceAgainstChildren};
    metadata.summary =
        fmt::format("Activiteiten, publicaties, aanbevelingen, advieswerk, media en financiën in {}.", request.year);
    // The report is ours: its page shows the HTML's structured text, the PDF is the download.
    metadata.text_source = html;
    const std::lock_guard lock(kb_write_mutex_);
    ASSIGN_OR_RETURN(const auto added, knowledge_base_->add_file(pdf, metadata));
    out << fmt::format("published in the knowledge base as {} ({})\n", added.slug,
                       added.outcome == kb::AddOutcome::kUnchanged ? "unchanged" : "added or updated");
  }
  return ok();
}

}  // namespace rapporteur::app
