// The Dutch analysis behind the knowledge base search: folding and compound splitting, checked
// against a gold list of domain compounds written by hand (what a Dutch reader splits them
// into) and of lexicalised words that must stay whole.
#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kb/internal/analyzer.h"

namespace rapporteur::kb::internal {
namespace {

using ::testing::IsEmpty;
using ::testing::IsSupersetOf;

const Analyzer& analyzer() {
  static const std::unique_ptr<Analyzer> loaded = [] {
    auto a = Analyzer::load("/usr/share/dict/dutch", builtin_lists());
    EXPECT_TRUE(a.has_value()) << (a ? "" : a.error().message);
    return std::move(*a);
  }();
  return *loaded;
}

TEST(Fold, LowerCasesAndFoldsDiacritics) {
  const auto tokens = tokenize("Casuïstiek in Roemenië: CAFÉ-eigenaar, Œuvre");

  std::vector<std::string> words;
  for (const auto& t : tokens) words.push_back(t.word);

  EXPECT_EQ(words, (std::vector<std::string>{"casuistiek", "in", "roemenie", "cafe", "eigenaar", "oeuvre"}));
  EXPECT_EQ(tokens[0].begin, 0u);
  EXPECT_EQ(tokens[0].end, 11u);  // "Casuïstiek" is 11 bytes: the ï takes two.
}

TEST(Fold, ReadsWindows1252BytesThatAreNotUtf8) {
  const std::string cp1252 = "Roemeni\xEB en caf\xE9";

  EXPECT_EQ(fold(cp1252), "roemenie en cafe");
  EXPECT_EQ(to_utf8(cp1252), "Roemeni\xC3\xAB en caf\xC3\xA9");
}

// Found by fuzzing (fuzz/extract_html.cpp, extract_markdown.cpp): lead bytes F5..F7 and
// surrogates were decoded as code points and written back as invalid UTF-8. They are not
// UTF-8, so each byte is read as Windows-1252 (F7 is ÷, 84 is „, ED is í, A0 a no-break space,
// 80 the euro sign).
TEST(ToUtf8, ReadsLeadsPastU10FFFFAndSurrogatesAsWindows1252) {
  const std::string beyond = "\xF7\x84\x84\x84";
  const std::string surrogate = "\xED\xA0\x80";

  EXPECT_EQ(to_utf8(beyond), "\xC3\xB7\xE2\x80\x9E\xE2\x80\x9E\xE2\x80\x9E");
  EXPECT_EQ(to_utf8(surrogate), "\xC3\xAD\xC2\xA0\xE2\x82\xAC");
}

TEST(Stem, ConflatesFormsSnowballLeavesApart) {
  EXPECT_EQ(stem("kinderen"), stem("kind"));
  EXPECT_EQ(stem("seksuele"), stem("seksueel"));
  EXPECT_EQ(stem("uitgebuit"), stem("uitbuiting"));
  EXPECT_EQ(stem("slachtoffers"), stem("slachtoffer"));
}

TEST(Decompound, SplitsDomainCompoundsOfTheGoldList) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> gold = {
      {"arbeidsuitbuiting", {"arbeid", "uitbuiting"}},
      {"mensenhandelslachtoffers", {"mensenhandel", "slachtoffers", "mensen", "handel"}},
      {"slachtoffermonitor", {"slachtoffer", "monitor"}},
      {"dadermonitor", {"dader", "monitor"}},
      {"jeugdzorginstelling", {"jeugd", "zorg", "instelling"}},
      {"arbeidsmigranten", {"arbeid", "migranten"}},
      {"seizoenswerkers", {"seizoen", "werkers"}},
      {"opsporingscapaciteit", {"opsporing", "capaciteit"}},
      {"sekswerkbranche", {"sekswerk", "branche"}},
      {"zorgcoordinator", {"zorg", "coordinator"}},
      {"mensenhandelaren", {"mensen", "handelaren"}},
      {"jeugdzorgmedewerkers", {"jeugd", "zorg", "medewerkers"}},
  };
  for (const auto& [word, parts] : gold) {
    EXPECT_THAT(analyzer().parts(word), IsSupersetOf(parts)) << word;
  }
}

TEST(Decompound, KeepsLexicalisedWordsAndSuffixesWhole) {
  for (const char* word :
       {"slachtoffer", "slachtoffers", "onderzoek", "onderzoeken", "minderjarige", "minderjarigen", "aanbevelingen",
        "verantwoordelijkheid", "uitbuiting", "casuistiek", "handelaren", "handelaar"}) {
    EXPECT_THAT(analyzer().parts(word), IsEmpty()) << word;
  }
}

TEST(Synonyms, FindsOtherMembersThroughAnyWordForm) {
  const auto synonyms = analyzer().synonyms({"loverboys"});

  EXPECT_THAT(synonyms, ::testing::Contains(std::vector<std::string>{"pooierboy"}));
  EXPECT_EQ(analyzer().synonym_match({"human", "trafficking", "nl"}, 0), 2u);
  EXPECT_THAT(analyzer().synonyms({"human", "trafficking"}),
              ::testing::Contains(std::vector<std::string>{"mensenhandel"}));
}

}  // namespace
}  // namespace rapporteur::kb::internal
