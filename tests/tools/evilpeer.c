/*
 * evilpeer — a misbehaving sync partner, for the federation tests
 * (tests/cli/fed_misbehave.sh). Not a ctest case of its own.
 *
 *   evilpeer garbage   ADDR:PORT [SECONDS]
 *   evilpeer oversize  ADDR:PORT [SECONDS]
 *   evilpeer truncated ADDR:PORT [SECONDS]
 *       Raw socket, before any handshake: a frame whose body is junk; a
 *       frame length above CP_FRAME_MAX_PREAUTH; the first bytes of an HS1
 *       frame, then silence.
 *   evilpeer badsig ADDR:PORT PEERKEY DIR [SECONDS]
 *   evilpeer fork   ADDR:PORT PEERKEY DIR [SECONDS]
 *   evilpeer noread ADDR:PORT PEERKEY DIR [SECONDS]
 *   evilpeer hush   ADDR:PORT PEERKEY DIR [SECONDS]
 *   evilpeer cpfork ADDR:PORT PEERKEY DIR [SECONDS]
 *       The real engine (sync.h) over TCP, authenticated with DIR's
 *       authority key (which the node must allow), answering from DIR's
 *       ledger like an ordinary node, except that it: pushes the next entry
 *       of its own log with a broken signature; pushes a second validly
 *       signed entry at the last seq of its own log (equivocation); or asks
 *       for everything, grants the node unbounded credit and stops reading;
 *       or, a second after the handshake, sends the first bytes of a frame
 *       and then nothing at all, not even keepalives; or sends a checkpoint
 *       of its own log one entry below its size, signed by its key, whose
 *       root is not its tree's (equivocation by checkpoint).
 *   evilpeer revstat ADDR:PORT PEERKEY DIR [SECONDS]
 *       Authenticated as above; once it has answered the node's request for
 *       its log, sends revocation statements of its own log at its size
 *       (docs/PROTOCOL.md L-5): its statement with the signature altered;
 *       one validly signed that says one more award is revoked than the log
 *       holds; one validly signed whose checkpoint root is not the tree's;
 *       then one of 1025 bytes, over the limit. Exit 0 when the node ends
 *       the session (on the last).
 *   evilpeer flood-cp-stale|flood-cp-garbage|flood-cp-forged|flood-cp-cosig|
 *            flood-cp-cosig-forged|flood-fork|flood-rs-stale|flood-rs-garbage|
 *            flood-have|flood-req|flood-ping|flood-recon ADDR:PORT PEERKEY DIR [SECONDS]
 *       Authenticated as above, then sends one message type as fast as
 *       the socket takes it: the latest checkpoint of its own log (which
 *       the node holds already); checkpoint notes that do not parse,
 *       alternating with its checkpoint with the root altered (a bad
 *       signature); only the latter; its checkpoint with a cosignature by a
 *       new key each time, or by its own witness key (DIR/witness.key) with
 *       the signature broken; one fork proof of its own log, over and over;
 *       its latest revocation statement (which the node holds already);
 *       revocation statements that do not parse; HAVE of
 *       its own head; REQ for logs nobody holds; PING; RECON out of turn.
 *   evilpeer connflood ADDR:PORT COUNT SECONDS [SOURCES]
 *       COUNT raw connections that each send one byte and hold, reopened
 *       as the node drops them (evilpeer_connflood.c).
 *
 * It waits at most SECONDS (default 30) for the node to react and prints
 * what happened. Exit status: 0 when the node reacted as the mode expects
 * (closed the connection, closed the session, sent the fork proof back
 * (cpfork: as a checkpoint fork proof);
 * for noread: held the socket for SECONDS or saw it reset; for hush: closed
 * the connection after the truncated frame; for a flood: closed the session
 * or the connection), 3 when it did
 * not within SECONDS, 2 on usage or setup errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "credport/codec.h"
#include "credport/entry.h"
#include "credport/note.h"
#include "credport/revstatus.h"
#include "credport/store.h"
#include "credport/sync.h"
#include <sodium.h>
/* The flood modes write messages the API would not send (PING, RECON). */
#include "../../proto/sync_internal.h"

int connflood_mode(int argc, char **argv); /* evilpeer_connflood.c */

