// Knowledge base search at 100,000 generated Dutch documents: indexing speed and in-process
// query latency (p50, p99) of our index (compound parts, synonyms, folding, facets, snippets),
// beside the same documents and queries in plain Xapian (TermGenerator with the Dutch stemmer,
// no compound splitting or synonyms) and in SQLite FTS5 (unicode61, diacritics removed), all
// measured in this run on this machine. Each engine answers a full result page: the top 10,
// the exact total, facet counts and snippets. Also reports how many documents each engine finds
// for the compound queries: speed is only half of the comparison.
//
// Usage: kb_bench [--docs N] [--rounds R]
#include <sqlite3.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "kb/internal/analyzer.h"
#include "kb/internal/index.h"
#include "test_support.h"

namespace {

using namespace rapporteur;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Sentences in the field's language, written for this benchmark: compounds, diacritics and
// synonyms that the queries below look for, mixed into general Dutch words.
const std::vector<std::string> kDomain = {
    "Signalen van arbeidsuitbuiting bij arbeidsmigranten worden gedeeld met de Arbeidsinspectie.",
    "De slachtoffermonitor beschrijft mensenhandelslachtoffers per jaar en per uitbuitingsvorm.",
    "Uit de casuïstiek blijkt dat minderjarige slachtoffers zelden aangifte doen.",
    "In de casuistiek van de politie-eenheid komen pooierboys en loverboys voor.",
    "Seksuele uitbuiting blijft de grootste vorm van mensenhandel in de registraties.",
    "De uitbuiting van arbeid in de land- en tuinbouw vraagt om meer inspecties.",
    "Criminele uitbuiting van jongeren neemt toe volgens de dadermonitor.",
    "Zorgcoördinatoren mensenhandel regelen opvang voor slachtoffers in de regio.",
    "Human trafficking victims from third countries depend on the B8 regulation.",
    "Beeldmateriaal van seksueel misbruik van kinderen wordt sneller verwijderd.",
    "Sextortion en online grooming treffen vooral jongeren op sociale media.",
    "Het Openbaar Ministerie vervolgde minder mensenhandelaren dan vorig jaar.",
    "Jeugdzorginstellingen missen signalen van seksueel geweld tegen kinderen.",
    "De rapporteur doet aanbevelingen aan de regering over de aanpak van uitbuiting.",
    "Dublinclaimanten melden uitbuiting maar worden overgedragen aan een andere lidstaat.",
    "Gedwongen prostitutie komt ook voor in de niet-vergunde sekswerkbranche.",
};

const std::vector<std::string> kQueries = {
    "arbeidsuitbuiting",
    "uitbuiting",
    "slachtoffermonitor",
    "monitor",
    "mensenhandelslachtoffers",
    "slachtoffers",
    "casuïstiek",
    "casuistiek",
    "loverboy",
    "pooierboys",
    "human trafficking",
    "mensenhandel",
    "\"uitbuiting van arbeid\"",
    "\"seksuele uitbuiting\"",
    "criminele uitbuiting",
    "sextortion OR grooming",
    "mensenhandel NOT arbeid",
    "jeugdzorg",
    "zorgcoordinatoren",
    "opvang regio",
    "aanbevelingen regering",
    "kinderen misbruik",
    "arbeidsmigranten inspectie",
    "prostitutie",
    "verklaring overdracht",
    "slachtofers",
    "arbeidsuitbuitng",
    "rapporteur",
    "dadermonitor jongeren",
    "beeldmateriaal",
};
const std::vector<std::string> kCompoundQueries = {"uitbuiting", "monitor",           "slachtoffers",
                                                   "jeugdzorg",  "arbeidsuitbuiting", "loverboy"};

struct Doc {
  std::string id;
  std::string title;
  std::string body;
  std::string type;
  std::string date;
  std::string theme;
  std::string form;
};

std::vector<Doc> generate(std::size_t count) {
  std::vector<std::string> vocabulary;
  std::ifstream in("/usr/share/dict/dutch");
  std::string word;
  while (std::getline(in, word)) {
    if (!word.empty() && word[0] >= 'a' && word[0] <= 'z' && word.size() <= 12) vocabulary.push_back(word);
  }
  std::mt19937_64 random(20261128);
  std::shuffle(vocabulary.begin(), vocabulary.end(), random);
  vocabulary.resize(30000);
  // Zipf-like word frequencies, as in real text.
  std::vector<double> weights(vocabulary.size());
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
  const std::vector<std::string> types = {"monitor", "study", "letter", "news", "brochure", "annual_report"};
  const std::vector<std::string> themes = {"human_trafficking", "sexual_violence_against_children"};
  const std::vector<std::string> forms = {"sexual", "labour", "criminal", "other"};
  std::vector<Doc> docs;
  docs.reserve(count);
  for (std::size_t d = 0; d < count; ++d) {
    Doc doc;
    doc.id = fmt::format("doc-{}", d);
    for (int w = 0; w < 6; ++w) doc.title += (w ? " " : "") + vocabulary[pick(random)];
    const std::size_t words = 150 + random() % 200;
    std::size_t written = 0;
    while (written < words) {
      if (random() % 10 < 3) {
        const auto& sentence = kDomain[random() % kDomain.size()];
        doc.body += sentence + " ";
        written += 12;
      } else {
        for (int w = 0; w < 12; ++w) doc.body += vocabulary[pick(random)] + (w == 11 ? ". " : " ");
        written += 12;
      }
    }
    doc.type = types[random() % types.size()];
    doc.date = fmt::format("{}-{:02}-{:02}", 2005 + random() % 21, 1 + random() % 12, 1 + random() % 28);
    doc.theme = themes[random() % themes.size()];
    doc.form = forms[random() % forms.size()];
    docs.push_back(std::move(doc));
  }
  return docs;
}

struct Latency {
  double p50 = 0;
  double p99 = 0;
};

Latency percentiles(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
  };
  return {at(0.5), at(0.99)};
}

