#!/usr/bin/env bash
# e2e/smoke-curl: the whole WIF -> Entra -> Key Vault flow by hand with curl against the fake,
# inside tests/e2e/ns-run. Proves the namespace, DNS, TLS trust and the three services fit together.
#   tests/e2e/smoke/smoke-curl.sh FAKE_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
scenario="$root/tests/fake-azure/scenarios/basic.json"

if [ -z "${FKV_NS_WORKDIR:-}" ]; then
  fake=${1:?usage: smoke-curl.sh FAKE_BINARY}
  exec "$root/tests/e2e/ns-run" --fake "$fake" --scenario "$scenario" -- "$0" inside
fi

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

[ "$failures" -eq 0 ] || { echo "smoke-curl: $failures check(s) failed"; exit 1; }
echo "smoke-curl: all checks passed"
