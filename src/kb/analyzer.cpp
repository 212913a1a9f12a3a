#include "kb/internal/analyzer.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <xapian.h>

namespace rapporteur::kb::internal {

const std::map<std::string, std::string_view>& embedded_assets();

namespace {

constexpr std::size_t kMinPart = 4;   // Shorter parts split too much (uit, aan, wet).
constexpr std::size_t kMinSplit = 8;  // Shorter words are not compounds worth splitting.
constexpr std::size_t kMinHead = 5;   // Learned heads: shorter names match too many words.
constexpr int kMaxDepth = 3;

// Windows-1252 code points of the bytes 0x80..0x9F (0 where undefined).
constexpr std::array<char32_t, 32> kCp1252 = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                              0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                              0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                              0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

// Base letters of U+00C0..U+00FF; "" marks a separator (multiplication and division signs).
constexpr std::array<const char*, 64> kLatin1 = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e",  "e",  "e", "e", "i", "i", "i", "i", "d",  "n", "o",  "o", "o", "o",
    "o", "",  "o", "u", "u", "u", "u",  "y", "th", "ss", "a", "a", "a", "a", "a", "a", "ae", "c", "e",  "e", "e", "e",
    "i", "i", "i", "i", "d", "n", "o",  "o", "o",  "o",  "o", "",  "o", "u", "u", "u", "u",  "y", "th", "y"};

// Base letters of U+0100..U+017F (Latin Extended-A), as runs of one base.
struct Run {
  char32_t last;
  const char* base;
};
constexpr std::array<Run, 22> kLatinA = {
    {{0x105, "a"}, {0x10D, "c"}, {0x111, "d"}, {0x11B, "e"}, {0x123, "g"}, {0x127, "h"},  {0x131, "i"}, {0x133, "ij"},
     {0x135, "j"}, {0x138, "k"}, {0x142, "l"}, {0x14B, "n"}, {0x151, "o"}, {0x153, "oe"}, {0x159, "r"}, {0x161, "s"},
     {0x167, "t"}, {0x173, "u"}, {0x175, "w"}, {0x178, "y"}, {0x17E, "z"}, {0x17F, "s"}}};

// Decodes one code point at `at`, advancing it; an invalid sequence yields its first byte
// read as Windows-1252.
char32_t next_code_point(std::string_view text, std::size_t& at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char first = byte(at);
  if (first < 0x80) {
    ++at;
    return first;
  }
  int length = 0;
  char32_t value = 0;
  if ((first & 0xE0) == 0xC0) {
    length = 2;
    value = first & 0x1F;
  } else if ((first & 0xF0) == 0xE0) {
    length = 3;
    value = first & 0x0F;
  } else if ((first & 0xF8) == 0xF0) {
    length = 4;
    value = first & 0x07;
  }
  bool valid = length > 0 && at + static_cast<std::size_t>(length) <= text.size();
  for (int i = 1; valid && i < length; ++i) {
    const unsigned char c = byte(at + static_cast<std::size_t>(i));
    valid = (c & 0xC0) == 0x80;
    value = (value << 6) | (c & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (RFC 3629); fuzzing
  // found F5..F7 leads and surrogates passed through and written back as invalid UTF-8.
  if (valid && value >= 0x80 && !(length == 3 && value < 0x800) && !(length == 4 && value < 0x10000) &&
      value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF)) {
    at += static_cast<std::size_t>(length);
    return value;
  }
  ++at;
  return first < 0xA0 ? kCp1252[first - 0x80] : first;
}

// Appends the folded form of `c` to `word`; returns false when `c` separates words.
bool fold_into(std::string& word, char32_t c) {
  if (c < 0x80) {
    if (c >= 'A' && c <= 'Z') {
      word += static_cast<char>(c - 'A' + 'a');
      return true;
    }
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word += static_cast<char>(c);
      return true;
    }
    return false;
  }
  if (c >= 0xC0 && c <= 0xFF) {
    const char* base = kLatin1[c - 0xC0];
    if (*base == '\0') return false;
    word += base;
    return true;
  }
  if (c >= 0x100 && c <= 0x17F) {
    for (const Run& run : kLatinA) {
      if (c <= run.last) {
        word += run.base;
        return true;
      }
    }
  }
  if (c == 0x192) {
    word += 'f';
    return true;
  }
  // Punctuation, symbols, spaces and byte-order marks separate; other scripts stay as they are.
  const bool separator = c < 0x180 || (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || c == 0xFEFF ||
                         (c >= 0xFE00 && c <= 0xFE0F) || c == 0x02C6 || c == 0x02DC;
  if (separator) return false;
  append_utf8(word, c);
  return true;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.pop_back();
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    lines.push_back(line.substr(start));
  }
  return lines;
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  for (auto& token : tokenize(text)) words.push_back(std::move(token.word));
  return words;
}

std::string key_of(const std::vector<std::string>& words) {
  std::string key;
  for (const auto& word : words) {
    key += key.empty() ? "" : " ";
    key += stem(word);
  }
  return key;
}

}  // namespace

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  Token current;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t start = at;
    const char32_t c = next_code_point(text, at);
    const std::size_t before = current.word.size();
    if (fold_into(current.word, c)) {
      if (before == 0) current.begin = start;
      current.end = at;
    } else if (!current.word.empty()) {
      tokens.push_back(std::move(current));
      current = Token{};
    }
  }
  if (!current.word.empty()) tokens.push_back(std::move(current));
  return tokens;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string to_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const char32_t c = next_code_point(text, at);
    append_utf8(out, c == 0 ? U'\uFFFD' : c);
  }
  return out;
}

