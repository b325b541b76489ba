/*
 * credport bench proofs — the size and cost of educator proofs against
 * large logs, as ratios to raw libsodium rates measured in the same run.
 *   credport bench proofs [--n N] [--dir DIR] [--json]
 *
 * Three issuers, each its own node (one store per issuer, so each signs the
 * checkpoint and revocation statement of its log), each log N entries:
 * genesis, the credential definitions, then awards (one in every
 * --revoke-every, default 1000, revoked) with one educator's 14 awards spread over the three logs and
 * another educator's 100 awards spread over the first. Filler awards, the
 * entries no wallet holds, carry zero signatures and are stored as already
 * checked: nothing here reads them except as Merkle leaves, and signing
 * millions of them would only make the build slow. Every entry a wallet
 * holds is properly signed.
 *
 * Measured: wallet export of the 100-award educator on the first node;
 * present of a bundle of all 14 awards (14 definitions, 3 issuers) from the
 * wallets of the three nodes combined, each checkpoint cosigned by two
 * witnesses; the bundle's size with a breakdown; and, when the verifier is
 * linked in (cli_bench_verify_bundle below), the offline verification.
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
#include "credport/bundle.h"
#include "credport/codec.h"
#include "credport/note.h"
#include "credport/wallet.h"

#define BP_ISSUERS 3u
#define BP_AWARDS 14u  /* the bundle's awards, one per definition */
#define BP_EXPORT 100u /* the export educator's awards, on issuer 0 */
#define BP_BATCH 4096u
#define BP_ARENA (8u << 20)
#define BP_ROUNDS 10

/*
 * The verify hook. The module that verifies bundles offline defines this
 * function; while it is not linked in, the weak symbol is NULL and the
 * bench reports no verify time. It verifies bundle[0..len) against a trust
 * file's text (issuer and witness verifier keys), the challenge and the
 * audience, needing `witnesses` cosignatures, and returns 0 when every
 * check holds.
 */
int cli_bench_verify_bundle(const uint8_t *bundle, size_t len, const char *trust,
                            size_t trust_len, const char *challenge, const char *audience,
                            unsigned witnesses) __attribute__((weak));
/* The signatures the last verification checked (entries, checkpoints,
 * trusted cosignatures, statements, the bundle's), and in *raw_s the best
 * of 10 timings of as many raw verifications, made when it is called. */
size_t cli_bench_verify_signatures(double *raw_s) __attribute__((weak));

typedef struct issuer {
  cp_key *k;
  uint8_t pk[CP_PK_BYTES], prev[CP_HASH_BYTES];
  char dir[PATH_MAX], origin[64];
  cp_store *s;
  uint64_t seq, time;
  uint8_t defs[BP_AWARDS][CP_HASH_BYTES];
  unsigned ndefs;
  uint8_t *arena;
  size_t used, n;
  const uint8_t *bufs[BP_BATCH];
  size_t lens[BP_BATCH];
} issuer;

static int flush(issuer *is, cp_diag *d) {
  cp_ingest_report rep;
  int rc = is->n ? cp_store_ingest(is->s, is->bufs, is->lens, is->n, CP_INGEST_VERIFIED,
                                   is->time, &rep, d)
                 : CP_OK;
  is->n = 0;
  is->used = 0;
  return rc;
}

/* Appends e to the issuer's log, signed, or with a zero signature. */
static int add(issuer *is, cp_entry *e, int sign, uint8_t id[CP_HASH_BYTES], cp_diag *d) {
  size_t len;
  int rc = CP_OK;
  if ((is->n == BP_BATCH || BP_ARENA - is->used < CP_ENTRY_MAX) && (rc = flush(is, d)) != 0)
    return rc;
  e->version = CP_ENTRY_VERSION;
  memcpy(e->log, is->pk, CP_PK_BYTES);
  e->seq = is->seq;
  memcpy(e->prev, is->prev, CP_HASH_BYTES);
  e->time = is->time;
  uint8_t *out = is->arena + is->used;
  if (sign) {
    rc = cp_entry_sign(e, is->k, out, CP_ENTRY_MAX, &len, d);
  } else if ((rc = cp_entry_encode_unsigned(e, out, CP_ENTRY_MAX - CP_SIG_BYTES, &len, d)) == 0) {
    memset(out + len, 0, CP_SIG_BYTES);
    len += CP_SIG_BYTES;
  }
  if (rc != 0) return rc;
  cp_entry_id(out, len, is->prev);
  if (id != NULL) memcpy(id, is->prev, CP_HASH_BYTES);
  is->bufs[is->n] = out;
  is->lens[is->n++] = len;
  is->used += len;
  is->seq++;
  return CP_OK;
}