// ---- Plain Xapian -------------------------------------------------------------------------

void index_plain(const std::vector<Doc>& docs, const std::string& path) {
  Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OVERWRITE);
  Xapian::TermGenerator generator;
  generator.set_stemmer(Xapian::Stem("dutch"));
  generator.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  for (const auto& doc : docs) {
    Xapian::Document x;
    generator.set_document(x);
    generator.index_text(doc.title, 3);
    generator.increase_termpos();
    generator.index_text(doc.body);
    x.add_boolean_term("Q" + doc.id);
    x.add_boolean_term("XT" + doc.type);
    x.add_value(0, doc.type);
    x.add_value(1, doc.date);
    x.set_data(doc.title + "\n" + doc.body);
    db.replace_document("Q" + doc.id, x);
  }
  db.commit();
}

std::int64_t query_plain(const Xapian::Database& db, const std::string& text) {
  Xapian::QueryParser parser;
  parser.set_database(db);
  parser.set_stemmer(Xapian::Stem("dutch"));
  parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  parser.set_default_op(Xapian::Query::OP_AND);
  const Xapian::Query query = parser.parse_query(text, Xapian::QueryParser::FLAG_DEFAULT);
  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  Xapian::ValueCountMatchSpy spy(0);
  enquire.add_matchspy(&spy);
  const Xapian::MSet mset = enquire.get_mset(0, 10, db.get_doccount());
  std::size_t snippet_bytes = 0;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    snippet_bytes += mset.snippet(it.get_document().get_data(), 200, Xapian::Stem("dutch")).size();
  }
  return snippet_bytes > 0 || mset.empty() ? static_cast<std::int64_t>(mset.get_matches_estimated()) : -1;
}

// ---- SQLite FTS5 --------------------------------------------------------------------------

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    fmt::print(stderr, "sqlite: {}\n", error ? error : "?");
    sqlite3_free(error);
    std::exit(1);
  }
}

