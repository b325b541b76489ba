/* credport CLI — reading the ledger: log, show, checkpoint, prove, audit. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/merkle.h"
#include "credport/proof.h"

/* Opens the store read-only and a reader; resolves --log (default: self). */
static int open_read(cli *c, const char *logarg, cp_store **s, cp_reader **r,
                     uint8_t log[CP_PK_BYTES]) {
  int st = cli_open_store(c, CP_STORE_RDONLY, s);
  if (st != CLI_OK) return st;
  int rc = cp_reader_begin(*s, r);
  if (rc != 0) return cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  if (logarg != NULL) {
    if (cli_parse_pubkey(logarg, log) != 0)
      return cli_usage(c, "--log: \"%s\" is not a public key", logarg);
    return CLI_OK;
  }
  rc = cp_reader_self(*r, log);
  if (rc != 0) return cli_fail(c, "this node has no authority yet: give --log KEY or run init");
  return CLI_OK;
}

static void close_read(cp_store *s, cp_reader *r) {
  cp_reader_end(r);
  cp_store_close(s);
}

/* ---- log ---------------------------------------------------------------------- */

static const char log_help[] =
    "usage: credport log [--log KEY] [--from SEQ] [--limit N] [--json]\n"
    "  Lists a log's entries (default: this node's own log): seq, entry ID, type, summary.\n";

typedef struct {
  uint64_t left;
  json_t *arr;
  cp_reader *r;
} logctx;

static int log_one(void *ctx, const uint8_t *buf, size_t len) {
  logctx *l = ctx;
  if (l->left == 0) return 1;
  l->left--;
  if (l->arr != NULL) {
    json_t *o = cli_entry_json(buf, len);
    cli_entry_annotate(o, l->r);
    json_array_append_new(l->arr, o);
  } else {
    cli_entry_line(stdout, buf, len, l->r);
  }
  return 0;
}

int cmd_log(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"log", 1, 0, 'l'}, {"from", 1, 0, 'f'},
                                       {"limit", 1, 0, 'n'}, {"json", 0, 0, 'J'},
                                       {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *logarg = NULL;
  uint64_t from = 0, limit = UINT64_MAX;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'l': logarg = optarg; break;
    case 'f':
      if (cli_parse_u64(optarg, &from) != 0) return cli_usage(c, "--from: \"%s\" is not a number", optarg);
      break;
    case 'n':
      if (cli_parse_u64(optarg, &limit) != 0) return cli_usage(c, "--limit: \"%s\" is not a number", optarg);
      break;
    case 'J': c->json = 1; break;
    case 'h': fputs(log_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, log_help);
    }
  }
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  cp_store *s = NULL;
  cp_reader *r = NULL;
  uint8_t log[CP_PK_BYTES];
  int st = open_read(c, logarg, &s, &r, log);
  if (st != CLI_OK) {
    close_read(s, r);
    return st;
  }
  logctx l = {limit, c->json ? json_array() : NULL, r};
  int rc = cp_reader_each_entry(r, log, from, log_one, &l);
  if (rc != 0 && rc != 1) {
    json_decref(l.arr);
    close_read(s, r);
    return cli_fail(c, "cannot list the log: %s", rc == CP_ENOTFOUND ? "no such log" : cp_strerror(rc));
  }
  if (l.arr != NULL) cli_print_json(l.arr);
  close_read(s, r);
  return CLI_OK;
}

/* ---- show ----------------------------------------------------------------------- */

