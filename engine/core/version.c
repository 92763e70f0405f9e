/*
 * version.c: the running library's version, compiled in from the generated peerlink/version.h,
 * so a program can tell which libpeerlink it loaded (the header's macros say what it was built
 * against).
 */
#include <peerlink/version.h>

const char *pl_version(void)
{
	return PEERLINK_VERSION_STRING;
}
