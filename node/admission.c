/*
 * credport — admission of connections before their handshake, and the log
 * limiter (see admission.h for the rules both enforce).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "credport/error.h"

/* ---- sources ------------------------------------------------------------------ */

void cp__src_from_sockaddr(const struct sockaddr *sa, cp__src *out) {
  memset(out, 0, sizeof *out);
  if (sa == NULL) return;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    out->family = 4;
    memcpy(out->b, &in->sin_addr.s_addr, 4);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    const uint8_t *a = in6->sin6_addr.s6_addr;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, sizeof mapped) == 0) {
      out->family = 4;
      memcpy(out->b, a + 12, 4);
    } else {
      out->family = 6;
      memcpy(out->b, a, 8);
    }
  }
}

void cp__src_format(const cp__src *s, char out[CP__SRC_STR]) {
  if (s->family == 4) {
    snprintf(out, CP__SRC_STR, "%u.%u.%u.%u", s->b[0], s->b[1], s->b[2], s->b[3]);
  } else if (s->family == 6) {
    uint8_t a[16] = {0};
    char txt[INET6_ADDRSTRLEN];
    memcpy(a, s->b, 8);
    if (inet_ntop(AF_INET6, a, txt, sizeof txt) != NULL) snprintf(out, CP__SRC_STR, "%s/64", txt);
    else snprintf(out, CP__SRC_STR, "unknown");
  } else {
    snprintf(out, CP__SRC_STR, "unknown");
  }
}

static int src_eq(const cp__src *a, const cp__src *b) {
  return a->family == b->family && memcmp(a->b, b->b, sizeof a->b) == 0;
}

/* ---- admission ------------------------------------------------------------------ */

int cp__adm_init(cp__adm *a, const cp__adm_limits *lim, cp__uniform_fn uniform, void *rctx) {
  memset(a, 0, sizeof *a);
  if (lim->conns_max == 0 || lim->preauth_max == 0 || lim->src_preauth_max == 0 ||
      lim->src_conns_max == 0 || lim->deadline_ms == 0 || lim->drop_start > lim->preauth_max ||
      lim->drop_rate > 100 || uniform == NULL)
    return CP_EINVAL;
  if (lim->rate > 0 && lim->burst == 0) return CP_EINVAL;
  a->slot = calloc(lim->conns_max, sizeof *a->slot);
  if (a->slot == NULL) return CP_ENOMEM;
  a->lim = *lim;
  a->tokens = (uint64_t)lim->burst * 1000u;
  a->uniform = uniform;
  a->rctx = rctx;
  return CP_OK;
}

void cp__adm_free(cp__adm *a) {
  free(a->slot);
  memset(a, 0, sizeof *a);
}

void cp__adm_held(const cp__adm *a, const cp__src *src, unsigned *preauth, unsigned *conns) {
  unsigned p = 0, c = 0;
  for (size_t i = 0; i < a->n; i++)
    if (src_eq(&a->slot[i].src, src)) {
      c++;
      if (a->slot[i].pool != CP__ADM_AUTHED) p++;
    }
  if (preauth != NULL) *preauth = p;
  if (conns != NULL) *conns = c;
}

static void drop_slot(cp__adm *a, size_t i) {
  if (a->slot[i].pool == CP__ADM_STRANGER) a->npreauth--;
  else if (a->slot[i].pool == CP__ADM_KNOWN) a->nknown--;
  a->slot[i] = a->slot[--a->n];
}

static int is_known(const cp__adm *a, const cp__src *src) {
  for (size_t i = 0; i < a->nknown_src; i++)
    if (src_eq(&a->known[i], src)) return 1;
  return 0;
}

void cp__adm_know(cp__adm *a, const cp__src *src) {
  if (src->family == 0 || is_known(a, src)) return;
  if (a->nknown_src < CP__ADM_KNOWN) {
    a->known[a->nknown_src++] = *src;
  } else {
    a->known[a->known_next] = *src;
    a->known_next = (a->known_next + 1) % CP__ADM_KNOWN;
  }
}

