// bench/assignment/lemon_flow.cpp: LEMON's NetworkSimplex on the bipartite min-cost-flow form of a
// capacitated assignment program, for bench/assignment/realistic.py (not built by CMake).
//
// Input (text): "n m E", then m capacities, then E lines "row col cost" (allowed pairs only).
// Graph: each row supplies 1 unit; arcs row -> column (capacity 1, the pair's cost), column -> T
// (the column's capacity), and row -> T (capacity 1, cost BIG, "left out"), T demands n. BIG
// exceeds any difference of real totals, so the flow places the most rows, then the least cost:
// the objective of `peerlink solve assignment`. Prints "assigned total wall_ms cpu_ms" (run() only).
//   g++ -O2 -o lemon_flow lemon_flow.cpp
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <vector>

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: lemon_flow FILE\n");
		return 2;
	}
	std::FILE *f = std::fopen(argv[1], "r");
	long n, m, e;
	if (!f || std::fscanf(f, "%ld %ld %ld", &n, &m, &e) != 3)
		return 1;
	typedef lemon::SmartDigraph G;
	G g;
	std::vector<G::Node> rows(n), cols(m);
	for (long i = 0; i < n; i++)
		rows[i] = g.addNode();
	for (long j = 0; j < m; j++)
		cols[j] = g.addNode();
	G::Node t = g.addNode();
	G::ArcMap<long> cap(g);
	G::ArcMap<double> cost(g);
	G::NodeMap<long> supply(g, 0);
	std::vector<G::Arc> pair_arcs;
	std::vector<double> pair_cost;
	double lo = INFINITY, hi = -INFINITY;
	for (long j = 0; j < m; j++) {
		long c;
		if (std::fscanf(f, "%ld", &c) != 1)
			return 1;
		G::Arc a = g.addArc(cols[j], t);
		cap[a] = c;
		cost[a] = 0.0;
	}
	for (long k = 0; k < e; k++) {
		long i, j;
		double c;
		if (std::fscanf(f, "%ld %ld %lf", &i, &j, &c) != 3)
			return 1;
		G::Arc a = g.addArc(rows[i], cols[j]);
		cap[a] = 1;
		cost[a] = c;
		pair_arcs.push_back(a);
		pair_cost.push_back(c);
		lo = c < lo ? c : lo;
		hi = c > hi ? c : hi;
	}
	std::fclose(f);
	if (!(lo <= hi))
		lo = hi = 0.0;
	double big = 2.0 * ((double)n + 2.0) * (hi - lo + std::fabs(hi) + std::fabs(lo) + 1.0);
	for (long i = 0; i < n; i++) {
		G::Arc a = g.addArc(rows[i], t);
		cap[a] = 1;
		cost[a] = big;
		supply[rows[i]] = 1;
	}
	supply[t] = -n;
	lemon::NetworkSimplex<G, long, double> ns(g);
	ns.upperMap(cap).costMap(cost).supplyMap(supply);
	auto t0 = std::chrono::steady_clock::now();
	std::clock_t c0 = std::clock();
	lemon::NetworkSimplex<G, long, double>::ProblemType pt = ns.run();
	std::clock_t c1 = std::clock();
	auto t1 = std::chrono::steady_clock::now();
	if (pt != lemon::NetworkSimplex<G, long, double>::OPTIMAL)
		return 1;
	long assigned = 0;
	double total = 0.0;
	for (size_t k = 0; k < pair_arcs.size(); k++)
		if (ns.flow(pair_arcs[k]) > 0) {
			assigned++;
			total += pair_cost[k];
		}
	/* rows placed, total, run() wall ms, run() CPU ms (the figure to compare under load) */
	std::printf("%ld %.12g %.3f %.3f\n", assigned, total,
		    std::chrono::duration<double, std::milli>(t1 - t0).count(),
		    1000.0 * (double)(c1 - c0) / CLOCKS_PER_SEC);
	return 0;
}
