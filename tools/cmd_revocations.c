/* credport CLI — offline revocation status: revocations, prove absence, and
 * the absence-proof check of verify-proof. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/revstatus.h"

static const char rev_help[] =
    "usage: credport revocations [--size N] [--json]\n"
    "  Prints this node's signed revocation statement for its own log at the latest\n"
    "  checkpoint (or at size N): the checkpoint it is bound to, the number of awards\n"
    "  revoked and the root of the sorted tree of their IDs (docs/FORMATS.md).\n";

/* Opens the own log and its statement at size (0: latest). OUT: the parsed
 * statement and a malloc'd copy of its text. */
static int own_statement(cli *c, uint64_t size, cp_store **s, cp_reader **r,
                         uint8_t log[CP_PK_BYTES], cp_revstat *st, char **text, size_t *len) {
  const char *t;
  uint64_t at;
  cp_diag d = {{0}};
  int rc, res = cli_open_store(c, CP_STORE_RDONLY, s);
  if (res != CLI_OK) return res;
  if ((rc = cp_reader_begin(*s, r)) != 0)
    return cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  if (cp_reader_self(*r, log) != 0) return cli_fail(c, "this node has no authority yet: run init");
  rc = cp_reader_revstat(*r, log, size, &t, len, &at);
  if (rc == CP_ENOTFOUND) {
    if (size != 0)
      return cli_fail(c, "no revocation statement at size %llu (one is signed with each "
                      "checkpoint of this node's log)", (unsigned long long)size);
    return cli_fail(c, "no revocation statement yet");
  }
  if (rc != 0) return cli_fail(c, "cannot read the revocation statement: %s", cp_strerror(rc));
  if ((*text = malloc(*len + 1)) == NULL) return cli_fail(c, "out of memory");
  memcpy(*text, t, *len);
  (*text)[*len] = 0;
  if (cp_revstat_parse(*text, *len, st, &d) != 0)
    return cli_fail(c, "the stored statement at size %llu is corrupt: %s", (unsigned long long)at,
                    d.msg);
  return CLI_OK;
}

int cmd_revocations(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"size", 1, 0, 's'}, {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  uint64_t size = 0;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 's':
      if (cli_parse_u64(optarg, &size) != 0 || size == 0)
        return cli_usage(c, "--size: \"%s\" is not a size of one or more entries", optarg);
      break;
    case 'J': c->json = 1; break;
    case 'h': fputs(rev_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, rev_help);
    }
  }
  if (optind != argc) return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[optind], rev_help);
  cp_store *s = NULL;
  cp_reader *r = NULL;
  uint8_t log[CP_PK_BYTES];
  cp_revstat stt;
  char *text = NULL, b64[CP_B64_LEN(CP_HASH_BYTES) + 1];
  size_t len;
  int st = own_statement(c, size, &s, &r, log, &stt, &text, &len);
  if (st == CLI_OK) {
    if (c->json) {
      json_t *j = json_object();
      json_object_set_new(j, "log", cli_hex_json(log, CP_PK_BYTES));
      json_object_set_new(j, "size", json_integer((json_int_t)stt.size));
      json_object_set_new(j, "revoked", json_integer((json_int_t)stt.count));
      cp_b64_encode(stt.rev_root, CP_HASH_BYTES, b64);
      json_object_set_new(j, "revocation_root", json_string(b64));
      json_object_set_new(j, "statement", json_stringn(text, len));
      cli_print_json(j);
    } else {
      /* Line by line: the text is escaped, its line ends are not. */
      for (size_t i = 0, j; i < len; i = j + 1) {
        for (j = i; j < len && text[j] != '\n'; j++) continue;
        cli_put_text(stdout, text + i, j - i);
        putchar('\n');
      }
      printf("%llu award%s revoked as of size %llu\n", (unsigned long long)stt.count,
             stt.count == 1 ? "" : "s", (unsigned long long)stt.size);
    }
  }
  free(text);
  cp_reader_end(r);
  cp_store_close(s);
  return st;
}

/* ---- prove absence ------------------------------------------------------------- */

static const char absence_help[] =
    "usage: credport prove absence AWARD_ID [--json]\n"
    "  Prints (as JSON, with or without --json) a proof that the award of this node's\n"
    "  log is not revoked as of the latest revocation statement, which it carries: the\n"
    "  leaves of the sorted revocation tree on either side of the award's ID. Refused for\n"
    "  a revoked award. Check it offline with `credport verify-proof FILE --vkey VKEY`.\n";

