// init, demo, serve, version, key, source and user: the instance and its server.
#include "cli/internal/command.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/linkage.h"
#include "auth/auth.h"
#include "demo/demo.h"
#include "intake/intake.h"
#include "intake/rotation.h"
#include "kb/kb.h"
#include "web/web.h"

namespace rapporteur::cli {
namespace {

Result<void> run_init(const GlobalOptions& global, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global, Creation::kCreateWhenAbsent));
  out << fmt::format("Initialised {} (schema version {})\n", global.db_for_display(), store->schema_version());
  return ok();
}

struct DemoOptions {
  std::uint64_t seed = 2026;
  int first_year = 2019;
  int last_year = 2023;
  std::string truth;
};

Result<intake::PseudonymKey> open_or_create_key(const GlobalOptions& global, std::ostream& err) {
  const auto path = global.key_path();
  if (std::filesystem::exists(path)) return intake::PseudonymKey::read_file(path);
  ASSIGN_OR_RETURN(auto key, intake::PseudonymKey::create_file(path));
  err << fmt::format(
      "Created pseudonymisation key {} (id {}); keep it safe and out of backups "
      "of the database\n",
      path.string(), key.id());
  return key;
}

Result<void> run_demo(const GlobalOptions& global, const DemoOptions& options, std::ostream& out, std::ostream& err) {
  ASSIGN_OR_RETURN(const auto store, open_store(global, Creation::kCreateWhenAbsent));
  if (auto seed = store->get_meta("demo_seed"); seed && *seed == std::to_string(options.seed)) {
    out << fmt::format("The demo world with seed {} is already loaded in {}\n", options.seed, global.db_for_display());
    return ok();
  }
  ASSIGN_OR_RETURN(const auto key, open_or_create_key(global, err));
  ASSIGN_OR_RETURN(const demo::World world,
                   demo::generate_world({options.seed, options.first_year, options.last_year}));
  const auto extracts = global.beside_db("demo-extracts");
  std::int64_t loaded = 0;
  std::int64_t rejected = 0;
  std::int64_t weak = 0;
  ASSIGN_OR_RETURN(const auto reports,
                   demo::load_world(world, *store, key,
                                    {.extracts_folder = extracts,
                                     .profiles_folder = global.profiles,
                                     .on_loaded = [&](const demo::ExtractFile& file, const intake::LoadReport& report) {
                                       loaded += report.rows_loaded;
                                       rejected += report.rows_rejected;
                                       weak += report.rows_weakly_linkable;
                                       err << fmt::format(
                                           "Loaded {} ({}): {} rows, {} loaded, {} quarantined, {} weakly "
                                           "linkable (batch {})\n",
                                           file.path.filename().string(), report.reader, report.rows_read,
                                           report.rows_loaded, report.rows_rejected, report.rows_weakly_linkable,
                                           report.batch_id);
                                     }}));
  const std::filesystem::path truth_path =
      options.truth.empty() ? global.beside_db("demo-truth.json") : std::filesystem::path(options.truth);
  // Write then rename, so the truth file is either whole or absent.
  const std::filesystem::path temporary = truth_path.string() + ".tmp";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << demo::truth_json(world) << '\n';
    if (!file.flush()) {
      return fail(ErrorCode::kIo, fmt::format("cannot write '{}'", temporary.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, truth_path, ec);
  if (ec) {
    return fail(ErrorCode::kIo, fmt::format("cannot write '{}': {}", truth_path.string(), ec.message()));
  }
  ASSIGN_OR_RETURN(const std::int64_t persons, store->count_persons());
  out << fmt::format(
      "Loaded the demo world (seed {}, {}-{}) into {} through intake: {} extracts in {}, {} rows "
      "loaded ({} weakly linkable: a name without id number or date of birth), {} quarantined, {} "
      "pseudonymised persons\nTruth written to {}\n",
      options.seed, options.first_year, options.last_year, global.db_for_display(), reports.size(), extracts.string(),
      loaded, weak, rejected, persons, truth_path.string());

  // The knowledge base: sample publications, ingested like real ones.
  const auto kennisbank = global.beside_db("demo-kennisbank");
  ASSIGN_OR_RETURN(const auto files, demo::write_kennisbank(kennisbank));
  ASSIGN_OR_RETURN(const auto knowledge, open_kb(*store, global));
  ASSIGN_OR_RETURN(const auto added, knowledge->add_folder(kennisbank, {}));
  for (const auto& error : added.errors) err << "error: " << error.message << '\n';
  std::size_t recommendations = 0;
  for (const auto& a : added.added) recommendations += a.recommendations;
  out << fmt::format("Loaded {} of {} demo publications with {} recommendations into the knowledge base {}\n",
                     added.added.size(), files.size(), recommendations, global.kb_path().string());
  if (!added.errors.empty()) return fail(ErrorCode::kInvalidArgument, "some demo publications could not be loaded");
  return ok();
}

Result<void> run_key_init(const GlobalOptions& global, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto key, intake::PseudonymKey::create_file(global.key_path()));
  out << fmt::format("Created {} (mode 0600, key id {})\n", global.key_path().string(), key.id());
  return ok();
}

Result<void> run_key_rotate(const GlobalOptions& global, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto report, app::rotate_key(*store, global.key_path()));
  if (report.finished_interrupted) {
    out << fmt::format("Finished an interrupted rotation: {} now holds key {}\n", global.key_path().string(),
                       report.new_key_id);
  } else {
    out << fmt::format("Rotated key {} to {}: {} registrations re-keyed; {} holds the new key\n", report.old_key_id,
                       report.new_key_id, report.registrations, global.key_path().string());
  }
  return ok();
}

