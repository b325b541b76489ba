/* credport CLI — status: every log, every partner, every fork. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "credport/codec.h"

typedef struct {
  cp_reader *r;
  json_t *logs, *forks;
} st_ctx;

/* The size line of a checkpoint note (0 if it has none). */
static unsigned long long note_size(const uint8_t *note, size_t len) {
  const uint8_t *nl = memchr(note, '\n', len);
  char buf[24];
  size_t n = 0;
  if (nl == NULL) return 0;
  for (const uint8_t *q = nl + 1; q < note + len && *q >= '0' && *q <= '9' && n + 1 < sizeof buf;
       q++)
    buf[n++] = (char)*q;
  buf[n] = 0;
  return strtoull(buf, NULL, 10);
}

static int log_row(void *ctx, const cp_log_info *li) {
  st_ctx *x = ctx;
  char hex[2 * CP_PK_BYTES + 1], root[CP_B64_LEN(CP_HASH_BYTES) + 1];
  const char *note;
  size_t nlen;
  cp_hex_encode(li->log, CP_PK_BYTES, hex);
  cp_b64_encode(li->root, CP_HASH_BYTES, root);
  json_t *o = json_object();
  json_object_set_new(o, "log", json_string(hex));
  json_object_set_new(o, "name", json_stringn(li->name.p, li->name.len));
  json_object_set_new(o, "jurisdiction", json_stringn(li->jurisdiction.p, li->jurisdiction.len));
  json_object_set_new(o, "size", json_integer((json_int_t)li->size));
  json_object_set_new(o, "root", json_string(root));
  json_object_set_new(o, "head", cli_hex_json(li->head, CP_HASH_BYTES));
  if (cp_reader_checkpoint(x->r, li->log, &note, &nlen) == 0) {
    /* The size line of the note. */
    const char *nl = memchr(note, '\n', nlen);
    json_object_set_new(o, "checkpoint_size",
                        json_integer(nl ? (json_int_t)strtoull(nl + 1, NULL, 10) : 0));
    json_object_set_new(o, "checkpoint", json_stringn(note, nlen));
    cp_cosig_info ci;
    cp_store_cosig_info(note, nlen, &ci);
    json_object_set_new(o, "cosignatures", json_integer((json_int_t)ci.count));
    cli_set_time(o, "newest_cosignature", ci.count ? ci.newest : 0);
  } else {
    json_object_set_new(o, "checkpoint", json_null());
    json_object_set_new(o, "cosignatures", json_integer(0));
    cli_set_time(o, "newest_cosignature", 0);
  }
  json_object_set_new(o, "forked", json_boolean(li->flags & CP_LOG_FORKED));
  json_object_set_new(o, "retired", json_boolean(li->flags & CP_LOG_RETIRED));
  json_array_append_new(x->logs, o);
  cp_fork_proof p;
  if ((li->flags & CP_LOG_FORKED) && cp_reader_fork(x->r, li->log, &p) == 0) {
    json_t *f = json_object();
    json_object_set_new(f, "log", json_string(hex));
    json_object_set_new(f, "name", json_stringn(li->name.p, li->name.len));
    if (p.kind == CP_FORK_CHECKPOINTS) {
      /* Two signed checkpoints that are not consistent (docs/FORMATS.md):
       * their sizes, from each note's size line. */
      json_object_set_new(f, "kind", json_string("checkpoint"));
      json_object_set_new(f, "size_a", json_integer((json_int_t)note_size(p.a, p.alen)));
      json_object_set_new(f, "size_b", json_integer((json_int_t)note_size(p.b, p.blen)));
      json_object_set_new(f, "checkpoint_a", json_stringn((const char *)p.a, p.alen));
      json_object_set_new(f, "checkpoint_b", json_stringn((const char *)p.b, p.blen));
    } else {
      cp_entry e;
      uint8_t ida[CP_HASH_BYTES], idb[CP_HASH_BYTES];
      if (cp_entry_decode(p.a, p.alen, &e, NULL) == 0)
        json_object_set_new(f, "seq", json_integer((json_int_t)e.seq));
      /* "seq": two entries at one seq; "branch": entry seq+1 of another
       * branch names a prev that is not entry seq (docs/FORMATS.md). */
      int branch = p.alen >= 42 && p.blen >= 42 && cp_entry_decode(p.b, p.blen, &e, NULL) == 0 &&
                   (json_int_t)e.seq != json_integer_value(json_object_get(f, "seq"));
      json_object_set_new(f, "kind", json_string(branch ? "branch" : "seq"));
      cp_entry_id(p.a, p.alen, ida);
      cp_entry_id(p.b, p.blen, idb);
      json_object_set_new(f, "entry_a", cli_hex_json(ida, CP_HASH_BYTES));
      json_object_set_new(f, "entry_b", cli_hex_json(idb, CP_HASH_BYTES));
    }
    json_array_append_new(x->forks, f);
  }
  return 0;
}

static int peer_row(void *ctx, const cp_peer_info *p) {
  json_array_append_new(ctx, cli_peer_json(p, 1));
  return 0;
}

/* Marks peers with a live session of a running `serve` (its status.json is
 * rewritten every second; an older one is stale). */
