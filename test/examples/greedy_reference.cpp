// SPDX-License-Identifier: Apache-2.0
// Checks one nacs-greedy run against the plain reference (nacs_ref): the picks in
// its CSV, their gains and weights, and the objective in its JSON line.
//
//   greedy_reference OBJECTIVE X.npy PICKS.csv SOLVER SIMILARITY K [EPSILON SEED]
//
// SOLVER naive or lazy: the reference's naive greedy; stochastic or lazier: its
// stochastic greedy with EPSILON and SEED (lazier picks the same rows). One
// partition, default similarity settings. Picks and weights must be equal;
// gains and F within 1e-12 of the largest gain (resp. of F): the same float kernel
// terms summed in double in another order. Exit status 0 when all agree, else 1
// with what differs on stderr.
#include <nacs/io/npy.hpp>

#include <nacs_ref/problems.hpp>
#include <nacs_ref/stochastic.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct csv_row {
  std::size_t index;
  double gain;
  long long weight;
};

std::vector<csv_row> read_picks(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  std::string line;
  std::getline(in, line);
  if (line != "index,gain,weight") throw std::runtime_error(path + ": header '" + line + "'");
  std::vector<csv_row> rows;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    csv_row r{};
    char c1 = 0, c2 = 0;
    if (!(ls >> r.index >> c1 >> r.gain >> c2 >> r.weight) || c1 != ',' || c2 != ',')
      throw std::runtime_error(path + ": malformed row '" + line + "'");
    rows.push_back(r);
  }
  return rows;
}

template <class S>
int check(const S& sim, double objective, const nacs::matrix<float>& x, const std::vector<csv_row>& csv,
          const std::string& solver, std::size_t k, double eps, std::uint64_t seed) {
  const auto obj = nacs::facility_location{x.view(), sim};
  const nacs::matrix<std::uint32_t> no_ids;
  double f = 0.0;
  std::vector<long long> weights;
  const auto ref = nacs_ref::with_plain_problem(obj, x, no_ids, {}, [&](nacs_ref::facility_problem& p) {
    nacs_ref::sampled_result r = (solver == "naive" || solver == "lazy") ? nacs_ref::naive_greedy(p, k)
                                                                          : nacs_ref::stochastic_greedy(p, k, eps, seed);
    f = p.value();
    // Weight: rows whose most similar pick it is (ties to the lowest row index).
    weights.assign(r.picks.size(), 0);
    if (!r.picks.empty())
      for (std::size_t i = 0; i < p.n; ++i) {
        std::size_t owner = 0;
        for (std::size_t q = 1; q < r.picks.size(); ++q) {
          const float a = p.s[i * p.n + r.picks[q]], b = p.s[i * p.n + r.picks[owner]];
          if (a > b || (a == b && r.picks[q] < r.picks[owner])) owner = q;
        }
        ++weights[owner];
      }
    return r;
  });
  int bad = 0;
  if (csv.size() != ref.picks.size()) {
    std::fprintf(stderr, "the CSV has %zu picks, the reference %zu\n", csv.size(), ref.picks.size());
    return 1;
  }
  double scale = 1.0;
  for (const double g : ref.gains) scale = std::max(scale, std::abs(g));
  for (std::size_t t = 0; t < csv.size(); ++t) {
    if (csv[t].index != ref.picks[t] || csv[t].weight != weights[t] ||
        !(std::abs(csv[t].gain - ref.gains[t]) <= 1e-12 * scale)) {
      std::fprintf(stderr, "pick %zu: nacs-greedy %zu gain %.17g weight %lld; reference %zu gain %.17g weight %lld\n", t,
                   csv[t].index, csv[t].gain, csv[t].weight, ref.picks[t], ref.gains[t], weights[t]);
      ++bad;
    }
  }
  if (!(std::abs(objective - f) <= 1e-12 * std::max(1.0, f))) {
    std::fprintf(stderr, "objective: nacs-greedy %.17g, reference %.17g\n", objective, f);
    ++bad;
  }
  if (bad == 0) std::printf("ok: %zu picks, gains, weights and F = %.17g equal the reference's\n", csv.size(), f);
  return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7 && argc != 9) {
    std::fprintf(stderr, "usage: greedy_reference OBJECTIVE X.npy PICKS.csv SOLVER SIMILARITY K [EPSILON SEED]\n");
    return 2;
  }
  try {
    const double objective = std::stod(argv[1]);
    const auto x = nacs::read_npy<float>(std::string(argv[2]));
    const auto csv = read_picks(argv[3]);
    const std::string solver = argv[4], sim = argv[5];
    const auto k = static_cast<std::size_t>(std::stoull(argv[6]));
    const double eps = argc == 9 ? std::stod(argv[7]) : 1e-3;
    const std::uint64_t seed = argc == 9 ? std::stoull(argv[8]) : 0;
    if (sim == "neg-distance") return check(nacs::neg_distance{}, objective, x, csv, solver, k, eps, seed);
    if (sim == "exp-distance") return check(nacs::exp_distance{}, objective, x, csv, solver, k, eps, seed);
    if (sim == "cosine") return check(nacs::cosine{}, objective, x, csv, solver, k, eps, seed);
    if (sim == "rbf") return check(nacs::rbf{}, objective, x, csv, solver, k, eps, seed);
    std::fprintf(stderr, "unknown similarity '%s'\n", sim.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "greedy_reference: %s\n", e.what());
    return 1;
  }
}
