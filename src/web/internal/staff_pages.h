// Staff workspace pages (staff_pages.cpp). Dutch first, English second.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "app/linkage.h"
#include "app/linkage_across.h"
#include "app/linkage_review.h"
#include "app/sdc_table.h"
#include "core/domain.h"
#include "store/store.h"
#include "web/internal/pages.h"

namespace rapporteur::web::internal {

// Who is looking, as the pages need it.
struct StaffViewer {
  std::string name;
  std::string role;
  std::string csrf;
  bool researcher = false;  // May use microdata, runs and tables.
  bool editor = false;      // May edit publications and recommendations.
  bool admin = false;
};

// A background job as a page shows it: as stored, or with its output so far while it runs.
using JobView = store::JobRecord;

std::string render_sign_in(Language language, const std::string& csrf, std::string_view message,
                           const std::string& back);
std::string render_staff_home(Language language, const StaffViewer& viewer, const std::vector<JobView>& jobs);
std::string render_intake(Language language, const StaffViewer& viewer, const std::vector<std::string>& profiles,
                          const std::vector<store::Batch>& batches);
std::string render_batch(Language language, const StaffViewer& viewer, const store::Batch& batch,
                         const std::vector<store::RowError>& errors);
std::string render_estimate_form(Language language, const StaffViewer& viewer, const std::vector<int>& years);
std::string render_job(Language language, const StaffViewer& viewer, const JobView& job);
// Table definitions as (name, title) and the names already published.
std::string render_tables(Language language, const StaffViewer& viewer,
                          const std::vector<std::pair<std::string, std::string>>& specs,
                          const std::vector<std::string>& published);
// `added_slug` names a publication just added (a notice with its public page); empty: none.
std::string render_kb_editor(Language language, const StaffViewer& viewer, const std::vector<Publication>& publications,
                             const std::vector<Recommendation>& recommendations, const std::string& added_slug = "");
// `created_password` is shown once after a user was added.
std::string render_users(Language language, const StaffViewer& viewer, const std::vector<store::User>& users,
                         std::string_view created_password);
// The yearly account of `year`: registers, the finance check's mismatches (what, stated,
// computed, difference in cents), forms to add entries and import a year file, and the annual
// report (made when `report_files` lists it).
struct AccountView {
  int year = 0;
  std::vector<Activity> activities;
  std::vector<MediaAppearance> media;
  std::optional<Finances> finances;
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>> mismatches;
  std::vector<std::string> report_files;
};
std::string render_account(Language language, const StaffViewer& viewer, const AccountView& account);
std::string render_audit(Language language, const StaffViewer& viewer, const std::vector<store::AuditEntry>& entries);

// The disclosure-control page for a table from outside the store (staff_sdc_page.cpp). The
// form's fields as the staff member filled them in (empty: the file's rule or the default).
struct SdcForm {
  std::string min_frequency;
  std::string percent;
  std::string min_level;
  std::string zeros;  // "", "safe", "secondary" or "unsafe".
};
// What the page shows below the form: nothing, the reason an upload was refused, or a
// protection's counts, audit and pattern with its downloads (`download` + ".csv" / ".json";
// empty: no downloads).
struct SdcOutcome {
  std::string error;
  const app::SdcProtectResult* result = nullptr;  // Not owned.
  std::string download;
};
std::string render_sdc_protect(Language language, const StaffViewer& viewer, const SdcForm& form,
                               const SdcOutcome& outcome);
// The linkage page (staff_linkage_page.cpp): a year's linkage report and the people found again
// across years and roles, each chosen by a GET form. Only counts and model figures are shown,
// never a value of a record.
struct LinkageForm {
  std::string year;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  std::string method = "probabilistic";
  std::string first_year;
  std::string last_year;
  std::string limit = "50";  // The review page: how many pairs, and the band of match probabilities.
  std::string from = "0.1";
  std::string to = "0.9";
};
struct LinkageOutcome {
  std::string error;
  const app::LinkageReport* report = nullptr;    // Not owned.
  const app::CrossLinkReport* across = nullptr;  // Not owned.
};
std::string render_linkage(Language language, const StaffViewer& viewer, const std::vector<int>& years,
                           const LinkageForm& form, const LinkageOutcome& outcome);
// The clerical review page (staff_review_page.cpp): the pairs near the threshold by agreement
// levels, one form per pair posting its decision with the session's CSRF token; `saved` names a
// pair just decided.
struct ReviewOutcome {
  std::string error;
  std::string saved;
  const app::ReviewList* list = nullptr;  // Not owned.
};
std::string render_linkage_review(Language language, const StaffViewer& viewer, const std::vector<int>& years,
                                  const LinkageForm& form, const ReviewOutcome& outcome);
// The staff page frame (the workspace's menu) around `body` (staff_pages.cpp).
std::string render_staff_page(Language language, const StaffViewer& viewer, const Html& title, const Html& body);

}  // namespace rapporteur::web::internal
