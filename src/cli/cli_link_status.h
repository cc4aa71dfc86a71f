/* cli_link_status.h - "link status RN LINK" (in cli_link.c's table). */
#ifndef CLI_LINK_STATUS_H
#define CLI_LINK_STATUS_H

struct args;
struct cli;

int	cli_link_status(struct cli *, struct args *);
int	cli_link_routes(struct cli *, struct args *);

#endif
