/* credport bench revocations: the cost of the revocation statement signed
 * with each checkpoint (docs/PERFORMANCE.md "Revocation status"). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "credport/revstatus.h"

static const char help[] =
    "usage: credport bench revocations [--n N] [--dir DIR]\n"
    "  A log of N awards (default 100000), all revoked, in one commit; then the time of\n"
    "  a one-award commit (checkpoint and revocation statement included), of a one-revoke\n"
    "  commit (the revocation set walked again), and of reading the set, its root and an\n"
    "  absence proof.\n";

static double secs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void award(cp_entry *e, const uint8_t cred[CP_HASH_BYTES], uint64_t i) {
  memset(e, 0, sizeof *e);
  e->type = CP_T_AWARD;
  memcpy(e->u.award.credential, cred, CP_HASH_BYTES);
  memset(e->u.award.educator, 0x11, CP_PK_BYTES);
  for (int b = 0; b < 8; b++) e->u.award.educator[b] = (uint8_t)(i >> (8 * b));
  e->u.award.earned = 20000;
  e->u.award.assessor = (cp_str){"Bench", 5};
}

/* One commit of one entry; OUT: its ID. */
static int one(cp_store *s, const cp_key *k, cp_entry *e, uint8_t id[CP_HASH_BYTES], double *ms,
               cp_diag *d) {
  cp_appender *a = NULL;
  double t0 = secs();
  int rc = cp_appender_begin(s, k, cli_now(), &a, d);
  if (rc == 0 && (rc = cp_appender_add(a, e, id, d)) != 0) cp_appender_abort(a);
  if (rc == 0) rc = cp_appender_commit(a, d);
  *ms = (secs() - t0) * 1e3;
  return rc;
}

static int run(cli *c, uint64_t n, const char *dir) {
  char path[PATH_MAX];
  cp_store *s = NULL;
  cp_key *k = NULL;
  cp_appender *a = NULL;
  cp_reader *r = NULL;
  cp_diag d = {{0}};
  cp_entry e;
  uint8_t cred[CP_HASH_BYTES], log[CP_PK_BYTES], id[CP_HASH_BYTES], root[CP_HASH_BYTES];
  uint8_t (*aw)[CP_HASH_BYTES] = malloc((size_t)n * CP_HASH_BYTES), (*ids)[CP_HASH_BYTES] = NULL;
  size_t nids = 0;
  double ms_award = 0, ms_revoke = 0, t0, t1, t2, t3;
  cp_absence_proof *p = malloc(sizeof *p);
  int rc = aw != NULL && p != NULL ? cp_key_generate(&k) : CP_ENOMEM;
  snprintf(path, sizeof path, "%s/ledger", dir);
  if (rc == 0) rc = cp_store_open(path, CP_STORE_NOSYNC, &s, &d);
  if (rc == 0)
    rc = cp_store_init_authority(s, k, "Bench State", "US-NC", CP_ROLE_STATE, "bench/revocations",
                                 cli_now(), &d);
  if (rc == 0) rc = cp_appender_begin(s, k, cli_now(), &a, &d);
  if (rc == 0) {
    memset(&e, 0, sizeof e);
    e.type = CP_T_CREDENTIAL;
    e.u.credential.id = (cp_str){"bench-mc", 8};
    e.u.credential.title = (cp_str){"Bench MC", 8};
    e.u.credential.competency = (cp_str){"Benchmarking", 12};
    e.u.credential.level = 2;
    rc = cp_appender_add(a, &e, cred, &d);
    for (uint64_t i = 0; rc == 0 && i < n; i++) {
      award(&e, cred, i);
      rc = cp_appender_add(a, &e, aw[i], &d);
    }
    for (uint64_t i = 0; rc == 0 && i < n; i++) {
      memset(&e, 0, sizeof e);
      e.type = CP_T_REVOKE;
      memcpy(e.u.revoke.target, aw[i], CP_HASH_BYTES);
      e.u.revoke.effective = 20000; /* the awards' earned day */
      e.u.revoke.reason = (cp_str){"bench", 5};
      rc = cp_appender_add(a, &e, NULL, &d);
    }
    if (rc == 0)
      rc = cp_appender_commit(a, &d);
    else
      cp_appender_abort(a);
  }
  if (rc == 0) {
    award(&e, cred, n);
    rc = one(s, k, &e, id, &ms_award, &d);
  }
  if (rc == 0) {
    memset(&e, 0, sizeof e);
    e.type = CP_T_REVOKE;
    memcpy(e.u.revoke.target, id, CP_HASH_BYTES);
    e.u.revoke.effective = 20000;
    e.u.revoke.reason = (cp_str){"bench", 5};
    rc = one(s, k, &e, NULL, &ms_revoke, &d);
  }
  if (rc == 0) rc = cp_reader_begin(s, &r);
  if (rc == 0) {
    cp_key_public(k, log);
    t0 = secs();
    rc = cp_reader_revset(r, log, UINT64_MAX, &ids, &nids);
    t1 = secs();
    if (rc == 0) rc = cp_rev_root((const uint8_t(*)[CP_HASH_BYTES])ids, nids, root);
    t2 = secs();
    memset(id, 0x80, sizeof id);
    if (rc == 0) rc = cp_rev_prove_absent((const uint8_t(*)[CP_HASH_BYTES])ids, nids, id, p);
    t3 = secs();
    if (rc == 0)
      printf("revocations %zu\none-award commit %.1f ms\none-revoke commit %.1f ms\n"
             "read the set %.1f ms\nits root %.1f ms\nan absence proof %.1f ms\n",
             nids, ms_award, ms_revoke, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3);
  }
  cp_reader_end(r);
  cp_store_close(s);
  cp_key_free(k);
  free(aw);
  free(ids);
  free(p);
  return rc == 0 ? CLI_OK : cli_fail(c, "bench revocations: %s", d.msg[0] ? d.msg : cp_strerror(rc));
}

int cli_bench_in_dir(cli *c, int argc, char **argv, const char *usage,
                     int (*run_n)(cli *c, uint64_t n, const char *dir)) {
  static const struct option opts[] = {
      {"n", 1, 0, 'n'}, {"dir", 1, 0, 'd'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  uint64_t n = 100000;
  const char *dirarg = NULL, *tmp = getenv("TMPDIR");
  char dir[PATH_MAX], rm[PATH_MAX + 16];
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'n':
      if (cli_parse_u64(optarg, &n) != 0 || n < 1 || n > 10000000)
        return cli_usage(c, "--n: a number from 1 to 10000000");
      break;
    case 'd': dirarg = optarg; break;
    case 'h': fputs(usage, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, usage);
    }
  }
  if (optind != argc) return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[optind], usage);
  snprintf(dir, sizeof dir, "%s/credport-bench.XXXXXX",
           dirarg ? dirarg : (tmp && *tmp ? tmp : "/tmp"));
  if (mkdtemp(dir) == NULL) return cli_fail(c, "cannot create %s: %s", dir, strerror(errno));
  int st = run_n(c, n, dir);
  snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
  if (system(rm) != 0) fprintf(stderr, "bench: could not remove %s\n", dir);
  return st;
}

int cmd_bench_revstat(cli *c, int argc, char **argv) {
  return cli_bench_in_dir(c, argc, argv, help, run);
}
