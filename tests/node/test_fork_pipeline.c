/*
 * The receive pipeline (node/pipeline.c) across a key rotation: the
 * rotation and the entries after it arrive in separate jobs, and both jobs
 * are verified by the workers before the writer commits either (the test
 * holds the store's write lock meanwhile), so the second job's snapshot
 * still has the old key in force.
 */
#include "test_store_fixture.h"

#include "../../node/daemon_internal.h"
#include "../../node/store_internal.h"

typedef struct {
  fx_store f;
  fx_log l;
  fx_buf *base, *rot, *nw, *old;
  cp_key *k2;
} rot_world;

static void world_init(rot_world *w) {
  cp_entry e;
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  uint8_t pk2[CP_PK_BYTES];
  memset(w, 0, sizeof *w);
  w->base = calloc(2, sizeof *w->base);
  w->rot = calloc(1, sizeof *w->rot);
  w->nw = calloc(2, sizeof *w->nw);
  w->old = calloc(1, sizeof *w->old);
  fx_new(&w->f, 0x81, "credport/test/pipeline");
  fx_log_init(&w->l, 0x82);
  w->k2 = fx_key(0x83);
  cp_key_public(w->k2, pk2);
  fx_genesis(&w->l, "l.example/rot", &w->base[0]);
  fx_credential(&e, "c1");
  fx_sign(&w->l, &e, &w->base[1]);
  fx_push(&bt, &w->base[0]);
  fx_push(&bt, &w->base[1]);
  int rc = fx_ingest(&w->f, &bt, &rep, &d);
  if (rc != 0) fail_msg("ingest: %d %s", rc, d.msg);
  memset(&e, 0, sizeof e);
  e.type = CP_T_KEY;
  e.u.key.action = CP_KEY_ROTATE;
  memcpy(e.u.key.new_key, pk2, CP_PK_BYTES);
  fx_sign(&w->l, &e, w->rot); /* seq 2, signed by the old key */
  fx_log after = w->l;
  for (int i = 0; i < 2; i++) {
    fx_award(&e, w->base[1].id, (uint8_t)(0x60 + i), "signed by the new key");
    fx_sign_with(&after, &e, w->k2, &w->nw[i], 1); /* seqs 3, 4 */
  }
  fx_award(&e, w->base[1].id, 0x70, "signed by the retired key");
  fx_sign_with(&w->l, &e, NULL, w->old, 0); /* seq 3 */
}

static void world_free(rot_world *w) {
  cp_key_free(w->k2);
  fx_log_free(&w->l);
  fx_free(&w->f);
  free(w->base);
  free(w->rot);
  free(w->nw);
  free(w->old);
}

static cp__job *entries_job(cp__node *n, const uint8_t log[CP_PK_BYTES], uint64_t first,
                            const fx_buf *v, size_t count) {
  cp_sync_blob items[4];
  cp__job *j = cp__job_new(n, JOB_ENTRIES, 0);
  assert_non_null(j);
  uint32_t bytes = 0;
  for (size_t i = 0; i < count; i++) {
    items[i].p = v[i].b;
    items[i].len = v[i].len;
    bytes += (uint32_t)v[i].len;
  }
  assert_int_equal(cp__job_copy_items(j, items, count), CP_OK);
  memcpy(j->log, log, CP_PK_BYTES);
  j->first_seq = first;
  j->count = (uint32_t)count;
  j->bytes = bytes;
  return j;
}

/* Submits the rotation job and then `second`, lets both verify while the
 * writer is held back, then lets everything commit. */
static void run_two_jobs(rot_world *w, const fx_buf *second, size_t n2) {
  uv_loop_t loop;
  cp__node n;
  cp_node_config cfg;
  cp_node_summary sum;
  cp__tx hold;
  FILE *logf = tmpfile();
  assert_non_null(logf);
  memset(&n, 0, sizeof n);
  memset(&cfg, 0, sizeof cfg);
  memset(&sum, 0, sizeof sum);
  cfg.log = logf;
  assert_int_equal(uv_loop_init(&loop), 0);
  n.cfg = &cfg;
  n.loop = &loop;
  n.s = w->f.s;
  n.sum = &sum;
  assert_int_equal(cp__tx_begin(w->f.s, 1, &hold, NULL), CP_OK); /* the writer waits */
  cp__job_submit(&n, entries_job(&n, w->l.log, 2, w->rot, 1));
  cp__job_submit(&n, entries_job(&n, w->l.log, 3, second, n2));
  while (n.verifying > 0) uv_run(&loop, UV_RUN_ONCE);
  cp__tx_abort(&hold);
  while (!cp__pipeline_idle(&n)) uv_run(&loop, UV_RUN_ONCE);
  assert_int_equal(uv_loop_close(&loop), 0);
  fclose(logf);
}