int cmd_show(cli *c, int argc, char **argv) {
  const char *idarg = NULL;
  int raw = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) c->json = 1;
    else if (strcmp(argv[i], "--raw") == 0) raw = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("usage: credport show ENTRY_ID [--json | --raw]\n  Shows one entry of any log, and "
             "whether it is revoked.\n  --raw writes the entry's canonical bytes (the Merkle "
             "leaf data) to stdout.\n");
      return CLI_OK;
    } else if (idarg == NULL && argv[i][0] != '-') idarg = argv[i];
    else return cli_usage(c, "unexpected argument \"%s\"", argv[i]);
  }
  uint8_t id[CP_HASH_BYTES];
  if (idarg == NULL) return cli_usage(c, "an ENTRY_ID is required");
  if (raw && c->json) return cli_usage(c, "--raw and --json exclude each other");
  if (cli_parse_hash(idarg, id) != 0)
    return cli_usage(c, "ENTRY_ID: \"%s\" is not 64 hex digits", idarg);
  cp_store *s = NULL;
  cp_reader *r = NULL;
  const uint8_t *buf, *rb;
  size_t len, rl;
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_entry_by_id(r, id, &buf, &len);
  if (rc != 0) {
    close_read(s, r);
    return cli_fail(c, "entry %s: %s", idarg, rc == CP_ENOTFOUND ? "not found" : cp_strerror(rc));
  }
  /* Entries a revoke can withdraw say whether one did. */
  int revocable = buf[1] == CP_T_AWARD || buf[1] == CP_T_ENDORSE || buf[1] == CP_T_APPROVE ||
                  buf[1] == CP_T_CREDENTIAL || buf[1] == CP_T_LICENSURE;
  int revoked = revocable && cp_reader_withdrawal(r, id, &rb, &rl) == 0;
  if (raw) {
    fwrite(buf, 1, len, stdout);
  } else if (c->json) {
    json_t *o = cli_entry_json(buf, len);
    cli_entry_annotate(o, r);
    if (revocable) {
      json_object_set_new(o, "revoked", json_boolean(revoked));
      if (revoked) {
        uint8_t rid[CP_HASH_BYTES];
        cp_entry_id(rb, rl, rid);
        json_object_set_new(o, "revoked_by", cli_hex_json(rid, CP_HASH_BYTES));
      }
    }
    cli_print_json(o);
  } else {
    cli_entry_text(stdout, buf, len, r);
    if (revocable) printf("%-13s %s\n", "revoked", revoked ? "yes" : "no");
  }
  close_read(s, r);
  return CLI_OK;
}

/* ---- checkpoint ------------------------------------------------------------------- */

/* Size of a stored checkpoint note: its second line (the note was verified
 * when stored). */
static int note_size(const char *note, size_t len, uint64_t *size) {
  const char *nl = memchr(note, '\n', len), *end = note + len;
  if (nl == NULL) return CP_ECORRUPT;
  *size = 0;
  const char *p = nl + 1;
  for (; p < end && *p >= '0' && *p <= '9'; p++) *size = *size * 10 + (uint64_t)(*p - '0');
  return p < end && *p == '\n' && p > nl + 1 ? CP_OK : CP_ECORRUPT;
}

/* Finding the stored checkpoint at one size; the nearest sizes held on
 * either side and how many there are, for the message when there is none. */
#define LIST_SIZES 16
typedef struct {
  uint64_t want, count, below, above;
  int has_below, has_above;
  uint64_t first[LIST_SIZES];
  const char *note;
  size_t len;
} cp_find;

static int find_step(void *ctx, uint64_t size, const char *note, size_t len) {
  cp_find *f = ctx;
  if (f->count < LIST_SIZES) f->first[f->count] = size;
  f->count++;
  if (size == f->want) {
    f->note = note;
    f->len = len;
  } else if (size < f->want) {
    f->below = size;
    f->has_below = 1;
  } else if (!f->has_above) {
    f->above = size;
    f->has_above = 1;
  }
  return 0;
}

/* The stored checkpoint of log at size (OUT: note, len, valid until r
 * ends); prints the error, naming the sizes held, when there is none. */
