/*
 * peerlink/utf8.h: UTF-8 validation. Text read from outside JSON (CSV and TSV cells) must be
 * valid UTF-8 before it can become a JSON string: jansson refuses anything else, and a string
 * silently dropped from a document loses data (an id, an attribute). The rules are RFC 3629's:
 * no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
 */
#ifndef PEERLINK_UTF8_H
#define PEERLINK_UTF8_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The length of the longest prefix of s[0..n) made of whole, valid UTF-8 sequences: n when the
 * whole text is valid; a shorter value both locates the first bad byte and gives a place where
 * the text may be cut without splitting a character. */
size_t pl_utf8_valid_prefix(const char *s, size_t n);

/* 1 when the NUL-terminated s is valid UTF-8, else 0. */
int pl_utf8_valid(const char *s);

#ifdef __cplusplus
}
#endif
#endif
