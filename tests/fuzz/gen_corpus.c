/*
 * Writes the generated seed corpora of the fuzz targets, one small valid
 * input per case, into ROOT/<target>/ (the directories must exist):
 *   entry/       every sample entry of every type (tests/proto/
 *                entry_samples.h) up to 4 KiB, signed by a fixed test key;
 *                larger samples are left out, as they would raise
 *                libFuzzer's default input size, and so slow every run;
 *   sync/        one sealed-message script per message type (fuzz_sync
 *                mode 1) for the engine in either role, a raw HS1 and HS2
 *                (mode 0) and raw frame bytes (mode 2);
 *   handshake/   the honest handshake in both roles, and each override;
 *   note/        checkpoints signed by fuzz_note's log key, cosigned, a
 *                verifier key string, and sign-and-open inputs;
 *   proof/       inclusion and consistency proof JSON;
 *   tlog_proof/  tlog-proof files, with and without extra data;
 *   keyfile/     a key file as cp_key_save writes it;
 *   bundle/      the test wallet (tests/proto/bundle_fixture.h), a bundle
 *                of all its awards and of one, the bundle armoured, and
 *                the wallet truncated, with a trailing byte and with 10^6
 *                logs or entries claimed; verify/ gets them prefixed 'v'.
 * Policies and CSV files are hand-made seeds, kept as committed files.
 *   gen_corpus ROOT
 * The output is deterministic (Ed25519 signatures are), so regenerating
 * gives the same files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "credport/entry.h"
#include "credport/merkle.h"
#include "credport/note.h"
#include "credport/proof.h"
#include "credport/sync.h"
#include "credport/revstatus.h"
#include "../proto/entry_samples.h"
#include "../proto/bundle_fixture.h"

static const char *root;
static int rc;
static uint8_t buf[CP_ENTRY_MAX];

static void out(const char *dir, const char *name, const void *p, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s/%s", root, dir, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
    perror(path);
    rc = 1;
  }
}

static size_t be(uint8_t *p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
  return (size_t)bytes;
}

static cp_key *key(uint8_t fill) {
  uint8_t seed[CP_SEED_BYTES];
  cp_key *k = NULL;
  memset(seed, fill, sizeof seed);
  if (cp_key_from_seed(seed, &k) != 0) exit(1);
  return k;
}

static void entries(void) {
  uint8_t seed[CP_SEED_BYTES], pk[CP_PK_BYTES];
  for (unsigned i = 0; i < sizeof seed; i++) seed[i] = (uint8_t)(0xC0 + i);
  cp_key *k = NULL;
  if (cp_key_from_seed(seed, &k) != 0) exit(1);
  cp_key_public(k, pk);
  for (size_t kind = 0; kind < SAMPLE_N_KINDS; kind++)
    for (int v = 0; v < SAMPLE_VARIANTS; v++) {
      cp_entry e;
      cp_diag d;
      size_t n;
      char name[64];
      unsigned t = SAMPLE_KINDS[kind].type, ver = SAMPLE_KINDS[kind].version;
      sample_entry_v(ver, t, v, &e);
      memcpy(e.log, pk, sizeof pk);
      /* Signed as any valid entry from another log may be: not through
       * cp_entry_sign, whose rule for new entries (no TAB or LF in one-line
       * text) the maximal samples break. */
      if (cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d) != 0 ||
          cp_sig_sign(k, CP_PURPOSE_ENTRY, buf, n, buf + n) != 0) {
        fprintf(stderr, "%s %d: %s\n", cp_entry_type_name(t), v, d.msg);
        rc = 1;
        continue;
      }
      n += CP_SIG_BYTES;
      if (n > 4096) continue;
      if (ver == CP_ENTRY_VERSION)
        snprintf(name, sizeof name, "%s-%d.bin", cp_entry_type_name(t), v);
      else
        snprintf(name, sizeof name, "%s-v%u-%d.bin", cp_entry_type_name(t), ver, v);
      out("entry", name, buf, n);
    }
  cp_key_free(k);
}

