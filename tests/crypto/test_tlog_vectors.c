/*
 * The transparency-log vectors of an independent implementation
 * (tests/vectors/tlog/: Go's golang.org/x/mod sumdb/note and sumdb/tlog;
 * see its README.md). expected.tsv lists verifier command lines and the
 * verdict a correct verifier reaches: 0 accept, 1 reject, 2 malformed input
 * or arguments. The verifier commands are implemented here on the public
 * API only (cp_note_open_checkpoint, cp_proof_parse_json,
 * cp_tlog_proof_parse, cp_merkle_verify_*), and every line is run.
 *
 * ctest registers cases by name, so there is one case per verdict group;
 * each prints every line's outcome and fails if any line disagrees.
 */
#include "cptest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/merkle.h"
#include "credport/note.h"
#include "credport/proof.h"

#define TLOG_DIR CP_TEST_VECTORS "/tlog"
#define MAX_ARGS 32
#define MAX_KEYS 16

enum { ACCEPT = 0, REJECT = 1, MALFORMED = 2 };

/* Parsed command line of one expected.tsv row. */
typedef struct {
  const char *cmd;
  cp_note_verifier keys[MAX_KEYS]; /* log keys first, then witnesses */
  size_t nlog, nwit;
  long quorum; /* -1: not given */
  const char *note, *old_note, *proof, *leaf_data, *origin, *root_b64, *size;
  int json;
  cp_diag d;
} cmd_args;

/* Reads a vectors file (path relative to the tlog folder). Every file a
 * row names exists: one that cannot be read fails the test, rather than
 * becoming a verdict (a missing file would pass as "malformed"). */
static char *read_vec(const char *rel, size_t *len) {
  char *path = cpt_path(TLOG_DIR, rel), *buf = NULL;
  FILE *f = fopen(path, "rb");
  size_t cap = 0, n = 0;
  if (f == NULL) fail_msg("vectors file %s: cannot read: %s", path, strerror(errno));
  free(path);
  for (;;) {
    size_t r;
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap = cap ? 2 * cap : 4096);
      assert_non_null(nb);
      buf = nb;
    }
    r = fread(buf + n, 1, cap - n - 1, f);
    if (r == 0) break;
    n += r;
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Adds the verifier keys of "@file" (one per line) or of a literal key. */
static int add_keys(cmd_args *a, const char *spec, size_t *count) {
  char *text = NULL, *line, *save = NULL;
  size_t len = 0;
  int rc = CP_OK;
  if (spec[0] == '@') {
    text = read_vec(spec + 1, &len);
  } else {
    text = strdup(spec);
    assert_non_null(text);
  }
  for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    if (a->nlog + a->nwit >= MAX_KEYS) {
      rc = cp_diag_set(&a->d, CP_ETOOBIG, "too many keys");
      break;
    }
    if ((rc = cp_note_vkey_parse(line, strlen(line), &a->keys[a->nlog + a->nwit], &a->d)) != 0)
      break;
    (*count)++;
  }
  free(text);
  return rc;
}

