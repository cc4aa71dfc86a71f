/*
 * cli_input.h - what the CLI reads besides its arguments: a --body file,
 * secrets (from a file, the environment or a terminal without echo), and
 * the answer to "Delete ...?".
 */
#ifndef CLI_INPUT_H
#define CLI_INPUT_H

#include <jansson.h>
#include <stdbool.h>

#include "cli_args.h"

struct sbuf;

/*
 * The request's base object: --body FILE|- (a JSON object) when given,
 * else a new empty one. stdin can be read once per run.
 */
int	cli_input_body(const struct args *, bool *stdin_used, json_t **);
/*
 * One secret from exactly one of --X VALUE|-, --X-file F, --X-env VAR;
 * b stays empty (b->p NULL) when none was given.
 */
int	cli_input_secret(struct args *, enum opt plain, enum opt file,
	    enum opt env, const char *what, bool *stdin_used, struct sbuf *b);

/* How a delete is confirmed. */
enum cli_input_confirm {
	CLI_INPUT_YES,		/* --yes, -y or BRANCHGATE_YES=1 */
	CLI_INPUT_ASK,		/* a terminal on stdin */
	CLI_INPUT_REFUSE,	/* neither: a usage error */
};

enum cli_input_confirm	cli_input_confirm_mode(const struct args *);
/* Ask "Delete what? [y/N]"; CLI_OK on y or yes, else CLI_UNCONFIRMED. */
int			cli_input_confirm_ask(const char *what);

#endif