static uint64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static int usage(void) {
  fprintf(stderr, "usage: evilpeer garbage|oversize|truncated ADDR:PORT [SECONDS]\n"
                  "       evilpeer badsig|fork|noread|hush|cpfork|revstat ADDR:PORT PEERKEY DIR [SECONDS]\n"
                  "       evilpeer flood-cp-stale|flood-cp-garbage|flood-cp-forged|flood-fork|"
                  "flood-have|flood-req|flood-ping|flood-recon ADDR:PORT PEERKEY DIR [SECONDS]\n"
                  "       evilpeer connflood ADDR:PORT COUNT SECONDS [SOURCES]\n");
  return 2;
}

static int dial(const char *addr) {
  char host[64];
  const char *colon = strrchr(addr, ':');
  if (colon == NULL || (size_t)(colon - addr) >= sizeof host) return -1;
  memcpy(host, addr, (size_t)(colon - addr));
  host[colon - addr] = 0;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) return -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    fprintf(stderr, "evilpeer: connect %s: %s\n", addr, strerror(errno));
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static int send_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Prints a cleartext CLOSE frame found at the start of buf, if any. */
static void print_close(const uint8_t *b, size_t n) {
  if (n < 11) return;
  uint32_t len = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
  if (b[4] != 0x7f || len < 7 || 4 + (size_t)len > n) return;
  int32_t code = (int32_t)((uint32_t)b[5] << 24 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 8 | b[8]);
  unsigned rl = (unsigned)b[9] << 8 | b[10];
  if (11 + (size_t)rl > n) return;
  printf("evilpeer: the node's CLOSE: code %d: %.*s\n", code, (int)rl, (const char *)b + 11);
}

/* ---- pre-handshake modes ------------------------------------------------------ */

static int raw_mode(const char *mode, const char *addr, unsigned secs) {
  uint8_t msg[256];
  size_t n;
  if (strcmp(mode, "garbage") == 0) {
    /* A well-sized frame whose body is no handshake message at all. */
    msg[0] = 0, msg[1] = 0, msg[2] = 0, msg[3] = 64;
    for (size_t i = 0; i < 64; i++) msg[4 + i] = (uint8_t)(0xa5 ^ (i * 37));
    n = 68;
  } else if (strcmp(mode, "oversize") == 0) {
    /* 1 MiB announced before the handshake (limit: 16 KiB), then a start. */
    msg[0] = 0, msg[1] = 0x10, msg[2] = 0, msg[3] = 0;
    memset(msg + 4, 0x01, 60);
    n = 64;
  } else if (strcmp(mode, "truncated") == 0) {
    /* An HS1 frame (34-byte body) cut after 10 bytes of body. */
    msg[0] = 0, msg[1] = 0, msg[2] = 0, msg[3] = 34;
    msg[4] = 0x01, msg[5] = 0x01;
    memset(msg + 6, 0x42, 8);
    n = 14;
  } else {
    return usage();
  }
  int fd = dial(addr);
  if (fd < 0) return 2;
  uint64_t t0 = now_ms();
  if (send_all(fd, msg, n) != 0) {
    printf("evilpeer: %s: the node closed the connection while we were sending\n", mode);
    close(fd);
    return 0;
  }
  uint8_t in[4096];
  size_t got = 0;
  int closed = 0;
  while (!closed && now_ms() - t0 < (uint64_t)secs * 1000u) {
    struct pollfd p = {fd, POLLIN, 0};
    int pr = poll(&p, 1, 200);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) continue;
    uint8_t tmp[4096];
    ssize_t r = recv(fd, tmp, sizeof tmp, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      closed = 1;
      break;
    }
    size_t take = (size_t)r < sizeof in - got ? (size_t)r : sizeof in - got;
    memcpy(in + got, tmp, take);
    got += take;
  }
  uint64_t ms = now_ms() - t0;
  close(fd);
  if (!closed) {
    printf("evilpeer: %s: the node kept the connection open for %u s\n", mode, secs);
    return 3;
  }
  printf("evilpeer: %s: the node closed the connection after %llu ms (%zu bytes received)\n",
         mode, (unsigned long long)ms, got);
  print_close(in, got);
  return 0;
}

/* ---- engine modes ------------------------------------------------------------- */

typedef struct {
  cp_sync_head *v;
  size_t n, cap;
} heads;

static int add_head(void *ctx, const cp_log_info *li) {
  heads *h = ctx;
  if (li->size == 0) return 0;
  if (h->n == h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 16;
    cp_sync_head *v = realloc(h->v, cap * sizeof *v);
    if (v == NULL) return CP_ENOMEM;
    h->v = v;
    h->cap = cap;
  }
  memcpy(h->v[h->n].log, li->log, CP_PK_BYTES);
  h->v[h->n].size = li->size;
  memcpy(h->v[h->n].head, li->head, CP_HASH_BYTES);
  h->v[h->n].flags = 0;
  h->n++;
  return 0;
}

