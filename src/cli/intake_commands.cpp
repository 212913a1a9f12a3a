// intake: loading extracts, their batches and rejected rows.
#include "cli/internal/command.h"

#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/csv.h"
#include "intake/intake.h"

namespace rapporteur::cli {
namespace {

struct IntakeLoadOptions {
  std::string file;
  std::string profile;
  int year = 0;
  bool replace = false;
  bool no_bloom = false;
};

Result<void> run_intake_load(const GlobalOptions& global, const IntakeLoadOptions& options, std::ostream& out,
                             std::ostream& err) {
  Progress progress(err, std::filesystem::path(options.file).filename().string());
  return workspace_of(global).load_extract(
      {.file = options.file,
       .profile = options.profile,
       .year = options.year,
       .replace = options.replace ? intake::ReplaceMode::kReplace : intake::ReplaceMode::kRefuse,
       .encodings = options.no_bloom ? intake::Encodings::kWithoutBloomFilters : intake::Encodings::kWithBloomFilters,
       .progress = [&](double fraction, std::int64_t rows) { progress.update(fraction, rows); },
       .actor = "cli"},
      out);
}

Result<void> run_intake_errors(const GlobalOptions& global, std::int64_t batch_id, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto batch, store->batch(batch_id));
  ASSIGN_OR_RETURN(const auto errors, store->row_errors(batch_id));
  out << "file,row,column,value,reason\n";
  for (const auto& e : errors) {
    out << fmt::format("{},{},{},{},{}\n", csv_field(batch.file_name), e.row, csv_field(e.column), csv_field(e.value),
                       csv_field(e.reason));
  }
  return ok();
}

Result<void> run_intake_batches(const GlobalOptions& global, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto batches, store->batches());
  out << "batch,source,profile,year,file,sha256,key_id,rows_read,rows_loaded,rows_rejected,loaded_at,status\n";
  for (const auto& b : batches) {
    out << fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{}\n", b.id, b.source_code, b.profile, b.year, csv_field(b.file_name),
        b.file_sha256, b.key_id, b.rows_read, b.rows_loaded, b.rows_rejected, b.loaded_at,
        b.status == store::BatchStatus::kActive ? "active" : fmt::format("replaced by {}", b.replaced_by.value_or(0)));
  }
  return ok();
}

}  // namespace

void add_intake_commands(CLI::App& app, Action& action) {
  CLI::App* intake_cmd = app.add_subcommand("intake", "Load sources' extracts");
  intake_cmd->require_subcommand(1);
  auto load_options = std::make_shared<IntakeLoadOptions>();
  CLI::App* intake_load = intake_cmd->add_subcommand("load", "Load one extract (CSV or XLSX) as a batch");
  intake_load->add_option("FILE", load_options->file, "The extract")->required()->check(CLI::ExistingFile);
  intake_load->add_option("--profile", load_options->profile, "Profile file, or a name in the profiles folder")
      ->required();
  intake_load->add_option("--year", load_options->year, "Registration year of the extract")
      ->required()
      ->check(CLI::Range(1990, 2100));
  intake_load->add_flag("--replace", load_options->replace,
                        "Replace the active batch of this source, profile and year");
  intake_load->add_flag("--no-bloom", load_options->no_bloom, "Skip the Bloom-filter encodings for fuzzy linkage");
  auto errors_batch = std::make_shared<std::int64_t>(0);
  CLI::App* intake_errors = intake_cmd->add_subcommand("errors", "List the rejected rows of a batch (CSV)");
  intake_errors->add_option("BATCH", *errors_batch, "Batch number")->required();
  CLI::App* intake_batches = intake_cmd->add_subcommand("batches", "List the batches and their provenance (CSV)");

  intake_load->callback([&action, load_options] {
    action = [load_options](Context& c) { return finish(c, run_intake_load(c.global, *load_options, c.out, c.err)); };
  });
  intake_errors->callback([&action, errors_batch] {
    action = [errors_batch](Context& c) { return finish(c, run_intake_errors(c.global, *errors_batch, c.out)); };
  });
  intake_batches->callback(
      [&action] { action = [](Context& c) { return finish(c, run_intake_batches(c.global, c.out)); }; });
}

}  // namespace rapporteur::cli
