/*
 * entry.c: the program's main(). All of the CLI lives in cli_main() (main.c), so that the fuzz
 * targets (tests/fuzz/) can link every CLI source but this one and run commands in-process.
 * Before that, the process-wide choices every one of our programs makes (process.c: malloc keeps
 * freed memory, OpenBLAS on one thread).
 */
#include "cli.h"

int main(int argc, char **argv)
{
	cli_process_setup();
	return cli_main(argc, argv);
}
