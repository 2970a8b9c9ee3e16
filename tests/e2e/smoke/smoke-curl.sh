#!/usr/bin/env bash
# e2e/smoke-curl: the whole WIF -> Entra -> Key Vault flow by hand with curl against the fake,
# inside tests/e2e/ns-run. Proves the namespace, DNS, TLS trust and the three services fit together.
# Phase "basic" (scenarios/basic.json) walks the happy path and the main errors; phase "faults"
# (scenarios/faults.json) checks injected faults through the real server: 5xx, AADSTS700024, delay,
# TCP reset, 429 with Retry-After, a foreign nextLink host. Phase "hostile" (scenarios/hostile.json)
# checks the hostile behaviours: stalls (accept, headers, slowloris, body, truncate), 1xx interim
# responses, custom error texts with the token echo, a vault whose DNS fails mid-run, the connect
# delay, and that SIGTERM ends a fake that holds stalled connections.
#   tests/e2e/smoke/smoke-curl.sh FAKE_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)

if [ -z "${FKV_NS_WORKDIR:-}" ]; then
  fake=${1:?usage: smoke-curl.sh FAKE_BINARY}
  "$root/tests/e2e/ns-run" --fake "$fake" --scenario "$root/tests/fake-azure/scenarios/basic.json" -- "$0" basic
  "$root/tests/e2e/ns-run" --fake "$fake" --scenario "$root/tests/fake-azure/scenarios/faults.json" -- "$0" faults
  "$root/tests/e2e/ns-run" --fake "$fake" --scenario "$root/tests/fake-azure/scenarios/hostile.json" -- "$0" hostile "$fake"
  exit 0
fi
phase=${1:?phase}

# ---- inside the namespace ----
failures=0
check() {  # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2], got [$3]"; failures=$((failures + 1)); fi
}
json_field() {  # json_field FILE DOTTED.PATH -> the value (strings raw, others as JSON)
  node -e 'const v=process.argv[2].split(".").reduce((o,k)=>o==null?o:o[k],JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")));
           process.stdout.write(typeof v==="string"?v:JSON.stringify(v??null))' "$1" "$2"
}
out=$FKV_NS_WORKDIR/smoke
mkdir -p "$out"
c() { curl -sS --max-time 10 "$@"; }

org=fkv-org project=3f2c1b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b conn=aaaaaaaa-0000-4000-8000-000000000001
tenant=11111111-2222-4333-8444-555555555555 client=cccccccc-0000-4000-8000-000000000001
oidc_url="https://dev.azure.com/$org/$project/_apis/distributedtask/hubs/build/plans/p1/jobs/j1/oidctoken"

exchange_with() {  # exchange_with OUTFILE ASSERTION -> HTTP status of the Entra token request
  c -o "$1" -w '%{http_code}' "https://login.microsoftonline.com/$tenant/oauth2/v2.0/token" \
    --data-urlencode grant_type=client_credentials \
    --data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
    --data-urlencode "client_id=$client" --data-urlencode scope=https://vault.azure.net/.default \
    --data-urlencode "client_assertion=$2"
}
curl_rc() {  # curl_rc ARGS... -> curl's exit code (its output discarded)
  set +e
  curl -sS -o /dev/null "$@" 2>/dev/null
  echo $?
  set -e
}