static void educator_of(uint64_t i, uint8_t pk[CP_PK_BYTES]) {
  memset(pk, 0, CP_PK_BYTES);
  memcpy(pk, &i, sizeof i);
  pk[31] = 0x50;
  crypto_generichash(pk, CP_PK_BYTES, pk, CP_PK_BYTES, NULL, 0);
}

/* Issuer i's node: n entries in all. ana gets awards of definitions
 * [first, first + ndefs); ben (issuer 0) gets BP_EXPORT awards. */
static int build(issuer *is, unsigned i, uint64_t n, uint64_t revoke_every, unsigned first,
                 unsigned ndefs, const uint8_t ana[CP_PK_BYTES], const uint8_t ben[CP_PK_BYTES],
                 cp_diag *d) {
  char path[PATH_MAX + 16], id[32], title[48];
  cp_reader *r = NULL;
  cp_log_info li;
  cp_entry e;
  uint8_t aw[CP_HASH_BYTES];
  int rc;
  snprintf(is->origin, sizeof is->origin, "bench/issuer-%u", i);
  snprintf(path, sizeof path, "%s/ledger", is->dir);
  is->time = cli_now();
  if ((rc = cp_key_generate(&is->k)) != 0) return rc;
  cp_key_public(is->k, is->pk);
  if ((is->arena = malloc(BP_ARENA)) == NULL) return CP_ENOMEM;
  if ((rc = cp_store_open(path, CP_STORE_NOSYNC, &is->s, d)) != 0 ||
      (rc = cp_store_init_authority(is->s, is->k, "Bench State", "US-NC", CP_ROLE_STATE,
                                    is->origin, is->time, d)) != 0)
    return rc;
  if ((rc = cp_reader_begin(is->s, &r)) != 0) return rc;
  rc = cp_reader_log(r, is->pk, &li);
  memcpy(is->prev, li.head, CP_HASH_BYTES);
  is->seq = li.size;
  cp_reader_end(r);
  if (rc != 0) return rc;
  for (unsigned k = 0; k < ndefs && rc == 0; k++) {
    memset(&e, 0, sizeof e);
    snprintf(id, sizeof id, "bench-mc-%u", first + k);
    snprintf(title, sizeof title, "Bench Micro-credential %u", first + k);
    e.type = CP_T_CREDENTIAL;
    e.u.credential.id = (cp_str){id, strlen(id)};
    e.u.credential.title = (cp_str){title, strlen(title)};
    e.u.credential.competency = (cp_str){"Uses formative assessment to adjust instruction", 47};
    e.u.credential.evidence = (cp_str){"Portfolio and one observed lesson", 33};
    e.u.credential.level = (uint8_t)(1 + k % 4);
    e.u.credential.hours_x100 = 1500;
    rc = add(is, &e, 1, is->defs[is->ndefs++], d);
  }
  /* Award slots: revocations take one seq in every revoke_every + 1. Each
   * educator's next award goes at the first slot at or after its place, so
   * the two never crowd each other out. */
  uint64_t body = n > is->seq ? n - is->seq : 1;
  if (revoke_every > 0) body = body / (revoke_every + 1) * revoke_every;
  uint64_t ana_every = body / (ndefs + 1), ben_every = body / (BP_EXPORT + 1);
  unsigned ana_done = 0, ben_done = 0;
  for (uint64_t j = 1; rc == 0 && is->seq < n; j++) {
    int mine = ana_done < ndefs && j >= (ana_done + 1) * ana_every;
    int bens = i == 0 && !mine && ben_done < BP_EXPORT && j >= (ben_done + 1) * ben_every;
    memset(&e, 0, sizeof e);
    e.type = CP_T_AWARD;
    memcpy(e.u.award.credential, is->defs[mine ? ana_done : bens ? ben_done % ndefs : j % ndefs],
           CP_HASH_BYTES);
    if (mine)
      memcpy(e.u.award.educator, ana, CP_PK_BYTES);
    else if (bens)
      memcpy(e.u.award.educator, ben, CP_PK_BYTES);
    else
      educator_of(j, e.u.award.educator);
    e.u.award.earned = (uint32_t)(20000 + j % 500);
    e.u.award.assessor = (cp_str){"A. Assessor", 11};
    e.u.award.flags = CP_AWARD_HAS_EVIDENCE;
    memset(e.u.award.evidence, 0x5e, CP_HASH_BYTES);
    rc = add(is, &e, mine || bens, aw, d);
    ana_done += (unsigned)mine;
    ben_done += (unsigned)bens;
    if (rc == 0 && !mine && !bens && revoke_every && j % revoke_every == 0 && is->seq < n) {
      memset(&e, 0, sizeof e);
      e.type = CP_T_REVOKE;
      memcpy(e.u.revoke.target, aw, CP_HASH_BYTES);
      e.u.revoke.reason = (cp_str){"bench", 5};
      rc = add(is, &e, 0, NULL, d);
    }
  }
  if (rc == 0) rc = flush(is, d);
  if (rc == 0) rc = cp_store_checkpoint(is->s, is->k, d);
  return rc;
}

