/* credport — the explanation hash of a recognition result. Kept apart so
 * that programs which never hash results do not pull in SHA-256. */
#include "policy_internal.h"

void cp_policy_result_hash(const cp_policy_result *r, uint8_t out[CP_HASH_BYTES]) {
  size_t len = 0;
  const char *json = cp_policy_result_json(r, &len);
  cp_sha256_oneshot(json, len, out);
}
