/*
 * credport bench — throughput measured against raw libsodium rates taken in
 * the same process, so results are ratios that mean the same on any machine.
 *   credport bench [ledger] [--n N] [--dir DIR]
 *   credport bench sync ... (bench_sync.c)
 *   credport bench recognize [--n N] [--dir DIR]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/facts.h"
#include "credport/merkle.h"

double cli_bench_now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void cli_bench_raw_rates(double *sign_rate, double *verify_rate) {
  unsigned char pk[32], sk[64], msg[240], sig[64];
  crypto_sign_keypair(pk, sk);
  randombytes_buf(msg, sizeof msg);
  const int n = 20000;
  double t0 = cli_bench_now_s();
  for (int i = 0; i < n; i++) {
    msg[0] = (unsigned char)i;
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
  }
  *sign_rate = n / (cli_bench_now_s() - t0);
  t0 = cli_bench_now_s();
  int bad = 0;
  for (int i = 0; i < n / 2; i++) bad += crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0;
  *verify_rate = (n / 2) / (cli_bench_now_s() - t0);
  if (bad) fprintf(stderr, "bench: raw verify failed\n");
  sodium_memzero(sk, sizeof sk);
}

typedef struct {
  uint64_t bytes, count;
} sizes;

static int sum_sizes(void *ctx, const uint8_t *buf, size_t len) {
  sizes *s = ctx;
  (void)buf;
  s->bytes += len;
  s->count++;
  return 0;
}

static uint64_t file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (uint64_t)st.st_blocks * 512u : 0;
}

/* ---- bench recognize ------------------------------------------------------ */

#define RB_DEFS 8u
#define RB_REVIEWS 25u /* dated "reviewed" endorsements of each definition */

static const char rb_policy[] =
    "{\"format\":\"credport-policy/1\",\"id\":\"bench-district\","
    "\"authorities\":{\"district\":\"%s\"},"
    "\"currencies\":[{\"id\":\"cpd\",\"unit\":\"CPD credit\",\"decimals\":2},"
    "{\"id\":\"equivalency\",\"unit\":\"credit\",\"decimals\":2,\"target\":36},"
    "{\"id\":\"usd\",\"unit\":\"US dollar per year\",\"decimals\":2,\"money\":true}],"
    "\"rules\":[{\"id\":\"cpd\",\"kind\":\"count\",\"currency\":\"cpd\",\"every\":2,\"amount\":1,"
    "\"filter\":{\"endorsed_by\":{\"authority\":\"district\",\"claim\":\"district-approved\"}}},"
    "{\"id\":\"salary\",\"kind\":\"per_award\",\"currency\":\"usd\",\"recurring\":true,"
    "\"amount\":{\"per_level\":{\"1\":200,\"2\":300,\"3\":450,\"4\":600}},"
    "\"filter\":{\"area_match\":{\"attested_by\":\"district\"}},"
    "\"cap\":{\"amount\":1500,\"per\":{\"kind\":\"school_year\",\"start\":\"07-01\"}}},"
    "{\"id\":\"toward\",\"kind\":\"convert\",\"from\":\"cpd\",\"currency\":\"equivalency\","
    "\"rate\":{\"from\":1,\"to\":1},\"cap\":{\"amount\":15}}]}";

/* The alternatives the five-year projection compares with rb_policy: a
 * one-time stipend per MC, and a certification step (3 of the district's
 * list) that recurs. */
static const char rb_stipend[] =
    "{\"format\":\"credport-policy/1\",\"id\":\"bench-stipend\",\"currencies\":[{\"id\":"
    "\"usd\",\"unit\":\"US dollar\",\"decimals\":2,\"money\":true}],\"rules\":[{\"id\":"
    "\"stipend\",\"kind\":\"per_award\",\"currency\":\"usd\",\"amount\":500}]}";
static const char rb_certification[] =
    "{\"format\":\"credport-policy/1\",\"id\":\"bench-certification\",\"currencies\":[{"
    "\"id\":\"usd\",\"unit\":\"US dollar per year\",\"decimals\":2,\"money\":true}],"
    "\"sets\":{\"list\":[\"bench-mc-0\",\"bench-mc-1\",\"bench-mc-2\",\"bench-mc-3\","
    "\"bench-mc-4\",\"bench-mc-5\"]},\"rules\":[{\"id\":\"step\",\"kind\":\"milestone\","
    "\"currency\":\"usd\",\"recurring\":true,\"set\":\"list\",\"count\":3,\"amount\":1000}]}";

