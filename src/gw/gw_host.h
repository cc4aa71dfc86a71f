/*
 * gw_host.h - what the gateway and CPE roles (gw.c, cpe_role/cpe_role.c) share: the
 * libevent loop around one IKE engine, its UDP sockets and the ESP tables.
 *
 *   udp socket readable      -> udp_read -> ike_input
 *   worker IKE hand-off      -> udp_demux -> ike_input
 *   ike_next_deadline()      -> one evtimer, re-armed after every callback
 *   every second             -> ops.tick, if set
 *   SIGHUP                   -> ops.hup
 *   SIGTERM/SIGINT           -> ike_shutdown, a grace period; a second stops
 *
 * The role keeps its own callbacks (lookup, events, CHILD SAs); its IKE
 * send callback calls gw_host_send().
 */
#ifndef GW_HOST_H
#define GW_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monotime.h"

struct esp_sa_cfg;
struct esp_table;
struct event_base;
struct gw_host;
struct ike_child_sa;
struct ike_endpoint;
struct ike_engine;
struct udp;
struct udp_config;

struct gw_host_ops {
	void		*arg;
	const char	*stopping;	/* "signal N: shutting down; <this>" */
	void		(*hup)(void *arg);
	void		(*tick)(void *arg, monotime_t now);	/* NULL: none */
};

/* The event base alone. */
int	gw_host_new(struct gw_host **, const struct gw_host_ops *);
struct event_base *gw_host_base(const struct gw_host *);
/* Takes the engine (freed by gw_host_drop_engine) and opens udp_open(). */
int	gw_host_open(struct gw_host *, struct ike_engine *,
	    const struct udp_config *, size_t *bound);
struct udp *gw_host_udp(const struct gw_host *);
/* Polls the UDP sockets; adds the timer, the tick and the signals. */
int	gw_host_listen(struct gw_host *);
/* Polls the ESP workers' IKE hand-off (struct esp_worker_ike + payload). */
int	gw_host_dp_ike(struct gw_host *, int fd);
void	gw_host_send(struct gw_host *, const struct ike_endpoint *local,
	    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len);
void	gw_host_timer_arm(struct gw_host *);
/* A SIGTERM/SIGINT came. */
bool	gw_host_stopping(const struct gw_host *);
/* Until the signals end it; -1 if the loop failed. */
int	gw_host_run(struct gw_host *);
/* Frees the events and the engine, whose teardown may delete CHILD SAs. */
void	gw_host_drop_engine(struct gw_host *);
/* The UDP sockets and the base; after gw_host_drop_engine. */
void	gw_host_free(struct gw_host *);

/*
 * A CHILD SA into an ESP table: 0, -1 not installed (nothing kept), -2
 * installed but not committed.
 */
int	gw_host_sa_install(struct esp_table *, const struct esp_sa_cfg *,
	    const struct ike_child_sa *, monotime_t now);
void	gw_host_sa_delete(struct esp_table *, uint32_t spi_in, monotime_t now);
void	gw_host_sa_update(struct esp_table *, uint32_t spi_in,
	    const struct ike_endpoint *local, const struct ike_endpoint *remote,
	    bool udp_encap);
/* Retires lingering SAs; rekey() for each live SA past a soft/hard limit. */
void	gw_host_sa_tick(struct esp_table *, monotime_t now,
	    void (*rekey)(void *arg, const char *link_id, uint32_t spi_in,
	    bool hard), void *arg);

#endif
