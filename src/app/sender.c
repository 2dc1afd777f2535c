/* The senders of sender.h: the development log and an external program
 * for a real SMS gateway. */
#include "app/sender.h"
#include "util/log.h"
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define COMMAND_WAIT_MS 10000   /* a gateway that takes longer is killed */

/* Printed whatever --log-level says: on a development machine this line
 * is the only way the code reaches anyone. */
static int send_log(const struct sender *s, const char *phone, const char *text)
{
	(void)s;
	fprintf(stderr, "sms (log sender, not delivered) to %s: %s\n", phone, text);
	fflush(stderr);
	return 0;
}

static int send_command(const struct sender *s, const char *phone, const char *text)
{
	char *argv[] = { (char *)s->program, (char *)phone, (char *)text, NULL };
	pid_t pid;
	int rc = posix_spawn(&pid, s->program, NULL, NULL, argv, environ);
	if (rc != 0) {
		log_error("sms sender: cannot run %s: %s", s->program, strerror(rc));
		return -1;
	}
	/* a hung gateway must not hold a request thread for ever */
	int status = 0;
	for (int waited = 0;; waited += 20) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			log_error("sms sender: waiting for %s: %s", s->program, strerror(errno));
			return -1;
		}
		if (waited >= COMMAND_WAIT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			log_error("sms sender: %s took longer than %d s and was stopped", s->program,
				  COMMAND_WAIT_MS / 1000);
			return -1;
		}
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_error("sms sender: %s failed (status %d)", s->program,
			  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

int sender_parse(const char *spec, struct sender *s)
{
	memset(s, 0, sizeof(*s));
	if (!spec || strcmp(spec, "log") == 0) {
		s->send = send_log;
		s->kind = "log";
		s->shows_code = true;
		return 0;
	}
	if (strncmp(spec, "command:", 8) == 0 && spec[8] == '/' && strlen(spec + 8) < sizeof(s->program)) {
		snprintf(s->program, sizeof(s->program), "%s", spec + 8);
		s->send = send_command;
		s->kind = "command";
		return 0;
	}
	return -1;
}
