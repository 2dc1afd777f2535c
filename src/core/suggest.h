/* Ranking volunteers for a resident's order (送菜): pure rules, no I/O.
 * app/menu/suggest.c gathers the candidates and what is known of each
 * (skills held, region, whether they are busy in the order's window, how
 * much they served lately, their past ratings); this scores and sorts
 * them and says why, so the rules can be tested pair by pair. */
#ifndef ZY_CORE_SUGGEST_H
#define ZY_CORE_SUGGEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a volunteer ranks where they do: one bit each, named by
 * suggest_reason_name (the API's "reasons" codes). */
enum suggest_reason {
	SR_SKILLS_ALL,          /* holds every required skill (or none is required) */
	SR_SKILLS_SOME,         /* holds some of them */
	SR_SKILLS_NONE,         /* holds none of them */
	SR_CERTS_ALL,           /* holds every required certificate (or none is required) */
	SR_CERTS_MISSING,       /* lacks one at least */
	SR_SAME_COMMUNITY,      /* lives in the order's community (village) */
	SR_SAME_TOWN,           /* in its town or street */
	SR_SAME_DISTRICT,       /* in its district */
	SR_FAR,                 /* further away */
	SR_AVAILABLE,           /* no shift or open order in the window */
	SR_BUSY_SHIFT,          /* signed up for a shift overlapping the window */
	SR_BUSY_ORDER,          /* holds another order overlapping the window */
	SR_LIGHT_LOAD,          /* served little lately (fairness) */
	SR_HEAVY_LOAD,          /* served much lately */
	SR_RATED_WELL,          /* residents rated their orders 4 stars or more on average */
	SR_RATED_POORLY,        /* below 3 stars */
	SR_NOT_RATED,           /* no rating yet */
	SR_COUNT
};

/* The weights, out of 100 (docs/decisions.md explains them). Being busy
 * in the window costs more than everything else can give, so a busy
 * volunteer always ranks below every free one. */
#define SUGGEST_W_SKILLS 30
#define SUGGEST_W_CERTS 20
#define SUGGEST_W_NEAR 25
#define SUGGEST_W_LOAD 15
#define SUGGEST_W_RATING 10
#define SUGGEST_BUSY_PENALTY 200
/* Recent services at which the load part reaches nothing. */
#define SUGGEST_LOAD_FULL 6

/* What the order asks for. */
struct suggest_need {
	size_t skills, certs;      /* how many skills and certificates the sub-item requires */
	const char *region;        /* the order's region code (12 digits; shorter is allowed) */
};

/* One candidate: filled by the caller, scored by suggest_score. */
struct suggest_candidate {
	int64_t volunteer_id;
	const char *region;        /* the volunteer's region code */
	size_t skills_held;        /* how many of the required skills they hold */
	size_t certs_held;         /* how many of the required certificates */
	bool busy_shift, busy_order;
	int64_t recent;            /* services in the recent period (records and open orders) */
	int64_t rating_sum, rating_count;   /* stars of their rated orders */
	/* out */
	int score;
	unsigned reasons;          /* bit (1u << enum suggest_reason) each */
};

/* The reason's code as the API shows it ("same_community"). */
const char *suggest_reason_name(enum suggest_reason r);

/* How far apart two region codes are in the region tree: 0 the same
 * community, 1 the same town, 2 the same district (county), 3 the same
 * city, 4 further (or unknown). Codes are GB/T 2260 (6 digits) plus town
 * (3) and community (3); a code shorter than a level does not share it. */
int suggest_distance(const char *a, const char *b);

/* Whether the time [a_from, a_to) overlaps [b_from, b_to): two spans that
 * only touch (one ends when the other starts) do not. The availability
 * check: a volunteer is busy when a live shift sign-up or an open order
 * assignment overlaps the order's window. */
bool suggest_overlaps(int64_t a_from, int64_t a_to, int64_t b_from, int64_t b_to);

/* Scores c for need: sets c->score and c->reasons. */
void suggest_score(const struct suggest_need *need, struct suggest_candidate *c);

/* Scores every candidate and sorts them best first: higher score, then
 * lighter recent load, then the lower volunteer id (stable answers). */
void suggest_rank(const struct suggest_need *need, struct suggest_candidate *c, size_t n);

/* How many of the strings want[0..nwant) appear in have[0..nhave)
 * (exact, each counted once). */
size_t suggest_count_held(const char *const *want, size_t nwant, const char *const *have, size_t nhave);

#endif