Result<void> run_source_check(const GlobalOptions& global, const std::string& profile_name, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto profile, workspace_of(global).find_profile(profile_name));
  std::string columns;
  for (const auto& [field, column] : profile.columns) {
    columns += fmt::format("\n  {:<18} <- '{}'{}", intake::field_key(field), column,
                           intake::is_identifying(field)            ? " (identifying: pseudonymised)"
                           : intake::is_identifying(profile, field) ? " (identifying: never shown in errors)"
                                                                    : "");
  }
  for (const auto& column : profile.identifying_columns) {
    columns += fmt::format("\n  {:<18} '{}' (identifying: never shown in errors)", "marked", column);
  }
  out << fmt::format("Profile '{}' is valid: source {} ({}), {}{}", profile.name, profile.source.code,
                     profile.source.name, profile.format == intake::FileFormat::kXlsx ? "xlsx" : "csv", columns)
      << '\n';
  return ok();
}

// Blocks SIGINT and SIGTERM in every thread (threads inherit the mask) and turns them into a
// call of server.stop() from a dedicated thread, so no work happens in a signal handler.
class SignalStopper {
 public:
  explicit SignalStopper(web::Server& server) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    thread_ = std::thread([this, &server] {
      int signal = 0;
      while (sigwait(&set_, &signal) == EINTR) {
      }
      if (signal != SIGUSR1) {
        spdlog::info("received {}, stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        server.stop();
      }
    });
  }
  SignalStopper(const SignalStopper&) = delete;
  SignalStopper& operator=(const SignalStopper&) = delete;
  ~SignalStopper() {
    pthread_kill(thread_.native_handle(), SIGUSR1);  // Wakes the waiter if no signal came.
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }

 private:
  sigset_t set_{};
  sigset_t previous_{};
  std::thread thread_;
};

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  bool secure_cookies = false;
  std::string node;  // "" = the host name and port (or process id for port 0) on PostgreSQL.
  int job_workers = 2;
};

// A node's name among several on one database: stable across restarts when given or when the
// port is fixed, so that a restarted node knows its own leftovers.
std::string node_name(const GlobalOptions& global, const ServeOptions& options) {
  if (!options.node.empty() || !store::is_postgresql_url(global.db)) return options.node;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "node");
  return fmt::format("{}:{}", host, options.port != 0 ? options.port : static_cast<int>(::getpid()));
}

struct UserOptions {
  std::string name;
  std::string role = "researcher";
  bool password_stdin = false;
};

Result<void> run_user_add(const GlobalOptions& global, const UserOptions& options, std::istream& in,
                          std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const store::UserRole role, store::parse_user_role(options.role));
  std::string password;
  if (options.password_stdin) {
    std::getline(in, password);
  } else {
    password = auth::generate_password();
  }
  auth::Auth sign_in(*store);
  RETURN_IF_ERROR(sign_in.add_user(options.name, role, password,
                                   {"cli", "user_add", fmt::format("{} ({})", options.name, options.role)}));
  if (options.password_stdin) {
    out << fmt::format("user {} ({}) added\n", options.name, options.role);
  } else {
    out << fmt::format("user {} ({}) added; one-time password: {}\n", options.name, options.role, password);
  }
  return ok();
}

Result<void> run_serve(const GlobalOptions& global, const ServeOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  ASSIGN_OR_RETURN(const auto knowledge, open_kb(*store, global));
  auth::Auth sign_in(*store);
  // Staff jobs run through the workspace, each on its own store connection.
  app::Workspace workspace = workspace_of(global, knowledge.get());
  const app::InstancePaths paths = workspace.paths();
  web::Server server(*store, {.host = options.host,
                              .port = options.port,
                              // Staff upload extracts; public routes take no bodies but sign-in.
                              .max_request_bytes = std::size_t{256} << 20,
                              .published_folder = paths.published.string(),
                              .knowledge_base = knowledge.get(),
                              .auth = &sign_in,
                              .workspace = &workspace,
                              .uploads_folder = paths.uploads.string(),
                              .profiles_folder = paths.profiles.string(),
                              .tables_folder = paths.tables.string(),
                              .reports_folder = paths.reports.string(),
                              .secure_cookies = options.secure_cookies,
                              .node = node_name(global, options),
                              .job_workers = options.job_workers});
  SignalStopper stopper(server);
  ASSIGN_OR_RETURN(const int port, server.bind());
  out << fmt::format("Serving {} on http://{}:{}/\n", global.db_for_display(), options.host, port) << std::flush;
  RETURN_IF_ERROR(server.serve());
  spdlog::info("server stopped");
  return ok();
}

}  // namespace

