#include "linkage/probabilistic.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "linkage/internal/scoring.h"

namespace rapporteur::linkage {
namespace {

using internal::Pattern;

struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

using Swap = std::optional<std::pair<std::size_t, std::size_t>>;

Result<Swap> resolve_swap(const RecordSet& records, const std::optional<NameSwap>& swap) {
  if (!swap) return Swap{};
  const auto first = records.field_index(swap->first);
  const auto last = records.field_index(swap->last);
  const auto is_name = [&](const std::optional<std::size_t>& f) {
    return f && records.fields()[*f].kind == FieldKind::kName && records.fields()[*f].use == FieldUse::kCompare;
  };
  if (!is_name(first) || !is_name(last) || *first == *last) {
    return fail(
        ErrorCode::kInvalidArgument,
        fmt::format("name swap '{}'/'{}': expected two different compared name fields", swap->first, swap->last));
  }
  return Swap{std::pair{*first, *last}};
}

// u per field and level from random pairs (which are almost all non-matches), smoothed so
// that a level never seen among them keeps a finite weight.
std::int64_t estimate_u(const RecordSet& records, const LinkOptions& options, const Swap& swap, Model& model) {
  const auto n = records.size();
  const auto& fields = records.fields();
  std::vector<std::vector<double>> counts(fields.size());
  for (std::size_t f = 0; f < fields.size(); ++f) counts[f].assign(static_cast<std::size_t>(level_count(fields[f])), 0);
  SplitMix random{options.seed};
  std::int64_t sampled = 0;
  // Fewer than two records have no pairs to sample (and n = 0 must not reach the modulo).
  const std::size_t attempts = n < 2 ? 0 : options.u_sample_pairs * 4;
  for (std::size_t k = 0; k < attempts && sampled < static_cast<std::int64_t>(options.u_sample_pairs); ++k) {
    const auto a = static_cast<std::uint32_t>(random.next() % n);
    const auto b = static_cast<std::uint32_t>(random.next() % n);
    if (a == b) continue;
    if (options.scope == PairScope::kAcrossSources && records.source(a) == records.source(b)) continue;
    const Pattern pattern = internal::compare(records, swap, a, b);
    for (std::size_t f = 0; f < fields.size(); ++f)
      counts[f][static_cast<std::size_t>(internal::level_of(pattern, f))] += 1;
    ++sampled;
  }
  for (std::size_t f = 0; f < fields.size(); ++f) {
    auto& u = model.fields[f].u;
    u.assign(counts[f].size(), 0.0);
    double seen = 0;
    for (std::size_t l = 1; l < u.size(); ++l) seen += counts[f][l];
    const double smoothing = 0.5;
    const double total = seen + smoothing * static_cast<double>(u.size() - 1);
    for (std::size_t l = 1; l < u.size(); ++l) u[l] = (counts[f][l] + smoothing) / total;
  }
  return sampled;
}

// Starting values for EM: m rising steeply with agreement, a small prior.
void start_m(Model& model) {
  for (auto& field : model.fields) {
    auto& m = field.m;
    m.assign(field.u.size(), 0.0);
    double total = 0;
    for (std::size_t l = 1; l < m.size(); ++l) total += m[l] = std::pow(4.0, static_cast<double>(l));
    for (std::size_t l = 1; l < m.size(); ++l) m[l] /= total;
  }
  model.prior = 1e-6;
}

using Counts = std::vector<std::pair<Pattern, double>>;

Counts count_patterns(std::vector<Pattern> patterns) {
  std::sort(patterns.begin(), patterns.end());
  Counts distinct;
  for (const auto p : patterns) {
    if (distinct.empty() || distinct.back().first != p) distinct.emplace_back(p, 0.0);
    distinct.back().second += 1;
  }
  return distinct;
}

// log P(pattern | match) and log P(pattern | non-match), missing levels left out (missing at
// random, as fastLink treats them).
std::pair<double, double> log_likelihoods(const Model& model, Pattern pattern) {
  double lm = 0;
  double lu = 0;
  for (std::size_t f = 0; f < model.fields.size(); ++f) {
    const auto l = static_cast<std::size_t>(internal::level_of(pattern, f));
    if (l == 0) continue;
    lm += std::log(model.fields[f].m[l]);
    lu += std::log(model.fields[f].u[l]);
  }
  return {lm, lu};
}

struct RuleFit {
  std::vector<std::vector<double>> m;  // Per field and level; empty for the rule's own fields.
  double matches = 0;                  // Expected matches among the rule's pairs.
  int iterations = 0;
  bool converged = false;
};

// EM for m, u and the within-block prior on one blocking rule's pairs with the rule's own
// fields left out: their agreement is forced by the blocking (Splink's training per blocking
// rule). u is estimated here among the rule's non-matches rather than held at the random
// pairs' u: pairs that share a first name share its origin, so their surnames, nationality and
// region agree far more often than random pairs' do, and with the random pairs' u EM took
// namesakes (same name and nationality, another date of birth) for matches, putting 2% of
// matches at full date disagreement (demo 2023 trafficking victims: five false links, the
// estimate 7.1% low). Only m leaves the rule; pairs are scored with the random pairs' u.
// Runs over distinct patterns and their counts. Source: Fellegi and Sunter (1969); Jaro
// (1989) and Winkler (1988) for EM over m and u; Enamorado et al. (2019) eq. 3-5.
RuleFit fit_rule(const Model& start, const Counts& counts, const LinkOptions& options) {
  Model model = start;
  model.prior = 0.1;
  const std::size_t nf = model.fields.size();
  double pairs = 0;
  for (const auto& [pattern, count] : counts) pairs += count;
  std::vector<std::vector<double>> next(nf);
  std::vector<std::vector<double>> next_u(nf);
  RuleFit fit;
  for (int iteration = 1; iteration <= options.max_em_iterations; ++iteration) {
    for (std::size_t f = 0; f < nf; ++f) next[f].assign(model.fields[f].m.size(), 0.0);
    for (std::size_t f = 0; f < nf; ++f) next_u[f].assign(model.fields[f].u.size(), 0.0);
    double matches = 0;
    const double log_odds = std::log(model.prior / (1 - model.prior));
    for (const auto& [pattern, count] : counts) {
      const auto [lm, lu] = log_likelihoods(model, pattern);
      const double g = count / (1 + std::exp(lu - lm - log_odds));
      matches += g;
      for (std::size_t f = 0; f < nf; ++f) {
        const auto l = static_cast<std::size_t>(internal::level_of(pattern, f));
        next[f][l] += g;
        next_u[f][l] += count - g;
      }
    }
    // u of the rule's non-matches, smoothed as estimate_u smooths.
    for (std::size_t f = 0; f < nf; ++f) {
      auto& u = model.fields[f].u;
      double seen = 0;
      for (std::size_t l = 1; l < u.size(); ++l) seen += next_u[f][l];
      if (seen <= 0) continue;
      const double total = seen + 0.5 * static_cast<double>(u.size() - 1);
      for (std::size_t l = 1; l < u.size(); ++l) u[l] = std::max((next_u[f][l] + 0.5) / total, 1e-9);
    }
    double change = std::abs(matches / pairs - model.prior);
    model.prior = std::clamp(matches / pairs, 1e-9, 1 - 1e-9);
    for (std::size_t f = 0; f < nf; ++f) {
      auto& m = model.fields[f].m;
      double seen = 0;
      for (std::size_t l = 1; l < m.size(); ++l) seen += next[f][l];
      if (seen <= 0) continue;
      for (std::size_t l = 1; l < m.size(); ++l) {
        const double value = std::max(next[f][l] / seen, 1e-6);
        change = std::max(change, std::abs(value - m[l]));
        m[l] = value;
      }
    }
    fit.iterations = iteration;
    fit.matches = matches;
    if (change < options.em_tolerance) {
      fit.converged = true;
      break;
    }
  }
  fit.m.resize(nf);
  for (std::size_t f = 0; f < nf; ++f) fit.m[f] = model.fields[f].m;
  return fit;
}

// m per field: the rules' estimates where the field was free, weighted by each rule's
// expected matches.
void estimate_m(const RecordSet& records, const internal::Blocked& blocked, const std::vector<Pattern>& patterns,
                const LinkOptions& options, Model& model) {
  const std::size_t nf = records.fields().size();
  std::vector<std::vector<double>> sum(nf);
  std::vector<double> weight(nf, 0.0);
  for (std::size_t f = 0; f < nf; ++f) sum[f].assign(model.fields[f].m.size(), 0.0);
  model.converged = true;
  for (std::size_t rule = 0; rule < blocked.values.size(); ++rule) {
    Pattern mask = ~Pattern{0};
    for (const auto f : blocked.fields[rule]) mask &= ~(Pattern{15} << (4 * f));
    // With one free field the mixture is not identified (any m fits); such a rule trains
    // nothing.
    int free_fields = 0;
    for (std::size_t f = 0; f < nf; ++f) {
      if ((mask >> (4 * f) & 15U) != 0 && records.fields()[f].use == FieldUse::kCompare) ++free_fields;
    }
    if (free_fields < 2) continue;
    const auto& values = blocked.values[rule];
    std::vector<Pattern> mine;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      const auto a = blocked.pairs[i] >> 32;
      const auto b = blocked.pairs[i] & 0xffffffffU;
      if (values[a] != 0 && values[a] == values[b]) mine.push_back(patterns[i] & mask);
    }
    if (mine.empty()) continue;
    const RuleFit fit = fit_rule(model, count_patterns(std::move(mine)), options);
    model.em_iterations = std::max(model.em_iterations, fit.iterations);
    model.converged = model.converged && fit.converged;
    for (std::size_t f = 0; f < nf; ++f) {
      if ((mask >> (4 * f) & 15U) == 0) continue;
      for (std::size_t l = 1; l < sum[f].size(); ++l) sum[f][l] += fit.matches * fit.m[f][l];
      weight[f] += fit.matches;
    }
  }
  for (std::size_t f = 0; f < nf; ++f) {
    if (weight[f] <= 0) continue;  // Blocked on by every rule: keeps its starting m.
    for (std::size_t l = 1; l < sum[f].size(); ++l) model.fields[f].m[l] = sum[f][l] / weight[f];
  }
}

// The prior over all record pairs in scope (not just candidates): the posterior of a pair
// depends only on its comparison, with u measured over all pairs, so the prior must be too.
// Fixed point of prior = (expected matches among the candidates) / (pairs in scope), which
// takes the non-candidates as non-matches (blocking recall near 1).
void estimate_prior(const RecordSet& records, const std::vector<Pattern>& patterns, const LinkOptions& options,
                    Model& model) {
  double all_pairs = 0;
  if (options.scope == PairScope::kAllPairs) {
    const auto n = static_cast<double>(records.size());
    all_pairs = n * (n - 1) / 2;
  } else {
    std::unordered_map<std::uint32_t, double> per_source;
    for (std::uint32_t r = 0; r < records.size(); ++r) per_source[records.source(r)] += 1;
    double total = 0;
    double squares = 0;
    for (const auto& [source, count] : per_source) {
      total += count;
      squares += count * count;
    }
    all_pairs = (total * total - squares) / 2;
  }
  const Counts counts = count_patterns(patterns);
  std::vector<double> bayes_factor;
  for (const auto& [pattern, count] : counts) {
    const auto [lm, lu] = log_likelihoods(model, pattern);
    bayes_factor.push_back(lm - lu);
  }
  double prior = std::clamp(static_cast<double>(records.size()) / all_pairs, 1e-12, 0.5);
  for (int iteration = 0; iteration < 200; ++iteration) {
    const double log_odds = std::log(prior / (1 - prior));
    double matches = 0;
    for (std::size_t i = 0; i < counts.size(); ++i)
      matches += counts[i].second / (1 + std::exp(-bayes_factor[i] - log_odds));
    const double next = std::clamp(matches / all_pairs, 1e-12, 0.5);
    const bool done = std::abs(next - prior) < 1e-6 * prior;
    prior = next;
    if (done) break;
  }
  model.prior = prior;
}

void count_term_frequencies(const RecordSet& records, Model& model) {
  const auto& fields = records.fields();
  model.term_frequencies.assign(fields.size(), {});
  for (std::size_t f = 0; f < fields.size(); ++f) {
    if (fields[f].term_frequency == TermFrequency::kOff || fields[f].kind == FieldKind::kDate) continue;
    auto& tf = model.term_frequencies[f];
    double total = 0;
    for (std::uint32_t r = 0; r < records.size(); ++r) {
      const auto key = records.key(r, f);
      if (key == 0) continue;
      tf[key] += 1;
      total += 1;
    }
    for (auto& [key, count] : tf) count /= total;
  }
}

std::vector<Pattern> compare_all(const RecordSet& records, const Swap& swap, const std::vector<std::uint64_t>& pairs) {
  std::vector<Pattern> patterns(pairs.size());
  // Two halves on two threads: the machine this runs on has two cores.
  const auto work = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      patterns[i] = internal::compare(records, swap, static_cast<std::uint32_t>(pairs[i] >> 32),
                                      static_cast<std::uint32_t>(pairs[i]));
    }
  };
  if (pairs.size() < 100'000) {
    work(0, pairs.size());
  } else {
    std::thread other(work, pairs.size() / 2, pairs.size());
    work(0, pairs.size() / 2);
    other.join();
  }
  return patterns;
}