/* An award entry of the fuzz_sync heads' first log at seq; returns its length. */
static size_t sync_entry(uint64_t seq, const char *assessor, uint8_t *o) {
  cp_entry e;
  cp_diag d;
  size_t n = 0;
  cp_key *k = key(0x11);
  sample_entry(CP_T_AWARD, 0, &e);
  cp_key_public(k, e.log);
  e.seq = seq;
  e.u.award.assessor = (cp_str){assessor, strlen(assessor)};
  if (cp_entry_sign(&e, k, o, CP_ENTRY_MAX, &n, &d) != 0) {
    fprintf(stderr, "sync entry: %s\n", d.msg);
    exit(1);
  }
  /* fuzz_sync's heads have log[0] = i * 6 + 1, log[1] = i, rest zero: the
   * framing checks only the log key and seq, so put head 1's key here. */
  memset(o + 2, 0, 32);
  o[2] = 7;
  o[3] = 1;
  cp_key_free(k);
  return n;
}

/* Appends one fuzz_sync mode-1 message (u16 length, bytes). */
static size_t msg(uint8_t *script, size_t at, const uint8_t *m, size_t n) {
  at += be(script + at, n, 2);
  memcpy(script + at, m, n);
  return at + n;
}

static void sync_corpus(void) {
  static uint8_t s[200000], m[100000], e1[CP_ENTRY_MAX], e2[CP_ENTRY_MAX];
  uint8_t log1[32] = {7, 1};
  size_t n, at, l1 = sync_entry(1, "A", e1), l2 = sync_entry(1, "B", e2);
  char name[32];
  static const struct { const char *name; uint8_t type; } types[] = {
      {"digest", 0x10}, {"recon", 0x11}, {"req", 0x20}, {"entries", 0x21}, {"credit", 0x22},
      {"have", 0x23}, {"checkpoint", 0x30}, {"fork", 0x31}, {"cpfork", 0x32}, {"revstat", 0x33}, {"ping", 0x40},
      {"done", 0x12}, {"close", 0x7f}};
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
    n = 0;
    m[n++] = types[t].type;
    switch (types[t].type) {
    case 0x10: n += be(m + n, 3, 8); memset(m + n, 0xAB, 32); n += 32;
      n += be(m + n, 1767225600000u, 8); break; /* the sender's clock (D-5) */
    case 0x40: n += be(m + n, 1767225600000u, 8); break;
    case 0x32: { /* two checkpoints of one log at sizes 4 and 5, old root, one hash */
      char na[CP_NOTE_MAX], nb[CP_NOTE_MAX];
      size_t la = 0, lb = 0;
      uint8_t ra[32], rb[32];
      cp_key *k = key(0x4c);
      memset(ra, 4, sizeof ra);
      memset(rb, 5, sizeof rb);
      if (cp_checkpoint_sign(k, "fuzz.example/log", 4, ra, na, sizeof na, &la) != 0 ||
          cp_checkpoint_sign(k, "fuzz.example/log", 5, rb, nb, sizeof nb, &lb) != 0)
        exit(1);
      cp_key_free(k);
      memcpy(m + n, log1, 32); n += 32;
      n += be(m + n, la, 4); memcpy(m + n, na, la); n += la;
      n += be(m + n, lb, 4); memcpy(m + n, nb, lb); n += lb;
      m[n++] = 1; memset(m + n, 0x61, 64); n += 64;
      break;
    }
    case 0x11: m[n++] = 0; n += be(m + n, 1, 2); m[n++] = 0xff; m[n++] = 1;
      memset(m + n, 0x5A, 16); n += 16; break;
    case 0x20: memcpy(m + n, log1, 32); n += 32; n += be(m + n, 1, 8); break;
    case 0x21: memcpy(m + n, log1, 32); n += 32; m[n++] = 0; n += be(m + n, 1, 8);
      n += be(m + n, 1, 2); n += be(m + n, l1, 4); memcpy(m + n, e1, l1); n += l1; break;
    case 0x22: n += be(m + n, 10, 4); n += be(m + n, 65536, 4); break;
    case 0x23: memcpy(m + n, log1, 32); n += 32; n += be(m + n, 9, 8); memset(m + n, 3, 32);
      n += 32; break;
    case 0x30: {
      char note[CP_NOTE_MAX];
      size_t nl = 0;
      uint8_t r[32];
      cp_key *k = key(0x4c);
      memset(r, 9, sizeof r);
      if (cp_checkpoint_sign(k, "fuzz.example/log", 5, r, note, sizeof note, &nl) != 0) exit(1);
      cp_key_free(k);
      memcpy(m + n, log1, 32); n += 32; n += be(m + n, nl, 4); memcpy(m + n, note, nl); n += nl;
      break;
    }
    case 0x33: { /* the revocation statement bound to a checkpoint at size 5 */
      char st[1024];
      size_t sl = 0;
      uint8_t r[32], rr[32];
      cp_key *k = key(0x4c);
      memset(r, 9, sizeof r);
      memset(rr, 7, sizeof rr);
      if (cp_revstat_sign(k, "fuzz.example/log", 5, r, 1, rr, st, sizeof st, &sl) != 0) exit(1);
      cp_key_free(k);
      memcpy(m + n, log1, 32); n += 32; n += be(m + n, sl, 2); memcpy(m + n, st, sl); n += sl;
      break;
    }
    case 0x31: n += be(m + n, l1, 4); memcpy(m + n, e1, l1); n += l1; n += be(m + n, l2, 4);
      memcpy(m + n, e2, l2); n += l2; break;
    case 0x7f: n += be(m + n, (uint64_t)(uint32_t)CP_EPROTO, 4); n += be(m + n, 4, 2);
      memcpy(m + n, "done", 4); n += 4; break;
    default: break;
    }
    /* Mode 1: DIGEST first (as a peer would send it), then the message. */
    s[0] = 1;
    at = 1;
    if (types[t].type != 0x10) {
      uint8_t dg[49] = {0x10};
      be(dg + 1, 3, 8);
      memset(dg + 9, 0xAB, 32);
      be(dg + 41, 1767225600000u, 8);
      at = msg(s, at, dg, sizeof dg);
    }
    at = msg(s, at, m, n);
    snprintf(name, sizeof name, "msg-%s", types[t].name);
    out("sync", name, s, at);
    /* The same with the engine as initiator (first byte 4: mode 1). */
    s[0] = 4;
    snprintf(name, sizeof name, "init-msg-%s", types[t].name);
    out("sync", name, s, at);
  }
  /* Mode 0: an HS1 frame; mode 2: a frame header and a few bytes. */
  uint8_t hs1[1 + 4 + 34] = {0, 0, 0, 0, 34, 0x01, CP_SYNC_VERSION};
  memset(hs1 + 7, 0x21, 32);
  out("sync", "raw-hs1", hs1, sizeof hs1);
  uint8_t raw[1 + 4 + 20] = {2, 0, 0, 0, 20, 0x40};
  out("sync", "raw-frame", raw, sizeof raw);
  uint8_t hs2[1 + 4 + 145] = {3, 0, 0, 0, 145, 0x02};
  memset(hs2 + 6, 0x22, 144);
  out("sync", "init-raw-hs2", hs2, sizeof hs2);
}