static int live_sessions(cli *c, json_t *peers) {
  char path[PATH_MAX];
  struct stat st;
  cli_path(c, "status.json", path, sizeof path);
  if (stat(path, &st) != 0 || time(NULL) - st.st_mtime > 5) return 0;
  json_error_t je;
  json_t *j = json_load_file(path, 0, &je);
  if (j == NULL) return 0;
  size_t i, k;
  json_t *s, *p;
  json_array_foreach(json_object_get(j, "sessions"), i, s) {
    const char *key = json_string_value(json_object_get(s, "peer"));
    json_array_foreach(peers, k, p) {
      if (key != NULL && strcmp(json_string_value(json_object_get(p, "key")), key) == 0) {
        json_object_set_new(p, "connected", json_true());
        json_object_set(p, "synced", json_object_get(s, "synced"));
        json_object_set(p, "session_entries_in", json_object_get(s, "entries_in"));
        json_object_set(p, "session_entries_out", json_object_get(s, "entries_out"));
      }
    }
  }
  json_decref(j);
  return 1;
}

int cmd_status(cli *c, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) c->json = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("usage: credport [-d DIR] status [--json]\n"
             "  Every log the node holds (key, name, size, root, latest checkpoint), every\n"
             "  partner (connected now, last sync, bytes, entries) and every fork found.\n");
      return CLI_OK;
    } else return cli_usage(c, "unexpected argument \"%s\"", argv[i]);
  }
  cp_store *s = NULL;
  cp_reader *r = NULL;
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  st_ctx x = {NULL, json_array(), json_array()};
  json_t *peers = json_array();
  int rc = cp_reader_begin(s, &r);
  x.r = r;
  if (rc == 0) rc = cp_reader_each_log(r, log_row, &x);
  if (rc == 0) rc = cp_reader_each_peer(r, peer_row, peers);
  cp_reader_end(r);
  cp_store_close(s);
  if (rc != 0) {
    json_decref(x.logs), json_decref(x.forks), json_decref(peers);
    return cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  }
  int running = live_sessions(c, peers);
  if (c->json) {
    json_t *o = json_object();
    json_object_set_new(o, "logs", x.logs);
    json_object_set_new(o, "peers", peers);
    json_object_set_new(o, "forks", x.forks);
    json_object_set_new(o, "serving", json_boolean(running));
    cli_print_json(o);
    return CLI_OK;
  }
  size_t i;
  json_t *v;
  if (cli_json_human(x.logs) != 0 || cli_json_human(x.forks) != 0 || cli_json_human(peers) != 0) {
    json_decref(x.logs), json_decref(x.forks), json_decref(peers);
    return cli_fail(c, "out of memory");
  }
  printf("%-18s %-34s %8s  %-44s %s\n", "LOG", "NAME", "SIZE", "ROOT", "CHECKPOINT");
  json_array_foreach(x.logs, i, v) {
    json_t *cs = json_object_get(v, "checkpoint_size");
    char cpt[64] = "none";
    if (cs)
      snprintf(cpt, sizeof cpt, "at size %lld, %lld cosigned", (long long)json_integer_value(cs),
               (long long)json_integer_value(json_object_get(v, "cosignatures")));
    printf("%.16s…  %-34.34s %8lld  %-44s %s\n", json_string_value(json_object_get(v, "log")),
           json_string_value(json_object_get(v, "name")),
           (long long)json_integer_value(json_object_get(v, "size")),
           json_string_value(json_object_get(v, "root")), cpt);
  }
  printf("\n%-18s %-22s %-9s %-20s %10s %10s\n", "PARTNER", "ADDRESS", "CONNECTED", "LAST SYNC",
         "ENTRIES IN", "OUT");
  json_array_foreach(peers, i, v) {
    char when[32] = "never";
    time_t t = (time_t)json_integer_value(json_object_get(v, "last_sync_unix"));
    int live = json_is_true(json_object_get(v, "connected"));
    /* The stored totals grow when a session ends; a live session's
     * entries are added from the running serve's status. */
    long long in = (long long)json_integer_value(json_object_get(v, "entries_in")) +
                   (long long)json_integer_value(json_object_get(v, "session_entries_in"));
    long long out = (long long)json_integer_value(json_object_get(v, "entries_out")) +
                    (long long)json_integer_value(json_object_get(v, "session_entries_out"));
    if (live && json_is_true(json_object_get(v, "synced"))) {
      snprintf(when, sizeof when, "in sync now");
    } else if (live) {
      snprintf(when, sizeof when, "syncing now");
    } else if (t) {
      struct tm tm;
      gmtime_r(&t, &tm);
      strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
    }
    printf("%.16s…  %-22s %-9s %-20s %10lld %10lld\n",
           json_string_value(json_object_get(v, "key")), json_string_value(json_object_get(v, "addr")),
           live ? "yes" : "no", when, in, out);
  }
  printf("\nforks: %zu%s\n", json_array_size(x.forks), json_array_size(x.forks) ? " (see --json)" : "");
  json_array_foreach(x.forks, i, v) {
    long long sq = (long long)json_integer_value(json_object_get(v, "seq"));
    const char *kind = json_string_value(json_object_get(v, "kind"));
    if (strcmp(kind, "checkpoint") == 0)
      printf("  FORK log %.16s… (%s): checkpoints at sizes %lld and %lld are not consistent\n",
             json_string_value(json_object_get(v, "log")),
             json_string_value(json_object_get(v, "name")),
             (long long)json_integer_value(json_object_get(v, "size_a")),
             (long long)json_integer_value(json_object_get(v, "size_b")));
    else if (strcmp(kind, "branch") == 0)
      printf("  FORK log %.16s… (%s): two branches, entry %lld names a prev that is not "
             "entry %lld\n", json_string_value(json_object_get(v, "log")),
             json_string_value(json_object_get(v, "name")), sq + 1, sq);
    else
      printf("  FORK log %.16s… (%s): two entries at seq %lld\n",
             json_string_value(json_object_get(v, "log")),
             json_string_value(json_object_get(v, "name")), sq);
  }
  json_decref(x.logs), json_decref(x.forks), json_decref(peers);
  return CLI_OK;
}
