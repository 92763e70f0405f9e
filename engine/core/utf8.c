/*
 * utf8.c: UTF-8 validation (RFC 3629, section 4's syntax): the checks that let the importer turn
 * a cell into a JSON string or reject it with its row and column, never its bytes.
 */
#include <peerlink/utf8.h>

#include <string.h>

/* Length of the valid sequence starting at s (at most n bytes available), or 0 if none. */
static size_t sequence_length(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates U+D800..U+DFFF */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0; /* a continuation byte, an overlong lead (C0, C1) or F5..FF */
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return len;
}

size_t pl_utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k = sequence_length(u + i, n - i);
		if (k == 0)
			break;
		i += k;
	}
	return i;
}

int pl_utf8_valid(const char *s)
{
	size_t n = strlen(s);
	return pl_utf8_valid_prefix(s, n) == n;
}
