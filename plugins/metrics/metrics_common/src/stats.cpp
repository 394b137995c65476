// Numeric routines with Python / numpy / sklearn / scipy semantics (see stats.hpp).
#include "trustllm_metrics/stats.hpp"

#include <boost/math/special_functions/gamma.hpp>
#include <boost/multiprecision/cpp_int.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace trustllm::stats {

namespace {

using boost::multiprecision::cpp_int;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// numpy's pairwise summation (pairwise_sum in loops_utils.h) over a contiguous array, so
// sums over small tables match numpy bit for bit.
double np_pairwise_sum(const double* a, size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (size_t k = 0; k < 8; ++k) r[k] = a[k];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (size_t k = 0; k < 8; ++k) r[k] += a[i + k];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return np_pairwise_sum(a, n2) + np_pairwise_sum(a + n2, n - n2);
}

// x = mantissa * 2^exp exactly, mantissa an integer (x finite).
void split_double(double x, cpp_int& mantissa, int& exp) {
  int e = 0;
  const double f = std::frexp(std::fabs(x), &e);  // |x| = f * 2^e, f in [0.5, 1)
  const auto m = static_cast<long long>(std::ldexp(f, 53));
  mantissa = m;
  exp = e - 53;
  // Subnormals: the low bits are zero, drop them so that exp >= -1074.
  if (exp < -1074) {
    mantissa >>= static_cast<unsigned>(-1074 - exp);
    exp = -1074;
  }
  if (x < 0) mantissa = -mantissa;
}

// round(num / den) ties to even, den > 0.
cpp_int div_round_half_even(const cpp_int& num, const cpp_int& den) {
  const bool neg = num < 0;
  const cpp_int a = neg ? cpp_int(-num) : num;
  cpp_int q = a / den;
  const cpp_int r = a - q * den;
  const cpp_int twice = r * 2;
  if (twice > den || (twice == den && (q & 1) != 0)) ++q;
  return neg ? cpp_int(-q) : q;
}

// The double nearest to num / den (den > 0), ties to even, subnormals handled.
double rational_to_double(const cpp_int& num, const cpp_int& den) {
  if (num == 0) return 0.0;
  const bool neg = num < 0;
  const cpp_int p = neg ? cpp_int(-num) : num;
  // Choose k so that floor(p * 2^k / den) has 53 or 54 bits.
  const long long bits_p = static_cast<long long>(msb(p)) + 1;
  const long long bits_d = static_cast<long long>(msb(den)) + 1;
  long long k = 54 - (bits_p - bits_d);
  if (k > 1074) k = 1074;  // the smallest ulp is 2^-1074 (subnormals)
  cpp_int q, r;
  auto divide = [&](long long kk) {
    cpp_int scaled_p = p, scaled_d = den;
    if (kk >= 0)
      scaled_p <<= static_cast<unsigned>(kk);
    else
      scaled_d <<= static_cast<unsigned>(-kk);
    q = scaled_p / scaled_d;
    r = scaled_p - q * scaled_d;
    return scaled_d;
  };
  cpp_int d = divide(k);
  while (q != 0 && msb(q) + 1 > 53) {  // too many bits: one less binary digit
    --k;
    d = divide(k);
  }
  const cpp_int twice = r * 2;
  if (twice > d || (twice == d && (q & 1) != 0)) ++q;
  const double m = static_cast<double>(q);  // at most 2^53: exact
  const double v = std::ldexp(m, static_cast<int>(-k));
  return neg ? -v : v;
}

std::string decimal_string(const cpp_int& v) {
  return v.str();
}

}  // namespace

double py_round(double x, int ndigits) {
  if (!std::isfinite(x) || x == 0) return x;
  if (ndigits > 340) return x;
  if (ndigits >= 0) {
    // glibc printf rounds the exact binary value, ties to even.
    const int size = std::snprintf(nullptr, 0, "%.*f", ndigits, x);
    std::string buf(static_cast<size_t>(size) + 1, '\0');
    std::snprintf(buf.data(), buf.size(), "%.*f", ndigits, x);
    const double r = std::strtod(buf.c_str(), nullptr);
    return r == 0 ? std::copysign(0.0, x) : r;
  }
  if (ndigits < -330) return std::copysign(0.0, x);
  cpp_int m;
  int e = 0;
  split_double(x, m, e);
  cpp_int num = m, den = 1;
  if (e >= 0)
    num <<= static_cast<unsigned>(e);
  else
    den <<= static_cast<unsigned>(-e);
  const cpp_int scale = boost::multiprecision::pow(cpp_int(10), static_cast<unsigned>(-ndigits));
  const cpp_int q = div_round_half_even(num, den * scale);
  const std::string text = decimal_string(q) + "e" + std::to_string(-ndigits);
  const double r = std::strtod(text.c_str(), nullptr);
  return r == 0 ? std::copysign(0.0, x) : r;
}