/* Parses "-opt value" pairs; MALFORMED on anything it does not know. */
static int parse_args(char **argv, int argc, cmd_args *a) {
  int i;
  memset(a, 0, sizeof *a);
  a->quorum = -1;
  a->cmd = argv[0];
  for (i = 1; i < argc; i++) {
    const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(o, "-json") == 0) {
      a->json = 1;
      continue;
    }
    if (v == NULL) return cp_diag_set(&a->d, MALFORMED, "%s: missing value", o), MALFORMED;
    i++;
    if (strcmp(o, "-vkey") == 0) {
      if (a->nwit != 0) return cp_diag_set(&a->d, MALFORMED, "-vkey after -witness"), MALFORMED;
      if (add_keys(a, v, &a->nlog) != 0) return MALFORMED;
    } else if (strcmp(o, "-witness") == 0) {
      if (add_keys(a, v, &a->nwit) != 0) return MALFORMED;
    } else if (strcmp(o, "-quorum") == 0) {
      char *end = NULL;
      a->quorum = strtol(v, &end, 10);
      if (*end != '\0' || a->quorum < 0) return MALFORMED;
    } else if (strcmp(o, "-note") == 0) a->note = v;
    else if (strcmp(o, "-old-note") == 0) a->old_note = v;
    else if (strcmp(o, "-proof") == 0) a->proof = v;
    else if (strcmp(o, "-leaf-data") == 0) a->leaf_data = v;
    else if (strcmp(o, "-origin") == 0) a->origin = v;
    else if (strcmp(o, "-root") == 0) a->root_b64 = v;
    else if (strcmp(o, "-size") == 0) a->size = v;
    else return cp_diag_set(&a->d, MALFORMED, "unknown option %s", o), MALFORMED;
  }
  /* A quorum that the given witnesses can never meet is an argument error. */
  if (a->quorum > (long)a->nwit)
    return cp_diag_set(&a->d, MALFORMED, "quorum %ld of %zu witnesses", a->quorum, a->nwit),
           MALFORMED;
  if (a->quorum < 0) a->quorum = (long)a->nwit; /* default: every witness given */
  return ACCEPT;
}

/* Opens a checkpoint note (text or file) under the command's keys and
 * checks the witness quorum. */
static int open_note_text(cmd_args *a, const char *text, size_t len, cp_note_result *r) {
  if (cp_note_open_checkpoint(text, len, a->keys, a->nlog + a->nwit, a->origin, r, &a->d) != 0)
    return REJECT;
  if ((long)r->cosigned < a->quorum) {
    cp_diag_set(&a->d, REJECT, "%u cosignatures, quorum %ld", r->cosigned, a->quorum);
    return REJECT;
  }
  return ACCEPT;
}

static int open_note_file(cmd_args *a, const char *rel, cp_note_result *r) {
  size_t len = 0;
  char *text;
  int v;
  if (a->nlog == 0) return cp_diag_set(&a->d, MALFORMED, "no -vkey"), MALFORMED;
  text = read_vec(rel, &len);
  v = open_note_text(a, text, len, r);
  free(text);
  return v;
}

static int leaf_hash_of(cmd_args *a, const char *rel, uint8_t out[CP_HASH_BYTES]) {
  size_t len = 0;
  char *data = read_vec(rel, &len);
  cp_merkle_leaf_hash((const uint8_t *)data, len, out);
  free(data);
  return ACCEPT;
}

static int load_proof(cmd_args *a, cp_proof *p, cp_proof_kind kind) {
  size_t len = 0;
  char *text;
  int rc;
  if (a->proof == NULL) return cp_diag_set(&a->d, MALFORMED, "no -proof"), MALFORMED;
  text = read_vec(a->proof, &len);
  rc = cp_proof_parse_json(text, len, p, &a->d);
  free(text);
  if (rc != 0) return MALFORMED;
  if (p->kind != kind) return cp_diag_set(&a->d, MALFORMED, "wrong proof kind"), MALFORMED;
  return ACCEPT;
}

static int cmd_checkpoint(cmd_args *a) {
  cp_note_result r;
  char root[CP_B64_LEN(CP_HASH_BYTES) + 1];
  int v;
  if (a->note == NULL) return MALFORMED;
  if ((v = open_note_file(a, a->note, &r)) != ACCEPT) return v;
  if (r.cp.extension_lines > 0) printf("    warning: %u extension line(s)\n", r.cp.extension_lines);
  if (a->json) {
    cp_b64_encode(r.cp.root, CP_HASH_BYTES, root);
    printf("    {\"origin\":\"%s\",\"size\":%" PRIu64 ",\"root\":\"%s\",\"cosigned\":%u}\n",
           r.cp.origin, r.cp.size, root, r.cosigned);
  }
  return ACCEPT;
}

