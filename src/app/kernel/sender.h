/* Senders of short text messages to phones: how a one-time code reaches
 * the person claiming an account (claims.c). One small interface, so an
 * SMS gateway plugs in without touching the use cases:
 *
 *   log              development: the text is printed to the server log
 *                    (stderr) with the phone number; staff inviting a
 *                    volunteer are shown the code too (shows_code)
 *   command:PROGRAM  production: runs PROGRAM PHONE TEXT (no shell; both
 *                    as single arguments), which hands the text to the
 *                    operator's gateway and exits 0 once it is accepted;
 *                    the request does not wait for it
 *
 * docs/operations.md describes what a gateway program must do. */
#ifndef ZY_SENDER_H
#define ZY_SENDER_H
#include <stdbool.h>

struct sender {
	/* Delivers text to phone (11 digits). Returns 0 when handed over
	 * (a gateway program runs on and its failure is logged), -1 when it
	 * could not be (already logged). */
	int (*send)(const struct sender *s, const char *phone, const char *text);
	const char *kind;        /* "log" or "command" */
	bool shows_code;         /* development: staff may be shown the code */
	char program[256];       /* command: the program to run */
};

/* Parses a --sms-sender value into s. Returns 0, or -1 for a value that is
 * neither "log" nor "command:" followed by a program path. */
int sender_parse(const char *spec, struct sender *s);

#endif
