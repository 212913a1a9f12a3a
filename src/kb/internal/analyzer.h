// Dutch text analysis shared by indexing and querying: folding, tokens, stems, compound parts
// and synonyms. Internal to kb.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"

namespace rapporteur::kb::internal {

// A word of a text: its folded form and where it lies in the original bytes.
struct Token {
  std::string word;  // Lower case, diacritics folded (casuïstiek -> casuistiek).
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Splits UTF-8 `text` into words: runs of letters and digits. Letters are lower-cased and
// Latin diacritics folded; other characters separate words. Invalid UTF-8 bytes are read as
// Windows-1252, so no input fails.
std::vector<Token> tokenize(std::string_view text);

// Appends code point `c` (at most U+10FFFF) to `out` in UTF-8.
void append_utf8(std::string& out, char32_t c);

// `text` as valid UTF-8: bytes that are not UTF-8 are read as Windows-1252.
std::string to_utf8(std::string_view text);

// The folded form of a single term (the words of `text` joined by spaces).
std::string fold(std::string_view text);

// Snowball's Dutch stemmer with a small override table for forms it does not conflate
// (kinderen/kind, seksuele/seksueel, uitgebuit/uitbuiting). Thread safe: each thread uses
// its own Snowball state.
std::string stem(const std::string& folded_word);

// Lists that steer the analysis, one entry per line ('#' starts a comment).
struct AnalyzerLists {
  std::string lexicon;       // Extra words the decompounder may use as parts.
  std::string do_not_split;  // Words never split.
  std::string not_a_part;    // Suffix-like words never used as parts.
  std::string synonyms;      // Comma-separated groups.
};

// The lists built into the binary (src/kb/data).
AnalyzerLists builtin_lists();

// Thread safety: all methods may be called concurrently.
class Analyzer {
 public:
  // Loads `word_list` (one word per line, e.g. Debian's /usr/share/dict/dutch) and `lists`.
  // Fails with kIo when the word list cannot be read.
  static Result<std::unique_ptr<Analyzer>> load(const std::filesystem::path& word_list, const AnalyzerLists& lists);

  // The parts of a compound, intermediate ones included, e.g. mensenhandelslachtoffers ->
  // {mensenhandel, slachtoffers, mensen, handel}; empty when `folded_word` is not split.
  std::vector<std::string> parts(const std::string& folded_word) const;
  // The top-level split only (head, tail), or empty.
  std::vector<std::string> split(const std::string& folded_word) const;

  // Counts, in `counts`, the words of `text` that may head a compound although the word list
  // lacks them: names, loanwords and acronyms (oekraine, europol). Folded words of at least
  // 5 letters without digits, not in the word list. Call once per document of a corpus.
  void count_head_candidates(std::string_view text, std::unordered_map<std::string, int>& counts) const;
  // Of `counts`, the words the corpus uses at least twice that do not split themselves into
  // known words (a compound is not a name), sorted.
  std::vector<std::string> head_candidates(const std::unordered_map<std::string, int>& counts) const;
  // Adds `folded_words` as possible compound heads (a lexicon learned from the corpus), so
  // that oekrainevluchtelingen splits into oekraine and vluchtelingen. Safe while other
  // threads split words.
  void learn_heads(const std::vector<std::string>& folded_words);
  std::size_t learned_heads() const;

  // The other members of the synonym groups whose member has the stem of `folded_word`
  // (single words), each as its folded words.
  std::vector<std::vector<std::string>> synonyms(const std::vector<std::string>& folded_words) const;
  // Length of the longest synonym-group member (in words) starting at `words[from]`, or 0.
  std::size_t synonym_match(const std::vector<std::string>& words, std::size_t from) const;

 private:
  Analyzer() = default;
  bool known(std::string_view word) const;
  bool learned(const std::string& word) const;
  std::vector<std::string> compute_split(const std::string& word, int depth) const;

  std::unordered_set<std::string> lexicon_;
  std::unordered_set<std::string> do_not_split_;  // Stems.
  std::unordered_set<std::string> not_a_part_;
  // Synonym groups as lists of members (each a list of folded words) and, per member key
  // (its words' stems joined by ' '), the groups it belongs to.
  std::vector<std::vector<std::vector<std::string>>> groups_;
  std::map<std::string, std::vector<std::size_t>> group_of_;
  std::size_t longest_member_ = 1;
  mutable std::shared_mutex learned_mutex_;
  std::unordered_set<std::string> learned_;  // Heads learned from the corpus.
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<std::string>> split_cache_;
};

}  // namespace rapporteur::kb::internal
