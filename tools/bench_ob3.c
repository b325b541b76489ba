/* credport bench ob3: Open Badges 3.0 export against the raw Ed25519
 * signing rate, and verify-vc of one credential (docs/PERFORMANCE.md,
 * "Open Badges 3.0 export"). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "credport/ob3.h"
#include "credport/ob3_jwt.h"
#include "credport/ob3_store.h"

static const char help[] =
    "usage: credport bench ob3 [--n N] [--dir DIR]\n"
    "  A log of N awards (default 100000; every other one with evidence) to 1000\n"
    "  educators; then the raw Ed25519 signing rate (64-byte messages, as eddsa-jcs-2022\n"
    "  signs), the export of every award as a signed JSON credential (gathered from the\n"
    "  ledger, built, canonicalised, signed and written to one file) and as a vc+jwt\n"
    "  (gathered, built, serialised, signed as a JWS, written), each rate's ratio to the\n"
    "  signing rate, and the time of verify-vc's check of one credential in each form.\n"
    "  Times are this thread's CPU time, in 5 rounds of signing then a fifth of each\n"
    "  export; the best round counts.\n";

/* Exports awards aw[*i .. end) with write into out; OUT: the first text
 * made (when *one is NULL), the bytes written added to *bytes. */
static int export_range(cp_reader *r, cp_ob3_gathered *g, const cp_key *k,
                        const uint8_t (*aw)[CP_HASH_BYTES], uint64_t *i, uint64_t end,
                        int (*write)(const cp_ob3_input *, const cp_key *, cp_ob3_status_fn,
                                     void *, char **, size_t *, cp_diag *),
                        FILE *out, size_t *bytes, char **one, size_t *onelen, cp_diag *d) {
  char *text = NULL;
  size_t len = 0;
  int rc = 0;
  for (; rc == 0 && *i < end; (*i)++) {
    if ((rc = cp_ob3_gather(r, aw[*i], g, d)) != 0) break;
    if ((rc = write(&g->in, k, NULL, NULL, &text, &len, d)) != 0) break;
    if (fwrite(text, 1, len, out) != len) rc = cp_diag_set(d, -EIO, "cannot write an export");
    *bytes += len;
    if (*one == NULL) {
      *one = text;
      *onelen = len;
    } else {
      free(text);
    }
    text = NULL;
  }
  return rc;
}

#define ROUNDS 5

