/* credport CLI — the node's clock against its partners', and the clock
 * correction after entries were signed with a clock that was ahead
 * (docs/FORMATS.md, "Entry times"). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/limits.h"

static const char clock_help[] =
    "usage: credport clock show [--json]\n"
    "       credport clock correct [--reason TEXT] [--dry-run]\n"
    "  show     this node's clock and, per partner, the clock it last reported (recorded\n"
    "           by serve and sync) and how far apart the two are now.\n"
    "  correct  after entries were signed with a clock that was ahead: signs a clock entry\n"
    "           dated now (this clock, which must be right) naming the first entry dated\n"
    "           after now. The log moves on from now, and partners accept the entries\n"
    "           dated ahead together with the correction.\n";

typedef struct {
  json_t *arr;
  uint64_t now_ms;
  cp_clock_obs here;
} show_ctx;

static int show_peer(void *ctx, const cp_peer_info *p) {
  show_ctx *x = ctx;
  char hex[2 * CP_PK_BYTES + 1];
  cp_hex_encode(p->key, CP_PK_BYTES, hex);
  const cp_clock_obs *o = &p->clock;
  int same_boot = o->peer_ms != 0 && memcmp(o->boot, x->here.boot, 16) == 0 &&
                  o->boot_ms <= x->here.boot_ms;
  int64_t offset = (int64_t)(o->peer_ms - o->local_ms);
  uint64_t age = same_boot ? x->here.boot_ms - o->boot_ms : 0;
  int64_t apart = same_boot ? (int64_t)(x->now_ms - (o->peer_ms + age)) : 0;
  if (x->arr != NULL) {
    json_t *j = json_object();
    json_object_set_new(j, "key", json_string(hex));
    json_object_set_new(j, "observed", json_boolean(o->peer_ms != 0));
    if (o->peer_ms != 0) {
      json_object_set_new(j, "offset_ms", json_integer((json_int_t)offset));
      json_object_set_new(j, "this_boot", json_boolean(same_boot));
      if (same_boot) {
        json_object_set_new(j, "age_s", json_integer((json_int_t)(age / 1000u)));
        json_object_set_new(j, "ours_minus_theirs_ms", json_integer((json_int_t)apart));
      }
    }
    json_array_append_new(x->arr, j);
  } else if (o->peer_ms == 0) {
    printf("%s  never observed\n", hex);
  } else if (!same_boot) {
    printf("%s  offset %+.1f s when observed (before this machine's last boot: not used)\n",
           hex, (double)offset / 1000.0);
  } else {
    printf("%s  observed %llu s ago; now ours %s theirs by %.1f s\n", hex,
           (unsigned long long)(age / 1000u), apart >= 0 ? "ahead of" : "behind",
           (double)(apart >= 0 ? apart : -apart) / 1000.0);
  }
  return 0;
}

static int clock_show(cli *c) {
  cp_store *s = NULL;
  cp_reader *r = NULL;
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  show_ctx x = {c->json ? json_array() : NULL, cli_now() * 1000u, {0, 0, 0, {0}}};
  cp_clock_sample(&x.here);
  cp_clock_view v;
  int rc = cp_clock_view_get(s, cli_now(), &v);
  if (rc == 0 && !c->json)
    printf("limit %u s; %u partner clock(s) usable, %u of them too far from ours\n",
           CP_TIME_SKEW_MAX, v.usable, v.far);
  if (rc == 0) rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_each_peer(r, show_peer, &x);
  cp_reader_end(r);
  cp_store_close(s);
  if (rc != 0) {
    json_decref(x.arr);
    return cli_fail(c, "cannot read the partners' clocks: %s", cp_strerror(rc));
  }
  if (x.arr != NULL) {
    json_t *o = json_object();
    json_object_set_new(o, "now", json_integer((json_int_t)cli_now()));
    json_object_set_new(o, "limit_s", json_integer(CP_TIME_SKEW_MAX));
    json_object_set_new(o, "usable", json_integer(v.usable));
    json_object_set_new(o, "far", json_integer(v.far));
    json_object_set_new(o, "partners", x.arr);
    cli_print_json(o);
  }
  return CLI_OK;
}

/* The first entry of the own log dated after now, found from the end. */
static int first_ahead(cli *c, uint64_t now, uint8_t id[CP_HASH_BYTES], uint64_t *seq,
                       uint64_t *size, uint64_t *last_time) {
  cp_store *s = NULL;
  cp_reader *r = NULL;
  uint8_t self[CP_PK_BYTES];
  cp_log_info li;
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_self(r, self);
  if (rc == 0) rc = cp_reader_log(r, self, &li);
  if (rc == 0) {
    *last_time = li.last_time;
    *seq = *size = li.size;
    for (uint64_t k = li.size; k-- > 1 && rc == 0;) {
      const uint8_t *buf;
      size_t len;
      cp_entry e;
      rc = cp_reader_entry(r, self, k, &buf, &len);
      if (rc == 0) rc = cp_entry_decode(buf, len, &e, NULL);
      if (rc != 0 || e.time <= now) break;
      *seq = k;
      cp_entry_id(buf, len, id);
    }
  }
  cp_reader_end(r);
  cp_store_close(s);
  if (rc != 0) return cli_fail(c, "cannot read the own log: %s", cp_strerror(rc));
  return CLI_OK;
}