void index_fts(const std::vector<Doc>& docs, sqlite3* db) {
  exec(db,
       "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
       "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61 remove_diacritics 2');"
       "CREATE TABLE meta (id INTEGER PRIMARY KEY, type TEXT, date TEXT);");
  exec(db, "BEGIN");
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* meta = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO docs (rowid, title, body) VALUES (?1, ?2, ?3)", -1, &insert, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO meta (id, type, date) VALUES (?1, ?2, ?3)", -1, &meta, nullptr);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(i + 1));
    sqlite3_bind_text(insert, 2, docs[i].title.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 3, docs[i].body.c_str(), -1, SQLITE_STATIC);
    sqlite3_step(insert);
    sqlite3_reset(insert);
    sqlite3_bind_int64(meta, 1, static_cast<sqlite3_int64>(i + 1));
    sqlite3_bind_text(meta, 2, docs[i].type.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(meta, 3, docs[i].date.c_str(), -1, SQLITE_STATIC);
    sqlite3_step(meta);
    sqlite3_reset(meta);
  }
  sqlite3_finalize(insert);
  sqlite3_finalize(meta);
  exec(db, "COMMIT");
}

// FTS5 syntax: words quoted (so hyphens and diacritics are literal), AND implicit, OR/NOT kept.
std::string fts_query(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    if (text[at] == ' ') {
      ++at;
      continue;
    }
    std::size_t end = text[at] == '"' ? text.find('"', at + 1) + 1 : text.find(' ', at);
    if (end == std::string::npos || end == 0) end = text.size();
    std::string token = text.substr(at, end - at);
    at = end;
    if (token == "OR" || token == "NOT" || token == "AND") {
      out += " " + token + " ";
    } else {
      if (token.front() != '"') token = "\"" + token + "\"";
      out += " " + token;
    }
  }
  return out;
}

