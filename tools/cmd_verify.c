/* credport CLI — verify-proof (offline) and audit. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/facts.h"
#include "credport/merkle.h"
#include "credport/note.h"
#include "credport/proof.h"

/* The verdict of a proof check: with --json, {"valid", "reason"}; a proof
 * that does not hold (why != NULL) is reported as cli_fail does. Returns
 * cli_fail's status, or CLI_OK when the proof holds (the caller then prints the
 * human summary unless --json). */
int cli_proof_verdict(const cli *c, const char *why) { return cli_proof_verdict_info(c, why, NULL); }

int cli_proof_verdict_info(const cli *c, const char *why, json_t *info) {
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "valid", json_boolean(why == NULL));
    if (why != NULL) json_object_set_new(j, "reason", json_string(why));
    if (info != NULL) json_object_update(j, info);
    cli_print_json(j);
  }
  json_decref(info);
  return why != NULL ? cli_fail(c, "the proof does NOT hold: %s", why) : CLI_OK;
}

static const char vp_help[] =
    "usage: credport verify-proof FILE [--checkpoint NOTE] [--vkey VKEY|@FILE ...]\n"
    "                             [--leaf-data FILE] [--old-checkpoint NOTE] [--statement FILE]\n"
    "  Checks an inclusion or consistency proof (JSON, or a C2SP tlog-proof file) against\n"
    "  a signed checkpoint, offline. The checkpoint must verify under one of the --vkey\n"
    "  verifier keys; without --vkey or --checkpoint, the node in -d supplies the log's\n"
    "  key and a stored checkpoint of the proof's size.\n"
    "  An absence proof (`credport prove absence`) is checked against the revocation\n"
    "  statement it carries (or --statement), which must verify under a --vkey key, and\n"
    "  with --checkpoint, must be bound to that checkpoint.\n"
    "  Exit status: 0 the proof holds, 1 it does not, 2 malformed input.\n";

#define MAX_VKEYS 16

static char *slurp(const char *path, size_t max, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  char *buf = malloc(max + 1);
  size_t n = buf != NULL ? fread(buf, 1, max + 1, f) : 0;
  fclose(f);
  if (buf == NULL || n > max) {
    free(buf);
    return NULL;
  }
  buf[n] = 0;
  *len = n;
  return buf;
}

static int add_vkeys(cli *c, const char *arg, cp_note_verifier *v, size_t *nv) {
  size_t len;
  char *text = NULL;
  const char *p = arg;
  if (arg[0] == '@') {
    if ((text = slurp(arg + 1, 64 * 1024, &len)) == NULL)
      return cli_usage(c, "--vkey: cannot read %s", arg + 1);
    p = text;
  }
  int st = CLI_OK;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    if (n > 0) {
      cp_diag d = {{0}};
      if (*nv == MAX_VKEYS) {
        st = cli_usage(c, "--vkey: at most %d keys", MAX_VKEYS);
        break;
      }
      if (cp_note_vkey_parse(p, n, &v[*nv], &d) != 0) {
        st = cli_usage(c, "--vkey: %s", d.msg);
        break;
      }
      (*nv)++;
    }
    p += n + (nl != NULL);
  }
  free(text);
  return st;
}

typedef struct {
  uint64_t want;
  char *note;
  size_t len;
} findcp;

static int find_cp(void *ctx, uint64_t size, const char *note, size_t len) {
  findcp *f = ctx;
  if (size != f->want) return 0;
  f->note = malloc(len + 1);
  if (f->note == NULL) return CP_ENOMEM;
  memcpy(f->note, note, len);
  f->note[len] = 0;
  f->len = len;
  return 1;
}