double np_round(double x, int ndigits) {
  if (ndigits >= 0) {
    const double f = std::pow(10.0, ndigits);
    return std::rint(x * f) / f;
  }
  const double f = std::pow(10.0, -ndigits);
  return std::rint(x / f) * f;
}

double macro_f1(const std::vector<int>& gold, const std::vector<int>& pred, int n_classes) {
  if (n_classes <= 0) return 0.0;
  std::vector<long long> tp(static_cast<size_t>(n_classes)), fp(tp), fn(tp);
  const size_t n = std::min(gold.size(), pred.size());
  auto valid = [&](int c) { return c >= 0 && c < n_classes; };
  for (size_t i = 0; i < n; ++i) {
    const int g = gold[i], p = pred[i];
    if (g == p) {
      if (valid(g)) ++tp[static_cast<size_t>(g)];
      continue;
    }
    if (valid(p)) ++fp[static_cast<size_t>(p)];
    if (valid(g)) ++fn[static_cast<size_t>(g)];
  }
  double sum = 0;
  for (size_t c = 0; c < tp.size(); ++c) {
    const double t = static_cast<double>(tp[c]);
    const double pden = static_cast<double>(tp[c] + fp[c]);
    const double rden = static_cast<double>(tp[c] + fn[c]);
    const double precision = pden > 0 ? t / pden : 0.0;
    const double recall = rden > 0 ? t / rden : 0.0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    sum += f1;
  }
  return sum / static_cast<double>(n_classes);
}

double chi2_sf(double stat, double dof) {
  if (std::isnan(stat) || std::isnan(dof) || dof <= 0) return kNaN;
  if (stat <= 0) return 1.0;
  if (std::isinf(stat)) return 0.0;
  return boost::math::gamma_q(dof / 2.0, stat / 2.0);
}

double chi2_contingency_p(const std::vector<std::vector<double>>& table) {
  const size_t r = table.size();
  if (r == 0) throw std::invalid_argument("chi2_contingency_p: empty table");
  const size_t c = table[0].size();
  for (const auto& row : table)
    if (row.size() != c) throw std::invalid_argument("chi2_contingency_p: ragged table");
  if (c == 0) throw std::invalid_argument("chi2_contingency_p: empty table");

  std::vector<double> flat;
  flat.reserve(r * c);
  for (const auto& row : table) flat.insert(flat.end(), row.begin(), row.end());
  std::vector<double> row_sum(r), col_sum(c, 0.0);
  for (size_t i = 0; i < r; ++i) row_sum[i] = np_pairwise_sum(table[i].data(), c);
  for (size_t j = 0; j < c; ++j) {
    std::vector<double> col(r);
    for (size_t i = 0; i < r; ++i) col[i] = table[i][j];
    col_sum[j] = np_pairwise_sum(col.data(), r);
  }
  const double total = np_pairwise_sum(flat.data(), flat.size());

  std::vector<double> expected(r * c), observed = flat;
  for (size_t i = 0; i < r; ++i)
    for (size_t j = 0; j < c; ++j) {
      const double e = row_sum[i] * col_sum[j] / total;
      if (!(e > 0))
        throw std::invalid_argument(
            "chi2_contingency_p: a row or column sums to zero (expected frequency 0)");
      expected[i * c + j] = e;
    }
  const size_t dof = (r - 1) * (c - 1);
  if (dof == 0) return 1.0;
  if (dof == 1) {  // Yates' continuity correction
    for (size_t k = 0; k < observed.size(); ++k) {
      const double diff = expected[k] - observed[k];
      const double direction = diff > 0 ? 1.0 : (diff < 0 ? -1.0 : 0.0);
      observed[k] += std::min(0.5, std::fabs(diff)) * direction;
    }
  }
  std::vector<double> terms(observed.size());
  for (size_t k = 0; k < terms.size(); ++k) {
    const double d = observed[k] - expected[k];
    terms[k] = d * d / expected[k];
  }
  const double stat = np_pairwise_sum(terms.data(), terms.size());
  return chi2_sf(stat, static_cast<double>(dof));
}

std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n != y.size() || n < 2) return std::nullopt;
  const double nd = static_cast<double>(n);
  double sx = 0, sy = 0;
  for (size_t i = 0; i < n; ++i) {
    sx += x[i];
    sy += y[i];
  }
  const double mx = sx / nd, my = sy / nd;
  double cxy = 0, cxx = 0, cyy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    cxy += dx * dy;
    cxx += dx * dx;
    cyy += dy * dy;
  }
  const double std_x = std::sqrt(cxx / nd), std_y = std::sqrt(cyy / nd);
  if (std_x == 0 || std_y == 0 || !std::isfinite(std_x) || !std::isfinite(std_y))
    return std::nullopt;
  return (cxy / nd) / (std_x * std_y);
}

