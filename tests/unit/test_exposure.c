/*
 * test_exposure.c: the step of an exposure plan in force the day before, the day of and the day
 * after each step, and before the plan starts.
 */
#include <check.h>
#include <stdlib.h>

#include <peerlink/exposure.h>

START_TEST(steps_change_on_their_day)
{
	const pl_exposure_step plan[3] = { { 100, 1 }, { 110, 4 }, { 124, 8 } };
	ck_assert_uint_eq(pl_exposure_step_in_force(plan, 3, 50), 0); /* before: the first */
	for (size_t j = 0; j < 3; j++) {
		ck_assert_uint_eq(pl_exposure_step_in_force(plan, 3, plan[j].from - 1),
				  j == 0 ? 0 : j - 1);
		ck_assert_uint_eq(pl_exposure_step_in_force(plan, 3, plan[j].from), j);
		ck_assert_uint_eq(pl_exposure_step_in_force(plan, 3, plan[j].from + 1), j);
	}
	ck_assert_uint_eq(pl_exposure_step_in_force(plan, 1, 1000), 0);
}
END_TEST

/* Current rosters: nobody moves without a reason; a step-up client may only go to a larger group;
 * the step's own date is the first day it counts. */
START_TEST(rosters_move_only_with_reason)
{
	const pl_exposure_step plan[2] = { { 200, 4 }, { 214, 8 } };
	size_t before = plan[pl_exposure_step_in_force(plan, 2, 213)].max_group_size;
	size_t on = plan[pl_exposure_step_in_force(plan, 2, 214)].max_group_size;

	/* In a group of 4: the day before the step to 8 they stay, from its day they may step up. */
	ck_assert_int_eq(pl_roster_rule_for(0, 4, 1, before, 0), PL_ROSTER_STAYS);
	ck_assert_int_eq(pl_roster_rule_for(0, 4, 1, on, 0), PL_ROSTER_STEP_UP);
	/* Without a plan, or with a plan no wider than the current group: stay. */
	ck_assert_int_eq(pl_roster_rule_for(1, 6, 0, 0, 0), PL_ROSTER_STAYS);
	ck_assert_int_eq(pl_roster_rule_for(1, 6, 1, 6, 0), PL_ROSTER_STAYS);
	/* New clients, one-on-one steps, and rematch "all". */
	ck_assert_int_eq(pl_roster_rule_for(-1, 0, 0, 0, 0), PL_ROSTER_NEW);
	ck_assert_int_eq(pl_roster_rule_for(0, 4, 1, 1, 0), PL_ROSTER_ONE_ON_ONE);
	ck_assert_int_eq(pl_roster_rule_for(0, 4, 1, 1, 1), PL_ROSTER_ONE_ON_ONE);
	ck_assert_int_eq(pl_roster_rule_for(0, 4, 0, 0, 1), PL_ROSTER_REMATCH);
	/* Where each may go: group 0 is theirs (4 members), group 1 holds up to 4, group 2 up to 8. */
	for (size_t g = 0; g < 3; g++) {
		size_t mx = g == 2 ? 8 : 4;
		ck_assert_int_eq(pl_roster_may_join(PL_ROSTER_STAYS, 0, 4, g, mx), g == 0);
		ck_assert_int_eq(pl_roster_may_join(PL_ROSTER_STEP_UP, 0, 4, g, mx), g != 1);
		ck_assert_int_eq(pl_roster_may_join(PL_ROSTER_ONE_ON_ONE, 0, 4, g, mx), 0);
		ck_assert_int_eq(pl_roster_may_join(PL_ROSTER_NEW, -1, 0, g, mx), 1);
		ck_assert_int_eq(pl_roster_may_join(PL_ROSTER_REMATCH, 0, 4, g, mx), 1);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exposure");
	TCase *t = tcase_create("steps");
	SRunner *sr;
	int failed;

	tcase_add_test(t, steps_change_on_their_day);
	tcase_add_test(t, rosters_move_only_with_reason);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