/* Supplies the log's verifier key and a checkpoint of `size` from the node. */
static int from_node(cli *c, const uint8_t log[CP_PK_BYTES], uint64_t size, int need_note,
                     cp_note_verifier *v, size_t *nv, char **note, size_t *nlen) {
  cp_store *s = NULL;
  cp_reader *r = NULL;
  cp_log_info li;
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return CLI_USAGE;
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_log(r, log, &li);
  if (rc != 0) {
    st = cli_fail(c, "the node does not hold the proof's log");
    goto out;
  }
  if (*nv == 0) {
    memset(&v[0], 0, sizeof v[0]);
    snprintf(v[0].name, sizeof v[0].name, "%.*s", (int)li.origin.len, li.origin.p);
    v[0].alg = CP_NOTE_ALG_ED25519;
    memcpy(v[0].pk, li.signer, CP_PK_BYTES);
    v[0].key_id = cp_note_key_id(v[0].name, v[0].alg, v[0].pk);
    *nv = 1;
  }
  if (need_note) {
    findcp f = {size, NULL, 0};
    rc = cp_reader_each_checkpoint(r, log, find_cp, &f);
    if (f.note == NULL) {
      st = cli_fail(c, "the node holds no checkpoint at size %llu (give --checkpoint)",
                    (unsigned long long)size);
      goto out;
    }
    *note = f.note;
    *nlen = f.len;
  }
out:
  cp_reader_end(r);
  cp_store_close(s);
  return st;
}