static void handshake_corpus(void) {
  uint8_t s[256];
  size_t n;
  for (int role = 0; role < 2; role++) {
    const char *r = role ? "initiator" : "responder";
    char name[64];
    s[0] = (uint8_t)role;
    s[1] = 0;
    snprintf(name, sizeof name, "%s-honest", r);
    out("handshake", name, s, 2);
    s[1] = 16;
    snprintf(name, sizeof name, "%s-not-allowed", r);
    out("handshake", name, s, 2);
    s[1] = 2;
    memset(s + 2, 0x33, 96);
    snprintf(name, sizeof name, "%s-identity", r);
    out("handshake", name, s, 2 + 96);
    s[1] = 1;
    n = 2;
    n += be(s + n, 34, 2);
    s[n++] = 0x01;
    s[n++] = CP_SYNC_VERSION;
    memset(s + n, 0x44, 32);
    n += 32;
    snprintf(name, sizeof name, "%s-raw", r);
    out("handshake", name, s, n);
  }
  s[0] = 1;
  s[1] = 8;
  memset(s + 2, 0x55, 32);
  out("handshake", "initiator-ephemeral", s, 2 + 32);
  s[0] = 0;
  s[1] = 4;
  n = 2;
  n += be(s + n, 113, 2);
  s[n++] = 0x03;
  memset(s + n, 0x66, 112);
  n += 112;
  out("handshake", "responder-raw-hs3", s, n);
}

