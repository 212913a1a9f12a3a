#include <algorithm>
#include <cmath>

#include "linkage/internal/scoring.h"

namespace rapporteur::linkage::internal {
namespace {

int name_level(const FieldSpec& spec, const BloomBits& x, std::uint64_t x_key, const BloomBits& y,
               std::uint64_t y_key) {
  if (x.ones == 0 || y.ones == 0) return kLevelMissing;
  const int exact = 2 + static_cast<int>(spec.dice_levels.size());
  if (x_key != 0 && y_key != 0) {
    if (x_key == y_key) return exact;
  } else if (x.words == y.words) {
    return exact;
  }
  const double d = dice(x, y);
  for (std::size_t i = 0; i < spec.dice_levels.size(); ++i) {
    if (d >= spec.dice_levels[i]) return exact - 1 - static_cast<int>(i);
  }
  return kLevelDisagree;
}

int date_level(const DateKeys& x, const DateKeys& y) {
  if (x.year == 0 || y.year == 0) return kLevelMissing;
  const bool year = x.year == y.year;
  const bool month = x.month != 0 && x.month == y.month;
  const bool day = x.day != 0 && x.day == y.day;
  if (year && month && day) return kDateExact;
  if (year && x.month != 0 && x.day != 0 && x.month == y.day && x.day == y.month) return kDateMonthDaySwap;
  const bool near_year = !year && (x.year_pair == y.year_pair || x.year_pair_odd == y.year_pair_odd);
  if (int{year} + int{month} + int{day} >= 2 || (near_year && month && day)) return kDateTwoOfThree;
  if (year) return kDateYearOnly;
  return kLevelDisagree;
}

}  // namespace

Pattern compare(const RecordSet& records, const std::optional<std::pair<std::size_t, std::size_t>>& swap,
                std::uint32_t a, std::uint32_t b) {
  Pattern pattern = 0;
  const auto& fields = records.fields();
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const auto& spec = fields[f];
    if (spec.use == FieldUse::kBlockOnly) continue;
    int level = kLevelMissing;
    switch (spec.kind) {
      case FieldKind::kName:
        level =
            name_level(spec, records.bloom(a, f), records.name_key(a, f), records.bloom(b, f), records.name_key(b, f));
        break;
      case FieldKind::kKey: {
        const auto x = records.key(a, f);
        const auto y = records.key(b, f);
        if (x != 0 && y != 0) level = x == y ? 2 : kLevelDisagree;
        break;
      }
      case FieldKind::kDate:
        level = date_level(records.date(a, f), records.date(b, f));
        break;
    }
    pattern |= Pattern{static_cast<unsigned>(level)} << (4 * f);
  }
  if (swap) {
    // A source that wrote the names the other way round: compare crossed when crossing fits
    // clearly better, and take the crossed levels.
    const auto [first, last] = *swap;
    const auto& fa = records.bloom(a, first);
    const auto& la = records.bloom(a, last);
    const auto& fb = records.bloom(b, first);
    const auto& lb = records.bloom(b, last);
    if (fa.ones != 0 && la.ones != 0 && fb.ones != 0 && lb.ones != 0) {
      const double straight = dice(fa, fb) + dice(la, lb);
      const double crossed = dice(fa, lb) + dice(la, fb);
      if (crossed > straight + 0.5) {
        const int first_level =
            name_level(fields[first], fa, records.name_key(a, first), lb, records.name_key(b, last));
        const int last_level = name_level(fields[last], la, records.name_key(a, last), fb, records.name_key(b, first));
        pattern &= ~(Pattern{15} << (4 * first));
        pattern &= ~(Pattern{15} << (4 * last));
        pattern |= Pattern{static_cast<unsigned>(first_level)} << (4 * first);
        pattern |= Pattern{static_cast<unsigned>(last_level)} << (4 * last);
      }
    }
  }
  return pattern;
}

Weights::Weights(const RecordSet& records, const Model& model) : records_(records), model_(model) {
  const auto& fields = records.fields();
  weights_.resize(fields.size());
  exact_level_.assign(fields.size(), -1);
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const auto& fm = model.fields[f];
    weights_[f].assign(fm.m.size(), 0.0);
    for (std::size_t l = 1; l < fm.m.size(); ++l) weights_[f][l] = std::log2(fm.m[l] / fm.u[l]);
    if (fields[f].term_frequency == TermFrequency::kOn && f < model.term_frequencies.size() &&
        !model.term_frequencies[f].empty()) {
      exact_level_[f] = level_count(fields[f]) - 1;
    }
  }
  prior_weight_ = std::log2(model.prior / (1 - model.prior));
}

double Weights::field_weight(std::uint32_t a, std::size_t field, int level) const {
  if (level == kLevelMissing) return 0.0;
  if (level == exact_level_[field]) {
    const auto& tf = model_.term_frequencies[field];
    const auto it = tf.find(records_.key(a, field));
    // Term-frequency adjustment as in Splink (issue #2035): u of an exact agreement on
    // value v is v's share of the records, so agreeing on a common value weighs less.
    if (it != tf.end()) {
      const auto& fm = model_.fields[field];
      return std::log2(fm.m[static_cast<std::size_t>(level)] / std::max(it->second, 1e-9));
    }
  }
  return weights_[field][static_cast<std::size_t>(level)];
}

double Weights::weight(std::uint32_t a, Pattern pattern) const {
  double total = prior_weight_;
  for (std::size_t f = 0; f < weights_.size(); ++f) total += field_weight(a, f, level_of(pattern, f));
  return total;
}

double probability_of(double weight) { return 1.0 / (1.0 + std::exp2(-weight)); }

}  // namespace rapporteur::linkage::internal
