/* credport CLI — verify: an educator's bundle checked offline
 * (include/credport/bundle_verify.h), optionally against this node's view. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credport/bundle_verify.h"
#include "credport/codec.h"
#include "credport/merkle.h"
#include "credport/note.h"

static const char verify_help[] =
    "usage: credport verify BUNDLE --trust FILE --challenge NONCE [--audience NAME]\n"
    "                       [--max-age DURATION] [--witnesses K] [-d DIR] [--json]\n"
    "       credport verify VP.jwt --trust FILE --challenge NONCE --audience NAME\n"
    "                       [--status-list LIST]... [--json]\n"
    "  Checks an educator's bundle (binary or armour, from `credport present`) offline and\n"
    "  says who the educator is, what each award is and whether every check holds.\n"
    "  --trust FILE       issuer verifier keys (whoami's vkey), one a line, and witness keys\n"
    "                     as `witness VKEY` (whoami --json's witness_vkey); # comments\n"
    "  --challenge NONCE  the challenge this verifier gave the educator (required)\n"
    "  --audience NAME    the audience the bundle must be made for\n"
    "  --max-age D        the newest trusted cosignature of each issuer's checkpoint must be\n"
    "                     at most D old: 90s, 12h, 30d\n"
    "  --witnesses K      each issuer's checkpoint cosigned by at least K trusted witnesses\n"
    "  -d DIR             also check against this node: the bundle's checkpoints consistent\n"
    "                     with the node's (else a fork), no award revoked in the node's log\n"
    "  A W3C presentation (vp+jwt, from present --format vp-jwt) is verified too: the\n"
    "  holder's signature, challenge and --audience (required), each credential's proof,\n"
    "  its status against each --status-list LIST given, and every issuer in --trust.\n"
    "  Exit status: 0 every check holds, 1 one does not, 2 a malformed bundle or input.\n";

/* Reads a whole regular file of at most max bytes (cli_read_file: a FIFO
 * or device is refused, never waited on); NULL when it cannot (*toobig set
 * when it is larger, else d says why). */
static uint8_t *read_all(const char *path, size_t max, size_t *len, int *toobig, cp_diag *d) {
  char *text = NULL;
  int rc = cli_read_file(path, max, &text, len, d);
  *toobig = rc == CP_ETOOBIG;
  return rc == CP_OK ? (uint8_t *)text : NULL;
}

/* Size and root of a stored checkpoint note's body (the node verified it
 * when it stored it). */
static int note_body(const char *note, size_t len, uint64_t *size, uint8_t root[CP_HASH_BYTES]) {
  const char *p = memchr(note, '\n', len), *q, *e;
  char num[24];
  size_t n;
  if (p == NULL || (q = memchr(p + 1, '\n', len - (size_t)(p + 1 - note))) == NULL) return -1;
  if ((size_t)(q - p - 1) >= sizeof num) return -1;
  memcpy(num, p + 1, (size_t)(q - p - 1));
  num[q - p - 1] = 0;
  if (cli_parse_u64(num, size) != 0) return -1;
  if ((e = memchr(q + 1, '\n', len - (size_t)(q + 1 - note))) == NULL) return -1;
  return cp_b64_decode(q + 1, (size_t)(e - q - 1), root, CP_HASH_BYTES, &n) == 0 &&
                 n == CP_HASH_BYTES
             ? 0
             : -1;
}

/* What the node said of each log, for the report. */
typedef struct nodeview {
  int checked;    /* the node's checks ran */
  char note[200]; /* what was (or could not be) compared, per log */
} nodeview;

/* The bundle's log i against the node: its checkpoint consistent with the
 * node's latest (a different root at one size, or a failing consistency
 * proof from the node's tree, is a fork), no fork proof held, and no award
 * of the bundle revoked by an entry the node holds. */
