// Numeric routines with the exact semantics of the Python libraries the TrustLLM toolkit uses
// (spec §5). Pure functions; no allocation of note.
#pragma once

#include <cstddef>
#include <cstdint>
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

// ---- weighted versions, for bootstrap resamples ------------------------------------------
// In these, unit i counts w[i] times (w[i] = how often a resample drew it; 0 = not drawn), so
// the result is the plain statistic of the expanded sample. They return NaN where the
// statistic is undefined on the drawn units, never throw on data.

// pearson() of the pairs (x[i], y[i]) each taken w[i] times. NaN when the sizes differ, fewer
// than 2 pairs are drawn, or the drawn x (or y) values are all equal. With every weight 1 and
// non-constant x and y it equals pearson() bit for bit.
double weighted_pearson(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<uint32_t>& w);

// chi2_contingency_p() of the crosstab of items (row[i], col[i]), each taken w[i] times: a
// table of n_rows x n_cols cells in index order, from which rows and columns with no drawn item
// are left out (as pandas.crosstab only has observed values). NaN when no item is drawn or an
// index is out of range. With every weight 1 this is the table built from the items directly.
double crosstab_chi2_p(const std::vector<uint32_t>& row, const std::vector<uint32_t>& col,
                       const std::vector<uint32_t>& w, size_t n_rows, size_t n_cols);

}  // namespace trustllm::stats