static void rb_educator(uint64_t i, uint8_t pk[CP_PK_BYTES]) {
  memset(pk, 0, CP_PK_BYTES);
  memcpy(pk, &i, sizeof i);
  pk[31] = 0x43;
  crypto_generichash(pk, CP_PK_BYTES, pk, CP_PK_BYTES, NULL, 0);
}

/* A district's log built in memory and ingested in batches (signatures
 * marked as checked), so the build needs no appender thread. */
#define RB_BATCH 4096u
#define RB_ARENA (8u << 20)

typedef struct {
  cp_store *s;
  const cp_key *k;
  uint8_t log[CP_PK_BYTES], prev[CP_HASH_BYTES];
  uint64_t seq, time;
  uint8_t *arena;
  size_t used, n;
  const uint8_t *bufs[RB_BATCH];
  size_t lens[RB_BATCH];
  cp_diag *d;
} rb_log;

static int rb_flush(rb_log *l) {
  cp_ingest_report rep;
  int rc = l->n ? cp_store_ingest(l->s, l->bufs, l->lens, l->n, CP_INGEST_VERIFIED, l->time,
                                  &rep, l->d)
                : CP_OK;
  l->n = 0;
  l->used = 0;
  return rc;
}

static int rb_add(rb_log *l, cp_entry *e, uint8_t id[CP_HASH_BYTES]) {
  size_t len;
  int rc = CP_OK;
  if ((l->n == RB_BATCH || RB_ARENA - l->used < CP_ENTRY_MAX) && (rc = rb_flush(l)) != 0) return rc;
  if (e->version == 0) e->version = (uint8_t)cp_entry_version_for(e->type);
  memcpy(e->log, l->log, CP_PK_BYTES);
  e->seq = l->seq;
  memcpy(e->prev, l->prev, CP_HASH_BYTES);
  e->time = l->time;
  uint8_t *out = l->arena + l->used;
  if ((rc = cp_entry_sign(e, l->k, out, CP_ENTRY_MAX, &len, l->d)) != 0) return rc;
  cp_entry_id(out, len, l->prev);
  if (id != NULL) memcpy(id, l->prev, CP_HASH_BYTES);
  l->bufs[l->n] = out;
  l->lens[l->n++] = len;
  l->used += len;
  l->seq++;
  return CP_OK;
}

/* The district: RB_DEFS definitions in one licensure area (half endorsed
 * district-approved, each also endorsed "reviewed" over RB_REVIEWS dated
 * periods, 1% of all endorsements withdrawn), the policy, n awards to n/10
 * educators, a revocation of every 1000th award, and one area attestation
 * per educator. */