static int cmd_inclusion(cmd_args *a) {
  cp_proof p;
  cp_note_result r;
  uint8_t root[CP_HASH_BYTES], leaf[CP_HASH_BYTES];
  uint64_t size;
  int v;
  if ((v = load_proof(a, &p, CP_PROOF_INCLUSION)) != ACCEPT) return v;
  if (a->root_b64 != NULL) { /* unauthenticated root and size */
    size_t n = 0;
    char *end = NULL;
    if (a->size == NULL || cp_b64_decode(a->root_b64, strlen(a->root_b64), root, sizeof root,
                                         &n) != 0 || n != CP_HASH_BYTES)
      return MALFORMED;
    size = strtoull(a->size, &end, 10);
    if (*end != '\0') return MALFORMED;
  } else {
    if (a->note == NULL) return MALFORMED;
    if ((v = open_note_file(a, a->note, &r)) != ACCEPT) return v;
    memcpy(root, r.cp.root, CP_HASH_BYTES);
    size = r.cp.size;
  }
  if (p.tree_size != size) return cp_diag_set(&a->d, REJECT, "tree_size is not the checkpoint's");
  if (a->leaf_data != NULL) {
    if ((v = leaf_hash_of(a, a->leaf_data, leaf)) != ACCEPT) return v;
    if (memcmp(leaf, p.leaf_hash, CP_HASH_BYTES) != 0)
      return cp_diag_set(&a->d, REJECT, "leaf data does not hash to leaf_hash");
  }
  if (cp_merkle_verify_inclusion(p.leaf_hash, p.leaf_index, p.tree_size,
                                 (const uint8_t(*)[CP_HASH_BYTES])p.hashes, p.n, root) != 0)
    return cp_diag_set(&a->d, REJECT, "inclusion proof does not verify");
  return ACCEPT;
}

static int cmd_consistency(cmd_args *a) {
  cp_proof p;
  cp_note_result r, old;
  const uint8_t *old_root;
  int v;
  if ((v = load_proof(a, &p, CP_PROOF_CONSISTENCY)) != ACCEPT) return v;
  if (a->note == NULL) return MALFORMED;
  if ((v = open_note_file(a, a->note, &r)) != ACCEPT) return v;
  if (p.new_size != r.cp.size || (p.has_new_root && memcmp(p.new_root, r.cp.root, 32) != 0))
    return cp_diag_set(&a->d, REJECT, "new tree is not the checkpoint's");
  if (a->old_note != NULL) {
    if ((v = open_note_file(a, a->old_note, &old)) != ACCEPT) return v;
    if (p.old_size != old.cp.size ||
        (p.has_old_root && memcmp(p.old_root, old.cp.root, CP_HASH_BYTES) != 0))
      return cp_diag_set(&a->d, REJECT, "old tree is not the old checkpoint's");
    old_root = old.cp.root;
  } else {
    if (!p.has_old_root) return cp_diag_set(&a->d, MALFORMED, "no old root"), MALFORMED;
    old_root = p.old_root;
  }
  if (cp_merkle_verify_consistency(p.old_size, p.new_size, old_root, r.cp.root,
                                   (const uint8_t(*)[CP_HASH_BYTES])p.hashes, p.n) != 0)
    return cp_diag_set(&a->d, REJECT, "consistency proof does not verify");
  return ACCEPT;
}

static int cmd_proof(cmd_args *a) {
  cp_tlog_proof tp;
  cp_note_result r;
  uint8_t leaf[CP_HASH_BYTES];
  size_t len = 0;
  char *text;
  int v;
  if (a->proof == NULL || a->leaf_data == NULL || a->nlog == 0) return MALFORMED;
  text = read_vec(a->proof, &len);
  if (cp_tlog_proof_parse(text, len, &tp, &a->d) != 0) {
    free(text);
    return MALFORMED;
  }
  v = open_note_text(a, tp.note, tp.note_len, &r);
  if (v == ACCEPT) v = leaf_hash_of(a, a->leaf_data, leaf);
  if (v == ACCEPT && cp_merkle_verify_inclusion(leaf, tp.index, r.cp.size,
                                                (const uint8_t(*)[CP_HASH_BYTES])tp.hashes, tp.n,
                                                r.cp.root) != 0)
    v = cp_diag_set(&a->d, REJECT, "inclusion proof does not verify");
  free(text);
  return v;
}