typedef struct {
  const char *mode;
  int fd;
  cp_sync *s;
  cp_store *st;
  heads h;
  uint8_t self[CP_PK_BYTES];
  uint8_t crafted[CP_ENTRY_MAX];
  size_t crafted_len;
  uint64_t crafted_seq;
  int authed, pushed, peer_closed, fork_back, reading;
  uint64_t authed_at, hushed_at; /* hush: when the handshake ended, when we fell silent */
  uint64_t entries_in;
  int served;                    /* revstat: a request of the node answered with END */
  char rs[3][CP_REVSTAT_MAX];    /* revstat: the three crafted statements */
  size_t rs_len[3];
  /* Flood modes. */
  int flood;
  uint64_t sent;
  char note[CP_NOTE_MAX], bad_note[CP_NOTE_MAX];
  size_t note_len;
  cp_key *witness;               /* DIR/witness.key, for flood-cp-cosig-forged */
  char wname[CP_ORIGIN_MAX + 16];
  uint8_t last[CP_ENTRY_MAX];
  size_t last_len;
  cp_sync_head self_head;
} evil;

/* Answers a WANT_ENTRIES from the ledger, like an honest node. */
static void answer_want(evil *e, const cp_sync_event *ev) {
  cp_reader *r = NULL;
  cp_sync_blob v[CP_SYNC_BATCH_MAX];
  size_t n = 0, bytes = 0;
  cp_log_info li;
  if (cp_reader_begin(e->st, &r) != 0) return;
  uint64_t size = cp_reader_log(r, ev->log, &li) == 0 ? li.size : 0;
  for (uint64_t seq = ev->seq; seq < size && n < ev->count && n < CP_SYNC_BATCH_MAX; seq++) {
    const uint8_t *b;
    size_t len;
    if (cp_reader_entry(r, ev->log, seq, &b, &len) != 0 || bytes + len > ev->bytes) break;
    v[n].p = b;
    v[n].len = len;
    bytes += len;
    n++;
  }
  int rc = cp_sync_provide_entries(e->s, ev->log, ev->seq, v, n, ev->seq + n >= size);
  if (rc == 0 && ev->seq + n >= size) e->served = 1;
  cp_reader_end(r);
}

static void take_events(evil *e) {
  cp_sync_event ev;
  char hex[17];
  while (cp_sync_next_event(e->s, &ev) == 0) {
    switch (ev.type) {
    case CP_SYNC_EV_HANDSHAKE_DONE:
      cp_hex_encode(ev.log, 8, hex);
      printf("evilpeer: %s: handshake done with %s\n", e->mode, hex);
      e->authed = 1;
      e->authed_at = now_ms();
      break;
    case CP_SYNC_EV_NEED_HEADS: {
      cp_reader *r = NULL;
      int rc = cp_reader_begin(e->st, &r);
      if (rc == 0) rc = cp_reader_each_log(r, add_head, &e->h);
      cp_reader_end(r);
      /* noread: claim to hold nothing, so that the node sends everything. */
      if (rc == 0) rc = cp_sync_provide_heads(e->s, e->h.v, strcmp(e->mode, "noread") == 0 ? 0 : e->h.n);
      if (rc != 0) fprintf(stderr, "evilpeer: cannot give heads: %s\n", cp_strerror(rc));
      break;
    }
    case CP_SYNC_EV_WANT_ENTRIES: answer_want(e, &ev); break;
    case CP_SYNC_EV_ENTRIES: {
      e->entries_in += ev.count;
      int rc = cp_sync_entries_committed(e->s, ev.count, ev.bytes);
      (void)rc;
      break;
    }
    case CP_SYNC_EV_FORK_PROOF:
      cp_hex_encode(ev.log, 8, hex);
      printf("evilpeer: %s: the node sent a fork proof for log %s at seq %llu\n", e->mode, hex,
             (unsigned long long)ev.seq);
      if (memcmp(ev.log, e->self, CP_PK_BYTES) == 0 && ev.seq == e->crafted_seq) e->fork_back = 1;
      break;
    case CP_SYNC_EV_CHECKPOINT_FORK:
      cp_hex_encode(ev.log, 8, hex);
      printf("evilpeer: %s: the node sent a checkpoint fork proof for log %s\n", e->mode, hex);
      if (memcmp(ev.log, e->self, CP_PK_BYTES) == 0) e->fork_back = 1;
      break;
    case CP_SYNC_EV_PEER_ERROR:
      printf("evilpeer: %s: the node closed the session: code %d: %.*s\n", e->mode, ev.code,
             ev.items ? (int)ev.items[0].len : 0, ev.items ? (const char *)ev.items[0].p : "");
      e->peer_closed = 1;
      break;
    default: break;
    }
  }
}