static int rb_build(cp_store *s, const cp_key *k, uint64_t n, uint8_t policy[CP_HASH_BYTES],
                    cp_diag *d) {
  rb_log *l = calloc(1, sizeof *l);
  uint8_t defs[RB_DEFS][CP_HASH_BYTES], aw[CP_HASH_BYTES];
  char ids[RB_DEFS][16], hex[2 * CP_PK_BYTES + 1], doc[sizeof rb_policy + 64];
  cp_entry e;
  uint64_t neducators = n / 10 ? n / 10 : 1;
  if (l == NULL || (l->arena = malloc(RB_ARENA)) == NULL) {
    free(l);
    return CP_ENOMEM;
  }
  l->s = s;
  l->k = k;
  l->d = d;
  l->time = cli_now();
  cp_key_public(k, l->log);
  memset(&e, 0, sizeof e);
  e.type = CP_T_AUTHORITY;
  e.u.authority.name = (cp_str){"Bench District", 14};
  e.u.authority.jurisdiction = (cp_str){"US-WI", 5};
  e.u.authority.role = CP_ROLE_DISTRICT;
  e.u.authority.origin = (cp_str){"bench/district", 14};
  int rc = rb_add(l, &e, NULL);
  for (unsigned i = 0; rc == 0 && i < RB_DEFS; i++) {
    memset(&e, 0, sizeof e);
    snprintf(ids[i], sizeof ids[i], "bench-mc-%u", i);
    e.type = CP_T_CREDENTIAL;
    e.u.credential.id = (cp_str){ids[i], strlen(ids[i])};
    e.u.credential.title = e.u.credential.competency = e.u.credential.id;
    e.u.credential.evidence = (cp_str){"", 0};
    e.u.credential.level = (uint8_t)(1 + i % 4);
    e.u.credential.hours_x100 = 1500;
    e.u.credential.n_areas = 1;
    e.u.credential.areas[0] = (cp_str){"Mathematics", 11};
    rc = rb_add(l, &e, defs[i]);
    for (unsigned v = 0; rc == 0 && v < RB_REVIEWS; v++) {
      uint8_t en[CP_HASH_BYTES];
      memset(&e, 0, sizeof e);
      e.type = CP_T_ENDORSE;
      e.u.endorse.kind = CP_SUBJECT_CREDENTIAL;
      memcpy(e.u.endorse.subject, defs[i], CP_HASH_BYTES);
      e.u.endorse.from = 19000 + 80 * v;
      e.u.endorse.until = 19000 + 80 * v + 59;
      e.u.endorse.claim = (cp_str){"reviewed", 8};
      e.u.endorse.note = (cp_str){"", 0};
      rc = rb_add(l, &e, en);
      if (rc == 0 && (i * RB_REVIEWS + v) % 100 == 99) {
        memset(&e, 0, sizeof e);
        e.type = CP_T_REVOKE;
        memcpy(e.u.revoke.target, en, CP_HASH_BYTES);
        e.u.revoke.effective = 19000 + 80 * v + 30;
        e.u.revoke.reason = (cp_str){"bench", 5};
        rc = rb_add(l, &e, NULL);
      }
    }
    if (rc == 0 && i % 2 == 0) {
      memset(&e, 0, sizeof e);
      e.version = CP_ENTRY_VERSION;
      e.type = CP_T_ENDORSE;
      e.u.endorse.kind = CP_SUBJECT_CREDENTIAL;
      memcpy(e.u.endorse.subject, defs[i], CP_HASH_BYTES);
      e.u.endorse.claim = (cp_str){"district-approved", 17};
      e.u.endorse.note = (cp_str){"", 0};
      rc = rb_add(l, &e, NULL);
    }
  }
  if (rc == 0) {
    cp_hex_encode(l->log, CP_PK_BYTES, hex);
    snprintf(doc, sizeof doc, rb_policy, hex);
    memset(&e, 0, sizeof e);
    e.type = CP_T_POLICY;
    e.u.policy.id = (cp_str){"bench-district", 14};
    e.u.policy.document = (cp_str){doc, strlen(doc)};
    rc = rb_add(l, &e, policy);
  }
  for (uint64_t i = 0; rc == 0 && i < n; i++) {
    memset(&e, 0, sizeof e);
    e.type = CP_T_AWARD;
    memcpy(e.u.award.credential, defs[(i * 7 + i / 13) % RB_DEFS], CP_HASH_BYTES);
    rb_educator((i * 2654435761u) % neducators, e.u.award.educator);
    e.u.award.earned = (uint32_t)(19000 + i % 2000);
    e.u.award.assessor = (cp_str){"Assessor", 8};
    rc = rb_add(l, &e, aw);
    if (rc == 0 && i % 1000 == 999) {
      memset(&e, 0, sizeof e);
      e.version = CP_ENTRY_VERSION;
      e.type = CP_T_REVOKE;
      memcpy(e.u.revoke.target, aw, CP_HASH_BYTES);
      e.u.revoke.reason = (cp_str){"bench", 5};
      rc = rb_add(l, &e, NULL);
    }
  }
  for (uint64_t j = 0; rc == 0 && j < neducators; j++) {
    memset(&e, 0, sizeof e);
    e.type = CP_T_LICENSURE;
    rb_educator(j, e.u.licensure.educator);
    e.u.licensure.from = 18900;
    e.u.licensure.n_areas = 1;
    e.u.licensure.areas[0] = (cp_str){"mathematics", 11};
    rc = rb_add(l, &e, NULL);
  }
  if (rc == 0) rc = rb_flush(l);
  free(l->arena);
  free(l);
  return rc;
}

typedef struct {
  cp_reader *r;
  uint64_t awards;
} rb_read;

static int rb_decode(void *ctx, const uint8_t *buf, size_t len) {
  rb_read *x = ctx;
  cp_entry e;
  if (buf[1] != CP_T_AWARD) return 0;
  int rc = cp_entry_decode(buf, len, &e, NULL);
  if (rc == 0) x->awards++;
  return rc;
}