static int checkpoint_at(cli *c, cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size,
                         const char **note, size_t *len) {
  cp_find f;
  memset(&f, 0, sizeof f);
  f.want = size;
  int rc = cp_reader_each_checkpoint(r, log, find_step, &f);
  if (rc != 0)
    return cli_fail(c, "cannot read the checkpoints: %s",
                    rc == CP_ENOTFOUND ? "no such log" : cp_strerror(rc));
  if (f.note != NULL) {
    *note = f.note;
    *len = f.len;
    return CLI_OK;
  }
  char list[LIST_SIZES * 21 + 64];
  size_t at = 0;
  if (f.count == 0) {
    snprintf(list, sizeof list, "none");
  } else if (f.count <= LIST_SIZES) {
    for (uint64_t i = 0; i < f.count && at < sizeof list; i++)
      at += (size_t)snprintf(list + at, sizeof list - at, "%s%llu", i ? ", " : "",
                             (unsigned long long)f.first[i]);
  } else {
    at = (size_t)snprintf(list, sizeof list, "%llu checkpoints, from %llu", (unsigned long long)f.count,
                          (unsigned long long)f.first[0]);
    if (f.has_below)
      at += (size_t)snprintf(list + at, sizeof list - at, "; the nearest below is %llu",
                             (unsigned long long)f.below);
    if (f.has_above && at < sizeof list)
      snprintf(list + at, sizeof list - at, "; the nearest above is %llu",
               (unsigned long long)f.above);
  }
  return cli_fail(c, "no checkpoint at size %llu: a checkpoint is signed once, at the size the "
                  "log had then, and this node holds none at that size (held: %s)",
                  (unsigned long long)size, list);
}

int cmd_checkpoint(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"log", 1, 0, 'l'},  {"size", 1, 0, 's'},
                                       {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'},
                                       {0, 0, 0, 0}};
  static const char help[] =
      "usage: credport checkpoint [--log KEY] [--size N] [--json]\n"
      "  Prints the log's latest checkpoint as a C2SP signed note (tlog-checkpoint v1.0.0),\n"
      "  or with --size N the one stored at size N (never signed anew: a log signs one\n"
      "  checkpoint per size); without one at N, the error names the sizes held.\n";
  const char *logarg = NULL, *sizearg = NULL;
  uint64_t size = 0;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'l': logarg = optarg; break;
    case 's': sizearg = optarg; break;
    case 'J': c->json = 1; break;
    case 'h': fputs(help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, help);
    }
  }
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (sizearg != NULL && (cli_parse_u64(sizearg, &size) != 0 || size == 0))
    return cli_usage(c, "--size: \"%s\" is not a size of 1 or more", sizearg);
  cp_store *s = NULL;
  cp_reader *r = NULL;
  uint8_t log[CP_PK_BYTES];
  const char *note;
  size_t len;
  int st = open_read(c, logarg, &s, &r, log);
  if (st == CLI_OK && sizearg != NULL) {
    st = checkpoint_at(c, r, log, size, &note, &len);
  } else if (st == CLI_OK) {
    int rc = cp_reader_checkpoint(r, log, &note, &len);
    if (rc != 0) st = cli_fail(c, "no checkpoint for that log: %s", cp_strerror(rc));
  }
  if (st == CLI_OK) {
    if (c->json) {
      json_t *j = json_object();
      json_object_set_new(j, "log", cli_hex_json(log, CP_PK_BYTES));
      json_object_set_new(j, "note", json_stringn(note, len));
      cli_print_json(j);
    } else
      fwrite(note, 1, len, stdout);
  }
  close_read(s, r);
  return st;
}

/* ---- prove ------------------------------------------------------------------------- */

static const char prove_help[] =
    "usage: credport prove inclusion ENTRY_ID [--size N] [--json | --format tlog-proof]\n"
    "       credport prove consistency --from A [--to B] [--log KEY] [--json]\n"
    "       credport prove absence AWARD_ID [--json]\n"
    "  Prints an RFC 9162 proof as JSON (docs/FORMATS.md). The size defaults to the log's\n"
    "  current size; check it with `credport verify-proof` against a checkpoint.\n"
    "  --format tlog-proof prints a C2SP tlog-proof file instead: the proof against the\n"
    "  log's latest stored checkpoint (or the one stored at --size N), which it carries\n"
    "  with any cosignatures; verify-proof checks it given the entry (show ID --raw).\n";

