/* cli_profile.h - the forwarding-profile table, for rn profiles too. */
#ifndef CLI_PROFILE_H
#define CLI_PROFILE_H

#include <jansson.h>

/* A forwardingProfiles collection as a table. */
void	cli_profile_show(const json_t *);

#endif