static void node_log(cp_reader *r, const cp_bundle *b, size_t i, cp_vresult *res, nodeview *nv) {
  const cp_bundle_log *L = &b->logs[i];
  cp_log_info li;
  cp_fork_proof fp;
  const char *note;
  size_t nlen, np = 0;
  uint64_t m;
  uint8_t root[CP_HASH_BYTES], path[CP_MERKLE_MAX_LEVELS][CP_HASH_BYTES];
  const char *origin = L->cp.origin;
  if (cp_reader_log(r, L->key, &li) != 0) {
    snprintf(nv->note, sizeof nv->note, "the node does not hold this log: nothing to compare");
    return;
  }
  nv->checked = 1;
  if (cp_reader_fork(r, L->key, &fp) == 0)
    cp_vresult_add(res, CP_V_FORK, (long)i, -1,
                   "%s: the node holds a proof that this issuer forked its log", origin);
  if (cp_reader_checkpoint(r, L->key, &note, &nlen) != 0 || note_body(note, nlen, &m, root) != 0) {
    m = 0;
    snprintf(nv->note, sizeof nv->note, "the node holds no checkpoint of this log");
  } else if (L->cp.size <= m) {
    int rc = cp_reader_consistency(r, L->key, L->cp.size, m, path, &np);
    if (rc != 0 || cp_merkle_verify_consistency(L->cp.size, m, L->cp.root, root,
                                                (const uint8_t(*)[CP_HASH_BYTES])path, np) != 0)
      cp_vresult_add(res, CP_V_FORK, (long)i, -1,
                     "%s: the bundle's checkpoint at size %llu is not consistent with the node's "
                     "at size %llu: the issuer showed two histories",
                     origin, (unsigned long long)L->cp.size, (unsigned long long)m);
    else
      snprintf(nv->note, sizeof nv->note, "consistent with the node's checkpoint at size %llu",
               (unsigned long long)m);
  } else if (li.size >= L->cp.size) {
    if (cp_reader_root(r, L->key, L->cp.size, root) != 0 ||
        memcmp(root, L->cp.root, CP_HASH_BYTES) != 0)
      cp_vresult_add(res, CP_V_FORK, (long)i, -1,
                     "%s: the node's tree at size %llu has another root than the bundle's "
                     "checkpoint: the issuer showed two histories",
                     origin, (unsigned long long)L->cp.size);
    else
      snprintf(nv->note, sizeof nv->note, "the same root as the node's tree at size %llu",
               (unsigned long long)L->cp.size);
  } else {
    snprintf(nv->note, sizeof nv->note,
             "the node holds %llu entries, fewer than the bundle's checkpoint (%llu): not "
             "compared",
             (unsigned long long)li.size, (unsigned long long)L->cp.size);
  }
  for (size_t j = L->first; j < L->first + L->n; j++) {
    const uint8_t *rb;
    size_t rlen;
    cp_entry e;
    if (b->entries[j].type != CP_T_AWARD) continue;
    if (cp_reader_revocation(r, b->entries[j].id, &rb, &rlen) != 0) continue;
    char hex[17];
    cp_hex_encode(b->entries[j].id, 8, hex);
    uint64_t seq = cp_entry_decode(rb, rlen, &e, NULL) == 0 ? e.seq : 0;
    cp_vresult_add(res, CP_V_REVOKED, (long)i, (long)j,
                   "award %s... of %s: revoked at seq %llu of its log (the node holds the "
                   "revoke entry%s)",
                   hex, origin, (unsigned long long)seq,
                   seq < m ? ", covered by its latest checkpoint" : "");
  }
}

static int node_checks(cli *c, const cp_bundle *b, cp_vresult *res, nodeview *nv) {
  cp_store *s = NULL;
  cp_reader *r = NULL;
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return CLI_USAGE;
  int rc = cp_reader_begin(s, &r);
  if (rc != 0) {
    st = cli_fail(c, "cannot read the node in %s: %s", c->data, cp_strerror(rc));
  } else {
    for (size_t i = 0; i < b->nlogs; i++) node_log(r, b, i, res, &nv[i]);
  }
  cp_reader_end(r);
  cp_store_close(s);
  return st;
}

/* Whether the file is a compact JWS (a vp+jwt): "eyJ", the base64url of
 * '{"', after any leading white space. */
static int is_jwt(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) i++;
  return n - i >= 3 && memcmp(p + i, "eyJ", 3) == 0;
}

