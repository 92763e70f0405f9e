/*
 * entry.c: the program's main(). All of the CLI lives in cli_main() (main.c), so that the fuzz
 * targets (tests/fuzz/) can link every CLI source but this one and run commands in-process.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