static int rb_read_one(void *ctx, const uint8_t educator[CP_PK_BYTES]) {
  rb_read *x = ctx;
  return cp_reader_by_educator(x->r, educator, rb_decode, x);
}

typedef struct {
  cp_facts *f;
  cp_policy_district *dv;
  uint64_t awards;
} rb_view;

static int rb_view_one(void *ctx, const uint8_t educator[CP_PK_BYTES]) {
  rb_view *x = ctx;
  cp_policy_educator ed;
  int rc = cp_facts_educator(x->f, educator, NULL, 0, &ed, NULL);
  if (rc == 0) rc = cp_policy_district_add(x->dv, &ed, NULL);
  x->awards += ed.n_awards;
  return rc;
}

/* One timed pass: the baseline read (view = 0), the district view of
 * pols[0] (view = 1), or the projection of pols[0..3) over the fiscal
 * years 2026..2030 (view = 2). *usd: pols[0]'s cost in 2026 (view 1) or
 * the sum of the three alternatives' costs over the five years (view 2). */
static int rb_pass(cp_store *s, const cp_policy *const *pols, int view, double *secs,
                   uint64_t *awards, int64_t *usd) {
  cp_reader *r = NULL;
  cp_facts *f = NULL;
  cp_policy_district *dv = NULL;
  double t0 = cli_bench_now_s();
  int rc = cp_reader_begin(s, &r);
  if (rc == 0 && !view) {
    rb_read x = {r, 0};
    rc = cp_reader_each_educator(r, rb_read_one, &x);
    *awards = x.awards;
  } else if (rc == 0) {
    rc = cp_facts_new(r, CP_FACTS_ALL, CP_FACTS_DISTRICT, &f, NULL);
    if (rc == 0 && view == 1)
      rc = cp_policy_district_new(pols, 1, cp_facts_env(f), 20500, 2026, &dv);
    else if (rc == 0)
      rc = cp_policy_district_new_years(pols, 3, cp_facts_env(f), 20500, 2026, 2030, &dv);
    rb_view x = {f, dv, 0};
    if (rc == 0) rc = cp_reader_each_educator(r, rb_view_one, &x);
    if (rc == 0 && view == 1) rc = cp_policy_district_total(dv, 0, "usd", NULL, NULL, usd);
    for (size_t k = 0; rc == 0 && view == 2 && k < 3; k++)
      for (unsigned y = 2026; rc == 0 && y <= 2030; y++) {
        int64_t v = 0;
        if ((rc = cp_policy_district_cost(dv, k, "usd", y, &v)) == 0) *usd += v;
      }
    *awards = x.awards;
  }
  *secs = cli_bench_now_s() - t0;
  cp_policy_district_free(dv);
  cp_facts_free(f);
  cp_reader_end(r);
  return rc;
}

