#include "cli/cli.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <system_error>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "demo/demo.h"
#include "store/store.h"
#include "web/web.h"

#ifndef RAPPORTEUR_VERSION
#define RAPPORTEUR_VERSION "0.0.0"
#endif

namespace rapporteur::cli {
namespace {

struct GlobalOptions {
  std::string db = "var/rapporteur.db";
  std::string log_level = "info";
};

Result<std::unique_ptr<store::Store>> open_store(const GlobalOptions& global) {
  const std::filesystem::path path(global.db);
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return fail(ErrorCode::kIo, fmt::format("cannot create folder '{}': {}",
                                              path.parent_path().string(), ec.message()));
    }
  }
  return store::open_sqlite_store(path);
}

Result<void> run_init(const GlobalOptions& global, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  out << fmt::format("Initialised {} (schema version {})\n", global.db, store->schema_version());
  return ok();
}

struct DemoOptions {
  std::uint64_t seed = 2026;
  int first_year = 2019;
  int last_year = 2023;
  std::string truth;
};

Result<void> run_demo(const GlobalOptions& global, const DemoOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  if (auto seed = store->get_meta("demo_seed"); seed && *seed == std::to_string(options.seed)) {
    out << fmt::format("The demo world with seed {} is already loaded in {}\n", options.seed,
                       global.db);
    return ok();
  }
  ASSIGN_OR_RETURN(const demo::World world,
                   demo::generate_world({options.seed, options.first_year, options.last_year}));
  RETURN_IF_ERROR(demo::load_world(world, *store));
  const std::filesystem::path truth_path =
      options.truth.empty() ? std::filesystem::path(global.db).replace_filename("demo-truth.json")
                            : std::filesystem::path(options.truth);
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
      "Loaded the demo world (seed {}, {}-{}) into {}: {} registrations of {} persons, {} "
      "sources, {} regions, {} publications\nTruth written to {}\n",
      options.seed, options.first_year, options.last_year, global.db, world.registrations.size(),
      persons, world.sources.size(), world.regions.size(), world.publications.size(),
      truth_path.string());
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
};

Result<void> run_serve(const GlobalOptions& global, const ServeOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(const auto store, open_store(global));
  web::Server server(*store, {.host = options.host, .port = options.port});
  SignalStopper stopper(server);
  ASSIGN_OR_RETURN(const int port, server.bind());
  out << fmt::format("Serving {} on http://{}:{}/\n", global.db, options.host, port) << std::flush;
  RETURN_IF_ERROR(server.serve());
  spdlog::info("server stopped");
  return ok();
}

void configure_logging(std::ostream& err, const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err, /*force_flush=*/true);
  auto logger = std::make_shared<spdlog::logger>("rapporteur", std::move(sink));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Rapporteur: monitor, estimate, protect and inform on human trafficking and "
               "sexual violence against children.",
               "rapporteur"};
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("--db", global.db, "SQLite database of the instance")->capture_default_str();
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  app.add_subcommand("init", "Create the database, or migrate it to this binary's schema");

  DemoOptions demo_options;
  CLI::App* demo = app.add_subcommand("demo", "Fill the instance with the synthetic demo world");
  demo->add_option("--seed", demo_options.seed, "Random seed; the same seed gives the same world")
      ->capture_default_str();
  demo->add_option("--first-year", demo_options.first_year)->capture_default_str()->check(CLI::Range(2015, 2030));
  demo->add_option("--last-year", demo_options.last_year)->capture_default_str()->check(CLI::Range(2015, 2030));
  demo->add_option("--truth", demo_options.truth,
                   "Where to write the true population sizes (default: demo-truth.json beside the database)");

  ServeOptions serve_options;
  CLI::App* serve = app.add_subcommand("serve", "Serve the public site and the API");
  serve->add_option("--host", serve_options.host)->capture_default_str();
  serve->add_option("--port", serve_options.port, "TCP port; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));

  app.add_subcommand("version", "Print the version and the schema version");

  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    const auto subcommands = app.get_subcommands();
    out << (subcommands.empty() ? app.help() : subcommands.front()->help());
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "rapporteur: " << e.what() << " (see rapporteur --help)\n";
    return kExitUsage;
  }
  configure_logging(err, global.log_level);

  Result<void> result = ok();
  if (app.got_subcommand("init")) {
    result = run_init(global, out);
  } else if (app.got_subcommand("demo")) {
    if (demo_options.first_year > demo_options.last_year) {
      err << "rapporteur: --first-year must not be after --last-year (see rapporteur demo --help)\n";
      return kExitUsage;
    }
    result = run_demo(global, demo_options, out);
  } else if (app.got_subcommand("serve")) {
    result = run_serve(global, serve_options, out);
  } else if (app.got_subcommand("version")) {
    out << fmt::format("rapporteur {} (schema version {})\n", RAPPORTEUR_VERSION,
                       store::latest_schema_version());
  }
  if (!result) {
    err << "rapporteur: " << result.error().message << '\n';
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace rapporteur::cli