static int clock_correct(cli *c, const char *reason) {
  cp_entry e;
  uint64_t now = cli_now(), seq = 0, size = 0, last = 0;
  memset(&e, 0, sizeof e);
  int st = first_ahead(c, now, e.u.clock.first, &seq, &size, &last);
  if (st != CLI_OK) return st;
  if (last <= now)
    return cli_fail(c, "nothing to correct: the log's last entry is dated %llu, not after this "
                    "clock (%llu)", (unsigned long long)last, (unsigned long long)now);
  if (size - seq > CP_CLOCK_COVER_MAX)
    return cli_fail(c, "%llu entries (from seq %llu) are dated after this clock, more than the "
                    "%u one correction may cover: partners will take them once their clocks "
                    "reach %llu (docs/FORMATS.md, \"Entry times\")",
                    (unsigned long long)(size - seq), (unsigned long long)seq,
                    CP_CLOCK_COVER_MAX, (unsigned long long)last);
  e.type = CP_T_CLOCK;
  e.u.clock.reason = (cp_str){reason, strlen(reason)};
  uint8_t id[CP_HASH_BYTES];
  st = cli_append_one(c, &e, "clock correction", id);
  if (st != CLI_OK || c->dry_run) return st;
  char hex[2 * CP_HASH_BYTES + 1];
  cp_hex_encode(id, CP_HASH_BYTES, hex);
  if (c->json) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(hex));
    json_object_set_new(o, "seq", json_integer((json_int_t)e.seq));
    json_object_set_new(o, "first", json_integer((json_int_t)seq));
    cli_print_json(o);
  } else {
    printf("%s\nclock corrected at seq %llu: entries from seq %llu were dated ahead; the log "
           "continues from %llu\n", hex, (unsigned long long)e.seq, (unsigned long long)seq,
           (unsigned long long)now);
  }
  return CLI_OK;
}

int cmd_clock(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"reason", 1, 0, 'r'}, {"json", 0, 0, 'J'}, {"dry-run", 0, 0, 'N'}, {"help", 0, 0, 'h'},
      {0, 0, 0, 0}};
  const char *reason = "entries were signed with a clock that was ahead";
  int o;
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(clock_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  const char *sub = argv[1];
  cli_getopt_reset();
  while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'r': reason = optarg; break;
    case 'J': c->json = 1; break;
    case 'N': c->dry_run = 1; break;
    case 'h': fputs(clock_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv + 1, opts, clock_help);
    }
  }
  if (optind + 1 < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind + 1]);
  if (strcmp(sub, "show") == 0) return clock_show(c);
  if (strcmp(sub, "correct") == 0) {
    if (*reason == 0) return cli_usage(c, "--reason must not be empty");
    return clock_correct(c, reason);
  }
  return cli_usage(c, "unknown clock subcommand \"%s\"\n%s", sub, clock_help);
}
