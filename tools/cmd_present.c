/* credport CLI — present: the educator makes a bundle from her wallet, bound
 * to a verifier's challenge and audience and signed with her key. No node
 * and no data folder are used. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credport/bundle.h"
#include "credport/codec.h"

static const char present_help[] =
    "usage: credport present --key EDUCATOR_KEY_FILE --from WALLET [--award ID ...]\n"
    "                        --challenge NONCE --audience NAME --out BUNDLE [--armor]\n"
    "  Makes a bundle from the wallet: the awards named by --award (entry IDs, 64 hex\n"
    "  digits), or without --award every award of the wallet not revoked, with their\n"
    "  credential definitions, endorsements, issuers' entries and proofs, bound to the\n"
    "  verifier's challenge and audience and signed with the educator's key. --armor\n"
    "  writes the ASCII-armoured form (for email). Nothing is written on any error.\n";

#define PRESENT_AWARDS_MAX CP_BUNDLE_ENTRIES_MAX

int cmd_present(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"key", 1, 0, 'k'},       {"from", 1, 0, 'f'}, {"award", 1, 0, 'a'}, {"challenge", 1, 0, 'c'},
      {"audience", 1, 0, 'u'},  {"out", 1, 0, 'o'},  {"armor", 0, 0, 'A'}, {"armour", 0, 0, 'A'},
      {"help", 0, 0, 'h'},      {0, 0, 0, 0}};
  const char *keyp = NULL, *from = NULL, *chal = NULL, *aud = NULL, *outp = NULL;
  uint8_t (*ids)[CP_HASH_BYTES] = NULL, *wbytes = NULL, *bin = NULL;
  size_t nids = 0, wlen = 0, blen = 0;
  int armor = 0, o, st = CLI_OK, rc;
  cp_key *k = NULL;
  cp_bundle w;
  cp_diag d = {{0}};
  char *arm = NULL;
  memset(&w, 0, sizeof w);
  if ((ids = malloc(PRESENT_AWARDS_MAX * sizeof *ids)) == NULL) return cli_fail(c, "out of memory");
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'k': keyp = optarg; break;
    case 'f': from = optarg; break;
    case 'c': chal = optarg; break;
    case 'u': aud = optarg; break;
    case 'o': outp = optarg; break;
    case 'A': armor = 1; break;
    case 'a':
      if (nids == PRESENT_AWARDS_MAX) {
        st = cli_usage(c, "more than %u --award options", PRESENT_AWARDS_MAX);
        goto out;
      }
      if (cli_parse_hash(optarg, ids[nids]) != 0) {
        st = cli_usage(c, "--award: \"%s\" is not an entry ID (64 hex digits)", optarg);
        goto out;
      }
      nids++;
      break;
    case 'h': fputs(present_help, stdout); goto out;
    default: st = cli_usage(c, "unknown option or missing value\n%s", present_help); goto out;
    }
  }
  if (optind != argc) {
    st = cli_usage(c, "unexpected argument \"%s\"\n%s", argv[optind], present_help);
    goto out;
  }
  if (keyp == NULL || from == NULL || chal == NULL || aud == NULL || outp == NULL) {
    st = cli_usage(c, "--key, --from, --challenge, --audience and --out are required\n%s",
                   present_help);
    goto out;
  }
  if ((rc = cp_key_load(keyp, &k, &d)) != 0) {
    st = cli_fail(c, "cannot use the key %s: %s", keyp, d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  char *wtext = NULL;
  if ((rc = cli_read_file(from, CP_BUNDLE_ARMOR_MAX, &wtext, &wlen, &d)) != 0) {
    st = cli_fail(c, "%s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  wbytes = (uint8_t *)wtext;
  if ((rc = cp_bundle_decode(wbytes, wlen, &w, &d)) != 0) {
    st = cli_fail(c, "%s is not a valid wallet: %s", from, d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  rc = cp_bundle_present(&w, (const uint8_t(*)[CP_HASH_BYTES])ids, nids, k, chal, strlen(chal), aud,
                         strlen(aud), &bin, &blen, &d);
  if (rc != 0) {
    st = cli_fail(c, "no bundle written: %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  if (armor) {
    size_t alen = 0;
    if (cp_bundle_armor(bin, blen, &arm, &alen) != 0) {
      st = cli_fail(c, "out of memory");
      goto out;
    }
    rc = cli_write_atomic(outp, arm, alen, 0644, &d);
  } else {
    rc = cli_write_atomic(outp, bin, blen, 0644, &d);
  }
  st = rc == 0 ? CLI_OK : cli_fail(c, "%s", d.msg[0] ? d.msg : cp_strerror(rc));
  if (st == CLI_OK) {
    cp_bundle b;
    if (cp_bundle_decode(bin, blen, &b, NULL) == 0) {
      size_t na = 0;
      for (size_t i = 0; i < b.nentries; i++) na += b.entries[i].type == CP_T_AWARD;
      printf("bundle: %zu award%s from %zu log%s, %zu bytes%s, written to %s\n", na,
             na == 1 ? "" : "s", b.nlogs, b.nlogs == 1 ? "" : "s", blen,
             armor ? " (armoured)" : "", outp);
      cp_bundle_free(&b);
    }
    if (nids == 0)
      for (size_t i = 0; i < w.nentries; i++)
        if (w.entries[i].type == CP_T_AWARD && w.entries[i].status != CP_AWARD_NOT_REVOKED) {
          char hex[2 * CP_HASH_BYTES + 1];
          cp_hex_encode(w.entries[i].id, CP_HASH_BYTES, hex);
          fprintf(stderr, "credport present: award %s left out: %s\n", hex,
                  w.entries[i].status == CP_AWARD_REVOKED ? "revoked"
                                                          : "no revocation status in the wallet");
        }
  }
out:
  free(ids);
  free(wbytes);
  free(bin);
  free(arm);
  cp_bundle_free(&w);
  cp_key_free(k);
  return st;
}
