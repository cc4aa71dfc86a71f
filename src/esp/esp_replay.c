/*
 * esp_replay.c - anti-replay window over 64-bit sequence numbers.
 *
 * Bit (seq % 64) of ring word ((seq / 64) % ESP_REPLAY_WORDS) records seq.
 * A window of `size` packets covers at most size / 64 + 1 words, fewer
 * than ESP_REPLAY_WORDS, so a slot is never shared by two live words. When
 * the top moves up, the words it enters are cleared (at most the whole
 * ring, however far it jumps); words it leaves behind are only cleared
 * when reused, and esp_replay_check() never looks at them because of the
 * explicit window bound.
 */
#include "esp_replay.h"

#include <string.h>

#define WORD_BITS	64
#define WORD_MASK	(ESP_REPLAY_WORDS - 1)

int
esp_replay_init(struct esp_replay *w, uint32_t size, bool esn)
{
	if (size == 0)
		size = ESP_REPLAY_DEFAULT;
	if (size % WORD_BITS != 0 || size > ESP_REPLAY_MAX)
		return -1;
	memset(w, 0, sizeof(*w));
	w->size = size;
	w->esn = esn;
	return 0;
}

uint64_t
esp_replay_infer_seq(const struct esp_replay *w, uint32_t seq_lo)
{
	uint32_t tl = (uint32_t)w->top, th = (uint32_t)(w->top >> 32);
	uint32_t bottom = tl - w->size + 1;	/* mod 2^32, on purpose */

	if (!w->esn)
		return seq_lo;
	if (tl >= w->size - 1) {
		/* Case A: the window lies within one 2^32 subspace. */
		if (seq_lo >= bottom)
			return (uint64_t)th << 32 | seq_lo;
		if (th == UINT32_MAX)
			return 0;	/* past 2^64: nothing valid */
		return (uint64_t)(th + 1) << 32 | seq_lo;
	}
	/* Case B: the window spans the previous subspace and this one. */
	if (seq_lo >= bottom) {
		if (th == 0)
			return 0;	/* no subspace below the first */
		return (uint64_t)(th - 1) << 32 | seq_lo;
	}
	return (uint64_t)th << 32 | seq_lo;
}

int
esp_replay_check(const struct esp_replay *w, uint64_t seq)
{
	/* RFC 4303 §3.3.3: the first packet sent is 1; 0 never is. */
	if (seq == 0)
		return -1;
	/* Without ESN the counter must not cycle (§3.3.3): no 2^32 and up. */
	if (!w->esn && seq > UINT32_MAX)
		return -1;
	if (seq > w->top)
		return 0;
	if (w->top - seq >= w->size)
		return -1;
	if (w->ring[(seq / WORD_BITS) & WORD_MASK] &
	    (UINT64_C(1) << (seq % WORD_BITS)))
		return -1;
	return 0;
}

int
esp_replay_update(struct esp_replay *w, uint64_t seq)
{
	uint64_t word = seq / WORD_BITS, cur = w->top / WORD_BITS, n, i;

	if (esp_replay_check(w, seq) == -1)
		return -1;
	if (seq > w->top) {
		n = word - cur;
		if (n > ESP_REPLAY_WORDS)
			n = ESP_REPLAY_WORDS;
		for (i = 1; i <= n; i++)
			w->ring[(cur + i) & WORD_MASK] = 0;
		w->top = seq;
	}
	w->ring[word & WORD_MASK] |= UINT64_C(1) << (seq % WORD_BITS);
	return 0;
}
