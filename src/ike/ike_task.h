/*
 * ike_task.h - the exchanges, one file each (STYLE §2, strongSwan's task
 * split): *_start() sends our request, *_respond() answers the peer's,
 * *_response() takes the answer to ours. ike_engine.c demultiplexes;
 * ike_sa.c starts queued tasks when the window (of one) is free.
 */
#ifndef IKE_TASK_H
#define IKE_TASK_H

#include <stdint.h>

#include "monotime.h"

struct ike_engine;
struct ike_sa;
struct ike_msg;
struct ike_endpoint;

/* ike_task_sa_init.c */
int	ike_sa_init_start(struct ike_sa *, monotime_t now);
void	ike_sa_init_respond(struct ike_engine *, struct ike_msg *,
	    const struct ike_endpoint *local, const struct ike_endpoint *remote,
	    const uint8_t *pkt, size_t len, monotime_t now);
void	ike_sa_init_response(struct ike_sa *, struct ike_msg *,
	    const uint8_t *pkt, size_t len, monotime_t now);

/* ike_task_auth.c */
int	ike_auth_start(struct ike_sa *, monotime_t now);
void	ike_auth_respond(struct ike_sa *, struct ike_msg *, monotime_t now);
void	ike_auth_response(struct ike_sa *, struct ike_msg *, monotime_t now);

/* ike_task_child.c */
int	ike_child_rekey_start(struct ike_sa *, int child, monotime_t now);
int	ike_ike_rekey_start(struct ike_sa *, monotime_t now);
void	ike_child_respond(struct ike_sa *, struct ike_msg *, monotime_t now);
void	ike_child_response(struct ike_sa *, struct ike_msg *, monotime_t now);

/* ike_task_info.c */
int	ike_info_delete_ike_start(struct ike_sa *, monotime_t now);
int	ike_info_delete_child_start(struct ike_sa *, monotime_t now);
int	ike_info_dpd_start(struct ike_sa *, monotime_t now);
/* DELETE of the IKE SA sent once, no waiting (link removed, shutdown). */
void	ike_info_delete_ike_oneshot(struct ike_sa *);
void	ike_info_respond(struct ike_sa *, struct ike_msg *, monotime_t now);
void	ike_info_response(struct ike_sa *, struct ike_msg *, monotime_t now);

#endif