/* revstat: the three statements of our own log at its size. */
static int craft_revstat(evil *e, const cp_key *k) {
  cp_reader *r = NULL;
  cp_revstat st;
  const char *text;
  size_t len = 0;
  uint64_t at = 0;
  uint8_t bad[CP_HASH_BYTES];
  int rc = cp_reader_begin(e->st, &r);
  if (rc == 0) rc = cp_reader_revstat(r, e->self, 0, &text, &len, &at);
  if (rc == 0) rc = cp_revstat_parse(text, len, &st, NULL);
  if (rc == 0) {
    memcpy(e->rs[0], text, len);
    e->rs_len[0] = len;
    /* A base64 digit in the middle of the signature line. */
    e->rs[0][len - 30] = e->rs[0][len - 30] == 'A' ? 'B' : 'A';
    memcpy(bad, st.rev_root, sizeof bad);
    bad[0] ^= 0x01;
    rc = cp_revstat_sign(k, st.origin, st.size, st.root, st.count + 1, bad, e->rs[1],
                         sizeof e->rs[1], &e->rs_len[1]);
  }
  if (rc == 0) {
    memcpy(bad, st.root, sizeof bad);
    bad[0] ^= 0x01;
    rc = cp_revstat_sign(k, st.origin, st.size, bad, st.count, st.rev_root, e->rs[2],
                         sizeof e->rs[2], &e->rs_len[2]);
  }
  cp_reader_end(r);
  if (rc != 0)
    fprintf(stderr, "evilpeer: revstat: no statement of the own log in DIR to start from: %s\n",
            cp_strerror(rc));
  return rc;
}

/* revstat: queues the three crafted statements, then one over the limit
 * (written as a raw message: the API refuses to send it). */
static int send_revstats(evil *e) {
  static uint8_t over[35 + CP_REVSTAT_MAX + 1];
  for (int i = 0; i < 3; i++)
    if (cp_sync_send_revstat(e->s, e->self, e->rs[i], e->rs_len[i]) != 0) return CP_EAGAIN;
  over[0] = 0x33;
  memcpy(over + 1, e->self, CP_PK_BYTES);
  over[33] = (uint8_t)((CP_REVSTAT_MAX + 1) >> 8);
  over[34] = (uint8_t)(CP_REVSTAT_MAX + 1);
  memset(over + 35, 'x', CP_REVSTAT_MAX + 1);
  uint8_t *p = cp__frame_begin(e->s, sizeof over, 0);
  if (p == NULL) return CP_EAGAIN;
  memcpy(p, over, sizeof over);
  cp__frame_end(e->s, sizeof over);
  printf("evilpeer: revstat: sent three bad statements and one of %u bytes\n",
         CP_REVSTAT_MAX + 1);
  return 0;
}