if [ "$phase" = hostile ]; then
  fake_bin=${2:?hostile phase needs the fake binary}
  job=fkv-job-token-hostile
  c -o "$out/oidc.json" -X POST -H "Authorization: Bearer $job" "$oidc_url?api-version=7.1&serviceConnectionId=$conn"
  oidc=$(json_field "$out/oidc.json" oidcToken)
  # 1. Token echo at Entra: the custom error text carries the very assertion the client sent.
  check "exchange: custom 401 first" 401 "$(exchange_with "$out/token-401.json" "$oidc")"
  check "exchange: error code text" invalid_client "$(json_field "$out/token-401.json" error)"
  check "exchange: the assertion is echoed" "AADSTS700027: assertion $oidc was rejected" "$(json_field "$out/token-401.json" error_description)"
  check "exchange: then 200" 200 "$(exchange_with "$out/token.json" "$oidc")"
  token=$(json_field "$out/token.json" access_token)
  auth="Authorization: Bearer $token"
  vault=https://fkv-hostile.vault.azure.net
  api='?api-version=7.5'

  # 2. Stalls: each curl gives up after 3 s (exit 28), all at once; meanwhile a normal request is
  #    answered, so held connections block nobody.
  declare -A stall_rc=()
  for name in held slow dribble; do
    curl -sS --max-time 3 -o /dev/null -H "$auth" "$vault/secrets/$name/$api" 2>/dev/null & stall_rc[$name]=$!
  done
  curl -sS --max-time 3 -o /dev/null https://fkv-stuck.vault.azure.net/secrets 2>/dev/null & stall_rc[accept]=$!
  curl -sS --max-time 3 -o /dev/null https://fkv-once.vault.azure.net/secrets 2>/dev/null & stall_rc[accept-nth1]=$!
  check "answered while others are held" after-interim "$(c -H "$auth" "$vault/secrets/early/$api" | node -pe 'JSON.parse(require("fs").readFileSync(0)).value')"
  for name in held slow dribble accept accept-nth1; do
    set +e; wait "${stall_rc[$name]}"; rc=$?; set -e
    check "stall $name: curl --max-time 3 times out (exit 28)" 28 "$rc"
  done
  check "accept nth [1]: the next connection is served" second-connection \
    "$(c -H "$auth" "https://fkv-once.vault.azure.net/secrets/one/$api" | node -pe 'JSON.parse(require("fs").readFileSync(0)).value')"
  check "slowloris with totalMs finishes" slow-but-complete \
    "$(c -H "$auth" "$vault/secrets/slow-done/$api" | node -pe 'JSON.parse(require("fs").readFileSync(0)).value')"
  check "truncate: curl sees a short body (exit 18)" 18 "$(curl_rc --max-time 5 -H "$auth" "$vault/secrets/cut/$api")"

  # 3. Interim responses come before the answer.
  c -v -o "$out/early.json" -H "$auth" "$vault/secrets/early/$api" 2>"$out/early.trace"
  check "interim: 100 then 103 then 200" "100 103 200" "$(grep -oE '^< HTTP/1.1 [0-9]+' "$out/early.trace" | awk '{printf "%s%s", sep, $3; sep=" "}')"
  check "interim: 103 carries a Link field" 1 "$(grep -c '^< Link: <https://login.microsoftonline.com/>; rel=preconnect' "$out/early.trace")"
  check "interim: the answer itself" after-interim "$(json_field "$out/early.json" value)"

  # 4. Hostile texts: escapes, ##vso[, CR/LF in the JSON, and the caller's own token.
  check "hostile error status" 403 "$(c -o "$out/echo.json" -D "$out/echo.h" -w '%{http_code}' -H "$auth" "$vault/secrets/echo/$api")"
  check "hostile error code with an escape" "Forbidden"$'\e'"[2J" "$(json_field "$out/echo.json" error.code)"
  check "hostile message echoes the token" \
    "Caller $token is not permitted."$'\r\n'"##vso[task.setvariable variable=x]y "$'\e'"]8;;http://evil.example.com"$'\a'"click"$'\e'"]8;;"$'\a' \
    "$(json_field "$out/echo.json" error.message)"
  check "hostile header echoes the token" "x-ms-request-id: "$'\e'"]8;;http://x"$'\a'"$token##vso[task.complete result=Succeeded]" \
    "$(grep -ai '^x-ms-request-id:' "$out/echo.h" | tr -d '\r')"

  # 5. connectDelayMs: the TLS handshake starts only after the delay (a lower bound, no speed test).
  times=$(c -o /dev/null -w '%{time_connect} %{time_appconnect}' -H "$auth" "$vault/secrets/early/$api")
  check "connect delay of at least 100 ms before TLS completes" yes "$(awk '{print ($2 - $1 >= 0.1) ? "yes" : "no"}' <<<"$times")"

  # 6. DNS failing mid-run: fkv-dns is not in /etc/hosts; DNS gives 3 A answers, then NXDOMAIN.
  dnshost=fkv-dns.vault.azure.net
  check "dnsFailAfter vault not in /etc/hosts" 0 "$(grep -c "$dnshost" /etc/hosts || true)"
  check "getent resolves (A answer 1)" "127.0.0.1 $dnshost" "$(getent hosts "$dnshost" | tr -s ' ')"
  check "a request resolves (A answer 2)" resolved "$(c -H "$auth" "https://$dnshost/secrets/one/$api" | node -pe 'JSON.parse(require("fs").readFileSync(0)).value')"
  check "getent resolves (A answer 3)" "127.0.0.1 $dnshost" "$(getent hosts "$dnshost" | tr -s ' ')"
  set +e; getent hosts "$dnshost" >/dev/null; rc=$?; set -e
  check "then getent fails (exit 2: not found)" 2 "$rc"
  check "then curl cannot resolve (exit 6)" 6 "$(curl_rc --max-time 5 -H "$auth" "https://$dnshost/secrets/one/$api")"

  log=$FKV_NS_WORKDIR/requests.jsonl
  check "accept stall logged with its SNI" 1 "$(grep '"host":"fkv-stuck.vault.azure.net"' "$log" | grep -c '"stall":"accept"')"
  check "headers stall logged with status 0" 1 "$(grep '/secrets/held/' "$log" | grep '"status":0' | grep -c '"stall":"headers"')"
  check "no token text in the log" 0 "$(grep -cF -e "$token" -e "$oidc" -e "$job" "$log" || true)"

  # 7. SIGTERM ends a fake that holds stalled connections (ns-run waits at most 5 s): a second
  #    instance on port 8443 holds an accept stall and a headers stall, then gets SIGTERM.
  "$fake_bin" --scenario "$root/tests/fake-azure/scenarios/hostile.json" --port 8443 --ca-out "$out/ca2.pem" \
    --log "$out/requests2.jsonl" --ready-file "$out/ready2" >"$out/fake2.log" 2>&1 &
  pid2=$!
  for _ in $(seq 1 100); do [ -f "$out/ready2" ] && break; sleep 0.1; done
  curl -sS --max-time 20 --cacert "$out/ca2.pem" -o /dev/null https://fkv-stuck.vault.azure.net:8443/ 2>/dev/null & held1=$!
  curl -sS --max-time 20 --cacert "$out/ca2.pem" -o /dev/null "$vault:8443/secrets/held/$api" 2>/dev/null & held2=$!
  for _ in $(seq 1 50); do [ "$(cat "$out/requests2.jsonl" 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.1; done
  check "second fake holds two stalled connections" 2 "$(grep -c '"stall":' "$out/requests2.jsonl" || true)"
  kill -TERM "$pid2"
  gone=no
  for _ in $(seq 1 20); do kill -0 "$pid2" 2>/dev/null || { gone=yes; break; }; sleep 0.1; done
  check "SIGTERM ends it within 2 s despite held connections" yes "$gone"
  [ "$gone" = yes ] || kill -9 "$pid2" 2>/dev/null || true
  set +e; wait "$pid2"; rc=$?; set -e
  check "and it exits cleanly (status 0)" 0 "$rc"
  wait "$held1" "$held2" 2>/dev/null || true
elif [ "$phase" = faults ]; then
  job=fkv-job-token-faults
  post_oidc() { c -o "$out/oidc.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $job" -H "X-TFS-FedAuthRedirect: Suppress" \
    "$oidc_url?api-version=7.1&serviceConnectionId=$conn"; }
  exchange() { c -o "$out/token.json" -w '%{http_code}' "https://login.microsoftonline.com/$tenant/oauth2/v2.0/token" \
    --data-urlencode grant_type=client_credentials \
    --data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
    --data-urlencode "client_id=$client" --data-urlencode scope=https://vault.azure.net/.default \
    --data-urlencode "client_assertion=$(json_field "$out/oidc.json" oidcToken)"; }
  check "OIDC: injected 500 first" 500 "$(post_oidc)"
  check "OIDC: then 200" 200 "$(post_oidc)"
  check "exchange: injected AADSTS700024 first" 401 "$(exchange)"
  check "exchange: AADSTS code" '[700024]' "$(json_field "$out/token.json" error_codes)"
  check "exchange: then 200" 200 "$(exchange)"
  auth="Authorization: Bearer $(json_field "$out/token.json" access_token)"
  vault=https://fkv-faults.vault.azure.net
  t0=$(date +%s%N)
  check "delayed get" 200 "$(c -o /dev/null -w '%{http_code}' -H "$auth" "$vault/secrets/slow/?api-version=7.5")"
  check "delay of at least 300 ms" yes "$( [ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 300 ] && echo yes || echo no)"
  set +e
  curl -sS --max-time 5 -o /dev/null -H "$auth" "$vault/secrets/reset-me/?api-version=7.5" 2>/dev/null
  rc=$?
  set -e
  check "reset: curl sees the connection die (exit 56 or 52)" yes "$( [ "$rc" = 56 ] || [ "$rc" = 52 ] && echo yes || echo "no ($rc)")"
  check "429 once" 429 "$(c -o /dev/null -D "$out/429.h" -w '%{http_code}' -H "$auth" "$vault/secrets/throttled-once/?api-version=7.5")"
  check "Retry-After seconds" "Retry-After: 1" "$(grep -i '^retry-after:' "$out/429.h" | tr -d '\r')"
  check "then 200" 200 "$(c -o /dev/null -w '%{http_code}' -H "$auth" "$vault/secrets/throttled-once/?api-version=7.5")"
  c -o /dev/null -D "$out/429d.h" -H "$auth" "$vault/secrets/throttled-dated/?api-version=7.5"
  check "Retry-After as HTTP date" yes "$(grep -qiE '^retry-after: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT' "$out/429d.h" && echo yes || echo no)"
  check "503 always" 503 "$(c -o /dev/null -w '%{http_code}' -H "$auth" "$vault/secrets/unavailable/?api-version=7.5")"
  c -o /dev/null -D "$out/leaky.h" https://fkv-leaky.vault.azure.net/secrets?api-version=7.5
  check "challenge names the foreign authority" yes "$(grep -qi 'authorization="https://evil.example.com/' "$out/leaky.h" && echo yes || echo no)"
  c -o "$out/leaky.json" -H "$auth" "https://fkv-leaky.vault.azure.net/secrets?api-version=7.5"
  next=$(json_field "$out/leaky.json" nextLink)
  check "nextLink points at the foreign host" "https://evil.example.com:443/secrets" "${next%%\?*}"
  c -o /dev/null "$next"   # followed WITHOUT the token, as a correct client would
  log=$FKV_NS_WORKDIR/requests.jsonl
  check "foreign host reached without a token" '"host":"evil.example.com","target":' "$(grep -o '"host":"evil.example.com","target":' "$log" | head -1)"
  check "no credential at the foreign host" 0 "$(grep '"host":"evil.example.com"' "$log" | grep -vc '"token":"none"' || true)"
  check "reset logged with status 0" 1 "$(grep '/secrets/reset-me/' "$log" | grep -c '"status":0')"
  check "faults named in the log" 6 "$(grep -c '"fault":"faults\[' "$log")"
else
# 1. Azure DevOps OIDC token with the job token (the SDKs' request).
status=$(c -o "$out/oidc.json" -w '%{http_code}' -X POST -H "Authorization: Bearer fkv-job-token-basic" \
  -H "Content-Type: application/json" -H "X-TFS-FedAuthRedirect: Suppress" -H "Content-Length: 0" \
  "$oidc_url?api-version=7.1&serviceConnectionId=$conn")
check "OIDC token request" 200 "$status"
oidc=$(json_field "$out/oidc.json" oidcToken)
check "OIDC token is a JWT" 3 "$(awk -F. '{print NF}' <<<"$oidc")"

# 2. A wrong job token: 302 to sign-in, or 401 with the redirect suppressed.
check "bad job token redirects" 302 "$(c -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer nope' "$oidc_url?api-version=7.1&serviceConnectionId=$conn")"
status=$(c -o "$out/oidc-401.json" -w '%{http_code}' -X POST -H 'Authorization: Bearer nope' -H 'X-TFS-FedAuthRedirect: Suppress' \
  "$oidc_url?api-version=7.1-preview.1&serviceConnectionId=$conn")
check "bad job token, redirect suppressed" 401 "$status"
check "ADO error typeKey" UnauthorizedRequestException "$(json_field "$out/oidc-401.json" typeKey)"

# 3. Entra token exchange with the OIDC token as client assertion.
status=$(c -o "$out/token.json" -w '%{http_code}' "https://login.microsoftonline.com/$tenant/oauth2/v2.0/token" \
  --data-urlencode grant_type=client_credentials \
  --data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  --data-urlencode "client_id=$client" --data-urlencode scope=https://vault.azure.net/.default \
  --data-urlencode "client_assertion=$oidc")
check "Entra token exchange" 200 "$status"
check "token_type" Bearer "$(json_field "$out/token.json" token_type)"
token=$(json_field "$out/token.json" access_token)

# 4. Key Vault: challenge, list (paged), get.
vault=https://fkv-basic.vault.azure.net
status=$(c -o /dev/null -D "$out/challenge.h" -w '%{http_code}' "$vault/secrets?api-version=7.5")
check "unauthenticated list gets the challenge" 401 "$status"
check "challenge header" "WWW-Authenticate: Bearer authorization=\"https://login.microsoftonline.com/$tenant\", resource=\"https://vault.azure.net\"" \
  "$(grep -i '^www-authenticate:' "$out/challenge.h" | tr -d '\r')"
auth="Authorization: Bearer $token"
status=$(c -o "$out/list1.json" -w '%{http_code}' -H "$auth" "$vault/secrets?api-version=7.5&maxresults=3")
check "list page 1" 200 "$status"
check "list page 1 size" 3 "$(json_field "$out/list1.json" value.length)"
next=$(json_field "$out/list1.json" nextLink)
check "nextLink form" "https://fkv-basic.vault.azure.net:443/secrets?api-version=7.5&\$skiptoken=" "${next%%\$skiptoken=*}\$skiptoken="
status=$(c -o "$out/list2.json" -w '%{http_code}' -H "$auth" "$next")
check "list page 2" 200 "$status"
check "list page 2 size" 1 "$(json_field "$out/list2.json" value.length)"
check "last page has no nextLink" null "$(json_field "$out/list2.json" nextLink)"
status=$(c -o "$out/get.json" -w '%{http_code}' -H "$auth" "$vault/secrets/db-password/?api-version=7.5")
check "get secret" 200 "$status"
check "secret value" s3cr3t-value "$(json_field "$out/get.json" value)"
check "disabled secret" 403 "$(c -o /dev/null -w '%{http_code}' -H "$auth" "$vault/secrets/disabled-one/?api-version=7.5")"
check "missing secret" 404 "$(c -o /dev/null -w '%{http_code}' -H "$auth" "$vault/secrets/nope/?api-version=7.5")"

# 5. An unknown vault host does not resolve (DNS answers NXDOMAIN), like real life.
set +e
curl -sS --max-time 5 -o /dev/null "https://typo-vault.vault.azure.net/secrets?api-version=7.5" 2>/dev/null
rc=$?
set -e
check "unknown vault host fails to resolve (curl exit 6)" 6 "$rc"

# 6. The request log saw each credential only where it belongs.
log=$FKV_NS_WORKDIR/requests.jsonl
check "log lines" 10 "$(wc -l <"$log" | tr -d ' ')"
check "job token only at dev.azure.com" 0 "$(grep '"token":"job"' "$log" | grep -vc '"host":"dev.azure.com"' || true)"
check "access token only at the vault" 0 "$(grep '"token":"access:' "$log" | grep -vc '"host":"fkv-basic.vault.azure.net"' || true)"
check "token endpoint saw the OIDC assertion" 1 "$(grep -c '"assertion":"oidc"' "$log")"
if grep -q "$token\|$oidc\|fkv-job-token-basic" "$log"; then check "no token text in the log" clean leaked; fi

fi

[ "$failures" -eq 0 ] || { echo "smoke-curl: $failures check(s) failed"; exit 1; }
echo "smoke-curl: all checks passed"