std::optional<double> exact_mean(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  for (double v : values) {
    if (!std::isfinite(v)) {  // statistics.mean propagates inf / nan
      double s = 0;
      for (double w : values) s += w;
      return s / static_cast<double>(values.size());
    }
  }
  // Every finite double is m * 2^e; sum over the common scale 2^min_e exactly.
  std::vector<std::pair<cpp_int, int>> parts;
  parts.reserve(values.size());
  int min_e = std::numeric_limits<int>::max();
  for (double v : values) {
    if (v == 0) continue;
    cpp_int m;
    int e = 0;
    split_double(v, m, e);
    min_e = std::min(min_e, e);
    parts.emplace_back(std::move(m), e);
  }
  if (parts.empty()) return 0.0;
  cpp_int sum = 0;
  for (const auto& [m, e] : parts) sum += m << static_cast<unsigned>(e - min_e);
  cpp_int den = values.size();
  if (min_e >= 0)
    sum <<= static_cast<unsigned>(min_e);
  else
    den <<= static_cast<unsigned>(-min_e);
  return rational_to_double(sum, den);
}

std::optional<double> cosine(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return std::nullopt;
  double na = 0, nb = 0;
  for (double v : a) na += v * v;
  for (double v : b) nb += v * v;
  na = std::sqrt(na);
  nb = std::sqrt(nb);
  if (na == 0) na = 1;  // sklearn normalize leaves zero rows unchanged
  if (nb == 0) nb = 1;
  double dot = 0;
  for (size_t i = 0; i < a.size(); ++i) dot += (a[i] / na) * (b[i] / nb);
  return dot;
}

double weighted_pearson(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<uint32_t>& w) {
  const size_t n = x.size();
  if (y.size() != n || w.size() != n) return kNaN;
  double total = 0, sx = 0, sy = 0;
  bool first = true, x_varies = false, y_varies = false;
  double x0 = 0, y0 = 0;
  for (size_t i = 0; i < n; ++i) {
    if (w[i] == 0) continue;
    const double c = w[i];
    total += c;
    sx += c * x[i];
    sy += c * y[i];
    if (first) {
      x0 = x[i];
      y0 = y[i];
      first = false;
    } else {
      x_varies = x_varies || x[i] != x0;
      y_varies = y_varies || y[i] != y0;
    }
  }
  if (total < 2 || !x_varies || !y_varies) return kNaN;
  const double mx = sx / total, my = sy / total;
  double cxy = 0, cxx = 0, cyy = 0;
  for (size_t i = 0; i < n; ++i) {
    if (w[i] == 0) continue;
    const double c = w[i];
    const double dx = x[i] - mx, dy = y[i] - my;
    cxy += c * (dx * dy);
    cxx += c * (dx * dx);
    cyy += c * (dy * dy);
  }
  const double std_x = std::sqrt(cxx / total), std_y = std::sqrt(cyy / total);
  if (std_x == 0 || std_y == 0 || !std::isfinite(std_x) || !std::isfinite(std_y)) return kNaN;
  return (cxy / total) / (std_x * std_y);
}

double crosstab_chi2_p(const std::vector<uint32_t>& row, const std::vector<uint32_t>& col,
                       const std::vector<uint32_t>& w, size_t n_rows, size_t n_cols) {
  const size_t n = row.size();
  if (col.size() != n || w.size() != n || n_rows == 0 || n_cols == 0) return kNaN;
  std::vector<double> cells(n_rows * n_cols, 0.0);
  for (size_t i = 0; i < n; ++i) {
    if (w[i] == 0) continue;
    if (row[i] >= n_rows || col[i] >= n_cols) return kNaN;
    cells[row[i] * n_cols + col[i]] += w[i];
  }
  std::vector<char> row_seen(n_rows, 0), col_seen(n_cols, 0);
  for (size_t r = 0; r < n_rows; ++r)
    for (size_t c = 0; c < n_cols; ++c)
      if (cells[r * n_cols + c] > 0) row_seen[r] = col_seen[c] = 1;
  std::vector<std::vector<double>> table;
  for (size_t r = 0; r < n_rows; ++r) {
    if (!row_seen[r]) continue;
    std::vector<double> line;
    for (size_t c = 0; c < n_cols; ++c)
      if (col_seen[c]) line.push_back(cells[r * n_cols + c]);
    table.push_back(std::move(line));
  }
  if (table.empty()) return kNaN;
  return chi2_contingency_p(table);
}

}  // namespace trustllm::stats