static int bench_recognize(cli *c, uint64_t n, const char *dir) {
  char path[PATH_MAX];
  cp_store *s = NULL;
  cp_key *k = NULL;
  cp_policy *p = NULL, *alt[2] = {NULL, NULL};
  cp_reader *r = NULL;
  cp_diag d = {{0}};
  uint8_t pol[CP_HASH_BYTES];
  cp_policy_entry pe;
  int st = CLI_OK;
  snprintf(path, sizeof path, "%s/ledger", dir);
  printf("credport bench recognize: %llu awards to %llu educators\n", (unsigned long long)n,
         (unsigned long long)(n / 10));
  fflush(stdout);
  double t0 = cli_bench_now_s();
  int rc = cp_key_generate(&k);
  if (rc == 0) rc = cp_store_open(path, CP_STORE_NOSYNC, &s, &d);
  if (rc == 0) rc = rb_build(s, k, n, pol, &d);
  if (rc == 0) rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_policy(r, pol, &pe);
  if (rc == 0) rc = cp_policy_compile_as(pe.document.p, pe.document.len, pe.log, &p, &d);
  cp_reader_end(r);
  if (rc == 0) rc = cp_policy_compile(rb_stipend, sizeof rb_stipend - 1, &alt[0], &d);
  if (rc == 0) rc = cp_policy_compile(rb_certification, sizeof rb_certification - 1, &alt[1], &d);
  if (rc != 0) {
    st = cli_fail(c, "bench setup failed: %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  printf("built in %.1f s\n", cli_bench_now_s() - t0);
  fflush(stdout);
  /* Alternate the two passes (the first read warms the page cache) and keep
   * each one's best time: the machine may be shared. */
  double best_read = 1e30, best_view = 1e30, best_proj = 1e30, secs;
  uint64_t read_awards = 0, view_awards = 0, proj_awards = 0;
  int64_t usd = 0, proj_usd = 0;
  const cp_policy *pols[3] = {p, alt[0], alt[1]};
  for (int round = 0; round < 3 && rc == 0; round++) {
    rc = rb_pass(s, pols, 0, &secs, &read_awards, &usd);
    if (rc == 0 && secs < best_read) best_read = secs;
    if (rc == 0) rc = rb_pass(s, pols, 1, &secs, &view_awards, &usd);
    if (rc == 0 && secs < best_view) best_view = secs;
    proj_usd = 0;
    if (rc == 0) rc = rb_pass(s, pols, 2, &secs, &proj_awards, &proj_usd);
    if (rc == 0 && secs < best_proj) best_proj = secs;
  }
  if (rc != 0) {
    st = cli_fail(c, "bench pass failed: %s", cp_strerror(rc));
    goto out;
  }
  double ratio = best_view / best_read;
  printf("read (each educator's awards through the index, decoded): %llu awards in %.3f s "
         "(%.0f ns per award)\n", (unsigned long long)read_awards, best_read,
         best_read * 1e9 / (double)(read_awards ? read_awards : 1));
  printf("district view (facts gathered and evaluated, one policy): %llu awards in %.3f s "
         "(%.0f ns per award)\n", (unsigned long long)view_awards, best_view,
         best_view * 1e9 / (double)(view_awards ? view_awards : 1));
  printf("ratio: %.2fx the read (target <= 2.00x); cost in 2026: %lld cents\n", ratio,
         (long long)usd);
  printf("five-year projection (three alternatives, fiscal years 2026-2030): %llu awards in "
         "%.3f s (%.0f ns per award)\n", (unsigned long long)proj_awards, best_proj,
         best_proj * 1e9 / (double)(proj_awards ? proj_awards : 1));
  printf("ratio: %.2fx the read (target <= 3.00x); the three alternatives' costs over the five "
         "years: %lld cents\n", best_proj / best_read, (long long)proj_usd);
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "awards", json_integer((json_int_t)read_awards));
    json_object_set_new(j, "read_s", json_real(best_read));
    json_object_set_new(j, "district_s", json_real(best_view));
    json_object_set_new(j, "ratio", json_real(ratio));
    json_object_set_new(j, "projection_s", json_real(best_proj));
    json_object_set_new(j, "projection_ratio", json_real(best_proj / best_read));
    cli_print_json(j);
  }
out:
  cp_policy_free(p);
  cp_policy_free(alt[0]);
  cp_policy_free(alt[1]);
  cp_store_close(s);
  cp_key_free(k);
  return st;
}

