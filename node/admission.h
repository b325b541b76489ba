/*
 * credport — admission of connections before their handshake, and the
 * limiter of log lines that strangers and partners can cause.
 *
 * Both are plain tables: no sockets, no clock, no randomness of their own.
 * The caller (node/daemon.c) passes the time and a uniform random source,
 * so tests drive them with a fake clock and scripted draws.
 *
 * Admission (what OpenSSH's MaxStartups and PerSourceMaxStartups do, plus
 * eviction): every accepted connection is registered under its source until
 * it closes; it is "in handshake" until cp__adm_authed. A newcomer is
 * refused when its source already holds lim.src_conns_max connections or
 * lim.src_preauth_max handshakes. From lim.drop_start handshakes on, a
 * newcomer whose source already holds a handshake is refused with
 * probability drop_rate percent, rising linearly to 100 at preauth_max. At
 * preauth_max handshakes (or conns_max connections) the newcomer takes the
 * place of the oldest handshake of the source holding the most handshakes,
 * provided that source holds more than the newcomer's; otherwise it is
 * refused. So a flood from one address, or from a few, cannot keep a
 * partner dialling from another address out; a flood from many addresses
 * holding one handshake each makes every newcomer evict the oldest
 * handshake, and a partner's handshake survives lim.preauth_max newer
 * arrivals (at least lim.preauth_max / lim.rate seconds when the flood
 * keeps coming back, see below) or lim.deadline_ms, whichever comes
 * first. Sources that hold a
 * handshake or began one in the last CP__ADM_RECENT_MS begin at most
 * lim.rate handshakes a second between them (lim.burst at once; a token
 * bucket); beyond, their newcomers are closed at once. A flood that keeps
 * coming back from the same addresses, few or many (up to CP__ADM_RECENT
 * of them), thus costs the node at most lim.rate sessions a second, while
 * a partner dialling from an address not seen lately is not held back.
 *
 * Reserve: a source known to the table (one from which a connection
 * authenticated during this run, or a configured partner's address given
 * to cp__adm_know) has lim.known_max further handshake places that
 * strangers never take; the per-source limits still apply, and when the
 * reserve is full its newcomer takes the place of the oldest reserve
 * handshake of the known source holding the most there (if it holds more
 * than its own), or else competes like a stranger's. A flood from many
 * addresses therefore cannot keep out a partner that connected before.
 */
#ifndef CP_NODE_ADMISSION_H
#define CP_NODE_ADMISSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A connection's source: an IPv4 address, or the /64 prefix of an IPv6
 * address (one subscriber commonly holds a whole /64). IPv4-mapped IPv6
 * addresses count as IPv4. Sources of unknown family are all one source. */
typedef struct cp__src {
  uint8_t family; /* 4, 6, or 0 when unknown */
  uint8_t b[8];
} cp__src;

#define CP__SRC_STR 48 /* "ffff:ffff:ffff:ffff::/64" and its NUL fit */

void cp__src_from_sockaddr(const struct sockaddr *sa, cp__src *out);
/* "127.0.0.2", "2001:db8:1:2::/64", or "unknown". */
void cp__src_format(const cp__src *s, char out[CP__SRC_STR]);

/* A number uniformly drawn from [0, upper), upper >= 1
 * (randombytes_uniform in the daemon). */
typedef uint32_t (*cp__uniform_fn)(void *ctx, uint32_t upper);

typedef struct cp__adm_limits {
  unsigned conns_max;       /* accepted connections in all */
  unsigned preauth_max;     /* handshakes in all ("full") */
  unsigned drop_start;      /* early drop begins ("start"), <= preauth_max */
  unsigned drop_rate;       /* percent dropped at drop_start ("rate"), <= 100 */
  unsigned src_preauth_max; /* handshakes one source may hold */
  unsigned src_conns_max;   /* connections one source may hold */
  unsigned deadline_ms;     /* a handshake not finished by then is dropped */
  unsigned known_max;       /* reserve handshakes for known sources (0: none) */
  unsigned rate;            /* strangers' handshakes begun per second (0: any) */
  unsigned burst;           /* of which at most so many at once */
} cp__adm_limits;

typedef enum {
  CP_ADM_ACCEPT = 0,
  CP_ADM_SOURCE_CONNS,   /* the source holds src_conns_max connections */
  CP_ADM_SOURCE_PREAUTH, /* the source holds src_preauth_max handshakes */
  CP_ADM_EARLY_DROP,     /* drawn by random early drop */
  CP_ADM_FULL,           /* full, and the source holds as many as any other */
  CP_ADM_RATE            /* busy sources began lim.rate handshakes a second */
} cp__adm_verdict;

enum { CP__ADM_AUTHED = 0, CP__ADM_STRANGER, CP__ADM_KNOWN }; /* a slot's pool */

typedef struct cp__adm_slot {
  uint32_t id;
  int pool; /* CP__ADM_AUTHED once its handshake completed */
  cp__src src;
  uint64_t since_ms;
} cp__adm_slot;

#define CP__ADM_KNOWN 256 /* known sources remembered (the oldest go first) */
#define CP__ADM_RECENT 256       /* sources that began a handshake lately */
#define CP__ADM_RECENT_MS 10000u /* how long "lately" is */

typedef struct cp__adm_recent {
  cp__src src;
  uint64_t at_ms;
} cp__adm_recent;

