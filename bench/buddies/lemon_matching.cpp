// bench/buddies/lemon_matching.cpp: LEMON's MaxWeightedMatching on the graph of a `match buddies`
// cohort, for bench/buddies/compare.py (not built by CMake).
//
// Input (text): "n m K", then m lines "u v w" (allowed pairs, weight = score + stickiness). Each
// weight gets the offset K (larger than any change of total a pair more or less can make), so
// the maximum-weight matching has the most pairs first, then the largest weight: the objective
// of one `match buddies` pairing. Prints "pairs weight solve_ms" (the run() call only).
//   g++ -O2 -o lemon_matching lemon_matching.cpp
#include <chrono>
#include <cstdio>
#include <vector>

#include <lemon/matching.h>
#include <lemon/smart_graph.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: lemon_matching FILE\n");
		return 2;
	}
	std::FILE *f = std::fopen(argv[1], "r");
	long n, m;
	double K;
	if (!f || std::fscanf(f, "%ld %ld %lf", &n, &m, &K) != 3)
		return 1;
	typedef lemon::SmartGraph G;
	G g;
	std::vector<G::Node> v(n);
	for (long i = 0; i < n; i++)
		v[i] = g.addNode();
	G::EdgeMap<double> w(g);
	std::vector<double> orig;
	for (long k = 0; k < m; k++) {
		long a, b;
		double x;
		if (std::fscanf(f, "%ld %ld %lf", &a, &b, &x) != 3)
			return 1;
		G::Edge e = g.addEdge(v[a], v[b]);
		w[e] = x + K;
	}
	std::fclose(f);
	auto t0 = std::chrono::steady_clock::now();
	lemon::MaxWeightedMatching<G, G::EdgeMap<double> > mwm(g, w);
	mwm.run();
	auto t1 = std::chrono::steady_clock::now();
	long pairs = mwm.matchingSize();
	double total = mwm.matchingWeight() - K * (double)pairs;
	std::printf("%ld %.6f %.3f\n", pairs, total,
		    std::chrono::duration<double, std::milli>(t1 - t0).count());
	return 0;
}