void add_instance_commands(CLI::App& app, Action& action) {
  app.add_subcommand("init", "Create the database, or migrate it to this binary's schema");

  auto demo_options = std::make_shared<DemoOptions>();
  CLI::App* demo = app.add_subcommand("demo", "Fill the instance with the synthetic demo world");
  demo->add_option("--seed", demo_options->seed, "Random seed; the same seed gives the same world")
      ->capture_default_str();
  demo->add_option("--first-year", demo_options->first_year)->capture_default_str()->check(CLI::Range(2015, 2030));
  demo->add_option("--last-year", demo_options->last_year)->capture_default_str()->check(CLI::Range(2015, 2030));
  demo->add_option("--truth", demo_options->truth,
                   "Where to write the true population sizes (default: demo-truth.json beside the database)");

  auto serve_options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand("serve", "Serve the public site and the API");
  serve->add_option("--host", serve_options->host)->capture_default_str();
  serve->add_flag("--secure-cookies", serve_options->secure_cookies, "Mark cookies Secure (when served behind TLS)");
  serve->add_option("--node", serve_options->node,
                    "This node's name among several on one database (default with PostgreSQL: host:port)");
  serve
      ->add_option("--job-workers", serve_options->job_workers,
                   "Threads running queued staff jobs from any node (0: this node only queues them)")
      ->check(CLI::Range(0, 64));
  serve->add_option("--port", serve_options->port, "TCP port; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));

  app.add_subcommand("version", "Print the version and the schema version");
  CLI::App* key = app.add_subcommand("key", "Manage the pseudonymisation key");
  key->require_subcommand(1);
  CLI::App* key_init = key->add_subcommand("init", "Create a new key file (mode 0600); never overwrites");
  CLI::App* key_rotate =
      key->add_subcommand("rotate", "Re-key every stored pseudonym with a new key layer, in one transaction");

  CLI::App* source = app.add_subcommand("source", "Source profiles");
  source->require_subcommand(1);
  auto profile_to_check = std::make_shared<std::string>();
  CLI::App* source_check = source->add_subcommand("check", "Validate a source profile");
  source_check->add_option("PROFILE", *profile_to_check, "Profile file, or a name in the profiles folder")->required();
  auto user_options = std::make_shared<UserOptions>();
  CLI::App* user_cmd = app.add_subcommand("user", "Staff accounts");
  user_cmd->require_subcommand(1);
  CLI::App* user_add =
      user_cmd->add_subcommand("add", "Add a user; prints a one-time password unless --password-stdin");
  user_add->add_option("NAME", user_options->name)->required();
  user_add->add_option("--role", user_options->role, "admin, researcher or editor")
      ->check(CLI::IsMember({"admin", "researcher", "editor"}))
      ->capture_default_str();
  user_add->add_flag("--password-stdin", user_options->password_stdin,
                     "Read the password from the first line of stdin");

  app.get_subcommand("init")->callback(
      [&action] { action = [](Context& c) { return finish(c, run_init(c.global, c.out)); }; });
  demo->callback([&action, demo_options] {
    action = [demo_options](Context& c) {
      if (demo_options->first_year > demo_options->last_year) {
        c.err << "rapporteur: --first-year must not be after --last-year (see rapporteur demo --help)\n";
        return kExitUsage;
      }
      return finish(c, run_demo(c.global, *demo_options, c.out, c.err));
    };
  });
  serve->callback([&action, serve_options] {
    action = [serve_options](Context& c) { return finish(c, run_serve(c.global, *serve_options, c.out)); };
  });
  app.get_subcommand("version")->callback([&action] {
    action = [](Context& c) {
      c.out << fmt::format("rapporteur {} (schema version {})\n", RAPPORTEUR_VERSION, store::latest_schema_version());
      return kExitOk;
    };
  });
  key_init->callback([&action] { action = [](Context& c) { return finish(c, run_key_init(c.global, c.out)); }; });
  key_rotate->callback([&action] { action = [](Context& c) { return finish(c, run_key_rotate(c.global, c.out)); }; });
  source_check->callback([&action, profile_to_check] {
    action = [profile_to_check](Context& c) { return finish(c, run_source_check(c.global, *profile_to_check, c.out)); };
  });
  user_add->callback([&action, user_options] {
    action = [user_options](Context& c) { return finish(c, run_user_add(c.global, *user_options, c.in, c.out)); };
  });
}

}  // namespace rapporteur::cli
