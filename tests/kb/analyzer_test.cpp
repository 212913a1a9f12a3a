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
  for (const char* word : {"slachtoffer", "slachtoffers", "onderzoek", "onderzoeken", "minderjarige",
                           "minderjarigen", "aanbevelingen", "verantwoordelijkheid", "uitbuiting", "casuistiek",
                           "handelaren", "handelaar"}) {
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