/* Prints p's leaf as a tlog-proof against the stored checkpoint at
 * p->tree_size when at_size, else the log's latest. */
static int tlog_proof(cli *c, cp_reader *r, cp_proof *p, int at_size) {
  cp_tlog_proof *t = calloc(1, sizeof *t);
  char *out = malloc(CP_TLOG_PROOF_MAX);
  uint64_t size = 0;
  size_t len = 0;
  int st = CLI_OK, rc;
  if (t == NULL || out == NULL) {
    st = cli_fail(c, "out of memory");
    goto out;
  }
  if (at_size) {
    st = checkpoint_at(c, r, p->log, p->tree_size, &t->note, &t->note_len);
  } else if ((rc = cp_reader_checkpoint(r, p->log, &t->note, &t->note_len)) != 0) {
    st = cli_fail(c, "the log has no checkpoint: %s", cp_strerror(rc));
  }
  if (st != CLI_OK) goto out;
  if (note_size(t->note, t->note_len, &size) != 0) {
    st = cli_fail(c, "a stored checkpoint of the log is malformed; run credport audit");
    goto out;
  }
  if (size <= p->leaf_index) {
    st = cli_fail(c, "entry %llu is not yet covered by the latest checkpoint (size %llu); a "
                  "checkpoint is signed at the next commit", (unsigned long long)p->leaf_index,
                  (unsigned long long)size);
    goto out;
  }
  t->index = p->leaf_index;
  if ((rc = cp_reader_inclusion(r, p->log, p->leaf_index, size, t->hashes, &t->n)) != 0 ||
      (rc = cp_tlog_proof_format(t, out, CP_TLOG_PROOF_MAX, &len)) != 0) {
    st = cli_fail(c, "cannot make the proof: %s", cp_strerror(rc));
    goto out;
  }
  fwrite(out, 1, len, stdout);
out:
  free(out);
  free(t);
  return st;
}