std::int64_t query_fts(sqlite3* db, const std::string& text) {
  const std::string match = fts_query(text);
  sqlite3_stmt* top = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT rowid, snippet(docs, 1, '<mark>', '</mark>', '…', 20) FROM docs WHERE docs MATCH ?1 "
                     "ORDER BY rank LIMIT 10",
                     -1, &top, nullptr);
  sqlite3_bind_text(top, 1, match.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(top) == SQLITE_ROW) {
  }
  sqlite3_finalize(top);
  sqlite3_stmt* facets = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT m.type, count(*) FROM docs CROSS JOIN meta m ON m.id = docs.rowid WHERE docs MATCH ?1 "
                     "GROUP BY m.type",
                     -1, &facets, nullptr);
  sqlite3_bind_text(facets, 1, match.c_str(), -1, SQLITE_TRANSIENT);
  std::int64_t total = 0;
  while (sqlite3_step(facets) == SQLITE_ROW) total += sqlite3_column_int64(facets, 1);
  sqlite3_finalize(facets);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 100000;
  int rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--docs") count = std::stoul(argv[i + 1]);
    if (flag == "--rounds") rounds = std::stoi(argv[i + 1]);
  }
  rapporteur::testing::TempDir dir;
  auto start = Clock::now();
  const auto docs = generate(count);
  std::size_t words = 0;
  for (const auto& d : docs) words += static_cast<std::size_t>(std::count(d.body.begin(), d.body.end(), ' '));
  fmt::print("kb_bench: {} documents generated ({:.0f} words on average) in {:.1f} s\n", docs.size(),
             static_cast<double>(words) / static_cast<double>(docs.size()), seconds_since(start));

  auto analyzer = kb::internal::Analyzer::load("/usr/share/dict/dutch", kb::internal::builtin_lists());
  if (!analyzer) {
    fmt::print(stderr, "{}\n", analyzer.error().message);
    return 1;
  }
  // The heads learned from the corpus (names and loanwords that may head a compound), as a
  // rebuild learns them before indexing.
  start = Clock::now();
  {
    std::unordered_map<std::string, int> counts;
    for (const auto& d : docs) {
      (*analyzer)->count_head_candidates(d.title, counts);
      (*analyzer)->count_head_candidates(d.body, counts);
    }
    (*analyzer)->learn_heads((*analyzer)->head_candidates(counts));
  }
  const double learn_seconds = seconds_since(start);
  fmt::print("learned compound heads: {} in {:.2f} s\n", (*analyzer)->learned_heads(), learn_seconds);
  const auto ours_path = dir / "ours";
  start = Clock::now();
  {
    auto writer = kb::internal::IndexWriter::open(ours_path, **analyzer, {}, /*overwrite=*/true);
    if (!writer) return 1;
    std::vector<kb::internal::IndexItem> batch;
    for (const auto& d : docs) {
      kb::internal::IndexItem item;
      item.id = d.id;
      item.kind = "publication";
      item.slug = d.id;
      item.title = d.title;
      item.type = d.type;
      item.date = d.date;
      item.language = "nl";
      item.themes = {d.theme};
      item.forms = {d.form};
      item.text = d.body;
      batch.push_back(std::move(item));
      if (batch.size() == 1000) {
        if (!writer->add(batch)) return 1;
        batch.clear();
      }
    }
    if (!writer->add(batch) || !writer->commit(1)) return 1;
  }
  const double ours_index = seconds_since(start);
  start = Clock::now();
  index_plain(docs, (dir / "plain").string());
  const double plain_index = seconds_since(start);
  sqlite3* fts = nullptr;
  sqlite3_open((dir / "fts.db").string().c_str(), &fts);
  start = Clock::now();
  index_fts(docs, fts);
  const double fts_index = seconds_since(start);
  const double n = static_cast<double>(docs.size());
  fmt::print(
      "index: ours {:.0f} docs/s ({:.1f} s) | plain Xapian {:.0f} docs/s ({:.1f} s, ratio ours/plain time {:.2f}) | "
      "FTS5 {:.0f} docs/s ({:.1f} s, ratio ours/FTS5 time {:.2f})\n",
      n / ours_index, ours_index, n / plain_index, plain_index, ours_index / plain_index, n / fts_index, fts_index,
      ours_index / fts_index);

  const Xapian::Database plain((dir / "plain").string());
  std::vector<double> ours_ms, plain_ms, fts_ms;
  for (int round = 0; round < rounds; ++round) {
    for (const auto& q : kQueries) {
      kb::SearchQuery query;
      query.text = q;
      auto t = Clock::now();
      const auto result = kb::internal::search_index(ours_path, **analyzer, query);
      ours_ms.push_back(seconds_since(t) * 1000);
      if (!result) {
        fmt::print(stderr, "{}: {}\n", q, result.error().message);
        return 1;
      }
      t = Clock::now();
      query_plain(plain, q);
      plain_ms.push_back(seconds_since(t) * 1000);
      t = Clock::now();
      query_fts(fts, q);
      fts_ms.push_back(seconds_since(t) * 1000);
    }
  }
  const auto o = percentiles(ours_ms);
  const auto p = percentiles(plain_ms);
  const auto f = percentiles(fts_ms);
  fmt::print("query page (top 10 + exact total + facets + snippets), {} queries x {} rounds:\n", kQueries.size(),
             rounds);
  fmt::print("  ours         p50 {:7.2f} ms  p99 {:7.2f} ms\n", o.p50, o.p99);
  fmt::print("  plain Xapian p50 {:7.2f} ms  p99 {:7.2f} ms  (ratio ours/plain p50 {:.2f}, p99 {:.2f})\n", p.p50, p.p99,
             o.p50 / p.p50, o.p99 / p.p99);
  fmt::print("  SQLite FTS5  p50 {:7.2f} ms  p99 {:7.2f} ms  (ratio ours/FTS5 p50 {:.2f}, p99 {:.2f})\n", f.p50, f.p99,
             o.p50 / f.p50, o.p99 / f.p99);
  fmt::print("documents found (ours / plain Xapian / FTS5):\n");
  for (const auto& q : kCompoundQueries) {
    kb::SearchQuery query;
    query.text = q;
    const auto ours = kb::internal::search_index(ours_path, **analyzer, query);
    fmt::print("  {:<20} {:>7} / {:>7} / {:>7}\n", q, ours ? ours->total : -1, query_plain(plain, q),
               query_fts(fts, q));
  }
  sqlite3_close(fts);
  return 0;
}
