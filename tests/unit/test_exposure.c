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

int main(void)
{
	Suite *s = suite_create("exposure");
	TCase *t = tcase_create("steps");
	SRunner *sr;
	int failed;

	tcase_add_test(t, steps_change_on_their_day);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
