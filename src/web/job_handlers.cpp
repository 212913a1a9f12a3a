// The staff workspace's jobs as the routes queue them: for each kind, its parameters (JSON)
// turned back into the workspace call that does the work, on whichever node claims the job.
// The routes check every value before queuing; these checks catch a row written otherwise.
#include "web/internal/server_impl.h"

namespace rapporteur::web {
namespace {

using nlohmann::json;

// The parameters of `job` as an object; kInvalidArgument naming the job when they are not.
Result<json> parameters_of(const store::JobRecord& job) {
  json parameters = json::parse(job.parameters, nullptr, /*allow_exceptions=*/false);
  if (!parameters.is_object()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("job {} ({}): its parameters are not a JSON object", job.id, job.kind));
  }
  return parameters;
}

// The member `name` of `parameters` as a T; kInvalidArgument naming it when absent or of
// another type.
template <typename T>
Result<T> member(const store::JobRecord& job, const json& parameters, const char* name) {
  const auto found = parameters.find(name);
  if (found == parameters.end()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("job {} ({}): parameter '{}' is missing", job.id, job.kind, name));
  }
  T value{};
  try {
    value = found->get<T>();
  } catch (const json::exception&) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("job {} ({}): parameter '{}' has the wrong type", job.id, job.kind, name));
  }
  return value;
}

// The estimate a job asks for, as the routes' form gives it (year, mandate, strata,
// criterion, bootstrap replicates).
Result<app::EstimateRequest> estimate_of(const store::JobRecord& job, const json& parameters) {
  app::EstimateRequest estimate;
  ASSIGN_OR_RETURN(estimate.year, member<int>(job, parameters, "year"));
  ASSIGN_OR_RETURN(estimate.mandate, member<std::string>(job, parameters, "mandate"));
  ASSIGN_OR_RETURN(estimate.by, member<std::string>(job, parameters, "by"));
  ASSIGN_OR_RETURN(const std::string criterion, member<std::string>(job, parameters, "criterion"));
  if (criterion != "aic" && criterion != "bic") {
    return fail(ErrorCode::kInvalidArgument, fmt::format("job {}: criterion must be aic or bic", job.id));
  }
  estimate.selection.criterion = criterion == "aic" ? mse::Criterion::kAic : mse::Criterion::kBic;
  ASSIGN_OR_RETURN(estimate.selection.bootstrap, member<int>(job, parameters, "bootstrap"));
  return estimate;
}

// Work that reads its job's progress and cancellation into `request`.
void control_estimate(app::EstimateRequest& request, app::JobControl& control) {
  request.cancellation = &control.cancellation();
  request.progress = [&control](double fraction) { control.set_progress(fraction); };
}

}  // namespace