int cmd_bundle_verify(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"trust", 1, 0, 't'},   {"challenge", 1, 0, 'c'}, {"audience", 1, 0, 'a'},
      {"max-age", 1, 0, 'm'}, {"witnesses", 1, 0, 'w'}, {"json", 0, 0, 'J'},
      {"status-list", 1, 0, 'S'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *trustfile = NULL, *file = NULL, *lists[CP_VP_STATUS_LISTS_MAX];
  size_t nlists = 0;
  cp_vopts vo;
  cp_trust *trust = NULL;
  cp_bundle b;
  cp_vresult res;
  nodeview *nv = NULL;
  const char **notes = NULL;
  uint8_t *bytes = NULL, *tbytes = NULL;
  size_t len = 0, tlen = 0;
  /* -d/--data anywhere on the line (taken out by main) asks for the
   * node's checks; the default folder does not. */
  int o, st = CLI_OK, decoded = 0, node = c->data_set, toobig;
  uint64_t k;
  cp_diag d = {{0}};
  memset(&vo, 0, sizeof vo);
  memset(&b, 0, sizeof b);
  memset(&res, 0, sizeof res);
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
      case 't': trustfile = optarg; break;
      case 'c':
        vo.challenge = optarg;
        vo.challenge_len = strlen(optarg);
        break;
      case 'a':
        vo.audience = optarg;
        vo.audience_len = strlen(optarg);
        break;
      case 'm':
        if (cp_duration_parse(optarg, &vo.max_age) != 0)
          return cli_usage(c, "--max-age: \"%s\" is not a duration like 90s, 12h or 30d", optarg);
        break;
      case 'w':
        if (cli_parse_u64(optarg, &k) != 0 || k < 1 || k > CP_WITNESS_TRUST_MAX)
          return cli_usage(c, "--witnesses: a number from 1 to %u", CP_WITNESS_TRUST_MAX);
        vo.witnesses = (unsigned)k;
        break;
      case 'J': c->json = 1; break;
      case 'S':
        if (nlists == CP_VP_STATUS_LISTS_MAX)
          return cli_usage(c, "at most %u --status-list", CP_VP_STATUS_LISTS_MAX);
        lists[nlists++] = optarg;
        break;
      case 'h': fputs(verify_help, stdout); return CLI_OK;
      default: return cli_bad_option(c, argv, opts, verify_help);
    }
  }
  if (optind + 1 != argc) return cli_usage(c, "one BUNDLE file is required\n%s", verify_help);
  file = argv[optind];
  if (trustfile == NULL) return cli_usage(c, "--trust FILE is required\n%s", verify_help);
  if (vo.challenge == NULL || vo.challenge_len == 0)
    return cli_usage(c, "--challenge NONCE is required\n%s", verify_help);
  if ((trust = malloc(sizeof *trust)) == NULL) return cli_fail(c, "out of memory");
  if ((tbytes = read_all(trustfile, CP_TRUST_FILE_MAX, &tlen, &toobig, &d)) == NULL) {
    st = cli_usage(c, "--trust: %s", toobig ? "over 256 KiB" : d.msg);
    goto out;
  }
  if (cp_trust_parse((const char *)tbytes, tlen, trust, &d) != 0) {
    st = cli_usage(c, "--trust %s: %s", trustfile, d.msg);
    goto out;
  }
  vo.trust = trust;
  vo.now = cli_now();
  if ((bytes = read_all(file, CP_BUNDLE_ARMOR_MAX, &len, &toobig, &d)) == NULL) {
    if (!toobig) {
      st = cli_usage(c, "%s", d.msg);
      goto out;
    }
    cp_diag_set(&d, CP_ETOOBIG, "%s is larger than %u bytes", file, CP_BUNDLE_ARMOR_MAX);
    cp_vresult_malformed(&res, &d);
  } else if (is_jwt(bytes, len)) {
    /* A W3C presentation (vp+jwt, `present --format vp-jwt`): the holder's
     * signature, challenge and audience, each credential's proof and status,
     * and every issuer in the trust file. */
    if (vo.audience == NULL) {
      st = cli_usage(c, "a presentation is bound to an audience: give --audience NAME");
      goto out;
    }
    st = cli_verify_vp_file(c, file, vo.challenge, vo.audience, trust, lists, nlists);
    goto out;
  } else {
    if (nlists > 0) {
      st = cli_usage(c, "--status-list is for presentations (vp+jwt); a bundle carries its "
                     "revocation status");
      goto out;
    }
    int rc = cp_bundle_decode(bytes, len, &b, &d);
    if (rc == CP_ENOMEM) {
      st = cli_fail(c, "out of memory");
      goto out;
    }
    if (rc != 0) {
      cp_vresult_malformed(&res, &d);
    } else {
      decoded = 1;
      if (cp_bundle_verify(&b, &vo, &res) != 0) {
        st = cli_fail(c, "out of memory");
        goto out;
      }
      if (node) {
        nv = calloc(b.nlogs, sizeof *nv);
        notes = calloc(b.nlogs, sizeof *notes);
        if (nv == NULL || notes == NULL) {
          st = cli_fail(c, "out of memory");
          goto out;
        }
        if ((st = node_checks(c, &b, &res, nv)) != CLI_OK) goto out;
        for (size_t i = 0; i < b.nlogs; i++) notes[i] = nv[i].note;
      }
    }
  }
  st = cli_bundle_report(c, decoded ? &b : NULL, &vo, &res, notes);
out:
  if (decoded) cp_bundle_free(&b);
  cp_vresult_free(&res);
  free(nv);
  free(notes);
  free(bytes);
  free(tbytes);
  free(trust);
  return st;
}
