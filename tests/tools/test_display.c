/*
 * Human output of relayed text. A foreign log whose authority name and
 * credential title hold a newline, C1 controls and bidirectional controls
 * (legal in entries received from other logs: docs/FORMATS.md, "Text in
 * new entries") is stored through the C API, then `credport status`,
 * `whoami`-style lines, `log` and `show` are run: every such character is
 * shown escaped, none reaches the terminal raw, and --json keeps the exact
 * text.
 */
#include "cptest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../node/test_store_fixture.h"
#include "credport/codec.h"

/* The name forges a second status row and reverses what follows U+202E. */
#define EVIL_NAME "Evil\nfff… FORGED ROW  \xc2\x9b" "2J\xe2\x80\xae" "gpj.exe"
#define EVIL_NAME_SHOWN "Evil\\nfff… FORGED ROW  \\u{009B}2J\\u{202E}gpj.exe"
#define EVIL_TITLE "Title\xe2\x81\xa6" "x\t\xc2\x9b" "1A\\"
#define EVIL_TITLE_SHOWN "Title\\u{2066}x\\t\\u{009B}1A\\\\"

/* Signs e as another implementation could: encoded and signed without the
 * rule for new entries (cp_entry_sign would refuse these strings). */
static void raw_sign(fx_log *l, cp_entry *e, fx_buf *out) {
  cp_diag d = {{0}};
  size_t n;
  e->version = CP_ENTRY_VERSION;
  memcpy(e->log, l->log, CP_PK_BYTES);
  e->seq = l->seq;
  memcpy(e->prev, l->prev, CP_HASH_BYTES);
  e->time = l->time;
  assert_int_equal(cp_entry_encode_unsigned(e, out->b, sizeof out->b, &n, &d), CP_OK);
  assert_int_equal(cp_sig_sign(l->k, CP_PURPOSE_ENTRY, out->b, n, out->b + n), CP_OK);
  out->len = n + CP_SIG_BYTES;
  cp_entry_id(out->b, out->len, out->id);
  l->seq++;
  l->time++;
  memcpy(l->prev, out->id, CP_HASH_BYTES);
}

static char *run_ok(const char *dir, const char *args) {
  char cmd[1024], *out = NULL;
  snprintf(cmd, sizeof cmd, "'%s' -d '%s' %s", CP_CREDPORT_BIN, dir, args);
  int st = cpt_run(cmd, &out);
  if (st != 0) fail_msg("%s exited %d: %s", cmd, st, out);
  return out;
}

/* Neither raw newline inside the name nor any raw control or override. */
static void assert_nothing_raw(const char *out) {
  assert_null(strstr(out, "Evil\n"));
  assert_null(strstr(out, "\xc2\x9b"));
  assert_null(strstr(out, "\xe2\x80\xae"));
  assert_null(strstr(out, "\xe2\x81\xa6"));
  assert_null(strstr(out, "x\t"));
}

static void relayed_text_printed_escaped(void **state) {
  (void)state;
  char *dir = cpt_tmpdir(), node[4096], ledger[4096], args[256], hex[2 * CP_PK_BYTES + 1];
  char idhex[2 * CP_HASH_BYTES + 1];
  snprintf(node, sizeof node, "%s/node", dir);
  snprintf(ledger, sizeof ledger, "%s/ledger", node);
  free(run_ok(node, "init --name Home --jurisdiction US-NC --role state"));

  fx_log l;
  fx_buf g, cr;
  cp_entry e;
  fx_log_init(&l, 0x42);
  memset(&e, 0, sizeof e);
  e.type = CP_T_AUTHORITY;
  e.u.authority.name = fx_s(EVIL_NAME);
  e.u.authority.jurisdiction = fx_s("US-WI");
  e.u.authority.role = CP_ROLE_DISTRICT;
  e.u.authority.origin = fx_s("evil.example/log");
  raw_sign(&l, &e, &g);
  fx_credential(&e, "c1");
  e.u.credential.title = fx_s(EVIL_TITLE);
  raw_sign(&l, &e, &cr);
  cp_store *s = NULL;
  cp_diag d = {{0}};
  cp_ingest_report rep;
  const uint8_t *bufs[2] = {g.b, cr.b};
  size_t lens[2] = {g.len, cr.len};
  assert_int_equal(cp_store_open(ledger, 0, &s, &d), CP_OK);
  assert_int_equal(cp_store_ingest(s, bufs, lens, 2, 0, T0 + 100, &rep, &d), CP_OK);
  cp_store_close(s);
  cp_hex_encode(l.log, CP_PK_BYTES, hex);
  cp_hex_encode(cr.id, CP_HASH_BYTES, idhex);

  char *out = run_ok(node, "status");
  /* The NAME column is 34 bytes wide. */
  assert_non_null(strstr(out, "Evil\\nfff… FORGED ROW  \\u{009B}2 "));
  assert_nothing_raw(out);
  free(out);

  snprintf(args, sizeof args, "log --log %s", hex);
  out = run_ok(node, args);
  assert_non_null(strstr(out, EVIL_NAME_SHOWN " (US-WI, district)\n"));
  assert_non_null(strstr(out, "c1 \"" EVIL_TITLE_SHOWN "\" level 2"));
  assert_nothing_raw(out);
  free(out);

  snprintf(args, sizeof args, "show %s", idhex);
  out = run_ok(node, args);
  assert_non_null(strstr(out, EVIL_TITLE_SHOWN "\n"));
  assert_nothing_raw(out);
  free(out);

  /* JSON carries the exact text. */
  snprintf(args, sizeof args, "show %s --json", idhex);
  out = run_ok(node, args);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  assert_non_null(j);
  const char *t = json_string_value(json_object_get(json_object_get(j, "body"), "title"));
  assert_non_null(t);
  assert_string_equal(t, EVIL_TITLE);
  json_decref(j);
  free(out);
  out = run_ok(node, "status --json");
  j = json_loads(out, 0, &je);
  assert_non_null(j);
  int found = 0;
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(j, "logs"), i, v) {
    const char *n = json_string_value(json_object_get(v, "name"));
    if (n != NULL && strcmp(n, EVIL_NAME) == 0) found = 1;
  }
  assert_true(found);
  json_decref(j);
  free(out);

  fx_log_free(&l);
  cpt_rmtree(dir);
  free(dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(relayed_text_printed_escaped),
};

CP_TEST_MAIN(tests)