int cmd_verify_proof(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"checkpoint", 1, 0, 'c'}, {"vkey", 1, 0, 'k'}, {"leaf-data", 1, 0, 'l'},
      {"old-checkpoint", 1, 0, 'o'}, {"statement", 1, 0, 's'}, {"json", 0, 0, 'J'},
      {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *cpfile = NULL, *leaffile = NULL, *oldfile = NULL, *stfile = NULL;
  cp_note_verifier v[MAX_VKEYS];
  size_t nv = 0;
  int o, st;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'c': cpfile = optarg; break;
    case 'k':
      if ((st = add_vkeys(c, optarg, v, &nv)) != CLI_OK) return st;
      break;
    case 'l': leaffile = optarg; break;
    case 'o': oldfile = optarg; break;
    case 's': stfile = optarg; break;
    case 'J': c->json = 1; break;
    case 'h': fputs(vp_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, vp_help);
    }
  }
  if (optind + 1 != argc) return cli_usage(c, "one proof FILE is required\n%s", vp_help);
  const char *file = argv[optind];
  size_t len, nlen = 0;
  char *text = slurp(file, 1 << 20, &len), *note = NULL, *oldnote = NULL;
  cp_proof *p = calloc(1, sizeof *p);
  cp_tlog_proof *tp = calloc(1, sizeof *tp);
  cp_diag d = {{0}};
  const char *why = NULL;
  st = CLI_OK;
  if (p == NULL || tp == NULL) {
    st = cli_fail(c, "out of memory");
    goto out;
  }
  if (text == NULL) {
    st = cli_usage(c, "cannot read %s (missing, or over 1 MiB)", file);
    goto out;
  }
  if (strstr(text, "\"award\"") != NULL) {
    if (cpfile != NULL && (note = slurp(cpfile, CP_NOTE_MAX, &nlen)) == NULL) {
      st = cli_usage(c, "--checkpoint: cannot read %s", cpfile);
      goto out;
    }
    st = cli_verify_absence(c, file, text, len, v, nv, stfile, note, nlen);
    goto out;
  }
  if (stfile != NULL) {
    st = cli_usage(c, "--statement applies to absence proofs only");
    goto out;
  }
  int is_tlog = strncmp(text, "c2sp.org/tlog-proof@v1\n", 23) == 0;
  if (is_tlog) {
    if (cp_tlog_proof_parse(text, len, tp, &d) != 0) {
      st = cli_usage(c, "%s: %s", file, d.msg);
      goto out;
    }
    p->kind = CP_PROOF_INCLUSION;
    p->leaf_index = tp->index;
    p->n = tp->n;
    memcpy(p->hashes, tp->hashes, tp->n * CP_HASH_BYTES);
  } else if (cp_proof_parse_json(text, len, p, &d) != 0) {
    st = cli_usage(c, "%s: %s", file, d.msg);
    goto out;
  }
  uint64_t size = p->kind == CP_PROOF_INCLUSION ? p->tree_size : p->new_size;
  if (cpfile != NULL) {
    if ((note = slurp(cpfile, CP_NOTE_MAX, &nlen)) == NULL) {
      st = cli_usage(c, "--checkpoint: cannot read %s", cpfile);
      goto out;
    }
  } else if (is_tlog) {
    if ((note = malloc(tp->note_len + 1)) == NULL) {
      st = cli_fail(c, "out of memory");
      goto out;
    }
    memcpy(note, tp->note, tp->note_len);
    note[tp->note_len] = 0;
    nlen = tp->note_len;
  }
  if (nv == 0 || note == NULL) {
    if (!p->has_log) {
      st = cli_usage(c, "the proof names no log: give --checkpoint and --vkey");
      goto out;
    }
    if ((st = from_node(c, p->log, size, note == NULL, v, &nv, &note, &nlen)) != CLI_OK) goto out;
  }
  cp_note_result res;
  int res_ok = 0;
  if (cp_note_open_checkpoint(note, nlen, v, nv, NULL, &res, &d) != 0) {
    why = d.msg;
    goto verdict;
  }
  res_ok = 1;
  if (is_tlog) p->tree_size = res.cp.size;
  if (leaffile != NULL) {
    size_t ll;
    char *leaf = slurp(leaffile, CP_ENTRY_MAX, &ll);
    if (leaf == NULL) {
      st = cli_usage(c, "--leaf-data: cannot read %s", leaffile);
      goto out;
    }
    uint8_t lh[CP_HASH_BYTES];
    cp_merkle_leaf_hash((const uint8_t *)leaf, ll, lh);
    free(leaf);
    if (is_tlog) memcpy(p->leaf_hash, lh, CP_HASH_BYTES);
    else if (memcmp(lh, p->leaf_hash, CP_HASH_BYTES) != 0) {
      why = "the leaf data does not hash to the proof's leaf_hash";
      goto verdict;
    }
  } else if (is_tlog) {
    st = cli_usage(c, "a tlog-proof file needs --leaf-data");
    goto out;
  }
  if (p->kind == CP_PROOF_INCLUSION) {
    if (p->tree_size != res.cp.size) {
      why = "the proof's tree_size differs from the checkpoint's size";
    } else if (cp_merkle_verify_inclusion(p->leaf_hash, p->leaf_index, p->tree_size,
                                          (const uint8_t(*)[CP_HASH_BYTES])p->hashes, p->n,
                                          res.cp.root) != 0) {
      why = "the inclusion path does not lead to the checkpoint's root";
    }
  } else {
    if (oldfile != NULL) {
      size_t ol;
      cp_note_result ores;
      if ((oldnote = slurp(oldfile, CP_NOTE_MAX, &ol)) == NULL) {
        st = cli_usage(c, "--old-checkpoint: cannot read %s", oldfile);
        goto out;
      }
      if (cp_note_open_checkpoint(oldnote, ol, v, nv, res.cp.origin, &ores, &d) != 0) {
        why = "the old checkpoint does not verify";
        goto verdict;
      }
      if (ores.cp.size != p->old_size ||
          (p->has_old_root && memcmp(ores.cp.root, p->old_root, CP_HASH_BYTES) != 0)) {
        why = "the old checkpoint disagrees with the proof's old size or root";
        goto verdict;
      }
      memcpy(p->old_root, ores.cp.root, CP_HASH_BYTES);
      p->has_old_root = 1;
    }
    if (!p->has_old_root && p->old_size != 0) {
      st = cli_usage(c, "the proof has no old_root: give --old-checkpoint");
      goto out;
    }
    if (p->new_size != res.cp.size)
      why = "the proof's new_size differs from the checkpoint's size";
    else if (p->has_new_root && memcmp(p->new_root, res.cp.root, CP_HASH_BYTES) != 0)
      why = "the proof's new_root differs from the checkpoint's root";
    else if (cp_merkle_verify_consistency(p->old_size, p->new_size, p->old_root, res.cp.root,
                                          (const uint8_t(*)[CP_HASH_BYTES])p->hashes, p->n) != 0)
      why = "the consistency path does not connect the old root to the checkpoint's root";
  }