std::string fold(std::string_view text) {
  std::string folded;
  for (const auto& token : tokenize(text)) {
    folded += folded.empty() ? "" : " ";
    folded += token.word;
  }
  return folded;
}

std::string stem(const std::string& folded_word) {
  // Snowball's Dutch stemmer leaves these pairs apart; searchers expect them together.
  static const std::unordered_map<std::string, std::string> kOverrides = {
      {"kinder", "kind"}, {"seksuel", "seksueel"}, {"uitgebuit", "uitbuit"}, {"criminel", "crimineel"}};
  thread_local Xapian::Stem snowball("dutch");
  std::string stemmed = snowball(folded_word);
  if (const auto found = kOverrides.find(stemmed); found != kOverrides.end()) return found->second;
  return stemmed;
}

AnalyzerLists builtin_lists() {
  const auto& assets = embedded_assets();
  const auto get = [&](const char* name) {
    const auto found = assets.find(name);
    assert(found != assets.end() && "the build embeds src/kb/data");
    return std::string(found->second);
  };
  return {get("/lexicon.txt"), get("/do-not-split.txt"), get("/not-a-part.txt"), get("/synonyms.txt")};
}

Result<std::unique_ptr<Analyzer>> Analyzer::load(const std::filesystem::path& word_list, const AnalyzerLists& lists) {
  std::unique_ptr<Analyzer> analyzer(new Analyzer());
  std::ifstream in(word_list);
  if (!in) {
    return fail(ErrorCode::kIo,
                fmt::format("{}: cannot read the word list (Debian package wdutch)", word_list.string()));
  }
  analyzer->lexicon_.reserve(420000);
  std::string line;
  while (std::getline(in, line)) {
    // Capitalised entries are names (Amsterdam, Europol); they make poor compound parts.
    if (line.empty() || (line[0] >= 'A' && line[0] <= 'Z')) continue;
    std::string folded = fold(line);
    if (folded.find(' ') == std::string::npos && !folded.empty()) analyzer->lexicon_.insert(std::move(folded));
  }
  for (const auto& entry : lines_of(lists.lexicon)) analyzer->lexicon_.insert(fold(entry));
  for (const auto& entry : lines_of(lists.do_not_split)) analyzer->do_not_split_.insert(stem(fold(entry)));
  for (const auto& entry : lines_of(lists.not_a_part)) analyzer->not_a_part_.insert(fold(entry));
  for (const auto& line_text : lines_of(lists.synonyms)) {
    std::vector<std::vector<std::string>> group;
    std::string_view rest = line_text;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      auto words = words_of(rest.substr(0, comma));
      if (!words.empty()) group.push_back(std::move(words));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    if (group.size() < 2) continue;
    const std::size_t index = analyzer->groups_.size();
    for (const auto& member : group) {
      analyzer->group_of_[key_of(member)].push_back(index);
      analyzer->longest_member_ = std::max(analyzer->longest_member_, member.size());
    }
    analyzer->groups_.push_back(std::move(group));
  }
  return analyzer;
}

bool Analyzer::known(std::string_view word) const {
  return word.size() >= kMinPart && lexicon_.count(std::string(word)) > 0 && not_a_part_.count(std::string(word)) == 0;
}

bool Analyzer::learned(const std::string& word) const {
  const std::shared_lock lock(learned_mutex_);
  return learned_.count(word) > 0;
}

void Analyzer::count_head_candidates(std::string_view text, std::unordered_map<std::string, int>& counts) const {
  for (const Token& token : tokenize(text)) {
    const std::string& word = token.word;
    if (word.size() < kMinHead || word.size() > 40) continue;
    if (word.find_first_of("0123456789") != std::string::npos) continue;
    if (lexicon_.count(word) > 0 || not_a_part_.count(word) > 0) continue;
    ++counts[word];
  }
}