static int is_recent(const cp__adm *a, const cp__src *src, uint64_t now) {
  for (size_t i = 0; i < a->nrecent; i++)
    if (src_eq(&a->recent[i].src, src)) return now - a->recent[i].at_ms < CP__ADM_RECENT_MS;
  return 0;
}

/* Remembers that src began a handshake at now (the oldest entry goes). */
static void note_recent(cp__adm *a, const cp__src *src, uint64_t now) {
  for (size_t i = 0; i < a->nrecent; i++)
    if (src_eq(&a->recent[i].src, src)) {
      a->recent[i].at_ms = now;
      return;
    }
  size_t i = a->nrecent < CP__ADM_RECENT ? a->nrecent++ : a->recent_next;
  if (a->nrecent == CP__ADM_RECENT) a->recent_next = (i + 1) % CP__ADM_RECENT;
  a->recent[i].src = *src;
  a->recent[i].at_ms = now;
}

static unsigned pool_count(const cp__adm *a, int pool, const cp__src *src) {
  unsigned count = 0;
  for (size_t j = 0; j < a->n; j++)
    if (a->slot[j].pool == pool && src_eq(&a->slot[j].src, src)) count++;
  return count;
}

/* The handshake of pool to give up for a newcomer whose source holds mine
 * of the pool's: the oldest of the source holding the most, if that source
 * holds more than mine. Returns its index, or a->n when there is none. */
static size_t pick_victim(const cp__adm *a, int pool, unsigned mine) {
  size_t best = a->n;
  unsigned best_count = mine;
  for (size_t i = 0; i < a->n; i++) {
    if (a->slot[i].pool != pool) continue;
    unsigned count = pool_count(a, pool, &a->slot[i].src);
    if (count > best_count ||
        (best < a->n && count == best_count && a->slot[i].since_ms < a->slot[best].since_ms)) {
      best = i;
      best_count = count;
    }
  }
  return best;
}

static cp__adm_verdict evict_for(cp__adm *a, size_t v, uint32_t *evict) {
  *evict = a->slot[v].id;
  drop_slot(a, v);
  return CP_ADM_ACCEPT;
}

cp__adm_verdict cp__adm_decide(cp__adm *a, const cp__src *src, uint64_t now, uint32_t *evict) {
  unsigned mine_pre, mine_all;
  *evict = 0;
  cp__adm_held(a, src, &mine_pre, &mine_all);
  if (mine_all >= a->lim.src_conns_max) return CP_ADM_SOURCE_CONNS;
  if (mine_pre >= a->lim.src_preauth_max) return CP_ADM_SOURCE_PREAUTH;
  /* A source that authenticated before has the reserve first; strangers
   * never take its places. When the reserve is full it competes as any
   * newcomer. */
  if (a->lim.known_max > 0 && is_known(a, src)) {
    if (a->nknown < a->lim.known_max && a->n < a->lim.conns_max) return CP_ADM_ACCEPT;
    size_t v = pick_victim(a, CP__ADM_KNOWN, pool_count(a, CP__ADM_KNOWN, src));
    if (v < a->n) return evict_for(a, v, evict);
  }
  int paying = a->lim.rate > 0 && (mine_pre > 0 || is_recent(a, src, now));
  if (paying) {
    if (now > a->refilled_ms) {
      uint64_t cap = (uint64_t)a->lim.burst * 1000u;
      a->tokens += (now - a->refilled_ms) * a->lim.rate;
      if (a->tokens > cap) a->tokens = cap;
    }
    a->refilled_ms = now;
    if (a->tokens < 1000u) return CP_ADM_RATE;
  }
  unsigned mine = pool_count(a, CP__ADM_STRANGER, src);
  if (a->npreauth >= a->lim.preauth_max || a->n >= a->lim.conns_max) {
    size_t v = pick_victim(a, CP__ADM_STRANGER, mine);
    if (v == a->n) return CP_ADM_FULL;
    if (paying) a->tokens -= 1000u;
    return evict_for(a, v, evict);
  }
  /* Early drop targets sources already holding a handshake: a flood raises
   * its own drop rate, not that of a partner dialling from elsewhere. */
  if (mine > 0 && a->npreauth >= a->lim.drop_start) {
    unsigned span = a->lim.preauth_max - a->lim.drop_start;
    unsigned pct = span == 0 ? 100
                             : a->lim.drop_rate + (100 - a->lim.drop_rate) *
                                                      (a->npreauth - a->lim.drop_start) / span;
    if (a->uniform(a->rctx, 100) < pct) return CP_ADM_EARLY_DROP;
  }
  if (paying) a->tokens -= 1000u;
  return CP_ADM_ACCEPT;
}