/* CPU time of this thread: the rates compare work, not other load. */
static double secs(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fill(cp_store *s, const cp_key *k, uint64_t n, uint8_t (*aw)[CP_HASH_BYTES],
                cp_diag *d) {
  cp_appender *a = NULL;
  cp_entry e;
  uint8_t cred[CP_HASH_BYTES];
  int rc = cp_appender_begin(s, k, cli_now(), &a, d);
  if (rc != 0) return rc;
  memset(&e, 0, sizeof e);
  e.type = CP_T_CREDENTIAL;
  e.u.credential.id = (cp_str){"bench-mc", 8};
  e.u.credential.title = (cp_str){"Checking for Understanding", 26};
  e.u.credential.competency = (cp_str){"Uses exit tickets to adjust instruction", 39};
  e.u.credential.evidence = (cp_str){"Three annotated lesson videos", 29};
  e.u.credential.level = 2;
  e.u.credential.hours_x100 = 725;
  rc = cp_appender_add(a, &e, cred, d);
  for (uint64_t i = 0; rc == 0 && i < n; i++) {
    memset(&e, 0, sizeof e);
    e.type = CP_T_AWARD;
    memcpy(e.u.award.credential, cred, CP_HASH_BYTES);
    memset(e.u.award.educator, 0x11, CP_PK_BYTES);
    e.u.award.educator[0] = (uint8_t)(i % 250);
    e.u.award.educator[1] = (uint8_t)(i % 4);
    e.u.award.earned = 20000 + (uint32_t)(i % 365);
    e.u.award.assessor = (cp_str){"Bench", 5};
    if (i % 2 == 0) {
      e.u.award.flags = CP_AWARD_HAS_EVIDENCE;
      memcpy(e.u.award.evidence, &i, sizeof i);
    }
    rc = cp_appender_add(a, &e, aw[i], d);
  }
  if (rc == 0) return cp_appender_commit(a, d);
  cp_appender_abort(a);
  return rc;
}

static int run(cli *c, uint64_t n, const char *dir) {
  char path[PATH_MAX];
  cp_store *s = NULL;
  cp_key *k = NULL;
  cp_reader *r = NULL;
  cp_diag d = {{0}};
  uint8_t (*aw)[CP_HASH_BYTES] = malloc((size_t)n * CP_HASH_BYTES), msg[64], sig[CP_SIG_BYTES];
  cp_ob3_gathered *g = malloc(sizeof *g);
  char *one = NULL, *onej = NULL;
  size_t onelen = 0, onejlen = 0, bytes = 0, bytesj = 0;
  FILE *out = NULL, *outj = NULL;
  uint64_t nsign = n < 20000 ? n : 20000, nverify = 2000;
  double t0, sign_rate, export_rate, jwt_rate, verify_us, verifyj_us;
  cp_ob3_verdict v;
  int rc = aw != NULL && g != NULL ? cp_key_generate(&k) : CP_ENOMEM;
  snprintf(path, sizeof path, "%s/ledger", dir);
  if (rc == 0) rc = cp_store_open(path, CP_STORE_NOSYNC, &s, &d);
  if (rc == 0)
    rc = cp_store_init_authority(s, k, "Bench State", "US-NC", CP_ROLE_STATE, "bench/ob3",
                                 cli_now(), &d);
  if (rc == 0) rc = fill(s, k, n, aw, &d);
  if (rc != 0) goto out;
  snprintf(path, sizeof path, "%s/export.json", dir);
  if ((out = fopen(path, "wb")) == NULL) {
    rc = cp_diag_set(&d, -errno, "cannot create %s", path);
    goto out;
  }
  snprintf(path, sizeof path, "%s/export.jwt", dir);
  if ((outj = fopen(path, "wb")) == NULL) {
    rc = cp_diag_set(&d, -errno, "cannot create %s", path);
    goto out;
  }
  if ((rc = cp_reader_begin(s, &r)) != 0) goto out;
  /* ROUNDS rounds, each a run of raw signatures (what each credential's
   * proof costs at the least) then a fifth of the export; the best round
   * of each counts, so that other load on the machine in one round does
   * not decide the ratio. */
  memset(msg, 0x5a, sizeof msg);
  sign_rate = export_rate = jwt_rate = 0;
  for (uint64_t round = 0, i = 0, ij = 0; rc == 0 && round < ROUNDS; round++) {
    uint64_t end = n * (round + 1) / ROUNDS, from = i, ns = nsign / ROUNDS + 1;
    double rate;
    t0 = secs();
    for (uint64_t j = 0; j < ns; j++) {
      msg[0] = (uint8_t)j;
      cp_sig_sign_raw(k, msg, sizeof msg, sig);
    }
    rate = (double)ns / (secs() - t0);
    if (rate > sign_rate) sign_rate = rate;
    t0 = secs();
    rc = export_range(r, g, k, (const uint8_t(*)[CP_HASH_BYTES])aw, &i, end, cp_ob3_export_json,
                      out, &bytes, &one, &onelen, &d);
    rate = (double)(i - from) / (secs() - t0);
    if (rc == 0 && i > from && rate > export_rate) export_rate = rate;
    from = ij;
    t0 = secs();
    if (rc == 0)
      rc = export_range(r, g, k, (const uint8_t(*)[CP_HASH_BYTES])aw, &ij, end,
                        cp_ob3_export_jwt, outj, &bytesj, &onej, &onejlen, &d);
    rate = (double)(ij - from) / (secs() - t0);
    if (rc == 0 && ij > from && rate > jwt_rate) jwt_rate = rate;
  }
  if (rc == 0 && (fflush(out) != 0 || fflush(outj) != 0))
    rc = cp_diag_set(&d, -errno, "cannot write the exports");
  if (rc != 0) goto out;
  t0 = secs();
  for (uint64_t i = 0; rc == 0 && i < nverify; i++) rc = cp_ob3_verify_json(one, onelen, &v, &d);
  verify_us = (secs() - t0) / (double)nverify * 1e6;
  if (rc != 0) goto out;
  t0 = secs();
  for (uint64_t i = 0; rc == 0 && i < nverify; i++)
    rc = cp_ob3_verify_jwt(onej, onejlen, &v, NULL, &d);
  verifyj_us = (secs() - t0) / (double)nverify * 1e6;
  if (rc != 0) goto out;
  printf("awards %llu\nraw Ed25519 signing %.0f signatures/s\n"
         "export json %.0f credentials/s (%.2fx the signing rate; %.1f MB written)\n"
         "export jwt %.0f credentials/s (%.2fx the signing rate; %.1f MB written)\n"
         "verify-vc of one credential: json %.0f us, jwt %.0f us\n",
         (unsigned long long)n, sign_rate, export_rate, export_rate / sign_rate,
         (double)bytes / 1e6, jwt_rate, jwt_rate / sign_rate, (double)bytesj / 1e6, verify_us,
         verifyj_us);
out:
  if (out != NULL) fclose(out);
  if (outj != NULL) fclose(outj);
  free(onej);
  cp_reader_end(r);
  cp_store_close(s);
  cp_key_free(k);
  free(aw);
  free(g);
  free(one);
  return rc == 0 ? CLI_OK : cli_fail(c, "bench ob3: %s", d.msg[0] ? d.msg : cp_strerror(rc));
}

int cmd_bench_ob3(cli *c, int argc, char **argv) {
  return cli_bench_in_dir(c, argc, argv, help, run);
}