static void note_corpus(void) {
  static char note[CP_NOTE_MAX + 1], t[CP_NOTE_MAX + 2];
  char vk[CP_VKEY_MAX];
  uint8_t r[32], pk[32], in[1 + 8 + 32 + 64];
  size_t n;
  cp_key *lk = key(0x4c), *wk = key(0x57);
  memset(r, 0x0f, sizeof r);
  for (int cosig = 0; cosig < 2; cosig++) {
    if (cp_checkpoint_sign(lk, "fuzz.example/log", 12345, r, note, sizeof note, &n) != 0) exit(1);
    if (cosig &&
        cp_note_cosign(wk, "fuzz.example/witness", 1700000000, note, n, note, sizeof note, &n) != 0)
      exit(1);
    t[0] = 0;
    memcpy(t + 1, note, n);
    out("note", cosig ? "open-cosigned" : "open-signed", t, n + 1);
  }
  cp_merkle_empty_root(r);
  if (cp_checkpoint_sign(lk, "fuzz.example/log", 0, r, note, sizeof note, &n) != 0) exit(1);
  t[0] = 0;
  memcpy(t + 1, note, n);
  out("note", "open-empty-tree", t, n + 1);
  cp_key_public(wk, pk);
  if (cp_note_vkey_format("fuzz.example/witness", CP_NOTE_ALG_COSIG_V1, pk, vk) != 0) exit(1);
  t[0] = 1;
  memcpy(t + 1, vk, strlen(vk));
  out("note", "vkey", t, strlen(vk) + 1);
  in[0] = 2;
  be(in + 1, 77, 8);
  memset(in + 9, 0x2e, 32);
  memcpy(in + 41, "example.org/log", 15);
  out("note", "sign-open", in, 41 + 15);
  cp_key_free(lk);
  cp_key_free(wk);
}

static void proof_corpus(void) {
  static cp_proof p;
  memset(&p, 0, sizeof p);
  p.kind = CP_PROOF_INCLUSION;
  p.has_log = 1;
  memset(p.log, 0xAA, 32);
  p.leaf_index = 5;
  p.tree_size = 13;
  memset(p.leaf_hash, 1, 32);
  p.n = 3;
  for (int i = 0; i < 3; i++) memset(p.hashes[i], 0x10 + i, 32);
  char *j = cp_proof_to_json(&p);
  if (j == NULL) exit(1);
  out("proof", "inclusion.json", j, strlen(j));
  free(j);
  p.kind = CP_PROOF_CONSISTENCY;
  p.has_log = 0;
  p.old_size = 4;
  p.new_size = 13;
  p.has_old_root = p.has_new_root = 1;
  memset(p.old_root, 4, 32);
  memset(p.new_root, 13, 32);
  p.n = 2;
  j = cp_proof_to_json(&p);
  if (j == NULL) exit(1);
  out("proof", "consistency.json", j, strlen(j));
  free(j);
}

static void tlog_proof_corpus(void) {
  static char note[CP_NOTE_MAX + 1], t[CP_NOTE_MAX + 1024];
  uint8_t r[32];
  size_t n;
  cp_key *lk = key(0x4c);
  memset(r, 0x0f, sizeof r);
  if (cp_checkpoint_sign(lk, "fuzz.example/log", 12345, r, note, sizeof note, &n) != 0) exit(1);
  cp_key_free(lk);
  for (int extra = 0; extra < 2; extra++) {
    int k = snprintf(t, sizeof t, "c2sp.org/tlog-proof@v1\n%sindex 1234\n"
                     "EBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBA=\n"
                     "ERERERERERERERERERERERERERERERERERERERERERE=\n\n",
                     extra ? "extra aGVsbG8=\n" : "");
    memcpy(t + k, note, n);
    out("tlog_proof", extra ? "extra" : "plain", t, (size_t)k + n);
  }
}