/* Builds the crafted entry from the last entry of our own log. */
static int craft(evil *e, const cp_key *k) {
  cp_reader *r = NULL;
  cp_log_info li;
  const uint8_t *b;
  size_t len;
  uint8_t last[CP_ENTRY_MAX];
  cp_entry en;
  cp_diag d = {{0}};
  int rc = cp_reader_begin(e->st, &r);
  if (rc == 0) rc = cp_reader_self(r, e->self);
  if (rc == 0) rc = cp_reader_log(r, e->self, &li);
  if (rc == 0 && li.size < 2) rc = CP_EINVAL;
  if (rc == 0) rc = cp_reader_entry(r, e->self, li.size - 1, &b, &len);
  if (rc == 0) memcpy(last, b, len);
  if (rc == 0 && e->flood) {
    const char *note;
    memcpy(e->last, b, len);
    e->last_len = len;
    memcpy(e->self_head.log, e->self, CP_PK_BYTES);
    e->self_head.size = li.size;
    memcpy(e->self_head.head, li.head, CP_HASH_BYTES);
    const char *rs;
    uint64_t at;
    /* Its latest revocation statement, for the flood-rs modes. */
    if (cp_reader_revstat(r, e->self, 0, &rs, &e->rs_len[0], &at) == 0)
      memcpy(e->rs[0], rs, e->rs_len[0]);
    rc = cp_reader_checkpoint(r, e->self, &note, &e->note_len);
    if (rc == 0) {
      memcpy(e->note, note, e->note_len);
      /* The same note with one character of its root line changed. */
      memcpy(e->bad_note, note, e->note_len);
      char *nl = memchr(e->bad_note, '\n', e->note_len);
      nl = nl != NULL ? memchr(nl + 1, '\n', e->note_len - (size_t)(nl + 1 - e->bad_note)) : NULL;
      if (nl == NULL) rc = CP_ECORRUPT;
      else nl[1] = nl[1] == 'A' ? 'B' : 'A';
    }
  }
  cp_reader_end(r);
  if (rc != 0) {
    fprintf(stderr, "evilpeer: the ledger in DIR needs a log of at least 2 entries: %s\n",
            cp_strerror(rc));
    return rc;
  }
  if ((rc = cp_entry_decode(last, len, &en, &d)) != 0) {
    fprintf(stderr, "evilpeer: cannot decode the last entry: %s\n", d.msg);
    return rc;
  }
  if (strcmp(e->mode, "revstat") == 0) return craft_revstat(e, k);
  if (strcmp(e->mode, "cpfork") == 0) {
    /* A checkpoint at size - 1 whose root is not the tree's. */
    char origin[CP_ORIGIN_MAX + 1];
    uint8_t root[CP_HASH_BYTES];
    if ((rc = cp_reader_begin(e->st, &r)) == 0) rc = cp_reader_log(r, e->self, &li);
    if (rc == 0 && li.origin.len > CP_ORIGIN_MAX) rc = CP_EINVAL;
    if (rc == 0) {
      memcpy(origin, li.origin.p, li.origin.len);
      origin[li.origin.len] = 0;
      rc = cp_reader_root(r, e->self, li.size - 1, root);
    }
    cp_reader_end(r);
    root[0] ^= 0x01;
    if (rc == 0)
      rc = cp_checkpoint_sign(k, origin, li.size - 1, root, (char *)e->crafted,
                              sizeof e->crafted, &e->crafted_len);
    if (rc != 0) fprintf(stderr, "evilpeer: cannot sign a checkpoint: %s\n", cp_strerror(rc));
    e->crafted_seq = li.size - 1;
    return rc;
  }
  en.time += 1; /* a different entry... */
  if (strcmp(e->mode, "badsig") == 0) {
    /* ...that continues the log, with a signature that does not verify. */
    en.seq = li.size;
    cp_entry_id(last, len, en.prev);
  }
  rc = cp_entry_sign(&en, k, e->crafted, sizeof e->crafted, &e->crafted_len, &d);
  if (rc != 0) {
    fprintf(stderr, "evilpeer: cannot sign: %s\n", d.msg);
    return rc;
  }
  if (strcmp(e->mode, "badsig") == 0) e->crafted[e->crafted_len - 10] ^= 0x40;
  e->crafted_seq = en.seq;
  return 0;
}