verdict:
  if (c->json) {
    /* What was checked: the proof, the checkpoint it was checked against
     * (origin and size; its signature verified under a given key) and
     * whether the leaf's data was hashed. */
    json_t *info = json_object(), *checked = json_array();
    json_object_set_new(info, "kind", json_string(p->kind == CP_PROOF_INCLUSION ? "inclusion"
                                                                                : "consistency"));
    json_object_set_new(info, "format", json_string(is_tlog ? "tlog-proof" : "json"));
    if (res_ok) {
      json_object_set_new(info, "origin", json_string(res.cp.origin));
      json_object_set_new(info, "checkpoint_size", json_integer((json_int_t)res.cp.size));
      json_array_append_new(checked, json_string("checkpoint signature"));
    }
    if (p->kind == CP_PROOF_INCLUSION) {
      json_object_set_new(info, "leaf_index", json_integer((json_int_t)p->leaf_index));
      if (leaffile != NULL) json_array_append_new(checked, json_string("leaf data hash"));
      if (res_ok && why == NULL) json_array_append_new(checked, json_string("inclusion path"));
    } else {
      json_object_set_new(info, "old_size", json_integer((json_int_t)p->old_size));
      if (oldnote != NULL) json_array_append_new(checked, json_string("old checkpoint signature"));
      if (res_ok && why == NULL) json_array_append_new(checked, json_string("consistency path"));
    }
    json_object_set_new(info, "checked", checked);
    st = cli_proof_verdict_info(c, why, info);
  } else {
    st = cli_proof_verdict(c, why);
  }
  if (why == NULL && !c->json) {
    char org[4 * CP_ORIGIN_MAX];
    cli_text(res.cp.origin, strlen(res.cp.origin), org, sizeof org);
    if (p->kind == CP_PROOF_INCLUSION)
      printf("ok: leaf %llu is included in %s at size %llu (checkpoint signature verified)\n",
             (unsigned long long)p->leaf_index, org, (unsigned long long)res.cp.size);
    else
      printf("ok: %s at size %llu extends size %llu consistently (checkpoint signature "
             "verified)\n", org, (unsigned long long)res.cp.size,
             (unsigned long long)p->old_size);
  }
out:
  free(text);
  free(note);
  free(oldnote);
  free(p);
  free(tp);
  return st;
}

/* ---- audit --------------------------------------------------------------------- */

typedef struct {
  json_t *arr;
  json_t *recs;     /* --json: every recognition's verdict */
  json_t *pending;  /* text: the lines of recognitions that cannot be recomputed yet */
} auditctx;

static const char *const RECOG_STATUS[] = {"match", "differs", "pending", "failed"};

static void audit_recognition(void *ctx, const cp_recognition_verdict *v) {
  auditctx *a = ctx;
  char id[2 * CP_HASH_BYTES + 1], log[2 * CP_PK_BYTES + 1];
  cp_hex_encode(v->id, CP_HASH_BYTES, id);
  cp_hex_encode(v->log, CP_PK_BYTES, log);
  if (a->recs != NULL) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "log", json_string(log));
    json_object_set_new(o, "seq", json_integer((json_int_t)v->seq));
    json_object_set_new(o, "version", json_integer(v->version));
    json_object_set_new(o, "status", json_string(RECOG_STATUS[v->status]));
    if (v->detail[0]) json_object_set_new(o, "detail", json_string(v->detail));
    json_array_append_new(a->recs, o);
  } else if (v->status == CP_RECOG_PENDING && a->pending != NULL) {
    char line[1400];
    snprintf(line, sizeof line, "recognition %s (log %.16s seq %llu): cannot recompute yet: %s",
             id, log, (unsigned long long)v->seq, v->detail);
    json_array_append_new(a->pending, json_string(line));
  }
}

static void audit_line(void *ctx, const char *line) {
  auditctx *a = ctx;
  if (a->arr != NULL)
    json_array_append_new(a->arr, json_string(line));
  else {
    fputs("PROBLEM  ", stdout);
    cli_put_text(stdout, line, strlen(line));
    putchar('\n');
  }
}

