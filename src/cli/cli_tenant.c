/*
 * cli_tenant.c - "tenant create", the one offline command: it opens the
 * store directly to mint a tenant and its API token, and prints the token
 * once (only its hash is stored).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_out.h"
#include "guid.h"
#include "model.h"
#include "store.h"
#include "token.h"
#include "wallclock.h"

_Static_assert(MODEL_ID_LEN == GUID_STRLEN, "tenant ids are GUIDs");
_Static_assert(STORE_TOKEN_ID_LEN == TOKEN_ID_LEN, "token id length");
_Static_assert(STORE_HASH_LEN == TOKEN_HASH_LEN, "token hash length");

static int
tenant_create(struct cli *c, struct args *a)
{
	struct store		*st = NULL;
	struct store_tenant	 t;
	char			 tok[TOKEN_STRLEN + 1], tid[TOKEN_ID_LEN + 1];
	uint8_t			 hash[TOKEN_HASH_LEN];
	char			 err[256] = "";
	const char		*db = a->val[O_DB] ? a->val[O_DB] :
				    CLI_DEFAULT_DB;
	json_t			*o = NULL;
	int			 ret = CLI_API;

	(void)c;
	memset(&t, 0, sizeof(t));
	if (strlen(a->arg[0]) > MODEL_NAME_MAX)
		return cli_out_usage("tenant name longer than %d bytes",
		    MODEL_NAME_MAX);
	memcpy(t.name, a->arg[0], strlen(a->arg[0]) + 1);
	t.created_ms = wallclock_now_ms();
	if (guid_new(t.id) == -1 || token_new(tok, tid, hash) == -1) {
		SRV_ERR(CLI_API, "NoRandomness", "no randomness for the "
		    "tenant id or token");
		goto fail;
	}
	if (store_open(db, &st, err, sizeof(err)) != 0) {
		SRV_ERR(CLI_API, "StoreError", "cannot open store %s: %s", db,
		    err);
		goto fail;
	}
	if (store_tenant_add(st, &t, tid, hash) != 0) {
		SRV_ERR(CLI_API, "StoreError", "cannot add the tenant to %s",
		    db);
		goto fail;
	}
	if ((o = json_pack("{s:s, s:s, s:s}", "id", t.id, "name", t.name,
	    "token", tok)) == NULL) {
		SRV_ERR(CLI_API, "InvalidName", "the tenant name is not valid "
		    "UTF-8 (the tenant was created; its token is lost)");
		goto fail;
	}
	cli_out_json(o);
	ret = CLI_OK;
fail:
	json_decref(o);
	if (st != NULL)
		store_close(st);
	explicit_bzero(tok, sizeof(tok));
	explicit_bzero(hash, sizeof(hash));
	return ret;
}

static const struct cli_cmd tenant_cmds[] = {
	{ "create", OM(O_DB), 1, 1, true, 0, tenant_create },
};

const struct cli_group cli_tenant_group = { "tenant",
"usage: branchgate tenant create NAME [--db URL]\n"
"\n"
"Creates a tenant directly in the store (no server needed; run it where\n"
"branchgated's database lives) and prints {\"id\", \"name\", \"token\"} as "
"JSON.\n"
"The token is shown once; only its hash is stored.\n"
"  --db URL   store URL, default " CLI_DEFAULT_DB "\n",
	tenant_cmds, CLI_NELEM(tenant_cmds) };