/* Queues one flood message; nonzero when the output queue is full. */
static int flood_one(evil *e) {
  const char *m = e->mode + 6;
  int rc;
  if (strcmp(m, "cp-stale") == 0) {
    rc = cp_sync_send_checkpoint(e->s, e->self, e->note, e->note_len);
  } else if (strcmp(m, "cp-garbage") == 0) {
    static const char junk[] = "not a checkpoint\n\x01\x02\n";
    rc = e->sent % 2 == 0 ? cp_sync_send_checkpoint(e->s, e->self, junk, sizeof junk - 1)
                          : cp_sync_send_checkpoint(e->s, e->self, e->bad_note, e->note_len);
  } else if (strcmp(m, "cp-forged") == 0) {
    rc = cp_sync_send_checkpoint(e->s, e->self, e->bad_note, e->note_len);
  } else if (strcmp(m, "cp-cosig") == 0 || strcmp(m, "cp-cosig-forged") == 0) {
    /* Its checkpoint with a cosignature: by a new key each time, or by its
     * own witness key with the signature broken. */
    static char out[CP_NOTE_MAX];
    size_t olen = 0;
    cp_key *w = e->witness;
    int fresh = strcmp(m, "cp-cosig") == 0;
    if (fresh && cp_key_generate(&w) != 0) return CP_ENOMEM;
    rc = cp_note_cosign(w, fresh ? "stranger/witness" : e->wname, (uint64_t)time(NULL), e->note,
                        e->note_len, out, sizeof out, &olen);
    if (fresh) cp_key_free(w);
    if (rc != 0) return rc;
    if (!fresh) out[olen - 6] = out[olen - 6] == 'A' ? 'B' : 'A';
    rc = cp_sync_send_checkpoint(e->s, e->self, out, olen);
  } else if (strcmp(m, "rs-stale") == 0) {
    rc = cp_sync_send_revstat(e->s, e->self, e->rs[0], e->rs_len[0]);
  } else if (strcmp(m, "rs-garbage") == 0) {
    static const char junk[] = "credport revocation status v1\nnot a statement\n";
    rc = cp_sync_send_revstat(e->s, e->self, junk, sizeof junk - 1);
  } else if (strcmp(m, "fork") == 0) {
    rc = cp_sync_send_fork_proof(e->s, e->last, e->last_len, e->crafted, e->crafted_len);
  } else if (strcmp(m, "have") == 0) {
    rc = cp_sync_announce(e->s, &e->self_head);
  } else if (strcmp(m, "req") == 0) {
    uint8_t log[CP_PK_BYTES];
    randombytes_buf(log, sizeof log);
    rc = cp_sync_request(e->s, log, 0);
  } else {
    /* PING: 40, then the sender's clock (u64 ms, D-5): a plausible one.
     * RECON out of turn: 11, flags 0, one range: infinity, FP. */
    uint8_t ping[9] = {0x40};
    uint64_t now_ms = (uint64_t)time(NULL) * 1000u;
    for (int i = 0; i < 8; i++) ping[1 + i] = (uint8_t)(now_ms >> (56 - 8 * i));
    uint8_t recon[22] = {0x11, 0x00, 0x00, 0x01, 0xff, 0x01};
    int is_ping = strcmp(m, "ping") == 0;
    size_t n = is_ping ? sizeof ping : sizeof recon;
    if (!is_ping) randombytes_buf(recon + 6, 16);
    uint8_t *p = cp__frame_begin(e->s, n, 0);
    if (p == NULL) return CP_EAGAIN;
    memcpy(p, is_ping ? ping : recon, n);
    cp__frame_end(e->s, n);
    rc = 0;
  }
  if (rc == 0) e->sent++;
  return rc;
}

