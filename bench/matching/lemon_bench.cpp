// lemon_bench.cpp FILE: LEMON's MaxWeightedMatching on one instance from gen.py.
// Prints "total <weight> solve_ms <wall ms> cpu_ms <process CPU ms>"; only run() is timed
// (graph building is not).
#include <lemon/smart_graph.h>
#include <lemon/matching.h>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <vector>

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: lemon_bench FILE\n");
		return 2;
	}
	FILE *f = std::fopen(argv[1], "r");
	if (!f)
		return 1;
	long n, m;
	if (std::fscanf(f, "%ld %ld", &n, &m) != 2)
		return 1;
	lemon::SmartGraph g;
	std::vector<lemon::SmartGraph::Node> nodes;
	for (long i = 0; i < n; i++)
		nodes.push_back(g.addNode());
	lemon::SmartGraph::EdgeMap<long long> w(g);
	for (long k = 0; k < m; k++) {
		long u, v;
		long long x;
		if (std::fscanf(f, "%ld %ld %lld", &u, &v, &x) != 3)
			return 1;
		w[g.addEdge(nodes[u], nodes[v])] = x;
	}
	std::fclose(f);
	lemon::MaxWeightedMatching<lemon::SmartGraph, lemon::SmartGraph::EdgeMap<long long>> mwm(g, w);
	auto t0 = std::chrono::steady_clock::now();
	std::clock_t c0 = std::clock();
	mwm.run();
	std::clock_t c1 = std::clock();
	auto t1 = std::chrono::steady_clock::now();
	std::printf("total %lld solve_ms %.3f cpu_ms %.3f\n", (long long)mwm.matchingWeight(),
		    std::chrono::duration<double, std::milli>(t1 - t0).count(),
		    1000.0 * (double)(c1 - c0) / CLOCKS_PER_SEC);
	return 0;
}
