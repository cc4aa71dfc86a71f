/*
 * esp_replay.h - the inbound anti-replay window (RFC 4303 §3.4.3), 64-bit
 * sequence numbers throughout (ESN, Appendix A). A fixed bitmap ring after
 * WireGuard's counter.c: no allocation, O(1) per packet, words cleared
 * only as the top of the window moves past them.
 *
 * esp_in.c calls, per packet: esp_replay_infer_seq() to rebuild the 64-bit
 * number from the 32 bits on the wire, esp_replay_check() before the ICV is
 * verified (cheap reject, no state change), esp_replay_update() after it.
 * One writer per window: the worker that owns the inbound SA.
 */
#ifndef ESP_REPLAY_H
#define ESP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define ESP_REPLAY_DEFAULT	1024
#define ESP_REPLAY_MAX		4096	/* as Linux XFRMA_REPLAY_ESN_MAX */
/* Ring words: a power of two > ESP_REPLAY_MAX / 64 (the window may straddle one more word). */
#define ESP_REPLAY_WORDS	128

struct esp_replay {
	uint64_t	top;	/* highest sequence number accepted; 0 = none yet */
	uint32_t	size;	/* window in packets, a multiple of 64 */
	bool		esn;
	uint64_t	ring[ESP_REPLAY_WORDS];
};

/* size 0 = ESP_REPLAY_DEFAULT; -1 unless a multiple of 64 in [64, ESP_REPLAY_MAX]. */
int	esp_replay_init(struct esp_replay *, uint32_t size, bool esn);
/*
 * The 64-bit sequence number of a packet carrying seq_lo (RFC 4303
 * Appendix A2.2); without ESN simply seq_lo. 0 when no valid number can
 * match (it then fails esp_replay_check()).
 */
uint64_t esp_replay_infer_seq(const struct esp_replay *, uint32_t seq_lo);
/* 0 if seq may be new, -1 if 0, older than the window or already seen. */
int	esp_replay_check(const struct esp_replay *, uint64_t seq);
/* Mark seq as seen (after the ICV verified); -1 as esp_replay_check() would be. */
int	esp_replay_update(struct esp_replay *, uint64_t seq);

#endif