int cmd_audit(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"threads", 1, 0, 't'}, {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  static const char help[] =
      "usage: credport audit [--threads N] [--json]\n"
      "  Replays every log from seq 0 trusting nothing stored: signatures, hash chains,\n"
      "  validation rules, Merkle hashes, checkpoints, every index in both directions, forks,\n"
      "  and every recorded recognition recomputed from the facts it read (a recognition\n"
      "  that read more of a log than this node holds is listed as not recomputable yet,\n"
      "  which is no discrepancy). --json lists each recognition with its status.\n"
      "  Exit status 0 when clean, 1 on any discrepancy.\n";
  uint64_t threads = (uint64_t)sysconf(_SC_NPROCESSORS_ONLN);
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 't':
      if (cli_parse_u64(optarg, &threads) != 0 || threads < 1 || threads > 16)
        return cli_usage(c, "--threads: a number from 1 to 16");
      break;
    case 'J': c->json = 1; break;
    case 'h': fputs(help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, help);
    }
  }
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (threads < 1) threads = 1;
  cp_store *s = NULL;
  cp_audit_report rep;
  auditctx a = {c->json ? json_array() : NULL, c->json ? json_array() : NULL,
                c->json ? NULL : json_array()};
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) {
    json_decref(a.arr);
    json_decref(a.recs);
    json_decref(a.pending);
    return st;
  }
  int rc = cp_store_audit_each(s, (unsigned)threads, audit_line, audit_recognition, &a, &rep);
  cp_store_close(s);
  if (rc != 0 && rc != CP_EAUDIT) {
    json_decref(a.arr);
    json_decref(a.recs);
    json_decref(a.pending);
    return cli_fail(c, "the audit could not run: %s", cp_strerror(rc));
  }
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "clean", json_boolean(rep.problems == 0));
    json_object_set_new(j, "logs", json_integer((json_int_t)rep.logs));
    json_object_set_new(j, "entries", json_integer((json_int_t)rep.entries));
    json_object_set_new(j, "signatures", json_integer((json_int_t)rep.signatures));
    json_object_set_new(j, "checkpoints", json_integer((json_int_t)rep.checkpoints));
    json_object_set_new(j, "forks", json_integer((json_int_t)rep.forks));
    json_object_set_new(j, "problems", a.arr);
    json_t *rj = json_object();
    json_object_set_new(rj, "recomputed", json_integer((json_int_t)rep.recognitions));
    json_object_set_new(rj, "match", json_integer((json_int_t)rep.recog_match));
    json_object_set_new(rj, "differ", json_integer((json_int_t)rep.recog_differ));
    json_object_set_new(rj, "pending", json_integer((json_int_t)rep.recog_pending));
    json_object_set_new(rj, "failed", json_integer((json_int_t)rep.recog_failed));
    json_object_set_new(rj, "entries", a.recs);
    json_object_set_new(j, "recognitions", rj);
    cli_print_json(j);
  } else {
    printf("audit: %llu logs, %llu entries, %llu signatures verified, %llu checkpoints, "
           "%llu forks, %.2f s\n",
           (unsigned long long)rep.logs, (unsigned long long)rep.entries,
           (unsigned long long)rep.signatures, (unsigned long long)rep.checkpoints,
           (unsigned long long)rep.forks, rep.seconds);
    printf("audit: %llu recognition%s recomputed: %llu match, %llu differ, %llu cannot be "
           "recomputed yet (this node holds less than they read), %llu could not be recomputed\n",
           (unsigned long long)rep.recognitions, rep.recognitions == 1 ? "" : "s",
           (unsigned long long)rep.recog_match, (unsigned long long)rep.recog_differ,
           (unsigned long long)rep.recog_pending, (unsigned long long)rep.recog_failed);
    size_t i;
    json_t *v;
    json_array_foreach(a.pending, i, v) {
      fputs("NOTE     ", stdout);
      cli_put_text(stdout, json_string_value(v), json_string_length(v));
      putchar('\n');
    }
    json_decref(a.pending);
    printf("%s\n", rep.problems == 0 ? "audit: CLEAN — every check passed"
                                     : "audit: DISCREPANCIES FOUND (see PROBLEM lines)");
  }
  return rep.problems == 0 ? CLI_OK : CLI_FAIL;
}
