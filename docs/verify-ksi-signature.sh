#!/usr/bin/env bash
# Check a riik KSI signature by hand, with nothing but bash, coreutils and openssl — the steps
# docs/timestamping.md explains. Usage:
#   VKEY="$(cat calendar.vkey)" docs/verify-ksi-signature.sh FILE FILE.rsig     (against the key)
#   CODE=AEAAAA-…              docs/verify-ksi-signature.sh FILE FILE.rsig     (against a publication)
# Prints one line per step; exits 1 at the first step that fails.
set -euo pipefail
DOC=$1 SIG=$2
hex() { base64 -d | od -An -v -tx1 | tr -d ' \n'; }              # base64 → hex
bytes() { printf "$(sed 's/../\\x&/g')"; }                        # hex → bytes
H() { bytes | sha256sum | cut -c1-64; }                           # SHA-256 of hex, as hex
node() { printf '01%s%s' "$1" "$2" | H; }                         # RFC 6962 node hash
step() { if [ "$1" = "$2" ]; then echo "OK   $3"; else echo "FAIL $3" >&2; exit 1; fi; }
# RFC 9162 §2.1.3.2: the root from leaf hash $3 at index $1 in a tree of $2 leaves; path on stdin.
root_from_path() {
  local fn=$1 sn=$(($2 - 1)) r=$3 p
  while read -r p; do
    [ -n "$p" ] || continue
    if (((fn & 1) == 1 || fn == sn)); then
      r=$(node "$p" "$r")
      if (((fn & 1) == 0)); then while (((fn & 1) == 0 && fn != 0)); do fn=$((fn >> 1)) sn=$((sn >> 1)); done; fi
    else
      r=$(node "$r" "$p")
    fi
    fn=$((fn >> 1)) sn=$((sn >> 1))
  done
  ((sn == 0)) && echo "$r" || echo "path too short"
}
head=$(sed '/^$/q' "$SIG")              # the riik part: up to the first empty line
proof=$(sed '1,/^$/d' "$SIG")           # the c2sp.org/tlog-proof part
note=$(sed '1,/^$/d' <<<"$proof")       # the checkpoint note at its end

# 1. The document's SHA-256 (48/64-byte hashes: use sha384sum/sha512sum) is the signed hash.
signed=$(grep '^hash ' <<<"$head" | cut -d' ' -f2 | hex)
step "$(sha256sum "$DOC" | cut -c1-64)" "$signed" "1. the document's SHA-256 is the signed hash"

# 2. Each aggregation step: leaf hash SHA-256(0x00 || level || input), up its path to its root.
input=$signed
while read -r _ level index size; do
  path=$(awk -v s="aggregation $level $index $size" '$0==s{f=1;next} f&&/ /{exit} f' <<<"$head")
  input=$(root_from_path "$index" "$size" "$(printf '00%02x%s' "$level" "$input" | H)" < <(while read -r b; do [ -n "$b" ] && hex <<<"$b" && echo; done <<<"$path"))
done < <(grep '^aggregation ' <<<"$head")
read -r _ time root < <(grep '^round ' <<<"$head")
step "$input" "$(hex <<<"$root")" "2. the aggregation path leads to the round root"

# 3. The calendar entry, uint64 time || round root, is in the checkpoint's tree.
entry=$(printf '00%016x%s' "$time" "$(hex <<<"$root")" | H)
cindex=$(grep '^index ' <<<"$proof" | cut -d' ' -f2)
csize=$(sed -n 2p <<<"$note") croot=$(sed -n 3p <<<"$note" | hex)
calendar=$(root_from_path "$cindex" "$csize" "$entry" < <(sed -n '/^index /,/^$/p' <<<"$proof" | sed '1d;/^$/d' | while read -r b; do hex <<<"$b"; echo; done))
step "$calendar" "$croot" "3. the round (closed $(date -u -d "@$((time / 1000))" +%FT%TZ)) is entry $cindex of the calendar at size $csize"

# 4a. The checkpoint's Ed25519 signature (c2sp.org/signed-note) by the calendar key.
if [ -n "${VKEY:-}" ]; then
  sed -n '1,3p' <<<"$note" >"${TMPDIR:-/tmp}/riik-note.txt"                 # the signed text
  grep '^— ' <<<"$note" | head -1 | awk '{print $NF}' | base64 -d | tail -c 64 >"${TMPDIR:-/tmp}/riik-note.sig"
  { printf '302a300506032b6570032100'; sed 's/^[^+]*+[^+]*+//' <<<"$VKEY" | base64 -d | tail -c 32 | od -An -v -tx1 | tr -d ' \n'; } | bytes >"${TMPDIR:-/tmp}/riik-key.der"
  verdict=$(openssl pkeyutl -verify -pubin -inkey "${TMPDIR:-/tmp}/riik-key.der" -keyform DER -rawin \
    -in "${TMPDIR:-/tmp}/riik-note.txt" -sigfile "${TMPDIR:-/tmp}/riik-note.sig" 2>&1 || true)
  step "$verdict" "Signature Verified Successfully" "4a. the checkpoint is signed by $(cut -d+ -f1 <<<"$VKEY")"
fi

# 4b. Or the publication: base32 of 01 || uint64 time || uint64 size || root || CRC-32, and the
#     consistency proof (RFC 9162 §2.1.4.2) from the checkpoint's size to the published one.
if [ -n "${CODE:-}" ]; then
  pub=$(tr -d '-' <<<"$CODE" | sed 's/$/===/' | base32 -d | od -An -v -tx1 | tr -d ' \n')
  ptime=$((16#${pub:2:16})) psize=$((16#${pub:18:16})) proot=${pub:34:64}
  step "$(awk '/^publication /{print $2}' <<<"$head")" "$CODE" "4b. the signature is extended to this publication"
  mapfile -t c < <(awk 'f&&(/ /||/^$/){exit} f; /^publication /{f=1}' <<<"$head" | while read -r b; do hex <<<"$b"; echo; done)
  if ((csize == psize)); then # the same tree: no proof, the same root
    step "$croot ${#c[@]}" "$proot 0" "5b. the calendar at size $csize is the one published $(date -u -d "@$ptime" +%FT%TZ)"
    exit 0
  fi
  fn=$((csize - 1)) sn=$((psize - 1))
  if (((csize & (csize - 1)) == 0)); then c=("$croot" ${c[@]+"${c[@]}"}); fi  # old size a power of two
  while (((fn & 1) == 1)); do fn=$((fn >> 1)) sn=$((sn >> 1)); done
  ((${#c[@]} > 0)) || { echo "FAIL 5b. empty consistency proof" >&2; exit 1; }
  fr=${c[0]} sr=${c[0]}
  for p in "${c[@]:1}"; do
    if (((fn & 1) == 1 || fn == sn)); then
      fr=$(node "$p" "$fr") sr=$(node "$p" "$sr")
      if (((fn & 1) == 0)); then while (((fn & 1) == 0 && fn != 0)); do fn=$((fn >> 1)) sn=$((sn >> 1)); done; fi
    else
      sr=$(node "$sr" "$p")
    fi
    fn=$((fn >> 1)) sn=$((sn >> 1))
  done
  step "$fr $sr $sn" "$croot $proot 0" "5b. the calendar at size $csize is a prefix of the one published $(date -u -d "@$ptime" +%FT%TZ) (size $psize)"
fi
