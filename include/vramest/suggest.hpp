// suggest.hpp — "did you mean" for names typed by hand (GPU ids, precisions, model ids).
//
//   auto hint = did_you_mean("rtx4090", {"rtx-4090", "rtx-3090"});   // "did you mean 'rtx-4090'?"
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace vramest {

inline std::string to_lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// Levenshtein distance, case-insensitive; inputs are short names, so O(n*m) is fine.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The closest candidate within a third of the query's length (at least 2 edits), or "".
// A candidate that contains the query, or is contained in it, also counts as close.
inline std::string closest_name(std::string_view query, const std::vector<std::string>& candidates) {
  const std::string lower = to_lower(query);
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, query.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    std::size_t distance = edit_distance(lower, candidate);
    if (distance >= best_distance && !lower.empty() && candidate.find(lower) != std::string::npos) {
      distance = best_distance - 1;
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

inline std::string did_you_mean(std::string_view query, const std::vector<std::string>& candidates) {
  const std::string best = closest_name(query, candidates);
  return best.empty() ? std::string{} : "did you mean '" + best + "'?";
}

}  // namespace vramest