int cmd_prove(cli *c, int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "absence") == 0) return cmd_prove_absence(c, argc, argv);
  if (argc < 2 || (strcmp(argv[1], "inclusion") != 0 && strcmp(argv[1], "consistency") != 0)) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
      fputs(prove_help, stdout);
      return CLI_OK;
    }
    return cli_usage(c, "expected \"prove inclusion\", \"prove consistency\" or \"prove absence\"\n%s", prove_help);
  }
  int incl = strcmp(argv[1], "inclusion") == 0;
  static const struct option opts[] = {{"size", 1, 0, 's'}, {"from", 1, 0, 'f'},
                                       {"to", 1, 0, 't'},   {"log", 1, 0, 'l'},
                                       {"json", 0, 0, 'J'}, {"format", 1, 0, 'F'},
                                       {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *sizearg = NULL, *fromarg = NULL, *toarg = NULL, *logarg = NULL;
  int tlog = 0;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
    switch (o) {
    case 's': sizearg = optarg; break;
    case 'f': fromarg = optarg; break;
    case 't': toarg = optarg; break;
    case 'l': logarg = optarg; break;
    case 'J': c->json = 1; break;
    case 'F':
      if (strcmp(optarg, "tlog-proof") == 0) tlog = 1;
      else if (strcmp(optarg, "json") == 0) c->json = 1;
      else return cli_usage(c, "--format: \"%s\" is not json or tlog-proof", optarg);
      break;
    case 'h': fputs(prove_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv + 1, opts, prove_help);
    }
  }
  if (tlog && (c->json || !incl))
    return cli_usage(c, "--format tlog-proof is for inclusion proofs, without --json");
  int rest = argc - 1 - optind;
  cp_proof *p = calloc(1, sizeof *p);
  cp_store *s = NULL;
  cp_reader *r = NULL;
  int st = CLI_OK, rc;
  if (p == NULL) return cli_fail(c, "out of memory");
  if (incl) {
    uint8_t id[CP_HASH_BYTES];
    const uint8_t *buf;
    size_t len;
    cp_log_info li;
    if (rest != 1 || fromarg || toarg || logarg) {
      st = cli_usage(c, "prove inclusion takes one ENTRY_ID and optionally --size\n%s", prove_help);
      goto out;
    }
    const char *idarg = argv[1 + optind];
    if (cli_parse_hash(idarg, id) != 0) {
      st = cli_usage(c, "ENTRY_ID: \"%s\" is not 64 hex digits", idarg);
      goto out;
    }
    if ((st = cli_open_store(c, CP_STORE_RDONLY, &s)) != CLI_OK) goto out;
    if ((rc = cp_reader_begin(s, &r)) == 0) rc = cp_reader_entry_by_id(r, id, &buf, &len);
    if (rc != 0) {
      st = cli_fail(c, "entry %s: %s", idarg, rc == CP_ENOTFOUND ? "not found" : cp_strerror(rc));
      goto out;
    }
    p->kind = CP_PROOF_INCLUSION;
    p->has_log = 1;
    memcpy(p->log, buf + 2, CP_PK_BYTES);
    cp_entry e;
    if ((rc = cp_entry_decode(buf, len, &e, NULL)) != 0) {
      st = cli_fail(c, "entry %s is corrupt in the store: %s", idarg, cp_strerror(rc));
      goto out;
    }
    p->leaf_index = e.seq;
    cp_merkle_leaf_hash(buf, len, p->leaf_hash);
    if ((rc = cp_reader_log(r, p->log, &li)) != 0) {
      st = cli_fail(c, "cannot read the log: %s", cp_strerror(rc));
      goto out;
    }
    p->tree_size = li.size;
    if (sizearg != NULL && (cli_parse_u64(sizearg, &p->tree_size) != 0 ||
                            p->tree_size <= p->leaf_index || p->tree_size > li.size)) {
      st = cli_usage(c, "--size: must be a number from %llu to %llu",
                     (unsigned long long)p->leaf_index + 1, (unsigned long long)li.size);
      goto out;
    }
    if (tlog) {
      st = tlog_proof(c, r, p, sizearg != NULL);
      goto out;
    }
    rc = cp_reader_inclusion(r, p->log, p->leaf_index, p->tree_size, p->hashes, &p->n);
  } else {
    cp_log_info li;
    if (rest != 0 || sizearg != NULL || fromarg == NULL) {
      st = cli_usage(c, "prove consistency needs --from A (and optionally --to B, --log KEY)\n%s",
                     prove_help);
      goto out;
    }
    if ((st = open_read(c, logarg, &s, &r, p->log)) != CLI_OK) goto out;
    if ((rc = cp_reader_log(r, p->log, &li)) != 0) {
      st = cli_fail(c, "no such log: %s", cp_strerror(rc));
      goto out;
    }
    p->kind = CP_PROOF_CONSISTENCY;
    p->has_log = p->has_old_root = p->has_new_root = 1;
    p->new_size = li.size;
    if (cli_parse_u64(fromarg, &p->old_size) != 0 ||
        (toarg != NULL && cli_parse_u64(toarg, &p->new_size) != 0) ||
        p->new_size > li.size || p->old_size > p->new_size) {
      st = cli_usage(c, "--from/--to: need 0 <= A <= B <= %llu", (unsigned long long)li.size);
      goto out;
    }
    rc = cp_reader_root(r, p->log, p->old_size, p->old_root);
    if (rc == 0) rc = cp_reader_root(r, p->log, p->new_size, p->new_root);
    if (rc == 0)
      rc = cp_reader_consistency(r, p->log, p->old_size, p->new_size, p->hashes, &p->n);
  }
  if (rc != 0) {
    st = cli_fail(c, "cannot make the proof: %s", cp_strerror(rc));
    goto out;
  }
  char *js = cp_proof_to_json(p);
  if (js == NULL) {
    st = cli_fail(c, "out of memory");
    goto out;
  }
  puts(js);
  free(js);
out:
  close_read(s, r);
  free(p);
  return st;
}