/* Entries signed by the new key, in a job verified before the rotation was
 * committed: accepted. */
static void pipeline_rotation_then_new_key(void **state) {
  (void)state;
  rot_world w;
  world_init(&w);
  run_two_jobs(&w, w.nw, 2);
  assert_int_equal(fx_size(&w.f, w.l.log), 5);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(w.f.s, 1, NULL, NULL, &ar), CP_OK);
  world_free(&w);
}

/* An entry signed by the retired key, in a job verified before the rotation
 * was committed: refused at commit. */
static void pipeline_rotation_then_retired_key(void **state) {
  (void)state;
  rot_world w;
  world_init(&w);
  run_two_jobs(&w, w.old, 1);
  assert_int_equal(fx_size(&w.f, w.l.log), 3);
  cp_reader *r = NULL;
  const uint8_t *buf;
  size_t len;
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry(r, w.l.log, 3, &buf, &len), CP_ENOTFOUND);
  cp_reader_end(r);
  world_free(&w);
}

/* One job holding another branch from a held seq on, whose first entry
 * rotates the key and whose next is signed by the new key: the job is not
 * refused for that signature (the worker leaves the branch to the writer);
 * the fork at the held seq is recorded. */
static void pipeline_branch_with_rotation_is_a_fork(void **state) {
  (void)state;
  rot_world w;
  fx_buf *x2 = calloc(1, sizeof *x2), both[2];
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  cp_entry e;
  world_init(&w);
  fx_log at2 = w.l;
  at2.seq = 2;
  memcpy(at2.prev, w.base[1].id, CP_HASH_BYTES);
  at2.time = T0 + 2;
  fx_award(&e, w.base[1].id, 0x71, "held branch");
  fx_sign_with(&at2, &e, NULL, x2, 0);
  fx_push(&bt, x2);
  int rc = fx_ingest(&w.f, &bt, &rep, &d);
  if (rc != 0) fail_msg("ingest: %d %s", rc, d.msg);
  both[0] = *w.rot;
  both[1] = w.nw[0];

  uv_loop_t loop;
  cp__node n;
  cp_node_config cfg;
  cp_node_summary sum;
  FILE *logf = tmpfile();
  assert_non_null(logf);
  memset(&n, 0, sizeof n);
  memset(&cfg, 0, sizeof cfg);
  memset(&sum, 0, sizeof sum);
  cfg.log = logf;
  assert_int_equal(uv_loop_init(&loop), 0);
  n.cfg = &cfg;
  n.loop = &loop;
  n.s = w.f.s;
  n.sum = &sum;
  cp__job_submit(&n, entries_job(&n, w.l.log, 2, both, 2));
  while (!cp__pipeline_idle(&n)) uv_run(&loop, UV_RUN_ONCE);
  assert_int_equal(uv_loop_close(&loop), 0);
  fclose(logf);

  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, w.l.log, &li), CP_OK);
  assert_true(li.flags & CP_LOG_FORKED);
  assert_int_equal(li.size, 3);
  cp_fork_proof fp;
  assert_int_equal(cp_reader_fork(r, w.l.log, &fp), CP_OK);
  assert_true(fp.blen == w.rot->len && memcmp(fp.b, w.rot->b, fp.blen) == 0);
  cp_reader_end(r);
  free(x2);
  world_free(&w);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(pipeline_branch_with_rotation_is_a_fork),
    cmocka_unit_test(pipeline_rotation_then_new_key),
    cmocka_unit_test(pipeline_rotation_then_retired_key),
};

CP_TEST_MAIN(tests)