int cmd_bench(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"n", 1, 0, 'n'}, {"dir", 1, 0, 'd'}, {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  static const char help[] =
      "usage: credport bench [ledger|recognize] [--n N] [--dir DIR] [--json]\n"
      "       credport bench sync [--n N | --quick] [--keep]\n"
      "       credport bench revocations [--n N] [--dir DIR]\n"
      "  ledger: bulk CSV award of N awards (default 1000000) to N/10 educators, audit of\n"
      "  the result on all cores, inclusion proofs at that size, and store size; each\n"
      "  rate is printed with its ratio to the raw libsodium rate measured in this run.\n"
      "  recognize: N awards (default 1000000) to N/10 educators; the district view of one\n"
      "  policy over all of them, timed against reading the same awards from LMDB (each\n"
      "  educator's awards through the index, decoded) in the same run (target <= 2x), and\n"
      "  the five-year projection of three alternatives (target <= 3x).\n"
      "  sync: full sync of N awards (default 1000000) over 100 logs between two serve\n"
      "  processes on loopback against one core's raw verify time, in-sync and one-changed-\n"
      "  log reconciliation costs, live award latency (credport bench sync --help).\n";
  uint64_t n = 1000000;
  const char *dirarg = NULL;
  int o;
  if (argc > 1 && strcmp(argv[1], "sync") == 0) return cmd_bench_sync(c, argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "ob3") == 0) return cmd_bench_ob3(c, argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "revocations") == 0)
    return cmd_bench_revstat(c, argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "proofs") == 0) return cmd_bench_proofs(c, argc - 1, argv + 1);
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'n':
      if (cli_parse_u64(optarg, &n) != 0 || n < 10 || n > CP_CSV_ROWS_MAX)
        return cli_usage(c, "--n: a number from 10 to %u", CP_CSV_ROWS_MAX);
      break;
    case 'd': dirarg = optarg; break;
    case 'J': c->json = 1; break;
    case 'h': fputs(help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, help);
    }
  }
  int recognize = optind < argc && strcmp(argv[optind], "recognize") == 0;
  if (optind < argc && strcmp(argv[optind], "ledger") != 0 && !recognize)
    return cli_usage(c, "unknown benchmark \"%s\" (available: ledger, recognize, sync, revocations, proofs)",
                     argv[optind]);
  if (optind + 1 < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind + 1]);
  char dir[PATH_MAX], path[PATH_MAX], csv[PATH_MAX];
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/credport-bench.XXXXXX", dirarg ? dirarg : (tmp && *tmp ? tmp : "/tmp"));
  if (mkdtemp(dir) == NULL) return cli_fail(c, "cannot create %s: %s", dir, strerror(errno));
  if (recognize) {
    int rst = bench_recognize(c, n, dir);
    char rm[PATH_MAX + 16];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    if (system(rm) != 0) fprintf(stderr, "bench: could not remove %s\n", dir);
    return rst;
  }
  snprintf(path, sizeof path, "%s/ledger", dir);
  snprintf(csv, sizeof csv, "%s/awards.csv", dir);

  double sign_rate, verify_rate;
  cli_bench_raw_rates(&sign_rate, &verify_rate);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);

  /* A node with one credential, and a CSV of n awards to n/10 educators. */
  cp_store *s = NULL;
  cp_key *k = NULL;
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  int st = CLI_OK;
  int rc = cp_key_generate(&k);
  if (rc == 0) rc = cp_store_open(path, 0, &s, &d);
  if (rc == 0)
    rc = cp_store_init_authority(s, k, "Bench State", "US-NC", CP_ROLE_STATE, "bench/log",
                                 cli_now(), &d);
  if (rc == 0) rc = cp_appender_begin(s, k, cli_now(), &a, &d);
  if (rc == 0) {
    cp_entry e;
    memset(&e, 0, sizeof e);
    e.type = CP_T_CREDENTIAL;
    e.u.credential.id = (cp_str){"bench-mc", 8};
    e.u.credential.title = (cp_str){"Bench MC", 8};
    e.u.credential.competency = (cp_str){"Benchmarking", 12};
    e.u.credential.evidence = (cp_str){"", 0};
    e.u.credential.level = 2;
    e.u.credential.hours_x100 = 1000;
    rc = cp_appender_add(a, &e, NULL, &d);
  }
  if (rc == 0) {
    rc = cp_appender_commit(a, &d);
    a = NULL;
  }
  if (rc != 0) {
    st = cli_fail(c, "bench setup failed: %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  FILE *f = fopen(csv, "w");
  if (f == NULL) {
    st = cli_fail(c, "cannot write %s", csv);
    goto out;
  }
  fputs("credential,educator,earned,assessor,evidence_sha256\n", f);
  uint64_t neducators = n / 10 ? n / 10 : 1;
  for (uint64_t i = 0; i < n; i++) {
    uint8_t pk[32], ev[32];
    char pkh[65], evh[65], date[11];
    uint64_t edu = (i * 2654435761u) % neducators;
    memset(pk, 0, sizeof pk);
    memcpy(pk, &edu, sizeof edu);
    pk[31] = 0x42;
    crypto_generichash(pk, sizeof pk, pk, sizeof pk, NULL, 0);
    memcpy(ev, &i, sizeof i);
    crypto_generichash(ev, sizeof ev, ev, sizeof i, NULL, 0);
    cp_hex_encode(pk, 32, pkh);
    cp_hex_encode(ev, 32, evh);
    /* Distinct (educator, earned) pairs, all in the past: i and i' name the
     * same educator only when they differ by a multiple of neducators. */
    cp_date_format((uint32_t)(17000 + (i / neducators) % 3000), date);
    fprintf(f, "bench-mc,%s,%s,Assessor %03u,%s\n", pkh, date, (unsigned)(i % 500), evh);
  }
  if (fclose(f) != 0) {
    st = cli_fail(c, "cannot write %s", csv);
    goto out;
  }

  printf("credport bench ledger: %llu awards, %ld cores\n", (unsigned long long)n, cores);
  printf("raw libsodium, one core: sign %.0f/s, verify %.0f/s\n", sign_rate, verify_rate);
  fflush(stdout);
  uint64_t added = 0;
  double t0 = cli_bench_now_s();
  c->guards = CP_GUARD_FUTURE | CP_GUARD_DUPLICATES; /* as `award --csv` runs */
  st = cli_award_csv(c, s, k, csv, NULL, 0, cli_now(), &added);
  double t_award = cli_bench_now_s() - t0;
  if (st != CLI_OK) goto out;
  double award_rate = (double)added / t_award;
  printf("bulk award (CSV -> sign -> LMDB + Merkle, one transaction): %.0f/s = %.2fx raw sign "
         "(target >= 0.80x)\n", award_rate, award_rate / sign_rate);
  fflush(stdout);

  cp_audit_report rep;
  rc = cp_store_audit(s, (unsigned)(cores > 0 ? cores : 1), NULL, NULL, &rep);
  if (rc != 0) {
    st = cli_fail(c, "audit of the bench ledger failed: %s (%llu problems)", cp_strerror(rc),
                  (unsigned long long)rep.problems);
    goto out;
  }
  double audit_rate = (double)rep.entries / rep.seconds;
  printf("audit (%ld threads): %.0f entries/s = %.2fx raw single-core verify (target >= 1.50x)\n",
         cores, audit_rate, audit_rate / verify_rate);
  fflush(stdout);

  /* Inclusion proofs at full size, random leaves. */
  cp_reader *r = NULL;
  uint8_t self[CP_PK_BYTES], path_h[CP_MERKLE_MAX_LEVELS][CP_HASH_BYTES];
  cp_log_info li;
  sizes sz = {0, 0};
  const int nproofs = 20000;
  rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_self(r, self);
  if (rc == 0) rc = cp_reader_log(r, self, &li);
  double t_proof = 0;
  if (rc == 0) {
    t0 = cli_bench_now_s();
    for (int i = 0; i < nproofs && rc == 0; i++) {
      size_t np;
      uint64_t idx = randombytes_uniform((uint32_t)(li.size < UINT32_MAX ? li.size : UINT32_MAX));
      rc = cp_reader_inclusion(r, self, idx, li.size, path_h, &np);
    }
    t_proof = (cli_bench_now_s() - t0) / nproofs;
  }
  if (rc == 0) rc = cp_reader_each_entry(r, self, 0, sum_sizes, &sz);
  cp_reader_end(r);
  if (rc != 0) {
    st = cli_fail(c, "proof bench failed: %s", cp_strerror(rc));
    goto out;
  }
  printf("inclusion proof at %llu entries: %.1f us (target < 50 us)\n",
         (unsigned long long)li.size, t_proof * 1e6);
  uint64_t fsz = file_size(cp_store_path(s));
  printf("store: %.1f MB on disk for %.1f MB of entries = %.2fx (target <= 2.00x)\n",
         (double)fsz / 1e6, (double)sz.bytes / 1e6, (double)fsz / (double)sz.bytes);
  printf("entry size: %.1f bytes on average\n", (double)sz.bytes / (double)sz.count);
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "awards", json_integer((json_int_t)n));
    json_object_set_new(j, "raw_sign_per_s", json_real(sign_rate));
    json_object_set_new(j, "raw_verify_per_s", json_real(verify_rate));
    json_object_set_new(j, "award_ratio", json_real(award_rate / sign_rate));
    json_object_set_new(j, "audit_ratio", json_real(audit_rate / verify_rate));
    json_object_set_new(j, "proof_us", json_real(t_proof * 1e6));
    json_object_set_new(j, "store_ratio", json_real((double)fsz / (double)sz.bytes));
    cli_print_json(j);
  }
out:
  cp_appender_abort(a);
  cp_store_close(s);
  cp_key_free(k);
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "bench: could not remove %s\n", dir);
  return st;
}
