/*
 * bgp_err.c - the words for a session's end: NOTIFICATION error codes and
 * subcodes (RFC 4271 §4.5, §6; RFC 6608 FSM; RFC 4486 Cease; RFC 7313
 * ROUTE-REFRESH) and one line per bgp_down, written in one place so that
 * the log and the status say the same thing, each part once.
 */
#include "bgp.h"

#include <stdio.h>
#include <string.h>

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const bgp_err_codes[] = { NULL, "message header error",
    "OPEN message error", "UPDATE message error", "hold timer expired",
    "FSM error", "cease", "ROUTE-REFRESH message error" };
static const char *const bgp_err_hdr[] = { NULL,
    "connection not synchronized", "bad message length", "bad message type" };
static const char *const bgp_err_open[] = { NULL, "unsupported version",
    "bad peer AS", "bad BGP identifier", "unsupported optional parameter",
    NULL, "unacceptable hold time", "unsupported capability" };
static const char *const bgp_err_upd[] = { NULL, "malformed attribute list",
    "unrecognized well-known attribute", "missing well-known attribute",
    "attribute flags error", "attribute length error", "invalid ORIGIN",
    NULL, "invalid NEXT_HOP", "optional attribute error",
    "invalid network field", "malformed AS_PATH" };
static const char *const bgp_err_fsm[] = { NULL,
    "unexpected message in OpenSent", "unexpected message in OpenConfirm",
    "unexpected message in Established" };
static const char *const bgp_err_cease[] = { NULL,
    "maximum number of prefixes reached", "administrative shutdown",
    "peer de-configured", "administrative reset", "connection rejected",
    "other configuration change", "connection collision resolution",
    "out of resources", "hard reset" };

const char *
bgp_err_code_name(uint8_t code)
{
	return code < N(bgp_err_codes) && bgp_err_codes[code] != NULL ?
	    bgp_err_codes[code] : "unknown error code";
}

const char *
bgp_err_subcode_name(uint8_t code, uint8_t sub)
{
	const char *const *t = NULL;
	size_t n = 0;

	switch (code) {
	case 1: t = bgp_err_hdr; n = N(bgp_err_hdr); break;
	case 2: t = bgp_err_open; n = N(bgp_err_open); break;
	case 3: t = bgp_err_upd; n = N(bgp_err_upd); break;
	case 5: t = bgp_err_fsm; n = N(bgp_err_fsm); break;
	case 6: t = bgp_err_cease; n = N(bgp_err_cease); break;
	}
	return t != NULL && sub < n ? t[sub] : NULL;
}

/* "3/2 UPDATE message error: unrecognized well-known attribute" */
static void
bgp_err_text(uint8_t code, uint8_t sub, char *out, size_t len)
{
	const char *s = bgp_err_subcode_name(code, sub);

	snprintf(out, len, "%u/%u %s%s%s", code, sub, bgp_err_code_name(code),
	    s != NULL ? ": " : "", s != NULL ? s : "");
}

const char *
bgp_down_text(const struct bgp_down *d, char *out, size_t len)
{
	char err[96];
	const char *det = d->detail != NULL ? d->detail : "";
	const char *sep = det[0] != '\0' ? ": " : "";

	bgp_err_text(d->code, d->subcode, err, sizeof(err));
	switch (d->reason) {
	case BGP_DOWN_NOTIFY_SENT:
		snprintf(out, len, "sent NOTIFICATION %s%s%.96s", err, sep, det);
		break;
	case BGP_DOWN_NOTIFY_RCVD:
		snprintf(out, len, "received NOTIFICATION %s%s%.96s", err, sep,
		    det);
		break;
	case BGP_DOWN_HOLD_EXPIRED:
		snprintf(out, len, "hold timer expired (sent NOTIFICATION "
		    "%u/%u)", d->code, d->subcode);
		break;
	case BGP_DOWN_TCP_CLOSED:
		snprintf(out, len, "TCP connection closed%s%.96s", sep, det);
		break;
	case BGP_DOWN_STOPPED:
		snprintf(out, len, "stopped locally (configuration change or "
		    "shutdown)");
		break;
	case BGP_DOWN_PATH:
		snprintf(out, len, "path to the peer down%s%.96s", sep, det);
		break;
	default:
		snprintf(out, len, "?");
		break;
	}
	return out;
}