// The weight of a compared pair broken down by field.
PairExplanation explain(const RecordSet& records, const internal::Weights& weights, Pattern pattern, std::uint32_t a) {
  PairExplanation explanation;
  explanation.prior_weight = weights.prior_weight();
  explanation.weight = explanation.prior_weight;
  for (std::size_t f = 0; f < records.fields().size(); ++f) {
    if (records.fields()[f].use == FieldUse::kBlockOnly) continue;
    const int level = internal::level_of(pattern, f);
    const double w = weights.field_weight(a, f, level);
    explanation.fields.push_back({records.fields()[f].name, level, w});
    explanation.weight += w;
  }
  explanation.probability = internal::probability_of(explanation.weight);
  return explanation;
}

Result<void> check_review(const RecordSet& records, const LinkOptions& options) {
  for (const auto& d : options.decisions) {
    if (d.a >= records.size() || d.b >= records.size() || d.a == d.b) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("a decision on records {} and {}; expected two different "
                                                           "records below {}",
                                                           d.a, d.b, records.size()));
    }
  }
  if (const auto& band = options.review_band; band && !(band->from >= 0 && band->from <= band->to && band->to <= 1)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("a review band from {} to {}; expected 0 <= from <= to <= 1", band->from, band->to));
  }
  return ok();
}

}  // namespace