static int export_wallet(issuer *is, const uint8_t edu[CP_PK_BYTES], uint8_t **out, size_t *len,
                         cp_wallet_report *rep, cp_diag *d) {
  cp_reader *r = NULL;
  int rc = cp_reader_begin(is->s, &r);
  if (rc == 0) rc = cp_wallet_export(r, edu, NULL, NULL, out, len, rep, d);
  cp_reader_end(r);
  return rc;
}

/* The three one-log wallets as one, each checkpoint cosigned by the two
 * witnesses. */
static int combine(uint8_t *const *w, const size_t *wl, cp_key *const *wit, char notes[][4096],
                   uint8_t **out, size_t *len, cp_diag *d) {
  cp_bundle in[BP_ISSUERS], all;
  cp_bundle_log logs[BP_ISSUERS];
  cp_bundle_entry ents[3 * BP_AWARDS + 16];
  size_t order[BP_ISSUERS] = {0, 1, 2}, ne = 0;
  int rc = CP_OK;
  memset(in, 0, sizeof in);
  memset(&all, 0, sizeof all);
  for (unsigned i = 0; i < BP_ISSUERS && rc == 0; i++) rc = cp_bundle_decode(w[i], wl[i], &in[i], d);
  for (unsigned a = 0; a < BP_ISSUERS; a++)
    for (unsigned b = a + 1; b < BP_ISSUERS; b++)
      if (rc == 0 && memcmp(in[order[a]].logs[0].key, in[order[b]].logs[0].key, CP_PK_BYTES) > 0) {
        size_t t = order[a];
        order[a] = order[b];
        order[b] = t;
      }
  for (unsigned k = 0; k < BP_ISSUERS && rc == 0; k++) {
    const cp_bundle *b = &in[order[k]];
    size_t nl = 0;
    memcpy(notes[k], b->logs[0].note, b->logs[0].note_len);
    nl = b->logs[0].note_len;
    for (unsigned x = 0; x < 2 && rc == 0; x++) {
      char name[32];
      snprintf(name, sizeof name, "bench/witness-%u", x + 1);
      rc = cp_note_cosign(wit[x], name, (uint64_t)time(NULL), notes[k], nl, notes[k], 4096, &nl);
    }
    logs[k] = b->logs[0];
    logs[k].note = notes[k];
    logs[k].note_len = nl;
    logs[k].first = ne;
    for (size_t j = 0; j < b->nentries && ne < sizeof ents / sizeof ents[0]; j++) ents[ne++] = b->entries[j];
  }
  all.kind = CP_BUNDLE_KIND_WALLET;
  if (rc == 0) {
    memcpy(all.educator, in[0].educator, CP_PK_BYTES);
    all.logs = logs;
    all.nlogs = BP_ISSUERS;
    all.entries = ents;
    all.nentries = ne;
    rc = cp_bundle_encode(&all, NULL, out, len, d);
  }
  for (unsigned i = 0; i < BP_ISSUERS; i++) cp_bundle_free(&in[i]);
  return rc;
}

