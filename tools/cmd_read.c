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
} logctx;

static int log_one(void *ctx, const uint8_t *buf, size_t len) {
  logctx *l = ctx;
  if (l->left == 0) return 1;
  l->left--;
  if (l->arr != NULL)
    json_array_append_new(l->arr, cli_entry_json(buf, len));
  else
    cli_entry_line(stdout, buf, len);
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
    default: return cli_usage(c, "unknown option or missing value\n%s", log_help);
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
  logctx l = {limit, c->json ? json_array() : NULL};
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
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) c->json = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("usage: credport show ENTRY_ID [--json]\n  Shows one entry of any log, and "
             "whether it is revoked.\n");
      return CLI_OK;
    } else if (idarg == NULL && argv[i][0] != '-') idarg = argv[i];
    else return cli_usage(c, "unexpected argument \"%s\"", argv[i]);
  }
  uint8_t id[CP_HASH_BYTES];
  if (idarg == NULL) return cli_usage(c, "an ENTRY_ID is required");
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
  int revoked = buf[1] == CP_T_AWARD && cp_reader_revocation(r, id, &rb, &rl) == 0;
  if (c->json) {
    json_t *o = cli_entry_json(buf, len);
    if (buf[1] == CP_T_AWARD) {
      json_object_set_new(o, "revoked", json_boolean(revoked));
      if (revoked) {
        uint8_t rid[CP_HASH_BYTES];
        cp_entry_id(rb, rl, rid);
        json_object_set_new(o, "revoked_by", cli_hex_json(rid, CP_HASH_BYTES));
      }
    }
    cli_print_json(o);
  } else {
    cli_entry_text(stdout, buf, len);
    if (buf[1] == CP_T_AWARD) printf("%-13s %s\n", "revoked", revoked ? "yes" : "no");
  }
  close_read(s, r);
  return CLI_OK;
}

/* ---- checkpoint ------------------------------------------------------------------- */

int cmd_checkpoint(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"log", 1, 0, 'l'}, {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  static const char help[] =
      "usage: credport checkpoint [--log KEY] [--json]\n"
      "  Prints the log's latest checkpoint as a C2SP signed note (tlog-checkpoint v1.0.0).\n";
  const char *logarg = NULL;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'l': logarg = optarg; break;
    case 'J': c->json = 1; break;
    case 'h': fputs(help, stdout); return CLI_OK;
    default: return cli_usage(c, "unknown option or missing value\n%s", help);
    }
  }
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  cp_store *s = NULL;
  cp_reader *r = NULL;
  uint8_t log[CP_PK_BYTES];
  const char *note;
  size_t len;
  int st = open_read(c, logarg, &s, &r, log);
  if (st == CLI_OK) {
    int rc = cp_reader_checkpoint(r, log, &note, &len);
    if (rc != 0)
      st = cli_fail(c, "no checkpoint for that log: %s", cp_strerror(rc));
    else if (c->json) {
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
    "usage: credport prove inclusion ENTRY_ID [--size N] [--json]\n"
    "       credport prove consistency --from A [--to B] [--log KEY] [--json]\n"
    "       credport prove absence AWARD_ID [--json]\n"
    "  Prints an RFC 9162 proof as JSON (docs/FORMATS.md). The size defaults to the log's\n"
    "  current size; check it with `credport verify-proof` against a checkpoint.\n";

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
                                       {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *sizearg = NULL, *fromarg = NULL, *toarg = NULL, *logarg = NULL;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
    switch (o) {
    case 's': sizearg = optarg; break;
    case 'f': fromarg = optarg; break;
    case 't': toarg = optarg; break;
    case 'l': logarg = optarg; break;
    case 'J': c->json = 1; break;
    case 'h': fputs(prove_help, stdout); return CLI_OK;
    default: return cli_usage(c, "unknown option or missing value\n%s", prove_help);
    }
  }
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