int cp__adm_add(cp__adm *a, uint32_t id, const cp__src *src, uint64_t now) {
  if (a->n >= a->lim.conns_max) return CP_ETOOBIG;
  cp__adm_slot *s = &a->slot[a->n++];
  s->id = id;
  s->src = *src;
  s->since_ms = now;
  note_recent(a, src, now);
  if (a->nknown < a->lim.known_max && is_known(a, src)) {
    s->pool = CP__ADM_KNOWN;
    a->nknown++;
  } else {
    s->pool = CP__ADM_STRANGER;
    a->npreauth++;
  }
  return CP_OK;
}

void cp__adm_authed(cp__adm *a, uint32_t id) {
  for (size_t i = 0; i < a->n; i++)
    if (a->slot[i].id == id && a->slot[i].pool != CP__ADM_AUTHED) {
      if (a->slot[i].pool == CP__ADM_STRANGER) a->npreauth--;
      else a->nknown--;
      a->slot[i].pool = CP__ADM_AUTHED;
      cp__adm_know(a, &a->slot[i].src);
      return;
    }
}

void cp__adm_remove(cp__adm *a, uint32_t id) {
  for (size_t i = 0; i < a->n; i++)
    if (a->slot[i].id == id) {
      drop_slot(a, i);
      return;
    }
}

size_t cp__adm_expired(cp__adm *a, uint64_t now, uint32_t *ids, size_t max) {
  size_t k = 0;
  for (size_t i = 0; i < a->n && k < max;) {
    const cp__adm_slot *s = &a->slot[i];
    if (s->pool != CP__ADM_AUTHED && now - s->since_ms >= a->lim.deadline_ms) {
      ids[k++] = s->id;
      drop_slot(a, i); /* slot i now holds another: look at it again */
    } else {
      i++;
    }
  }
  return k;
}

const char *cp__adm_why(cp__adm_verdict v) {
  switch (v) {
  case CP_ADM_ACCEPT: return "accepted";
  case CP_ADM_SOURCE_CONNS: return "this address holds too many connections";
  case CP_ADM_SOURCE_PREAUTH: return "this address holds too many connections in handshake";
  case CP_ADM_EARLY_DROP: return "the handshake table is filling (random early drop)";
  case CP_ADM_FULL: return "the handshake table is full";
  case CP_ADM_RATE: return "too many handshakes begun by busy addresses this second";
  }
  return "refused";
}

/* ---- log limiter ------------------------------------------------------------------ */

void cp__loglim_init(cp__loglim *l, const cp__loglim_limits *lim) {
  memset(l, 0, sizeof *l);
  l->lim = *lim;
  if (l->lim.window_ms == 0) l->lim.window_ms = 1;
}

/* The strangers' key with the most lines not written, or NULL. */
static cp__loglim_key *top_stranger(cp__loglim *l) {
  cp__loglim_key *best = NULL;
  for (size_t i = 0; i < l->nkeys; i++) {
    cp__loglim_key *k = &l->key[i];
    if (!k->trusted && k->suppressed > 0 && (best == NULL || k->suppressed > best->suppressed))
      best = k;
  }
  return best;
}