typedef struct cp__adm {
  cp__adm_limits lim;
  cp__uniform_fn uniform;
  void *rctx;
  cp__adm_slot *slot; /* lim.conns_max of them; [0, n) in use */
  size_t n;
  unsigned npreauth;  /* handshakes in the strangers' places */
  unsigned nknown;    /* handshakes in the reserve */
  cp__src known[CP__ADM_KNOWN];
  size_t nknown_src, known_next;
  uint64_t tokens;    /* thousandths of a stranger's handshake (rate limit) */
  uint64_t refilled_ms;
  cp__adm_recent recent[CP__ADM_RECENT];
  size_t nrecent, recent_next;
} cp__adm;

/* Allocates the table for lim->conns_max connections. Errors: CP_EINVAL
 * (a limit of 0, drop_start > preauth_max, drop_rate > 100), CP_ENOMEM. */
int cp__adm_init(cp__adm *a, const cp__adm_limits *lim, cp__uniform_fn uniform, void *rctx)
    __attribute__((warn_unused_result));
void cp__adm_free(cp__adm *a);

/* Decides on a newcomer from src at now. On CP_ADM_ACCEPT with *evict != 0,
 * the connection *evict was removed from the table to make room: the caller
 * closes it. The newcomer is not registered: cp__adm_add does that once its
 * connection exists. Draws from the random source only for early drop. */
cp__adm_verdict cp__adm_decide(cp__adm *a, const cp__src *src, uint64_t now, uint32_t *evict);
/* Registers connection id (in handshake) from src. Errors: CP_ETOOBIG when
 * conns_max connections are registered. */
int cp__adm_add(cp__adm *a, uint32_t id, const cp__src *src, uint64_t now);
/* The connection's handshake completed: it no longer counts as one, and
 * its source becomes known. */
void cp__adm_authed(cp__adm *a, uint32_t id);
/* Makes src known (see Reserve above); sources of family 0 are ignored. */
void cp__adm_know(cp__adm *a, const cp__src *src);
/* Forgets a connection (closed); ids never registered are ignored. */
void cp__adm_remove(cp__adm *a, uint32_t id);
/* Removes up to max handshakes older than lim.deadline_ms at now and
 * writes their ids to ids (OUT): the caller closes them. Returns how many. */
size_t cp__adm_expired(cp__adm *a, uint64_t now, uint32_t *ids, size_t max);
/* Counts of what src holds now (OUT: either may be NULL). */
void cp__adm_held(const cp__adm *a, const cp__src *src, unsigned *preauth, unsigned *conns);
/* The verdict as words for a log line. */
const char *cp__adm_why(cp__adm_verdict v);

/* ---- log limiter ------------------------------------------------------------
 * Lines are keyed by (source, event). Within a window of lim.window_ms,
 * a stranger source (an address) gets lim.source_lines lines written and all
 * strangers together lim.stranger_lines; an authenticated partner (keyed by
 * its key, so strangers at its address cannot silence it) gets
 * lim.peer_lines. Every other line is counted under its key; when the
 * window ends, each partner's key with lines not written gives one summary,
 * and so do the lim.summary_keys strangers' keys with the most; the other
 * strangers' keys are summed up in one line (source "other", event "log").
 * Lines of keys beyond CP__LOGLIM_KEYS in one window are counted in that
 * line too, except a partner's: its key takes a stranger's place (whose
 * count moves to "other"). So a window writes at most stranger_lines +
 * summary_keys + 1 lines caused by strangers, whatever their number, and
 * at most peer_lines plus one line per event for each partner. */
#define CP__LOGLIM_KEYS 64
#define CP__LOGLIM_SRC 48
#define CP__LOGLIM_EVENT 24

typedef struct cp__loglim_limits {
  unsigned window_ms;
  unsigned source_lines;
  unsigned stranger_lines;
  unsigned peer_lines;
  unsigned summary_keys; /* strangers' keys summed up one by one */
} cp__loglim_limits;

typedef struct cp__loglim_key {
  char src[CP__LOGLIM_SRC];
  char event[CP__LOGLIM_EVENT];
  int trusted;
  uint32_t shown;
  uint64_t suppressed;
} cp__loglim_key;

typedef struct cp__loglim {
  cp__loglim_limits lim;
  uint64_t window_start;
  int open;                  /* a window has started */
  unsigned stranger_shown;
  size_t nkeys;
  cp__loglim_key key[CP__LOGLIM_KEYS];
  uint64_t other_suppressed; /* lines of keys with no room in the table */
} cp__loglim;

/* A summary: count lines from src about event were not written in the
 * window of window_ms that just ended; sources is the number of sources
 * the line sums up (1 for a key of its own; for "other", the sources named
 * in the table, not counting those it had no room for). src and event are
 * valid during the call only. */
typedef void (*cp__loglim_emit_fn)(void *ctx, const char *src, const char *event,
                                   uint64_t count, unsigned sources, unsigned window_ms);

void cp__loglim_init(cp__loglim *l, const cp__loglim_limits *lim);
/* Ends the window when it is over at now (or when force is set): emits the
 * summaries (see above), then starts afresh. Returns the number of
 * summaries emitted. */
size_t cp__loglim_roll(cp__loglim *l, uint64_t now, int force, cp__loglim_emit_fn emit,
                       void *ctx);
/* Whether a line from src (a partner's key when trusted, else an address)
 * about event may be written at now: 1 to write it, 0 when it was counted
 * instead. Rolls the window first (emitting through emit). src and event
 * are truncated to fit their keys. */
int cp__loglim_admit(cp__loglim *l, uint64_t now, const char *src, int trusted, const char *event,
                     cp__loglim_emit_fn emit, void *ctx);

#endif