static int engine_mode(const char *mode, const char *addr, const char *peerhex, const char *dir,
                       unsigned secs) {
  evil e;
  memset(&e, 0, sizeof e);
  e.mode = mode;
  e.flood = strncmp(mode, "flood-", 6) == 0;
  int noread = strcmp(mode, "noread") == 0, hush = strcmp(mode, "hush") == 0;
  uint8_t peer[CP_PK_BYTES];
  if (strlen(peerhex) != 2 * CP_PK_BYTES || cp_hex_decode(peerhex, strlen(peerhex), peer, sizeof peer) != 0)
    return usage();
  char path[4096];
  cp_key *k = NULL;
  cp_diag d = {{0}};
  snprintf(path, sizeof path, "%s/authority.key", dir);
  if (cp_key_load(path, &k, &d) != 0) {
    fprintf(stderr, "evilpeer: %s: %s\n", path, d.msg);
    return 2;
  }
  snprintf(path, sizeof path, "%s/ledger", dir);
  if (cp_store_open(path, CP_STORE_RDONLY, &e.st, &d) != 0) {
    fprintf(stderr, "evilpeer: %s: %s\n", path, d.msg);
    cp_key_free(k);
    return 2;
  }
  int rc = 0;
  if (strcmp(mode, "flood-cp-cosig-forged") == 0) {
    snprintf(path, sizeof path, "%s/witness.key", dir);
    if (cp_key_load(path, &e.witness, &d) != 0) {
      fprintf(stderr, "evilpeer: %s: %s\n", path, d.msg);
      cp_key_free(k);
      cp_store_close(e.st);
      return 2;
    }
  }
  if (!noread && !hush) rc = craft(&e, k);
  if (rc == 0 && e.note_len > 0) {
    const char *nl = memchr(e.note, '\n', e.note_len);
    snprintf(e.wname, sizeof e.wname, "%.*s/witness", nl ? (int)(nl - e.note) : 0, e.note);
  }
  /* noread grants the node all the credit it could want: only the socket
   * can stop it. */
  cp_sync_config cfg = {CP_SYNC_INITIATOR, k, peer, 1, noread ? 1u << 24 : 0,
                        noread ? 0xfff00000u : 0, 0};
  if (rc == 0) rc = cp_sync_create(&cfg, &e.s);
  e.fd = rc == 0 ? dial(addr) : -1;
  if (e.fd < 0) {
    cp_sync_free(e.s);
    cp_store_close(e.st);
    cp_key_free(k);
    return 2;
  }
  fcntl(e.fd, F_SETFL, fcntl(e.fd, F_GETFL) | O_NONBLOCK);
  e.reading = 1;
  uint64_t t0 = now_ms(), stopped_at = 0;
  int done = 0, reset = 0, eof = 0;
  uint8_t buf[65536];
  size_t pend = 0;
  while (!done && now_ms() - t0 < (uint64_t)secs * 1000u) {
    size_t outn;
    if (e.hushed_at != 0) {
      /* Silent: read and discard until the node hangs up. */
      struct pollfd p = {e.fd, POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        ssize_t r = recv(e.fd, buf, sizeof buf, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) done = reset = 1;
      }
      continue;
    }
    cp_sync_out(e.s, &outn);
    /* Not reading: only watch for the node hanging up (FIN or RST). */
    short want = e.reading ? (short)(POLLIN | (outn ? POLLOUT : 0)) : (short)POLLRDHUP;
    struct pollfd p = {e.fd, want, 0};
    int pr = poll(&p, 1, 100);
    if (pr < 0 && errno != EINTR) break;
    if (!e.reading) {
      if (p.revents & (POLLERR | POLLHUP | POLLRDHUP)) {
        reset = 1;
        done = 1;
      }
      continue;
    }
    if (p.revents & POLLOUT) {
      const uint8_t *o = cp_sync_out(e.s, &outn);
      ssize_t w = send(e.fd, o, outn, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) cp_sync_out_ack(e.s, (size_t)w);
      else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        eof = 1;
        done = 1;
      }
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = recv(e.fd, buf + pend, sizeof buf - pend, 0);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        eof = 1;
        done = 1;
      } else if (r > 0) {
        pend += (size_t)r;
      }
    }
    size_t off = 0;
    int stuck = 0;
    while (off < pend && cp_sync_status(e.s) == 0) {
      size_t used = 0;
      int frc = cp_sync_feed(e.s, buf + off, pend - off, &used);
      off += used;
      take_events(&e);
      if (frc == CP_EAGAIN && used == 0 && ++stuck > 4) break;
      if (frc != 0 && frc != CP_EAGAIN) break;
    }
    memmove(buf, buf + off, pend - off);
    pend -= off;
    (void)cp_sync_tick(e.s, now_ms());
    take_events(&e);
    if (cp_sync_status(e.s) != 0 && !e.peer_closed) {
      printf("evilpeer: %s: our session ended: %s\n", mode, cp_sync_error(e.s));
      done = 1;
    }
    if (e.peer_closed) done = 1;
    if (!e.authed) continue;
    if (hush) {
      cp_sync_out(e.s, &outn);
      if (outn == 0 && now_ms() - e.authed_at > 1000) {
        /* A frame announcing 200 bytes, cut after 20. */
        uint8_t cut[24] = {0, 0, 0, 200};
        memset(cut + 4, 0x5a, sizeof cut - 4);
        if (send(e.fd, cut, sizeof cut, MSG_NOSIGNAL) != (ssize_t)sizeof cut) break;
        e.hushed_at = now_ms();
        printf("evilpeer: hush: sent 24 bytes of a 204-byte frame, now silent\n");
      }
      continue;
    }
    if (e.flood) {
      for (int i = 0; i < 256 && flood_one(&e) == 0; i++) continue;
      continue;
    }
    if (strcmp(mode, "revstat") == 0) {
      if (e.served && !e.pushed && send_revstats(&e) == 0) e.pushed = 1;
      continue;
    }
    if (!noread && !e.pushed) {
      cp_sync_blob b = {e.crafted, e.crafted_len};
      int prc = strcmp(mode, "cpfork") == 0
                    ? cp_sync_send_checkpoint(e.s, e.self, (const char *)e.crafted, e.crafted_len)
                    : cp_sync_push(e.s, e.self, e.crafted_seq, &b, 1);
      if (prc == 0) {
        e.pushed = 1;
        printf("evilpeer: %s: pushed a crafted entry at seq %llu\n", mode,
               (unsigned long long)e.crafted_seq);
      }
    }
    if (!noread && e.fork_back && (strcmp(mode, "fork") == 0 || strcmp(mode, "cpfork") == 0))
      done = 1;
    if (noread && e.reading) {
      cp_sync_stats st;
      cp_sync_get_stats(e.s, &st);
      cp_sync_out(e.s, &outn);
      if (st.requests_out > 0 && outn == 0 && e.entries_in > 0) {
        e.reading = 0;
        stopped_at = now_ms();
        printf("evilpeer: noread: stopped reading after %llu entries\n",
               (unsigned long long)e.entries_in);
        fflush(stdout);
      }
    }
  }
  uint64_t ms = now_ms() - t0;
  int status = 3;
  if (e.flood) {
    if (e.peer_closed || eof || reset) status = 0;
    printf("evilpeer: %s: %s after %llu messages in %llu ms\n", mode,
           status == 0 ? "the node ended the session" : "the node did not react",
           (unsigned long long)e.sent, (unsigned long long)ms);
  } else if (strcmp(mode, "badsig") == 0 || strcmp(mode, "revstat") == 0) {
    if (e.peer_closed || eof) status = 0;
    printf("evilpeer: %s: %s after %llu ms\n", mode,
           status == 0 ? "the node ended the session" : "the node did not react",
           (unsigned long long)ms);
  } else if (strcmp(mode, "fork") == 0 || strcmp(mode, "cpfork") == 0) {
    if (e.fork_back) status = 0;
    printf("evilpeer: %s: %s after %llu ms\n", mode,
           status == 0 ? "the node sent the fork proof back" : "no fork proof came back",
           (unsigned long long)ms);
  } else if (hush) {
    if (reset && e.hushed_at != 0) status = 0;
    if (status == 0)
      printf("evilpeer: hush: the node closed the connection %llu ms after we fell silent\n",
             (unsigned long long)(now_ms() - e.hushed_at));
    else
      printf("evilpeer: hush: %s\n", e.hushed_at ? "the node kept the connection open"
                                                  : "never got to the point of falling silent");
  } else {
    if (stopped_at != 0) status = 0;
    if (reset)
      printf("evilpeer: noread: the node dropped the connection %llu ms after we stopped reading\n",
             (unsigned long long)(now_ms() - stopped_at));
    else if (stopped_at != 0)
      printf("evilpeer: noread: held the connection without reading for %llu ms\n",
             (unsigned long long)(now_ms() - stopped_at));
    else
      printf("evilpeer: noread: never got to the point of not reading\n");
  }
  fflush(stdout);
  close(e.fd);
  cp_sync_free(e.s);
  free(e.h.v);
  cp_store_close(e.st);
  cp_key_free(k);
  cp_key_free(e.witness);
  return status;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 3) return usage();
  if (cp_crypto_init() != 0) {
    fprintf(stderr, "evilpeer: cannot initialise libsodium\n");
    return 2;
  }
  const char *mode = argv[1];
  if (strcmp(mode, "connflood") == 0) return connflood_mode(argc, argv);
  if (strcmp(mode, "garbage") == 0 || strcmp(mode, "oversize") == 0 ||
      strcmp(mode, "truncated") == 0) {
    if (argc > 4) return usage();
    return raw_mode(mode, argv[2], argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 30);
  }
  if (strcmp(mode, "badsig") == 0 || strcmp(mode, "fork") == 0 || strcmp(mode, "noread") == 0 ||
      strcmp(mode, "hush") == 0 || strcmp(mode, "cpfork") == 0 || strcmp(mode, "revstat") == 0 ||
      strcmp(mode, "flood-cp-stale") == 0 ||
      strcmp(mode, "flood-cp-garbage") == 0 || strcmp(mode, "flood-cp-forged") == 0 ||
      strcmp(mode, "flood-cp-cosig") == 0 || strcmp(mode, "flood-cp-cosig-forged") == 0 ||
      strcmp(mode, "flood-fork") == 0 || strcmp(mode, "flood-rs-stale") == 0 ||
      strcmp(mode, "flood-rs-garbage") == 0 || strcmp(mode, "flood-have") == 0 || strcmp(mode, "flood-req") == 0 ||
      strcmp(mode, "flood-ping") == 0 || strcmp(mode, "flood-recon") == 0) {
    if (argc < 5 || argc > 6) return usage();
    return engine_mode(mode, argv[2], argv[3], argv[4], argc == 6 ? (unsigned)strtoul(argv[5], NULL, 10) : 30);
  }
  return usage();
}