size_t cp__loglim_roll(cp__loglim *l, uint64_t now, int force, cp__loglim_emit_fn emit,
                       void *ctx) {
  if (!l->open) return 0;
  if (!force && now - l->window_start < l->lim.window_ms) return 0;
  size_t emitted = 0;
  for (size_t i = 0; i < l->nkeys; i++)
    if (l->key[i].trusted && l->key[i].suppressed > 0) {
      emit(ctx, l->key[i].src, l->key[i].event, l->key[i].suppressed, 1, l->lim.window_ms);
      emitted++;
    }
  cp__loglim_key *k;
  for (unsigned picked = 0; picked < l->lim.summary_keys && (k = top_stranger(l)) != NULL;
       picked++) {
    emit(ctx, k->src, k->event, k->suppressed, 1, l->lim.window_ms);
    k->suppressed = 0;
    emitted++;
  }
  uint64_t rest = l->other_suppressed;
  unsigned sources = 0;
  for (size_t i = 0; i < l->nkeys; i++) {
    if (l->key[i].trusted || l->key[i].suppressed == 0) continue;
    rest += l->key[i].suppressed;
    size_t j = 0;
    while (j < i && (l->key[j].trusted || l->key[j].suppressed == 0 ||
                     strcmp(l->key[j].src, l->key[i].src) != 0))
      j++;
    if (j == i) sources++;
  }
  if (rest > 0) {
    emit(ctx, "other", "log", rest, sources, l->lim.window_ms);
    emitted++;
  }
  l->open = 0;
  l->nkeys = 0;
  l->stranger_shown = 0;
  l->other_suppressed = 0;
  return emitted;
}

static cp__loglim_key *find_key(cp__loglim *l, const char *src, int trusted, const char *event) {
  for (size_t i = 0; i < l->nkeys; i++) {
    cp__loglim_key *k = &l->key[i];
    if (k->trusted == trusted && strncmp(k->src, src, sizeof k->src - 1) == 0 &&
        strncmp(k->event, event, sizeof k->event - 1) == 0)
      return k;
  }
  cp__loglim_key *k = NULL;
  if (l->nkeys < CP__LOGLIM_KEYS) {
    k = &l->key[l->nkeys++];
  } else if (trusted) {
    /* Strangers from many addresses must not silence a partner: its key
     * takes a stranger's place, whose count goes to "other" (the stranger
     * total still bounds what strangers write). */
    for (size_t i = 0; i < l->nkeys && k == NULL; i++)
      if (!l->key[i].trusted) k = &l->key[i];
    if (k == NULL) return NULL;
    l->other_suppressed += k->suppressed;
  } else {
    return NULL;
  }
  memset(k, 0, sizeof *k);
  snprintf(k->src, sizeof k->src, "%s", src);
  snprintf(k->event, sizeof k->event, "%s", event);
  k->trusted = trusted;
  return k;
}

int cp__loglim_admit(cp__loglim *l, uint64_t now, const char *src, int trusted, const char *event,
                     cp__loglim_emit_fn emit, void *ctx) {
  cp__loglim_roll(l, now, 0, emit, ctx);
  if (!l->open) {
    l->open = 1;
    l->window_start = now;
  }
  cp__loglim_key *k = find_key(l, src, trusted, event);
  if (k == NULL) {
    l->other_suppressed++;
    return 0;
  }
  /* Lines already written for this source, whatever their event. */
  unsigned shown = 0;
  for (size_t i = 0; i < l->nkeys; i++)
    if (l->key[i].trusted == trusted && strcmp(l->key[i].src, k->src) == 0)
      shown += l->key[i].shown;
  int ok = trusted ? shown < l->lim.peer_lines
                   : shown < l->lim.source_lines && l->stranger_shown < l->lim.stranger_lines;
  if (!ok) {
    k->suppressed++;
    return 0;
  }
  k->shown++;
  if (!trusted) l->stranger_shown++;
  return 1;
}