static const char help[] =
    "usage: credport bench proofs [--n N] [--revoke-every K] [--dir DIR] [--json]\n"
    "  Three issuers with logs of N entries each (default 1000000): the size of a bundle\n"
    "  of 14 awards (14 definitions) over them, the time of `present` for it and of\n"
    "  `wallet export` for an educator with 100 awards, each also as a multiple of a raw\n"
    "  Ed25519 signature or verification measured in the same run. One filler award in\n"
    "  K (default 1000; 0 none) is revoked, which sets the revocation trees' size. --dir\n"
    "  keeps the three nodes' data there (else a temporary folder, removed).\n";

int cmd_bench_proofs(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"n", 1, 0, 'n'},    {"dir", 1, 0, 'd'},  {"revoke-every", 1, 0, 'r'},
      {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  uint64_t n = 1000000, revoke_every = 1000;
  const char *dirarg = NULL;
  char base[PATH_MAX], cmdline[PATH_MAX + 16];
  issuer *is = NULL;
  cp_key *edu = NULL, *wit[2] = {NULL, NULL};
  uint8_t ana[CP_PK_BYTES], ben[CP_PK_BYTES], *w[BP_ISSUERS] = {NULL}, *all = NULL, *bun = NULL,
                                               *bw = NULL;
  size_t wl[BP_ISSUERS] = {0}, alen = 0, blen = 0, bwl = 0;
  static char notes[BP_ISSUERS][4096];
  cp_wallet_report rep;
  cp_bundle wb, bb;
  cp_diag d = {{0}};
  double sign_rate, verify_rate, t0, best_present = 1e30, best_export = 1e30, best_verify = -1;
  int o, st = CLI_OK, rc = 0, made = 0;
  memset(&wb, 0, sizeof wb);
  memset(&bb, 0, sizeof bb);
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'n':
      if (cli_parse_u64(optarg, &n) != 0 || n < 2000 || n > CP_CSV_ROWS_MAX)
        return cli_usage(c, "--n: a number from 2000 to %u", CP_CSV_ROWS_MAX);
      break;
    case 'd': dirarg = optarg; break;
    case 'r':
      if (cli_parse_u64(optarg, &revoke_every) != 0)
        return cli_usage(c, "--revoke-every: a number (0: no revocations)");
      break;
    case 'J': c->json = 1; break;
    case 'h': fputs(help, stdout); return CLI_OK;
    default: return cli_usage(c, "unknown option or missing value\n%s", help);
    }
  }
  if (optind != argc) return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[optind], help);
  if (dirarg != NULL) {
    if (mkdir(dirarg, 0700) != 0 && errno != EEXIST)
      return cli_fail(c, "cannot create %s: %s", dirarg, strerror(errno));
    snprintf(base, sizeof base, "%s", dirarg);
  } else {
    snprintf(base, sizeof base, "%s/credport-bench-proofs.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(base) == NULL) return cli_fail(c, "cannot make a temporary folder");
    made = 1;
  }
  if ((is = calloc(BP_ISSUERS, sizeof *is)) == NULL) return cli_fail(c, "out of memory");
  if (revoke_every > 0)
    printf("credport bench proofs: %u issuers, logs of %llu entries, one award in %llu revoked\n",
           BP_ISSUERS, (unsigned long long)n, (unsigned long long)revoke_every);
  else
    printf("credport bench proofs: %u issuers, logs of %llu entries, no revocations\n", BP_ISSUERS,
           (unsigned long long)n);
  fflush(stdout);
  cli_bench_raw_rates(&sign_rate, &verify_rate);
  rc = cp_key_generate(&edu);
  if (rc == 0) rc = cp_key_generate(&wit[0]);
  if (rc == 0) rc = cp_key_generate(&wit[1]);
  if (rc != 0) goto fail;
  cp_key_public(edu, ana);
  educator_of(UINT64_MAX, ben);
  t0 = cli_bench_now_s();
  for (unsigned i = 0; i < BP_ISSUERS && rc == 0; i++) {
    static const unsigned first[BP_ISSUERS] = {0, 5, 10}, nd[BP_ISSUERS] = {5, 5, 4};
    snprintf(is[i].dir, sizeof is[i].dir, "%s/issuer-%u", base, i);
    if (mkdir(is[i].dir, 0700) != 0 && errno != EEXIST) rc = -errno;
    if (rc == 0) rc = build(&is[i], i, n, revoke_every, first[i], nd[i], ana, ben, &d);
  }
  if (rc != 0) goto fail;
  printf("built in %.1f s\n", cli_bench_now_s() - t0);
  fflush(stdout);

  /* wallet export: the 100-award educator on issuer 0's node. */
  for (int round = 0; round < BP_ROUNDS && rc == 0; round++) {
    free(bw);
    bw = NULL;
    t0 = cli_bench_now_s();
    rc = export_wallet(&is[0], ben, &bw, &bwl, &rep, &d);
    double dt = cli_bench_now_s() - t0;
    if (dt < best_export) best_export = dt;
  }
  if (rc == 0 && rep.awards != BP_EXPORT) rc = CP_EINVAL;
  /* The bundle educator's wallets from the three nodes, combined. */
  for (unsigned i = 0; i < BP_ISSUERS && rc == 0; i++)
    rc = export_wallet(&is[i], ana, &w[i], &wl[i], &rep, &d);
  if (rc == 0) rc = combine(w, wl, wit, notes, &all, &alen, &d);
  if (rc == 0) rc = cp_bundle_decode(all, alen, &wb, &d);
  if (rc != 0) goto fail;
  /* present: decode the wallet, choose, re-prove, sign, encode. */
  for (int round = 0; round < BP_ROUNDS && rc == 0; round++) {
    cp_bundle x;
    free(bun);
    bun = NULL;
    t0 = cli_bench_now_s();
    rc = cp_bundle_decode(all, alen, &x, &d);
    if (rc == 0)
      rc = cp_bundle_present(&x, NULL, 0, edu, "bench-challenge-0123456789", 26,
                             "Private School", 14, &bun, &blen, &d);
    cp_bundle_free(&x);
    double dt = cli_bench_now_s() - t0;
    if (dt < best_present) best_present = dt;
  }
  if (rc == 0) rc = cp_bundle_decode(bun, blen, &bb, &d);
  if (rc != 0) goto fail;
  size_t awards = 0, defs = 0, ebytes = 0, hbytes = 0, abytes = 0, nbytes = 0;
  for (size_t i = 0; i < bb.nentries; i++) {
    awards += bb.entries[i].type == CP_T_AWARD;
    defs += bb.entries[i].type == CP_T_CREDENTIAL;
    ebytes += bb.entries[i].len;
  }
  for (size_t i = 0; i < bb.nlogs; i++) {
    hbytes += bb.logs[i].nhashes * CP_HASH_BYTES;
    abytes += 8 + bb.logs[i].nrev * CP_BUNDLE_REV_LEAF_BYTES +
              bb.logs[i].nrev_hashes * CP_HASH_BYTES;
    nbytes += bb.logs[i].note_len + bb.logs[i].statement_len;
  }

  /* ---- verify: timed only when the verifier is linked in ---------------- */
  if (cli_bench_verify_bundle != NULL) {
    char trust[4096], vk[CP_VKEY_MAX];
    size_t tl = 0;
    for (unsigned i = 0; i < BP_ISSUERS; i++) {
      cp_note_vkey_format(is[i].origin, CP_NOTE_ALG_ED25519, is[i].pk, vk);
      tl += (size_t)snprintf(trust + tl, sizeof trust - tl, "%s\n", vk);
    }
    for (unsigned x = 0; x < 2; x++) {
      char name[32];
      uint8_t wpk[CP_PK_BYTES];
      snprintf(name, sizeof name, "bench/witness-%u", x + 1);
      cp_key_public(wit[x], wpk);
      cp_note_vkey_format(name, CP_NOTE_ALG_COSIG_V1, wpk, vk);
      tl += (size_t)snprintf(trust + tl, sizeof trust - tl, "witness %s\n", vk);
    }
    best_verify = 1e30;
    for (int round = 0; round < BP_ROUNDS && rc == 0; round++) {
      t0 = cli_bench_now_s();
      rc = cli_bench_verify_bundle(bun, blen, trust, tl, "bench-challenge-0123456789",
                                   "Private School", 2);
      double dt = cli_bench_now_s() - t0;
      if (dt < best_verify) best_verify = dt;
    }
    if (rc != 0) {
      st = cli_fail(c, "the bench bundle did not verify: %s", cp_strerror(rc));
      goto out;
    }
  }

  double sign_s = 1.0 / sign_rate, verify_s = 1.0 / verify_rate;
  printf("raw libsodium (one core): %.0f signs/s, %.0f verifies/s\n", sign_rate, verify_rate);
  printf("bundle: %zu awards, %zu definitions, %zu logs: %zu bytes (target < 24576)\n", awards,
         defs, bb.nlogs, blen);
  printf("  entries %zu, multiproof hashes %zu, revocation leaves and multiproofs %zu, checkpoints and statements "
         "%zu, the rest %zu\n", ebytes, hbytes, abytes, nbytes,
         blen - ebytes - hbytes - abytes - nbytes);
  printf("present: %.2f ms (target < 20 ms) = %.1f raw signatures\n", best_present * 1e3,
         best_present / sign_s);
  printf("wallet export, %u awards: %.2f ms (target < 50 ms) = %.1f raw verifications, "
         "%zu bytes\n", BP_EXPORT, best_export * 1e3, best_export / verify_s, bwl);
  double vraw = -1;
  size_t vsigs = best_verify >= 0 && cli_bench_verify_signatures != NULL
                     ? cli_bench_verify_signatures(&vraw)
                     : 0;
  if (best_verify >= 0)
    printf("verify: %.2f ms (target < 5 ms) = %.1f raw verifications\n", best_verify * 1e3,
           best_verify / verify_s);
  if (vsigs > 0 && vraw > 0)
    printf("  it checks %zu signatures, whose raw verification takes %.2f ms here: %.2f x\n",
           vsigs, vraw * 1e3, best_verify / vraw);
  else
    printf("verify: not measured (no verifier linked in)\n");
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "n", json_integer((json_int_t)n));
    json_object_set_new(j, "bundle_bytes", json_integer((json_int_t)blen));
    json_object_set_new(j, "present_ms", json_real(best_present * 1e3));
    json_object_set_new(j, "export_ms", json_real(best_export * 1e3));
    json_object_set_new(j, "sign_rate", json_real(sign_rate));
    json_object_set_new(j, "verify_rate", json_real(verify_rate));
    if (best_verify >= 0) json_object_set_new(j, "verify_ms", json_real(best_verify * 1e3));
    if (vsigs > 0 && vraw > 0) {
      json_object_set_new(j, "verify_signatures", json_integer((json_int_t)vsigs));
      json_object_set_new(j, "verify_raw_ms", json_real(vraw * 1e3));
    }
    cli_print_json(j);
  }
  goto out;
fail:
  st = cli_fail(c, "bench proofs failed: %s", d.msg[0] ? d.msg : cp_strerror(rc));
out:
  cp_bundle_free(&wb);
  cp_bundle_free(&bb);
  for (unsigned i = 0; i < BP_ISSUERS; i++) {
    free(w[i]);
    if (is != NULL) {
      cp_store_close(is[i].s);
      cp_key_free(is[i].k);
      free(is[i].arena);
    }
  }
  free(is);
  free(all);
  free(bun);
  free(bw);
  cp_key_free(edu);
  cp_key_free(wit[0]);
  cp_key_free(wit[1]);
  if (made) {
    snprintf(cmdline, sizeof cmdline, "rm -rf '%s'", base);
    if (system(cmdline) != 0) fprintf(stderr, "bench: could not remove %s\n", base);
  }
  return st;
}
