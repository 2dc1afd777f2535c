/* The senders of sender.h: the development log and an external program
 * for a real SMS gateway. */
#include "app/kernel/sender.h"
#include "util/log.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define COMMAND_WAIT_MS 10000   /* a gateway that takes longer is killed */
#define CHILD_ENV_MAX 64        /* variables handed to the gateway program */

/* Printed whatever --log-level says: on a development machine this line
 * is the only way the code reaches anyone. */
static int send_log(const struct sender *s, const char *phone, const char *text)
{
	(void)s;
	fprintf(stderr, "sms (log sender, not delivered) to %s: %s\n", phone, text);
	fflush(stderr);
	return 0;
}

/* What the reaper needs after the request has gone on. */
struct reap {
	pid_t pid;
	char program[256];
};

/* Waits for the gateway program (killing it after COMMAND_WAIT_MS) and
 * logs a failure: on its own thread, so that the request answers at once
 * and a start that sends a code takes no longer than one that does not. */
static void *reap_command(void *arg)
{
	struct reap *rp = arg;
	int status = 0;
	for (int waited = 0;; waited += 20) {
		pid_t w = waitpid(rp->pid, &status, WNOHANG);
		if (w == rp->pid)
			break;
		if (w < 0 && errno != EINTR) {
			log_error("sms sender: waiting for %s: %s", rp->program, strerror(errno));
			free(rp);
			return NULL;
		}
		if (waited >= COMMAND_WAIT_MS) {
			kill(rp->pid, SIGKILL);
			waitpid(rp->pid, &status, 0);
			log_error("sms sender: %s took longer than %d s and was stopped", rp->program,
				  COMMAND_WAIT_MS / 1000);
			free(rp);
			return NULL;
		}
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_error("sms sender: %s failed (status %d)", rp->program,
			  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	free(rp);
	return NULL;
}

/* The gateway program's environment: PATH, LANG and the ZHIYUAN_SMS_*
 * variables meant for it, nothing else. The server's own (ZHIYUAN_DB may
 * hold the database password, ZHIYUAN_ADMIN_PASSWORD the first admin's)
 * stays with the server. envp holds pointers into environ. */
static void child_env(char **envp)
{
	size_t n = 0;
	for (char **e = environ; *e && n < CHILD_ENV_MAX - 1; e++)
		if (strncmp(*e, "PATH=", 5) == 0 || strncmp(*e, "LANG=", 5) == 0 ||
		    strncmp(*e, "ZHIYUAN_SMS_", 12) == 0)
			envp[n++] = *e;
	envp[n] = NULL;
}

static int send_command(const struct sender *s, const char *phone, const char *text)
{
	char *argv[] = { (char *)s->program, (char *)phone, (char *)text, NULL };
	char *envp[CHILD_ENV_MAX];
	child_env(envp);
	/* and no descriptor but stdin, stdout and stderr, whoever opened it
	 * without close-on-exec (a library's file, a socket) */
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	pid_t pid;
	int rc = posix_spawn(&pid, s->program, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		log_error("sms sender: cannot run %s: %s", s->program, strerror(rc));
		return -1;
	}
	struct reap *rp = malloc(sizeof(*rp));
	if (!rp)
		abort();
	rp->pid = pid;
	snprintf(rp->program, sizeof(rp->program), "%s", s->program);
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, reap_command, rp) != 0)
		reap_command(rp);   /* no thread to spare: wait here */
	pthread_attr_destroy(&attr);
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