static int cmd_leafhash(char **argv, int argc) {
  uint8_t h[CP_HASH_BYTES];
  char b64[CP_B64_LEN(CP_HASH_BYTES) + 1];
  cmd_args a;
  memset(&a, 0, sizeof a);
  if (argc != 2 || leaf_hash_of(&a, argv[1], h) != ACCEPT) return MALFORMED;
  cp_b64_encode(h, CP_HASH_BYTES, b64);
  printf("    %s\n", b64);
  return ACCEPT;
}

/* Runs one command line; returns its verdict and leaves a reason in d. */
static int run(char **argv, int argc, cp_diag *d) {
  cmd_args *a = calloc(1, sizeof *a);
  int v;
  assert_non_null(a);
  if (strcmp(argv[0], "leafhash") == 0) {
    free(a);
    return cmd_leafhash(argv, argc);
  }
  v = parse_args(argv, argc, a);
  if (v == ACCEPT) {
    if (strcmp(a->cmd, "checkpoint") == 0) v = cmd_checkpoint(a);
    else if (strcmp(a->cmd, "inclusion") == 0) v = cmd_inclusion(a);
    else if (strcmp(a->cmd, "consistency") == 0) v = cmd_consistency(a);
    else if (strcmp(a->cmd, "proof") == 0) v = cmd_proof(a);
    else v = cp_diag_set(&a->d, MALFORMED, "unknown command %s", a->cmd);
  }
  *d = a->d;
  free(a);
  return v;
}

/* Runs every expected.tsv row whose verdict is `want`; fails on any
 * disagreement. */
static void run_group(int want) {
  size_t len = 0;
  char *text = read_vec("expected.tsv", &len), *line, *save = NULL;
  unsigned rows = 0, bad = 0;
  assert_non_null(text);
  for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    char *cols[3], *argv[MAX_ARGS] = {NULL}, *p = line, *tok, *s2 = NULL, args[1024];
    int argc = 0, expect, got, k;
    cp_diag d = {{0}};
    if (line[0] == '#' || line[0] == '\0') continue;
    for (k = 0; k < 3; k++) {
      cols[k] = p;
      p = p != NULL ? strchr(p, '\t') : NULL;
      if (p != NULL) *p++ = '\0';
    }
    assert_non_null(cols[1]);
    assert_true(cols[0][0] >= '0' && cols[0][0] <= '2' && cols[0][1] == '\0');
    expect = cols[0][0] - '0';
    if (expect != want) continue;
    snprintf(args, sizeof args, "%s", cols[1]);
    for (tok = strtok_r(args, " ", &s2); tok != NULL && argc < MAX_ARGS;
         tok = strtok_r(NULL, " ", &s2))
      argv[argc++] = tok;
    assert_true(argc > 0);
    got = run(argv, argc, &d);
    printf("%s verdict %d (expected %d): %s  [%s]%s%s\n", got == expect ? "ok  " : "FAIL", got,
           expect, cols[1], cols[2] != NULL ? cols[2] : "", d.msg[0] ? " -- " : "", d.msg);
    if (got != expect) bad++;
    rows++;
  }
  free(text);
  printf("%u rows with verdict %d, %u disagreements\n", rows, want, bad);
  assert_true(rows > 0);
  assert_int_equal(bad, 0);
}

static void verdict_accept(void **state) {
  (void)state;
  run_group(ACCEPT);
}

static void verdict_reject(void **state) {
  (void)state;
  run_group(REJECT);
}

static void verdict_malformed(void **state) {
  (void)state;
  run_group(MALFORMED);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(verdict_accept),
  cmocka_unit_test(verdict_reject),
  cmocka_unit_test(verdict_malformed),
};

CP_TEST_MAIN(tests)
