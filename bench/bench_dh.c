/*
 * bench_dh.c - the DH-only ceiling for IKE setups, per group on one core:
 * "openssl" is the ceiling bench_ike prints (bench_dh.h: key pair +
 * export + peer import and check + derive straight on OpenSSL EVP, one
 * side of a setup), "ike_dh" the same work through ike_dh.c (what the
 * engine pays). setups/s = sides/s / 2: both peers do one side each.
 *
 * usage: bench_dh [seconds per group, default 1] [group ...]
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench_dh.h"
#include "ike_crypto.h"

/* ike_dh.c: fresh key pair + derive against a fixed peer value. */
static int
bench_module(int group, double secs, double *tk, double *td,
    unsigned long *n)
{
	uint8_t peer[IKE_DH_PUB_MAX], sec[IKE_DH_SECRET_MAX];
	size_t plen = sizeof(peer), slen;
	struct ike_dh *p, *dh;
	double t0, t1;

	*tk = *td = 0;
	*n = 0;
	if ((p = ike_dh_new(group, NULL, NULL)) == NULL ||
	    ike_dh_public(p, peer, &plen) == -1)
		return -1;
	ike_dh_free(p);
	t0 = bdh_now();
	do {
		t1 = bdh_now();
		if ((dh = ike_dh_new(group, NULL, NULL)) == NULL)
			return -1;
		*tk += bdh_now() - t1;
		t1 = bdh_now();
		slen = sizeof(sec);
		if (ike_dh_derive(dh, peer, plen, sec, &slen) == -1)
			return -1;
		*td += bdh_now() - t1;
		ike_dh_free(dh);
		(*n)++;
	} while (bdh_now() - t0 < secs);
	return 0;
}

static void
bench_line(int group, const char *what, double tk, double td,
    unsigned long n)
{
	printf("dh %2d %-13s %-7s %8.0f sides/s  %8.0f setups/s  (keypair "
	    "%.0f/s, derive %.0f/s, n=%lu)\n", group, bdh_name(group), what,
	    (double)n / (tk + td), (double)n / (tk + td) / 2, (double)n / tk,
	    (double)n / td, n);
}

static int
bench_group(int group, double secs)
{
	struct bdh b;
	double tk, td;
	unsigned long n;

	if (bdh_init(&b, group) == 0) {
		if (bdh_rate(&b, secs / 2) > 0)
			bench_line(group, "openssl", b.tk, b.td, b.n);
		bdh_free(&b);
	}
	if (bench_module(group, secs / 2, &tk, &td, &n) == -1)
		return -1;
	bench_line(group, "ike_dh", tk, td, n);
	return 0;
}

int
main(int argc, char **argv)
{
	static const int dflt[] = { IKE_DH_ECP256, IKE_DH_MODP2048,
	    IKE_DH_MODP2048S256, IKE_DH_CURVE25519 };
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	int i, rc = 0;

	if (secs <= 0)
		secs = 1.0;
	if (argc > 2) {
		for (i = 2; i < argc; i++)
			rc |= bench_group(atoi(argv[i]), secs);
	} else {
		for (i = 0; i < (int)(sizeof(dflt) / sizeof(dflt[0])); i++)
			rc |= bench_group(dflt[i], secs);
	}
	return rc ? 1 : 0;
}
