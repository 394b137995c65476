// Numeric routines with the exact semantics of the Python libraries the TrustLLM toolkit uses
// (spec §5). Pure functions; no allocation of note.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace trustllm::stats {

// Python round(x, ndigits) on a float: rounds the exact binary value, ties to even.
double py_round(double x, int ndigits);
// numpy round / np.float64.__round__: rint(x * 10^nd) / 10^nd in double arithmetic.
double np_round(double x, int ndigits);

// sklearn macro-F1 over the classes 0..n_classes-1 (classification_report "macro avg" with
// zero_division=0): per class P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2PR/(P+R), any 0/0 = 0;
// the unweighted mean of the per-class F1. gold and pred have the same length.
double macro_f1(const std::vector<int>& gold, const std::vector<int>& pred, int n_classes);

// scipy.stats.chi2_contingency(table) p-value with correction=True: expected = row*col/N;
// dof = (r-1)(c-1); dof 0 -> p = 1; dof 1 -> Yates' correction; p = Q(dof/2, stat/2).
// Rows and columns must have positive sums (callers build the table from observed values).
double chi2_contingency_p(const std::vector<std::vector<double>>& table);
// The upper tail of the chi-square distribution with `dof` degrees of freedom.
double chi2_sf(double stat, double dof);

// Population Pearson correlation (np.corrcoef); nullopt when either standard deviation is 0
// or there are fewer than 2 pairs.
std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y);

// Python statistics.mean: the exact rational mean of the doubles, rounded once.
// Empty input: nullopt.
std::optional<double> exact_mean(const std::vector<double>& values);

// sklearn cosine_similarity of two vectors: dot of the L2-normalised vectors; a zero vector
// gives 0. Vectors of different length give nullopt.
std::optional<double> cosine(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace trustllm::stats