void Server::Impl::declare_job_handlers() {
  app::Workspace* workspace = options.workspace;
  if (workspace == nullptr) return;  // This node runs no jobs (start_workers is not called).

  jobs.handle("intake", [workspace](const store::JobRecord& job) -> Result<app::JobWork> {
    ASSIGN_OR_RETURN(const json parameters, parameters_of(job));
    app::LoadExtractRequest load;
    load.file = job.upload;
    ASSIGN_OR_RETURN(load.profile, member<std::string>(job, parameters, "profile"));
    ASSIGN_OR_RETURN(load.year, member<int>(job, parameters, "year"));
    ASSIGN_OR_RETURN(const bool replace, member<bool>(job, parameters, "replace"));
    if (replace) load.replace = intake::ReplaceMode::kReplace;
    ASSIGN_OR_RETURN(load.actor, member<std::string>(job, parameters, "actor"));
    return app::JobWork([workspace, load](std::ostream& out, std::ostream&, app::JobControl&) {
      return workspace->load_extract(load, out);
    });
  });

  jobs.handle("estimate", [workspace](const store::JobRecord& job) -> Result<app::JobWork> {
    ASSIGN_OR_RETURN(const json parameters, parameters_of(job));
    ASSIGN_OR_RETURN(app::EstimateRequest estimate, estimate_of(job, parameters));
    ASSIGN_OR_RETURN(const bool latent_class, member<bool>(job, parameters, "latent_class"));
    if (latent_class) estimate.latent_class = mse::LatentClassRun::kRun;
    return app::JobWork([workspace, estimate](std::ostream& out, std::ostream&, app::JobControl& control) {
      app::EstimateRequest request = estimate;
      control_estimate(request, control);
      return workspace->estimate_json(request, out);
    });
  });

  jobs.handle("publish_estimate", [workspace](const store::JobRecord& job) -> Result<app::JobWork> {
    ASSIGN_OR_RETURN(const json parameters, parameters_of(job));
    app::PublishEstimateRequest request;
    ASSIGN_OR_RETURN(request.estimate, estimate_of(job, parameters));
    request.estimate.selection.sensitivity = mse::Sensitivity::kSkip;
    ASSIGN_OR_RETURN(const std::string method, member<std::string>(job, parameters, "method"));
    ASSIGN_OR_RETURN(request.method, app::parse_estimate_method(method));
    ASSIGN_OR_RETURN(request.actor, member<std::string>(job, parameters, "actor"));
    return app::JobWork([workspace, request](std::ostream& out, std::ostream&, app::JobControl& control) {
      app::PublishEstimateRequest controlled = request;
      control_estimate(controlled.estimate, control);
      return workspace->publish_estimate(std::move(controlled), out).map([](const auto&) {});
    });
  });

  // Protect and publish: the table definition by name, found in this node's tables folder
  // (the same on every node); a protection's review goes beside the annual reports.
  const auto table_handler = [this, workspace](bool publish) {
    return [this, workspace, publish](const store::JobRecord& job) -> Result<app::JobWork> {
      ASSIGN_OR_RETURN(const json parameters, parameters_of(job));
      ASSIGN_OR_RETURN(const std::string spec, member<std::string>(job, parameters, "spec"));
      // A name in the folder, never a path out of it.
      if (spec.empty() || spec == "." || spec == ".." || std::filesystem::path(spec).filename().string() != spec) {
        return fail(ErrorCode::kInvalidArgument, fmt::format("job {}: not a table definition's name", job.id));
      }
      app::ProtectRequest protect{
          .specs = {(std::filesystem::path(options.tables_folder) / (spec + ".toml")).string()}};
      if (!publish && !options.reports_folder.empty()) {
        protect.review = std::filesystem::path(options.reports_folder) / ("beoordeling-" + spec + ".csv");
      }
      const std::filesystem::path folder = options.published_folder;
      return app::JobWork(
          [workspace, publish, protect, folder](std::ostream& out, std::ostream&, app::JobControl&) -> Result<void> {
            if (publish) return workspace->publish(protect.specs, "", folder, out).map([](const auto&) {});
            return workspace->protect(protect, out).map([](const auto&) {});
          });
    };
  };
  jobs.handle("protect", table_handler(false));
  jobs.handle("publish", table_handler(true));

  jobs.handle("kb_rebuild", [workspace](const store::JobRecord&) -> Result<app::JobWork> {
    return app::JobWork(
        [workspace](std::ostream& out, std::ostream&, app::JobControl&) { return workspace->rebuild_index(out); });
  });

  jobs.handle("account_import", [workspace](const store::JobRecord& job) -> Result<app::JobWork> {
    const std::filesystem::path file = job.upload;
    return app::JobWork([workspace, file](std::ostream& out, std::ostream&, app::JobControl&) {
      return workspace->import_account(file, out);
    });
  });

  jobs.handle("annual_report", [this, workspace](const store::JobRecord& job) -> Result<app::JobWork> {
    ASSIGN_OR_RETURN(const json parameters, parameters_of(job));
    app::AnnualReportRequest report{.output = app::ReportOutput::kPdf, .folder = options.reports_folder};
    ASSIGN_OR_RETURN(report.year, member<int>(job, parameters, "year"));
    // The chart library is built into every node's binary, so it is not a parameter.
    if (const auto chart = static_asset("/vendor/echarts.min.js")) report.chart_script = std::string(*chart);
    return app::JobWork([workspace, report](std::ostream& out, std::ostream&, app::JobControl&) {
      return workspace->annual_report(report, out);
    });
  });
}

}  // namespace rapporteur::web
