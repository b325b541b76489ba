/*
 * credport bench — throughput measured against raw libsodium rates taken in
 * the same process, so results are ratios that mean the same on any machine.
 *   credport bench [ledger] [--n N] [--dir DIR]
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
#include "credport/merkle.h"

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Raw single-core Ed25519 rates over award-sized messages. */
static void raw_rates(double *sign_rate, double *verify_rate) {
  unsigned char pk[32], sk[64], msg[240], sig[64];
  crypto_sign_keypair(pk, sk);
  randombytes_buf(msg, sizeof msg);
  const int n = 20000;
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    msg[0] = (unsigned char)i;
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
  }
  *sign_rate = n / (now_s() - t0);
  t0 = now_s();
  int bad = 0;
  for (int i = 0; i < n / 2; i++) bad += crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0;
  *verify_rate = (n / 2) / (now_s() - t0);
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

int cmd_bench(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"n", 1, 0, 'n'}, {"dir", 1, 0, 'd'}, {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  static const char help[] =
      "usage: credport bench [ledger] [--n N] [--dir DIR] [--json]\n"
      "  ledger: bulk CSV award of N awards (default 1000000) to N/10 educators, audit of\n"
      "  the result on all cores, inclusion proofs at that size, and store size; each\n"
      "  rate is printed with its ratio to the raw libsodium rate measured in this run.\n";
  uint64_t n = 1000000;
  const char *dirarg = NULL;
  int o;
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
    default: return cli_usage(c, "unknown option or missing value\n%s", help);
    }
  }
  if (optind < argc && strcmp(argv[optind], "ledger") != 0)
    return cli_usage(c, "unknown benchmark \"%s\" (available: ledger)", argv[optind]);
  char dir[PATH_MAX], path[PATH_MAX], csv[PATH_MAX];
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/credport-bench.XXXXXX", dirarg ? dirarg : (tmp && *tmp ? tmp : "/tmp"));
  if (mkdtemp(dir) == NULL) return cli_fail(c, "cannot create %s: %s", dir, strerror(errno));
  snprintf(path, sizeof path, "%s/ledger", dir);
  snprintf(csv, sizeof csv, "%s/awards.csv", dir);

  double sign_rate, verify_rate;
  raw_rates(&sign_rate, &verify_rate);
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
    cp_date_format((uint32_t)(19000 + i % 2000), date);
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
  double t0 = now_s();
  st = cli_award_csv(c, s, k, csv, cli_now(), &added);
  double t_award = now_s() - t0;
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
    t0 = now_s();
    for (int i = 0; i < nproofs && rc == 0; i++) {
      size_t np;
      uint64_t idx = randombytes_uniform((uint32_t)(li.size < UINT32_MAX ? li.size : UINT32_MAX));
      rc = cp_reader_inclusion(r, self, idx, li.size, path_h, &np);
    }
    t_proof = (now_s() - t0) / nproofs;
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