Result<LinkResult> link_records(const RecordSet& records, const LinkOptions& options) {
  for (const double t : {options.match_threshold, options.cluster_support}) {
    if (!(t > 0 && t <= 1)) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("a threshold of {}; expected one in (0, 1]", t));
    }
  }
  if (!(options.duplicate_threshold > 0)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("a duplicate threshold of {}; expected one above 0", options.duplicate_threshold));
  }
  RETURN_IF_ERROR(check_review(records, options));
  ASSIGN_OR_RETURN(const Swap swap, resolve_swap(records, options.name_swap));
  ASSIGN_OR_RETURN(auto blocked, internal::block(records, options));
  LinkResult result;
  result.blocking = std::move(blocked.counts);
  result.candidate_pairs = static_cast<std::int64_t>(blocked.pairs.size());
  Model& model = result.model;
  model.name_swap = swap;
  for (const auto& field : records.fields()) model.fields.push_back({.name = field.name});

  result.u_sample_pairs = estimate_u(records, options, swap, model);
  const auto patterns = compare_all(records, swap, blocked.pairs);
  start_m(model);
  if (!options.training_blocking.empty()) {
    LinkOptions training = options;
    training.blocking = options.training_blocking;
    ASSIGN_OR_RETURN(const auto training_pairs,
                     internal::block(records, training, options.max_training_pairs_per_rule));
    estimate_m(records, training_pairs, compare_all(records, swap, training_pairs.pairs), options, model);
  } else if (!patterns.empty()) {
    estimate_m(records, blocked, patterns, options, model);
  }
  if (!patterns.empty()) {
    estimate_prior(records, patterns, options, model);
  }
  count_term_frequencies(records, model);

  const internal::Weights weights(records, model);
  std::vector<std::uint64_t> non_matches;
  for (const auto& d : options.decisions) {
    if (d.decision == PairDecision::kNonMatch) non_matches.push_back(internal::pack(d.a, d.b));
  }
  std::sort(non_matches.begin(), non_matches.end());
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const auto a = static_cast<std::uint32_t>(blocked.pairs[i] >> 32);
    const auto b = static_cast<std::uint32_t>(blocked.pairs[i]);
    const double w = weights.weight(a, patterns[i]);
    const double p = internal::probability_of(w);
    if (options.review_band && p >= options.review_band->from && p <= options.review_band->to) {
      result.review.push_back({{a, b, w, p}, explain(records, weights, patterns[i], a)});
    }
    if (p < options.match_threshold) continue;
    // A clerk's non-match drops the direct link (the clustering keeps the two apart otherwise).
    if (std::binary_search(non_matches.begin(), non_matches.end(), blocked.pairs[i])) {
      ++result.rejected_non_match;
      continue;
    }
    result.links.push_back({a, b, w, p});
  }
  std::sort(result.review.begin(), result.review.end(), [](const BandPair& x, const BandPair& y) {
    const double dx = std::abs(x.pair.probability - 0.5);
    const double dy = std::abs(y.pair.probability - 0.5);
    if (dx != dy) return dx < dy;
    return std::pair{x.pair.a, x.pair.b} < std::pair{y.pair.a, y.pair.b};
  });
  auto clustering = internal::cluster(records, weights, swap, result.links, options);
  result.cluster = std::move(clustering.cluster);
  result.clusters = clustering.clusters;
  result.duplicates = std::move(clustering.duplicates);
  result.rejected_weak_bridges = clustering.rejected_weak_bridges;
  result.rejected_same_source = clustering.rejected_same_source;
  result.rejected_non_match += clustering.rejected_non_match;
  result.refused_matches = clustering.refused_matches;
  return result;
}

Result<PairExplanation> explain_pair(const RecordSet& records, const Model& model, std::uint32_t a, std::uint32_t b) {
  if (a >= records.size() || b >= records.size()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("records {} and {}; expected indices below {}", a, b, records.size()));
  }
  if (model.fields.size() != records.fields().size()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("a model of {} fields for records of {}", model.fields.size(), records.fields().size()));
  }
  const internal::Weights weights(records, model);
  return explain(records, weights, internal::compare(records, model.name_swap, a, b), a);
}

}  // namespace rapporteur::linkage
