/*
 * peerlink/peerlink.h: every public header of libpeerlink in one include, for programs that use
 * several modules (`#include <peerlink/peerlink.h>`; link with `pkg-config --libs peerlink`).
 * Each module's own header says what it does and who owns what; include just that one to keep
 * compile times and dependencies small. The test api.umbrella fails when a header under
 * include/peerlink/ is missing here.
 */
#ifndef PEERLINK_PEERLINK_H
#define PEERLINK_PEERLINK_H

#include <peerlink/version.h>
#include <peerlink/error.h>

#include <peerlink/assign.h>
#include <peerlink/blossom.h>
#include <peerlink/bocpd.h>
#include <peerlink/buddies.h>
#include <peerlink/checkins.h>
#include <peerlink/comm.h>
#include <peerlink/compat.h>
#include <peerlink/evaluate.h>
#include <peerlink/ews.h>
#include <peerlink/exposure.h>
#include <peerlink/facilitators.h>
#include <peerlink/gen.h>
#include <peerlink/groups.h>
#include <peerlink/idset.h>
#include <peerlink/import.h>
#include <peerlink/json.h>
#include <peerlink/json_data.h>
#include <peerlink/json_exposure.h>
#include <peerlink/json_facilitators.h>
#include <peerlink/json_match.h>
#include <peerlink/json_outreach.h>
#include <peerlink/json_risk.h>
#include <peerlink/json_score.h>
#include <peerlink/kalman.h>
#include <peerlink/limits.h>
#include <peerlink/mentors.h>
#include <peerlink/metrics.h>
#include <peerlink/npy.h>
#include <peerlink/outreach.h>
#include <peerlink/plot.h>
#include <peerlink/profile.h>
#include <peerlink/rng.h>
#include <peerlink/program.h>
#include <peerlink/report.h>
#include <peerlink/risk.h>
#include <peerlink/spc.h>
#include <peerlink/utf8.h>

#endif
