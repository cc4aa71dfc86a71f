/*
 * model_enum.c - Graph enum spellings (system-facts §1.1, §1.2, §1.7, §1.8),
 * in Graph's order, and the IANA numbers behind the DH/PFS names.
 */
#include "model.h"

#include <string.h>

#define ENUM(var, tname, ...)						\
	static const char *const var##_names[] = { __VA_ARGS__ };	\
	const struct model_enum var = { tname, var##_names,		\
	    sizeof(var##_names) / sizeof(var##_names[0]) }

ENUM(model_region_enum, "region",
    "eastUS", "eastUS2", "westUS", "westUS2", "westUS3", "centralUS",
    "northCentralUS", "southCentralUS", "northEurope", "westEurope",
    "franceCentral", "germanyWestCentral", "switzerlandNorth", "ukSouth",
    "canadaEast", "canadaCentral", "southAfricaWest", "southAfricaNorth",
    "uaeNorth", "australiaEast", "westCentralUS", "centralIndia",
    "southEastAsia", "swedenCentral", "southIndia", "australiaSouthEast",
    "koreaCentral", "polandCentral", "brazilSouth", "japanEast", "japanWest",
    "koreaSouth", "italyNorth", "franceSouth", "israelCentral");

ENUM(model_vendor_enum, "deviceVendor",
    "barracudaNetworks", "checkPoint", "ciscoMeraki", "citrix", "fortinet",
    "hpeAruba", "netFoundry", "nuage", "openSystems", "paloAltoNetworks",
    "riverbedTechnology", "silverPeak", "vmWareSdWan", "versa", "other");

ENUM(model_bandwidth_enum, "bandwidthCapacityInMbps",
    "mbps250", "mbps500", "mbps750", "mbps1000");

ENUM(model_redundancy_enum, "redundancyTier",
    "noRedundancy", "zoneRedundancy");

ENUM(model_ike_enc_enum, "ikeEncryption",
    "aes128", "aes192", "aes256", "gcmAes128", "gcmAes256");

ENUM(model_ike_int_enum, "ikeIntegrity",
    "sha256", "sha384", "gcmAes128", "gcmAes256");

ENUM(model_dh_enum, "dhGroup",
    "dhGroup14", "dhGroup24", "dhGroup2048", "ecp256", "ecp384");

ENUM(model_ipsec_enc_enum, "ipSecEncryption",
    "none", "gcmAes128", "gcmAes192", "gcmAes256");

ENUM(model_ipsec_int_enum, "ipSecIntegrity",
    "gcmAes128", "gcmAes192", "gcmAes256", "sha256");

ENUM(model_pfs_enum, "pfsGroup",
    "none", "pfs1", "pfs2", "pfs14", "pfs24", "pfs2048", "pfsmm", "ecp256",
    "ecp384");

int
model_enum_parse(const struct model_enum *e, const char *s)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < e->count; i++)
		if (strcmp(e->names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
model_enum_name(const struct model_enum *e, int v)
{
	if (v < 0 || (size_t)v >= e->count)
		return NULL;
	return e->names[v];
}

/* system-facts §1.7: DHGroup2048 and PFS2048 are both MODP-2048 (group 14). */
int
model_dh_iana(int dh)
{
	switch (dh) {
	case MODEL_DH_GROUP14:
	case MODEL_DH_GROUP2048:
		return 14;
	case MODEL_DH_GROUP24:
		return 24;
	case MODEL_DH_ECP256:
		return 19;
	case MODEL_DH_ECP384:
		return 20;
	}
	return 0;
}

/*
 * PFSMM is an Azure value whose meaning no source documents; the API
 * accepts it (Graph does) and maps it to no PFS group rather than guess.
 */
int
model_pfs_iana(int pfs)
{
	switch (pfs) {
	case MODEL_PFS_1:
		return 1;
	case MODEL_PFS_2:
		return 2;
	case MODEL_PFS_14:
	case MODEL_PFS_2048:
		return 14;
	case MODEL_PFS_24:
		return 24;
	case MODEL_PFS_ECP256:
		return 19;
	case MODEL_PFS_ECP384:
		return 20;
	}
	return 0;
}