int cmd_prove_absence(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'J': c->json = 1; break;
    case 'h': fputs(absence_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv + 1, opts, absence_help);
    }
  }
  if (argc - 1 - optind != 1)
    return cli_usage(c, "prove absence takes one AWARD_ID\n%s", absence_help);
  const char *idarg = argv[1 + optind];
  cp_absence_doc *doc = calloc(1, sizeof *doc);
  cp_store *s = NULL;
  cp_reader *r = NULL;
  uint8_t log[CP_PK_BYTES], (*ids)[CP_HASH_BYTES] = NULL, root[CP_HASH_BYTES];
  cp_revstat stt;
  char *text = NULL, *js = NULL;
  const uint8_t *buf;
  size_t len, n = 0;
  cp_entry e;
  int st, rc;
  if (doc == NULL) return cli_fail(c, "out of memory");
  if (cli_parse_hash(idarg, doc->award) != 0) {
    st = cli_usage(c, "AWARD_ID: \"%s\" is not 64 hex digits", idarg);
    goto out;
  }
  if ((st = own_statement(c, 0, &s, &r, log, &stt, &text, &len)) != CLI_OK) goto out;
  rc = cp_reader_entry_by_id(r, doc->award, &buf, &len);
  if (rc == 0) rc = cp_entry_decode(buf, len, &e, NULL);
  if (rc != 0) {
    st = cli_fail(c, "award %s: %s", idarg, rc == CP_ENOTFOUND ? "not found" : cp_strerror(rc));
    goto out;
  }
  if (e.type != CP_T_AWARD || memcmp(e.log, log, CP_PK_BYTES) != 0 || e.seq >= stt.size) {
    st = cli_fail(c, "entry %s is not an award of this node's log as of size %llu", idarg,
                  (unsigned long long)stt.size);
    goto out;
  }
  if ((rc = cp_reader_revset(r, log, stt.size, &ids, &n)) != 0 ||
      (rc = cp_rev_root((const uint8_t(*)[CP_HASH_BYTES])ids, n, root)) != 0) {
    st = cli_fail(c, "cannot read the revocations: %s", cp_strerror(rc));
    goto out;
  }
  if (n != stt.count || memcmp(root, stt.rev_root, CP_HASH_BYTES) != 0) {
    st = cli_fail(c, "the store's revocations differ from its statement at size %llu: run "
                  "`credport audit`", (unsigned long long)stt.size);
    goto out;
  }
  rc = cp_rev_prove_absent((const uint8_t(*)[CP_HASH_BYTES])ids, n, doc->award, &doc->proof);
  if (rc == CP_EEXIST) {
    st = cli_fail(c, "award %s is REVOKED (as of size %llu): there is no proof of absence", idarg,
                  (unsigned long long)stt.size);
    goto out;
  }
  if (rc != 0) {
    st = cli_fail(c, "cannot make the proof: %s", cp_strerror(rc));
    goto out;
  }
  doc->has_statement = 1;
  memcpy(doc->statement, text, len = strlen(text));
  doc->statement_len = len;
  if ((js = cp_absence_to_json(doc)) == NULL) {
    st = cli_fail(c, "out of memory");
    goto out;
  }
  puts(js);
out:
  free(js);
  free(ids);
  free(text);
  free(doc);
  cp_reader_end(r);
  cp_store_close(s);
  return st;
}

/* ---- verify-proof for absence proofs ------------------------------------------- */

int cli_verify_absence(cli *c, const char *file, const char *text, size_t len,
                       const cp_note_verifier *v, size_t nv, const char *stfile,
                       const char *note, size_t nlen) {
  cp_absence_doc *doc = calloc(1, sizeof *doc);
  cp_diag d = {{0}};
  cp_revstat stt;
  const char *why = NULL;
  char *sttext = NULL;
  size_t stlen = 0;
  int st = CLI_OK;
  if (doc == NULL) return cli_fail(c, "out of memory");
  if (cp_absence_parse_json(text, len, doc, &d) != 0) {
    st = cli_usage(c, "%s: %s", file, d.msg);
    goto out;
  }
  if (stfile != NULL) {
    FILE *f = fopen(stfile, "rb");
    if (f != NULL && (sttext = malloc(CP_REVSTAT_MAX + 1)) != NULL)
      stlen = fread(sttext, 1, CP_REVSTAT_MAX + 1, f);
    if (f != NULL) fclose(f);
    if (sttext == NULL || stlen > CP_REVSTAT_MAX) {
      st = cli_usage(c, "--statement: cannot read %s (missing, or over %u bytes)", stfile,
                     CP_REVSTAT_MAX);
      goto out;
    }
  } else if (doc->has_statement) {
    if ((sttext = malloc(doc->statement_len + 1)) == NULL) {
      st = cli_fail(c, "out of memory");
      goto out;
    }
    memcpy(sttext, doc->statement, doc->statement_len);
    stlen = doc->statement_len;
  } else {
    st = cli_usage(c, "%s carries no statement: give --statement FILE", file);
    goto out;
  }
  if (nv == 0) {
    st = cli_usage(c, "an absence proof is checked against the issuer's key: give --vkey");
    goto out;
  }
  int rc = cp_revstat_open(sttext, stlen, v, nv, &stt, &d);
  if (rc == CP_ECORRUPT || rc == CP_ETOOBIG) {
    st = cli_usage(c, "statement: %s", d.msg);
    goto out;
  }
  if (rc != 0) {
    why = "the revocation statement's signature does not verify under the keys given";
  } else if (note != NULL) {
    cp_note_result res;
    if (cp_note_open_checkpoint(note, nlen, v, nv, stt.origin, &res, &d) != 0)
      why = "the checkpoint does not verify";
    else if (res.cp.size != stt.size || memcmp(res.cp.root, stt.root, CP_HASH_BYTES) != 0)
      why = "the statement is bound to another checkpoint than the one given";
  }
  if (why == NULL && doc->proof.size != stt.count)
    why = "the proof's revocation count differs from the statement's";
  if (why == NULL &&
      cp_rev_verify_absent(doc->award, stt.count, stt.rev_root, &doc->proof) != 0)
    why = "the proof does not show the award absent from the statement's revocation tree";
  st = cli_proof_verdict(c, why);
  if (why == NULL && !c->json) {
    char org[4 * CP_ORIGIN_MAX], hex[2 * CP_HASH_BYTES + 1];
    cli_text(stt.origin, strlen(stt.origin), org, sizeof org);
    cp_hex_encode(doc->award, CP_HASH_BYTES, hex);
    printf("ok: award %s is not revoked in %s as of size %llu (%llu revoked; statement "
           "signature verified)\n", hex, org, (unsigned long long)stt.size,
           (unsigned long long)stt.count);
  }
out:
  free(sttext);
  free(doc);
  return st;
}
