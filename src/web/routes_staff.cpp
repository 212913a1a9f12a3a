// Staff routes: sign-in, intake, estimates, tables, the knowledge base, the yearly account and users.
#include "web/internal/server_impl.h"

namespace rapporteur::web {

using nlohmann::json;

void Server::Impl::declare_staff_routes() {
  const auto& lang = request_language;
  const auto html_page = [](httplib::Response& res, std::string body) {
    res.set_content(std::move(body), "text/html; charset=utf-8");
  };

  // Sign-in: a double-submit CSRF cookie protects the form before there is a session.
  route("GET", "/aanmelden", Access::kPublic, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string csrf = auth::random_token();
    res.set_header("Set-Cookie", fmt::format("rapporteur_csrf={}; Path=/aanmelden; HttpOnly; SameSite=Strict{}", csrf,
                                             secure(req) ? "; Secure" : ""));
    html_page(res, internal::render_sign_in(lang(req), csrf, "", req.get_param_value("terug")));
  });
  route("POST", "/aanmelden", Access::kPublic, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string back = req.get_param_value("terug");
    const std::string target = back.starts_with("/staff") && back.find("//") == std::string::npos ? back : "/staff";
    const std::string csrf = cookie(req, "rapporteur_csrf");
    const auto again = [&](int status, std::string_view message) {
      const std::string fresh = auth::random_token();
      res.set_header("Set-Cookie", fmt::format("rapporteur_csrf={}; Path=/aanmelden; HttpOnly; SameSite=Strict{}",
                                               fresh, secure(req) ? "; Secure" : ""));
      res.status = status;
      html_page(res, internal::render_sign_in(lang(req), fresh, message, back));
    };
    if (options.auth == nullptr) return again(503, "Aanmelden is op deze server niet ingericht.");
    if (csrf.empty() || req.get_param_value("csrf") != csrf)
      return again(403, "Het formulier is verlopen; probeer het opnieuw.");
    // Per address before any password is hashed: a guessing run from one address costs it,
    // not the server, and leaves other addresses alone.
    const auto wait = sign_in_throttle.retry_after(req.remote_addr);
    if (!wait) return send_store_error(req, res, wait.error());
    if (wait->count() > 0) {
      res.set_header("Retry-After", std::to_string(wait->count()));
      return again(429, "Te veel mislukte pogingen vanaf dit adres; probeer het later opnieuw.");
    }
    auto signed_in = options.auth->sign_in(req.get_param_value("name"), req.get_param_value("password"));
    if (!signed_in) {
      if (signed_in.error().code != ErrorCode::kPermissionDenied) return send_store_error(req, res, signed_in.error());
      if (auto recorded = sign_in_throttle.record_failure(req.remote_addr); !recorded) {
        return send_store_error(req, res, recorded.error());
      }
      const bool locked = signed_in.error().message.starts_with("locked");
      return again(401, locked ? "Te veel mislukte pogingen; probeer het over een kwartier opnieuw."
                               : "Onjuiste naam of wachtwoord.");
    }
    res.set_header("Set-Cookie",
                   fmt::format("rapporteur_session={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800{}",
                               signed_in->token, secure(req) ? "; Secure" : ""));
    redirect(res, target);
  });
  route("POST", "/afmelden", Access::kStaff, [=, this](const httplib::Request& req, httplib::Response& res) {
    (void)options.auth->sign_out(cookie(req, "rapporteur_session"));
    res.set_header("Set-Cookie", fmt::format("rapporteur_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
                                             secure(req) ? "; Secure" : ""));
    redirect(res, "/");
  });

  route("GET", "/staff", Access::kStaff, [=, this](const httplib::Request& req, httplib::Response& res) {
    const auto views = recent_jobs(20);
    if (!views) return send_store_error(req, res, views.error());
    html_page(res, internal::render_staff_home(lang(req), staff_viewer(), *views));
  });

  const auto profiles = [this] {
    std::vector<std::string> names;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(options.profiles_folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".toml") names.push_back(it->path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  route("GET", "/staff/intake", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto batches = store.batches();
    if (!batches) return send_store_error(req, res, batches.error());
    html_page(res, internal::render_intake(lang(req), staff_viewer(), profiles(), *batches));
  });
  route("POST", "/staff/intake", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string profile = form_value(req, "profile");
    const std::string year = form_value(req, "year");
    const auto names = profiles();
    if (std::find(names.begin(), names.end(), profile) == names.end()) {
      return send_error(req, res, 400, "bad_request", "unknown source profile");
    }
    if (year.size() != 4 || year.find_first_not_of("0123456789") != std::string::npos) {
      return send_error(req, res, 400, "bad_request", "the year must be four digits");
    }
    if (!req.has_file("file") || req.get_file_value("file").content.empty()) {
      return send_error(req, res, 400, "bad_request", "no file uploaded");
    }
    const auto& file = req.get_file_value("file");
    // What the file is comes from its bytes; its name (and the browser's Content-Type) are the
    // client's say-so and are not used.
    const auto kind = upload_kind(file.content);
    if (!kind) return send_error(req, res, 400, "bad_request", kind.error().message + "; upload a CSV or XLSX extract");
    // Stored under a generated name outside the web root; the original name is not used.
    const auto path = store_upload(file.content, *kind == UploadKind::kXlsx ? ".xlsx" : ".csv");
    if (!path) return send_store_error(req, res, path.error());
    audit("intake_load", fmt::format("profile {}, year {}, {} bytes", profile, year, file.content.size()));
    const auto id = queue_job("intake", fmt::format("Laden: {} {}", profile, year),
                              {{"profile", profile},
                               {"year", std::stoi(year)},
                               {"replace", form_value(req, "replace") == "1"},
                               {"actor", current_viewer()->user.name}},
                              "/staff/intake", "Leveringen en afgekeurde regels", *path);
    if (!id) return send_store_error(req, res, id.error());
    redirect(res, fmt::format("/staff/jobs/{}", *id));
  });
  route("GET", R"(/staff/batches/(\d{1,9}))", Access::kResearcher,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const std::int64_t id = std::stoll(req.matches[1]);
          auto batch = store.batch(id);
          if (!batch) {
            if (batch.error().code == ErrorCode::kNotFound)
              return send_error(req, res, 404, "not_found", "no such batch");
            return send_store_error(req, res, batch.error());
          }
          auto errors = store.row_errors(id);
          if (!errors) return send_store_error(req, res, errors.error());
          html_page(res, internal::render_batch(lang(req), staff_viewer(), *batch, *errors));
        });

  route("GET", "/staff/schatten", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto counts = store.registration_counts();
    if (!counts) return send_store_error(req, res, counts.error());
    std::vector<int> years;
    for (const auto& c : *counts) {
      if (years.empty() || years.back() != c.year) years.push_back(c.year);
    }
    html_page(res, internal::render_estimate_form(lang(req), staff_viewer(), years));
  });
  route("POST", "/staff/schatten", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string year = req.get_param_value("year");
    const std::string mandate = req.get_param_value("mandate");
    const std::string by = req.get_param_value("by");
    const std::string criterion = req.get_param_value("criterion");
    const std::string bootstrap = req.get_param_value("bootstrap");
    const bool valid = year.size() == 4 && year.find_first_not_of("0123456789") == std::string::npos &&
                       (mandate == "human_trafficking" || mandate == "sexual_violence_against_children") &&
                       (by.empty() || by == "form" || by == "sex" || by == "age" || by == "region") &&
                       (criterion == "bic" || criterion == "aic") &&
                       (bootstrap == "0" || bootstrap == "200" || bootstrap == "1000");
    if (!valid) return send_error(req, res, 400, "bad_request", "invalid estimate parameters");
    const bool latent_class = req.get_param_value("latent_class") == "1";
    audit("estimate", fmt::format("year {}, {}, by '{}', {}, bootstrap {}", year, mandate, by, criterion, bootstrap));
    const auto id =
        queue_job("estimate", fmt::format("Schatting {} {}{}", mandate, year, by.empty() ? "" : " naar " + by),
                  {{"year", std::stoi(year)},
                   {"mandate", mandate},
                   {"by", by},
                   {"criterion", criterion},
                   {"bootstrap", std::stoi(bootstrap)},
                   {"latent_class", latent_class}});
    if (!id) return send_store_error(req, res, id.error());
    redirect(res, fmt::format("/staff/jobs/{}", *id));
  });

  route("GET", R"(/staff/jobs/(\d{1,9}))", Access::kStaff,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto found = job_view(std::stoll(req.matches[1]));
          if (!found) return send_refusal(req, res, found.error(), {ErrorCode::kNotFound});
          html_page(res, internal::render_job(lang(req), staff_viewer(), *found));
        });
  route("GET", R"(/api/v1/staff/jobs/(\d{1,9}))", Access::kStaff,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto found = job_view(std::stoll(req.matches[1]));
          if (!found) return send_refusal(req, res, found.error(), {ErrorCode::kNotFound});
          const auto& v = *found;
          send_json(res, {{"id", v.id},
                          {"kind", v.kind},
                          {"status", v.status},
                          {"title", v.title},
                          {"output", v.output},
                          {"messages", v.messages},
                          {"progress", v.progress >= 0 ? json(v.progress) : json(nullptr)}});
        });
  // Its owner or an admin may stop a running job.
  route("POST", R"(/staff/jobs/(\d{1,9})/annuleren)", Access::kStaff,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const std::int64_t id = std::stoll(req.matches[1]);
          const auto found = job_view(id);
          if (!found) return send_refusal(req, res, found.error(), {ErrorCode::kNotFound});
          if (found->owner != current_viewer()->user.name && current_viewer()->user.role != store::UserRole::kAdmin) {
            return send_error(req, res, 403, "forbidden", "only who started a job, or an admin, may cancel it");
          }
          if (const auto cancelled = jobs.cancel(id); !cancelled)
            return send_refusal(req, res, cancelled.error(), {ErrorCode::kNotFound});
          audit("job_cancel", fmt::format("job {}", id));
          redirect(res, fmt::format("/staff/jobs/{}", id));
        });

  const auto specs = [this] {
    std::vector<std::pair<std::string, std::string>> list;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(options.tables_folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() != ".toml") continue;
      std::ifstream in(it->path());
      std::string line;
      std::string title;
      while (std::getline(in, line)) {
        if (line.starts_with("title = \"")) {
          title = line.substr(9, line.rfind('"') - 9);
          break;
        }
      }
      list.emplace_back(it->path().stem().string(), title);
    }
    std::sort(list.begin(), list.end());
    return list;
  };
  route("GET", "/staff/tabellen", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    std::vector<std::string> published;
    if (auto served = served_release()) published = (*served)->tables();
    html_page(res, internal::render_tables(lang(req), staff_viewer(), specs(), published));
  });
  const auto table_job = [=, this](const httplib::Request& req, httplib::Response& res, bool publish) {
    const std::string spec = req.get_param_value("spec");
    const auto list = specs();
    if (std::none_of(list.begin(), list.end(), [&](const auto& s) { return s.first == spec; })) {
      return send_error(req, res, 400, "bad_request", "unknown table definition");
    }
    std::string link = publish ? "/cijfers/" + spec : "";
    std::string link_text = publish ? "De tabel op de publieke site" : "";
    if (!publish && !options.reports_folder.empty()) {
      // The review per cell (true values: staff only) goes beside the annual reports.
      link = "/staff/tabellen/beoordeling-" + spec + ".csv";
      link_text = "Beoordeling per cel (CSV): waarde, status, reden en interval van elke cel";
    }
    audit(publish ? "publish" : "protect", spec);
    const auto id = queue_job(publish ? "publish" : "protect",
                              fmt::format("{}: {}", publish ? "Publiceren" : "Beveiligen en controleren", spec),
                              {{"spec", spec}}, std::move(link), std::move(link_text));
    if (!id) return send_store_error(req, res, id.error());
    redirect(res, fmt::format("/staff/jobs/{}", *id));
  };
  route("GET", R"(/staff/tabellen/(beoordeling-[A-Za-z0-9_-]{1,80}\.csv))", Access::kResearcher,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const std::string name = req.matches[1];
          std::ifstream in(std::filesystem::path(options.reports_folder) / name, std::ios::binary);
          if (options.reports_folder.empty() || !in) return send_error(req, res, 404, "not_found", "no such review");
          std::stringstream bytes;
          bytes << in.rdbuf();
          res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", name));
          res.set_content(bytes.str(), "text/csv; charset=utf-8");
        });
  route("POST", "/staff/tabellen/beveiligen", Access::kResearcher,
        [=](const httplib::Request& req, httplib::Response& res) { table_job(req, res, false); });
  route("POST", "/staff/tabellen/publiceren", Access::kResearcher,
        [=](const httplib::Request& req, httplib::Response& res) { table_job(req, res, true); });

  route("GET", "/staff/kennisbank", Access::kEditor, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto publications = store.publication_list();
    auto recommendations = store.recommendations();
    if (!publications || !recommendations) {
      return send_store_error(req, res, !publications ? publications.error() : recommendations.error());
    }
    html_page(res, internal::render_kb_editor(lang(req), staff_viewer(), *publications, *recommendations,
                                              form_value(req, "toegevoegd")));
  });
  // Declared before the editing route, whose slug pattern would also match "toevoegen".
  route("POST", "/staff/kennisbank/toevoegen", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          if (options.workspace == nullptr) return send_error(req, res, 503, "unavailable", "no knowledge base");
          if (!req.has_file("file")) return send_error(req, res, 400, "bad_request", "no file uploaded");
          const auto& file = req.get_file_value("file");
          app::PublicationUpload upload;
          upload.original_name = std::filesystem::path(file.filename).filename().string();
          if (upload.original_name.empty()) upload.original_name = "upload";
          auto type = parse_publication_type(form_value(req, "type"));
          if (!type) return send_error(req, res, 400, "bad_request", type.error().message);
          upload.metadata.type = *type;
          const auto optional = [&](const char* name) -> std::optional<std::string> {
            std::string value = form_value(req, name);
            return value.empty() ? std::nullopt : std::optional<std::string>(std::move(value));
          };
          upload.metadata.title = optional("title");
          upload.metadata.date = optional("date");
          upload.metadata.language = optional("language");
          upload.metadata.summary = optional("summary");
          if (const auto tables_text = optional("tables")) {
            auto tables = parse_table_names(*tables_text);
            if (!tables) return send_error(req, res, 422, "unprocessable", "tables: " + tables.error().message);
            upload.metadata.tables = std::move(*tables);
          }
          std::vector<Mandate> themes;
          for (auto [at, end] = req.files.equal_range("theme"); at != end; ++at) {
            auto theme = parse_mandate(at->second.content);
            if (!theme) return send_error(req, res, 400, "bad_request", theme.error().message);
            themes.push_back(*theme);
          }
          if (!themes.empty()) upload.metadata.mandates = themes;
          // The name says which format is meant (the knowledge base extracts by extension); the bytes
          // must agree. Refusals are the sender's file, not a server failure: 422 with the reason.
          const auto extension = publication_extension(upload.original_name, file.content);
          if (!extension) return send_error(req, res, 422, "unprocessable", extension.error().message);
          const auto path = store_upload(file.content, *extension);
          if (!path) return send_store_error(req, res, path.error());
          upload.file = *path;
          auto added = options.workspace->add_publication(upload);
          std::error_code ignored;
          std::filesystem::remove(*path, ignored);
          if (!added) {
            if (added.error().code == ErrorCode::kInvalidArgument || added.error().code == ErrorCode::kAlreadyExists) {
              return send_error(req, res, 422, "unprocessable", added.error().message);
            }
            return send_store_error(req, res, added.error());
          }
          audit("publication_add", added->slug);
          redirect(res, "/staff/kennisbank?toegevoegd=" + added->slug);
        });
  // Before the route of a publication's metadata, whose pattern matches this path too (httplib
  // takes the first route that matches).
  route("POST", "/staff/kennisbank/herbouwen", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          audit("kb_rebuild", "");
          const auto id = queue_job("kb_rebuild", "Zoekindex herbouwen", nlohmann::json::object());
          if (!id) return send_store_error(req, res, id.error());
          redirect(res, fmt::format("/staff/jobs/{}", *id));
        });

  route("POST", R"(/staff/kennisbank/([a-z0-9\-]+))", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          if (options.knowledge_base == nullptr) return send_error(req, res, 503, "unavailable", "no knowledge base");
          kb::Metadata changes;
          changes.title = req.get_param_value("title");
          changes.date = req.get_param_value("date");
          changes.summary = req.get_param_value("summary");
          if (req.has_param("tables")) {
            auto tables = parse_table_names(req.get_param_value("tables"));
            if (!tables) return send_error(req, res, 400, "bad_request", "tables: " + tables.error().message);
            changes.tables = std::move(*tables);
          }
          const std::lock_guard lock(kb_write_mutex());
          auto updated = options.knowledge_base->update(req.matches[1], changes);
          if (!updated) {
            if (updated.error().code == ErrorCode::kInvalidArgument || updated.error().code == ErrorCode::kNotFound) {
              return send_error(req, res, updated.error().code == ErrorCode::kNotFound ? 404 : 400, "bad_request",
                                updated.error().message);
            }
            return send_store_error(req, res, updated.error());
          }
          audit("publication_edit", req.matches[1]);
          redirect(res, "/staff/kennisbank");
        });
  route("POST", R"(/staff/aanbevelingen/([a-z0-9\-]+)/(\d{1,6}))", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          if (options.knowledge_base == nullptr) return send_error(req, res, 503, "unavailable", "no knowledge base");
          Recommendation::Event event;
          event.date = req.get_param_value("date");
          event.note = req.get_param_value("note");
          if (const std::string status = req.get_param_value("status"); !status.empty()) {
            auto parsed = parse_response_status(status);
            if (!parsed) return send_error(req, res, 400, "bad_request", parsed.error().message);
            event.status = *parsed;
          }
          const std::lock_guard lock(kb_write_mutex());
          auto recorded = options.knowledge_base->follow_up(req.matches[1], std::stoi(req.matches[2]), event);
          if (!recorded)
            return send_refusal(req, res, recorded.error(), {ErrorCode::kInvalidArgument, ErrorCode::kNotFound});
          audit("follow_up", fmt::format("{} #{}", std::string(req.matches[1]), std::string(req.matches[2])));
          redirect(res, "/staff/kennisbank");
        });

  // The yearly account: registers, finance checks and the annual report.
  route(
      "GET", "/staff/verantwoording", Access::kEditor, [=, this](const httplib::Request& req, httplib::Response& res) {
        internal::AccountView view_model;
        const std::string year = req.get_param_value("year");
        if (year.size() == 4 && year.find_first_not_of("0123456789") == std::string::npos) {
          view_model.year = std::stoi(year);
        } else {
          // The latest year with any record; last year in an account with none yet.
          auto years = store.account_years();
          if (!years) return send_store_error(req, res, years.error());
          view_model.year =
              !years->empty() ? years->front()
                              : std::stoi(options.auth != nullptr ? options.auth->now_text().substr(0, 4) : "2024") - 1;
        }
        auto activities = store.activities(view_model.year);
        auto media = store.media_appearances(view_model.year);
        if (!activities || !media) return send_store_error(req, res, !activities ? activities.error() : media.error());
        view_model.activities = std::move(*activities);
        view_model.media = std::move(*media);
        if (auto finances = store.finances(view_model.year)) {
          for (const auto& m : account::check_finances(*finances)) {
            view_model.mismatches.emplace_back(m.what, m.stated_cents, m.computed_cents, m.difference_cents);
          }
          view_model.finances = std::move(*finances);
        }
        for (const char* extension : {"html", "pdf"}) {
          const std::string name = fmt::format("jaarverslag-{}.{}", view_model.year, extension);
          std::error_code ec;
          if (std::filesystem::exists(std::filesystem::path(options.reports_folder) / name, ec))
            view_model.report_files.push_back(name);
        }
        html_page(res, internal::render_account(lang(req), staff_viewer(), view_model));
      });
  const auto back_to_account = [this](httplib::Response& res, const std::string& date) {
    redirect(res, "/staff/verantwoording?year=" + date.substr(0, 4));
  };
  // An activity or media appearance as the add and remove forms post it (removal needs only
  // the natural key; a media form without a kind is a removal).
  const auto activity_of = [](const httplib::Request& req) -> Result<Activity> {
    Activity a;
    a.date = req.get_param_value("date");
    ASSIGN_OR_RETURN(a.kind, parse_activity_kind(req.get_param_value("kind")));
    a.organisation = req.get_param_value("organisation");
    a.title = req.get_param_value("title");
    return a;
  };
  const auto media_of = [](const httplib::Request& req) -> Result<MediaAppearance> {
    MediaAppearance m;
    m.date = req.get_param_value("date");
    m.outlet = req.get_param_value("outlet");
    if (req.has_param("kind")) {
      ASSIGN_OR_RETURN(m.kind, parse_media_kind(req.get_param_value("kind")));
    }
    m.topic = req.get_param_value("topic");
    return m;
  };
  route("POST", "/staff/verantwoording/activiteit", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto a = activity_of(req);
          if (!a) return send_error(req, res, 400, "bad_request", a.error().message);
          if (auto stored = store.put_activity(*a); !stored) {
            return send_refusal(req, res, stored.error(), {ErrorCode::kInvalidArgument});
          }
          audit("activity_add", a->date + " " + a->title);
          back_to_account(res, a->date);
        });
  route("POST", "/staff/verantwoording/media", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto m = media_of(req);
          if (!m || !req.has_param("kind"))
            return send_error(req, res, 400, "bad_request", m ? "kind is missing" : m.error().message);
          if (auto stored = store.put_media_appearance(*m); !stored) {
            return send_refusal(req, res, stored.error(), {ErrorCode::kInvalidArgument});
          }
          audit("media_add", m->date + " " + m->outlet);
          back_to_account(res, m->date);
        });
  route("POST", "/staff/verantwoording/activiteit/verwijderen", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto a = activity_of(req);
          if (!a) return send_error(req, res, 400, "bad_request", a.error().message);
          if (auto removed = store.remove_activity(*a); !removed) {
            return send_refusal(req, res, removed.error(), {ErrorCode::kNotFound});
          }
          audit("activity_remove", a->date + " " + a->title);
          back_to_account(res, a->date);
        });
  route("POST", "/staff/verantwoording/media/verwijderen", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto m = media_of(req);
          if (!m) return send_error(req, res, 400, "bad_request", m.error().message);
          if (auto removed = store.remove_media_appearance(*m); !removed) {
            return send_refusal(req, res, removed.error(), {ErrorCode::kNotFound});
          }
          audit("media_remove", m->date + " " + m->outlet);
          back_to_account(res, m->date);
        });
  route("POST", "/staff/verantwoording/importeren", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          if (!req.has_file("file") || req.get_file_value("file").content.empty()) {
            return send_error(req, res, 400, "bad_request", "no file uploaded");
          }
          const std::string& content = req.get_file_value("file").content;
          if (const auto kind = upload_kind(content); !kind || *kind != UploadKind::kText) {
            return send_error(req, res, 400, "bad_request",
                              (kind ? std::string("the uploaded file is a workbook") : kind.error().message) +
                                  "; upload a YAML year file");
          }
          const auto path = store_upload(content, ".yaml");
          if (!path) return send_store_error(req, res, path.error());
          audit("account_import", path->filename().string());
          const auto id = queue_job("account_import", "Jaarbestand importeren", nlohmann::json::object(),
                                    "/staff/verantwoording", "Verantwoording", *path);
          if (!id) return send_store_error(req, res, id.error());
          redirect(res, fmt::format("/staff/jobs/{}", *id));
        });
  route("POST", "/staff/verantwoording/jaarverslag", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const std::string year = req.get_param_value("year");
          if (year.size() != 4 || year.find_first_not_of("0123456789") != std::string::npos) {
            return send_error(req, res, 400, "bad_request", "the year must be four digits");
          }
          audit("annual_report", year);
          const auto id = queue_job("annual_report", "Jaarverslag " + year, {{"year", std::stoi(year)}},
                                    "/staff/verantwoording?year=" + year, "Verantwoording " + year);
          if (!id) return send_store_error(req, res, id.error());
          redirect(res, fmt::format("/staff/jobs/{}", *id));
        });
  route("GET", R"(/staff/verantwoording/(jaarverslag-\d{4}\.(html|pdf)))", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const std::string name = req.matches[1];
          std::ifstream in(std::filesystem::path(options.reports_folder) / name, std::ios::binary);
          if (!in) return send_error(req, res, 404, "not_found", "no such report");
          std::stringstream bytes;
          bytes << in.rdbuf();
          const bool pdf = std::string(req.matches[2]) == "pdf";
          if (!pdf) {
            // The report is a standalone document with inline styles and charts; it holds only
            // escaped text, and may run its own inline scripts and nothing else.
            res.headers.erase("Content-Security-Policy");
            res.set_header("Content-Security-Policy",
                           "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
                           "frame-ancestors 'none'");
          }
          res.set_content(bytes.str(), pdf ? "application/pdf" : "text/html; charset=utf-8");
        });

  route("GET", "/staff/gebruikers", Access::kAdmin, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto users = store.users();
    if (!users) return send_store_error(req, res, users.error());
    html_page(res, internal::render_users(lang(req), staff_viewer(), *users, ""));
  });
  route("POST", "/staff/gebruikers", Access::kAdmin, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto role = store::parse_user_role(req.get_param_value("role"));
    if (!role) return send_error(req, res, 400, "bad_request", role.error().message);
    const std::string password = auth::generate_password();
    auto added =
        options.auth->add_user(req.get_param_value("name"), *role, password,
                               {staff_viewer().name, "user_add",
                                fmt::format("{} ({})", req.get_param_value("name"), req.get_param_value("role"))});
    if (!added) return send_refusal(req, res, added.error(), {ErrorCode::kInvalidArgument, ErrorCode::kConflict});
    auto users = store.users();
    if (!users) return send_store_error(req, res, users.error());
    html_page(res, internal::render_users(lang(req), staff_viewer(), *users, password));
  });
  route("GET", "/staff/audit", Access::kAdmin, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto entries = store.audit_log(500);
    if (!entries) return send_store_error(req, res, entries.error());
    html_page(res, internal::render_audit(lang(req), staff_viewer(), *entries));
  });
}

}  // namespace rapporteur::web
