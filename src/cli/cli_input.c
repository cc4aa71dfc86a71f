/*
 * cli_input.c - --body, secrets and delete confirmation (cli_input.h).
 * A secret typed at a terminal is read without echo; one given as a
 * command-line value works but is warned about (ps shows it) and then
 * overwritten in argv.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "cli_input.h"
#include "cli_out.h"
#include "sb.h"

#define BODY_MAX	((size_t)16 << 20)

/* "-" is stdin, which can be read once per run. */
static int
input_open(const char *path, const char *opt, bool *stdin_used, int *fd)
{
	if (strcmp(path, "-") == 0) {
		if (*stdin_used)
			return cli_out_usage("only one option can read stdin "
			    "(%s -)", opt);
		*stdin_used = true;
		*fd = STDIN_FILENO;
		return CLI_OK;
	}
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return CLI_ERR(CLI_USAGE, "UsageError", "%s: %s", path,
		    strerror(errno));
	return CLI_OK;
}

static void
input_close(int fd)
{
	if (fd != STDIN_FILENO)
		close(fd);
}

int
cli_input_body(const struct args *a, bool *stdin_used, json_t **out)
{
	struct sbuf	 b = SB_INIT(BODY_MAX);
	json_error_t	 jerr;
	const char	*path = a->val[O_BODY];
	int		 fd, ret;

	*out = NULL;
	if (path == NULL) {
		if ((*out = json_object()) == NULL)
			sb_oom();
		return CLI_OK;
	}
	if ((ret = input_open(path, "--body", stdin_used, &fd)) != CLI_OK)
		return ret;
	if (sb_read_fd(fd, &b) == -1)
		ret = CLI_ERR(CLI_USAGE, "UsageError", "%s: %s", path,
		    strerror(errno));
	else if ((*out = json_loadb(b.p != NULL ? b.p : "", b.len, 0,
	    &jerr)) == NULL)
		ret = CLI_ERR(CLI_USAGE, "UsageError", "%s: line %d column "
		    "%d: %s", path, jerr.line, jerr.column, jerr.text);
	else if (!json_is_object(*out)) {
		ret = CLI_ERR(CLI_USAGE, "UsageError", "%s: not a JSON "
		    "object", path);
		json_decref(*out);
		*out = NULL;
	}
	input_close(fd);
	sb_free(&b);
	return ret;
}

/*
 * One line from the terminal, into b (bounded) or, for the delete
 * question, lower-cased into a small buffer. echo false: the PSK prompt.
 */
static int
input_tty_line(bool echo, struct sbuf *b)
{
	struct termios	 old, quiet;
	bool		 restore = false;
	ssize_t		 n;
	char		 ch;
	int		 ret = 0;

	if (!echo && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	for (;;) {
		n = read(STDIN_FILENO, &ch, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || ch == '\n')
			break;
		if (sb_add(b, &ch, 1) == -1 && !echo) {
			errno = EFBIG;
			ret = -1;
			break;
		}
	}
	ch = 0;
	if (n == -1)
		ret = -1;
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (!echo || n <= 0)
		fputc('\n', stderr);
	return ret;
}

/* A file or stdin (a terminal: prompted, without echo) into b. */
static int
input_secret_fd(const char *path, const char *opt, const char *what,
    bool *stdin_used, struct sbuf *b)
{
	int	 fd, ret;

	if ((ret = input_open(path, opt, stdin_used, &fd)) != CLI_OK)
		return ret;
	if (fd == STDIN_FILENO && isatty(fd)) {
		fprintf(stderr, "%s: ", what);
		fflush(stderr);
		ret = input_tty_line(false, b);
	} else
		ret = sb_read_fd(fd, b);
	input_close(fd);
	if (ret == -1)
		return CLI_ERR(CLI_USAGE, "UsageError", "%s: %s",
		    strcmp(path, "-") == 0 ? "stdin" : path,
		    errno == EFBIG ? "secret too long" : strerror(errno));
	sb_chomp(b);
	return CLI_OK;
}

int
cli_input_secret(struct args *a, enum opt plain, enum opt file, enum opt env,
    const char *what, bool *stdin_used, struct sbuf *b)
{
	const char	*v;
	int		 ret;

	if (a->set[plain] + a->set[file] + a->set[env] > 1)
		return cli_out_usage("give the %s once: %s, %s or %s", what,
		    cli_args_name(plain), cli_args_name(file),
		    cli_args_name(env));
	if (a->set[plain] && strcmp(a->val[plain], "-") != 0) {
		fprintf(stderr, "warning: %s on the command line is visible "
		    "to other users in the process list; use %s, %s or "
		    "%s -\n", what, cli_args_name(file), cli_args_name(env),
		    cli_args_name(plain));
		sb_adds(b, a->val[plain]);
		cli_args_hide(a->val[plain]);
	} else if (a->set[env]) {
		if ((v = getenv(a->val[env])) == NULL)
			return cli_out_usage("%s: environment variable %s is "
			    "not set", cli_args_name(env), a->val[env]);
		sb_adds(b, v);
		sb_chomp(b);
	} else if (a->set[plain] || a->set[file]) {
		if ((ret = input_secret_fd(a->set[plain] ? "-" : a->val[file],
		    cli_args_name(a->set[plain] ? plain : file), what,
		    stdin_used, b)) != CLI_OK)
			return ret;
	} else
		return CLI_OK;
	if (b->over)
		return CLI_ERR(CLI_USAGE, "UsageError", "the %s is too long",
		    what);
	if (b->p == NULL)
		sb_add(b, "", 0);	/* given but empty: the server decides */
	return CLI_OK;
}

/*
 * Deletes cannot be undone, so on a terminal they ask first; --yes, -y and
 * BRANCHGATE_YES=1 answer yes. With neither a terminal nor a yes, nothing
 * can confirm: the delete is refused as a usage error, as a script that
 * forgot --yes deserves, rather than done on nobody's word.
 */
enum cli_input_confirm
cli_input_confirm_mode(const struct args *a)
{
	const char	*y = getenv("BRANCHGATE_YES");

	if (a->set[O_YES] || (y != NULL && strcmp(y, "1") == 0))
		return CLI_INPUT_YES;
	if (isatty(STDIN_FILENO))
		return CLI_INPUT_ASK;
	return CLI_INPUT_REFUSE;
}

int
cli_input_confirm_ask(const char *what)
{
	struct sbuf	 ans = SB_INIT(7);
	size_t		 i;
	bool		 yes;

	cli_out_f(stderr, "Delete %s? [y/N] ", what);
	fflush(stderr);
	input_tty_line(true, &ans);
	while (ans.len > 0 && (ans.p[ans.len - 1] == ' ' ||
	    ans.p[ans.len - 1] == '\r'))
		ans.p[--ans.len] = '\0';
	for (i = 0; i < ans.len; i++)
		ans.p[i] = (char)tolower((unsigned char)ans.p[i]);
	yes = ans.p != NULL && (strcmp(ans.p, "y") == 0 ||
	    strcmp(ans.p, "yes") == 0);
	sb_free(&ans);
	if (yes)
		return CLI_OK;
	return CLI_ERR(CLI_UNCONFIRMED, "NotConfirmed", "not deleted");
}
