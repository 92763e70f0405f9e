#!/usr/bin/env python3
"""plateau.py DIR [TARGET...]: coverage against executions of long fuzz runs done in chunks
(tests/fuzz/run.sh with PL_FUZZ_CORPUS=DIR keeps each chunk's libFuzzer log as
DIR/logs/<target>.<UTC time>.log). The chunks of a target are joined in time order, each one's
execution count added to the total of the chunks before it (a chunk resumes from the corpus
the earlier ones kept).

A target is called plateaued when its coverage (libFuzzer's `cov:`, edges reached) did not grow
over the last half of its executions: the highest `cov:` seen up to half the total executions
equals the highest at the end. `ft:` (features: edges with hit-count buckets) keeps growing much
longer; its growth over the last half is printed for information. The last column is the rate
at which the last half discovered edges, per million executions: the chance that one more
execution reaches a new edge, in the spirit of Boehme's species-discovery view of fuzzing
(STADS, ACM TOSEM 2018), where a plateau is a discovery rate near zero. Prints one row per target
(Markdown table) and, with --curve, the points of each curve. Plain Python 3."""
import glob
import os
import re
import sys

LINE = re.compile(r"^#(\d+)\s+(INITED|NEW|REDUCE|pulse|DONE|RELOAD)\s+cov: (\d+) ft: (\d+)")


def curve(logdir, target):
    """[(total execs, cov, ft)] over every chunk, and the number of chunks."""
    points, offset, logs = [], 0, sorted(glob.glob(os.path.join(logdir, target + ".*.log")))
    logs = [p for p in logs if re.fullmatch(re.escape(target) + r"\.\d{8}T\d{6}\.log", os.path.basename(p))]
    for path in logs:
        last = 0
        with open(path, errors="replace") as f:
            for line in f:
                m = LINE.match(line)
                if m:
                    last = int(m.group(1))
                    points.append((offset + last, int(m.group(3)), int(m.group(4))))
                s = re.match(r"^stat::number_of_executed_units: (\d+)", line)
                if s:
                    last = max(last, int(s.group(1)))
        offset += last
    return points, offset, len(logs)


def best_up_to(points, execs, k):
    return max([p[k] for p in points if p[0] <= execs] or [0])


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show_curve = "--curve" in sys.argv
    logdir = os.path.join(args[0], "logs")
    targets = args[1:] or sorted({os.path.basename(p).split(".")[0]
                                  for p in glob.glob(os.path.join(logdir, "*.log"))})
    print("| target | chunks | executions | cov at 1/4, 1/2, 3/4, end of the executions | ft at 1/2, end | plateau (cov) | new edges per 10^6 executions, last half |")
    print("|---|---:|---:|---|---|---|---:|")
    for t in targets:
        points, total, chunks = curve(logdir, t)
        if not points:
            print("| %s | %d | 0 | | | no data | |" % (t, chunks))
            continue
        covs = [best_up_to(points, total * q / 4, 1) for q in (1, 2, 3, 4)]
        ft_h, ft = best_up_to(points, total / 2, 2), best_up_to(points, total, 2)
        verdict = "yes" if covs[3] == covs[1] else "no (+%d edges in the last half)" % (covs[3] - covs[1])
        rate = (covs[3] - covs[1]) / (total / 2) * 1e6 if total else 0.0
        print("| %s | %d | %d | %s | %d, %d | %s | %.1f |" % (t, chunks, total, ", ".join(map(str, covs)),
                                                             ft_h, ft, verdict, rate))
        if show_curve:
            step = max(1, len(points) // 20)
            print("    " + " ".join("%d:%d/%d" % p for p in points[::step] + points[-1:]))


main()
