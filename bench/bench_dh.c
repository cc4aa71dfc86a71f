/*
 * bench_dh.c - the DH-only ceiling for IKE setups: per group, how many
 * "fresh key pair + derive against a peer value" a single core does per
 * second through ike_dh.c (what a responder pays per IKE_SA_INIT). The IKE
 * bench compares its setups/s against these lines.
 *
 * usage: bench_dh [seconds per group, default 1] [group ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ike_crypto.h"

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
bench_name(int group)
{
	switch (group) {
	case IKE_DH_ECP256:		return "ecp256";
	case IKE_DH_ECP384:		return "ecp384";
	case IKE_DH_MODP2048:		return "modp2048";
	case IKE_DH_MODP2048S256:	return "modp2048s256";
	case IKE_DH_CURVE25519:		return "x25519";
	case IKE_DH_MODP1024:		return "modp1024";
	case IKE_DH_MODP768:		return "modp768";
	}
	return "?";
}

static int
bench_group(int group, double secs)
{
	uint8_t peer[IKE_DH_PUB_MAX], sec[IKE_DH_SECRET_MAX];
	size_t plen = sizeof(peer), slen;
	struct ike_dh *p, *dh;
	double t0, t1, tk = 0, td = 0;
	unsigned long n = 0;

	if ((p = ike_dh_new(group, NULL, NULL)) == NULL ||
	    ike_dh_public(p, peer, &plen) == -1)
		return -1;
	ike_dh_free(p);
	t0 = bench_now();
	do {
		t1 = bench_now();
		if ((dh = ike_dh_new(group, NULL, NULL)) == NULL)
			return -1;
		tk += bench_now() - t1;
		t1 = bench_now();
		slen = sizeof(sec);
		if (ike_dh_derive(dh, peer, plen, sec, &slen) == -1)
			return -1;
		td += bench_now() - t1;
		ike_dh_free(dh);
		n++;
	} while (bench_now() - t0 < secs);
	printf("dh %2d %-13s %8.0f keypair+derive/s  (keypair %.0f/s, derive "
	    "%.0f/s, n=%lu)\n", group, bench_name(group),
	    (double)n / (tk + td), (double)n / tk, (double)n / td, n);
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
