// Independent check of credport's JOSE forms with the `jose` package, which
// shares no code with credport: vc+jwt credentials and status lists
// (VC-JOSE-COSE, RFC 7515/8037), vp+jwt presentations, and the Bitstring
// Status List bitstring (node's own zlib). Keys come from the issuer's or
// the holder's did:key (bs58), never from the JWS header.
//
// usage:
//   node verify_jose.mjs vc (--valid | --invalid) FILE...
//   node verify_jose.mjs list FILE URL         prints "entries=N set=I,J,..."
//   node verify_jose.mjs vp FILE NONCE AUDIENCE  prints one line per credential
//   node verify_jose.mjs sign-vp KEYFILE NONCE AUDIENCE VC_JWT_FILE... > VP
//     (a vp+jwt made here, signed by KEYFILE's key as holder)
//   node verify_jose.mjs resign-vc KEYFILE VC_JWT_FILE > JWT
//     (the same credential signed by KEYFILE's key, kid its did:key)
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as jose from 'jose';
import * as ed from '@noble/ed25519';
import bs58 from 'bs58';
import { createHash } from 'node:crypto';

// Ed25519's SHA-512 from node's own crypto, used synchronously: Debian 12's
// node 18 has no globalThis.crypto.subtle for the library's async path.
ed.hashes.sha512 = (m) => new Uint8Array(createHash('sha512').update(m).digest());

function didKeyJwk(did) {
  if (typeof did !== 'string' || !did.startsWith('did:key:z')) throw new Error(`not a did:key: ${did}`);
  const b = bs58.decode(did.slice('did:key:z'.length));
  if (b.length !== 34 || b[0] !== 0xed || b[1] !== 0x01) throw new Error(`not Ed25519: ${did}`);
  return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(b.slice(2)).toString('base64url') };
}
const idOf = (v) => (typeof v === 'string' ? v : v && v.id);

// Verifies a vc+jwt with the key of the issuer named in its payload.
async function verifyVc(text) {
  const unverified = jose.decodeJwt(text);
  const issuer = idOf(unverified.issuer);
  const key = await jose.importJWK(didKeyJwk(issuer), 'EdDSA');
  const { payload, protectedHeader: h } = await jose.jwtVerify(text, key, {
    algorithms: ['EdDSA'], typ: 'vc+jwt', issuer,
  });
  const frag = issuer.slice('did:key:'.length);
  if (h.kid !== undefined && h.kid !== `${issuer}#${frag}`) throw new Error(`kid ${h.kid} is not the issuer's`);
  if (payload.jti !== payload.id) throw new Error('jti differs from id');
  const sub = idOf(payload.credentialSubject);
  if (sub !== undefined && payload.sub !== sub) throw new Error('sub differs from credentialSubject.id');
  if (payload.nbf !== Date.parse(payload.validFrom) / 1000) throw new Error('nbf differs from validFrom');
  return payload;
}

function bits(vc) {
  const cs = vc.credentialSubject;
  if (!vc.type.includes('BitstringStatusListCredential') || cs.type !== 'BitstringStatusList' ||
      cs.statusPurpose !== 'revocation' || cs.encodedList[0] !== 'u')
    throw new Error('not a revocation BitstringStatusList');
  const b = gunzipSync(Buffer.from(cs.encodedList.slice(1), 'base64url'));
  const set = [];
  for (let i = 0; i < b.length * 8; i++) if (b[i >> 3] & (0x80 >> (i & 7))) set.push(i);
  return `entries=${b.length * 8} set=${set.join(',')}`;
}

// A credport key file: "credport-ed25519-secret-key-v1" then the seed in hex.
async function keyOf(keyfile) {
  const seed = Buffer.from(readFileSync(keyfile, 'utf8').split('\n')[1], 'hex');
  const pub = Buffer.from(ed.getPublicKey(seed));
  const did = `did:key:z${bs58.encode(Buffer.concat([Buffer.from([0xed, 0x01]), pub]))}`;
  const key = await jose.importJWK({ kty: 'OKP', crv: 'Ed25519', x: pub.toString('base64url'),
                                     d: seed.toString('base64url') }, 'EdDSA');
  return { did, key };
}

const [mode, ...args] = process.argv.slice(2);
const read = (f) => readFileSync(f, 'utf8').trim();
if (mode === 'vc') {
  const [want, ...files] = args;
  let bad = 0;
  for (const f of files) {
    let ok = false, why = '';
    try { await verifyVc(read(f)); ok = true; } catch (e) { why = e.message; }
    if (ok !== (want === '--valid')) { bad++; console.log(`FAIL ${f}: ${ok ? 'verified, but must not' : why}`); }
    else console.log(`ok ${f}${ok ? '' : ` (refused: ${why})`}`);
  }
  process.exit(bad === 0 && files.length > 0 ? 0 : 1);
} else if (mode === 'list') {
  const [f, url] = args;
  const vc = await verifyVc(read(f));
  if (vc.id !== url) throw new Error(`list id ${vc.id}, want ${url}`);
  console.log(bits(vc));
} else if (mode === 'vp') {
  const [f, nonce, aud] = args;
  const text = read(f);
  const holder = jose.decodeJwt(text).holder;
  const key = await jose.importJWK(didKeyJwk(holder), 'EdDSA');
  const { payload, protectedHeader: h } = await jose.jwtVerify(text, key, {
    algorithms: ['EdDSA'], typ: 'vp+jwt', audience: aud, issuer: holder,
  });
  if (payload.nonce !== nonce) throw new Error('another nonce');
  if (h.kid !== `${holder}#${holder.slice('did:key:'.length)}`) throw new Error('kid is not the holder\'s');
  for (const c of payload.verifiableCredential) {
    if (c.type !== 'EnvelopedVerifiableCredential') { console.log(`embedded ${c.id}`); continue; }
    const prefix = 'data:application/vc+jwt,';
    if (!c.id.startsWith(prefix)) throw new Error('envelope is not data:application/vc+jwt');
    const vc = await verifyVc(c.id.slice(prefix.length));
    if (idOf(vc.credentialSubject) !== holder) throw new Error('a credential of another subject');
    console.log(`enveloped ${vc.id}`);
  }
} else if (mode === 'resign-vc') {
  const [keyfile, f] = args;
  const { did, key } = await keyOf(keyfile);
  const payload = jose.decodeJwt(read(f));
  console.log(await new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'vc+jwt', kid: `${did}#${did.slice(8)}` }).sign(key));
} else if (mode === 'sign-vp') {
  const [keyfile, nonce, aud, ...files] = args;
  const { did: holder, key } = await keyOf(keyfile);
  const vp = {
    '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], holder,
    verifiableCredential: files.map((f) => ({ '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: `data:application/vc+jwt,${read(f)}`, type: 'EnvelopedVerifiableCredential' })),
    nonce,
  };
  const jwt = await new jose.SignJWT(vp)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'vp+jwt', kid: `${holder}#${holder.slice(8)}` })
    .setIssuer(holder).setAudience(aud).setIssuedAt().sign(key);
  console.log(jwt);
} else {
  console.error('usage: node verify_jose.mjs vc|list|vp|sign-vp ...');
  process.exit(2);
}