static void keyfile_corpus(void) {
  char path[4096];
  cp_diag d;
  cp_key *k = key(0x6b);
  snprintf(path, sizeof path, "%s/keyfile/valid.key", root);
  unlink(path);
  if (cp_key_save(k, path, &d) != 0) {
    fprintf(stderr, "%s\n", d.msg);
    rc = 1;
  }
  cp_key_free(k);
}

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void bundle_corpus(void) {
  bfx f;
  uint8_t *w = NULL, *b1 = NULL, *b2 = NULL, id[1][CP_HASH_BYTES];
  size_t wl = 0, l1 = 0, l2 = 0, al = 0;
  char *arm = NULL;
  cp_bundle wb;
  memset(&wb, 0, sizeof wb);
  if (bfx_build(&f) != 0 || cp_bundle_encode(&f.wallet, NULL, &w, &wl, NULL) != 0 ||
      cp_bundle_decode(w, wl, &wb, NULL) != 0 ||
      cp_bundle_present(&wb, NULL, 0, f.edu, "nonce-1", 7, "Private School", 14, &b1, &l1,
                        NULL) != 0) {
    fprintf(stderr, "bundle corpus: cannot build the test wallet\n");
    rc = 1;
    goto done;
  }
  memcpy(id[0], f.a.id[4], CP_HASH_BYTES);
  if (cp_bundle_present(&wb, (const uint8_t(*)[CP_HASH_BYTES])id, 1, f.edu, "n", 1, "a", 1, &b2,
                        &l2, NULL) != 0 ||
      cp_bundle_armor(b1, l1, &arm, &al) != 0) {
    rc = 1;
    goto done;
  }
  out("bundle", "wallet.bin", w, wl);
  out("bundle", "bundle-all.bin", b1, l1);
  out("bundle", "bundle-one.bin", b2, l2);
  out("bundle", "bundle-all.asc", arm, al);
  /* Hostile forms of the wallet: cut short, a byte after the end, 10^6
   * logs and 10^6 entries claimed. */
  uint8_t *x = malloc(wl + 1);
  if (x == NULL || wl < 1000) {
    rc = 1;
    free(x);
    goto done;
  }
  out("bundle", "truncated.bin", w, 1000);
  memcpy(x, w, wl);
  x[wl] = 0;
  out("bundle", "trailing.bin", x, wl + 1);
  put_u32(x + 42, 1000000);
  out("bundle", "nlogs-million.bin", x, wl);
  memcpy(x, w, wl);
  put_u32(x + wb.logs[0].offset + 32 + 4 + wb.logs[0].note_len + 4 + wb.logs[0].statement_len,
          1000000);
  out("bundle", "awards-million.bin", x, wl);
  /* The verifier's target reads a 'v' before a container. */
  static const char *const vs[] = {"v-wallet.bin",     "v-bundle-all.bin", "v-bundle-one.bin",
                                    "v-bundle-all.asc", "v-truncated.bin",
                                    "v-awards-million.bin"};
  const uint8_t *src[6] = {w, b1, b2, (const uint8_t *)arm, w, x};
  size_t len[6] = {wl, l1, l2, al, 1000, wl};
  for (size_t i = 0; i < 6; i++) {
    uint8_t *v = malloc(len[i] + 1);
    if (v == NULL) {
      rc = 1;
      break;
    }
    v[0] = 'v';
    memcpy(v + 1, src[i], len[i]);
    out("verify", vs[i], v, len[i] + 1);
    free(v);
  }
  free(x);
done:
  cp_bundle_free(&wb);
  free(w);
  free(b1);
  free(b2);
  free(arm);
  bfx_free(&f);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_corpus ROOT\n");
    return 2;
  }
  root = argv[1];
  if (cp_crypto_init() != 0) return 1;
  entries();
  sync_corpus();
  handshake_corpus();
  note_corpus();
  proof_corpus();
  tlog_proof_corpus();
  keyfile_corpus();
  bundle_corpus();
  return rc;
}
