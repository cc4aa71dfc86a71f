/*
 * branchgated.c - the gateway daemon: flag and config-file parsing, then the
 * store and the API. Everything else lives in the modules.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ip4.h"
#include "log.h"
#include "model.h"
#include "store.h"

struct daemon_cfg {
	char		 db[1024];
	char		 listen[128];
	char		 datadir[1024];
	struct model_ctx ctx;
	bool		 endpoint_set;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: branchgated [options]\n"
"  --db URL             store (default sqlite:./var/branchgate.db)\n"
"  --api HOST:PORT      REST API listen address (default 127.0.0.1:8080;\n"
"                       port 0 picks a free port)\n"
"  --endpoint ZONE=IP   public tunnel endpoint of availability zone 1 or 2\n"
"                       (repeatable; default 1=127.0.0.1)\n"
"  --asn N              gateway BGP ASN (default 65476)\n"
"  --data-dir DIR       shipped data (Microsoft 365 endpoint list)\n"
"  --config FILE        read the same options from FILE, one 'key value'\n"
"                       per line ('#' comments); flags given later win\n"
"  --log-level LEVEL    debug, info, warn or error (default info)\n"
"  --help\n");
}

static int
cfg_set(struct daemon_cfg *c, const char *key, const char *val)
{
	unsigned long zone, asn;
	uint32_t ip;
	char *end;

	if (strcmp(key, "db") == 0)
		snprintf(c->db, sizeof(c->db), "%s", val);
	else if (strcmp(key, "api") == 0)
		snprintf(c->listen, sizeof(c->listen), "%s", val);
	else if (strcmp(key, "data-dir") == 0)
		snprintf(c->datadir, sizeof(c->datadir), "%s", val);
	else if (strcmp(key, "endpoint") == 0) {
		zone = strtoul(val, &end, 10);
		if (end == val || *end != '=' || zone < 1 ||
		    zone > MODEL_ZONES_MAX || ip4_parse(end + 1, &ip) == -1 ||
		    ip == 0) {
			fprintf(stderr, "branchgated: --endpoint '%s': want "
			    "ZONE=IPV4 with ZONE 1..%d\n", val, MODEL_ZONES_MAX);
			return -1;
		}
		if (!c->endpoint_set) {
			memset(c->ctx.endpoint, 0, sizeof(c->ctx.endpoint));
			c->endpoint_set = true;
		}
		c->ctx.endpoint[zone - 1] = ip;
	} else if (strcmp(key, "asn") == 0) {
		errno = 0;
		asn = strtoul(val, &end, 10);
		if (errno != 0 || *end != '\0' || asn < 1 || asn > 4294967294UL) {
			fprintf(stderr, "branchgated: --asn '%s': want 1..4294967294\n",
			    val);
			return -1;
		}
		c->ctx.gateway_asn = (uint32_t)asn;
	} else if (strcmp(key, "log-level") == 0) {
		if (strcmp(val, "debug") == 0)
			log_set_level(LOG_DEBUG);
		else if (strcmp(val, "info") == 0)
			log_set_level(LOG_INFO);
		else if (strcmp(val, "warn") == 0)
			log_set_level(LOG_WARN);
		else if (strcmp(val, "error") == 0)
			log_set_level(LOG_ERR);
		else {
			fprintf(stderr, "branchgated: unknown log level '%s'\n", val);
			return -1;
		}
	} else {
		fprintf(stderr, "branchgated: unknown option '%s'\n", key);
		return -1;
	}
	return 0;
}

static int
cfg_file(struct daemon_cfg *c, const char *path)
{
	char line[1200], *k, *v, *e;
	FILE *f;
	int lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "branchgated: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((e = strchr(line, '#')) != NULL)
			*e = '\0';
		k = line + strspn(line, " \t");
		e = k + strcspn(k, " \t=\r\n");
		if (e == k)
			continue;
		v = e + strspn(e, " \t=");
		*e = '\0';
		v[strcspn(v, "\r\n")] = '\0';
		while (*v && (v[strlen(v) - 1] == ' ' || v[strlen(v) - 1] == '\t'))
			v[strlen(v) - 1] = '\0';
		if (cfg_set(c, k, v) == -1) {
			fprintf(stderr, "branchgated: %s:%d: bad line\n", path,
			    lineno);
			rc = -1;
		}
	}
	fclose(f);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "api", required_argument, NULL, 'a' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "asn", required_argument, NULL, 'n' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon_cfg c;
	struct api_config ac;
	struct store *st = NULL;
	struct api *api = NULL;
	char err[256], ep[IP4_STRLEN];
	sigset_t sigs;
	int ch, sig, i;

	memset(&c, 0, sizeof(c));
	snprintf(c.db, sizeof(c.db), "sqlite:./var/branchgate.db");
	snprintf(c.listen, sizeof(c.listen), "127.0.0.1:8080");
	snprintf(c.datadir, sizeof(c.datadir), "%s", BG_DATADIR);
	c.ctx.gateway_asn = MODEL_GATEWAY_ASN;
	c.ctx.endpoint[0] = 0x7f000001;		/* 127.0.0.1 */

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *key = NULL;

		switch (ch) {
		case 'd': key = "db"; break;
		case 'a': key = "api"; break;
		case 'e': key = "endpoint"; break;
		case 'n': key = "asn"; break;
		case 'D': key = "data-dir"; break;
		case 'l': key = "log-level"; break;
		case 'c':
			if (cfg_file(&c, optarg) == -1)
				return 64;
			continue;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
		if (cfg_set(&c, key, optarg) == -1)
			return 64;
	}
	if (optind != argc) {
		usage(stderr);
		return 64;
	}

	/* Block the stop signals before any thread exists; main waits for them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (store_open(c.db, &st, err, sizeof(err)) == -1) {
		log_err("cannot open store %s: %s", c.db, err);
		return 1;
	}
	memset(&ac, 0, sizeof(ac));
	ac.listen = c.listen;
	ac.datadir = c.datadir;
	ac.ctx = c.ctx;
	if (api_start(&api, st, &ac) == -1) {
		store_close(st);
		return 1;
	}
	for (i = 0; i < MODEL_ZONES_MAX; i++)
		if (c.ctx.endpoint[i] != 0)
			log_info("gateway zone %d endpoint %s", i + 1,
			    ip4_fmt(c.ctx.endpoint[i], ep));
	log_info("gateway ASN %u, store %s (schema %d)", c.ctx.gateway_asn,
	    c.db, store_schema_version(st));
	{
		char host[128];
		char *colon;

		snprintf(host, sizeof(host), "%s", c.listen);
		if ((colon = strrchr(host, ':')) != NULL)
			*colon = '\0';
		if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0)
			snprintf(host, sizeof(host), "127.0.0.1");
		log_info("API listening on http://%s:%u", host, api_port(api));
	}

	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP: nothing to reload; configuration "
			    "changes made through the API apply at once");
			continue;
		}
		break;
	}
	log_info("signal %d: shutting down", sig);
	api_stop(api);
	store_close(st);
	return 0;
}
