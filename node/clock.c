/*
 * credport — partners' clocks and the signing guard (docs/FORMATS.md,
 * "Entry times").
 *
 * The daemon records, per partner, the clock the partner's DIGEST carried
 * and this machine's clocks at that moment (wall clock, time since boot,
 * boot ID). A writing command, a separate process, projects each partner's
 * clock to its own moment along the boot clock, which no wall-clock change
 * moves, and refuses to sign while its wall clock is further from the
 * partners' than CP_TIME_SKEW_MAX, the skew partners accept.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "credport/codec.h"
#include "store_internal.h"

/* The boot ID: the 36-character UUID the kernel draws at boot, as 16 bytes;
 * all zero when it cannot be read (then no observation is ever used). */
static void boot_id(uint8_t out[16]) {
  char txt[64];
  memset(out, 0, 16);
  int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, txt, sizeof txt - 1);
  close(fd);
  if (n < 36) return;
  uint8_t b[16];
  size_t k = 0;
  for (size_t i = 0; i < 36 && k < 16; i++) {
    if (txt[i] == '-') continue;
    if (i + 1 >= 36 || cp_hex_decode(txt + i, 2, b + k, 1) != 0) return;
    k++;
    i++;
  }
  if (k == 16) memcpy(out, b, 16);
}

static uint64_t clock_ms(clockid_t id) {
  struct timespec t;
  if (clock_gettime(id, &t) != 0) return 0;
  return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

void cp_clock_sample(cp_clock_obs *o) {
  o->local_ms = clock_ms(CLOCK_REALTIME);
  o->boot_ms = clock_ms(CLOCK_BOOTTIME);
  boot_id(o->boot);
}

typedef struct {
  cp_clock_obs now;            /* this machine now (boot clock and ID) */
  uint64_t now_ms;             /* the wall clock under test */
  cp_clock_view *v;
} view_ctx;

static int view_peer(void *ctx, const cp_peer_info *p) {
  static const uint8_t zero[16];
  view_ctx *x = ctx;
  const cp_clock_obs *o = &p->clock;
  if (o->peer_ms == 0 || memcmp(o->boot, zero, 16) == 0 ||
      memcmp(o->boot, x->now.boot, 16) != 0 || o->boot_ms > x->now.boot_ms)
    return 0;
  uint64_t age = x->now.boot_ms - o->boot_ms;
  if (age > (uint64_t)CP_CLOCK_OBS_MAX_AGE * 1000u) return 0;
  uint64_t peer_now = o->peer_ms + age;
  int64_t diff = (int64_t)(x->now_ms - peer_now);
  uint64_t mag = diff < 0 ? (uint64_t)-diff : (uint64_t)diff;
  x->v->usable++;
  if (mag > (uint64_t)CP_TIME_SKEW_MAX * 1000u) x->v->far++;
  int64_t w = x->v->worst_ms;
  if (x->v->usable == 1 || mag > (uint64_t)(w < 0 ? -w : w)) {
    x->v->worst_ms = diff;
    x->v->worst_peer_ms = peer_now;
    x->v->worst_age_ms = age;
    memcpy(x->v->worst_key, p->key, CP_PK_BYTES);
  }
  return 0;
}

int cp_clock_view_get(cp_store *s, uint64_t now_s, cp_clock_view *v) {
  cp_reader *r = NULL;
  view_ctx x;
  memset(v, 0, sizeof *v);
  memset(&x, 0, sizeof x);
  cp_clock_sample(&x.now);
  x.now_ms = now_s * 1000u;
  x.v = v;
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_each_peer(r, view_peer, &x);
  cp_reader_end(r);
  return rc;
}

static void utc(uint64_t ms, char out[32]) {
  time_t t = (time_t)(ms / 1000u);
  struct tm tm;
  if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(out, 32, "%llu ms", (unsigned long long)ms);
}

int cp_clock_guard(cp_store *s, uint64_t now_s, cp_diag *d) {
  cp_clock_view v;
  int rc = cp_clock_view_get(s, now_s, &v);
  if (rc != 0) return cp_diag_set(d, rc, "cannot read the partners' clocks: %s", cp_strerror(rc));
  if (v.usable == 0 || 2 * v.far <= v.usable) return CP_OK;
  char ours[32], theirs[32], hex[2 * CP_PK_BYTES + 1];
  utc(now_s * 1000u, ours);
  utc(v.worst_peer_ms, theirs);
  cp_hex_encode(v.worst_key, 8, hex);
  uint64_t mag = (uint64_t)(v.worst_ms < 0 ? -v.worst_ms : v.worst_ms) / 1000u;
  return cp_diag_set(d, CP_ETIME,
                     "this node's clock reads %s but partner %s… reads %s (observed %llu s "
                     "ago; %u of %u partners disagree): %llu s %s, more than the %u s partners "
                     "accept. Nothing was signed: set this machine's clock right (NTP), then "
                     "try again",
                     ours, hex, theirs, (unsigned long long)(v.worst_age_ms / 1000u), v.far,
                     v.usable, (unsigned long long)mag, v.worst_ms > 0 ? "ahead" : "behind",
                     CP_TIME_SKEW_MAX);
}