std::vector<std::string> Analyzer::head_candidates(const std::unordered_map<std::string, int>& counts) const {
  std::vector<std::string> heads;
  for (const auto& [word, count] : counts) {
    if (count < 2) continue;
    if (!compute_split(word, 0).empty()) continue;  // A compound of known words, not a name.
    heads.push_back(word);
  }
  std::sort(heads.begin(), heads.end());
  return heads;
}

void Analyzer::learn_heads(const std::vector<std::string>& folded_words) {
  {
    const std::unique_lock lock(learned_mutex_);
    for (const auto& word : folded_words) learned_.insert(word);
  }
  const std::lock_guard lock(cache_mutex_);
  split_cache_.clear();  // Earlier answers may have missed a head learned now.
}

std::size_t Analyzer::learned_heads() const {
  const std::shared_lock lock(learned_mutex_);
  return learned_.size();
}

// Splits at the longest known tail (the head of a Dutch compound is its last part) whose
// remaining head is known, possibly after removing a linking morpheme (-s-, -e-, -en-, -er-),
// or splits itself. "Split whenever all parts are known" with a do-not-split list, as measured
// in docs/kennisbank.md.
std::vector<std::string> Analyzer::compute_split(const std::string& word, int depth) const {
  if (word.size() < kMinSplit || depth > kMaxDepth || do_not_split_.count(stem(word)) > 0) return {};
  for (std::size_t tail_length = word.size() - kMinPart; tail_length >= kMinPart; --tail_length) {
    const std::string tail = word.substr(word.size() - tail_length);
    if (!known(tail)) continue;
    const std::string head = word.substr(0, word.size() - tail_length);
    for (const std::string_view linker : {"", "s", "en", "er", "e"}) {
      if (head.size() < linker.size() + kMinPart || !head.ends_with(linker)) continue;
      const std::string stripped = head.substr(0, head.size() - linker.size());
      if (known(stripped)) return {stripped, tail};
      // A name or loanword the corpus uses on its own heads the compound as it is.
      if (linker.empty() && stripped.size() >= kMinHead && learned(stripped)) return {stripped, tail};
    }
    for (const std::string_view linker : {"", "s", "en", "e"}) {
      if (head.size() < linker.size() + kMinSplit || !head.ends_with(linker)) continue;
      const std::string stripped = head.substr(0, head.size() - linker.size());
      if (!compute_split(stripped, depth + 1).empty()) return {stripped, tail};
    }
  }
  return {};
}

std::vector<std::string> Analyzer::split(const std::string& folded_word) const {
  {
    const std::lock_guard lock(cache_mutex_);
    if (const auto found = split_cache_.find(folded_word); found != split_cache_.end()) return found->second;
  }
  auto result = compute_split(folded_word, 0);
  const std::lock_guard lock(cache_mutex_);
  if (split_cache_.size() > 2'000'000) split_cache_.clear();
  split_cache_.emplace(folded_word, result);
  return result;
}

std::vector<std::string> Analyzer::parts(const std::string& folded_word) const {
  std::vector<std::string> all;
  std::vector<std::string> pending{folded_word};
  while (!pending.empty()) {
    const std::string word = std::move(pending.back());
    pending.pop_back();
    for (auto& part : split(word)) {
      if (std::find(all.begin(), all.end(), part) != all.end()) continue;
      pending.push_back(part);
      all.push_back(std::move(part));
    }
  }
  return all;
}

std::vector<std::vector<std::string>> Analyzer::synonyms(const std::vector<std::string>& folded_words) const {
  std::vector<std::vector<std::string>> result;
  const auto found = group_of_.find(key_of(folded_words));
  if (found == group_of_.end()) return result;
  const std::string key = found->first;
  for (const std::size_t group : found->second) {
    for (const auto& member : groups_[group]) {
      if (key_of(member) == key) continue;
      if (std::find(result.begin(), result.end(), member) == result.end()) result.push_back(member);
    }
  }
  return result;
}

std::size_t Analyzer::synonym_match(const std::vector<std::string>& words, std::size_t from) const {
  for (std::size_t length = std::min(longest_member_, words.size() - from); length >= 1; --length) {
    const std::vector<std::string> candidate(words.begin() + static_cast<std::ptrdiff_t>(from),
                                             words.begin() + static_cast<std::ptrdiff_t>(from + length));
    if (group_of_.count(key_of(candidate)) > 0) return length;
  }
  return 0;
}

}  // namespace rapporteur::kb::internal
