/* credport CLI — wallet export (the educator's wallet, gathered from this
 * node's store) and present (a bundle made from a wallet by the educator
 * alone, no node); docs/FORMATS.md "Wallets and bundles". */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "credport/bundle.h"
#include "credport/codec.h"
#include "credport/wallet.h"


/* ---- wallet export --------------------------------------------------------- */

static const char wallet_help[] =
    "usage: credport [-d DIR] wallet export --educator PUBKEY --out FILE [--json]\n"
    "  Writes the educator's wallet: every award of PUBKEY (64 hex digits or did:key)\n"
    "  that a checkpoint held here covers, with the issuers' genesis and key entries,\n"
    "  checkpoints (with cosignatures), revocation statements, the credential\n"
    "  definitions, endorsements of them and of their issuers, one multiproof per log\n"
    "  and a proof of non-revocation per award. Runs on the issuer's node or a replica;\n"
    "  a log whose revocation statement is not held is named on stderr and its awards\n"
    "  carry no status. The educator then makes bundles with `credport present`.\n";

static void wallet_note(void *ctx, const uint8_t log[CP_PK_BYTES], const char *origin,
                        size_t origin_len, const char *what) {
  const cli *c = ctx;
  char hex[2 * CP_PK_BYTES + 1], shown[300];
  cp_hex_encode(log, CP_PK_BYTES, hex);
  fprintf(stderr, "credport %s: log %s (%.16s...): %s\n", c->cmd,
          origin_len ? cli_text(origin, origin_len, shown, sizeof shown) : "(not held)", hex,
          what);
}

int cmd_wallet(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"educator", 1, 0, 'e'}, {"out", 1, 0, 'o'},
                                       {"json", 0, 0, 'J'},     {"help", 0, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *edu = NULL, *outp = NULL;
  int o;
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(wallet_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  if (strcmp(argv[1], "export") != 0)
    return cli_usage(c, "unknown wallet subcommand \"%s\"\n%s", argv[1], wallet_help);
  cli_getopt_reset();
  while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'e': edu = optarg; break;
    case 'o': outp = optarg; break;
    case 'J': c->json = 1; break;
    case 'h': fputs(wallet_help, stdout); return CLI_OK;
    default: return cli_usage(c, "unknown option or missing value\n%s", wallet_help);
    }
  }
  if (optind + 1 != argc)
    return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[optind + 1], wallet_help);
  if (edu == NULL || outp == NULL)
    return cli_usage(c, "--educator PUBKEY and --out FILE are required\n%s", wallet_help);
  uint8_t pk[CP_PK_BYTES], *bin = NULL;
  size_t len = 0;
  if (cli_parse_pubkey(edu, pk) != 0)
    return cli_usage(c, "--educator: \"%s\" is neither 64 hex digits nor a did:key", edu);
  cp_store *s = NULL;
  cp_reader *r = NULL;
  cp_wallet_report rep;
  cp_diag d = {{0}};
  int st = cli_open_store(c, CP_STORE_RDONLY, &s), rc;
  if (st != CLI_OK) return st;
  if ((rc = cp_reader_begin(s, &r)) != 0) {
    st = cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
    goto out;
  }
  rc = cp_wallet_export(r, pk, wallet_note, c, &bin, &len, &rep, &d);
  if (rc != 0) {
    st = cli_fail(c, "no wallet written: %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  cp_diag wd = {{0}};
  if (cli_write_atomic(outp, bin, len, 0644, &wd) != 0) {
    st = cli_fail(c, "%s", wd.msg);
    goto out;
  }
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "file", json_string(outp));
    json_object_set_new(j, "bytes", json_integer((json_int_t)len));
    json_object_set_new(j, "awards", json_integer((json_int_t)rep.awards));
    json_object_set_new(j, "revoked", json_integer((json_int_t)rep.revoked));
    json_object_set_new(j, "status_unknown", json_integer((json_int_t)rep.unknown));
    json_object_set_new(j, "left_out", json_integer((json_int_t)rep.left_out));
    json_object_set_new(j, "logs", json_integer((json_int_t)rep.logs));
    cli_print_json(j);
  } else {
    printf("wallet: %zu award%s (%zu revoked, %zu without status) from %zu log%s, %zu bytes, "
           "written to %s\n", rep.awards, rep.awards == 1 ? "" : "s", rep.revoked, rep.unknown,
           rep.logs, rep.logs == 1 ? "" : "s", len, outp);
    if (rep.left_out > 0)
      printf("%zu award%s left out (no checkpoint held covers them)\n", rep.left_out,
             rep.left_out == 1 ? "" : "s");
  }
out:
  free(bin);
  cp_reader_end(r);
  cp_store_close(s);
  return st;
}
