// Independent check of eddsa-jcs-2022 Data Integrity proofs on Open Badges
// 3.0 credentials, written from the W3C specification (Data Integrity EdDSA
// Cryptosuites v1.0, section 3.3, "eddsa-jcs-2022") with packages that share
// no code with credport: canonicalize (RFC 8785), @noble/ed25519, bs58, and
// node's own SHA-256.
//
// usage: node verify_vc.mjs (--valid | --invalid) FILE...
// Each FILE must verify (--valid) or must not (--invalid); a verification
// counts only when the proof is by the key of the credential's issuer did:key.
// Exit status 0 when every file is as expected, 1 otherwise.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import * as ed from '@noble/ed25519';
import bs58 from 'bs58';

// Ed25519's SHA-512 from node's own crypto, used synchronously: Debian 12's
// node 18 has no globalThis.crypto.subtle for the library's async path.
ed.hashes.sha512 = (m) => new Uint8Array(createHash('sha512').update(m).digest());

const sha256 = (s) => createHash('sha256').update(Buffer.from(s, 'utf8')).digest();

// did:key:z<base58btc(0xed 0x01 || key)> (W3C did:key method, Ed25519).
function didKeyPublic(did) {
  if (!did.startsWith('did:key:z')) throw new Error(`not a did:key: ${did}`);
  const b = bs58.decode(did.slice('did:key:z'.length));
  if (b.length !== 34 || b[0] !== 0xed || b[1] !== 0x01) throw new Error(`not Ed25519: ${did}`);
  return b.slice(2);
}

async function verify(doc) {
  const proof = doc.proof;
  if (!proof || typeof proof !== 'object' || Array.isArray(proof)) throw new Error('no proof');
  if (proof.type !== 'DataIntegrityProof' || proof.cryptosuite !== 'eddsa-jcs-2022')
    throw new Error('not an eddsa-jcs-2022 DataIntegrityProof');
  if (proof.proofPurpose !== 'assertionMethod') throw new Error('not assertionMethod');
  const [did, fragment] = proof.verificationMethod.split('#');
  const pk = didKeyPublic(did);
  if (fragment !== did.slice('did:key:'.length)) throw new Error('fragment is not the key');
  const issuer = typeof doc.issuer === 'string' ? doc.issuer : doc.issuer && doc.issuer.id;
  if (issuer !== undefined && issuer.startsWith('did:') && issuer !== did)
    throw new Error(`signed by ${did}, not by the issuer ${issuer}`);
  // Section 3.3.2: the unsecured document and the proof options.
  const unsecured = { ...doc };
  delete unsecured.proof;
  const options = { ...proof };
  delete options.proofValue;
  if (options['@context'] !== undefined) {
    const want = JSON.stringify(options['@context']);
    const have = JSON.stringify(doc['@context'].slice(0, options['@context'].length));
    if (want !== have) throw new Error('the document @context does not start with the proof\'s');
  }
  // Section 3.3.4: proof options hash, then document hash.
  const data = Buffer.concat([sha256(canonicalize(options)), sha256(canonicalize(unsecured))]);
  if (typeof proof.proofValue !== 'string' || proof.proofValue[0] !== 'z')
    throw new Error('proofValue is not base58btc multibase');
  const sig = bs58.decode(proof.proofValue.slice(1));
  if (sig.length !== 64) throw new Error('signature is not 64 bytes');
  return ed.verify(sig, data, pk);
}

const [mode, ...files] = process.argv.slice(2);
if ((mode !== '--valid' && mode !== '--invalid') || files.length === 0) {
  console.error('usage: node verify_vc.mjs (--valid | --invalid) FILE...');
  process.exit(2);
}
let bad = 0;
for (const f of files) {
  let ok = false, why = '';
  try {
    ok = await verify(JSON.parse(readFileSync(f, 'utf8')));
    if (!ok) why = 'the signature does not verify';
  } catch (e) {
    why = e.message;
  }
  if (ok !== (mode === '--valid')) {
    bad++;
    console.log(`FAIL ${f}: ${ok ? 'verified, but must not' : why}`);
  } else {
    console.log(`ok ${f}${ok ? '' : ` (refused: ${why})`}`);
  }
}
process.exit(bad === 0 ? 0 : 1);
