/* credport — error strings and diagnostics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "credport/error.h"

const char *cp_strerror(int err) {
  switch (err) {
  case CP_OK: return "success";
  case CP_EBADSIG: return "signature did not verify";
  case CP_ECORRUPT: return "malformed encoding or corrupt record";
  case CP_ETOOBIG: return "input exceeds a declared limit";
  case CP_EINVAL: return "invalid argument";
  case CP_ENOTFOUND: return "not found";
  case CP_EEXIST: return "already exists";
  case CP_ECHAIN: return "sequence or previous-hash mismatch";
  case CP_ETIME: return "entry time out of order or too far in the future";
  case CP_ERULE: return "entry breaks a validation rule";
  case CP_EFORK: return "equivocation: two different entries at one position";
  case CP_EFORKED: return "log is forked; nothing more is accepted from it";
  case CP_EKEYFILE: return "unsafe, truncated or malformed key file";
  case CP_ESTORE: return "store failure";
  case CP_EMAPFULL: return "ledger map full: raise it with credport map-size SIZE";
  case CP_EVERSION: return "unsupported version";
  case CP_EPROOF: return "proof does not verify";
  case CP_EAUDIT: return "audit found a discrepancy";
  case CP_ENOMEM: return "out of memory";
  case CP_ERETIRED: return "log key retired; nothing more is accepted";
  case CP_EPROTO: return "protocol violation";
  case CP_EDENIED: return "not authorised";
  case CP_EAGAIN: return "resource temporarily unavailable";
  case CP_EPOLICY: return "invalid policy";
  case CP_EOVERFLOW: return "arithmetic overflow";
  case CP_ENOSPC: return "no space left on device";
  case CP_EBEHIND: return "this node's own log may be behind its partners': sync with a partner first";
  case CP_EDUPLICATE: return "the award repeats one already in the log";
  default: break;
  }
  if (err < 0 && err > -4096) return strerror(-err);
  return "unknown error";
}

int cp_err_local(int err) {
  switch (err) {
  case CP_ENOSPC:
  case CP_EMAPFULL:
  case CP_ESTORE:
  case CP_ENOMEM:
  case -ENOSPC:
  case -EDQUOT:
  case -EIO:
  case -ENOMEM:
  case -EROFS:
    return 1;
  default: return 0;
  }
}

int cp_diag_set(cp_diag *d, int err, const char *fmt, ...) {
  if (d != NULL) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
  }
  return err;
}
